"""The portal list's filters. Everyone filters by state (the tabs) and searches; a site admin
also filters by site, category and requester, each offering only what is theirs: the sites
they look after, the categories in use, the people who raised tickets at those sites. A value
not offered is refused with a message naming the filter, and that filter is left out. A site
admin's device filter is a typed serial, searched among the tickets they may see."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ayuda.accounts.models import Role, User
from ayuda.tickets import selectors

from .forms import categories_active, sites_for

STATUSES = (
    ("all", gettext_lazy("All")),
    ("active", gettext_lazy("Active")),
    ("resolved", gettext_lazy("Resolved")),
    ("closed", gettext_lazy("Closed")),
)
SEARCH_MAX = 200


def _choice(label, message) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": message},
    )


class TicketListFilterForm(forms.Form):
    """A requester's list: the state tabs and the search."""

    status = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=STATUSES,
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the states offered.")},
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, strip=True)

    def __init__(self, data, *, user: User):
        super().__init__(data)
        self.user = user

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:SEARCH_MAX]

    def value(self, name: str):
        """The cleaned value, or empty when it was refused."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def queue_filters(self) -> selectors.QueueFilters:
        return selectors.QueueFilters(
            status=self.value("status") or "all", order="newest", q=self.value("q") or ""
        )

    def refusals(self) -> list[tuple[str, str]]:
        """(field name, message) for each value refused."""
        return [(name, message) for name, errors in self.errors.items() for message in errors]

    @property
    def narrowed(self) -> bool:
        """Whether anything but the whole list was asked for."""
        return self.queue_filters() != selectors.QueueFilters(status="all", order="newest")

    def title(self) -> str:
        return _("My tickets")


class SiteTicketListFilterForm(TicketListFilterForm):
    """A site admin's list: every ticket of their sites, so also by site, category and
    requester. Three small queries for the choices, whatever the number of tickets."""

    site = _choice(gettext_lazy("Site"), gettext_lazy("Choose one of your sites."))
    category = _choice(gettext_lazy("Category"), gettext_lazy("Choose a category in use."))
    requester = _choice(
        gettext_lazy("Requester"),
        gettext_lazy("Choose someone who raised a ticket at your sites."),
    )
    # A device's serial (R16): typed, as a site admin may have thousands; only tickets they
    # may see are searched, so another site's serial simply matches nothing.
    device = forms.CharField(
        label=gettext_lazy("Device"), required=False, strip=True, max_length=100
    )

    def __init__(self, data, *, user: User):
        super().__init__(data, user=user)
        self.sites = list(sites_for(user))
        self.fields["site"].choices = [("", _("All sites"))] + [
            (s.pk, f"{s.name} ({s.code})" if s.code else s.name) for s in self.sites
        ]
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.pk, label) for c, label in categories_active()
        ]
        self.fields["requester"].choices = [("", _("Everyone"))] + [
            (p.pk, p.display_name()) for p in selectors.site_requesters(user=user)
        ]

    def queue_filters(self) -> selectors.QueueFilters:
        base = super().queue_filters()
        return selectors.QueueFilters(
            status=base.status,
            order=base.order,
            q=base.q,
            site=self.value("site"),
            category=self.value("category"),
            requester=self.value("requester"),
            device=self.value("device") or "",
        )

    def title(self) -> str:
        if not self.sites:
            return super().title()  # only their own tickets
        if len(self.sites) == 1:
            return _("Tickets of %(site)s") % {"site": self.sites[0].name}
        return _("Tickets of your sites")


def list_filter_form(data, *, user: User) -> TicketListFilterForm:
    form_class = SiteTicketListFilterForm if user.role == Role.SITE_ADMIN else TicketListFilterForm
    form = form_class(data, user=user)
    form.is_valid()
    return form
