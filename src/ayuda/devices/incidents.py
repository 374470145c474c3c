"""Incidents from findings (R34): one open incident, and its ticket, per rule and subject.

``incidents_apply`` takes one rule's findings of one scan and brings the rule's incidents in
line, through the ticket services (everything lands in the tickets' history):

- a finding with no open incident opens one: a ticket on the ``monitoring`` channel, type
  incident, the rule's category and priority, the site and the device, raised by the
  organisation's health-check user (below); it links the previous closed incident of the same
  rule and subject, if any, and says so in the ticket. The database's partial unique
  constraint (one open incident per rule and subject) makes two scans at once raise one
  incident: the loser's insert fails, its savepoint (ticket included) is rolled back.
- a finding with an open incident updates its figures and ``last_failed_at``, resets its
  healthy scans, and adds at most one system message a day with the new figures.
- an open incident whose subject did not fail counts one more healthy scan; after the rule's
  ``healthy_scans_to_recover`` in a row it recovers: ``resolve`` resolves the ticket (with a
  "Recovered: ..." solution) and closes the incident; ``review`` flags it ``needs_review``,
  adds an internal note for the agents and closes the incident (for deduplication: the ticket
  stays with the agents, and a new failure opens a new incident that links this one).
- an open incident whose ticket agents resolved or closed themselves is closed; if the subject
  still fails, a new incident opens, linking it: except for a day-based finding about the very
  day the closed incident was about (the agents have dealt with that day).

The health-check user: one per organisation, username ``health-check-<organisation id>``, a
requester of the organisation without e-mail address, with an unusable password and
inactive, so it can never log in (by password, token or anything else) and is never mailed.
Site admins see its tickets in the portal because the portal shows them every ticket of their
sites (``tickets.permissions.ticket_scope``), whoever raised it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, Site, User
from ayuda.core.errors import AyudaError
from ayuda.tickets import services as ticket_services
from ayuda.tickets.extra_fields import spec_choices, specs_of
from ayuda.tickets.models import ArticleKind, Channel, SenderRole, StateCategory, TicketType

from .figures import figure_rows_text
from .models import Device, HealthIncident, OnRecovery, ScanRule
from .rules import Finding, local_time
from .templates import TemplateError, template_render

logger = logging.getLogger(__name__)

NOTE_EVERY = timedelta(days=1)  # at most one system message a day per incident
LANGUAGES = ("es", "it", "en")
CHUNK = 500


@dataclass
class ScanResult:
    rule_id: int
    findings: int = 0
    opened: int = 0
    updated: int = 0
    noted: int = 0
    healthy: int = 0
    recovered: int = 0
    closed_by_agents: int = 0
    skipped: int = 0  # lost a race to another scan, or a day the agents already dealt with
    refused: int = 0  # the ticket service refused the ticket (logged): e.g. a required field


def health_user_get(*, organisation_id: int) -> User:
    """The organisation's health-check user (see the module's docstring); made on first use."""
    username = f"health-check-{organisation_id}"
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User(
                username=username,
                first_name="Ayuda",
                last_name="health check",
                email="",
                role=Role.REQUESTER,
                organisation_id=organisation_id,
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # another scan made it first
        return User.objects.get(username=username)


def _language(code: str | None) -> str:
    code = (code or "en").lower().split("-")[0]
    return code if code in LANGUAGES else "en"


def message_render(rule: ScanRule, figures: dict, language: str) -> str:
    """The rule's message in ``language`` (else English) filled with ``figures``."""
    template = getattr(rule, f"message_{_language(language)}", "") or rule.message_en
    try:
        text = template_render(template, figures).strip()
    except TemplateError:
        text = ""
    if not text:  # a broken or empty template still yields a readable message
        text = f"{rule.name}: " + ", ".join(f"{k} = {v}" for k, v in figures.items())
    return text


def _figures_text(figures: dict) -> str:
    """The figures as "- label: value" lines, labels in the active language (devices.figures)."""
    return "\n".join(f"- {label}: {value}" for label, value in figure_rows_text(figures))


def _new_ticket_texts(rule: ScanRule, finding: Finding, previous: HealthIncident | None):
    with translation.override(_language(finding.language)):
        message = message_render(rule, finding.figures, finding.language)
        subject = message.splitlines()[0][:255]
        parts = [message, _("Figures:") + "\n" + _figures_text(finding.figures)]
        if previous is not None:
            parts.append(
                _(
                    "This failed before: it follows incident ticket #%(ticket)s, closed on "
                    "%(closed)s."
                )
                % {
                    "ticket": previous.ticket_id,
                    "closed": local_time(previous.closed_at, previous.site.timezone_name())
                    if previous.closed_at
                    else "-",
                }
            )
    return subject, "\n\n".join(parts)


def _extra_for(rule: ScanRule, finding: Finding, device: Device | None) -> dict:
    """The category's form fields that a figure (or the device's serial or model) answers:
    a people-counter category asking for the serial gets it. Choices only when offered."""
    known = dict(finding.figures)
    if device is not None:
        known |= {"serial": device.serial, "model": device.model}
    extra = {}
    for spec in specs_of(rule.category):
        value = known.get(spec.get("name"))
        if value in (None, ""):
            continue
        choices = {choice for choice, _label in spec_choices(spec)}
        if not choices or str(value) in choices:
            extra[spec["name"]] = str(value)
    return extra


def _previous_closed(rule: ScanRule, keys: list[str]) -> dict[str, HealthIncident]:
    """The newest closed incident of ``rule`` per subject key (a query per 500 keys)."""
    previous: dict[str, HealthIncident] = {}
    for start in range(0, len(keys), CHUNK):
        rows = HealthIncident.objects.filter(
            rule=rule, is_open=False, subject_key__in=keys[start : start + CHUNK]
        ).order_by("subject_key", "-closed_at", "-pk")
        for incident in rows:
            previous.setdefault(incident.subject_key, incident)
    return previous


def _open(*, rule: ScanRule, findings: list[Finding], now: datetime, result: ScanResult) -> None:
    if not findings:
        return
    previous = _previous_closed(rule, [f.subject_key for f in findings])
    sites = Site.objects.in_bulk({f.site_id for f in findings})
    devices = Device.objects.in_bulk({f.device_id for f in findings if f.device_id})
    users: dict[int, User] = {}
    for finding in findings:
        before = previous.get(finding.subject_key)
        if before is not None and finding.day and before.figures.get("day") == finding.day:
            result.skipped += 1  # the agents closed the incident about this very day
            continue
        site = sites[finding.site_id]
        organisation_id = site.organisation_id
        if organisation_id not in users:
            users[organisation_id] = health_user_get(organisation_id=organisation_id)
        subject, description = _new_ticket_texts(rule, finding, before)
        device = devices.get(finding.device_id) if finding.device_id else None
        try:
            with transaction.atomic():
                ticket = ticket_services.ticket_create(
                    requester=users[organisation_id],
                    actor=None,
                    subject=subject,
                    description=description,
                    channel=Channel.MONITORING,
                    type=TicketType.INCIDENT,
                    category=rule.category,
                    priority=rule.priority,
                    site=site,
                    device=device,
                    extra=_extra_for(rule, finding, device),
                    at=now,
                )
                HealthIncident.objects.create(
                    rule=rule,
                    subject_key=finding.subject_key,
                    device_id=finding.device_id,
                    site_id=finding.site_id,
                    ticket=ticket,
                    figures=finding.figures,
                    opened_at=now,
                    last_failed_at=now,
                    last_noted_at=now,
                    previous=before,
                )
        except IntegrityError:  # another scan opened it first: one incident
            result.skipped += 1
            continue
        except AyudaError as exc:  # e.g. the category requires a field no figure answers
            logger.warning("Scan rule %s: no ticket for %s: %s", rule.pk, finding.subject_key, exc)
            result.refused += 1
            continue
        result.opened += 1


def _update(
    *,
    rule: ScanRule,
    pairs: list[tuple[HealthIncident, Finding]],
    now: datetime,
    result: ScanResult,
) -> None:
    if not pairs:
        return
    for incident, finding in pairs:
        incident.figures = finding.figures
        incident.last_failed_at = now
        incident.healthy_scans = 0
    HealthIncident.objects.bulk_update(
        [incident for incident, _f in pairs],
        ["figures", "last_failed_at", "healthy_scans"],
        batch_size=CHUNK,
    )
    result.updated += len(pairs)
    for incident, finding in pairs:
        if now - incident.last_noted_at < NOTE_EVERY:
            continue
        with transaction.atomic():
            # Claim today's message (two scans at once add one).
            claimed = HealthIncident.objects.filter(
                pk=incident.pk, is_open=True, last_noted_at=incident.last_noted_at
            ).update(last_noted_at=now)
            if not claimed:
                continue
            with translation.override(_language(finding.language)):
                body = "\n\n".join(
                    [
                        _("Still failing. The latest figures:"),
                        message_render(rule, finding.figures, finding.language),
                        _figures_text(finding.figures),
                    ]
                )
            try:
                ticket_services.article_add_system(ticket=incident.ticket_id, body=body, at=now)
            except AyudaError:  # the ticket was closed meanwhile: the next scan sees it
                continue
        result.noted += 1


def _recover(*, rule: ScanRule, incident: HealthIncident, now: datetime) -> bool:
    """Close ``incident`` as recovered, resolve or flag its ticket; False if another scan did."""
    with transaction.atomic():
        closed = HealthIncident.objects.filter(pk=incident.pk, is_open=True).update(
            is_open=False,
            closed_at=now,
            healthy_scans=F("healthy_scans") + 1,
            needs_review=rule.on_recovery == OnRecovery.REVIEW,
        )
        if not closed:
            return False
        ticket = incident.ticket
        with translation.override(_language(ticket.organisation.language)):
            what = {
                "rule": rule.name,
                "scans": rule.healthy_scans_to_recover,
                "figures": _figures_text(incident.figures),
            }
            solution = (
                _(
                    "Recovered: “%(rule)s” passed again in %(scans)s scans in a row. The figures "
                    "when it last failed:\n%(figures)s"
                )
                % what
            )
            review = (
                _(
                    "Recovered, to review: “%(rule)s” passed again in %(scans)s scans in a row. "
                    "Check the device and resolve the ticket if all is well. The figures when it "
                    "last failed:\n%(figures)s"
                )
                % what
            )
        if rule.on_recovery == OnRecovery.RESOLVE:
            try:
                with transaction.atomic():
                    ticket_services.ticket_resolve(
                        ticket=ticket,
                        actor=None,  # the system
                        solution=solution,
                        at=now,
                    )
                return True
            except AyudaError:  # e.g. with level 2 as a referral: the agents decide
                HealthIncident.objects.filter(pk=incident.pk).update(needs_review=True)
        ticket_services.article_add_note(
            ticket=ticket,
            actor=None,
            body=review,
            sender_role=SenderRole.SYSTEM,
            kind=ArticleKind.SYSTEM,
            at=now,
        )
    return True


def incidents_apply(
    *, rule: ScanRule, findings: list[Finding], now: datetime | None = None
) -> ScanResult:
    """Bring ``rule``'s incidents in line with one scan's ``findings`` (module docstring)."""
    now = now or timezone.now()
    result = ScanResult(rule_id=rule.pk, findings=len(findings))
    by_key = {f.subject_key: f for f in findings}
    incidents = list(
        HealthIncident.objects.filter(rule=rule, is_open=True).select_related(
            "ticket", "ticket__organisation"
        )
    )
    # Tickets the agents resolved or closed themselves: their incidents close.
    done = [
        i
        for i in incidents
        if i.ticket.state_category in (StateCategory.RESOLVED, StateCategory.CLOSED)
    ]
    if done:
        result.closed_by_agents = HealthIncident.objects.filter(
            pk__in=[i.pk for i in done], is_open=True
        ).update(is_open=False, closed_at=now)
    done_keys = {i.subject_key for i in done}
    incidents = [i for i in incidents if i.subject_key not in done_keys]
    open_keys = {i.subject_key for i in incidents}

    _update(
        rule=rule,
        pairs=[(i, by_key[i.subject_key]) for i in incidents if i.subject_key in by_key],
        now=now,
        result=result,
    )
    _open(
        rule=rule,
        findings=[f for f in findings if f.subject_key not in open_keys],
        now=now,
        result=result,
    )
    healthy = [i for i in incidents if i.subject_key not in by_key]
    needed = max(1, rule.healthy_scans_to_recover)
    counting = [i.pk for i in healthy if i.healthy_scans + 1 < needed]
    for start in range(0, len(counting), CHUNK):
        HealthIncident.objects.filter(pk__in=counting[start : start + CHUNK], is_open=True).update(
            healthy_scans=F("healthy_scans") + 1
        )
    result.healthy = len(healthy)
    for incident in healthy:
        if incident.healthy_scans + 1 >= needed and _recover(rule=rule, incident=incident, now=now):
            result.recovered += 1
    return result
