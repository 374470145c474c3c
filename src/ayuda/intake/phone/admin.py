"""Phone systems in the admin: the sources (with their column mapping) and the "Import a file"
page, the imports with their refused lines, and the calls (read-only: nobody edits a call)."""

from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.core.admin import LargeTableAdmin
from ayuda.intake.reasons import reason_text

from .models import Call, CallHour, CallImport, CallSource, SourceKind
from .parsers import BINARY_SNIFF, caller_key, mapping_problems
from .services import calls_import

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

MAPPING_HELP = gettext_lazy(
    "Only for the CSV format. A JSON object: "
    '{"columns": {role: column name in the header row}, "date_format", "delimiter", '
    '"encoding", "outcome_values"}. Roles: id, arrived_at, queue, caller, agent, waited, '
    "talk, outcome, answered_at, ended_at; arrived_at, outcome and waited (or answered_at) are "
    "needed. date_format is a strftime pattern (e.g. %d/%m/%Y %H:%M:%S; ISO dates when left "
    "out); delimiter one character (default ,); encoding e.g. cp1252 (default UTF-8); "
    "outcome_values maps the file's values to answered, abandoned or timeout, e.g. "
    '{"Atendida": "answered", "Abandonada": "abandoned"}. Waits and talk times in '
    'seconds or mm:ss. Example: {"columns": {"id": "Id", "arrived_at": "Fecha", '
    '"queue": "Cola", "caller": "Llamante", "agent": "Agente", "waited": '
    '"Espera", "talk": "Conversación", "outcome": "Resultado"}, "date_format": '
    '"%d/%m/%Y %H:%M:%S", "delimiter": ";", "encoding": "cp1252", '
    '"outcome_values": {"Atendida": "answered", "Abandonada": "abandoned", '
    '"Sin respuesta": "timeout"}}'
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "AYUDA_CALL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


class CallSourceForm(forms.ModelForm):
    class Meta:
        model = CallSource
        fields = ("name", "kind", "timezone", "mapping")
        help_texts = {"mapping": MAPPING_HELP}

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if zone not in available_timezones():
            raise forms.ValidationError(
                _("“%(zone)s” is not a time zone (write e.g. Europe/Madrid).") % {"zone": zone}
            )
        return zone

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == SourceKind.CSV:
            for problem in mapping_problems(cleaned.get("mapping")):
                self.add_error("mapping", reason_text(problem))
        return cleaned


class CallFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("The phone system's export: Master.csv, queue_log or a CSV."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file has %(size)s; the limit here is %(limit)s. Import it with "
                  "manage.py import_calls FILE --source NAME.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )  # fmt: skip
        head = upload.read(BINARY_SNIFF)
        upload.seek(0)
        if b"\x00" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
            raise forms.ValidationError(
                _("This is not a text file (a spreadsheet or another binary file?). Export the "
                  "records as text: CSV or the phone system's log file.")
            )  # fmt: skip
        return upload


@admin.register(CallSource)
class CallSourceAdmin(admin.ModelAdmin):
    form = CallSourceForm
    list_display = ("name", "kind", "timezone", "last_import")
    search_fields = ("name",)

    @admin.display(description=gettext_lazy("last import"))
    def last_import(self, obj: CallSource) -> str:
        record = obj.imports.order_by("-started_at").first()
        if record is None:
            return "—"
        url = reverse("admin:intake_callimport_change", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, f"{record.started_at:%Y-%m-%d %H:%M}")

    def get_urls(self):
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name="intake_callsource_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk):
        source = get_object_or_404(CallSource, pk=pk)
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        form = CallFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            record = calls_import(
                source=source, data=upload.read(), filename=upload.name, user=request.user
            )
            if record.failure:
                self.message_user(
                    request,
                    _("The file was refused, nothing was imported: %(reason)s")
                    % {"reason": reason_text(record.failure)},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("Imported: %(added)d calls added, %(duplicates)d already there, "
                      "%(refused)d lines refused, %(linked)d calls linked to tickets.")
                    % {"added": record.added, "duplicates": record.duplicates,
                       "refused": record.refused, "linked": record.linked},
                    messages.WARNING if record.refused else messages.SUCCESS,
                )  # fmt: skip
            return redirect("admin:intake_callimport_change", record.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a file"),
            "source": source,
            "form": form,
            "max_size": max_upload_bytes(),
        }
        return TemplateResponse(request, "admin/intake/callsource/import.html", context)


@admin.register(CallImport)
class CallImportAdmin(admin.ModelAdmin):
    list_display = ("started_at", "source", "filename", "lines", "added", "duplicates",
                    "refused", "linked", "refused_as_whole")  # fmt: skip
    list_filter = ("source",)
    list_select_related = ("source",)
    fields = ("source", "filename", "user", "started_at", "finished_at", "lines", "added",
              "duplicates", "refused", "linked", "failure_shown", "sha256",
              "refused_lines")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("refused as a whole"), boolean=True)
    def refused_as_whole(self, obj: CallImport) -> bool:
        return bool(obj.failure)

    @admin.display(description=gettext_lazy("refused because"))
    def failure_shown(self, obj: CallImport) -> str:
        return reason_text(obj.failure) if obj.failure else "—"

    @admin.display(description=gettext_lazy("refused lines"))
    def refused_lines(self, obj: CallImport) -> str:
        if not obj.errors:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            (
                (
                    error.get("line", ""),
                    reason_text(str(error.get("reason", ""))),
                    error.get("text", ""),
                )
                for error in obj.errors
            ),
        )
        more = ""
        if obj.refused + obj.duplicates > len(obj.errors):
            more = format_html(
                "<p>{}</p>",
                _("The first %(shown)d are listed.") % {"shown": len(obj.errors)},
            )
        return format_html(
            '<table class="call-import-errors"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody>'
            "</table>{}",
            _("Line"), _("Reason"), _("Text"), rows, more,
        )  # fmt: skip


class QueueFilter(admin.SimpleListFilter):
    """The queues from the hourly roll-up: a distinct over every call would read them all."""

    title = gettext_lazy("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        queues = CallHour.objects.order_by("queue").values_list("queue", flat=True).distinct()
        return [(q, q or "—") for q in queues]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(queue=value)


@admin.register(Call)
class CallAdmin(LargeTableAdmin):
    list_display = ("arrived_at", "source", "queue", "caller", "agent", "outcome",
                    "waited_seconds", "talk_seconds", "ticket_link")  # fmt: skip
    list_filter = ("source", "outcome", QueueFilter)
    list_select_related = ("source",)
    date_hierarchy = "arrived_at"
    search_fields = ("caller",)
    search_help_text = gettext_lazy("A phone number in any form: its last nine digits are matched.")
    fields = ("source", "key", "imported", "arrived_at", "queue", "caller", "caller_key",
              "agent", "outcome", "waited_seconds", "talk_seconds", "ticket_link")  # fmt: skip
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        key = caller_key(search_term)
        if not key:
            return queryset.none() if search_term.strip() else queryset, False
        return queryset.filter(caller_key=key), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("ticket"))
    def ticket_link(self, obj: Call) -> str:
        if obj.ticket_id is None:
            return "—"
        return format_html("#{}", obj.ticket_id)
