"""The scan rule form and admin (R33): bad thresholds and templates are clear errors."""

import pytest

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.devices.forms import ScanRuleForm
from ayuda.devices.models import ScanRule
from ayuda.tickets.tests.factories import category_make

from .scanning import organisation_make, site_make

pytestmark = pytest.mark.django_db


def form_data(**kwargs):
    data = {
        "name": "Offline",
        "kind": "device_silent",
        "threshold": "3",
        "every_minutes": "60",
        "category": category_make(name="Device health").pk,
        "priority": "2",
        "message_en": "{device} silent for {days_silent} days",
        "on_recovery": "resolve",
        "healthy_scans_to_recover": "2",
        "is_active": "on",
        "position": "0",
    }
    return data | kwargs


def test_a_good_rule_saves():
    form = ScanRuleForm(data=form_data())
    assert form.is_valid(), form.errors
    rule = form.save()
    assert rule.threshold == 3 and rule.kind == "device_silent"


def test_an_empty_threshold_takes_the_kinds_default():
    form = ScanRuleForm(data=form_data(kind="in_out_discrepancy", threshold="", message_en="x"))
    assert form.is_valid(), form.errors
    assert form.save().threshold == 10


@pytest.mark.parametrize(
    ("kind", "threshold"),
    [("device_silent", "0"), ("device_silent", "400"), ("in_out_discrepancy", "150")],
)
def test_a_threshold_out_of_range_is_a_form_error(kind, threshold):
    form = ScanRuleForm(data=form_data(kind=kind, threshold=threshold, message_en="x"))
    assert not form.is_valid()
    assert "between" in form.errors["threshold"][0]
    assert not ScanRule.objects.exists()


@pytest.mark.parametrize(
    ("field", "template"),
    [
        ("message_en", "{device.__class__}"),
        ("message_es", "{0}"),
        ("message_it", "{password}"),
        ("message_en", "{in}"),  # a figure of another kind
        ("message_en", "{device:>9}"),
    ],
)
def test_a_template_naming_an_unknown_field_is_a_form_error(field, template):
    form = ScanRuleForm(data=form_data(**{field: template}))
    assert not form.is_valid()
    assert field in form.errors
    assert not ScanRule.objects.exists()


def test_unknown_kind_and_site_of_another_organisation_are_refused():
    assert "kind" in ScanRuleForm(data=form_data(kind="os.system")).errors
    org = organisation_make()
    form = ScanRuleForm(data=form_data(organisation=org.pk, site=site_make().pk))
    assert "site" in form.errors


def test_the_admin_pages_work(client):
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/devices/scanrule/add/").status_code == 200
    response = client.post("/admin/devices/scanrule/add/", form_data(message_en="{0}"))
    assert response.status_code == 200 and not ScanRule.objects.exists()
    response = client.post("/admin/devices/scanrule/add/", form_data())
    assert response.status_code == 302 and ScanRule.objects.count() == 1
    assert client.get("/admin/devices/scanrule/").status_code == 200
    assert client.get("/admin/devices/healthincident/").status_code == 200
