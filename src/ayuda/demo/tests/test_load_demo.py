"""``manage.py load_demo``: every role, state category and channel, real history, idempotent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ayuda.accounts.models import Organisation, Role, User
from ayuda.demo.data.desk import DEMO_PASSWORD
from ayuda.tickets.history import chain_verify
from ayuda.tickets.models import (
    Article,
    Category,
    Channel,
    EventAction,
    StateCategory,
    Ticket,
    TicketEvent,
)


def _load(settings, tmp_path) -> str:
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True  # the demo is for development sites
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, User, Category, Ticket, Article, TicketEvent)
    }


@pytest.mark.django_db
def test_load_demo_covers_roles_states_channels_and_is_idempotent(settings, tmp_path):
    output = _load(settings, tmp_path)

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(User.objects.values_list("language", flat=True)) == {"es", "it", "en"}
    assert set(Ticket.objects.values_list("state_category", flat=True)) == set(StateCategory.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.count() >= 200
    assert Organisation.objects.count() == 2
    assert Category.objects.filter(is_software=True).exists()
    assert Category.objects.exclude(extra_fields=[]).exists()
    printer = Category.objects.get(name="Printer")
    assert printer.display_path(language="es") == "Equipos › Impresora"
    assert printer.display_path(language="it") == "Dispositivi › Stampante"
    assert Ticket.objects.filter(vendor__isnull=False).exists()
    assert Ticket.objects.filter(referral_team__isnull=False).exists()

    modes = {e.data.get("mode") for e in TicketEvent.objects.filter(action=EventAction.ESCALATED)}
    assert {"transfer", "referral", None} <= modes  # None: escalation to the vendor
    for action in (EventAction.HANDED_BACK, EventAction.CLOSED, EventAction.REOPENED):
        assert TicketEvent.objects.filter(action=action).exists(), action

    admin = User.objects.get(role=Role.ADMIN)
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    people = User.objects.exclude(username__startswith="collector-")
    assert all(u.check_password(DEMO_PASSWORD) for u in people)
    # the devices' collectors (demo/devices.py) have API tokens only, no password
    collectors = User.objects.filter(username__startswith="collector-")
    assert collectors.count() == 2
    assert not any(u.has_usable_password() for u in collectors)

    for ticket in Ticket.objects.all():
        assert chain_verify(ticket.events.order_by("seq")) is None, ticket.pk

    logins = (tmp_path / "demo-logins.txt").read_text()
    for user in people:  # the collectors cannot log in: not listed
        assert user.username in logins and user.username in output
    assert DEMO_PASSWORD in logins

    before = _counts()
    again = _load(settings, tmp_path)
    assert "already loaded" in again
    assert _counts() == before


@pytest.mark.django_db
def test_load_demo_refuses_a_production_site(settings, tmp_path):
    # given DEBUG off, as production runs
    settings.DATA_DIR = tmp_path
    settings.DEBUG = False

    # when / then: no administrator with a published password appears
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.filter(username="admin").exists()

    # unless asked for explicitly
    call_command("load_demo", "--allow-production", stdout=StringIO())
    assert User.objects.filter(username="admin", role=Role.ADMIN).exists()
