"""TEMPORARY 24x7 stand-in for the business-time arithmetic (the calendars helper's module
replaces this file at merge; the interface is fixed)."""

from datetime import datetime, timedelta


def business_add(calendar, start: datetime, minutes: int) -> datetime:
    return start + timedelta(minutes=minutes)


def business_minutes(calendar, start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


def is_open(calendar, at: datetime) -> bool:
    return True
