"""Incidents from findings (R34): one per rule and subject while open, updated at most once a
day, recovered after enough healthy scans, reopened with a link to the previous one."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.devices.models import Device, HealthIncident, OnRecovery
from ayuda.devices.scan import rule_scan
from ayuda.tickets import services
from ayuda.tickets.models import (
    Article,
    ArticleKind,
    Channel,
    EventAction,
    SenderRole,
    StateCategory,
    TicketType,
)
from ayuda.tickets.permissions import can_view
from ayuda.tickets.selectors import tickets_for_requester

from .scanning import day_make, device_make, organisation_make, rule_make, site_make

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def silent_device(**kwargs):
    return device_make(last_heartbeat_at=NOW - timedelta(days=5), **kwargs)


def heard(device, at):
    Device.objects.filter(pk=device.pk).update(last_heartbeat_at=at)


def test_a_failing_device_raises_one_monitoring_incident():
    org = organisation_make(language="en")
    site = site_make(organisation=org)
    device = silent_device(site=site)
    rule = rule_make("device_silent", priority=3)
    result = rule_scan(rule=rule, now=NOW)
    assert (result.findings, result.opened) == (1, 1)
    incident = HealthIncident.objects.get()
    ticket = incident.ticket
    assert incident.is_open and incident.subject_key == f"device:{device.pk}"
    assert incident.figures["days_silent"] == 5
    assert ticket.channel == Channel.MONITORING and ticket.type == TicketType.INCIDENT
    assert ticket.category_id == rule.category_id and ticket.priority == 3
    assert ticket.site_id == site.pk and ticket.device_id == device.pk
    assert device.serial in ticket.subject and "5 days" in ticket.subject
    assert "Days without a heartbeat: 5" in ticket.description
    created = ticket.events.get(action=EventAction.CREATED)
    assert created.actor_id is None and created.data["channel"] == Channel.MONITORING
    first = ticket.articles.get()
    assert first.sender_role == SenderRole.SYSTEM and not first.internal


def test_the_health_check_user_cannot_log_in_and_site_admins_see_the_ticket(client):
    org = organisation_make()
    site = site_make(organisation=org)
    silent_device(site=site)
    rule_scan(rule=rule_make("device_silent"), now=NOW)
    ticket = HealthIncident.objects.get().ticket
    requester = ticket.requester
    assert requester.organisation_id == org.pk and requester.role == Role.REQUESTER
    assert not requester.is_active and not requester.has_usable_password()
    assert requester.email == ""
    assert not client.login(username=requester.username, password="")
    admin = user_make(role=Role.SITE_ADMIN, organisation=org, sites=[site])
    elsewhere = site_make(organisation=org)
    stranger = user_make(role=Role.SITE_ADMIN, organisation=org, sites=[elsewhere])
    assert can_view(admin, ticket) and ticket in tickets_for_requester(user=admin)
    assert not can_view(stranger, ticket)


def test_the_message_is_in_the_organisations_language():
    org = organisation_make(language="es")
    silent_device(site=site_make(organisation=org))
    rule = rule_make(
        "device_silent", message_es="{device} lleva {days_silent} días sin latido en {site}."
    )
    rule_scan(rule=rule, now=NOW)
    ticket = HealthIncident.objects.get().ticket
    assert ticket.subject.endswith("lleva 5 días sin latido en " + ticket.site.name + ".")
    assert "Cifras:" in ticket.description


def test_a_rerun_raises_nothing_new_and_updates_the_figures():
    device = silent_device()
    rule = rule_make("device_silent")
    rule_scan(rule=rule, now=NOW)
    result = rule_scan(rule=rule, now=NOW + timedelta(hours=1))
    assert (result.opened, result.updated, result.noted) == (0, 1, 0)
    incident = HealthIncident.objects.get()
    assert incident.last_failed_at == NOW + timedelta(hours=1)
    assert incident.ticket.articles.count() == 1
    assert HealthIncident.objects.filter(device=device).count() == 1


def test_at_most_one_update_message_a_day():
    silent_device()
    rule = rule_make("device_silent")
    rule_scan(rule=rule, now=NOW)
    for hours in (1, 12, 23):
        assert rule_scan(rule=rule, now=NOW + timedelta(hours=hours)).noted == 0
    assert rule_scan(rule=rule, now=NOW + timedelta(days=1)).noted == 1
    assert rule_scan(rule=rule, now=NOW + timedelta(days=1, hours=2)).noted == 0
    incident = HealthIncident.objects.get()
    notes = incident.ticket.articles.filter(kind=ArticleKind.SYSTEM).order_by("id")
    assert notes.count() == 2
    note = notes.last()
    assert note.sender_role == SenderRole.SYSTEM and not note.internal and note.author is None
    assert "Days without a heartbeat: 6" in note.body
    assert incident.figures["days_silent"] == 6


def test_recovery_resolves_after_enough_healthy_scans_and_flapping_keeps_it_open():
    device = silent_device()
    rule = rule_make("device_silent", healthy_scans_to_recover=3)
    rule_scan(rule=rule, now=NOW)
    heard(device, NOW)
    for minutes in (10, 20):  # two healthy scans of three
        rule_scan(rule=rule, now=NOW + timedelta(minutes=minutes))
    incident = HealthIncident.objects.get()
    assert incident.is_open and incident.healthy_scans == 2
    heard(device, NOW - timedelta(days=5))  # fails again: flapping
    rule_scan(rule=rule, now=NOW + timedelta(minutes=30))
    incident.refresh_from_db()
    assert incident.is_open and incident.healthy_scans == 0
    heard(device, NOW)
    for minutes in (40, 50):
        rule_scan(rule=rule, now=NOW + timedelta(minutes=minutes))
    incident.refresh_from_db()
    assert incident.is_open
    result = rule_scan(rule=rule, now=NOW + timedelta(minutes=60))
    assert result.recovered == 1
    incident.refresh_from_db()
    assert not incident.is_open and not incident.needs_review
    assert incident.closed_at == NOW + timedelta(minutes=60)
    ticket = incident.ticket
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.RESOLVED
    assert ticket.solution.startswith("Recovered:")
    assert ticket.events.filter(action=EventAction.RESOLVED, actor=None).exists()


def test_recovery_for_review_flags_it_and_leaves_the_ticket_to_the_agents():
    device = silent_device()
    rule = rule_make("device_silent", on_recovery=OnRecovery.REVIEW, healthy_scans_to_recover=1)
    rule_scan(rule=rule, now=NOW)
    heard(device, NOW)
    assert rule_scan(rule=rule, now=NOW + timedelta(minutes=5)).recovered == 1
    incident = HealthIncident.objects.get()
    assert not incident.is_open and incident.needs_review
    ticket = incident.ticket
    ticket.refresh_from_db()
    assert ticket.state_category == StateCategory.NEW
    note = ticket.articles.get(internal=True)
    assert note.body.startswith("Recovered, to review:") and note.sender_role == SenderRole.SYSTEM


def test_a_new_failure_after_recovery_opens_a_new_incident_linking_the_previous():
    device = silent_device()
    rule = rule_make("device_silent", healthy_scans_to_recover=1)
    rule_scan(rule=rule, now=NOW)
    heard(device, NOW)
    rule_scan(rule=rule, now=NOW + timedelta(hours=1))
    first = HealthIncident.objects.get()
    later = NOW + timedelta(days=10)
    assert rule_scan(rule=rule, now=later).opened == 1
    second = HealthIncident.objects.get(is_open=True)
    assert second.pk != first.pk and second.previous_id == first.pk
    assert f"#{first.ticket_id}" in second.ticket.description


def test_agents_resolving_while_it_still_fails_closes_it_and_the_next_scan_reopens():
    silent_device()
    rule = rule_make("device_silent")
    rule_scan(rule=rule, now=NOW)
    first = HealthIncident.objects.get()
    agent = user_make(role=Role.AGENT_L1)
    services.ticket_resolve(ticket=first.ticket, actor=agent, solution="Rebooted it.")
    result = rule_scan(rule=rule, now=NOW + timedelta(hours=1))
    assert (result.closed_by_agents, result.opened) == (1, 1)
    first.refresh_from_db()
    assert not first.is_open and not first.needs_review
    second = HealthIncident.objects.get(is_open=True)
    assert second.previous_id == first.pk


def test_a_day_the_agents_closed_is_not_raised_again_the_next_day_is():
    site = site_make()
    device_in = device_make(site=site)
    device_out = device_make(site=site)
    day_make(device_in, date(2026, 6, 9), count_in=100)
    day_make(device_out, date(2026, 6, 9), count_out=50)
    rule = rule_make("in_out_discrepancy")
    rule_scan(rule=rule, now=NOW)
    first = HealthIncident.objects.get()
    assert first.subject_key == f"site:{site.pk}" and first.device_id is None
    assert first.ticket.device_id is None and first.ticket.site_id == site.pk
    services.ticket_resolve(
        ticket=first.ticket, actor=user_make(role=Role.AGENT_L1), solution="Door 2 blocked."
    )
    result = rule_scan(rule=rule, now=NOW + timedelta(hours=2))
    assert (result.opened, result.skipped) == (0, 1)
    day_make(device_in, date(2026, 6, 10), count_in=100)
    day_make(device_out, date(2026, 6, 10), count_out=10)
    result = rule_scan(rule=rule, now=NOW + timedelta(days=1))
    assert result.opened == 1
    assert HealthIncident.objects.get(is_open=True).previous_id == first.pk


def test_a_retired_device_recovers_its_incident():
    device = silent_device()
    rule = rule_make("device_silent", healthy_scans_to_recover=1)
    rule_scan(rule=rule, now=NOW)
    Device.objects.filter(pk=device.pk).update(is_active=False)
    assert rule_scan(rule=rule, now=NOW + timedelta(hours=1)).recovered == 1


def test_several_rules_keep_their_own_incidents():
    device = silent_device()
    day_make(device, date(2026, 6, 9), heartbeats=3)
    silent = rule_make("device_silent")
    zero = rule_make("zero_traffic")
    rule_scan(rule=silent, now=NOW)
    rule_scan(rule=zero, now=NOW)
    assert HealthIncident.objects.filter(device=device, is_open=True).count() == 2
    assert Article.objects.filter(ticket__device=device).count() == 2


def test_ticket_create_records_the_device_and_refuses_one_of_another_site():
    from ayuda.core.errors import ValidationError

    org = organisation_make()
    site, other = site_make(organisation=org), site_make(organisation=org)
    device = device_make(site=site)
    requester = user_make(role=Role.REQUESTER, organisation=org)
    ticket = services.ticket_create(
        requester=requester, subject="Door", description="Broken", channel="phone", device=device
    )
    assert (ticket.device_id, ticket.site_id) == (device.pk, site.pk)
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=requester,
            subject="Door",
            description="Broken",
            channel="phone",
            site=other,
            device=device,
        )


def test_the_categorys_form_fields_are_answered_by_the_figures_or_refused_alone():
    from ayuda.tickets.tests.factories import category_make

    fields = [
        {"name": "serial", "label": "Serial", "type": "text", "required": True},
        {"name": "model", "type": "choice", "required": False, "choices": ["CC-200"]},
    ]
    counter = category_make(name="People counter", extra_fields=fields)
    device = silent_device(model="PC-100")
    rule = rule_make("device_silent", category=counter)
    assert rule_scan(rule=rule, now=NOW).opened == 1
    ticket = HealthIncident.objects.get().ticket
    assert ticket.extra == {"serial": device.serial}  # PC-100 is not an offered model
    site_rule = rule_make("in_out_discrepancy", category=counter)
    site = site_make()
    day_make(device_make(site=site), date(2026, 6, 9), count_in=100)
    result = rule_scan(rule=site_rule, now=NOW)  # a site has no serial: refused, logged
    assert (result.findings, result.opened, result.refused) == (1, 0, 1)


def test_losing_the_race_rolls_back_the_losers_ticket():
    """What the second of two concurrent scans meets: the incident it did not see when it
    started exists when it inserts; the constraint refuses it, its ticket goes too."""
    from ayuda.devices.incidents import ScanResult, _open
    from ayuda.devices.rules import REGISTRY
    from ayuda.tickets.models import Ticket

    silent_device()
    rule = rule_make("device_silent")
    findings = REGISTRY["device_silent"].findings(rule, now=NOW)
    rule_scan(rule=rule, now=NOW)  # the winner
    result = ScanResult(rule_id=rule.pk)
    _open(rule=rule, findings=findings, now=NOW, result=result)  # the loser, late
    assert (result.opened, result.skipped) == (0, 1)
    assert HealthIncident.objects.count() == 1 and Ticket.objects.count() == 1
