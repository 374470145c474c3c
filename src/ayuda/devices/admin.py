"""Devices in the admin: the list (filters, search by serial) and the CSV import
(``devices.imports``)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .imports import devices_import
from .models import Device

MAX_FILE_BYTES = 10 * 1024 * 1024


class DeviceImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: serial, site (its code, or “Organisation / Site name”), model, name, "
            "location, installed (YYYY-MM-DD), counts_entrance, active (yes/no). UTF-8, comma "
            "or semicolon separated. If any row is wrong, nothing is imported."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20}
            )
        return upload


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "serial",
        "name",
        "site",
        "model",
        "location",
        "counts_entrance",
        "is_active",
        "last_heartbeat_at",
        "last_reading_at",
    ]
    list_filter = ["is_active", "counts_entrance", "model", "site__organisation"]
    search_fields = ["serial", "name"]
    list_select_related = ["site__organisation"]
    autocomplete_fields = ["site"]
    readonly_fields = ["last_heartbeat_at", "last_reading_at", "created_at"]
    change_list_template = "admin/devices/device/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        """A serial typed whole finds its device by the unique index, exactly."""
        term = search_term.strip()
        if term and queryset.filter(serial=term).exists():
            return queryset.filter(serial=term), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="devices_device_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = DeviceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = devices_import(data=form.cleaned_data["file"].read())
            if report.ok:
                self.message_user(
                    request,
                    _("Imported: %(created)s devices created, %(updated)s updated.")
                    % {"created": report.created, "updated": report.updated},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:devices_device_changelist"))
            self.message_user(
                request,
                _("Nothing was imported: correct the rows below and send the file again."),
                messages.ERROR,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import devices from CSV"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/devices/device/import.html", context)


from . import admin_rules  # noqa: E402, F401  (scan rules and health incidents)
