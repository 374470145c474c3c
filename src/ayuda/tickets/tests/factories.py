"""Factories for tickets. ``ticket_make`` goes through the real service, like users do."""

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.tickets import services
from ayuda.tickets.models import Category, Channel, Ticket


def category_make(**kwargs) -> Category:
    kwargs.setdefault("name", "Hardware")
    return Category.objects.get_or_create(
        name=kwargs.pop("name"), parent=kwargs.pop("parent", None), defaults=kwargs
    )[0]


def ticket_make(*, requester=None, actor=None, **kwargs) -> Ticket:
    requester = requester or user_make(role=Role.REQUESTER)
    kwargs.setdefault("subject", "Printer on fire")
    kwargs.setdefault("description", "It smells of smoke.")
    kwargs.setdefault("channel", Channel.PORTAL)
    return services.ticket_create(requester=requester, actor=actor or requester, **kwargs)
