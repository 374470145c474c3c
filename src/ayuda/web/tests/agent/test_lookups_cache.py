import pytest
from django.core.cache import cache
from django.test import override_settings

from ayuda.accounts.models import Level, Role, Team
from ayuda.accounts.tests.factories import team_make, user_make
from ayuda.core.cache import lookups_changed
from ayuda.web.agent.lookups import Lookups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on():
    cache.clear()
    with override_settings(AYUDA_LOOKUP_CACHE_SECONDS=60):
        yield
    cache.clear()


def test_select_box_lists_come_from_the_cache_on_the_next_request(django_assert_num_queries):
    # given
    team_make(name="Service Desk")
    assert Lookups().teams  # the first request fills the cache

    # when / then
    with django_assert_num_queries(0):
        names = [t.name for t in Lookups().teams]
    assert names == ["Service Desk"]


def test_a_change_announced_with_lookups_changed_shows_at_once():
    # given
    team_make(name="Service Desk")
    assert Lookups().teams

    # when
    team_make(name="Applications", level=Level.L2)
    lookups_changed()

    # then
    assert {t.name for t in Lookups().teams} == {"Service Desk", "Applications"}


def test_an_emptied_cache_never_brings_back_lists_a_process_still_holds():
    # given: this process holds the lists of the current version
    team_make(name="Service Desk")
    assert Lookups().teams

    # when: the shared cache is emptied (a Redis restart) and a team is added meanwhile
    cache.clear()
    team_make(name="Applications", level=Level.L2)

    # then
    assert {t.name for t in Lookups().teams} == {"Service Desk", "Applications"}


def test_saving_a_team_in_the_admin_refreshes_the_lists(client):
    # given
    admin = user_make(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    team_make(name="Service Desk")
    assert Lookups().teams  # cached now

    # when
    response = client.post(
        "/admin/accounts/team/add/", {"name": "Field service", "level": Level.L1, "email": ""}
    )

    # then
    assert response.status_code == 302
    assert Team.objects.filter(name="Field service").exists()
    assert {t.name for t in Lookups().teams} == {"Service Desk", "Field service"}
