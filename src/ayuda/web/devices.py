"""The devices pages' shared parts (R32, R34): the health list's filters, and the context both
the workspace and the portal render with one pair of templates (``web/devices.html``,
``web/device.html``), each inside its own base template."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.accounts.models import Role
from ayuda.core.widgets import FastSelect
from ayuda.devices.selectors import SEARCH_MAX, DeviceFilters, ticket_device_panel

STATUS_CHOICES = (
    ("", gettext_lazy("Active devices")),
    ("ok", gettext_lazy("OK")),
    ("silent", gettext_lazy("Silent")),
    ("incidents", gettext_lazy("With open incidents")),
    ("retired", gettext_lazy("Retired")),
)


def _choice(label, message) -> forms.TypedChoiceField:
    # FastSelect: the workspace offers every site (10,000 options cost 300 ms with Django's
    # Select widget, a few ms with this one; docs/performance.md).
    return forms.TypedChoiceField(
        widget=FastSelect,
        label=label,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": message},
    )


class DeviceFilterForm(forms.Form):
    """Filters of the health list. Sites (and, in the workspace, organisations) offered are
    those the user may see; a value not offered is refused with a message naming it, and that
    filter is left out."""

    organisation = _choice(
        gettext_lazy("Organisation"), gettext_lazy("Choose one of the organisations offered.")
    )
    site = _choice(gettext_lazy("Site"), gettext_lazy("Choose one of the sites offered."))
    status = forms.ChoiceField(
        widget=FastSelect,
        label=gettext_lazy("Status"),
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the statuses offered.")},
    )
    q = forms.CharField(
        label=gettext_lazy("Serial or name"), required=False, strip=True, max_length=SEARCH_MAX
    )

    def __init__(self, data, *, sites, organisations=None, site_label=None):
        super().__init__(data, auto_id="id_device_%s")
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [("", _("Any"))] + [
                (o.pk, o.name) for o in organisations
            ]
        label = site_label or (lambda s: f"{s.name} ({s.code})" if s.code else s.name)
        self.fields["site"].choices = [("", _("All sites"))] + [(s.pk, label(s)) for s in sites]
        self.is_valid()

    def value(self, name: str):
        if name in self.errors or name not in self.fields:
            return None
        return self.cleaned_data.get(name)

    def filters(self) -> DeviceFilters:
        return DeviceFilters(
            organisation=self.value("organisation"),
            site=self.value("site"),
            status=self.value("status") or "",
            q=self.value("q") or "",
        )

    def refusals(self) -> list[tuple[str, str]]:
        return [(name, message) for name, errors in self.errors.items() for message in errors]

    @property
    def narrowed(self) -> bool:
        return self.filters() != DeviceFilters()


def device_panel_context(user, ticket, *, portal: bool) -> dict:
    """The ticket page's device and health incident panel (``web/_ticket_device_panel.html``).
    In the portal only site admins see it (a requester's ticket shows no device)."""
    if portal and user.role != Role.SITE_ADMIN:
        return {"device_panel": None}
    prefix = "portal" if portal else "agent"
    return {
        "device_panel": ticket_device_panel(user=user, ticket=ticket),
        "device_url": reverse(f"{prefix}:devices"),
        "ticket_url": reverse(f"{prefix}:ticket", args=[0]).removesuffix("0/"),
    }
