"""Factories for tickets. ``ticket_make`` goes through the real service, like users do."""

from dataclasses import dataclass

from ayuda.accounts.models import Level, Organisation, Role, Site, Team, User, Vendor
from ayuda.accounts.tests.factories import (
    organisation_make,
    site_make,
    team_make,
    user_make,
    vendor_make,
)
from ayuda.tickets import services
from ayuda.tickets.models import (
    Article,
    Attachment,
    Category,
    Channel,
    StateCategory,
    Ticket,
    TicketEvent,
    TicketState,
)


def category_make(**kwargs) -> Category:
    kwargs.setdefault("name", "Hardware")
    return Category.objects.get_or_create(
        name=kwargs.pop("name"), parent=kwargs.pop("parent", None), defaults=kwargs
    )[0]


def ticket_make(*, requester=None, actor=None, **kwargs) -> Ticket:
    requester = requester or user_make(role=Role.REQUESTER)
    kwargs.setdefault("subject", "Printer on fire")
    kwargs.setdefault("description", "It smells of smoke.")
    kwargs.setdefault("channel", Channel.PORTAL)
    return services.ticket_create(requester=requester, actor=actor or requester, **kwargs)


def state_get(category: str) -> TicketState:
    """The default state of a category (the migration creates one per category)."""
    return TicketState.objects.get(category=category, is_default=True)


@dataclass
class Desk:
    """A small help desk: one customer organisation with a site, level 1 and 2 teams with an
    agent each, a manager, an administrator, a vendor with its agent, and a second
    organisation with its own requester and site."""

    organisation: Organisation
    site: Site
    requester: User
    site_admin: User
    l1_team: Team
    l2_team: Team
    agent_l1: User
    agent_l2: User
    manager: User
    admin: User
    vendor: Vendor
    vendor_agent: User
    other_organisation: Organisation
    other_site: Site
    other_requester: User
    other_site_admin: User

    def user(self, role: str, *, other: bool = False) -> User:
        """The user with ``role``; ``other`` picks the other organisation's customer."""
        if other and role == Role.REQUESTER:
            return self.other_requester
        if other and role == Role.SITE_ADMIN:
            return self.other_site_admin
        return getattr(self, str(role))


def desk_make() -> Desk:
    organisation = organisation_make()
    site = site_make(organisation=organisation)
    other_organisation = organisation_make()
    other_site = site_make(organisation=other_organisation)
    l1_team = team_make(level=Level.L1)
    l2_team = team_make(level=Level.L2)
    vendor = vendor_make()
    return Desk(
        organisation=organisation,
        site=site,
        requester=user_make(role=Role.REQUESTER, organisation=organisation),
        site_admin=user_make(role=Role.SITE_ADMIN, organisation=organisation, sites=[site]),
        l1_team=l1_team,
        l2_team=l2_team,
        agent_l1=user_make(role=Role.AGENT_L1, teams=[l1_team]),
        agent_l2=user_make(role=Role.AGENT_L2, teams=[l2_team]),
        manager=user_make(role=Role.MANAGER, teams=[l1_team, l2_team]),
        admin=user_make(role=Role.ADMIN),
        vendor=vendor,
        vendor_agent=user_make(role=Role.VENDOR_AGENT, vendor=vendor),
        other_organisation=other_organisation,
        other_site=other_site,
        other_requester=user_make(role=Role.REQUESTER, organisation=other_organisation),
        other_site_admin=user_make(
            role=Role.SITE_ADMIN, organisation=other_organisation, sites=[other_site]
        ),
    )


def ticket_in(state: str, /, *, desk: Desk, **kwargs) -> Ticket:
    """A level 1 ticket of ``desk.requester``, brought into the state category ``state``
    through the services, as a help desk would."""
    kwargs.setdefault("site", desk.site)
    kwargs.setdefault("team", desk.l1_team)
    ticket = ticket_make(requester=desk.requester, **kwargs)
    agent = desk.agent_l1
    if state == StateCategory.OPEN:
        services.article_add_reply(ticket=ticket, actor=agent, body="Looking into it.")
    elif state == StateCategory.PENDING_CUSTOMER:
        services.article_add_reply(
            ticket=ticket, actor=agent, body="Which printer?", ask_customer=True
        )
    elif state == StateCategory.PENDING_VENDOR:
        services.ticket_escalate_to_vendor(
            ticket=ticket, actor=agent, vendor=desk.vendor, reason="Firmware bug"
        )
    elif state in (StateCategory.RESOLVED, StateCategory.CLOSED):
        services.ticket_resolve(ticket=ticket, actor=agent, solution="Replaced the fuser.")
        if state == StateCategory.CLOSED:
            services.ticket_close(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert ticket.state_category == state
    return ticket


@dataclass(frozen=True)
class Footprint:
    """What a refused call must leave untouched."""

    version: int
    events: int
    articles: int
    attachments: int
    fields: dict


FOOTPRINT_FIELDS = (
    "state_id",
    "state_category",
    "level",
    "team_id",
    "owner_id",
    "referral_team_id",
    "vendor_id",
    "vendor_reference",
    "category_id",
    "type",
    "priority",
    "solution",
    "resolved_at",
    "closed_at",
    "first_response_at",
    "updated_at",
)


def footprint(ticket: Ticket) -> Footprint:
    row = Ticket.objects.filter(pk=ticket.pk).values("version", *FOOTPRINT_FIELDS).get()
    return Footprint(
        version=row.pop("version"),
        events=TicketEvent.objects.filter(ticket_id=ticket.pk).count(),
        articles=Article.objects.filter(ticket_id=ticket.pk).count(),
        attachments=Attachment.objects.filter(ticket_id=ticket.pk).count(),
        fields=row,
    )


def events_after(ticket: Ticket, seq: int) -> list[tuple[str, str, str, str]]:
    """(action, field, old, new) of the ticket's events after ``seq``, in order."""
    return list(
        TicketEvent.objects.filter(ticket_id=ticket.pk, seq__gt=seq)
        .order_by("seq")
        .values_list("action", "field", "old_value", "new_value")
    )


def last_seq(ticket: Ticket) -> int:
    return TicketEvent.objects.filter(ticket_id=ticket.pk).count()


def ticket_owned_l1(desk: Desk, category: str = StateCategory.OPEN) -> Ticket:
    """A ticket of ``desk`` in ``category``, assigned to its level 1 team and agent."""
    ticket = ticket_in(category, desk=desk)
    services.ticket_assign(
        ticket=ticket, actor=desk.agent_l1, team=desk.l1_team, owner=desk.agent_l1
    )
    ticket.refresh_from_db()
    return ticket


def states_ensure() -> None:
    """A transactional test that ran before emptied every table, the ticket states the
    migrations made among them: put them back (as migration tickets.0002 does)."""
    from importlib import import_module

    from django.apps import apps

    from ayuda.core.cache import lookups_changed

    import_module("ayuda.tickets.migrations.0002_default_states").create_states(apps, None)
    lookups_changed()
