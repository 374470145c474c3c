"""Resolving a problem or closing a bulletin: the request only records the update (constant
queries, 10,000 linked tickets); the batches resolve or answer every linked ticket once."""

import pytest
from django.test import override_settings

from ayuda.accounts.models import Role
from ayuda.accounts.tests.factories import user_make
from ayuda.knowledge.models import ProblemLink, ProblemUpdate, UpdateKind
from ayuda.knowledge.problem_delivery import problem_update_deliver
from ayuda.knowledge.problems import (
    bulletin_close,
    problem_message,
    problem_resolve,
)
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.models import EventAction, StateCategory, Ticket, TicketEvent
from ayuda.tickets.tests.factories import desk_make

from .problems_factories import bulletin_make, links_bulk, problem_make, tickets_bulk

pytestmark = pytest.mark.django_db


def _linked(problem, count, *, requesters, **kwargs):
    ids = tickets_bulk(count, requesters=requesters, **kwargs)
    links_bulk(problem, ids)
    return ids


def test_resolving_ten_thousand_linked_tickets_costs_the_request_a_few_queries(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    # given
    desk = desk_make()
    small, large = problem_make(title="Small"), problem_make(title="Large")
    _linked(small, 3, requesters=[desk.requester])
    _linked(large, 10_000, requesters=[desk.requester, desk.site_admin])

    # when
    with (
        django_assert_max_num_queries(8) as small_queries,
        django_capture_on_commit_callbacks() as small_callbacks,
    ):
        problem_resolve(problem=small, actor=desk.manager, message="Fixed.")
    with (
        django_assert_max_num_queries(8) as large_queries,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        update = problem_resolve(problem=large, actor=desk.manager, message="Fixed.")

    # then: the same queries whatever the number of tickets, one update, work left for later
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)
    assert len(callbacks) == len(small_callbacks) == 1
    assert ProblemUpdate.objects.filter(problem=large).count() == 1
    assert (update.total, update.done, update.finished_at) == (10_000, 0, None)
    assert not Ticket.objects.filter(state_category=StateCategory.RESOLVED).exists()


@override_settings(AYUDA_PROBLEM_BATCH=100)
def test_the_batches_resolve_every_linked_ticket_once_and_mail_each_requester_once(
    django_capture_on_commit_callbacks,
):
    # given 300 linked tickets of 30 requesters, 20 of them already closed
    desk = desk_make()
    requesters = [user_make(role=Role.REQUESTER, organisation=desk.organisation) for _ in range(30)]
    problem = problem_make(title="Portal login slow")
    open_ids = _linked(problem, 280, requesters=requesters)
    closed_ids = _linked(problem, 20, requesters=requesters, state_category=StateCategory.CLOSED)

    # when: the update runs after commit, batch after batch (Celery is eager in tests)
    with django_capture_on_commit_callbacks(execute=True):
        update = problem_resolve(problem=problem, actor=desk.manager, message="Restarted.")

    # then
    update.refresh_from_db()
    assert (update.total, update.done, update.skipped) == (300, 280, 20)
    assert update.finished_at is not None
    assert (
        Ticket.objects.filter(pk__in=open_ids, state_category=StateCategory.RESOLVED).count() == 280
    )
    assert set(
        Ticket.objects.filter(pk__in=closed_ids).values_list("state_category", flat=True)
    ) == {StateCategory.CLOSED}
    assert ProblemLink.objects.filter(problem=problem, last_update=update).count() == 300
    mails = OutgoingMessage.objects.filter(ticket_id__in=open_ids + closed_ids)
    assert mails.count() == 280
    assert {m.kind for m in mails} == {OutgoingKind.STATE_CHANGED}
    assert sorted(mails.values_list("ticket_id", flat=True)) == sorted(open_ids)
    assert all("Restarted." in m.body_text for m in mails[:5])
    resolved = TicketEvent.objects.filter(ticket_id=open_ids[0], action=EventAction.RESOLVED).get()
    assert resolved.new_value == "Restarted."


@override_settings(AYUDA_PROBLEM_BATCH=50)
def test_a_retried_or_duplicated_batch_sends_nothing_twice(django_capture_on_commit_callbacks):
    # given an update delivered to 120 tickets
    desk = desk_make()
    problem = problem_make()
    ids = _linked(problem, 120, requesters=[desk.requester])
    with django_capture_on_commit_callbacks(execute=True):
        update = problem_message(problem=problem, actor=desk.manager, message="Still on it.")
    sent = OutgoingMessage.objects.filter(ticket_id__in=ids).count()
    events = TicketEvent.objects.filter(ticket_id__in=ids).count()

    # when the same batches run again, as a redelivered task would (not yet marked finished)
    ProblemUpdate.objects.filter(pk=update.pk).update(finished_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        after = 0
        while after is not None:
            after = problem_update_deliver(update_id=update.pk, after=after)

    # then
    assert sent == 120
    assert OutgoingMessage.objects.filter(ticket_id__in=ids).count() == sent
    assert TicketEvent.objects.filter(ticket_id__in=ids).count() == events
    update.refresh_from_db()
    assert (update.done, update.skipped, update.kind) == (120, 0, UpdateKind.UPDATE)
    assert {m.kind for m in OutgoingMessage.objects.filter(ticket_id__in=ids)} == {
        OutgoingKind.REPLY
    }


@override_settings(AYUDA_PROBLEM_BATCH=10)
def test_a_ticket_unlinked_before_its_batch_is_left_alone(django_capture_on_commit_callbacks):
    desk = desk_make()
    problem = problem_make()
    ids = _linked(problem, 25, requesters=[desk.requester])
    update = problem_resolve(problem=problem, actor=desk.manager, message="Fixed.")
    ProblemLink.objects.filter(ticket_id=ids[-1]).delete()

    with django_capture_on_commit_callbacks(execute=True):
        after = 0
        while after is not None:
            after = problem_update_deliver(update_id=update.pk, after=after)

    update.refresh_from_db()
    assert (update.done, update.total) == (24, 24)
    assert Ticket.objects.get(pk=ids[-1]).state_category == StateCategory.NEW


def test_closing_a_bulletin_answers_the_linked_tickets_without_resolving_them(
    django_capture_on_commit_callbacks,
):
    desk = desk_make()
    bulletin = bulletin_make()
    ids = _linked(bulletin.problem, 5, requesters=[desk.requester])

    with django_capture_on_commit_callbacks(execute=True):
        update = bulletin_close(bulletin=bulletin, actor=desk.manager, message="Service is back.")

    update.refresh_from_db()
    assert (update.kind, update.done) == (UpdateKind.UPDATE, 5)
    assert set(Ticket.objects.filter(pk__in=ids).values_list("state_category", flat=True)) == {
        StateCategory.OPEN
    }
    assert OutgoingMessage.objects.filter(ticket_id__in=ids, kind=OutgoingKind.REPLY).count() == 5
