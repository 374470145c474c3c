"""The lists: who reads what, and administrators' writes."""

import pytest

from ayuda.accounts.models import Level, Organisation, Role, Team, TokenScope
from ayuda.accounts.tests.factories import team_make
from ayuda.tickets.models import Category, StateCategory
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in

from .helpers import Api, assert_problem

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_agents_see_agents_and_a_requester_sees_themself():
    desk = desk_make()
    agents = _ids(Api(desk.agent_l1).get("/users"))
    assert {desk.agent_l1.pk, desk.agent_l2.pk, desk.manager.pk, desk.admin.pk} <= agents
    assert desk.requester.pk not in agents
    assert _ids(Api(desk.requester).get("/users")) == {desk.requester.pk}
    assert _ids(Api(desk.vendor_agent).get("/users")) == {desk.vendor_agent.pk}


def test_a_customer_sees_their_own_organisation_and_its_sites():
    desk = desk_make()
    api = Api(desk.requester)
    assert _ids(api.get("/organisations")) == {desk.organisation.pk}
    assert _ids(api.get("/sites")) == {desk.site.pk}
    assert _ids(api.get("/teams")) == set()
    helpdesk = Api(desk.agent_l1)
    assert {desk.organisation.pk, desk.other_organisation.pk} <= _ids(
        helpdesk.get("/organisations")
    )


def test_a_vendor_sees_only_what_appears_on_its_tickets():
    desk = desk_make()
    ticket_in(StateCategory.PENDING_VENDOR, desk=desk)
    api = Api(desk.vendor_agent)
    assert _ids(api.get("/organisations")) == {desk.organisation.pk}
    assert _ids(api.get("/sites")) == {desk.site.pk}
    assert _ids(api.get("/teams")) == {desk.l1_team.pk}


def test_categories_carry_their_form_fields():
    desk = desk_make()
    category_make(
        name="Laptops",
        is_software=True,
        extra_fields=[{"name": "serial", "label": "Serial", "type": "text", "required": True}],
    )
    items = Api(desk.requester).get("/categories").json()["items"]
    laptops = next(c for c in items if c["name"] == "Laptops")
    assert laptops["extra_fields"][0]["name"] == "serial"
    assert "steps_to_reproduce" in laptops["software_fields"]


def test_an_administrator_creates_and_changes_the_lists():
    desk = desk_make()
    api = Api(desk.admin)
    organisation = api.post("/organisations", {"name": "Globex"})
    assert organisation.status_code == 201, organisation.content
    site = api.post("/sites", {"organisation_id": organisation.json()["id"], "name": "HQ"})
    assert site.status_code == 201, site.content
    team = api.post("/teams", {"name": "Network", "level": "2"})
    assert team.status_code == 201, team.content
    category = api.post(
        "/categories",
        {"name": "VPN", "default_team_id": team.json()["id"], "routes_to_level_2": True},
    )
    assert category.status_code == 201, category.content
    renamed = api.put(f"/teams/{team.json()['id']}", {"name": "Networks", "level": "2"})
    assert renamed.json()["name"] == "Networks"
    assert Team.objects.filter(name="Networks", level=Level.L2).exists()
    assert Category.objects.get(name="VPN").routes_to_level_2


def test_the_models_own_checks_answer_as_field_errors():
    desk = desk_make()
    l1 = team_make(level=Level.L1)
    response = Api(desk.admin).post(
        "/categories", {"name": "VPN", "default_team_id": l1.pk, "routes_to_level_2": True}
    )
    body = assert_problem(response, 422, "validation")
    assert body["errors"][0]["field"] == "routes_to_level_2"
    assert not Category.objects.filter(name="VPN").exists()


@pytest.mark.parametrize("role", [Role.AGENT_L1, Role.MANAGER, Role.REQUESTER])
def test_only_administrators_write_the_lists(role):
    desk = desk_make()
    response = Api(desk.user(role)).post("/organisations", {"name": "Globex"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="Globex").exists()


def test_an_administrators_token_needs_the_admin_scope_to_write_them():
    desk = desk_make()
    api = Api(desk.admin, scopes=[TokenScope.READ, TokenScope.WRITE])
    assert_problem(api.post("/organisations", {"name": "Globex"}), 403, "insufficient-scope")


def test_a_vendor_agent_without_a_vendor_sees_only_themself():
    # given: a vendor agent whose vendor was never set (or was removed)
    desk = desk_make()
    desk.vendor_agent.vendor = None
    desk.vendor_agent.save()

    # when
    users = Api(desk.vendor_agent).get("/users").json()["items"]

    # then: not every user without a vendor (requesters, the help desk)
    assert [u["id"] for u in users] == [desk.vendor_agent.pk]
