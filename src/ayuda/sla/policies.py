"""Which policy applies to a ticket (R22, R10).

The first active policy of the side, in ``position`` order, whose conditions all match; an
empty condition matches anything. A policy on a category matches that category and all its
descendants (a policy on "Printers" covers "Printers › Laser"), so a more specific policy must
come first. For the vendor side only the vendor's own policies are considered.
"""

from ayuda.tickets.models import Category, Ticket

from .models import Side, SlaPolicy


def category_ancestors(category_id: int | None) -> set[int]:
    """The category and its ancestors' ids (a short walk up the tree)."""
    ids: set[int] = set()
    while category_id is not None and category_id not in ids:
        ids.add(category_id)
        category_id = Category.objects.filter(pk=category_id).values_list("parent_id", flat=True)[0]
    return ids


def policy_matches(policy: SlaPolicy, ticket: Ticket, categories: set[int]) -> bool:
    return (
        (policy.organisation_id is None or policy.organisation_id == ticket.organisation_id)
        and (policy.site_id is None or policy.site_id == ticket.site_id)
        and (policy.priority is None or policy.priority == ticket.priority)
        and (policy.category_id is None or policy.category_id in categories)
        and (not policy.ticket_type or policy.ticket_type == ticket.type)
        and (not policy.channel or policy.channel == ticket.channel)
        and (policy.vendor_id is None or policy.vendor_id == ticket.vendor_id)
    )


def policy_match(*, ticket: Ticket, side: str = Side.DESK, vendor_id: int | None = None):
    """The policy for ``ticket``'s clock on ``side`` (a vendor's clock: ``vendor_id``'s)."""
    policies = SlaPolicy.objects.filter(is_active=True, side=side).select_related("calendar")
    if side == Side.VENDOR:
        policies = policies.filter(vendor_id=vendor_id)
    categories = category_ancestors(ticket.category_id)
    for policy in policies.order_by("position", "pk"):
        if side == Side.VENDOR:
            # the vendor condition is the vendor escalated to, already filtered
            policy_vendor, policy.vendor_id = policy.vendor_id, None
            ok = policy_matches(policy, ticket, categories)
            policy.vendor_id = policy_vendor
        else:
            ok = policy_matches(policy, ticket, categories)
        if ok:
            return policy
    return None
