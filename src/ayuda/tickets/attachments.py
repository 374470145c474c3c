"""Attachment checks (R24): the type comes from the content, never from the name.

Accepted: PNG, GIF, JPEG screenshots; PDF; plain-text logs; ZIP and RAR archives (the only
way to send a BMP). Refused: everything else, including BMP outside an archive and any file
whose content does not match one of the accepted formats (a renamed executable, say).
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ayuda.core.errors import ValidationError

# Plain text by content; .eml (a forwarded mail) and .ics (an invitation) are text formats too.
TEXT_EXTENSIONS = (".txt", ".log", ".csv", ".eml", ".ics")
# The extensions a stored name may end in, per detected type; the first is the one given to a
# name that ends in none of them (a PNG sent as "evil.html" is kept as "evil.png", so no
# program opens it as a web page).
EXTENSIONS = {
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "application/pdf": (".pdf",),
    "application/zip": (".zip",),
    "application/vnd.rar": (".rar",),
    "text/plain": TEXT_EXTENSIONS,
}
MAX_NAME = 200


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes
    inline: bool = False
    content_id: str = ""  # a mail part's Content-ID, which its HTML cites as "cid:…"
    sha256: str = field(default="", compare=False)

    @property
    def size(self) -> int:
        return len(self.content)

    def digest(self) -> str:
        return self.sha256 or hashlib.sha256(self.content).hexdigest()


def _is_text(content: bytes) -> bool:
    if b"\x00" in content[:65536]:
        return False
    sample = content[:65536]
    for encoding in ("utf-8", "utf-16"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    # Latin-1 logs: accept if nearly all bytes are printable or whitespace.
    printable = sum(1 for b in sample if b >= 32 or b in (9, 10, 13))
    return printable >= 0.97 * len(sample)


def detect_content_type(name: str, content: bytes) -> str | None:
    """The MIME type of an accepted format, or None if the content is not accepted."""
    head = content[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                archive.infolist()
        except zipfile.BadZipFile:
            return None
        return "application/zip"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if head.startswith(b"BM"):
        return None  # BMP: only inside ZIP or RAR
    if name.lower().endswith(TEXT_EXTENSIONS) and content and _is_text(content):
        return "text/plain"
    return None


def attachment_check(file: IncomingFile) -> str:
    """Return the content type of an acceptable file or raise a translated ValidationError."""
    max_bytes = settings.AYUDA_ATTACHMENT_MAX_BYTES
    if file.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": file.name})
    if file.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {
                "name": file.name,
                "size": filesizeformat(file.size),
                "limit": filesizeformat(max_bytes),
            }
        )
    content_type = detect_content_type(file.name, file.content)
    if content_type is None:
        if file.content[:2] == b"BM":
            raise ValidationError(
                _("“%(name)s” is a BMP image: compress it into a ZIP or RAR archive first.")
                % {"name": file.name}
            )
        raise ValidationError(
            _(
                "“%(name)s” is not an accepted file type. Send PNG, GIF or JPEG screenshots, "
                "PDF documents, plain-text logs, or ZIP or RAR archives."
            )
            % {"name": file.name}
        )
    return content_type


def attachments_count_check(count: int) -> None:
    """Refuse too many files; forms call it before reading any upload into memory."""
    max_count = settings.AYUDA_ATTACHMENT_MAX_COUNT
    if count > max_count:
        raise ValidationError(
            _("Too many attachments: at most %(count)d files per message.") % {"count": max_count},
            field="attachments",
        )


def attachments_check(files: list[IncomingFile]) -> list[str]:
    attachments_count_check(len(files))
    return [attachment_check(f) for f in files]


def safe_filename(name: str) -> str:
    """A file name without path parts or control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return (name or "attachment")[-MAX_NAME:]


def attachment_filename(*, name: str, content_type: str) -> str:
    """The name a file is stored and served under: ``safe_filename(name)`` ending in an
    extension of ``content_type`` (the detected type). A name that already does is kept as
    it is ("report.PDF", "photo.jpeg"); otherwise its last extension is replaced and the
    stem kept ("evil.html" -> "evil.png", "screenshot" -> "screenshot.png")."""
    name = safe_filename(name)
    extensions = EXTENSIONS.get(content_type)
    if not extensions or name.lower().endswith(extensions):
        return name
    stem = name.rstrip(". ")
    if "." in stem and not stem.lower().endswith(extensions):
        stem = stem.rsplit(".", 1)[0]
    if stem.lower().endswith(extensions):  # "report.pdf.exe" -> "report.pdf"
        return stem[-MAX_NAME:]
    stem = stem.rstrip(". ") or "attachment"
    return stem[: MAX_NAME - len(extensions[0])] + extensions[0]
