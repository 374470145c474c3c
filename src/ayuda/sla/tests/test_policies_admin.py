"""The policy admin: refuses bad input with nothing saved; a change recomputes the clocks."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.sla.models import SlaPolicy, SlaTarget
from ayuda.sla.models import TargetKind as K
from ayuda.tickets.tests.factories import ticket_make

from .conftest import at, policy_make

pytestmark = pytest.mark.django_db


def payload(calendar, **changes):
    data = {
        "name": "Office",
        "position": "1",
        "is_active": "on",
        "side": "desk",
        "calendar": str(calendar.pk),
        "first_response_minutes": "60",
        "warn_percent": "80",
        "on_warning": "[]",
        "on_breach": "[]",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client):
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_refuses_a_zero_target_in_the_users_language(client, always):
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True, language="es"))
    response = client.post(
        reverse("admin:sla_slapolicy_add"), payload(always, first_response_minutes="0")
    )
    assert response.status_code == 200
    assert "al menos un minuto" in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_admin_change_recomputes_the_live_due_times(
    admin_client, always, desk, django_capture_on_commit_callbacks
):
    policy = policy_make(always, name="Office", first_response_minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_make(requester=desk.requester, at=at(0))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:sla_slapolicy_change", args=[policy.pk]),
            payload(
                always,
                first_response_minutes="30",
                next_update_minutes="240",
                resolution_minutes="1440",
            ),
        )
    assert response.status_code == 302
    target = SlaTarget.objects.get(clock__ticket=ticket, kind=K.FIRST_RESPONSE)
    assert (target.minutes, target.due_at) == (30, at(30))
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == at(30)
