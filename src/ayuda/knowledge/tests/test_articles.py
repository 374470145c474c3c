"""Articles' services: the workflow and its reviewers, versions and the version check, the
sanitised body, translations, drafting from a resolved ticket (R19) and the portal's feedback."""

import pytest

from ayuda.core.errors import ConflictError, PermissionDeniedError, ValidationError
from ayuda.knowledge import articles as services
from ayuda.knowledge import articles_selectors as kb
from ayuda.knowledge.models import (
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    FeedbackOutcome,
    KbArticle,
    Visibility,
)
from ayuda.tickets.models import EventAction, StateCategory, TicketEvent
from ayuda.tickets.tests.factories import desk_make, ticket_in

from .article_factories import article_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return desk_make()


def test_draft_review_publish_keeps_every_version(desk):
    # given: a level 1 agent's draft
    article = article_make(desk, published=False)
    assert (article.status, article.version) == (ArticleStatus.DRAFT, 1)

    # when: they edit it, submit it, and the manager publishes it
    article = services.article_update(
        article=article,
        actor=desk.agent_l1,
        title="Printer shows E42 on start",
        summary="Paper jam.",
        body="<p>Open the cover.</p>",
        visibility=Visibility.PUBLIC,
        expected_version=1,
    )
    article = services.article_submit(article=article, actor=desk.agent_l1, expected_version=2)
    article = services.article_publish(article=article, actor=desk.manager, expected_version=3)

    # then: published, reviewed by the manager, with four versions kept
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.reviewer == desk.manager and article.published_at is not None
    versions = list(article.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert versions[0].title == "Printer shows E42"
    assert versions[1].title == "Printer shows E42 on start"
    assert [v.status for v in versions] == ["draft", "draft", "review", "published"]
    assert article.version == 4


def test_an_unchanged_edit_writes_nothing(desk):
    article = article_make(desk, published=False)
    services.article_update(
        article=article,
        actor=desk.agent_l1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        visibility=article.visibility,
    )
    article.refresh_from_db()
    assert article.version == 1 and article.versions.count() == 1


def test_an_edit_on_an_older_version_is_refused_and_changes_nothing(desk):
    # given: someone saved version 2 while another agent had version 1 open
    article = article_make(desk, published=False)
    services.article_update(
        article=article,
        actor=desk.agent_l2,
        title="Theirs",
        summary="",
        body="<p>Theirs.</p>",
        visibility=Visibility.PUBLIC,
        expected_version=1,
    )

    # when / then
    with pytest.raises(ConflictError):
        services.article_update(
            article=article,
            actor=desk.agent_l1,
            title="Mine",
            summary="",
            body="<p>Mine.</p>",
            visibility=Visibility.PUBLIC,
            expected_version=1,
        )
    article.refresh_from_db()
    assert article.title == "Theirs" and article.versions.count() == 2


@pytest.mark.parametrize("role", ["agent_l1"])
def test_a_level_1_agent_does_not_publish(desk, role):
    article = article_make(desk, published=False)
    services.article_submit(article=article, actor=desk.agent_l1)
    with pytest.raises(PermissionDeniedError):
        services.article_publish(article=article, actor=desk.user(role))
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW and article.version == 2


def test_a_level_2_specialist_publishes_others_articles_but_not_their_own(desk):
    # given: one article by level 1, one by level 2, both in review
    theirs = article_make(desk, published=False)
    services.article_submit(article=theirs, actor=desk.agent_l1)
    own = article_make(desk, published=False, author=desk.agent_l2, title="Own")
    services.article_submit(article=own, actor=desk.agent_l2)

    # when / then
    services.article_publish(article=theirs, actor=desk.agent_l2)
    with pytest.raises(PermissionDeniedError):
        services.article_publish(article=own, actor=desk.agent_l2)
    own.refresh_from_db()
    assert own.status == ArticleStatus.REVIEW


@pytest.mark.parametrize("role", ["requester", "site_admin", "vendor_agent"])
def test_only_the_help_desk_writes(desk, role):
    with pytest.raises(PermissionDeniedError):
        services.article_create(actor=desk.user(role), title="Mine", body="<p>x</p>", language="en")
    assert not KbArticle.objects.exists()


def test_return_needs_a_note_and_records_it(desk):
    article = article_make(desk, published=False)
    services.article_submit(article=article, actor=desk.agent_l1)
    with pytest.raises(ValidationError):
        services.article_return(article=article, actor=desk.manager, note="  ")
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW

    services.article_return(article=article, actor=desk.manager, note="Add a photo of the cover.")

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert "Add a photo of the cover." in article.versions.first().note


def test_a_draft_cannot_be_published_without_review(desk):
    article = article_make(desk, published=False)
    with pytest.raises(ValidationError):
        services.article_publish(article=article, actor=desk.manager)
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_archived_articles_leave_the_portal(desk):
    article = article_make(desk)
    services.article_archive(article=article, actor=desk.manager)
    assert not kb.articles_readable(desk.requester, portal=True).filter(pk=article.pk).exists()


@pytest.mark.parametrize(
    "dirty",
    [
        '<p>Hi</p><script>alert("x")</script>',
        '<p>Hi</p><img src="x" onerror="alert(1)">',
        '<p>Hi <a href="javascript:alert(1)">click</a></p>',
        '<p onclick="alert(1)">Hi</p><style>p{}</style>',
        '<p>Hi</p><iframe src="https://evil.example"></iframe>',
    ],
)
def test_bodies_are_stored_sanitised(desk, dirty):
    article = article_make(desk, body=dirty, published=False)
    stored = KbArticle.objects.get(pk=article.pk).body
    assert "script" not in stored and "onerror" not in stored and "onclick" not in stored
    assert "javascript:" not in stored and "iframe" not in stored and "<style" not in stored
    assert "Hi" in stored
    assert ArticleVersion.objects.get(article=article).body == stored


def test_allowed_markup_is_kept(desk):
    body = (
        '<h2>Steps</h2><ol><li><strong>Open</strong> <a href="https://x.example/a">it</a></li></ol>'
    )
    article = article_make(desk, body=body, published=False)
    assert "<h2>Steps</h2>" in article.body and "<strong>Open</strong>" in article.body
    assert 'href="https://x.example/a"' in article.body and "noopener" in article.body


def test_a_body_of_markup_only_is_refused(desk):
    with pytest.raises(ValidationError) as err:
        services.article_create(
            actor=desk.agent_l1, title="Empty", body="<script>x</script>", language="en"
        )
    assert err.value.field == "body"
    assert not KbArticle.objects.exists()


def test_translations_share_a_family_one_per_language(desk):
    # given: an English article
    article = article_make(desk)

    # when: translated into Spanish
    spanish = services.article_translate(
        article=article,
        actor=desk.agent_l1,
        language="es",
        title="La impresora muestra E42",
        body="<p>Abra la tapa.</p>",
    )

    # then: a draft of the same family, category and visibility; Spanish twice is refused
    assert spanish.family == article.family and spanish.status == ArticleStatus.DRAFT
    assert spanish.visibility == article.visibility
    assert [a.pk for a in kb.translations(article, user=desk.agent_l1, portal=False)] == [
        spanish.pk
    ]
    with pytest.raises(ValidationError):
        services.article_translate(
            article=article, actor=desk.agent_l1, language="es", title="Otra", body="<p>x</p>"
        )
    assert KbArticle.objects.filter(family=article.family).count() == 2
    # the portal does not list a draft translation
    assert kb.translations(article, user=desk.requester, portal=True) == []


def test_a_resolved_tickets_solution_becomes_a_draft_article(desk):
    # given: a resolved ticket of a Spanish requester
    desk.requester.language = "es"
    desk.requester.save(update_fields=["language"])
    ticket = ticket_in(StateCategory.RESOLVED, desk=desk, subject="Impresora atascada")
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    # when
    article = services.article_from_ticket(ticket=ticket, actor=desk.agent_l1)

    # then: a draft in Spanish with the ticket linked, and the event in the ticket's history
    assert article.title == "Impresora atascada" and article.language == "es"
    assert article.status == ArticleStatus.DRAFT and article.source_ticket == ticket
    assert "Replaced the fuser." in article.body
    assert article.visibility == Visibility.INTERNAL
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    assert event.action == EventAction.ARTICLE_DRAFTED
    assert event.data["article_id"] == article.pk
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + 1
    # twice: the same article, nothing more written
    assert services.article_from_ticket(ticket=ticket, actor=desk.agent_l1) == article
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + 1


def test_a_ticket_without_a_solution_is_refused(desk):
    ticket = ticket_in(StateCategory.OPEN, desk=desk)
    version = ticket.version
    with pytest.raises(ValidationError):
        services.article_from_ticket(ticket=ticket, actor=desk.agent_l1)
    ticket.refresh_from_db()
    assert ticket.version == version and not KbArticle.objects.exists()


def test_a_requester_cannot_draft_from_their_ticket(desk):
    ticket = ticket_in(StateCategory.RESOLVED, desk=desk)
    with pytest.raises(PermissionDeniedError):
        services.article_from_ticket(ticket=ticket, actor=desk.requester)
    assert not KbArticle.objects.exists()


def test_feedback_counts_only_public_articles(desk):
    public = article_make(desk)
    internal = article_make(desk, title="Internal", visibility=Visibility.INTERNAL)
    for outcome in (FeedbackOutcome.SUGGESTED, FeedbackOutcome.HELPED):
        services.article_feedback(
            article=public, user=desk.requester, outcome=outcome, query="  printer   E42 "
        )
    with pytest.raises(PermissionDeniedError):
        services.article_feedback(
            article=internal, user=desk.requester, outcome=FeedbackOutcome.HELPED
        )
    assert kb.feedback_counts(public) == {"suggested": 1, "helped": 1, "not_helped": 0}
    assert ArticleFeedback.objects.filter(query="printer E42").count() == 2


def test_body_text_for_a_plain_reply():
    text = services.body_text("<h2>Steps</h2><ol><li>Open &amp; close</li><li>Retry</li></ol>")
    assert text.splitlines() == ["Steps", "Open & close", "Retry"]
