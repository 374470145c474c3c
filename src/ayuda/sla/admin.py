"""Admin of the service-level policies (R22). Saving a policy recomputes the live due times
of its clocks in a background task, so the page stays fast (``sla.tasks.sla_recompute``)."""

from django.contrib import admin
from django.db import transaction

from .forms import SlaPolicyForm
from .models import SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = (
        "position", "name", "side", "is_active", "calendar", "first_response_minutes",
        "next_update_minutes", "resolution_minutes",
    )  # fmt: skip
    list_display_links = ("name",)
    list_editable = ("position",)
    list_filter = ("side", "is_active", "calendar")
    ordering = ("side", "position", "id")
    search_fields = ("name",)
    autocomplete_fields = ()
    list_select_related = ("calendar",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            from .tasks import sla_recompute

            transaction.on_commit(lambda: sla_recompute.delay(policy_id=obj.pk))


from . import admin_calendars  # noqa: E402, F401  (calendars and closing days)
