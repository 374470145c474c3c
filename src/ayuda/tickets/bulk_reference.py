"""The bulk load's reference data (``manage.py bulk_load``): its own organisations, sites,
teams, agents, requesters and categories, and the weights its tickets are drawn by."""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError

from ayuda.accounts.models import Level, Organisation, Role, Site, Team, User, Vendor
from ayuda.tickets.models import Category, Channel, StateCategory, TicketState, TicketType

PREFIX = "Bulk"
ORGANISATIONS = 10
SITES_PER_ORGANISATION = 8
REQUESTERS_PER_ORGANISATION = 60
AGENTS_PER_TEAM = 5
L1_TEAMS = ("Bulk Service Desk North", "Bulk Service Desk South", "Bulk Service Desk Remote")
L2_TEAMS = ("Bulk Applications", "Bulk Infrastructure")
CATEGORY_TREE = {
    "Bulk Hardware": ["People counter", "POS terminal", "Printer", "Scanner"],
    "Bulk Software": ["Point of sale app", "Back office web", "Mobile app", "Reports"],
    "Bulk Network": ["Wi-Fi", "VPN", "Router", "Firewall"],
    "Bulk Accounts": ["Password reset", "New user", "Permissions"],
}

ACTIVE_SHARE_OLDEST, ACTIVE_SHARE_NEWEST = 0.17, 0.57  # average 0.37, as in FACTS.md
ACTIVE_SPLIT = {
    StateCategory.NEW: 25,
    StateCategory.OPEN: 45,
    StateCategory.PENDING_CUSTOMER: 15,
    StateCategory.PENDING_VENDOR: 15,
}
DONE_SPLIT = {StateCategory.RESOLVED: 20, StateCategory.CLOSED: 80}
CHANNELS = {
    Channel.PORTAL: 40,
    Channel.EMAIL: 30,
    Channel.PHONE: 14,
    Channel.WALK_IN: 3,
    Channel.CHAT: 6,
    Channel.API: 3,
    Channel.MONITORING: 4,
}
TYPES = {
    TicketType.INCIDENT: 60,
    TicketType.SERVICE_REQUEST: 28,
    TicketType.IMPROVEMENT: 8,
    TicketType.PROBLEM: 4,
}
PRIORITIES = {1: 15, 2: 55, 3: 22, 4: 8}
SUBJECTS = [
    "People counter not sending data",
    "Printer prints blank receipts",
    "POS terminal freezes at payment",
    "Cannot log in to the back office",
    "Wi-Fi very slow in the store",
    "Sales report export fails",
    "New user account for a new employee",
    "VPN disconnects after a minute",
    "Scanner does not read barcodes",
    "Mobile app crashes on start",
    "Password expired",
    "Router keeps rebooting",
    "Request: filter the report by week",
    "Firewall blocks the payment provider",
    "Permissions missing for the stock screen",
    "Il contapersone non invia i dati",
    "La impresora no imprime",
    "El TPV se bloquea al cobrar",
    "Errore nel gestionale web",
    "No puedo entrar en el back office",
]
DESCRIPTION = (
    "Reported at {site}. Since this morning the problem happens every time; "
    "the staff restarted the device once without success. Ticket {n} of the bulk load."
)


def weighted(rng: random.Random, table: dict, k: int) -> list:
    """``k`` keys of ``table`` drawn by weight, as plain values (not enum members)."""
    keys = [getattr(key, "value", key) for key in table]
    return rng.choices(keys, weights=list(table.values()), k=k)


@dataclass
class Reference:
    states: dict[str, TicketState]
    requesters: list[tuple[int, int, list[int]]]  # (user id, organisation id, site ids)
    teams: dict[str, list[tuple[int, list[int]]]]  # level -> [(team id, member ids)]
    vendor_id: int
    categories: list[int]


def reference_data() -> Reference:
    """The bulk load's own organisations, teams, agents, requesters and categories."""
    password = make_password(None)  # unusable: these accounts are not for logging in
    organisations = []
    for i in range(1, ORGANISATIONS + 1):
        org, _ = Organisation.objects.get_or_create(
            name=f"{PREFIX} Org {i:02d}", defaults={"email_domains": f"bulk{i:02d}.example"}
        )
        organisations.append(org)
        Site.objects.bulk_create(
            [
                Site(organisation=org, name=f"Store {j:02d}", code=f"B{i:02d}-{j:02d}")
                for j in range(1, SITES_PER_ORGANISATION + 1)
            ],
            ignore_conflicts=True,
        )
        User.objects.bulk_create(
            [
                User(
                    username=f"bulk.req.{i:02d}.{j:03d}",
                    email=f"req{j:03d}@bulk{i:02d}.example",
                    role=Role.REQUESTER,
                    organisation=org,
                    password=password,
                )
                for j in range(1, REQUESTERS_PER_ORGANISATION + 1)
            ],
            ignore_conflicts=True,
        )
    teams: dict[str, list[tuple[int, list[int]]]] = {Level.L1.value: [], Level.L2.value: []}
    for names, level, role in (
        (L1_TEAMS, Level.L1, Role.AGENT_L1),
        (L2_TEAMS, Level.L2, Role.AGENT_L2),
    ):
        for name in names:
            team, _ = Team.objects.get_or_create(name=name, defaults={"level": level})
            slug = name.lower().replace(" ", "-")
            members = []
            for j in range(1, AGENTS_PER_TEAM + 1):
                agent, created = User.objects.get_or_create(
                    username=f"bulk.{slug}.{j}",
                    defaults={
                        "role": role,
                        "password": password,
                        "email": f"{slug}{j}@ayuda.example",
                    },
                )
                if created:
                    agent.teams.add(team)
                members.append(agent.pk)
            teams[level.value].append((team.pk, members))
    vendor, _ = Vendor.objects.get_or_create(
        name=f"{PREFIX} Vendor", defaults={"email": "support@bulkvendor.example"}
    )
    categories = []
    for parent_name, children in CATEGORY_TREE.items():
        parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
        for child in children:
            categories.append(Category.objects.get_or_create(name=child, parent=parent)[0].pk)
    sites: dict[int, list[int]] = {}
    for site_id, org_id in Site.objects.filter(organisation__in=organisations).values_list(
        "pk", "organisation_id"
    ):
        sites.setdefault(org_id, []).append(site_id)
    requesters = [
        (pk, org_id, sites.get(org_id, []))
        for pk, org_id in User.objects.filter(
            organisation__in=organisations, role=Role.REQUESTER
        ).values_list("pk", "organisation_id")
    ]
    states = {}
    for category in StateCategory:
        state = (
            TicketState.objects.filter(category=category)
            .order_by("-is_default", "position", "pk")
            .first()
        )
        if state is None:
            raise CommandError(f"No ticket state for {category}: run migrate first.")
        states[category.value] = state
    return Reference(states, requesters, teams, vendor.pk, categories)
