"""``manage.py simulate_devices``: the demo devices' readings go through the real API, some
devices go silent, one site's IN and OUT drift apart on the last closed day; re-running it
changes nothing; ``--url``/``--token`` send over HTTP to a running server."""

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from ayuda.accounts.models import ApiToken, Role, TokenScope, User
from ayuda.accounts.tokens import token_create
from ayuda.demo.data import devices as spec
from ayuda.demo.loader import reference_data_create
from ayuda.devices.models import Device, DeviceDay, Reading


def _simulate(*args) -> str:
    out = StringIO()
    call_command("simulate_devices", *args, stdout=out)
    return out.getvalue()


def _site_days(code: str, day):
    return DeviceDay.objects.filter(
        device__site__code=code, device__counts_entrance=True, day=day
    ).aggregate(i=Sum("count_in"), o=Sum("count_out"))


@pytest.mark.django_db
def test_the_simulator_feeds_every_demo_device_with_findings_for_the_scan():
    # given the demo's sites
    reference_data_create()
    # when
    output = _simulate()
    # then every device reported, through the API (collectors' tokens, revoked after)
    assert "0 refused" in output
    devices = {d.serial: d for d in Device.objects.select_related("site__organisation")}
    assert len(devices) == sum(len(rows) for rows in spec.DEVICES.values())
    assert all(DeviceDay.objects.filter(device=d).exists() for d in devices.values())
    tokens = ApiToken.objects.filter(user__username__startswith="collector-")
    assert tokens.count() == 2 and all(t.revoked_at for t in tokens)
    assert all(t.scopes == [TokenScope.DEVICES] for t in tokens)
    now = timezone.now()
    # two devices silent for more than 4 days; the others alive within the hour or so
    for serial, device in devices.items():
        silent_for = now - device.last_heartbeat_at
        if serial in spec.SILENT:
            assert silent_for > timedelta(days=4), serial
        else:
            assert silent_for < timedelta(hours=2), serial
    # the drifting site's last closed day: IN and OUT more than 10% apart; the others within
    for code in spec.DEVICES:
        zone = ZoneInfo(Device.objects.filter(site__code=code).first().site.timezone_name())
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        figures = _site_days(code, yesterday)
        gap = abs(figures["i"] - figures["o"]) / max(figures["i"], figures["o"])
        assert (gap > 0.10) == (code == spec.DRIFT_SITE), (code, figures)
    # one device alive but counting nothing on that day
    zero = devices[spec.ZERO_TRAFFIC]
    yesterday = now.astimezone(ZoneInfo(zero.site.timezone_name())).date() - timedelta(days=1)
    day = DeviceDay.objects.get(device=zero, day=yesterday)
    assert (day.count_in, day.count_out) == (0, 0) and day.heartbeats > 0

    # when it runs again, nothing changes (the hours since are new; nothing else)
    readings, totals = Reading.objects.count(), DeviceDay.objects.aggregate(Sum("count_in"))
    again = _simulate()
    assert "0 refused" in again and "Created" not in again
    new_hours = Reading.objects.count() - readings
    assert new_hours <= 2 * len(devices)
    if not new_hours:
        assert DeviceDay.objects.aggregate(Sum("count_in")) == totals


@pytest.mark.django_db
def test_the_figures_are_the_same_every_time():
    reference_data_create()
    now = timezone.now()
    from ayuda.demo.devices import readings_simulate_in_process

    readings_simulate_in_process(now=now)
    first = list(
        Reading.objects.order_by("device__serial", "period_start").values_list(
            "count_in", "count_out"
        )
    )
    Reading.objects.all().delete()
    DeviceDay.objects.all().delete()
    readings_simulate_in_process(now=now)
    second = list(
        Reading.objects.order_by("device__serial", "period_start").values_list(
            "count_in", "count_out"
        )
    )
    assert first == second


@pytest.mark.django_db(transaction=True)
def test_over_http_with_a_token(live_server, settings):
    # given a running server and an administrator's devices token
    settings.AYUDA_API_RATE_PER_MINUTE = 0
    reference_data_create()
    admin = User.objects.filter(role=Role.ADMIN).first()
    secret = token_create(
        user=admin, name="sim", scopes=[TokenScope.DEVICES], expires_at=None
    ).secret
    # when
    output = _simulate("--url", live_server.url, "--token", secret, "--days", "2")
    # then
    assert "0 refused" in output
    assert Reading.objects.exists()
    with pytest.raises(CommandError, match="refused the batch: 401"):
        _simulate("--url", live_server.url, "--token", "ayuda_000000000000_wrong", "--days", "1")


@pytest.mark.django_db
def test_it_refuses_to_run_without_the_demo():
    with pytest.raises(CommandError, match="not loaded"):
        _simulate()
    assert not Device.objects.exists()


def test_url_needs_a_token():
    with pytest.raises(CommandError, match="go together"):
        call_command("simulate_devices", "--url", "http://127.0.0.1:1")
