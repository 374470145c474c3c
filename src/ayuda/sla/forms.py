"""The policy form of the admin: checks the targets, warnings and actions (R22)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ayuda.tickets.models import Channel, Priority, TicketType

from .models import Side, SlaAction, SlaPolicy

TARGET_FIELDS = ("first_response_minutes", "next_update_minutes", "resolution_minutes")


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name", "position", "is_active", "side", "organisation", "site", "priority",
            "category", "ticket_type", "channel", "vendor", "calendar", "first_response_minutes",
            "next_update_minutes", "resolution_minutes", "warn_percent", "warn_minutes_before",
            "on_warning", "on_breach", "pause_while_vendor", "courtesy_updates",
        ]  # fmt: skip

    def clean(self):
        data = super().clean()
        errors: dict[str, list[str]] = {}
        targets = [data.get(name) for name in TARGET_FIELDS]
        for name, value in zip(TARGET_FIELDS, targets, strict=True):
            if value is not None and value <= 0:
                errors.setdefault(name, []).append(_("A target must be at least one minute."))
        if all(value is None for value in targets):
            errors.setdefault("__all__", []).append(_("Set at least one target."))
        percent = data.get("warn_percent")
        if percent is not None and not 1 <= percent <= 99:
            errors.setdefault("warn_percent", []).append(
                _("The warning share must be between 1 and 99 %.")
            )
        before = data.get("warn_minutes_before")
        if before is not None and before <= 0:
            errors.setdefault("warn_minutes_before", []).append(
                _("Warn at least one minute before the target.")
            )
        for name in ("on_warning", "on_breach"):
            value = data.get(name)
            if value in (None, ""):
                data[name] = []
                continue
            if not isinstance(value, list) or any(v not in SlaAction.values for v in value):
                errors.setdefault(name, []).append(
                    _("Use a list of these actions: %(actions)s.")
                    % {"actions": ", ".join(SlaAction.values)}
                )
        if data.get("side") == Side.VENDOR and data.get("vendor") is None:
            errors.setdefault("vendor", []).append(_("A vendor's policy needs its vendor."))
        if data.get("priority") is not None and data["priority"] not in Priority.values:
            errors.setdefault("priority", []).append(_("Unknown priority."))
        if data.get("ticket_type") and data["ticket_type"] not in TicketType.values:
            errors.setdefault("ticket_type", []).append(_("Unknown ticket type."))
        if data.get("channel") and data["channel"] not in Channel.values:
            errors.setdefault("channel", []).append(_("Unknown channel."))
        if errors:
            raise ValidationError(errors)
        return data
