"""Guides are configured here (R14): one per category, questions and steps edited inline,
each translated text with one input per language (``core.admin.translations_form``).
Answers and actions are written by the ticket services only: read-only lists here."""

from django.contrib import admin

from ayuda.core.admin import LookupsAdmin, TranslationsAdmin, translations_form

from .models import AssignedAction, Guide, GuideQuestion, GuideStep


class QuestionInline(admin.StackedInline):
    model = GuideQuestion
    form = translations_form(GuideQuestion, ("label", "help", "choices"))
    exclude = ["label_i18n", "help_i18n", "choices_i18n"]
    extra = 0
    ordering = ["position", "id"]


class StepInline(admin.StackedInline):
    model = GuideStep
    form = translations_form(GuideStep, ("text",))
    exclude = ["text_i18n"]
    extra = 0
    ordering = ["position", "id"]


@admin.register(Guide)
class GuideAdmin(TranslationsAdmin, LookupsAdmin):
    """Saving refreshes the cached list of guided categories (``guided_category_ids``)."""

    translated_fields = ("intro",)
    form = translations_form(Guide, translated_fields)
    exclude = ["intro_i18n"]
    list_display = ["__str__", "is_active", "updated_at"]
    list_filter = ["is_active"]
    autocomplete_fields = ["category"]
    inlines = [QuestionInline, StepInline]


@admin.register(AssignedAction)
class AssignedActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "assignee", "due_at", "completed_at", "reminder_sent_at"]
    list_select_related = ["assignee"]
    raw_id_fields = ["ticket", "assignee", "assigned_by", "article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Registered by importing them: the read-only article admin and the decision trees (R18).
from . import admin_articles, trees_admin  # noqa: E402, F401
