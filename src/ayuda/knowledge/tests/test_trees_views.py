"""Decision trees in the pages (R18): the ticket page's card, the agent's walker on the phone,
the portal's walker and its pre-filled ticket, and the admin's editor and outline."""

import pytest
from django.urls import reverse

from ayuda.accounts.models import Level
from ayuda.accounts.tests.factories import user_make
from ayuda.knowledge.models import TreeAudience, TreeStatus, TreeWalk, WalkOutcome
from ayuda.knowledge.trees_services import walk_answer, walk_start
from ayuda.tickets.models import EventAction, Ticket, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

from .tree_factories import choice, choice_make, node_make, nodes, tree_make

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _escalated_walk(desk, tree):
    walk = walk_start(tree=tree, user=desk.requester, in_portal=True)
    walk = walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.requester)
    return walk_answer(walk=walk, choice_id=choice(tree, "paper", "Yes").pk, user=desk.requester)


# -- the agent's ticket page ---------------------------------------------------------------------


def test_the_ticket_page_offers_the_categorys_trees_and_the_general_ones(client):
    # given
    desk = desk_make()
    printer = category_make(name="Printer")
    own = tree_make(category=printer)
    general = tree_make(name="Network checks")
    tree_make(name="Scanner feeds badly", category=category_make(name="Scanner"))
    tree_make(name="Draft tree", published=False)
    ticket = ticket_in("open", desk=desk, category=printer)
    client.force_login(desk.agent_l1)
    # when
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    # then
    assert 'id="trees-card"' in page
    assert own.name in page and general.name in page
    assert "Scanner feeds badly" not in page and "Draft tree" not in page


def test_an_agent_walks_a_tree_on_the_ticket_and_the_solution_fills_the_reply(client):
    # given
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("open", desk=desk)
    client.force_login(desk.agent_l1)
    # when: start, then answer, in the card
    response = client.post(reverse("agent:ticket_tree_start", args=[ticket.pk, tree.pk]), **HX)
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="trees-card"' in body and "Is the printer switched on?" in body
    assert 'id="ticket-panel"' not in body  # the card alone: a reply being typed stays
    walk = TreeWalk.objects.get()
    response = client.post(
        reverse("agent:tree_answer", args=[walk.pk]),
        {"choice": choice(tree, "on", "No").pk},
        **HX,
    )
    body = response.content.decode()
    assert response["HX-Reselect"] == "#trees-card"  # and the timeline (hx-select-oob)
    assert 'id="timeline"' in body and 'hx-select-oob="#timeline"' in body
    assert 'data-fill-into="#id_reply_body"' in body
    assert 'data-fill-text="Switch it on and try again."' in body
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.TREE_WALKED).exists()
    assert "Decision tree walked" in body and "Is the printer switched on?" in body


def test_an_agents_escalate_in_the_card_escalates_the_ticket(client):
    desk = desk_make()
    category = category_make(name="Printer", default_team=desk.l2_team)
    tree = tree_make(category=category)
    ticket = ticket_in("open", desk=desk, category=category)
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:ticket_tree_start", args=[ticket.pk, tree.pk]), **HX)
    walk = TreeWalk.objects.get()
    for key, label in (("on", "Yes"), ("paper", "Yes")):
        response = client.post(
            reverse("agent:tree_answer", args=[walk.pk]),
            {"choice": choice(tree, key, label).pk},
            **HX,
        )
    ticket.refresh_from_db()
    assert ticket.level == Level.L2
    assert "the ticket went to level 2" in response.content.decode()


def test_a_choice_of_another_node_comes_back_with_a_message(client):
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("open", desk=desk)
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:ticket_tree_start", args=[ticket.pk, tree.pk]), **HX)
    walk = TreeWalk.objects.get()
    response = client.post(
        reverse("agent:tree_answer", args=[walk.pk]),
        {"choice": choice(tree, "paper", "No").pk},
        **HX,
    )
    assert response.status_code == 422
    assert "Choose one of the answers offered." in response.content.decode()


def test_an_agent_may_not_step_through_someone_elses_walk(client):
    desk = desk_make()
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.agent_l1, in_portal=False)
    client.force_login(desk.agent_l2)
    url = reverse("agent:tree_answer", args=[walk.pk])
    assert client.post(url, {"choice": choice(tree, "on", "No").pk}).status_code == 404


def test_vendor_agents_get_no_tree_card_and_no_walker(client):
    desk = desk_make()
    tree = tree_make()
    ticket = ticket_in("pending_vendor", desk=desk)
    client.force_login(desk.vendor_agent)
    page = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert 'id="trees-card"' not in page
    assert client.get(reverse("agent:tree_walk", args=[tree.pk])).status_code == 403


def test_the_ticket_page_costs_at_most_one_query_for_the_trees(client, django_assert_num_queries):
    # given: the published trees are cached after the first page
    desk = desk_make()
    ticket = ticket_in("open", desk=desk)
    client.force_login(desk.agent_l1)
    url = reverse("agent:ticket", args=[ticket.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get(url)
    tree = tree_make()
    walk = walk_start(tree=tree, user=desk.agent_l1, ticket=ticket, in_portal=False)
    walk_answer(walk=walk, choice_id=choice(tree, "on", "Yes").pk, user=desk.agent_l1)
    from ayuda.core.cache import lookups_changed

    lookups_changed()
    client.get(url)
    # when
    with CaptureQueriesContext(connection) as walking:
        page = client.get(url).content.decode()
    # then: the walk (with its tree and node) and the node's choices
    assert "Does it have paper?" in page
    assert len(walking) <= len(without) + 2


# -- the agent's walker on the phone ------------------------------------------------------------


def test_the_agents_tree_list_and_walker_on_the_phone(client, django_assert_max_num_queries):
    # given
    desk = desk_make()
    trees = [tree_make(name=f"Tree {n}") for n in range(5)]
    client.force_login(desk.agent_l1)
    client.get(reverse("agent:trees"))
    # when
    with django_assert_max_num_queries(8):
        page = client.get(reverse("agent:trees")).content.decode()
    # then
    assert all(t.name in page for t in trees)
    tree = trees[0]
    page = client.get(reverse("agent:tree_walk", args=[tree.pk])).content.decode()
    assert "Is the printer switched on?" in page
    response = client.post(
        reverse("agent:tree_walk", args=[tree.pk]), {"choice": choice(tree, "on", "Yes").pk}
    )
    walk = TreeWalk.objects.get()
    assert response.url == reverse("agent:tree_walk_show", args=[walk.pk])
    with django_assert_max_num_queries(9):
        page = client.get(response.url).content.decode()
    assert "Does it have paper?" in page and "Back" in page
    response = client.post(
        reverse("agent:tree_answer", args=[walk.pk]),
        {"choice": choice(tree, "paper", "Yes").pk},
        **HX,
    )
    body = response.content.decode()
    assert "A technician must look." in body
    assert f"{reverse('agent:contact_new')}?walk={walk.pk}" in body


# -- the portal ----------------------------------------------------------------------------------


def test_the_portal_lists_only_trees_for_everyone(client, django_assert_max_num_queries):
    desk = desk_make()
    public = tree_make()
    tree_make(name="Agents only", audience=TreeAudience.AGENTS)
    client.force_login(desk.requester)
    client.get(reverse("portal:help"))
    with django_assert_max_num_queries(6):
        page = client.get(reverse("portal:help")).content.decode()
    assert public.name in page and "Agents only" not in page
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:help") in home


def test_the_portal_refuses_an_agents_only_tree(client):
    desk = desk_make()
    tree = tree_make(audience=TreeAudience.AGENTS)
    client.force_login(desk.requester)
    assert client.get(reverse("portal:tree_walk", args=[tree.pk])).status_code == 404
    response = client.post(
        reverse("portal:tree_walk", args=[tree.pk]), {"choice": choice(tree, "on", "Yes").pk}
    )
    assert response.status_code == 404
    assert not TreeWalk.objects.exists()


def test_a_requester_walks_to_escalate_and_opens_the_prefilled_ticket(
    client, django_assert_max_num_queries
):
    # given
    desk = desk_make()
    category = category_make(name="Printer")
    tree = tree_make(category=category)
    client.force_login(desk.requester)
    response = client.post(
        reverse("portal:tree_walk", args=[tree.pk]), {"choice": choice(tree, "on", "Yes").pk}
    )
    walk = TreeWalk.objects.get()
    with django_assert_max_num_queries(8):
        page = client.get(response.url).content.decode()
    assert "Does it have paper?" in page
    # when
    response = client.post(
        reverse("portal:tree_answer", args=[walk.pk]),
        {"choice": choice(tree, "paper", "Yes").pk},
        **HX,
    )
    # then
    new_url = f"{reverse('portal:ticket_new')}?walk={walk.pk}"
    assert new_url in response.content.decode()
    form = client.get(new_url).content.decode()
    assert f'name="walk" value="{walk.pk}"' in form
    assert f'value="{category.pk}" selected' in form
    assert 'value="Printer does not print"' in form
    assert "Is the printer switched on? Yes" in form and "Does it have paper? Yes" in form
    # when: submitted
    response = client.post(
        reverse("portal:ticket_new"),
        {
            "category": category.pk,
            "walk": walk.pk,
            "subject": "Printer does not print",
            "description": "My answers…",
            "type": "incident",
        },
    )
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    walk.refresh_from_db()
    assert walk.ticket == ticket
    event = TicketEvent.objects.get(ticket=ticket, action=EventAction.TREE_WALKED)
    assert [s["answer"] for s in event.data["path"]] == ["Yes", "Yes"]


def test_someone_elses_walk_does_not_prefill_nor_attach(client):
    desk = desk_make()
    category = category_make(name="Printer")
    tree = tree_make(category=category)
    walk = _escalated_walk(desk, tree)
    client.force_login(desk.other_requester)
    form = client.get(f"{reverse('portal:ticket_new')}?walk={walk.pk}").content.decode()
    assert 'name="walk"' not in form
    client.post(
        reverse("portal:ticket_new"),
        {
            "category": category.pk,
            "walk": walk.pk,
            "subject": "Mine",
            "description": "Mine",
            "type": "incident",
        },
    )
    walk.refresh_from_db()
    assert walk.ticket is None
    assert client.get(reverse("portal:tree_walk_show", args=[walk.pk])).status_code == 404


def test_a_solved_portal_walk_opens_no_ticket(client):
    desk = desk_make()
    tree = tree_make()
    client.force_login(desk.requester)
    client.post(
        reverse("portal:tree_walk", args=[tree.pk]), {"choice": choice(tree, "on", "No").pk}
    )
    walk = TreeWalk.objects.get()
    assert walk.outcome == WalkOutcome.SOLVED
    assert not Ticket.objects.exists()
    page = client.get(reverse("portal:tree_walk_show", args=[walk.pk])).content.decode()
    assert "Switch it on and try again." in page


def test_the_new_ticket_form_offers_the_trees_first(client):
    desk = desk_make()
    client.force_login(desk.requester)
    form = client.get(reverse("portal:ticket_new")).content.decode()
    assert reverse("portal:help") in form


# -- the admin -----------------------------------------------------------------------------------


def test_the_admin_shows_the_whole_tree_with_its_problems(client, django_assert_max_num_queries):
    # given: an unreachable node and an answer that leads nowhere
    tree = tree_make(published=False)
    orphan = node_make(tree, "orphan", "question", "Lost question?")
    choice_make(nodes(tree)["on"], "Maybe", None, 3)
    admin = user_make(role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:knowledge_decisiontree_change", args=[tree.pk])
    # when
    page = client.get(url).content.decode()
    # then
    assert 'class="tree-outline"' in page
    assert 'class="tree-node tree-escalate"' in page and 'class="tree-node tree-solution"' in page
    assert "A technician must look." in page
    assert "No answer leads to these nodes:" in page and orphan.text in page
    assert "Answer “Maybe” of “on” leads nowhere." in page
    assert reverse("admin:knowledge_treenode_change", args=[orphan.pk]) in page


def test_the_admin_publish_action_refuses_a_broken_tree(client):
    tree = tree_make(published=False)
    choice(tree, "paper", "No").delete()
    good = tree_make(name="Good", published=False)
    admin = user_make(role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:knowledge_decisiontree_changelist"),
        {"action": "publish", "_selected_action": [tree.pk, good.pk]},
        follow=True,
    )
    tree.refresh_from_db()
    good.refresh_from_db()
    assert tree.status == TreeStatus.DRAFT and good.status == TreeStatus.PUBLISHED
    assert "has fewer than two answers" in response.content.decode()


def test_an_administrator_builds_a_tree_in_the_admin(client):
    # given
    admin = user_make(role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    # when: the tree with its nodes inline
    data = {
        "name": "Screen stays black",
        "name_es": "La pantalla sigue negra",
        "description": "",
        "audience": "everyone",
        "nodes-TOTAL_FORMS": "3",
        "nodes-INITIAL_FORMS": "0",
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
    }
    for n, (key, kind, text) in enumerate(
        [
            ("cable", "question", "Is the cable in?"),
            ("plug", "solution", "Plug it."),
            ("call", "escalate", "We call you."),
        ]
    ):
        data |= {
            f"nodes-{n}-key": key,
            f"nodes-{n}-kind": kind,
            f"nodes-{n}-text": text,
            f"nodes-{n}-position": n,
        }
    response = client.post(reverse("admin:knowledge_decisiontree_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    from ayuda.knowledge.models import DecisionTree

    tree = DecisionTree.objects.get()
    n = nodes(tree)
    assert tree.root == n["cable"]  # the first question became the root
    # when: the question's answers on its own page
    response = client.post(
        reverse("admin:knowledge_treenode_change", args=[n["cable"].pk]),
        {
            "key": "cable",
            "kind": "question",
            "text": "Is the cable in?",
            "position": 0,
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "1000",
            "choices-0-label": "No",
            "choices-0-next_node": n["plug"].pk,
            "choices-0-position": 1,
            "choices-1-label": "Yes",
            "choices-1-next_node": n["call"].pk,
            "choices-1-position": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # then
    client.post(
        reverse("admin:knowledge_decisiontree_changelist"),
        {"action": "publish", "_selected_action": [tree.pk]},
    )
    tree.refresh_from_db()
    assert tree.status == TreeStatus.PUBLISHED


def test_a_walk_on_the_phone_fills_the_contact_form_and_the_ticket_carries_it(client):
    # given: a solved walk on the phone, before any ticket
    desk = desk_make()
    category = category_make(name="Printer")
    tree = tree_make(category=category)
    client.force_login(desk.agent_l1)
    client.post(reverse("agent:tree_walk", args=[tree.pk]), {"choice": choice(tree, "on", "No").pk})
    walk = TreeWalk.objects.get()
    # when
    url = f"{reverse('agent:contact_new')}?walk={walk.pk}&who={desk.requester.email}"
    form = client.get(url).content.decode()
    # then
    assert f'name="walk" value="{walk.pk}"' in form
    assert "Is the printer switched on? No" in form and "Switch it on and try again." in form
    # when: logged
    response = client.post(
        reverse("agent:contact_new"),
        {
            "walk": walk.pk,
            "requester": desk.requester.pk,
            "channel": "phone",
            "subject": "Printer does not print",
            "description": "Answers…",
            "type": "incident",
            "category": category.pk,
            "priority": 3,
            "resolve_now": "on",
            "solution": "Switch it on and try again.",
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    walk.refresh_from_db()
    assert walk.ticket == ticket
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.TREE_WALKED).exists()


def test_a_first_answer_that_is_not_offered_leaves_no_walk(client):
    desk = desk_make()
    tree = tree_make()
    client.force_login(desk.requester)
    response = client.post(
        reverse("portal:tree_walk", args=[tree.pk]), {"choice": choice(tree, "paper", "No").pk}
    )
    assert response.status_code == 302
    assert not TreeWalk.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Choose one of the answers offered." in page
