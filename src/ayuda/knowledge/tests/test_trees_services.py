"""Decision trees (R18): what stops a tree from being published, walking, and the record of a
walk in the ticket's history."""

import pytest
from django.utils import translation

from ayuda.accounts.models import Level
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.knowledge.models import (
    DecisionTree,
    NodeKind,
    TreeAudience,
    TreeStatus,
    TreeWalk,
    WalkOutcome,
)
from ayuda.knowledge.trees_selectors import tree_check, trees_for_ticket, walk_counts
from ayuda.knowledge.trees_services import (
    TreeProblems,
    tree_archive,
    tree_edited,
    tree_publish,
    walk_abandon,
    walk_answer,
    walk_back,
    walk_start,
    walk_ticket_attach,
)
from ayuda.tickets.models import EventAction, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in, ticket_make

from .tree_factories import choice, choice_make, node_make, nodes, tree_make

pytestmark = pytest.mark.django_db


def walked_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket, action=EventAction.TREE_WALKED))


# -- tree_check and publishing ---------------------------------------------------------------------


def test_a_good_tree_has_no_problem_and_publishes():
    # given
    tree = tree_make(published=False)
    # when
    tree_publish(tree=tree)
    # then
    tree.refresh_from_db()
    assert tree_check(tree) == []
    assert tree.status == TreeStatus.PUBLISHED
    assert tree.published_at is not None


def test_tree_check_finds_a_cycle():
    # given: "add_paper" becomes a question whose answers lead back up
    tree = tree_make(published=False)
    n = nodes(tree)
    n["add_paper"].kind = NodeKind.QUESTION
    n["add_paper"].save()
    choice_make(n["add_paper"], "Again", n["on"])
    choice_make(n["add_paper"], "Done", n["switch_on"])
    # when
    problems = tree_check(tree)
    # then
    assert any("circle" in p and "on → paper → add_paper → on" in p for p in problems)


def test_tree_check_finds_a_dead_end_a_single_choice_and_an_unreachable_node():
    # given
    tree = tree_make(published=False)
    n = nodes(tree)
    choice(tree, "paper", "No").delete()  # "paper" keeps one answer
    c = choice(tree, "on", "No")
    c.next_node = None  # leads nowhere
    c.save()
    node_make(tree, "orphan", NodeKind.SOLUTION, "Nobody gets here.")
    # when
    problems = tree_check(tree)
    # then
    assert "Question “paper” has fewer than two answers." in problems
    assert "Answer “No” of “on” leads nowhere." in problems
    assert "“orphan” cannot be reached from the first question." in problems
    assert "“add_paper” cannot be reached from the first question." in problems
    assert "“switch_on” cannot be reached from the first question." in problems
    assert n["on"].pk == tree.root_id


def test_tree_check_finds_no_root_a_leaf_with_answers_and_empty_texts():
    # given
    tree = tree_make(published=False)
    n = nodes(tree)
    choice_make(n["broken"], "Hmm", n["add_paper"])
    n["paper"].text = "  "
    n["paper"].save()
    # when
    problems = tree_check(tree)
    tree.root = None
    no_root = tree_check(tree)
    # then
    assert "“broken” is a solution or an escalation but has answers." in problems
    assert "“paper” has no text." in problems
    assert "The tree has no first question." in no_root


def test_the_problems_are_translated():
    tree = tree_make(published=False)
    tree.root = None
    with translation.override("es"):
        problems = tree_check(tree)
    assert problems and "The tree has no first question." not in problems


def test_publishing_a_broken_tree_is_refused_and_changes_nothing():
    # given
    tree = tree_make(published=False)
    choice(tree, "paper", "Yes").delete()
    before = DecisionTree.objects.filter(pk=tree.pk).values().get()
    # when
    with pytest.raises(TreeProblems) as error:
        tree_publish(tree=tree)
    # then
    assert "Question “paper” has fewer than two answers." in error.value.problems
    assert DecisionTree.objects.filter(pk=tree.pk).values().get() == before


def test_an_edit_that_breaks_a_published_tree_sends_it_back_to_draft():
    tree = tree_make()
    choice(tree, "on", "No").delete()
    problems = tree_edited(tree=tree)
    tree.refresh_from_db()
    assert problems and tree.status == TreeStatus.DRAFT


def test_archived_and_draft_trees_are_not_offered_or_walked():
    desk = desk_make()
    category = category_make(name="Printer")
    ticket = ticket_make(requester=desk.requester, category=category)
    tree = tree_make(category=category)
    general = tree_make(name="General checks")
    assert [t.pk for t in trees_for_ticket(ticket)] == [tree.pk, general.pk]
    tree_archive(tree=tree)
    assert [t.pk for t in trees_for_ticket(ticket)] == [general.pk]
    with pytest.raises(ValidationError):
        walk_start(tree=tree, user=desk.agent_l1, in_portal=False)


# -- walking -------------------------------------------------------------------------------------


def test_a_walk_records_each_answer_as_read_in_the_walkers_language_and_goes_back():
    # given
    desk = desk_make()
    tree = tree_make()
    with translation.override("es"):
        walk = walk_start(tree=tree, user=desk.requester, in_portal=True)
    # when
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.requester)
    # then
    assert walk.path == [
        {
            "node": tree.root_id,
            "question": "¿La impresora está encendida?",
            "choice": choice(tree, "on", "Yes").pk,
            "answer": "Sí",
        }
    ]
    assert walk.current_node.key == "paper"
    assert walk.outcome == ""
    # when: back
    walk = walk_back(walk=walk, user=desk.requester)
    # then
    assert walk.path == [] and walk.current_node_id == tree.root_id
    with pytest.raises(ValidationError):
        walk_back(walk=walk, user=desk.requester)


def test_a_choice_of_another_node_is_refused():
    desk = desk_make()
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.agent_l1, in_portal=False)
    with pytest.raises(ValidationError):
        walk_answer(walk=walk, choice_id=choice(tree, "paper", "No").pk, user=desk.agent_l1)
    walk.refresh_from_db()
    assert walk.path == [] and walk.current_node_id == tree.root_id


def test_someone_elses_walk_cannot_be_answered():
    desk = desk_make()
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.requester, in_portal=True)
    with pytest.raises(PermissionDeniedError):
        walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.other_requester)


def test_the_portal_walks_only_trees_for_everyone_and_customers_only_in_the_portal():
    desk = desk_make()
    agents_only = tree_make(audience=TreeAudience.AGENTS)
    with pytest.raises(PermissionDeniedError):
        walk_start(tree=agents_only, user=desk.requester, in_portal=True)
    with pytest.raises(PermissionDeniedError):
        walk_start(tree=tree_make(name="x"), user=desk.requester, in_portal=False)
    with pytest.raises(PermissionDeniedError):
        walk_start(tree=agents_only, user=desk.vendor_agent, in_portal=False)
    assert walk_start(tree=agents_only, user=desk.agent_l1, in_portal=False).pk


def test_a_requester_walks_only_on_their_own_ticket():
    desk = desk_make()
    tree = tree_make()
    theirs = ticket_make(requester=desk.other_requester)
    with pytest.raises(PermissionDeniedError):
        walk_start(tree=tree, user=desk.requester, ticket=theirs, in_portal=True)
    assert not TreeWalk.objects.exists()
    own = ticket_make(requester=desk.requester)
    assert walk_start(tree=tree, user=desk.requester, ticket=own, in_portal=True).ticket == own


def test_a_solved_walk_on_a_ticket_is_recorded_once_with_its_whole_path():
    # given
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("open", desk=desk)
    walk = walk_start(tree=tree, user=desk.agent_l1, ticket=ticket, in_portal=False)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.agent_l1)
    assert walked_events(ticket) == []
    # when
    walk = walk_answer(walk=walk, choice_id=choice(tree, "paper", "No").pk, user=desk.agent_l1)
    # then
    assert walk.outcome == WalkOutcome.SOLVED and walk.finished_at is not None
    [event] = walked_events(ticket)
    assert event.actor == desk.agent_l1
    assert event.data["outcome"] == "solved"
    assert event.data["result"] == "Add paper."
    assert [(s["question"], s["answer"]) for s in event.data["path"]] == [
        ("Is the printer switched on?", "Yes"),
        ("Does it have paper?", "No"),
    ]
    ticket.refresh_from_db()
    assert ticket.level == Level.L1
    with pytest.raises(ValidationError):
        walk_answer(walk=walk, choice_id=choice(tree, "paper", "No").pk, user=desk.agent_l1)


def test_an_agents_walk_that_ends_in_escalate_escalates_the_ticket_with_the_answers():
    # given
    desk = desk_make()
    category = category_make(name="Printer", default_team=desk.l2_team)
    tree = tree_make(category=category)
    ticket = ticket_in("open", desk=desk, category=category)
    walk = walk_start(tree=tree, user=desk.agent_l1, ticket=ticket, in_portal=False)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.agent_l1)
    # when
    walk = walk_answer(walk=walk, choice_id=choice(tree, "paper", "Yes").pk, user=desk.agent_l1)
    # then
    assert walk.outcome == WalkOutcome.ESCALATED and walk.escalation_refused == ""
    ticket.refresh_from_db()
    assert ticket.level == Level.L2 and ticket.team == desk.l2_team
    actions = list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("seq")
        .values_list("action", flat=True)[::1]
    )
    assert actions.index(EventAction.TREE_WALKED) < actions.index(EventAction.ESCALATED)
    escalated = TicketEvent.objects.get(ticket=ticket, action=EventAction.ESCALATED)
    assert "Is the printer switched on? Yes" in escalated.data["reason"]
    assert "Does it have paper? Yes" in escalated.data["reason"]


def test_an_escalation_the_ticket_cannot_take_is_recorded_and_said():
    # given: the ticket is at level 2 already
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("open", desk=desk, team=desk.l2_team)
    assert ticket.level == Level.L2
    walk = walk_start(tree=tree, user=desk.agent_l2, ticket=ticket, in_portal=False)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.agent_l2)
    # when
    walk = walk_answer(walk=walk, choice_id=choice(tree, "paper", "Yes").pk, user=desk.agent_l2)
    # then
    assert walk.escalation_refused
    assert len(walked_events(ticket)) == 1
    assert not TicketEvent.objects.filter(ticket=ticket, action=EventAction.ESCALATED).exists()


def test_an_abandoned_walk_with_answers_is_recorded_and_one_without_is_not():
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("open", desk=desk)
    empty = walk_start(tree=tree, user=desk.agent_l1, ticket=ticket, in_portal=False)
    walk_abandon(walk=empty, user=desk.agent_l1)
    assert walked_events(ticket) == []
    walk = walk_start(tree=tree, user=desk.agent_l1, ticket=ticket, in_portal=False)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.agent_l1)
    walk = walk_abandon(walk=walk, user=desk.agent_l1)
    [event] = walked_events(ticket)
    assert event.data["outcome"] == "abandoned" and len(event.data["path"]) == 1


def test_a_ticket_opened_from_a_portal_walk_carries_it_and_its_history_records_it():
    # given: the requester walks to "escalate" without a ticket
    desk = desk_make()
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.requester, in_portal=True)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.requester)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "paper", "Yes").pk, user=desk.requester)
    assert walk.outcome == WalkOutcome.ESCALATED and walk.ticket is None
    ticket = ticket_make(requester=desk.requester)
    # when
    walk_ticket_attach(walk=walk, ticket=ticket, user=desk.requester)
    # then
    walk.refresh_from_db()
    assert walk.ticket == ticket
    [event] = walked_events(ticket)
    assert event.data["walk_id"] == walk.pk and len(event.data["path"]) == 2
    with pytest.raises(ValidationError):
        walk_ticket_attach(walk=walk, ticket=ticket, user=desk.requester)
    other = ticket_make(requester=desk.other_requester)
    walk.ticket = None
    walk.save()
    with pytest.raises(PermissionDeniedError):
        walk_ticket_attach(walk=walk, ticket=other, user=desk.requester)


def test_a_solved_portal_walk_creates_no_ticket_and_counts_as_a_deflection():
    desk = desk_make()
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.requester, in_portal=True)
    walk_answer(walk=walk, choice_id=choice(tree, "on", "No").pk, user=desk.requester)
    other = walk_start(tree=tree, user=desk.requester, in_portal=True)
    walk_abandon(walk=other, user=desk.requester)
    walk_start(tree=tree, user=desk.requester, in_portal=True)  # still walking: not counted
    assert walk_counts([tree.pk]) == {tree.pk: {"solved": 1, "deflected": 1, "abandoned": 1}}
    assert not TicketEvent.objects.filter(action=EventAction.TREE_WALKED).exists()
