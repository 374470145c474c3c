"""``POST /api/v1/devices/readings``: the devices scope, per-item results, 413, the errors."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ayuda.accounts.models import ApiToken, Role, TokenScope
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.accounts.tokens import token_revoke
from ayuda.devices.models import DeviceDay, Reading
from ayuda.devices.tests.factories_readings import collector_make, device_make

from .helpers import BASE, Api, assert_problem

pytestmark = pytest.mark.django_db
PATH = "/devices/readings"


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def setup():
    org = organisation_make(timezone="Europe/Rome")
    site = site_make(organisation=org)
    device = device_make(site=site, serial="PC-1")
    collector = collector_make(organisation=org)
    return {"org": org, "device": device, "api": Api(collector, scopes=[TokenScope.DEVICES])}


def _reading(serial="PC-1", hours_ago=2, count_in=5, count_out=4):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    return {
        "serial": serial,
        "period_start": _iso(start),
        "period_end": _iso(start + timedelta(hours=1)),
        "in": count_in,
        "out": count_out,
    }


def test_a_batch_is_judged_item_by_item(setup):
    device_make(serial="OTHER-1")  # another organisation's
    body = {
        "heartbeats": [{"serial": "PC-1", "at": _iso(timezone.now())}],
        "readings": [_reading(), _reading("NOPE"), _reading("OTHER-1"), _reading(count_in=-1)],
    }
    response = setup["api"].post(PATH, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert [(r["index"], r["status"], r["code"]) for r in data["readings"]] == [
        (0, "accepted", "accepted"),
        (1, "refused", "unknown_serial"),
        (2, "refused", "other_organisation"),
        (3, "refused", "negative_count"),
    ]
    assert data["heartbeats"][0]["status"] == "accepted"
    assert data["totals"] == {"accepted": 2, "duplicate": 0, "refused": 3}
    assert Reading.objects.get().count_in == 5
    assert sum(DeviceDay.objects.values_list("count_in", flat=True)) == 5


def test_resending_the_batch_answers_duplicate_and_changes_nothing(setup):
    body = {"readings": [_reading(), _reading(hours_ago=3)]}
    setup["api"].post(PATH, body)
    response = setup["api"].post(PATH, body)
    assert [r["status"] for r in response.json()["readings"]] == ["duplicate", "duplicate"]
    assert sum(DeviceDay.objects.values_list("count_in", flat=True)) == 10


def test_refusals_are_in_the_callers_language(setup):
    response = setup["api"].post(
        PATH, {"readings": [_reading("NOPE")]}, headers={"Accept-Language": "it"}
    )
    assert response.json()["readings"][0]["detail"] == (
        "Non esiste alcun dispositivo con questo numero di serie."
    )


def test_a_batch_over_the_limit_is_refused_whole_with_413(setup, settings):
    settings.AYUDA_DEVICE_BATCH_MAX = 3
    body = {
        "heartbeats": [{"serial": "PC-1", "at": _iso(timezone.now())}],
        "readings": [_reading(hours_ago=h) for h in range(1, 4)],
    }
    body_ok = {"readings": body["readings"]}
    assert_problem(setup["api"].post(PATH, body), 413, "too-large")
    assert not Reading.objects.exists()
    assert setup["api"].post(PATH, body_ok).status_code == 200  # exactly at the limit


def test_malformed_json_is_a_problem(setup):
    response = Client().post(
        BASE + PATH,
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {setup['api'].token}"},
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert not Reading.objects.exists()


def test_a_missing_field_refuses_the_batch_with_422(setup):
    bad = _reading()
    del bad["out"]
    body = assert_problem(setup["api"].post(PATH, {"readings": [bad]}), 422, "validation")
    assert body["errors"][0]["field"] == "readings.0.out"


def test_a_revoked_token_is_refused(setup):
    token_revoke(token=ApiToken.objects.get(), actor=ApiToken.objects.get().user)
    assert_problem(setup["api"].post(PATH, {"readings": [_reading()]}), 401, "unauthenticated")
    assert not Reading.objects.exists()


def test_a_wrong_token_is_refused():
    api = Api(token="ayuda_0123456789ab_nope")
    assert_problem(api.post(PATH, {"readings": []}), 401, "unauthenticated")


def test_a_token_without_the_devices_scope_is_403(setup):
    collector = setup["api"].user
    api = Api(collector, scopes=[TokenScope.READ, TokenScope.WRITE])
    assert_problem(api.post(PATH, {"readings": [_reading()]}), 403, "insufficient-scope")
    assert not Reading.objects.exists()


def test_a_devices_token_does_not_read_tickets(setup):
    assert_problem(setup["api"].get("/tickets"), 403, "insufficient-scope")


def test_a_signed_in_session_cannot_post_readings(setup):
    admin = user_make(role=Role.ADMIN)
    client = Client()
    client.force_login(admin)
    response = client.post(BASE + PATH, {"readings": []}, content_type="application/json")
    assert_problem(response, 401, "unauthenticated")


def test_an_admin_token_reports_any_organisations_device(setup):
    api = Api(user_make(role=Role.ADMIN), scopes=[TokenScope.DEVICES])
    device_make(serial="OTHER-1")
    response = api.post(PATH, {"readings": [_reading("OTHER-1")]})
    assert response.json()["readings"][0]["code"] == "accepted"


def test_the_schema_documents_the_endpoint_with_examples():
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/devices/readings"]["post"]
    assert "application/problem+json" in operation["responses"]["413"]["content"]
    assert "application/problem+json" in operation["responses"]["403"]["content"]
    batch = schema["components"]["schemas"]["Batch"]
    assert batch["examples"][0]["readings"][0]["in"] == 12
    assert "in" in schema["components"]["schemas"]["ReadingItem"]["properties"]
