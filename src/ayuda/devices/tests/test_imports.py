"""Devices from CSV files: all or nothing, bad rows reported line by line; the admin page and
``manage.py import_devices``; real (and hostile) files in fixtures/csv."""

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.devices.imports import devices_import
from ayuda.devices.models import Device

from .factories_readings import device_make

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "csv"


@pytest.fixture
def sites():
    org = organisation_make(name="Tiendas Test")
    other = organisation_make(name="Other Org")
    return {
        "madrid": site_make(organisation=org, name="Madrid", code="MAD-01"),
        "sevilla": site_make(organisation=org, name="Sevilla", code="SVQ-01"),
        "dup_a": site_make(organisation=org, name="Dup A", code="DUP"),
        "dup_b": site_make(organisation=other, name="Dup B", code="DUP"),
    }


def _import(name: str):
    return devices_import(data=(FIXTURES / name).read_bytes())


def test_a_good_file_creates_devices(sites):
    report = _import("good.csv")
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    one, two = Device.objects.order_by("serial")
    assert (one.site, one.model, one.installed_on, one.counts_entrance) == (
        sites["madrid"],
        "CountCo 3D",
        date(2025, 3, 1),
        True,
    )
    assert (two.site, two.location, two.counts_entrance, two.is_active) == (
        sites["sevilla"],
        "Back door, by the lift",
        False,
        True,  # empty: a new device is active
    )


def test_a_bom_and_semicolons_and_known_serials_are_updated(sites):
    device_make(serial="PC-1", site=sites["sevilla"], name="Old", model="Kept")
    report = _import("bom_semicolon.csv")
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    updated = Device.objects.get(serial="PC-1")
    assert (updated.site, updated.name, updated.model) == (sites["madrid"], "Puerta 1", "Kept")
    assert Device.objects.get(serial="PC-3").is_active is False


def test_a_file_not_in_utf8_is_refused_with_its_line(sites):
    report = _import("latin1.csv")
    assert [e.line for e in report.errors] == [3]
    assert "UTF-8" in report.errors[0].message
    assert not Device.objects.exists()


def test_every_bad_row_is_reported_and_nothing_is_imported(sites):
    report = _import("bad_rows.csv")
    by_line = {}
    for error in report.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert "NOWHERE" in by_line[3][0]
    assert any("already on line 2" in m for m in by_line[4])
    assert any("YYYY-MM-DD" in m for m in by_line[4])
    assert any("maybe" in m for m in by_line[4])
    assert "Organisation / Site name" in by_line[5][0]  # an ambiguous code
    assert "serial number is missing" in by_line[6][0]
    assert "fields" in by_line[7][0]
    assert not Device.objects.exists()  # line 2 was good, and still not imported


def test_a_bad_header_is_named(sites):
    report = _import("bad_header.csv")
    assert [e.line for e in report.errors] == [1, 1]
    assert "shop" in report.errors[0].message and "site" in report.errors[1].message


def test_an_empty_file_is_refused(sites):
    report = _import("empty_bom.csv")
    assert not report.ok and report.errors[0].line == 0


def test_hostile_text_is_stored_as_text(sites):
    report = _import("hostile.csv")
    assert report.ok
    device = Device.objects.get()
    assert device.serial.startswith("=HYPERLINK")
    assert device.name == "<script>alert(1)</script>"


def test_errors_are_translated(sites):
    with translation.override("es"):
        report = _import("bad_header.csv")
    assert report.errors[1].message == "Faltan columnas: site."


def test_the_command_imports_or_lists_the_problems(sites):
    out = StringIO()
    call_command("import_devices", str(FIXTURES / "good.csv"), stdout=out)
    assert "2 created" in out.getvalue()
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_devices", str(FIXTURES / "bad_rows.csv"), stderr=err)
    assert "line 3" in err.getvalue()
    assert Device.objects.count() == 2


def test_the_admin_page_imports_and_shows_bad_rows(client, sites):
    # given
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:devices_device_import")
    assert client.get(url).status_code == 200
    # when a bad file is sent
    bad = SimpleUploadedFile("d.csv", (FIXTURES / "bad_rows.csv").read_bytes())
    response = client.post(url, {"file": bad})
    # then the rows are listed and nothing is imported
    assert response.status_code == 200
    assert "NOWHERE" in response.content.decode()
    assert not Device.objects.exists()
    # when a good one is sent
    good = SimpleUploadedFile("d.csv", (FIXTURES / "good.csv").read_bytes())
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert Device.objects.count() == 2
    changelist = client.get(reverse("admin:devices_device_changelist"), {"q": "PC-1"})
    assert url in changelist.content.decode()


def test_the_admin_import_is_for_those_who_may_add_devices(client, sites):
    staff = user_make(role=Role.AGENT_L1, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:devices_device_import")).status_code == 403
