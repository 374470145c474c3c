"""Problems and bulletins (R21, R31): linking with history, permissions, "this is my
problem", the acknowledgement's notice."""

import pytest
from django.test import override_settings

from ayuda.core.cache import lookups_changed
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.knowledge.models import (
    BulletinStatus,
    LinkVia,
    Problem,
    ProblemLink,
    ProblemStatus,
    UpdateKind,
)
from ayuda.knowledge.problems import (
    bulletin_affected,
    bulletin_close,
    bulletin_create,
    link_many,
    problem_create,
    problem_link,
    problem_resolve,
    problem_unlink,
    problem_update,
)
from ayuda.knowledge.problems_selectors import bulletins_active, bulletins_matching
from ayuda.notifications.models import OutgoingKind, OutgoingMessage
from ayuda.tickets.models import Channel, EventAction, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_make

from .problems_factories import bulletin_make, problem_make

pytestmark = pytest.mark.django_db


def _last_event(ticket):
    return TicketEvent.objects.filter(ticket=ticket).latest("seq")


def test_an_agent_links_a_ticket_recorded_in_its_history():
    desk = desk_make()
    problem = problem_make(title="Portal login slow")
    ticket = ticket_make(requester=desk.requester)

    link = problem_link(problem=problem, ticket=ticket, actor=desk.agent_l1)

    assert (link.problem, link.via, link.linked_by) == (problem, LinkVia.AGENT, desk.agent_l1)
    event = _last_event(ticket)
    assert (event.action, event.new_value, event.actor_id) == (
        EventAction.PROBLEM_LINKED,
        "Portal login slow",
        desk.agent_l1.pk,
    )
    assert event.data["problem_id"] == problem.pk


def test_linking_to_another_problem_moves_the_ticket_and_says_from_where():
    desk = desk_make()
    first, second = problem_make(title="Login slow"), problem_make(title="Mail down")
    ticket = ticket_make(requester=desk.requester)
    problem_link(problem=first, ticket=ticket, actor=desk.agent_l1)

    problem_link(problem=second, ticket=ticket, actor=desk.agent_l1)

    assert ProblemLink.objects.get(ticket=ticket).problem == second
    event = _last_event(ticket)
    assert (event.action, event.old_value, event.new_value) == (
        EventAction.PROBLEM_LINKED,
        "Login slow",
        "Mail down",
    )
    assert event.data["from_problem_id"] == first.pk


def test_linking_again_to_the_same_problem_records_nothing():
    desk = desk_make()
    problem = problem_make()
    ticket = ticket_make(requester=desk.requester)
    problem_link(problem=problem, ticket=ticket, actor=desk.agent_l1)
    seq = _last_event(ticket).seq

    problem_link(problem=problem, ticket=ticket, actor=desk.agent_l1)

    assert _last_event(ticket).seq == seq


def test_unlinking_is_recorded_and_an_unlinked_ticket_cannot_be_unlinked():
    desk = desk_make()
    problem = problem_make(title="Login slow")
    ticket = ticket_make(requester=desk.requester)
    problem_link(problem=problem, ticket=ticket, actor=desk.agent_l1)

    problem_unlink(ticket=ticket, actor=desk.agent_l1)

    assert not ProblemLink.objects.filter(ticket=ticket).exists()
    event = _last_event(ticket)
    assert (event.action, event.old_value) == (EventAction.PROBLEM_UNLINKED, "Login slow")
    with pytest.raises(ValidationError):
        problem_unlink(ticket=ticket, actor=desk.agent_l1)


@pytest.mark.parametrize("role", ["requester", "site_admin", "vendor_agent"])
def test_only_the_help_desk_links(role):
    desk = desk_make()
    problem = problem_make()
    ticket = ticket_make(requester=desk.requester)

    with pytest.raises(PermissionDeniedError):
        problem_link(problem=problem, ticket=ticket, actor=getattr(desk, role))

    assert not ProblemLink.objects.exists()


def test_link_many_links_and_moves_each_with_its_event():
    desk = desk_make()
    old, problem = problem_make(title="Old"), problem_make(title="New")
    tickets = [ticket_make(requester=desk.requester) for _ in range(3)]
    problem_link(problem=old, ticket=tickets[0], actor=desk.agent_l1)

    count = link_many(problem=problem, ticket_ids=[t.pk for t in tickets], actor=desk.agent_l1)

    assert count == 3
    assert set(ProblemLink.objects.values_list("problem_id", flat=True)) == {problem.pk}
    events = TicketEvent.objects.filter(
        action=EventAction.PROBLEM_LINKED, data__problem_id=problem.pk
    )
    assert events.count() == 3
    assert _last_event(tickets[0]).old_value == "Old"


def test_link_many_refuses_an_empty_selection_and_customers():
    desk = desk_make()
    problem = problem_make()
    ticket = ticket_make(requester=desk.requester)

    with pytest.raises(ValidationError):
        link_many(problem=problem, ticket_ids=[], actor=desk.agent_l1)
    with pytest.raises(PermissionDeniedError):
        link_many(problem=problem, ticket_ids=[ticket.pk], actor=desk.requester)
    assert not ProblemLink.objects.exists()


def test_level_1_edits_the_workaround_but_not_the_cause():
    desk = desk_make()
    problem = problem_create(actor=desk.agent_l1, title="Login slow")
    fields = {
        "title": "Login slow",
        "description": "",
        "workaround": "Use the app",
        "cause": "",
        "fix": "",
        "status": ProblemStatus.KNOWN_ERROR,
        "category": None,
        "owner": None,
    }

    problem_update(problem=problem, actor=desk.agent_l1, **fields)
    with pytest.raises(PermissionDeniedError):
        problem_update(problem=problem, actor=desk.agent_l1, **fields | {"cause": "Disk full"})
    problem_update(problem=problem, actor=desk.agent_l2, **fields | {"cause": "Disk full"})

    problem.refresh_from_db()
    assert (problem.workaround, problem.cause, problem.status) == (
        "Use the app",
        "Disk full",
        ProblemStatus.KNOWN_ERROR,
    )
    with pytest.raises(ValidationError):
        problem_update(problem=problem, actor=desk.manager, **fields | {"status": "resolved"})


def test_a_bulletin_without_a_problem_records_one_and_only_managers_publish():
    desk = desk_make()
    with pytest.raises(PermissionDeniedError):
        bulletin_create(actor=desk.agent_l1, title="Outage", agreed_answer="We know.")

    bulletin = bulletin_create(
        actor=desk.manager,
        title="Outage",
        agreed_answer="We know.",
        translations={"title": {"es": "Caída", "it": "Interruzione"}},
    )

    assert Problem.objects.get().title == "Outage"
    assert bulletin.problem.title == "Outage"
    assert bulletin.title_i18n == {"es": "Caída", "it": "Interruzione"}
    assert [b.pk for b in bulletins_active()] == [bulletin.pk]


def test_a_public_bulletin_needs_its_notice_and_nothing_is_written():
    desk = desk_make()

    with pytest.raises(ValidationError) as err:
        bulletin_create(actor=desk.manager, title="Outage", agreed_answer="x", is_public=True)

    assert err.value.field == "public_notice"
    assert not Problem.objects.exists()


def test_bulletins_match_their_categories_and_organisations():
    desk = desk_make()
    network, printers = category_make(name="Network"), category_make(name="Printers")
    everyone = bulletin_make(title="Everyone")
    ours = bulletin_make(title="Ours", organisations=[desk.organisation], categories=[network])
    ticket = ticket_make(requester=desk.requester, category=network)
    other = ticket_make(requester=desk.other_requester, category=printers)

    assert {b.pk for b in bulletins_matching(ticket)} == {everyone.pk, ours.pk}
    assert {b.pk for b in bulletins_matching(other)} == {everyone.pk}


def test_this_is_my_problem_opens_a_linked_ticket_once():
    desk = desk_make()
    desk.requester.language = "es"
    desk.requester.save()
    network = category_make(name="Network")
    bulletin = bulletin_make(
        title="Portal login slow",
        title_i18n={"es": "Acceso lento al portal"},
        is_public=True,
        public_notice="We are on it.",
        categories=[network],
    )

    ticket, created = bulletin_affected(bulletin_id=bulletin.pk, user=desk.requester)
    again, created_again = bulletin_affected(bulletin_id=bulletin.pk, user=desk.requester)

    assert (created, created_again) == (True, False)
    assert again.pk == ticket.pk
    assert ticket.subject == "Acceso lento al portal"
    assert (ticket.channel, ticket.category, ticket.requester) == (
        Channel.PORTAL,
        network,
        desk.requester,
    )
    link = ProblemLink.objects.get(ticket=ticket)
    assert (link.problem_id, link.via) == (bulletin.problem_id, LinkVia.REQUESTER)


@pytest.mark.parametrize("case", ["other_organisation", "internal", "closed"])
def test_this_is_my_problem_only_for_bulletins_open_to_the_requester(case):
    desk = desk_make()
    kwargs = {"is_public": True, "public_notice": "We are on it."}
    if case == "other_organisation":
        kwargs["organisations"] = [desk.other_organisation]
    elif case == "internal":
        kwargs["is_public"] = False
    else:
        kwargs["status"] = BulletinStatus.CLOSED
    bulletin = bulletin_make(**kwargs)

    with pytest.raises(PermissionDeniedError):
        bulletin_affected(bulletin_id=bulletin.pk, user=desk.requester)

    assert not ProblemLink.objects.exists()


def test_an_agent_cannot_say_this_is_my_problem():
    desk = desk_make()
    bulletin = bulletin_make(is_public=True, public_notice="x")

    with pytest.raises(PermissionDeniedError):
        bulletin_affected(bulletin_id=bulletin.pk, user=desk.agent_l1)


def test_the_acknowledgement_carries_the_notice_in_the_requesters_language(
    django_capture_on_commit_callbacks,
):
    desk = desk_make()
    desk.requester.language = "it"
    desk.requester.save()
    bulletin_make(
        title="Portal login slow",
        title_i18n={"it": "Accesso lento"},
        is_public=True,
        public_notice="We are on it.",
        public_notice_i18n={"it": "Ci stiamo lavorando."},
        organisations=[desk.organisation],
    )
    bulletin_make(title="Internal only", agreed_answer="Say nothing yet.")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_make(requester=desk.requester)
    with django_capture_on_commit_callbacks(execute=True):
        other = ticket_make(requester=desk.other_requester)

    ack = OutgoingMessage.objects.get(ticket=ticket, kind=OutgoingKind.ACKNOWLEDGEMENT)
    assert "Ci stiamo lavorando." in ack.body_text
    assert "Accesso lento" in ack.body_text
    assert "Ci stiamo lavorando." in ack.body_html
    assert "Internal only" not in ack.body_text
    other_ack = OutgoingMessage.objects.get(ticket=other, kind=OutgoingKind.ACKNOWLEDGEMENT)
    assert "Ci stiamo" not in other_ack.body_text
    assert "on it" not in other_ack.body_text


def test_closing_a_bulletin_with_resolve_resolves_the_problem_and_starts_an_update():
    desk = desk_make()
    bulletin = bulletin_make()

    update = bulletin_close(bulletin=bulletin, actor=desk.manager, message="Fixed.", resolve=True)

    bulletin.refresh_from_db()
    bulletin.problem.refresh_from_db()
    assert bulletin.status == BulletinStatus.CLOSED
    assert bulletin.problem.status == ProblemStatus.RESOLVED
    assert (update.kind, update.bulletin, update.total) == (UpdateKind.RESOLVE, bulletin, 0)
    assert bulletins_active() == []
    with pytest.raises(ValidationError):
        bulletin_close(bulletin=bulletin, actor=desk.manager, message="Again.")


def test_closing_without_a_message_sends_nothing_and_resolving_needs_one():
    desk = desk_make()
    bulletin = bulletin_make()
    with pytest.raises(ValidationError):
        bulletin_close(bulletin=bulletin, actor=desk.manager, resolve=True)

    assert bulletin_close(bulletin=bulletin, actor=desk.manager) is None
    with pytest.raises(ValidationError):
        problem_resolve(problem=bulletin.problem, actor=desk.manager, message="  ")
    with pytest.raises(PermissionDeniedError):
        problem_resolve(problem=bulletin.problem, actor=desk.agent_l1, message="Fixed")


@override_settings(AYUDA_LOOKUP_CACHE_SECONDS=60)
def test_the_active_list_is_cached_and_refreshed_by_a_bulletin_write(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    desk = desk_make()
    lookups_changed()
    assert bulletins_active() == []
    with django_assert_num_queries(0):
        assert bulletins_active() == []

    with django_capture_on_commit_callbacks(execute=True):
        bulletin = bulletin_create(actor=desk.manager, title="Outage", agreed_answer="We know.")

    assert [b.pk for b in bulletins_active()] == [bulletin.pk]
    with django_assert_num_queries(0):
        assert [b.pk for b in bulletins_active()] == [bulletin.pk]
