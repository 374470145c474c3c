"""Factories for the intake tests."""

import itertools

from ayuda.intake.models import Mailbox, MailboxSecurity

_seq = itertools.count(1)


def mailbox_make(**kwargs) -> Mailbox:
    n = next(_seq)
    password = kwargs.pop("password", "secret")
    kwargs.setdefault("name", f"Support {n}")
    kwargs.setdefault("email_address", "support@ayuda.test")
    kwargs.setdefault("host", "127.0.0.1")
    kwargs.setdefault("port", 10143)
    kwargs.setdefault("security", MailboxSecurity.NONE)
    kwargs.setdefault("username", "ayuda")
    mailbox = Mailbox(**kwargs)
    mailbox.set_password(password)
    mailbox.save()
    return mailbox


def mail_bytes(
    *,
    sender: str = "Ana Ruiz <ana@example.com>",
    to: str = "support@ayuda.test",
    subject: str = "Help",
    body: str = "The till is broken.",
    message_id: str | None = "<m-{n}@example.com>",
    headers: dict | None = None,
) -> bytes:
    """A small plain-text mail; message_id None leaves the header out."""
    n = next(_seq)
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if message_id is not None:
        lines.append(f"Message-ID: {message_id.format(n=n)}")
    lines.append("Date: Mon, 10 Mar 2025 09:00:00 +0100")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()
