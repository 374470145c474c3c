import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.core.models import RateCounter
from ayuda.tickets.models import Category, Channel, Ticket

from .helpers import (
    CHROME_WINDOWS,
    FIREFOX_LINUX,
    nothing_created,
    plain_category,
    requester_make,
    site_admin_make,
    site_make,
    software_category,
)

pytestmark = pytest.mark.django_db
URL = reverse("portal:ticket_new")


def software_answers(category) -> dict:
    return {
        "category": category.pk,
        "subject": "Invoice totals are wrong",
        "description": "The total ignores the discount.",
        "type": "incident",
        "steps_to_reproduce": "1. Open an invoice\n2. Add a discount",
        "url": "https://erp.example.com/invoices/12",
        "software_version": "4.2.1",
        "software_edition": "Professional",
    }


def test_step_one_lists_active_categories_as_parent_and_child(client):
    # given
    parent = plain_category(name="Hardware")
    plain_category(name="Printer", parent=parent)
    plain_category(name="Retired", is_active=False)
    client.force_login(requester_make())

    # when
    response = client.get(URL)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hardware › Printer" in html
    assert "Retired" not in html


def test_choosing_a_category_without_js_shows_its_form(client):
    # given
    category = software_category(
        extra_fields=[{"name": "module", "label": "Module", "type": "text", "required": True}]
    )
    client.force_login(requester_make())

    # when
    response = client.get(URL, {"category": category.pk})

    # then
    html = response.content.decode()
    assert "<html" in html
    assert f'name="category" value="{category.pk}"' in html
    for name in ("subject", "steps_to_reproduce", "url", "software_version", "software_edition"):
        assert f'name="{name}"' in html
    assert 'name="extra_module"' in html


def test_htmx_category_change_returns_only_the_fragment(client):
    # given
    category = software_category()
    client.force_login(requester_make())

    # when
    response = client.get(URL, {"category": category.pk}, headers={"HX-Request": "true"})

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<nav" not in html
    assert 'id="category-part"' in html
    assert 'id="category-help"' in html
    assert 'name="steps_to_reproduce"' in html
    assert 'name="subject"' not in html  # the common fields stay as the user typed them
    assert "HX-Request" in response["Vary"]


def test_plain_category_submission_creates_the_ticket_and_redirects(client):
    # given
    requester = requester_make()
    category = plain_category()
    client.force_login(requester)

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "Printer jams",
            "description": "Every second page jams.",
            "type": "service_request",
        },
        headers={"User-Agent": FIREFOX_LINUX},
        follow=True,
    )

    # then
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(reverse("portal:ticket", args=[ticket.pk]), 302)]
    assert ticket.requester == requester
    assert ticket.channel == Channel.PORTAL
    assert ticket.category == category
    assert ticket.type == "service_request"
    assert ticket.site is None
    assert (ticket.browser, ticket.operating_system) == ("Firefox 128", "Linux")
    assert f"Ticket #{ticket.number} was created; we sent you an acknowledgement." in (
        response.content.decode()
    )


def test_software_submission_keeps_environment_and_captures_browser(client):
    # given
    category = software_category()
    client.force_login(requester_make())

    # when
    response = client.post(URL, software_answers(category), headers={"User-Agent": CHROME_WINDOWS})

    # then
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.url == "https://erp.example.com/invoices/12"
    assert ticket.software_version == "4.2.1"
    assert ticket.software_edition == "Professional"
    assert ticket.steps_to_reproduce.startswith("1. Open an invoice")
    assert ticket.browser == "Chrome 126"
    assert ticket.operating_system == "Windows 10/11"


@pytest.mark.parametrize(
    "missing", ["steps_to_reproduce", "url", "software_version", "software_edition"]
)
def test_software_submission_requires_each_environment_field(client, missing):
    # given
    category = software_category()
    client.force_login(requester_make())
    answers = software_answers(category) | {missing: ""}

    # when
    response = client.post(URL, answers)

    # then
    assert response.status_code == 200
    assert nothing_created()
    form = response.context["form"]
    assert form.errors[missing] == ["Software problems need this; please fill it in."]
    html = response.content.decode()
    assert "The total ignores the discount." in html  # what the user typed is kept
    assert 'value="Invoice totals are wrong"' in html


def test_missing_subject_and_description_are_reported_per_field(client):
    # given
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(URL, {"category": category.pk, "type": "incident"})

    # then
    assert nothing_created()
    assert set(response.context["form"].errors) == {"subject", "description"}


def test_required_extra_field_is_enforced_and_answers_are_saved(client):
    # given
    category = plain_category(
        name="Counters",
        extra_fields=[
            {"name": "serial", "label": "Serial number", "type": "text", "required": True},
            {
                "name": "mounting",
                "label": "Mounting",
                "type": "choice",
                "choices": ["Ceiling", "Wall"],
            },
            {"name": "notes", "label": "Notes", "type": "textarea"},
        ],
    )
    client.force_login(requester_make())
    answers = {
        "category": category.pk,
        "subject": "Counter offline",
        "description": "No data since Monday.",
        "type": "incident",
        "extra_mounting": "Wall",
    }

    # when
    refused = client.post(URL, answers)
    accepted = client.post(URL, answers | {"extra_serial": "FC-1234"})

    # then
    assert refused.status_code == 200
    assert "extra_serial" in refused.context["form"].errors
    assert 'value="Counter offline"' in refused.content.decode()
    assert accepted.status_code == 302
    assert Ticket.objects.get().extra == {"serial": "FC-1234", "mounting": "Wall"}


def test_extra_choice_outside_the_offered_values_is_refused(client):
    # given
    category = plain_category(
        extra_fields=[{"name": "size", "label": "Size", "type": "choice", "choices": ["S", "M"]}]
    )
    client.force_login(requester_make())

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "s",
            "description": "d",
            "type": "incident",
            "extra_size": "XXL",
        },
    )

    # then
    assert nothing_created()
    assert "extra_size" in response.context["form"].errors


def test_missing_category_is_refused(client):
    # given
    client.force_login(requester_make())

    # when
    response = client.post(URL, {"subject": "s", "description": "d", "type": "incident"})

    # then
    assert nothing_created()
    assert response.context["category_form"].errors["category"]


def test_inactive_category_cannot_be_used(client):
    # given
    category = plain_category(is_active=False)
    client.force_login(requester_make())

    # when
    response = client.post(
        URL, {"category": category.pk, "subject": "s", "description": "d", "type": "incident"}
    )

    # then
    assert nothing_created()
    assert response.context["category_form"].errors["category"]


def test_requester_can_pick_a_site_of_their_organisation(client):
    # given
    requester = requester_make()
    site = site_make(organisation=requester.organisation)
    category = plain_category()
    client.force_login(requester)

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "s",
            "description": "d",
            "type": "incident",
            "site": site.pk,
        },
    )

    # then
    assert response.status_code == 302
    assert Ticket.objects.get().site == site


def test_requester_cannot_pick_another_organisations_site(client):
    # given
    requester = requester_make()
    other_site = site_make()
    category = plain_category()
    client.force_login(requester)

    # when
    response = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "s",
            "description": "d",
            "type": "incident",
            "site": other_site.pk,
        },
    )

    # then
    assert nothing_created()
    assert "site" in response.context["form"].errors


def test_site_admin_is_offered_only_their_own_sites(client):
    # given
    mine = site_make()
    not_mine = site_make(organisation=mine.organisation)
    admin = site_admin_make(sites=[mine])
    category = plain_category()
    client.force_login(admin)

    # when
    page = client.get(URL, {"category": category.pk})
    refused = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "s",
            "description": "d",
            "type": "incident",
            "site": not_mine.pk,
        },
    )
    accepted = client.post(
        URL,
        {
            "category": category.pk,
            "subject": "s",
            "description": "d",
            "type": "incident",
            "site": mine.pk,
        },
    )

    # then
    assert list(page.context["form"].fields["site"].queryset) == [mine]
    assert "site" in refused.context["form"].errors
    assert accepted.status_code == 302
    assert Ticket.objects.get().site == mine


def test_submissions_are_rate_limited_per_user(client, monkeypatch):
    # given
    monkeypatch.setattr("ayuda.web.portal.views.SUBMISSIONS_PER_HOUR", 2)
    category = plain_category()
    client.force_login(requester_make())
    answers = {"category": category.pk, "subject": "s", "description": "d", "type": "incident"}

    # when
    first = client.post(URL, answers)
    second = client.post(URL, answers)
    third = client.post(URL, answers)

    # then
    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 429)
    assert Ticket.objects.count() == 2
    assert "You have sent many tickets in the last hour" in third.content.decode()
    assert RateCounter.objects.get().hits == 2  # the refused one wrote nothing
    assert 'value="s"' in third.content.decode()
    client.force_login(requester_make())
    assert client.post(URL, answers).status_code == 302  # another user is not affected


def test_user_content_is_escaped_when_the_form_is_shown_again(client):
    # given
    category = plain_category()
    client.force_login(requester_make())

    # when
    response = client.post(
        URL, {"category": category.pk, "subject": "<script>alert(1)</script>", "type": "incident"}
    )

    # then
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_category_help_is_shown(client):
    # given
    category = Category.objects.create(name="VPN", description="Say which office you are in.")
    client.force_login(requester_make())

    # when
    response = client.get(URL, {"category": category.pk})

    # then
    assert "Say which office you are in." in response.content.decode()


def _create_queries(client, answers) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, answers)
    assert response.status_code == 302
    return [q["sql"] for q in queries.captured_queries]


def test_a_ticket_costs_a_fixed_number_of_queries(client):
    # given: the select-box lists in the cache (the default outside the test settings)
    category = plain_category()
    client.force_login(requester_make())
    answers = {"category": category.pk, "subject": "s", "description": "d", "type": "incident"}
    with override_settings(AYUDA_LOOKUP_CACHE_SECONDS=60):
        _create_queries(client, answers)  # the first request fills the cache

        # when
        queries = _create_queries(client, answers)

    # then: session, user, then one transaction (a savepoint inside the test's own): the
    # rate-limit counter (one upsert) and, in the service's savepoint, the ticket, its first
    # message, its "created" event and its history head
    assert len(queries) == 11, "\n".join(queries)
    assert queries[2].startswith("SAVEPOINT") and queries[3].startswith("INSERT INTO")
    assert sum('"core_ratecounter"' in sql for sql in queries) == 1
    assert Ticket.objects.count() == 2


def test_without_the_lists_cache_a_ticket_reads_categories_and_states_once(client):
    # given
    category = plain_category()
    client.force_login(requester_make())
    answers = {"category": category.pk, "subject": "s", "description": "d", "type": "incident"}
    _create_queries(client, answers)

    # when
    queries = _create_queries(client, answers)

    # then
    assert len(queries) == 13, "\n".join(queries)
    assert sum('FROM "tickets_category"' in sql for sql in queries) == 1
    assert sum('FROM "tickets_ticketstate"' in sql for sql in queries) == 1
