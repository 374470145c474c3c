"""Reactions to ticket events, called after commit in the order set in settings."""


def ticket_events_notify(events) -> None:
    return None
