from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, models
from django.utils.text import capfirst, format_lazy

from .cache import lookups_changed
from .i18n import language_codes, translations_clean

ESTIMATE_ABOVE = 100_000


class LargeTablePaginator(Paginator):
    """The admin counts the rows of a list on every page. On PostgreSQL, an unfiltered list of
    a large table (tickets, their history, mail) takes the planner's row estimate instead of
    reading the whole table (45-55 ms at a million rows, growing with it); filtered lists and
    small tables are counted exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > ESTIMATE_ABOVE:
                return row[0]
        return super().count


class LargeTableAdmin(admin.ModelAdmin):
    """A list that must stay quick at millions of rows: estimated count, no second count."""

    paginator = LargeTablePaginator
    show_full_result_count = False


class LookupsAdmin(admin.ModelAdmin):
    """Admin for a model the workspace caches in its select boxes: every change refreshes them."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        lookups_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        lookups_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        lookups_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        lookups_changed()


def _translation_inputs(model, field: str) -> dict[str, forms.Field]:
    """One optional input per language other than the site's, for ``field``'s translations."""
    base = model._meta.get_field(field)
    inputs = {}
    for code, language in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        if isinstance(base, models.TextField):
            widget = forms.Textarea(attrs={"rows": 2, "cols": 60})
        else:
            widget = forms.TextInput(attrs={"class": "vTextField"})
        inputs[f"{field}_{code}"] = forms.CharField(
            label=format_lazy("{} ({})", capfirst(base.verbose_name), language),
            required=False,
            max_length=base.max_length,
            widget=widget,
        )
    return inputs


class TranslationsForm(forms.ModelForm):
    """Edits ``<field>_i18n`` (a JSON object, see ``core.i18n``) as one input per language,
    ``<field>_es``, ``<field>_it``…; a blank input removes that language's text."""

    translated_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.translated_fields:
            values = getattr(self.instance, f"{field}_i18n", None) or {}
            for code in language_codes():
                name = f"{field}_{code}"
                if name in self.fields and not self.is_bound:
                    self.initial[name] = values.get(code, "")

    def clean(self):
        cleaned = super().clean()
        for field in self.translated_fields:
            shown = {code for code in language_codes() if f"{field}_{code}" in self.fields}
            kept = {
                code: text
                for code, text in (getattr(self.instance, f"{field}_i18n", None) or {}).items()
                if code not in shown
            }
            typed = {code: cleaned.get(f"{field}_{code}", "") for code in shown}
            setattr(self.instance, f"{field}_i18n", kept | translations_clean(typed))
        return cleaned


def translations_form(model, fields: tuple[str, ...]) -> type[TranslationsForm]:
    """A ModelForm for ``model`` whose ``fields`` are translated (``<field>_i18n``)."""
    attrs = {"translated_fields": fields}
    for field in fields:
        attrs |= _translation_inputs(model, field)
    return type(f"{model.__name__}TranslationsForm", (TranslationsForm,), attrs)


class TranslationsAdmin(admin.ModelAdmin):
    """Shows a translated field's per-language inputs right after the field itself and never
    the raw JSON. Set ``translated_fields``, ``form = translations_form(Model, fields)`` and
    ``exclude`` the ``<field>_i18n`` columns."""

    translated_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if not self._is_input(f)]
        ordered = []
        for name in fields:
            ordered.append(name)
            if name in self.translated_fields:
                ordered += [
                    f"{name}_{code}"
                    for code in language_codes()
                    if f"{name}_{code}" in self.form.base_fields
                ]
        return ordered

    def _is_input(self, name: str) -> bool:
        return any(
            name == f"{field}_{code}"
            for field in self.translated_fields
            for code in language_codes()
        )
