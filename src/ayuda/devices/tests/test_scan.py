"""Running the scan (R33): due rules claimed once, the Celery task, the command."""

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ayuda.devices import tasks
from ayuda.devices.models import HealthIncident, ScanRule
from ayuda.devices.scan import rule_claim, rule_scan, scan_due
from ayuda.tickets.models import Ticket
from ayuda.tickets.tests.factories import states_ensure

from .scanning import device_make, rule_make

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_scan_due_runs_rules_whose_interval_passed_once():
    device_make(last_heartbeat_at=NOW - timedelta(days=5))
    hourly = rule_make("device_silent", every_minutes=60)
    inactive = rule_make("device_silent", is_active=False)
    assert [r.rule_id for r in scan_due(now=NOW)] == [hourly.pk]
    assert scan_due(now=NOW + timedelta(minutes=59)) == []
    assert [r.rule_id for r in scan_due(now=NOW + timedelta(minutes=60))] == [hourly.pk]
    hourly.refresh_from_db()
    inactive.refresh_from_db()
    assert hourly.last_run_at == NOW + timedelta(minutes=60) and inactive.last_run_at is None
    assert HealthIncident.objects.count() == 1


@pytest.mark.django_db
def test_a_rule_is_claimed_by_one_caller():
    rule = rule_make("device_silent")
    stale = ScanRule.objects.get(pk=rule.pk)
    assert rule_claim(rule=rule, now=NOW)
    assert not rule_claim(rule=stale, now=NOW)  # it read last_run_at before the first claim


@pytest.mark.django_db
def test_the_task_runs_the_due_rules():
    device_make(last_heartbeat_at=datetime(2020, 1, 1, tzinfo=UTC))
    rule_make("device_silent")
    assert tasks.scan_due.delay().get() == 1
    assert tasks.scan_due.delay().get() == 0  # not due again for an hour
    assert HealthIncident.objects.filter(is_open=True).count() == 1


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_scan_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["devices-scan-due"]
    assert entry == {"task": "ayuda.devices.tasks.scan_due", "schedule": 60}
    assert tasks.scan_due.name == entry["task"]


@pytest.mark.django_db
def test_the_command_runs_now_all_or_one_rule():
    device_make(last_heartbeat_at=datetime(2020, 1, 1, tzinfo=UTC))
    silent = rule_make("device_silent", every_minutes=1440)
    rule_make("zero_traffic")
    out = StringIO()
    call_command("scan_devices", "--rule", str(silent.pk), stdout=out)
    assert f"rule {silent.pk}: 1 failing, 1 opened" in out.getvalue()
    out = StringIO()
    call_command("scan_devices", stdout=out)  # due or not
    assert out.getvalue().count("rule ") == 2 and "0 opened, 1 updated" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("scan_devices", "--rule", "999999")


@pytest.mark.django_db
def test_a_rerun_raises_one_incident_per_subject():
    devices = [device_make(last_heartbeat_at=NOW - timedelta(days=5)) for _ in range(3)]
    rule = rule_make("device_silent")
    assert rule_scan(rule=rule, now=NOW).opened == 3
    assert rule_scan(rule=rule, now=NOW).opened == 0
    assert HealthIncident.objects.filter(is_open=True).count() == len(devices)
    assert Ticket.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_raise_one_incident():
    # On PostgreSQL the two scans interleave. SQLite serialises writers (its test database,
    # in memory, refuses a second writer outright), so there they run one after the other.
    together = connection.vendor == "postgresql"
    states_ensure()
    device_make(last_heartbeat_at=NOW - timedelta(days=5))
    rule = rule_make("device_silent")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            own = ScanRule.objects.select_related("category").get(pk=rule.pk)
            if together:
                barrier.wait(timeout=10)
            results.append(rule_scan(rule=own, now=NOW))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
        if not together:
            thread.join(timeout=60)
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert HealthIncident.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert sorted(r.opened for r in results) in ([0, 1],)
