"""Forms of the knowledge base's workspace pages. They shape the input; the services in
``articles.py`` check it (title, text, language, visibility) with their own messages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ArticleStatus, Visibility


def _category_choices(categories) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(c.pk), c.label) for c in categories]


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        required=False,
        help_text=_("One or two sentences, shown in the lists and the suggestions."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "HTML: paragraphs, lists, bold, italics, links, code, headings and quotes. "
            "Anything else is removed when you save."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, categories, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = _category_choices(categories)
        if editing:
            del self.fields["language"]

    def chosen_category(self):
        return self.categories.get(self.cleaned_data.get("category"))


class TranslateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=500, required=False)
    body = forms.CharField(
        label=_("Text"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 14})
    )

    def __init__(self, *args, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the author change?"), max_length=280, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any but archived"))]
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    visibility = forms.ChoiceField(label=_("Visibility"), required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any but archived")), *ArticleStatus.choices]
        self.fields["language"].choices = [("", _("Any")), *settings.LANGUAGES]
        self.fields["category"].choices = [("", _("Any"))] + [
            (str(c.pk), c.label) for c in categories
        ]
        self.fields["visibility"].choices = [("", _("Any")), *Visibility.choices]
