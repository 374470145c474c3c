"""The phone systems' admin: the "Import a file" page, the imports and the calls (read-only)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.intake.phone.models import Call, CallImport, CallSource, SourceKind
from ayuda.intake.phone.services import calls_import

from .phone_fixtures import ENGLISH_MAPPING, SPANISH_MAPPING, phone_fixture, source_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def test_admin_imports_a_queue_log_and_sees_the_refused_lines(admin_client):
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    change = admin_client.get(reverse("admin:intake_callsource_change", args=[source.pk]))
    url = reverse("admin:intake_callsource_import", args=[source.pk])

    # when
    page = admin_client.get(url)
    response = admin_client.post(url, {"file": upload("queue_log", phone_fixture("queue_log"))})

    # then
    assert url in change.content.decode()
    assert page.status_code == 200 and b'name="file"' in page.content
    record = CallImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:intake_callimport_change", args=[record.pk])
    assert (record.added, record.refused, record.user.is_superuser) == (7, 4, True)
    detail = admin_client.get(response["Location"]).content.decode()
    assert "Line 16: “abc” is not a time in seconds since 1970." in detail
    assert "abc|1772440000.9|soporte|NONE|ENTERQUEUE" in detail


def test_refused_lines_are_escaped(admin_client):
    # given: a line that is HTML
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)
    data = b"call_id,started,queue,from,agent,wait,talk,result\n"
    data += b"<script>alert(1)</script>,2026-03-02 09:00:00,q,1,,5,0,<b>lost</b>\n"
    record = calls_import(source=source, data=data, filename="x.csv")

    # when
    detail = admin_client.get(reverse("admin:intake_callimport_change", args=[record.pk]))

    # then
    body = detail.content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
    assert "“&lt;b&gt;lost&lt;/b&gt;” is not an outcome" in body


def test_binary_and_oversized_files_are_refused_on_the_form(admin_client, settings):
    # given
    source = source_make(SourceKind.ASTERISK_CDR)
    url = reverse("admin:intake_callsource_import", args=[source.pk])
    settings.AYUDA_CALL_IMPORT_MAX_BYTES = 1000

    # when
    binary = admin_client.post(url, {"file": upload("calls.xlsx", b"PK\x03\x04" + b"x" * 100)})
    big = admin_client.post(url, {"file": upload("Master.csv", b"x" * 1001)})

    # then
    assert binary.status_code == 200 and "This is not a text file" in binary.content.decode()
    assert "import_calls FILE --source NAME" in big.content.decode()
    assert not CallImport.objects.exists()


def test_a_file_refused_whole_shows_why(admin_client):
    # given
    source = source_make(SourceKind.CSV, mapping=ENGLISH_MAPPING)
    url = reverse("admin:intake_callsource_import", args=[source.pk])

    # when
    response = admin_client.post(
        url, {"file": upload("w.csv", phone_fixture("calls_wrong_columns.csv"))}, follow=True
    )

    # then
    body = response.content.decode()
    assert "The file was refused, nothing was imported" in body
    assert "does not have the mapped columns" in body
    assert not Call.objects.exists()


def test_non_staff_cannot_import(client):
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    client.force_login(user_make(role=Role.AGENT_L1))
    url = reverse("admin:intake_callsource_import", args=[source.pk])

    # when
    response = client.post(url, {"file": upload("queue_log", phone_fixture("queue_log"))})

    # then: sent to the admin's log-in, nothing imported
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not CallImport.objects.exists() and not Call.objects.exists()


def test_staff_without_permission_cannot_import(client):
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    client.force_login(user_make(role=Role.AGENT_L1, is_staff=True))
    url = reverse("admin:intake_callsource_import", args=[source.pk])

    # when
    response = client.post(url, {"file": upload("queue_log", phone_fixture("queue_log"))})

    # then
    assert response.status_code == 403
    assert not CallImport.objects.exists()


def test_source_mapping_is_checked(admin_client):
    # given
    data = {"name": "Centralita", "kind": "csv", "timezone": "Europe/Madrid",
            "mapping": '{"columns": {"arrived_at": "Fecha"}}'}  # fmt: skip

    # when
    bad = admin_client.post(reverse("admin:intake_callsource_add"), data)
    data["mapping"] = __import__("json").dumps(SPANISH_MAPPING)
    good = admin_client.post(reverse("admin:intake_callsource_add"), data)

    # then
    assert bad.status_code == 200
    assert "needs the roles outcome, waited" in bad.content.decode()
    assert good.status_code == 302 and CallSource.objects.get().mapping == SPANISH_MAPPING


def test_bad_time_zone_is_refused(admin_client):
    # when
    response = admin_client.post(
        reverse("admin:intake_callsource_add"),
        {"name": "X", "kind": "asterisk_cdr", "timezone": "Europe/Atlantis", "mapping": "{}"},
    )

    # then
    assert "“Europe/Atlantis” is not a time zone" in response.content.decode()


def test_calls_are_read_only_and_searchable_by_number(admin_client, django_assert_max_num_queries):
    # given
    source = source_make(SourceKind.ASTERISK_QUEUE_LOG)
    calls_import(source=source, data=phone_fixture("queue_log"), filename="queue_log")
    call = Call.objects.get(key="1772438500.1")
    changelist = reverse("admin:intake_call_changelist")

    # when
    with django_assert_max_num_queries(12):
        listing = admin_client.get(changelist + "?q=%2B34+612+345+678&outcome=answered")
    by_queue = admin_client.get(changelist + "?queue=ventas")
    add = admin_client.get(reverse("admin:intake_call_add"))
    edit = admin_client.post(
        reverse("admin:intake_call_change", args=[call.pk]), {"queue": "changed"}
    )

    # then: both calls from 612345678 (one written +34 612 345 678)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    assert by_queue.context["cl"].result_count == 1
    assert add.status_code == 403
    assert edit.status_code == 403
    call.refresh_from_db()
    assert call.queue == "soporte"
