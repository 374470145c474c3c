"""Forms for guides' answers and assigned actions, shared by the agent workspace and the
portal. They shape the input; ``services`` validates it (types, required) with its own
translated messages, which the views put back on the fields."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ayuda.tickets.attachments import IncomingFile

from .models import ActionKind, QuestionKind
from .selectors import GuideView


class GuideForm(forms.Form):
    """One input per question of a guide, prefilled with the ticket's answers."""

    def __init__(self, data=None, *, guide: GuideView, prefix_id: str = "guide", **kwargs):
        super().__init__(data, auto_id=f"id_{prefix_id}_%s", **kwargs)
        self.guide = guide
        initial = {}
        for item in guide.questions:
            q = item.question
            label = q.display_label
            common = {"label": label, "required": False, "help_text": q.display_help}
            match q.kind:
                case QuestionKind.YES_NO:
                    field = forms.ChoiceField(
                        choices=[("yes", _("Yes")), ("no", _("No"))],
                        widget=forms.RadioSelect,
                        **common,
                    )
                case QuestionKind.CHOICE:
                    field = forms.ChoiceField(choices=[("", "—"), *q.display_choices()], **common)
                case QuestionKind.NUMBER:
                    field = forms.CharField(
                        max_length=30,
                        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                        **common,
                    )
                case _:
                    field = forms.CharField(
                        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **common
                    )
            field.widget.attrs.pop("required", None)
            field.is_question_required = q.required
            field.validators = []
            self.fields[q.key] = field
            initial[q.key] = item.text
        self.initial = initial

    def clean(self):
        # Choices are checked by the service, with its message; keep what was typed.
        return {name: self.data.get(name, "") for name in self.fields}

    def full_clean(self):
        self._errors = forms.utils.ErrorDict()
        self.cleaned_data = self.clean() if self.is_bound else {}

    def answers(self) -> dict[str, str]:
        return {name: str(self.data.get(name, "")) for name in self.fields}

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            if key in self.fields:
                self.add_error(key, message)


class ActionAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"))
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    instructions = forms.CharField(
        label=_("What to do"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: check that the device's cable is plugged in and confirm."),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, data=None, *, candidates, **kwargs):
        super().__init__(data, auto_id="id_assign_%s", **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        self.fields["assignee"].choices = [(pk, _label(u)) for pk, u in self.candidates.items()]
        if not self.is_bound:
            self.initial["due_at"] = (timezone.localtime() + timedelta(days=2)).strftime(
                "%Y-%m-%dT%H:%M"
            )

    def assignee_user(self):
        return self.candidates.get(str(self.cleaned_data.get("assignee")))

    def add_service_error(self, error) -> None:
        field = error.field if getattr(error, "field", None) in self.fields else None
        self.add_error(field, error.message)


def _label(user) -> str:
    role = _("site admin") if user.role == "site_admin" else _("requester")
    return f"{user.display_name()} ({role})"


class ActionCompleteForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )

    def __init__(self, data=None, files=None, *, prefix_id: str = "complete", **kwargs):
        super().__init__(data, files, auto_id=f"id_{prefix_id}_%s", **kwargs)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > settings.AYUDA_ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("The photo is too large."))
        return IncomingFile(name=upload.name, content=upload.read())

    def add_service_error(self, error) -> None:
        field = error.field if getattr(error, "field", None) in self.fields else None
        self.add_error(field, error.message)
