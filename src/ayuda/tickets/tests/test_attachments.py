"""Attachment checks: the type comes from the content; sizes and counts are limited."""

import pytest
from django.test import override_settings

from ayuda.core.errors import ValidationError
from ayuda.tickets import services
from ayuda.tickets.attachments import (
    IncomingFile,
    attachment_check,
    attachment_filename,
    attachments_check,
)
from ayuda.tickets.models import Article, Attachment, Channel, Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make
from ayuda.tickets.tests.files import (
    bmp_bytes,
    elf_bytes,
    exe_bytes,
    gif_bytes,
    jpeg_bytes,
    log_bytes,
    pdf_bytes,
    png_bytes,
    rar_bytes,
    zip_bytes,
)

ACCEPTED = [
    ("screen.png", png_bytes, "image/png"),
    ("anim.gif", gif_bytes, "image/gif"),
    ("photo.jpg", jpeg_bytes, "image/jpeg"),
    ("manual.pdf", pdf_bytes, "application/pdf"),
    ("screens.zip", zip_bytes, "application/zip"),
    ("screens.rar", rar_bytes, "application/vnd.rar"),
    ("server.log", log_bytes, "text/plain"),
    ("notes.txt", lambda: "línea uno\nriga due\n".encode("latin-1"), "text/plain"),
    (
        "forwarded.eml",
        lambda: b"From: a@example.com\r\nSubject: Hola\r\n\r\nBody\r\n",
        "text/plain",
    ),
    ("meeting.ics", lambda: b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "text/plain"),
    # The name does not matter for a recognised format.
    ("screenshot.dat", png_bytes, "image/png"),
]


@pytest.mark.parametrize(("name", "make", "content_type"), ACCEPTED)
def test_each_accepted_type_is_recognised_by_its_content(name, make, content_type):
    # given
    upload = IncomingFile(name, make())

    # when
    detected = attachment_check(upload)

    # then
    assert detected == content_type


def test_a_bmp_is_refused_with_advice_to_compress_it():
    # given
    upload = IncomingFile("screen.bmp", bmp_bytes())

    # when
    with pytest.raises(ValidationError) as refused:
        attachment_check(upload)

    # then
    assert refused.value.message == (
        "“screen.bmp” is a BMP image: compress it into a ZIP or RAR archive first."
    )


def test_a_bmp_inside_a_zip_is_accepted():
    # given
    upload = IncomingFile("screens.zip", zip_bytes({"a.bmp": bmp_bytes(), "b.bmp": bmp_bytes()}))

    # when
    detected = attachment_check(upload)

    # then
    assert detected == "application/zip"


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("invoice.png", exe_bytes),
        ("photo.jpg", elf_bytes),
        ("readme.txt", exe_bytes),
        ("report.pdf", elf_bytes),
        ("broken.zip", lambda: b"PK\x03\x04 this is not really a zip archive"),
        ("tool.exe", exe_bytes),
        ("page.html", lambda: b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_renamed_executable_or_unknown_content_is_refused(name, make):
    # given
    upload = IncomingFile(name, make())

    # when
    with pytest.raises(ValidationError) as refused:
        attachment_check(upload)

    # then
    assert refused.value.message.startswith(f"“{name}” is not an accepted file type.")


@override_settings(AYUDA_ATTACHMENT_MAX_BYTES=64)
def test_a_file_over_the_size_limit_is_refused():
    # given
    upload = IncomingFile("big.log", b"x" * 65)

    # when
    with pytest.raises(ValidationError) as refused:
        attachment_check(upload)

    # then
    assert "too large" in refused.value.message
    assert "65" in refused.value.message


@override_settings(AYUDA_ATTACHMENT_MAX_BYTES=64)
def test_a_file_of_exactly_the_size_limit_is_accepted():
    # given
    upload = IncomingFile("edge.log", b"x" * 64)

    # when
    detected = attachment_check(upload)

    # then
    assert detected == "text/plain"


def test_an_empty_file_is_refused():
    # given
    upload = IncomingFile("empty.log", b"")

    # when
    with pytest.raises(ValidationError) as refused:
        attachment_check(upload)

    # then
    assert refused.value.message == "“empty.log” is empty."


@override_settings(AYUDA_ATTACHMENT_MAX_COUNT=3)
def test_too_many_files_are_refused_and_the_limit_itself_is_fine():
    # given
    three = [IncomingFile(f"{n}.png", png_bytes()) for n in range(3)]
    four = [*three, IncomingFile("3.png", png_bytes())]

    # when
    accepted = attachments_check(three)
    with pytest.raises(ValidationError) as refused:
        attachments_check(four)

    # then
    assert accepted == ["image/png"] * 3
    assert "Too many attachments: at most 3 files" in refused.value.message


def test_one_bad_file_among_good_ones_refuses_the_lot():
    # given
    files = [IncomingFile("a.png", png_bytes()), IncomingFile("b.jpg", elf_bytes())]

    # when / then
    with pytest.raises(ValidationError):
        attachments_check(files)


# --- through the services -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "files",
    [
        [IncomingFile("screen.bmp", bmp_bytes())],
        [IncomingFile("fine.png", png_bytes()), IncomingFile("virus.png", exe_bytes())],
        [IncomingFile("empty.log", b"")],
    ],
    ids=["bmp", "renamed_exe", "empty"],
)
def test_ticket_create_with_a_bad_attachment_creates_nothing(files):
    # given
    desk = desk_make()

    # when
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=desk.requester,
            actor=desk.requester,
            subject="Printer",
            description="See attached",
            channel=Channel.PORTAL,
            attachments=files,
        )

    # then
    assert not Ticket.objects.exists()
    assert not Article.objects.exists()
    assert not TicketEvent.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@override_settings(AYUDA_ATTACHMENT_MAX_COUNT=2)
def test_ticket_create_with_too_many_attachments_creates_nothing():
    # given
    desk = desk_make()
    files = [IncomingFile(f"{n}.png", png_bytes()) for n in range(3)]

    # when
    with pytest.raises(ValidationError):
        services.ticket_create(
            requester=desk.requester,
            actor=desk.requester,
            subject="Printer",
            description="See attached",
            channel=Channel.PORTAL,
            attachments=files,
        )

    # then
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


@pytest.mark.django_db
def test_ticket_create_stores_good_attachments_with_their_detected_type():
    # given
    desk = desk_make()
    files = [
        IncomingFile("screen.png", png_bytes()),
        IncomingFile("screens.zip", zip_bytes()),
        IncomingFile("server.log", log_bytes()),
    ]

    # when
    ticket = services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="Printer",
        description="See attached",
        channel=Channel.PORTAL,
        attachments=files,
    )

    # then
    stored = list(ticket.attachments.order_by("id").values_list("filename", "content_type"))
    assert stored == [
        ("screen.png", "image/png"),
        ("screens.zip", "application/zip"),
        ("server.log", "text/plain"),
    ]
    assert all(a.article_id == ticket.articles.get().pk for a in ticket.attachments.all())
    assert list(ticket.events.order_by("seq").values_list("action", "new_value")) == [
        ("created", "Printer"),
        ("attachment_added", "screen.png"),
        ("attachment_added", "screens.zip"),
        ("attachment_added", "server.log"),
    ]


# --- the stored name ends in the detected type's extension ----------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("evil.html", "image/png", "evil.png"),
        ("evil.png", "image/png", "evil.png"),
        ("SCREEN.PNG", "image/png", "SCREEN.PNG"),
        ("report.PDF", "application/pdf", "report.PDF"),
        ("report.pdf.exe", "application/pdf", "report.pdf"),
        ("invoice.svg", "application/pdf", "invoice.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("photo.gif", "image/jpeg", "photo.jpg"),
        ("anim.js", "image/gif", "anim.gif"),
        ("screens.exe", "application/zip", "screens.zip"),
        ("screens.jar", "application/zip", "screens.zip"),
        ("screens.zip", "application/vnd.rar", "screens.rar"),
        ("server.log", "text/plain", "server.log"),
        ("meeting.ics", "text/plain", "meeting.ics"),
        ("screenshot", "image/png", "screenshot.png"),
        ("evil.png.", "image/png", "evil.png"),
        ("a" * 199 + ".html", "image/png", "a" * 195 + ".png"),
    ],
)
def test_attachment_filename_ends_in_the_extension_of_the_detected_type(
    name, content_type, expected
):
    # when
    shown = attachment_filename(name=name, content_type=content_type)

    # then
    assert shown == expected
    assert len(shown) <= 200


@pytest.mark.django_db
def test_a_png_named_html_is_stored_under_the_png_extension():
    # given: a PNG with HTML appended, named as a web page
    desk = desk_make()
    content = png_bytes() + b"<html><script>alert(1)</script></html>"

    # when
    ticket = services.ticket_create(
        requester=desk.requester,
        actor=desk.requester,
        subject="Screen",
        description="See attached",
        channel=Channel.PORTAL,
        attachments=[IncomingFile("evil.html", content)],
    )

    # then
    attachment = ticket.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("evil.png", "image/png")
    assert attachment.file.name.endswith("/evil.png")
    added = ticket.events.get(action="attachment_added")
    assert added.new_value == "evil.png"
