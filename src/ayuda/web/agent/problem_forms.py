"""Forms of the problem pages (R21, R31). They shape the input; the services in
``knowledge/problems.py`` decide. Choices come from the workspace's cached lists."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ayuda.core.errors import AyudaError
from ayuda.knowledge.models import ProblemStatus
from ayuda.tickets.models import Category

from .lookups import Lookups

TRANSLATED = ("title", "agreed_answer", "public_notice")


def other_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class ServiceErrorsMixin:
    def add_service_error(self, err: AyudaError) -> None:
        field = getattr(err, "field", None)
        self.add_error(field if field in self.fields else None, err.message)


class ProblemForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    workaround = forms.CharField(
        label=_("Workaround"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fix = forms.CharField(label=_("Fix"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=ProblemStatus.choices)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, lookups: Lookups, can_manage: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [
            (c.pk, c.label) for c in lookups.categories
        ]
        self.fields["owner"].choices = [("", "—")] + [
            (u.pk, u.display_name()) for u in lookups.agents
        ]
        self._agents = {u.pk: u for u in lookups.agents}
        if not can_manage:
            for name in ("cause", "fix"):
                self.fields[name].disabled = True

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "workaround": data["workaround"],
            "cause": data["cause"],
            "fix": data["fix"],
            "status": data["status"],
            "category": Category.objects.filter(pk=data["category"]).first()
            if data["category"]
            else None,
            "owner": self._agents.get(data["owner"]) if data["owner"] else None,
        }


class ProblemNewForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BulletinForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    agreed_answer = forms.CharField(
        label=_("Agreed answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the front line tells a customer who calls about it."),
    )
    is_public = forms.BooleanField(
        label=_("Public: shown in the portal and in acknowledgements"), required=False
    )
    public_notice = forms.CharField(
        label=_("Public notice"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories (none: every one)"), required=False, coerce=int
    )
    organisations = forms.TypedMultipleChoiceField(
        label=_("Organisations (none: every one)"), required=False, coerce=int
    )
    ends_at = forms.DateTimeField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, lookups: Lookups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.pk, c.label) for c in lookups.categories]
        self.fields["organisations"].choices = [(o.pk, o.name) for o in lookups.organisations]
        for name in TRANSLATED:
            base = self.fields[name]
            for code, language in other_languages():
                self.fields[f"{name}_{code}"] = forms.CharField(
                    label=f"{base.label} ({language})",
                    required=False,
                    max_length=getattr(base, "max_length", None),
                    widget=forms.Textarea(attrs={"rows": 2})
                    if isinstance(base.widget, forms.Textarea)
                    else forms.TextInput(),
                )

    def translations(self) -> dict[str, dict]:
        return {
            name: {
                code: self.cleaned_data.get(f"{name}_{code}", "") for code, _n in other_languages()
            }
            for name in TRANSLATED
        }

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "agreed_answer": data["agreed_answer"],
            "public_notice": data["public_notice"],
            "is_public": data["is_public"],
            "categories": Category.objects.filter(pk__in=data["categories"]),
            "organisations": list(data["organisations"]),
            "ends_at": data["ends_at"],
            "translations": self.translations(),
        }


class ResolveForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Solution sent to every linked ticket"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )
    fix = forms.CharField(
        label=_("Fix (for the record)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Message to every linked ticket (optional unless resolving)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )
    resolve = forms.BooleanField(
        label=_("Resolve the problem and its linked tickets"), required=False
    )


class MessageForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Update sent to every linked ticket"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )
