"""Running the scan (R33): each due rule's findings, then its incidents.

``scan_due`` runs every active rule whose ``every_minutes`` have passed since its
``last_run_at``. A rule is claimed with a conditional UPDATE (``last_run_at`` still what this
scan read), so two workers never run the same rule at once; running a rule twice is harmless
anyway (``incidents_apply`` is idempotent). ``manage.py scan_devices`` runs rules now.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from .incidents import ScanResult, incidents_apply
from .models import ScanRule
from .rules import kind_of

logger = logging.getLogger(__name__)


def rule_scan(*, rule: ScanRule, now: datetime | None = None) -> ScanResult:
    """One scan of ``rule``: its findings (one query) and its incidents brought in line."""
    now = now or timezone.now()
    findings = kind_of(rule).findings(rule, now=now)
    return incidents_apply(rule=rule, findings=findings, now=now)


def rule_claim(*, rule: ScanRule, now: datetime) -> bool:
    """Take ``rule``'s run at ``now``: True for exactly one of concurrent claimers."""
    claimed = ScanRule.objects.filter(pk=rule.pk, last_run_at=rule.last_run_at)
    if rule.last_run_at is None:
        claimed = ScanRule.objects.filter(pk=rule.pk, last_run_at__isnull=True)
    if claimed.update(last_run_at=now) != 1:
        return False
    rule.last_run_at = now
    return True


def rule_is_due(rule: ScanRule, now: datetime) -> bool:
    return (
        rule.last_run_at is None or rule.last_run_at + timedelta(minutes=rule.every_minutes) <= now
    )


def scan_due(*, now: datetime | None = None) -> list[ScanResult]:
    """Run every active rule that is due and that this call claims; a rule that fails is
    logged and does not stop the others."""
    now = now or timezone.now()
    results = []
    for rule in ScanRule.objects.filter(is_active=True).select_related("category"):
        if not rule_is_due(rule, now) or not rule_claim(rule=rule, now=now):
            continue
        try:
            results.append(rule_scan(rule=rule, now=now))
        except Exception:
            logger.exception("Scan rule %s (%s) failed", rule.pk, rule.kind)
    return results


def scan_now(*, rule_id: int | None = None, now: datetime | None = None) -> list[ScanResult]:
    """Run the active rules (or the one rule ``rule_id``, active or not) now, due or not."""
    now = now or timezone.now()
    rules = ScanRule.objects.select_related("category")
    rules = rules.filter(pk=rule_id) if rule_id is not None else rules.filter(is_active=True)
    results = []
    for rule in rules:
        ScanRule.objects.filter(pk=rule.pk).update(last_run_at=now)
        results.append(rule_scan(rule=rule, now=now))
    return results
