"""Small files and users for the portal tests."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import organisation_make, site_make, user_make
from ayuda.tickets.models import Article, Attachment, Ticket, TicketEvent
from ayuda.tickets.tests.factories import category_make

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.6478.127 Safari/537.36"
)


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def bmp_bytes() -> bytes:
    pixels = b"\x00\x00\xff\x00"
    header = b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(pixels), 0, 0, 0, 0)
    return header + info + pixels


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def requester_make(**kwargs):
    return user_make(role=Role.REQUESTER, **kwargs)


def site_admin_make(*, sites=(), organisation=None, **kwargs):
    organisation = organisation or (sites[0].organisation if sites else organisation_make())
    return user_make(role=Role.SITE_ADMIN, organisation=organisation, sites=sites, **kwargs)


def plain_category(**kwargs):
    kwargs.setdefault("name", "Printers")
    return category_make(**kwargs)


def software_category(**kwargs):
    kwargs.setdefault("name", "Invoicing software")
    kwargs.setdefault("is_software", True)
    return category_make(**kwargs)


__all__ = [
    "CHROME_WINDOWS",
    "FIREFOX_LINUX",
    "bmp_bytes",
    "exe_bytes",
    "organisation_make",
    "plain_category",
    "png_bytes",
    "requester_make",
    "site_admin_make",
    "site_make",
    "software_category",
    "upload",
]


def nothing_created() -> bool:
    """No ticket, article, attachment or event exists (a refused submission left no trace)."""
    return not (
        Ticket.objects.exists()
        or Article.objects.exists()
        or Attachment.objects.exists()
        or TicketEvent.objects.exists()
    )
