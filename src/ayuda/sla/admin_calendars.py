"""Calendars in the admin (R22): opening hours per weekday, public holidays, closing days
inline, the next holidays shown read-only, and a one-click 24x7x365 calendar. Registered from
``sla/admin.py``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .calendars import DEFAULT_24X7_NAME, calendar_24x7, calendar_cache_clear, next_holidays
from .forms_calendars import CalendarForm
from .models import Calendar, ClosingDay


class ClosingDayInline(admin.TabularInline):
    model = ClosingDay
    fields = ["day", "name"]
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    inlines = [ClosingDayInline]
    list_display = ["name", "timezone", "always_open", "holiday_country", "holiday_subdivision"]
    list_filter = ["always_open", "holiday_country"]
    search_fields = ["name"]
    readonly_fields = ["upcoming_holidays"]
    fieldsets = [
        (None, {"fields": ["name", "timezone", "always_open"]}),
        (
            gettext_lazy("Opening hours"),
            {
                "fields": [f"hours_{day}" for day in ("mon", "tue", "wed", "thu", "fri")]
                + ["hours_sat", "hours_sun"]
            },
        ),
        (
            gettext_lazy("Public holidays"),
            {"fields": ["holiday_country", "holiday_subdivision", "upcoming_holidays"]},
        ),
    ]

    @admin.display(description=gettext_lazy("next public holidays and closing days"))
    def upcoming_holidays(self, obj=None):
        if obj is None or obj.pk is None or obj.always_open:
            return "-"
        try:
            found = next_holidays(obj, today=timezone.localdate())
        except (ValueError, NotImplementedError, KeyError):
            return "-"
        if not found:
            return "-"
        return format_html_join(
            "", "<div>{} {}</div>", ((day.isoformat(), name) for day, name in found)
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar_cache_clear()
        if change:  # the live due times of its clocks move, in a task (the page stays fast)
            from .tasks import sla_recompute

            calendar_id = form.instance.pk
            transaction.on_commit(lambda: sla_recompute.delay(calendar_id=calendar_id))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_cache_clear()

    def get_urls(self):
        return [
            path(
                "create-24x7/",
                self.admin_site.admin_view(require_POST(self.create_24x7_view)),
                name="sla_calendar_create_24x7",
            ),
            *super().get_urls(),
        ]

    def create_24x7_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            calendar = calendar_24x7(DEFAULT_24X7_NAME)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(reverse("admin:sla_calendar_changelist"))
        self.message_user(
            request,
            _("The 24x7x365 calendar “%(name)s” is ready.") % {"name": calendar.name},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:sla_calendar_change", args=[calendar.pk]))
