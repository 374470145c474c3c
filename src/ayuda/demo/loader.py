"""Load the demo desk: its reference data, then its tickets (``timeline``).

Every ticket and every change to it goes through ``ayuda.tickets.services``, exactly as the web
app would do it, dated in the past with the services' ``at``: the demo's history is real,
hash-chained history, and nothing is rewritten after it is written.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from ayuda.accounts.models import Organisation, Role, Site, Team, User, Vendor
from ayuda.devices.models import ScanRule
from ayuda.notifications.sweep import cursor_to_end
from ayuda.reports.facts import facts_rebuild
from ayuda.sla.models import Calendar, Side, SlaAction, SlaPolicy
from ayuda.tickets.models import Category, Priority

from .articles import articles_load
from .calls import calls_load
from .data.desk import (
    CATEGORIES,
    CATEGORY_NAMES,
    DEMO_MARKER_ORGANISATION,
    DEMO_PASSWORD,
    ORGANISATIONS,
    TEAMS,
    USERS,
    VENDOR,
)
from .data.health import HEALTH_CATEGORIES, SCAN_RULES
from .devices import devices_create, readings_simulate_in_process
from .guides import guides_load
from .problems import problems_load
from .timeline import tickets_create
from .trees import trees_load

# The demo's made-up history sends no mail: every other after-commit handler runs.
SILENT_HANDLERS = {
    "ayuda.notifications.handlers.ticket_events_notify",
    "ayuda.notifications.handlers.ticket_events_inapp",
}


@dataclass
class Demo:
    organisations: dict[str, Organisation]
    sites: dict[str, Site]
    teams: dict[str, Team]
    vendor: Vendor
    users: dict[str, User]
    categories: dict[str, Category]


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(name=DEMO_MARKER_ORGANISATION).exists()


def demo_load(*, now: datetime | None = None) -> int:
    """Create the demo desk and its tickets, all in one transaction; returns the ticket count.
    The tickets' histories end before ``now`` (default: the current time)."""
    now = now or timezone.now()
    handlers = [h for h in settings.TICKET_EVENT_HANDLERS if h not in SILENT_HANDLERS]
    with override_settings(TICKET_EVENT_HANDLERS=handlers), transaction.atomic():
        demo = reference_data_create()
        health_checks_create(demo)
        service_levels_create(demo)  # before the tickets, so they get their clocks
        count = tickets_create(demo, now=now)
        guides_load()  # the device categories' guides (demo/guides.py), after their categories
        trees_load()  # two published decision trees (demo/trees.py), after their categories
        articles_load(now=now)  # the knowledge base (demo/articles.py), indexed as it is written
        problems_load(now=now)  # the known VPN problem and its bulletin (demo/problems.py)
        devices_create()
        readings_simulate_in_process(now=now)  # through the real API, as a collector would
        cursor_to_end()  # nor does the notification sweep pick the history up later
        calls_load(now=now)  # a few weeks of the phone system's queue log (demo/calls.py)
        facts_rebuild()  # the reports' roll-up of every ticket (reports/facts.py)
    return count


def reference_data_create() -> Demo:
    organisations, sites = {}, {}
    for spec in ORGANISATIONS:
        org = Organisation.objects.create(
            name=spec["name"],
            email_domains=spec["email_domains"],
            language=spec["language"],
            timezone=spec["timezone"],
        )
        organisations[org.name] = org
        for name, code in spec["sites"]:
            sites[name] = Site.objects.create(organisation=org, name=name, code=code)
    teams = {
        name: Team.objects.get_or_create(
            name=name,
            defaults={"level": level, "email": f"{name.split()[0].lower()}@ayuda.example"},
        )[0]
        for name, level in TEAMS
    }
    vendor = Vendor.objects.get_or_create(
        name=VENDOR["name"], defaults={k: v for k, v in VENDOR.items() if k != "name"}
    )[0]
    password = make_password(DEMO_PASSWORD)  # hash once, share it: hashing is slow
    users = {}
    for username, role, language, tz, first, last, org, team_names, site_names in USERS:
        organisation = organisations.get(org) if org else None
        domain = organisation.domain_list()[0] if organisation else "ayuda.example"
        user = User.objects.create(
            username=username,
            email=f"{username}@{'countco.example' if role == Role.VENDOR_AGENT else domain}",
            first_name=first,
            last_name=last,
            role=role,
            language=language,
            timezone=tz,
            organisation=organisation,
            vendor=vendor if role == Role.VENDOR_AGENT else None,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            password=password,
        )
        user.teams.set([teams[name] for name in team_names])
        user.sites.set([sites[name] for name in site_names])
        users[username] = user
    categories: dict[str, Category] = {}
    for name, parent, is_software, team, extra_fields in CATEGORIES:
        categories[name] = Category.objects.get_or_create(
            name=name,
            parent=categories.get(parent) if parent else None,
            defaults={
                "is_software": is_software,
                "default_team": teams[team],
                "extra_fields": extra_fields,
                "name_i18n": CATEGORY_NAMES.get(name, {}),
                "routes_to_level_2": False,  # the front line receives every ticket first
            },
        )[0]
    return Demo(organisations, sites, teams, vendor, users, categories)


def service_levels_create(demo: Demo) -> list[SlaPolicy]:
    """Office hours in Madrid (Spanish and Madrid holidays) for the Spanish chain, 24x7x365 for
    the Italian studio, and the vendor's own agreement (docs/sla.md)."""
    weekday = [["09:00", "14:00"], ["15:00", "18:00"]]
    madrid = Calendar.objects.create(
        name="Madrid office hours",
        timezone="Europe/Madrid",
        hours={day: weekday for day in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": [], "sun": []},
        holiday_country="ES",
        holiday_subdivision="MD",
    )
    always = Calendar.objects.create(name="24x7x365", timezone="UTC", always_open=True)
    spanish, italian = demo.organisations["Tiendas Sol"], demo.organisations["Studio Rossi"]
    hour, day = 60, 8 * 60  # a business day of the office calendar: 8 hours
    alerts = {
        "on_warning": [SlaAction.NOTIFY_OWNER],
        "on_breach": [SlaAction.NOTIFY_OWNER, SlaAction.NOTIFY_TEAM_LEAD],
    }
    specs = [
        dict(name="Tiendas Sol, urgent", organisation=spanish, priority=Priority.URGENT,
             calendar=madrid, first_response_minutes=hour, next_update_minutes=8 * hour,
             resolution_minutes=5 * day, courtesy_updates=True, **alerts),
        dict(name="Tiendas Sol", organisation=spanish, calendar=madrid,
             first_response_minutes=4 * hour, next_update_minutes=8 * hour,
             resolution_minutes=5 * day, courtesy_updates=True, **alerts),
        dict(name="Studio Rossi 24x7", organisation=italian, calendar=always,
             first_response_minutes=hour, next_update_minutes=4 * hour,
             resolution_minutes=24 * hour, warn_minutes_before=30, **alerts),
        dict(name=f"{demo.vendor.name} second line", side=Side.VENDOR, vendor=demo.vendor,
             calendar=madrid, first_response_minutes=8 * hour, resolution_minutes=10 * day),
    ]  # fmt: skip
    return [
        SlaPolicy.objects.create(position=position, **spec)
        for position, spec in enumerate(specs, start=1)
    ]


def health_checks_create(demo: Demo) -> list[ScanRule]:
    """The device health categories and scan rules (docs/devices.md); the first scan (Celery
    beat, within a minute of `make run`) raises the demo's monitoring incidents."""
    for name, parent, team, names in HEALTH_CATEGORIES:
        demo.categories[name] = Category.objects.get_or_create(
            name=name,
            parent=demo.categories[parent],
            defaults={"default_team": demo.teams[team], "name_i18n": names},
        )[0]
    rules = []
    for position, spec in enumerate(SCAN_RULES):
        values = dict(spec, category=demo.categories[spec["category"]], position=position)
        rules.append(ScanRule.objects.create(**values))
    return rules


def logins_text() -> str:
    lines = [
        f"Ayuda demo log-ins (password for every user: {DEMO_PASSWORD})",
        "",
        f"{'username':<10} {'role':<32} {'language':<9} organisation",
    ]
    for username, role, language, _tz, *_names, organisation, _teams, _sites in USERS:
        label = f"{Role(role).label} ({role})"
        lines.append(f"{username:<10} {label:<32} {language:<9} {organisation or '-'}")
    return "\n".join(lines) + "\n"


def logins_write(*, data_dir: Path) -> Path:
    """Write the log-in table to ``DATA_DIR/demo-logins.txt`` (``scripts/run.sh`` prints it)."""
    path = data_dir / "demo-logins.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(logins_text(), encoding="utf-8")
    return path
