"""The demo's scan rules are valid rules: known kinds, thresholds in range, templates that
name only their kind's figures, one per kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ayuda.accounts.models import Site
from ayuda.demo.data.health import HEALTH_CATEGORIES, SCAN_RULES
from ayuda.demo.loader import demo_load
from ayuda.devices.models import HealthIncident
from ayuda.devices.rules import REGISTRY, last_closed_day
from ayuda.devices.scan import scan_now
from ayuda.devices.templates import template_check

from .scanning import day_make, device_make


def test_the_demo_rules_are_valid():
    categories = {name for name, *_rest in HEALTH_CATEGORIES}
    assert {spec["kind"] for spec in SCAN_RULES} == set(REGISTRY)
    for spec in SCAN_RULES:
        kind = REGISTRY[spec["kind"]]
        assert kind.threshold_error(spec["threshold"]) is None
        assert spec["category"] in categories
        for language in ("es", "it", "en"):
            template_check(spec[f"message_{language}"], names=kind.figure_names())


@pytest.mark.django_db
def test_the_demo_raises_incidents_from_its_first_scan():
    now = timezone.now()
    demo_load(now=now)
    madrid = Site.objects.get(name="Madrid Centro")
    device = device_make(site=madrid, last_heartbeat_at=now - timedelta(days=4))
    day = last_closed_day("Europe/Madrid", now)
    day_make(device_make(site=madrid), day, count_in=500, count_out=0)
    day_make(device_make(site=madrid), day, heartbeats=10)  # counts nobody
    results = {r.rule_id: r for r in scan_now(now=now)}
    assert sum(r.opened for r in results.values()) == 3  # silent, discrepancy, zero traffic
    silent = HealthIncident.objects.get(device=device, rule__kind="device_silent")
    assert silent.ticket.category.name == "Device offline"
    assert "lleva 4 días sin enviar latidos" in silent.ticket.subject
