"""The figures a queue link can name (``?figure=…``): each narrows the queue to the tickets
behind one number of a report, through the reports' own roll-up. The queue applies its other
filters (dates, organisation, …) and the viewer's permissions as always.

    fcr                   resolved at the first contact
    escalated:l2          ever escalated to level 2
    escalated:vendor[:ID] ever escalated to a vendor (that vendor)
    reopened              reopened at least once
    resolved              resolved (first resolution) at all
    responded             with a first response
    how:D:H               created on weekday D (1 Monday … 7 Sunday) at hour H, viewer's zone
    age:A:B               active and created between A and B days ago (B empty: older than A)
"""

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Figure:
    where: Q
    label: str  # what the queue says it shows ("Resolved at the first contact")


def figure_filter(name: str) -> Figure | None:
    """The figure ``name`` as a filter on tickets, or None when it is not one (the queue then
    shows its other filters only)."""
    return None  # filled in with the ticket reports (issue 13)
