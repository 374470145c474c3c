"""Which policy applies, and the policy form's checks."""

import pytest
from django.utils import translation

from ayuda.sla.forms import SlaPolicyForm
from ayuda.sla.models import Side, SlaPolicy
from ayuda.sla.policies import policy_match
from ayuda.tickets.models import Channel, Priority, TicketType
from ayuda.tickets.tests.factories import category_make, ticket_make

from .conftest import policy_make

pytestmark = pytest.mark.django_db


def test_first_matching_active_policy_in_position_order(desk, always):
    ticket = ticket_make(requester=desk.requester)
    assert ticket.organisation == desk.organisation
    policy_make(always, name="Inactive", position=0, is_active=False)
    policy_make(always, name="Urgent", position=1, priority=Priority.URGENT)
    policy_make(always, name="Catch-all", position=3)
    policy_make(always, name="Customer", position=2, organisation=desk.organisation)
    assert policy_match(ticket=ticket).name == "Customer"
    ticket.priority = Priority.URGENT
    assert policy_match(ticket=ticket).name == "Urgent"
    ticket.organisation = desk.other_organisation
    ticket.priority = Priority.NORMAL
    assert policy_match(ticket=ticket).name == "Catch-all"


def test_every_condition_must_match(desk, always):
    ticket = ticket_make(requester=desk.requester, site=desk.site, channel=Channel.EMAIL)
    policy_make(
        always,
        name="Narrow",
        site=desk.site,
        channel=Channel.EMAIL,
        ticket_type=TicketType.PROBLEM,
    )
    assert policy_match(ticket=ticket) is None
    ticket.type = TicketType.PROBLEM
    assert policy_match(ticket=ticket).name == "Narrow"


def test_a_parent_category_policy_covers_its_children(desk, always):
    printers = category_make(name="Printers")
    laser = category_make(name="Laser", parent=printers)
    other = category_make(name="Network")
    policy_make(always, name="Printers", category=printers)
    ticket = ticket_make(requester=desk.requester, category=laser)
    assert policy_match(ticket=ticket).name == "Printers"
    ticket.category = other
    assert policy_match(ticket=ticket) is None


def test_vendor_side_takes_the_vendors_policy_only(desk, always):
    ticket = ticket_make(requester=desk.requester)
    policy_make(always, name="Desk")
    policy_make(always, name="Theirs", side=Side.VENDOR, vendor=desk.vendor)
    assert policy_match(ticket=ticket, side=Side.VENDOR, vendor_id=desk.vendor.pk).name == "Theirs"
    assert policy_match(ticket=ticket).name == "Desk"
    assert policy_match(ticket=ticket, side=Side.VENDOR, vendor_id=None) is None


def form(always, **data):
    base = {
        "name": "P",
        "position": 0,
        "is_active": True,
        "side": Side.DESK,
        "calendar": always.pk,
        "first_response_minutes": 60,
        "warn_percent": 80,
        "on_warning": "[]",
        "on_breach": "[]",
    }
    base.update(data)
    return SlaPolicyForm(data={k: v for k, v in base.items() if v is not None})


def test_form_accepts_a_good_policy(always):
    f = form(always, on_breach='["notify_owner", "escalate"]')
    assert f.is_valid(), f.errors
    f.save()
    assert SlaPolicy.objects.get().on_breach == ["notify_owner", "escalate"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"first_response_minutes": None}, "__all__"),
        ({"warn_percent": 100}, "warn_percent"),
        ({"warn_percent": 0}, "warn_percent"),
        ({"warn_minutes_before": 0}, "warn_minutes_before"),
        ({"on_warning": '["dance"]'}, "on_warning"),
        ({"on_breach": '{"a": 1}'}, "on_breach"),
        ({"side": Side.VENDOR}, "vendor"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": 9}, "priority"),
    ],
)
def test_form_refuses_bad_input_and_saves_nothing(always, data, field):
    with translation.override("es"):
        f = form(always, **data)
        assert not f.is_valid()
        assert field in f.errors
    assert not SlaPolicy.objects.exists()


def test_form_error_is_translated(always):
    with translation.override("es"):
        f = form(always, first_response_minutes=0)
        f.is_valid()
    assert "al menos un minuto" in str(f.errors["first_response_minutes"])
