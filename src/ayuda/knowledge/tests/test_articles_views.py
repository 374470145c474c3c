"""Articles on the pages: the workspace's list, article, review and version pages; the portal's
list and article pages; the new-ticket form's suggestions and the deflection counts (R7); the
ticket page's insert-article search, draft-from-solution button and similar tickets (R19, R20)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ayuda.knowledge.articles import article_submit
from ayuda.knowledge.models import (
    ArticleFeedback,
    ArticleStatus,
    FeedbackOutcome,
    KbArticle,
    Visibility,
)
from ayuda.tickets.models import EventAction, StateCategory, Ticket, TicketEvent
from ayuda.tickets.tests.factories import category_make, desk_make, ticket_in
from ayuda.web.agent.views import tickets as ticket_views

from .article_factories import article_make

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk():
    return desk_make()


# -- the workspace ---------------------------------------------------------------------------------


def test_the_list_filters_and_counts_its_queries(client, desk, django_assert_max_num_queries):
    # given: published, internal and draft articles in two languages
    category = category_make(name="Printer")
    for n in range(6):
        article_make(desk, title=f"Printer tip {n}", category=category)
    article_make(desk, title="Impresora", language="es", visibility=Visibility.INTERNAL)
    article_make(desk, title="Draft about toner", published=False)
    client.force_login(desk.agent_l1)

    client.get(reverse("agent:kb"))  # warm the select-box caches

    # when
    with django_assert_max_num_queries(6):
        everything = client.get(reverse("agent:kb"))
    drafts = client.get(reverse("agent:kb"), {"status": "draft"})
    spanish = client.get(reverse("agent:kb"), {"language": "es"})

    # then
    assert everything.status_code == 200
    assert everything.content.decode().count("Printer tip") == 6
    assert "Draft about toner" in drafts.content.decode()
    assert "Printer tip" not in drafts.content.decode()
    assert "Impresora" in spanish.content.decode() and "Printer tip" not in spanish.content.decode()


def test_the_list_searches_published_articles_and_filters_drafts(client, desk):
    article_make(desk, title="Toner streaks", body="<p>Replace the toner.</p>")
    article_make(desk, title="Toner draft", published=False)
    article_make(desk, title="Wi-Fi drops")
    client.force_login(desk.agent_l1)

    html = client.get(reverse("agent:kb"), {"q": "toner"}).content.decode()

    assert "Toner streaks" in html and "Toner draft" in html and "Wi-Fi drops" not in html


@pytest.mark.parametrize("role", ["requester", "site_admin"])
def test_customers_never_reach_the_workspace_pages(client, desk, role):
    article = article_make(desk)
    client.force_login(desk.user(role))
    assert client.get(reverse("agent:kb")).status_code == 302
    assert client.get(reverse("agent:kb_article", args=[article.pk])).status_code == 302
    created = client.post(
        reverse("agent:kb_new"), {"title": "x", "body": "<p>x</p>", "language": "en"}
    )
    assert created.status_code == 403
    assert client.post(reverse("agent:kb_step", args=[article.pk, "archive"])).status_code == 403
    assert KbArticle.objects.count() == 1


def test_vendor_agents_do_not_write(client, desk):
    client.force_login(desk.vendor_agent)
    response = client.post(
        reverse("agent:kb_new"),
        {"title": "x", "body": "<p>x</p>", "language": "en", "visibility": "public"},
    )
    assert response.status_code == 403 and not KbArticle.objects.exists()


def test_write_submit_and_publish_through_the_pages(client, desk):
    # given: a level 1 agent writes a draft with a script in it
    client.force_login(desk.agent_l1)
    response = client.post(
        reverse("agent:kb_new"),
        {
            "title": "Scanner beeps twice",
            "summary": "",
            "body": "<p>Clean the glass.</p><script>alert(1)</script>",
            "language": "en",
            "visibility": "public",
        },
    )
    article = KbArticle.objects.get()
    assert response.status_code == 302 and "<script" not in article.body
    client.post(reverse("agent:kb_step", args=[article.pk, "submit"]), {"version": article.version})
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW

    # when: level 1 tries to publish, then the manager does
    refused = client.post(
        reverse("agent:kb_step", args=[article.pk, "publish"]), {"version": article.version}
    )
    client.force_login(desk.manager)
    queue = client.get(reverse("agent:kb_review")).content.decode()
    published = client.post(
        reverse("agent:kb_step", args=[article.pk, "publish"]), {"version": article.version}
    )

    # then
    assert refused.status_code == 403
    assert "Scanner beeps twice" in queue
    assert published.status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    page = client.get(reverse("agent:kb_article", args=[article.pk])).content.decode()
    assert "Clean the glass." in page and "alert(1)" not in page


def test_a_stale_edit_keeps_the_text_and_says_why(client, desk):
    article = article_make(desk, published=False)
    client.force_login(desk.agent_l1)
    data = {"title": "New", "summary": "", "body": "<p>New.</p>", "visibility": "public"}
    response = client.post(reverse("agent:kb_edit", args=[article.pk]), data | {"version": 9})
    assert response.status_code == 409
    assert "New." in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Printer shows E42"


def test_an_edit_shows_in_the_versions_and_the_old_version_reads(client, desk):
    article = article_make(desk, published=False)
    client.force_login(desk.agent_l1)
    client.post(
        reverse("agent:kb_edit", args=[article.pk]),
        {
            "title": "Printer shows E42 at start",
            "summary": "",
            "body": "<p>New text.</p>",
            "visibility": "public",
            "version": 1,
        },
    )
    page = client.get(reverse("agent:kb_article", args=[article.pk])).content.decode()
    old = client.get(reverse("agent:kb_version", args=[article.pk, 1])).content.decode()
    assert "New text." in page and "Version 2" in page and "Version 1" in page
    assert "Open the cover and remove the jammed paper." in old


def test_the_article_page_links_translations_and_counts_deflection(client, desk):
    # given: an English article, its Spanish translation, and the portal's feedback
    article = article_make(desk)
    spanish = article_make(desk, language="es", title="Impresora E42", family=article.family)
    for outcome in ("suggested", "suggested", "helped", "not_helped"):
        ArticleFeedback.objects.create(
            article=spanish, outcome=outcome, created_at=article.created_at
        )
    client.force_login(desk.agent_l1)

    # when
    response = client.get(reverse("agent:kb_article", args=[article.pk]))

    # then
    html = response.content.decode()
    assert reverse("agent:kb_article", args=[spanish.pk]) in html
    assert reverse("agent:kb_translate", args=[article.pk]) in html  # Italian is missing
    counts = response.context["counts"]
    assert counts == {"suggested": 2, "helped": 1, "not_helped": 1}


def test_the_agent_nav_links_the_knowledge_base(client, desk):
    client.force_login(desk.agent_l1)
    html = client.get(reverse("agent:queue")).content.decode()
    assert reverse("agent:kb") in html


# -- the portal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["requester", "site_admin", "agent_l1", "manager"])
def test_internal_and_unpublished_articles_are_404_in_the_portal(client, desk, role):
    internal = article_make(desk, title="Internal", visibility=Visibility.INTERNAL)
    draft = article_make(desk, title="Draft", published=False)
    in_review = article_make(desk, title="Review", published=False)
    article_submit(article=in_review, actor=desk.agent_l1)
    public = article_make(desk, title="Public")
    client.force_login(desk.user(role))
    for article in (internal, draft, in_review):
        assert client.get(reverse("portal:kb_article", args=[article.pk])).status_code == 404
        assert client.get(reverse("portal:kb_suggested", args=[article.pk])).status_code == 404
        assert client.post(reverse("portal:kb_helped", args=[article.pk])).status_code == 404
    assert client.get(reverse("portal:kb_article", args=[public.pk])).status_code == 200
    assert not ArticleFeedback.objects.exists()


def test_the_portal_list_prefers_the_readers_language(client, desk, django_assert_max_num_queries):
    # given: a family in en and es, an English-only article, an internal one
    desk.requester.language = "es"
    desk.requester.save(update_fields=["language"])
    category = category_make(name="Printer")
    english = article_make(desk, title="Printer jam", category=category)
    article_make(
        desk, title="Atasco de impresora", language="es", family=english.family, category=category
    )
    article_make(desk, title="Only in English", category=category)
    article_make(desk, title="Agents only", visibility=Visibility.INTERNAL)
    client.force_login(desk.requester)

    client.get(reverse("portal:kb"))  # warm the category cache

    # when
    with django_assert_max_num_queries(5):
        response = client.get(reverse("portal:kb"))

    # then
    html = response.content.decode()
    assert "Atasco de impresora" in html and "Printer jam" not in html
    assert "Only in English" in html and "Agents only" not in html


def test_the_portal_search_never_shows_internal_articles(client, desk):
    article_make(desk, title="Printer jam public")
    article_make(desk, title="Printer jam internal", visibility=Visibility.INTERNAL)
    client.force_login(desk.requester)
    html = client.get(reverse("portal:kb"), {"q": "printer"}).content.decode()
    assert "Printer jam public" in html and "Printer jam internal" not in html


def test_suggestions_while_typing_show_public_articles_only(client, desk):
    article_make(desk, title="Printer shows E42", summary="Paper jam.")
    article_make(desk, title="Printer internal notes", visibility=Visibility.INTERNAL)
    client.force_login(desk.requester)

    response = client.get(reverse("portal:kb_suggest"), {"subject": "printer"}, headers=HX)
    short = client.get(reverse("portal:kb_suggest"), {"subject": "pr"}, headers=HX)

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Printer shows E42" in html and "Printer internal notes" not in html
    assert "data-keep-draft-link" in html
    assert "Printer" not in short.content.decode()


def test_the_new_ticket_form_asks_for_suggestions_as_the_subject_is_typed(client, desk):
    client.force_login(desk.requester)
    html = client.get(reverse("portal:ticket_new")).content.decode()
    assert f'hx-get="{reverse("portal:kb_suggest")}"' in html
    assert 'hx-trigger="input changed delay:300ms"' in html
    assert 'id="kb-suggestions"' in html


def test_the_deflection_flow_is_counted(client, desk):
    # given: a requester who typed "printer E42" and opened the suggestion
    category = category_make(name="Printer")
    article = article_make(desk, category=category)
    client.force_login(desk.requester)
    opened = client.get(
        reverse("portal:kb_suggested", args=[article.pk]),
        {"q": "printer E42", "category": category.pk},
    )
    assert opened.status_code == 302
    page = client.get(opened["Location"])
    html = page.content.decode()

    # when: the article did not help, they follow "Didn't find enough help?"
    new_ticket_url = page.context["new_ticket_url"]
    form = client.get(new_ticket_url)

    # then: the form is pre-filled with what they searched, and carries the article
    assert "This solved my problem" in html and "enough help?" in html
    assert form.status_code == 200
    assert form.context["form"]["subject"].value() == "printer E42"
    assert f'name="from_article" value="{article.pk}"' in form.content.decode()

    # when: they send it
    created = client.post(
        reverse("portal:ticket_new"),
        {
            "category": category.pk,
            "subject": "printer E42",
            "description": "Still jammed.",
            "type": "incident",
            "from_article": article.pk,
        },
    )

    # then: the ticket is counted against the article; a second reader says it helped
    assert created.status_code == 302
    ticket = Ticket.objects.get()
    not_helped = ArticleFeedback.objects.get(outcome=FeedbackOutcome.NOT_HELPED)
    assert (not_helped.article, not_helped.ticket) == (article, ticket)
    client.force_login(desk.site_admin)
    helped = client.post(reverse("portal:kb_helped", args=[article.pk]), {"q": "E42"})
    assert helped.status_code == 302
    outcomes = sorted(ArticleFeedback.objects.values_list("outcome", "query"))
    assert outcomes == [
        ("helped", "E42"),
        ("not_helped", "printer E42"),
        ("suggested", "printer E42"),
    ]


def test_a_ticket_from_an_internal_article_id_counts_nothing(client, desk):
    category = category_make(name="Printer")
    internal = article_make(desk, visibility=Visibility.INTERNAL)
    client.force_login(desk.requester)
    client.post(
        reverse("portal:ticket_new"),
        {
            "category": category.pk,
            "subject": "E42",
            "description": "x",
            "type": "incident",
            "from_article": internal.pk,
        },
    )
    assert Ticket.objects.count() == 1 and not ArticleFeedback.objects.exists()


# -- the ticket page -------------------------------------------------------------------------------


def test_insert_article_search_gives_the_portal_link_and_marks_internal(client, desk):
    public = article_make(desk, title="Printer jam")
    article_make(desk, title="Printer internal", visibility=Visibility.INTERNAL)
    client.force_login(desk.agent_l1)

    response = client.get(reverse("agent:kb_insert"), {"q": "printer"}, headers=HX)

    html = response.content.decode()
    link = settings.AYUDA_BASE_URL.rstrip("/") + reverse("portal:kb_article", args=[public.pk])
    assert f"Printer jam: {link}" in html
    assert "Printer internal" in html and "the customer cannot open this link" in html
    assert "Open the cover and remove the jammed paper." in html  # the text to insert
    client.force_login(desk.requester)
    assert client.get(reverse("agent:kb_insert"), {"q": "printer"}).status_code == 302


def test_the_ticket_page_offers_the_insert_control_and_similar_tickets(
    client, desk, django_capture_on_commit_callbacks
):
    # given: a resolved ticket about a printer, another agent's open one, and a new one like it
    # (indexed for search after commit, as the ticket services do)
    with django_capture_on_commit_callbacks(execute=True):
        solved = ticket_in(StateCategory.RESOLVED, desk=desk, subject="Printer jams on labels")
        ticket = ticket_in(StateCategory.OPEN, desk=desk, subject="Printer jams again")
    client.force_login(desk.agent_l1)

    # when: the page, then the card's list (htmx, once the page is shown)
    html = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    card = client.get(reverse("agent:kb_similar", args=[ticket.pk]), headers=HX)

    # then
    assert 'id="kb-insert-q"' in html
    assert "Similar past tickets" in html and reverse("agent:kb_similar", args=[ticket.pk]) in html
    assert "Draft an article from the solution" not in html  # not resolved
    listed = card.content.decode()
    assert card.status_code == 200 and "<html" not in listed
    assert reverse("agent:ticket", args=[solved.pk]) in listed and "Replaced the fuser." in listed
    assert "score" in listed
    assert [hit.ticket for hit in card.context["kb_similar"]] == [solved]


def test_similar_tickets_respect_who_may_see_the_ticket(client, desk):
    ticket = ticket_in(StateCategory.OPEN, desk=desk, subject="Printer jams again")
    client.force_login(desk.requester)
    assert client.get(reverse("agent:kb_similar", args=[ticket.pk])).status_code == 302
    client.force_login(desk.vendor_agent)
    assert client.get(reverse("agent:kb_similar", args=[ticket.pk])).status_code == 403


def test_drafting_from_the_ticket_page(client, desk):
    # given: a resolved ticket
    ticket = ticket_in(StateCategory.RESOLVED, desk=desk, subject="Printer jams on labels")
    client.force_login(desk.agent_l1)
    before = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Draft an article from the solution" in before

    # when
    response = client.post(reverse("agent:kb_from_ticket", args=[ticket.pk]))

    # then: the draft's page, the event, and the ticket page links the article
    article = KbArticle.objects.get()
    assert response["Location"] == reverse("agent:kb_article", args=[article.pk])
    assert TicketEvent.objects.filter(ticket=ticket, action=EventAction.ARTICLE_DRAFTED).exists()
    after = client.get(reverse("agent:ticket", args=[ticket.pk])).content.decode()
    assert "Draft an article from the solution" not in after
    assert reverse("agent:kb_article", args=[article.pk]) in after


def test_drafting_from_an_open_ticket_is_refused_with_a_message(client, desk):
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    client.force_login(desk.agent_l1)
    response = client.post(reverse("agent:kb_from_ticket", args=[ticket.pk]), follow=True)
    assert "resolved or closed" in response.content.decode()
    assert not KbArticle.objects.exists()


def test_the_resolve_form_marks_the_solution_optional_when_the_category_says_so(client, desk):
    optional = category_make(name="Password reset", solution_required=False)
    ticket = ticket_in(StateCategory.OPEN, desk=desk, category=optional)
    required = ticket_in(StateCategory.OPEN, desk=desk, category=category_make(name="Printer"))
    client.force_login(desk.agent_l1)

    free = client.get(reverse("agent:ticket", args=[ticket.pk])).context
    strict = client.get(reverse("agent:ticket", args=[required.pk])).context

    def solution_field(context):
        form = next(af.form for af in context["action_forms"] if af.action.slug == "resolve")
        return form.fields["solution"]

    assert "required" not in solution_field(free).widget.attrs
    assert solution_field(strict).widget.attrs.get("required") is True


def _page_queries(client, ticket) -> int:
    url = reverse("agent:ticket", args=[ticket.pk])
    client.get(url)  # the session and the select-box lists, as on any later visit
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_article_cards_cost_one_query_on_a_resolved_ticket_and_none_on_an_open_one(
    client, desk, monkeypatch
):
    # given: an open and a resolved ticket, and many resolved tickets like them
    for n in range(5):
        ticket_in(StateCategory.RESOLVED, desk=desk, subject=f"Printer jams {n}")
    open_ticket = ticket_in(StateCategory.OPEN, desk=desk, subject="Printer jams now")
    resolved = ticket_in(StateCategory.RESOLVED, desk=desk, subject="Printer jams today")
    client.force_login(desk.agent_l1)

    # when: the pages with the cards, then without them
    with_cards = [_page_queries(client, t) for t in (open_ticket, resolved)]
    monkeypatch.setattr(ticket_views, "kb_ticket_context", lambda request, ticket: {})
    without = [_page_queries(client, t) for t in (open_ticket, resolved)]

    # then: the similar tickets load after the page; only the drafted article is looked up
    assert with_cards == [without[0], without[1] + 1]
