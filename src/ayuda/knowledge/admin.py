"""Guides are configured here (R14): one per category, questions and steps edited inline,
each translated text with one input per language (``core.admin.translations_form``).
Answers and actions are written by the ticket services only: read-only lists here."""

from django.contrib import admin

from ayuda.core.admin import LookupsAdmin, TranslationsAdmin, translations_form

from .models import AssignedAction, Bulletin, Guide, GuideQuestion, GuideStep, Problem


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

# -- problems and bulletins (R21, R31) ----------------------------------------------------------


class BulletinInline(admin.StackedInline):
    model = Bulletin
    form = translations_form(Bulletin, ("title", "agreed_answer", "public_notice"))
    exclude = ["title_i18n", "agreed_answer_i18n", "public_notice_i18n"]
    extra = 0
    filter_horizontal = ["categories", "organisations"]
    readonly_fields = ["created_by", "created_at", "closed_at"]


@admin.register(Problem)
class ProblemAdmin(LookupsAdmin):
    """Problems and their bulletins. Resolving here changes the record only: resolving the
    linked tickets is the problem page's "Resolve" (it runs the background update)."""

    list_display = ["__str__", "status", "owner", "created_at", "resolved_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["owner", "created_by"]
    autocomplete_fields = ["category"]
    readonly_fields = ["created_at", "updated_at", "resolved_at"]
    inlines = [BulletinInline]

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        now = timezone.now()
        if not change:
            obj.created_at, obj.created_by = now, request.user
        obj.updated_at = now
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        from django.utils import timezone

        for bulletin in formset.save(commit=False):
            if bulletin.pk is None:
                bulletin.created_at, bulletin.created_by = timezone.now(), request.user
            if bulletin.starts_at is None:
                bulletin.starts_at = timezone.now()
            if bulletin.status == "closed" and bulletin.closed_at is None:
                bulletin.closed_at = timezone.now()
            bulletin.save()
        for bulletin in formset.deleted_objects:
            bulletin.delete()
        formset.save_m2m()


@admin.register(Bulletin)
class BulletinAdmin(TranslationsAdmin, LookupsAdmin):
    """Saving refreshes the cached list of active bulletins (the banners)."""

    translated_fields = ("title", "agreed_answer", "public_notice")
    form = translations_form(Bulletin, translated_fields)
    exclude = ["title_i18n", "agreed_answer_i18n", "public_notice_i18n"]
    list_display = ["__str__", "problem", "status", "is_public", "starts_at", "ends_at"]
    list_filter = ["status", "is_public"]
    list_select_related = ["problem"]
    raw_id_fields = ["problem", "created_by"]
    filter_horizontal = ["categories", "organisations"]
    readonly_fields = ["created_by", "created_at", "closed_at"]

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        if not change:
            obj.created_at, obj.created_by = timezone.now(), request.user
        if obj.status == "closed" and obj.closed_at is None:
            obj.closed_at = timezone.now()
        super().save_model(request, obj, form, change)
