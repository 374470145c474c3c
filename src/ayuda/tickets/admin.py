"""Administration of configuration (states, categories). Tickets are read-only here: every
change to a ticket goes through the services so it is recorded in the history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ayuda.core.admin import LargeTableAdmin, LookupsAdmin, TranslationsAdmin, translations_form

from .models import Category, SavedView, Ticket, TicketEvent, TicketState


@admin.register(TicketState)
class TicketStateAdmin(TranslationsAdmin, LookupsAdmin):
    """Names in each language: one input per language (R35)."""

    translated_fields = ("name",)
    form = translations_form(TicketState, translated_fields)
    exclude = ["name_i18n"]
    list_display = ["name", "category", "is_default", "position"]
    list_editable = ["position"]
    list_filter = ["category"]


@admin.register(Category)
class CategoryAdmin(TranslationsAdmin, LookupsAdmin):
    translated_fields = ("name", "description")
    form = translations_form(Category, translated_fields)
    exclude = ["name_i18n", "description_i18n"]
    list_display = ["__str__", "is_software", "default_team", "routes_to_level_2", "is_active"]
    list_filter = ["is_software", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


class ReadOnlyAdmin(LargeTableAdmin):
    """Tickets and their history, read-only, searched by ticket number through the key in
    ``ticket_number_field`` (the admin's own "=id" search compares text and reads every row).
    """

    search_fields = ["=id"]  # shows the search box; get_search_results does the searching
    search_help_text = _("A ticket number.")
    ticket_number_field = "pk"

    def get_search_results(self, request, queryset, search_term):
        number = search_term.strip().lstrip("#")
        if not number:
            return queryset, False
        if not number.isdigit():
            return queryset.none(), False
        return queryset.filter(**{self.ticket_number_field: int(number)}), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "state", "level", "team", "owner", "created_at"]
    list_select_related = ["state", "team", "owner"]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ["ticket_id", "seq", "action", "field", "actor", "at"]
    list_select_related = ["actor"]
    ticket_number_field = "ticket_id"


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "query"]
