"""The demo's scan rules are valid rules: known kinds, thresholds in range, templates that
name only their kind's figures, one per kind."""

import pytest
from django.utils import timezone

from ayuda.demo.data.health import HEALTH_CATEGORIES, SCAN_RULES
from ayuda.demo.loader import demo_load
from ayuda.devices.models import HealthIncident
from ayuda.devices.rules import REGISTRY
from ayuda.devices.scan import scan_now
from ayuda.devices.templates import template_check


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
    # given: the demo, whose simulator sent its readings through the API
    now = timezone.now()
    demo_load(now=now)

    # when
    results = scan_now(now=now)

    # then: the two silent counters, Sevilla's drift and the counter that counts nobody
    assert sum(r.opened for r in results) == 4
    found = {
        (i.rule.kind, i.device.serial if i.device else i.site.code)
        for i in HealthIncident.objects.select_related("rule", "device", "site")
    }
    assert found == {
        ("device_silent", "CC-VLC01-2"),
        ("device_silent", "CC-TO01-1"),
        ("in_out_discrepancy", "SVQ-01"),
        ("zero_traffic", "CC-MAD02-2"),
    }
    silent = HealthIncident.objects.get(device__serial="CC-VLC01-2")
    assert silent.ticket.category.name == "Device offline"
    assert "lleva 5 días sin enviar latidos" in silent.ticket.subject
    # and a second scan raises nothing more
    assert sum(r.opened for r in scan_now(now=now)) == 0
