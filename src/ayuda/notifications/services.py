"""Outgoing mail: decide, render, queue, deliver, retry, record (R23).

Flow: a ticket change commits -> ``handlers.ticket_events_notify`` enqueues one task with the
event numbers -> ``notify_for_events`` (in a worker) decides who gets what, renders it in the
recipient's language and records an ``OutgoingMessage`` per mail (idempotent on
``dedup_key``) -> ``outgoing_deliver`` sends it by SMTP. A failed send is retried with
exponential back-off by ``outgoing_retry_due`` (Celery beat); nothing ever blocks the
request that caused the mail.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ayuda.tickets.attachments import attachment_filename
from ayuda.tickets.models import (
    Article,
    EventAction,
    SenderRole,
    StateCategory,
    Ticket,
    TicketEvent,
)

from .acknowledgements import acknowledgement_withheld
from .models import DeliveryStatus, OutgoingKind, OutgoingMessage

logger = logging.getLogger(__name__)

LOOP_HEADER = "X-Ayuda-Loop"
STATE_NOTIFIED = {
    StateCategory.PENDING_CUSTOMER,
    StateCategory.RESOLVED,
    StateCategory.CLOSED,
}


def from_address(ticket: Ticket | None = None) -> str:
    """The sender of our mail: the address the ticket came in by when a channel knows it
    (``AYUDA_EMAIL_FROM_RESOLVER``, set to the e-mail intake's), else the configured one."""
    resolver = getattr(settings, "AYUDA_EMAIL_FROM_RESOLVER", "")
    if ticket is not None and resolver:
        try:
            found = import_string(resolver)(ticket)
        except Exception:
            logger.exception("The From resolver failed for ticket %s", ticket.pk)
            found = ""
        if found:
            return found
    return getattr(settings, "AYUDA_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL


def ticket_url(ticket: Ticket) -> str:
    try:
        path = reverse("portal:ticket", args=[ticket.pk])
    except NoReverseMatch:
        path = f"/portal/tickets/{ticket.pk}/"
    return f"{settings.AYUDA_BASE_URL.rstrip('/')}{path}"


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "ayuda.localhost"


def ticket_subject(ticket: Ticket, text: str) -> str:
    return f"[#{ticket.pk}] {text}"[:500]


# -- deciding who gets what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    kind: str
    event: TicketEvent
    recipient: str
    language: str
    article: Article | None = None


def notifications_plan(ticket: Ticket, events: list[TicketEvent]) -> list[Planned]:
    """The mails a batch of events (one ticket write) calls for. Internal notes: none.

    One mail per reason: a customer's message gets an acknowledgement (and no separate mail
    for the reopening it caused); an agent's reply is mailed as is, except when the same write
    resolves or closes the ticket, where the state mail carries the solution.
    """
    requester = ticket.requester
    to_requester = (requester.email or "").strip().lower()
    lang = requester.language or settings.LANGUAGE_CODE
    state_events = [e for e in events if e.action == EventAction.CHANGED and e.field == "state"]
    final_category = (state_events[-1].data or {}).get("to_category") if state_events else None
    closing = final_category in (StateCategory.RESOLVED, StateCategory.CLOSED)
    articles = {
        a.pk: a
        for a in Article.objects.filter(
            pk__in=[e.data.get("article_id") for e in events if e.data.get("article_id")]
        )
    }
    planned: list[Planned] = []
    customer_wrote = agent_replied = False
    agent_article = None
    for event in events:
        data = event.data or {}
        if event.action in (EventAction.CREATED, EventAction.ARTICLE_ADDED):
            if data.get("internal"):
                continue
            article = articles.get(data.get("article_id"))
            role = data.get("sender_role")
            if role == SenderRole.CUSTOMER and to_requester:
                customer_wrote = True
                planned.append(
                    Planned(OutgoingKind.ACKNOWLEDGEMENT, event, to_requester, lang, article)
                )
            elif role == SenderRole.AGENT and to_requester and article is not None:
                agent_replied, agent_article = True, article
                if not closing:
                    planned.append(Planned(OutgoingKind.REPLY, event, to_requester, lang, article))
        elif event.action == EventAction.ESCALATED and data.get("to_level") == "vendor":
            vendor = ticket.vendor
            if vendor is not None and vendor.email:
                planned.append(
                    Planned(
                        OutgoingKind.VENDOR_ESCALATION,
                        event,
                        vendor.email.lower(),
                        vendor.language or settings.LANGUAGE_CODE,
                    )
                )
    for event in state_events:
        if not to_requester or customer_wrote or event.actor_id == requester.pk:
            continue  # the acknowledgement already tells them
        data = event.data or {}
        to_category, from_category = data.get("to_category"), data.get("from_category")
        if to_category == StateCategory.PENDING_CUSTOMER and agent_replied:
            continue  # the reply asks the question itself
        reopened = to_category == StateCategory.OPEN and from_category in (
            StateCategory.RESOLVED,
            StateCategory.CLOSED,
        )
        if to_category in STATE_NOTIFIED or reopened:
            planned.append(
                Planned(OutgoingKind.STATE_CHANGED, event, to_requester, lang, agent_article)
            )
    return planned


# -- rendering ----------------------------------------------------------------------------------


def _thread_headers(ticket: Ticket, recipient_side: str) -> tuple[str, list[str]]:
    """In-Reply-To and References for a mail on ``ticket``: the last mail from that side,
    and the chain since the first one."""
    articles = Article.objects.filter(ticket=ticket)
    outgoing = OutgoingMessage.objects.filter(ticket=ticket).exclude(
        status=DeliveryStatus.SUPPRESSED
    )
    if recipient_side == "vendor":
        # Only this vendor's own thread: a vendor escalated to later never sees another's.
        articles = articles.filter(sender_role=SenderRole.VENDOR, vendor_id=ticket.vendor_id)
        outgoing = outgoing.filter(
            kind=OutgoingKind.VENDOR_ESCALATION, to_address__iexact=ticket.vendor.email
        )
    else:
        articles = articles.filter(sender_role=SenderRole.CUSTOMER)
        outgoing = outgoing.exclude(kind=OutgoingKind.VENDOR_ESCALATION)
    received = list(
        articles.exclude(message_id="")
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    sent = list(outgoing.order_by("created_at", "pk").values_list("message_id", flat=True))
    chain = (received[:1] + sent[-3:] + received[-3:])[-10:]
    references: list[str] = []
    for mid in chain:
        if mid not in references:
            references.append(mid)
    in_reply_to = received[-1] if received else (sent[-1] if sent else "")
    return in_reply_to, references


def _render(plan: Planned, ticket: Ticket) -> tuple[str, str, str]:
    context = {
        "ticket": ticket,
        "number": ticket.pk,
        "requester_name": ticket.requester.first_name or ticket.requester.display_name(),
        "article": plan.article,
        "event": plan.event,
        "url": ticket_url(ticket),
        "vendor": ticket.vendor,
        "reason": (plan.event.data or {}).get("reason", ""),
        "solution": ticket.solution,
        "first_article": ticket.articles.filter(internal=False)
        .order_by("created_at", "pk")
        .first(),
    }
    with translation.override(plan.language):
        # Configured names in the recipient's language, not the language of whoever acted.
        context["state"] = ticket.state.display_name if ticket.state_id else ""
        context["to_category"] = (plan.event.data or {}).get("to_category", "")
        if plan.kind == OutgoingKind.ACKNOWLEDGEMENT:
            is_new = plan.event.action == EventAction.CREATED
            context["is_new"] = is_new
            if is_new:
                # Known problems the new ticket matches: their public notice (R21).
                from ayuda.knowledge.problems_selectors import bulletin_notices_for

                context["bulletins"] = bulletin_notices_for(ticket)
            subject = (
                _("We have received your request: %(s)s")
                if is_new
                else _("We have received your message: %(s)s")
            ) % {"s": ticket.subject}
        elif plan.kind == OutgoingKind.REPLY:
            subject = ticket.subject
        elif plan.kind == OutgoingKind.STATE_CHANGED:
            subject = _("%(s)s — now “%(state)s”") % {
                "s": ticket.subject,
                "state": context["state"],
            }
        else:
            subject = _("Escalation: %(s)s") % {"s": ticket.subject}
            # The device, the incident's figures and the guide's answers (docs/knowledge.md).
            from ayuda.knowledge.selectors import escalation_brief

            context["brief"] = escalation_brief(ticket=ticket)
        template = f"notifications/email/{plan.kind}"
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return ticket_subject(ticket, subject), text.strip() + "\n", html


def notify_for_events(*, ticket_id: int, seqs: list[int]) -> list[OutgoingMessage]:
    """Record the mails for these events of a ticket. Safe to run twice."""
    ticket = (
        Ticket.objects.select_related("requester", "state", "vendor").filter(pk=ticket_id).first()
    )
    if ticket is None:
        return []
    events = list(TicketEvent.objects.filter(ticket_id=ticket_id, seq__in=seqs).order_by("seq"))
    messages = []
    sender = from_address(ticket)
    for plan in notifications_plan(ticket, events):
        key = f"{ticket.pk}:{plan.event.seq}:{plan.kind}:{plan.recipient}"[:300]
        existing = OutgoingMessage.objects.filter(dedup_key=key).first()
        if existing is not None:
            messages.append(existing)
            continue
        subject, text, html = _render(plan, ticket)
        side = "vendor" if plan.kind == OutgoingKind.VENDOR_ESCALATION else "customer"
        in_reply_to, references = _thread_headers(ticket, side)
        withheld = acknowledgement_withheld(kind=plan.kind, article=plan.article, ticket=ticket)
        message = OutgoingMessage(
            ticket=ticket,
            article=plan.article,
            kind=plan.kind,
            dedup_key=key,
            language=plan.language,
            from_address=sender,
            to_address=plan.recipient,
            subject=subject,
            body_text=text,
            body_html=html,
            message_id=make_msgid(
                idstring=f"ayuda.{ticket.pk}.{plan.kind}", domain=_domain(sender)
            ),
            in_reply_to=in_reply_to,
            references=" ".join(references),
            auto_submitted=plan.kind != OutgoingKind.REPLY,
            # The send task is enqueued at once; the sweep only picks it up if that was lost.
            next_attempt_at=None if withheld else timezone.now() + timedelta(seconds=60),
            status=DeliveryStatus.SUPPRESSED if withheld else DeliveryStatus.QUEUED,
            last_error=withheld,
        )
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            message = OutgoingMessage.objects.get(dedup_key=key)
        messages.append(message)
    return messages


# -- delivery -----------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    base = settings.AYUDA_EMAIL_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def outgoing_build(message: OutgoingMessage) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": message.message_id,
        LOOP_HEADER: settings.AYUDA_EMAIL_INSTANCE_ID,
    }
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.auto_submitted:
        # RFC 3834, and Exchange's own switch: out-of-office replies must not answer these.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_address,
        to=[message.to_address],
        headers=headers,
    )
    if message.body_html:
        mail.attach_alternative(message.body_html, "text/html")
    if message.kind == OutgoingKind.REPLY and message.article_id:
        _attach_files(mail, message.article)
    return mail


def _attach_files(mail: EmailMultiAlternatives, article: Article) -> None:
    """The reply's files go with it, up to AYUDA_EMAIL_ATTACH_MAX_BYTES in all; the body links
    to the ticket for anything larger."""
    budget = settings.AYUDA_EMAIL_ATTACH_MAX_BYTES
    for attachment in article.attachments.order_by("pk"):
        if attachment.size > budget:
            continue
        with attachment.file.open("rb") as handle:
            name = attachment_filename(
                name=attachment.filename, content_type=attachment.content_type
            )
            mail.attach(name, handle.read(), attachment.content_type)
        budget -= attachment.size


def outgoing_deliver(*, message_pk: int) -> OutgoingMessage | None:
    """Send one message if it is due. Safe to call twice: a sent message is never resent."""
    with transaction.atomic():
        message = OutgoingMessage.objects.select_for_update().filter(pk=message_pk).first()
        if message is None or message.status in (
            DeliveryStatus.SENT,
            DeliveryStatus.FAILED,
            DeliveryStatus.BOUNCED,
            DeliveryStatus.SUPPRESSED,
        ):
            return message
        if message.status == DeliveryStatus.SENDING and message.next_attempt_at > timezone.now():
            return message  # another worker is sending it right now
        message.status = DeliveryStatus.SENDING
        message.attempts += 1
        message.next_attempt_at = timezone.now() + timedelta(
            seconds=settings.AYUDA_EMAIL_SENDING_TIMEOUT
        )
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
    try:
        outgoing_build(message).send()
    except Exception as exc:  # SMTP, DNS, TLS: all retried
        give_up = message.attempts >= settings.AYUDA_EMAIL_MAX_ATTEMPTS
        message.status = DeliveryStatus.FAILED if give_up else DeliveryStatus.RETRYING
        message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        message.next_attempt_at = None if give_up else timezone.now() + _backoff(message.attempts)
        logger.warning("Sending %s failed (attempt %s): %s", message.pk, message.attempts, exc)
    else:
        message.status = DeliveryStatus.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.next_attempt_at = None
    message.save(update_fields=["status", "last_error", "next_attempt_at", "sent_at"])
    return message


def outgoing_due_ids(*, limit: int = 500) -> list[int]:
    """Messages to (re)send now: queued or retrying and due, or stuck while sending."""
    now = timezone.now()
    return list(
        OutgoingMessage.objects.filter(
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.SENDING],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def notice_queue(*, user, subject: str, body: str, dedup_key: str) -> OutgoingMessage | None:
    """Queue a plain notice to one user (e.g. "your webhook was disabled"), already written in
    their language, and send it after commit. Once per ``dedup_key``; None without an address."""
    address = (user.email or "").strip().lower()
    if not address:
        return None
    key = f"notice:{dedup_key}"[:300]
    sender = from_address()
    message = OutgoingMessage(
        kind=OutgoingKind.NOTICE,
        dedup_key=key,
        language=user.language or settings.LANGUAGE_CODE,
        from_address=sender,
        to_address=address,
        subject=subject[:500],
        body_text=body.strip() + "\n",
        message_id=make_msgid(idstring="ayuda.notice", domain=_domain(sender)),
        next_attempt_at=timezone.now() + timedelta(seconds=60),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return OutgoingMessage.objects.get(dedup_key=key)
    transaction.on_commit(lambda: _send_soon(message.pk))
    return message


def _send_soon(message_pk: int) -> None:
    from .tasks import outgoing_send

    try:
        outgoing_send.delay(message_pk)
    except Exception:  # a broker outage: outgoing_retry_due sends it once it is due
        logger.exception("Could not enqueue outgoing message %s", message_pk)


def outgoing_retry_now(*, message_pk: int) -> None:
    """An administrator's "send again": a failed or bounced message goes back in the queue."""
    OutgoingMessage.objects.filter(pk=message_pk).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.RETRYING, next_attempt_at=timezone.now()
    )


def outgoing_mark_bounced(*, message_ids: list[str], reason: str) -> list[OutgoingMessage]:
    """A delivery status notification came back for mail we sent. Returns the messages it
    newly marks bounced (a second report of the same bounce changes nothing)."""
    if not message_ids:
        return []
    messages = list(
        OutgoingMessage.objects.filter(message_id__in=message_ids)
        .exclude(status__in=[DeliveryStatus.BOUNCED, DeliveryStatus.SUPPRESSED])
        .select_related("ticket")
    )
    OutgoingMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=DeliveryStatus.BOUNCED, last_error=reason[:2000], next_attempt_at=None
    )
    return messages


def recipient_display(name: str, address: str) -> str:
    return formataddr((name, address))
