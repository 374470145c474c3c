"""Forms of the agent workspace. They parse and shape input; the rules live in the services.

Text fields a service checks (a reply's body, a reason, a solution) are not required here, so
the user reads the service's own message; the browser still gets ``required`` as a hint.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ayuda.accounts.models import Level, User
from ayuda.core.widgets import FastSelect
from ayuda.tickets.attachments import IncomingFile, attachments_count_check
from ayuda.tickets.models import (
    Channel,
    DelayReason,
    EscalationMode,
    Priority,
    StateCategory,
    Ticket,
    TicketType,
)
from ayuda.tickets.selectors import QueueFilters
from ayuda.tickets.services.contacts import CONTACT_CHANNELS

from .lookups import Lookups

EMPTY = [("", "—")]


class ObjectChoiceField(forms.ChoiceField):
    """A select over a list of already-loaded objects; cleans to the object (or None)."""

    widget = FastSelect

    def __init__(self, *, empty_label=None, **kwargs):
        self.empty_label = empty_label
        self._by_id: dict[str, object] = {}
        super().__init__(**kwargs)

    def set_objects(self, objects: Iterable, label: Callable = str) -> None:
        objects = list(objects)
        self._by_id = {str(o.pk): o for o in objects}
        empty = [("", self.empty_label or "—")] if not self.required or self.empty_label else []
        self.choices = empty + [(str(o.pk), label(o)) for o in objects]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self._by_id[str(value)]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        return str(getattr(initial, "pk", initial) or "") != str(data or "")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [f for f in files if f]


def _text(label, *, rows: int = 4, required_hint: bool = True, **kwargs) -> forms.CharField:
    attrs = {"rows": rows}
    if required_hint:
        attrs["required"] = True
    return forms.CharField(
        label=label, required=False, strip=False, widget=forms.Textarea(attrs=attrs), **kwargs
    )


def _line(label, *, required_hint: bool = False, **kwargs) -> forms.CharField:
    attrs = {"required": True} if required_hint else {}
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs=attrs), **kwargs
    )


def team_label(team) -> str:
    return f"{team.name} ({Level(team.level).label})"


def site_label(site) -> str:
    return f"{site.organisation.name} / {site.name}"


def user_label(user: User) -> str:
    return user.display_name()


# Ticket actions -----------------------------------------------------------------------------


class TicketActionForm(forms.Form):
    """Every action form carries the version of the ticket it was shown with (optimistic
    concurrency: a stale form gets the service's conflict message)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    has_files = False

    def __init__(self, *args, ticket: Ticket, lookups: Lookups, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", ticket.version)
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.setup(ticket, lookups)

    def setup(self, ticket: Ticket, lookups: Lookups) -> None:
        """Fill the select boxes; subclasses override."""

    def incoming_files(self) -> list[IncomingFile]:
        """The uploads as the services take them; reads at most one byte over the limit, so a
        huge upload is refused by the service without being read into memory."""
        uploads = self.cleaned_data.get("attachments") or []
        attachments_count_check(len(uploads))  # before reading any of them
        limit = settings.AYUDA_ATTACHMENT_MAX_BYTES + 1
        return [
            IncomingFile(name=upload.name or "attachment", content=upload.read(limit))
            for upload in uploads
        ]


class ReplyForm(TicketActionForm):
    has_files = True
    body = _text(_("Reply to the customer"), rows=6)
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    ask_customer = forms.BooleanField(
        label=_("Ask the customer (wait for their answer)"), required=False
    )


class NoteForm(TicketActionForm):
    has_files = True
    body = _text(_("Internal note"), rows=4)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class AssignForm(TicketActionForm):
    team = ObjectChoiceField(label=_("Team"), required=False, empty_label=_("No team"))
    owner = ObjectChoiceField(label=_("Agent"), required=False, empty_label=_("Nobody"))

    def setup(self, ticket, lookups):
        self.fields["team"].set_objects(lookups.teams, team_label)
        self.fields["owner"].set_objects(lookups.agents, user_label)
        self.initial.setdefault("team", ticket.team_id)
        self.initial.setdefault("owner", ticket.owner_id)


class QualifyForm(TicketActionForm):
    category = ObjectChoiceField(label=_("Category"), required=False, empty_label=_("None"))
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)

    def setup(self, ticket, lookups):
        active = [c for c in lookups.categories if c.is_active or c.pk == ticket.category_id]
        self.fields["category"].set_objects(active, lambda c: c.label)
        self.initial.setdefault("category", ticket.category_id)
        self.initial.setdefault("type", ticket.type)
        self.initial.setdefault("priority", ticket.priority)


class StateForm(TicketActionForm):
    state = ObjectChoiceField(label=_("State"), required=True)

    def setup(self, ticket, lookups):
        # Pending vendor and resolved have their own actions (escalate, resolve).
        own_action = (StateCategory.PENDING_VENDOR, StateCategory.RESOLVED)
        states = [
            s for s in lookups.states if s.category not in own_action or s.pk == ticket.state_id
        ]
        self.fields["state"].set_objects(states, lambda s: s.display_name)
        self.initial.setdefault("state", ticket.state_id)


class EscalateForm(TicketActionForm):
    team = ObjectChoiceField(label=_("Level 2 team"), required=True)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=EscalationMode.choices,
        initial=EscalationMode.TRANSFER,
        widget=forms.RadioSelect,
    )
    reason = _text(_("Reason"), rows=3)

    def setup(self, ticket, lookups):
        self.fields["team"].set_objects([t for t in lookups.teams if t.level == Level.L2])


class VendorEscalateForm(TicketActionForm):
    vendor = ObjectChoiceField(label=_("Vendor"), required=True)
    reason = _text(_("Reason"), rows=3)
    reference = _line(_("Vendor reference (if you already have one)"), max_length=100)

    def setup(self, ticket, lookups):
        self.fields["vendor"].set_objects(lookups.vendors)


class VendorReferenceForm(TicketActionForm):
    reference = _line(_("Vendor reference"), max_length=100)

    def setup(self, ticket, lookups):
        self.initial.setdefault("reference", ticket.vendor_reference)


class DelayReasonForm(TicketActionForm):
    """Why the ticket waits through no fault of the desk (R28); "none" clears it. The clock
    stops while one is set."""

    reason = forms.ChoiceField(
        label=_("Delay reason"),
        required=False,
        choices=[("", _("None: the desk is working on it")), *DelayReason.choices],
    )

    def setup(self, ticket, lookups):
        self.initial.setdefault("reason", ticket.delay_reason)


class HandBackForm(TicketActionForm):
    answer = _text(_("Answer"), rows=4)


class ForwardForm(TicketActionForm):
    team = ObjectChoiceField(label=_("Team"), required=True)
    reason = _text(_("Reason"), rows=3)

    def setup(self, ticket, lookups):
        teams = [t for t in lookups.teams if t.level in (Level.L1, Level.L2)]
        self.fields["team"].set_objects(teams, team_label)


class ResolveForm(TicketActionForm):
    solution = _text(_("Solution (sent to the customer)"), rows=5)

    def setup(self, ticket: Ticket, lookups: Lookups) -> None:
        # A category may let a ticket resolve without a solution (Category.solution_required).
        if ticket.category_id and not ticket.category.solution_required:
            self.fields["solution"].widget.attrs.pop("required", None)
            self.fields["solution"].label = _("Solution (optional, sent to the customer)")


class CloseForm(TicketActionForm):
    pass


class ReopenForm(TicketActionForm):
    reason = _line(_("Reason"))


# Queue ------------------------------------------------------------------------------------------

ORDER_CHOICES = [
    ("oldest", _("Oldest first")),
    ("newest", _("Newest first")),
    # Only the tickets with a due time (the view says so): paused or without a service level,
    # a ticket has none.
    ("due", _("Due soonest")),
]
# The filters a query string may carry, in the order they appear in links.
QUEUE_PARAMS = (
    "earlier",
    "status",
    "level",
    "team",
    "owner",
    "category",
    "organisation",
    "site",
    "device",
    "channel",
    "type",
    "overdue",
    "breached",
    "since",
    "until",
    "figure",
    "q",
    "order",
)


class QueueFilterForm(forms.Form):
    """The queue's filters, from GET parameters. A value it doesn't know is ignored. A vendor
    agent chooses between the tickets with it now and those it handed back, and has no owner
    filter (it would list the help desk's agents); its other choices come from its tickets
    (``Lookups``)."""

    earlier = forms.ChoiceField(
        widget=FastSelect,
        label=_("Tickets"),
        required=False,
        choices=[("", _("Escalated to us")), ("1", _("Handed back (read-only)"))],
    )
    status = forms.ChoiceField(widget=FastSelect, label=_("Status"), required=False)
    level = forms.ChoiceField(
        widget=FastSelect, label=_("Level"), required=False, choices=EMPTY + Level.choices
    )
    team = ObjectChoiceField(label=_("Team"), required=False, empty_label=_("Any team"))
    owner = forms.ChoiceField(widget=FastSelect, label=_("Owner"), required=False)
    category = ObjectChoiceField(label=_("Category"), required=False, empty_label=_("Any"))
    organisation = ObjectChoiceField(label=_("Organisation"), required=False, empty_label=_("Any"))
    site = ObjectChoiceField(label=_("Site"), required=False, empty_label=_("Any"))
    # A device's serial (or id): typed, not chosen, as there may be thousands (R16).
    device = forms.CharField(label=_("Device"), required=False, max_length=100)
    channel = forms.ChoiceField(
        widget=FastSelect, label=_("Channel"), required=False, choices=EMPTY + Channel.choices
    )
    type = forms.ChoiceField(
        widget=FastSelect, label=_("Type"), required=False, choices=EMPTY + TicketType.choices
    )
    overdue = forms.ChoiceField(
        widget=FastSelect,
        label=_("Actions"),
        required=False,
        choices=[("", _("Any")), ("1", _("Overdue actions"))],
    )
    breached = forms.ChoiceField(
        widget=FastSelect,
        label=_("Service level"),
        required=False,
        choices=[("", _("Any")), ("1", _("Breached"))],
    )
    # A report's date range (days in the user's time zone) and the figure a link came from
    # (reports/queue.py): the tickets behind a number on a report page.
    since = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    figure = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    order = forms.ChoiceField(
        widget=FastSelect, label=_("Order"), required=False, choices=ORDER_CHOICES
    )

    def __init__(self, data=None, *, lookups: Lookups, **kwargs):
        super().__init__(data, auto_id="id_filter_%s", **kwargs)
        self.fields["status"].choices = [
            ("active", _("Active")),
            ("all", _("All")),
            (_("State category"), list(StateCategory.choices)),
            (_("State"), [(str(s.pk), s.display_name) for s in lookups.states]),
        ]
        if lookups.is_vendor:
            del self.fields["owner"]
            del self.fields["overdue"]
            # Our service levels are the help desk's (a vendor sees its own clock only).
            del self.fields["breached"]
            self.fields["order"].choices = ORDER_CHOICES[:2]
        else:
            del self.fields["earlier"]
            self.fields["owner"].choices = [
                ("", _("Anybody")),
                ("me", _("Me")),
                ("none", _("Nobody")),
                (_("Agent"), [(str(u.pk), user_label(u)) for u in lookups.agents]),
            ]
        self.fields["team"].set_objects(lookups.teams, team_label)
        self.fields["category"].set_objects(lookups.categories, lambda c: c.label)
        self.fields["organisation"].set_objects(lookups.organisations)
        self.fields["site"].set_objects(
            lookups.sites, lambda s: f"{s.organisation.name} / {s.name}"
        )

    def values(self) -> dict[str, str]:
        """The valid, non-default filters as strings, in QUEUE_PARAMS order."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {}
        for name in QUEUE_PARAMS:
            if name in self.errors:
                continue
            value = data.get(name)
            value = str(getattr(value, "pk", value) or "").strip()
            if value and (name, value) not in (("status", "active"), ("order", "oldest")):
                values[name] = value
        return values

    def filters(self) -> QueueFilters:
        values = self.values()
        as_int = ("team", "category", "organisation", "site")
        kwargs = {k: int(v) if k in as_int else v for k, v in values.items()}
        kwargs["earlier"] = kwargs.get("earlier") == "1"
        kwargs["breached"] = kwargs.get("breached") == "1"
        kwargs.pop("overdue", None)  # not a ticket column: the view adds it (overdue_only)
        kwargs.pop("figure", None)  # the view asks the reports for it (figure())
        for name, key in (("since", "created_since"), ("until", "created_until")):
            if name in kwargs:
                day = date.fromisoformat(kwargs.pop(name)) + timedelta(days=name == "until")
                kwargs[key] = timezone.make_aware(
                    datetime.combine(day, time.min), timezone.get_current_timezone()
                )
        return QueueFilters(**kwargs)

    def figure_name(self) -> str:
        return self.values().get("figure", "")

    def overdue_only(self) -> bool:
        return self.values().get("overdue") == "1"

    def query(self) -> str:
        return urlencode(self.values())


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


# Contacts ---------------------------------------------------------------------------------------


class ContactForm(forms.Form):
    """A phone call or walk-in logged for a customer (services.contact_log)."""

    requester = forms.ChoiceField(label=_("Customer"))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in CONTACT_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    subject = _line(_("Subject"), required_hint=True, max_length=255)
    description = _text(_("What the customer said"), rows=5)
    type = forms.ChoiceField(
        label=_("Type"), choices=TicketType.choices, initial=TicketType.SERVICE_REQUEST
    )
    category = ObjectChoiceField(label=_("Category"), required=False, empty_label=_("None"))
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    site = ObjectChoiceField(label=_("Site"), required=False, empty_label=_("None"))
    resolve_now = forms.BooleanField(
        label=_("Resolve now (the question was answered during the contact)"), required=False
    )
    solution = _text(_("Answer given"), rows=3, required_hint=False)

    def __init__(self, data=None, *, customers: list[User], lookups: Lookups, **kwargs):
        super().__init__(data, **kwargs)
        self.customers = {str(u.pk): u for u in customers}
        self.fields["requester"].choices = [("", "—")] + [
            (str(u.pk), customer_label(u)) for u in customers
        ]
        self.fields["category"].set_objects(
            [c for c in lookups.categories if c.is_active], lambda c: c.label
        )
        self.fields["site"].set_objects(
            lookups.sites, lambda s: f"{s.organisation.name} / {s.name}"
        )

    def clean_requester(self) -> User:
        return self.customers[self.cleaned_data["requester"]]


def customer_label(user: User) -> str:
    parts = [user.display_name()]
    if user.email and user.email != parts[0]:
        parts.append(f"<{user.email}>")
    if user.organisation_id:
        parts.append(f"· {user.organisation.name}")
    return " ".join(parts)


# Service levels ---------------------------------------------------------------------------------


class ComplianceForm(forms.Form):
    """The compliance summary's filters (R22): targets due between two days of the user's
    time zone, of a policy, a team, a vendor."""

    since = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    policy = ObjectChoiceField(label=_("Policy"), required=False, empty_label=_("Any"))
    team = ObjectChoiceField(label=_("Team"), required=False, empty_label=_("Any team"))
    vendor = ObjectChoiceField(label=_("Vendor"), required=False, empty_label=_("Any"))

    def __init__(self, data=None, *, policies, lookups: Lookups, **kwargs):
        super().__init__(data, auto_id="id_sla_%s", **kwargs)
        self.fields["policy"].set_objects(policies)
        self.fields["team"].set_objects(lookups.teams, team_label)
        self.fields["vendor"].set_objects(lookups.vendors)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first day must not be after the last."))
        return data

    def values(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        values = {}
        for name in ("since", "until", "policy", "team", "vendor"):
            value = data.get(name)
            if value:
                values[name] = str(getattr(value, "pk", value))
        return values
