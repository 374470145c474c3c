"""Courtesy updates (R23): when a next-update target warns and nothing public went out since
the last update, alert the owner; and, if the policy says so, tell the customer where the
ticket stands, in their language, as a public system message (mailed by the usual path and
counted as an update). Once per target: the warning's claim in ``check.py`` is the guard."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation

from ayuda.tickets.models import Article, SenderRole, StateCategory

from .alerts import alert_users, recipients_for
from .models import SlaAction, SlaEvent, SlaEventKind, SlaTarget

LANGUAGES = ("es", "it", "en")


def courtesy_text(*, ticket, language: str) -> str:
    language = language if language in LANGUAGES else "en"
    with translation.override(language):
        state = StateCategory(ticket.state_category).label
        return render_to_string(
            "sla/courtesy_update.txt",
            {"ticket": ticket, "state": state, "owner": ticket.owner},
        ).strip()


def courtesy_update(*, target: SlaTarget, now: datetime) -> bool:
    """Alert the owner and (by policy) update the customer; False if an update already went
    out since the target started."""
    from ayuda.tickets.services import article_add_system

    clock, ticket = target.clock, target.clock.ticket
    public_since = Article.objects.filter(
        ticket_id=ticket.pk,
        internal=False,
        sender_role__in=[SenderRole.AGENT, SenderRole.SYSTEM],
        created_at__gt=target.started_at,
    ).exists()
    if public_since:
        return False
    owners = recipients_for(ticket=ticket, action=SlaAction.NOTIFY_OWNER)
    alert_users(
        recipients=owners,
        kind="next_update_due",
        ticket=ticket,
        data={
            "target": target.kind,
            "due_at": target.due_at.isoformat() if target.due_at else None,
        },
    )
    if not clock.policy.courtesy_updates:
        return True
    body = courtesy_text(ticket=ticket, language=ticket.requester.language)
    article = article_add_system(ticket=ticket, body=body, at=now)
    SlaEvent.objects.create(
        clock=clock,
        at=now,
        kind=SlaEventKind.WARNED,
        target=target.kind,
        data={"courtesy_article_id": article.pk},
    )
    return True
