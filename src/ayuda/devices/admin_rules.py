"""Administration of scan rules (R33) and a read-only view of health incidents (R34).
Registered from ``devices/admin.py``."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .forms import ScanRuleForm
from .models import HealthIncident, ScanRule
from .rules import REGISTRY


@admin.register(ScanRule)
class ScanRuleAdmin(admin.ModelAdmin):
    form = ScanRuleForm
    list_display = [
        "name",
        "kind",
        "threshold",
        "every_minutes",
        "organisation",
        "site",
        "device_model",
        "category",
        "is_active",
        "last_run_at",
    ]
    list_filter = ["kind", "is_active"]
    list_select_related = ["organisation", "site", "category"]
    readonly_fields = ["last_run_at", "kinds_help"]
    autocomplete_fields = ["category"]
    search_fields = ["name"]

    @admin.display(description=_("kinds and their figures"))
    def kinds_help(self, obj=None):
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {} ({}–{}, {} {}). {}</p>",
            (
                (
                    spec.label,
                    spec.threshold_label,
                    spec.threshold_min,
                    spec.threshold_max,
                    _("default"),
                    spec.threshold_default,
                    ", ".join("{" + name + "}" for name in spec.figure_names()),
                )
                for spec in REGISTRY.values()
            ),
        )


@admin.register(HealthIncident)
class HealthIncidentAdmin(admin.ModelAdmin):
    """Read-only: incidents change only through the scan and their tickets."""

    list_display = ["rule", "subject_key", "site", "is_open", "needs_review", "opened_at"]
    list_filter = ["is_open", "needs_review", "rule"]
    list_select_related = ["rule", "site"]
    raw_id_fields = ["device", "site", "ticket", "previous"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
