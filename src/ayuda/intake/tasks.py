"""Celery tasks of the intake channels: load by id, call a service; each is safe to repeat."""

from celery import shared_task

from .models import Mailbox


@shared_task
def mailboxes_poll() -> int:
    """Beat: one poll task per active mailbox, so mailboxes are polled in parallel."""
    ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for pk in ids:
        mailbox_poll.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def mailbox_poll(mailbox_id: int) -> dict:
    from .email.imap import mailbox_poll as poll

    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return {"skipped": "inactive or deleted"}
    result = poll(mailbox)
    return {
        "ingested": result.ingested,
        "duplicates": result.duplicates,
        "skipped": result.skipped,
        "error": result.error,
    }


@shared_task(acks_late=True)
def inbound_mail_retry(mail_id: int, force: str = "") -> str:
    from .email.pipeline import inbound_mail_retry as retry

    return retry(mail_id=mail_id, force=force).status
