"""Writes of knowledge-base articles (R17, R19, R7): the draft -> review -> published workflow,
versions, translations, drafting from a resolved ticket and the portal's feedback.

Who does what (docs/knowledge.md, "Articles"):
- help-desk staff (level 1 and 2 agents, managers, admins) write drafts, edit them and submit
  them for review; customers and vendor agents write nothing;
- a manager or an administrator publishes, returns or archives any article; a level 2
  specialist does so for articles written by someone else (never their own: a second pair of
  eyes); a published article is edited by those reviewers only;
- every change (text, status, visibility) adds an ``ArticleVersion`` and bumps ``version``, so
  the versions are the article's full record, and a form shown at an older version is refused
  (``ConflictError``) instead of overwriting someone else's change;
- the search index is brought up to date after every change (``search.article_index``).

The body is HTML, sanitised here with nh3 before it is stored (``body_clean``): the pages
render it as stored.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.accounts.models import Role, User
from ayuda.core.errors import ConflictError, PermissionDeniedError, ValidationError
from ayuda.tickets import permissions
from ayuda.tickets.history import Step
from ayuda.tickets.models import EventAction, StateCategory, Ticket
from ayuda.tickets.permissions import Action
from ayuda.tickets.services._base import ticket_lock, ticket_write

from .article_html import body_clean, body_text, text_to_body
from .models import (
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    FeedbackOutcome,
    KbArticle,
    Visibility,
)
from .search import article_index

TITLE_MAX = 300
SUMMARY_MAX = 500
BODY_MAX = 100_000
QUERY_MAX = 200
NOTE_MAX = 300

REVIEWERS = frozenset({Role.MANAGER, Role.ADMIN})


# -- permissions ---------------------------------------------------------------------------------


def can_write(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_helpdesk


def can_review(user: User | None, article: KbArticle | None = None) -> bool:
    """Managers and admins review any article; a level 2 specialist one they did not write."""
    if not can_write(user):
        return False
    if user.role in REVIEWERS:
        return True
    return user.role == Role.AGENT_L2 and (article is None or article.author_id != user.pk)


def can_edit(user: User | None, article: KbArticle) -> bool:
    if not can_write(user) or article.status == ArticleStatus.ARCHIVED:
        return False
    if article.status == ArticleStatus.PUBLISHED:
        return user.role in REVIEWERS or user.role == Role.AGENT_L2
    return True


def _require_writer(actor: User) -> None:
    if not can_write(actor):
        raise PermissionDeniedError(_("Only the help desk writes knowledge-base articles."))


def _require_reviewer(actor: User, article: KbArticle) -> None:
    _require_writer(actor)
    if not can_review(actor, article):
        raise PermissionDeniedError(
            _(
                "A manager, an administrator or a level 2 specialist other than its author "
                "reviews an article."
            )
        )


# -- input ---------------------------------------------------------------------------------------


def _clean_fields(*, title: str, summary: str, body: str) -> tuple[str, str, str]:
    title = (title or "").strip()
    summary = (summary or "").strip()
    if not title:
        raise ValidationError(_("Give the article a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("The title is too long (at most %(n)s characters).") % {"n": TITLE_MAX},
            field="title",
        )
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            _("The summary is too long (at most %(n)s characters).") % {"n": SUMMARY_MAX},
            field="summary",
        )
    if len(body or "") > BODY_MAX:
        raise ValidationError(
            _("The text is too long (at most %(n)s characters).") % {"n": BODY_MAX},
            field="body",
        )
    cleaned = body_clean(body)
    if not body_text(cleaned):
        raise ValidationError(_("Write the article's text."), field="body")
    return title, summary, cleaned


def _clean_language(language: str) -> str:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the site's languages."), field="language")
    return language


def _clean_visibility(visibility: str) -> str:
    if visibility not in Visibility.values:
        raise ValidationError(_("Choose who may read the article."), field="visibility")
    return visibility


def _lock(article: KbArticle | int, expected_version: int | None) -> KbArticle:
    pk = article if isinstance(article, int) else article.pk
    locked = KbArticle.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this article while you were working on it. Nothing "
                "was saved: reload it to see their change, then try again."
            )
        )
    return locked


def _version_add(article: KbArticle, *, actor: User | None, note: str, at: datetime) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        status=article.status,
        visibility=article.visibility,
        edited_by=actor,
        note=note[:NOTE_MAX],
        created_at=at,
    )


def _save(article: KbArticle, *, actor: User | None, note: str, at: datetime) -> KbArticle:
    """Bump the version, save, keep the version and refresh the search entry."""
    article.version += 1
    article.updated_at = at
    article.save()
    _version_add(article, actor=actor, note=note, at=at)
    article_index(article)
    return article


# -- writes --------------------------------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    actor: User,
    title: str,
    body: str,
    language: str,
    summary: str = "",
    category=None,
    visibility: str = Visibility.INTERNAL,
    source_ticket: Ticket | None = None,
    family=None,
    note: str = "",
    at: datetime | None = None,
) -> KbArticle:
    """A new draft (version 1)."""
    _require_writer(actor)
    title, summary, body = _clean_fields(title=title, summary=summary, body=body)
    language = _clean_language(language)
    visibility = _clean_visibility(visibility)
    at = at or timezone.now()
    fields = {
        "language": language,
        "category": category,
        "title": title,
        "summary": summary,
        "body": body,
        "visibility": visibility,
        "status": ArticleStatus.DRAFT,
        "version": 1,
        "author": actor,
        "source_ticket": source_ticket,
        "created_at": at,
        "updated_at": at,
    }
    if family is not None:
        fields["family"] = family
    try:
        with transaction.atomic():
            article = KbArticle.objects.create(**fields)
    except IntegrityError:
        raise ValidationError(
            _("This article already has a translation in that language."), field="language"
        ) from None
    _version_add(article, actor=actor, note=note or _("Created"), at=at)
    article_index(article)
    return article


@transaction.atomic
def article_update(
    *,
    article: KbArticle,
    actor: User,
    title: str,
    summary: str,
    body: str,
    visibility: str,
    category=None,
    expected_version: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> KbArticle:
    """Save an edit: a new version if anything changed; nothing written if nothing did."""
    _require_writer(actor)
    article = _lock(article, expected_version)
    if not can_edit(actor, article):
        raise PermissionDeniedError(
            _("Only a reviewer edits a published article; an archived one is not edited.")
        )
    title, summary, body = _clean_fields(title=title, summary=summary, body=body)
    visibility = _clean_visibility(visibility)
    new = {
        "title": title,
        "summary": summary,
        "body": body,
        "visibility": visibility,
        "category_id": category.pk if category is not None else None,
    }
    if all(getattr(article, name) == value for name, value in new.items()):
        return article
    for name, value in new.items():
        setattr(article, name, value)
    return _save(article, actor=actor, note=note or _("Edited"), at=at or timezone.now())


def _move(
    article: KbArticle,
    *,
    actor: User,
    frm: tuple[str, ...],
    to: str,
    note: str,
    expected_version: int | None,
    at: datetime | None,
    reviewer: bool,
) -> KbArticle:
    _require_writer(actor)
    article = _lock(article, expected_version)
    if reviewer:
        _require_reviewer(actor, article)
    if article.status not in frm:
        raise ValidationError(
            _("An article that is “%(from)s” cannot become “%(to)s”.")
            % {"from": ArticleStatus(article.status).label, "to": ArticleStatus(to).label}
        )
    at = at or timezone.now()
    article.status = to
    if to == ArticleStatus.PUBLISHED:
        article.published_at = at
        article.reviewer = actor
    return _save(article, actor=actor, note=note, at=at)


@transaction.atomic
def article_submit(
    *, article: KbArticle, actor: User, expected_version: int | None = None, at=None
) -> KbArticle:
    """Draft -> in review (any help-desk writer)."""
    return _move(
        article,
        actor=actor,
        frm=(ArticleStatus.DRAFT,),
        to=ArticleStatus.REVIEW,
        note=_("Submitted for review"),
        expected_version=expected_version,
        at=at,
        reviewer=False,
    )


@transaction.atomic
def article_publish(
    *, article: KbArticle, actor: User, expected_version: int | None = None, at=None
) -> KbArticle:
    """In review -> published, by a reviewer (``can_review``)."""
    return _move(
        article,
        actor=actor,
        frm=(ArticleStatus.REVIEW,),
        to=ArticleStatus.PUBLISHED,
        note=_("Published"),
        expected_version=expected_version,
        at=at,
        reviewer=True,
    )


@transaction.atomic
def article_return(
    *,
    article: KbArticle,
    actor: User,
    note: str,
    expected_version: int | None = None,
    at=None,
) -> KbArticle:
    """In review -> draft, with what the author should change (required)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what the author should change."), field="note")
    if len(note) > NOTE_MAX - 20:
        raise ValidationError(
            _("The note is too long (at most %(n)s characters).") % {"n": NOTE_MAX - 20},
            field="note",
        )
    return _move(
        article,
        actor=actor,
        frm=(ArticleStatus.REVIEW,),
        to=ArticleStatus.DRAFT,
        note=_("Returned: %(note)s") % {"note": note},
        expected_version=expected_version,
        at=at,
        reviewer=True,
    )


@transaction.atomic
def article_archive(
    *, article: KbArticle, actor: User, expected_version: int | None = None, at=None
) -> KbArticle:
    """Any status but archived -> archived, by a reviewer: off the portal and the search."""
    return _move(
        article,
        actor=actor,
        frm=(ArticleStatus.DRAFT, ArticleStatus.REVIEW, ArticleStatus.PUBLISHED),
        to=ArticleStatus.ARCHIVED,
        note=_("Archived"),
        expected_version=expected_version,
        at=at,
        reviewer=True,
    )


@transaction.atomic
def article_translate(
    *,
    article: KbArticle,
    actor: User,
    language: str,
    title: str,
    body: str,
    summary: str = "",
    at: datetime | None = None,
) -> KbArticle:
    """A draft translation of ``article`` into ``language``: same family, category and
    visibility; one article per language in a family."""
    _require_writer(actor)
    language = _clean_language(language)
    if KbArticle.objects.filter(family=article.family, language=language).exists():
        raise ValidationError(
            _("This article already has a translation in that language."), field="language"
        )
    return article_create(
        actor=actor,
        title=title,
        summary=summary,
        body=body,
        language=language,
        category=article.category,
        visibility=article.visibility,
        family=article.family,
        note=_("Translated from %(language)s") % {"language": article.get_language_display()},
        at=at,
    )


@transaction.atomic
def article_from_ticket(*, ticket: Ticket, actor: User, at: datetime | None = None) -> KbArticle:
    """R19: a resolved or closed ticket's solution as a draft article (title from the
    subject, text from the solution, the ticket's category, the requester's language), the
    ticket linked, and an ``article_drafted`` event in its history. Done twice, the second
    call returns the article of the first and writes nothing."""
    _require_writer(actor)
    ticket = ticket_lock(ticket)
    permissions.check(actor, ticket, Action.VIEW)
    existing = KbArticle.objects.filter(source_ticket=ticket).order_by("pk").first()
    if existing is not None:
        return existing
    if ticket.state_category not in (StateCategory.RESOLVED, StateCategory.CLOSED):
        raise ValidationError(_("Only a resolved or closed ticket's solution becomes an article."))
    if not (ticket.solution or "").strip():
        raise ValidationError(_("This ticket has no solution to turn into an article."))
    language = getattr(ticket.requester, "language", "") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    at = at or timezone.now()
    article = article_create(
        actor=actor,
        title=ticket.subject[:TITLE_MAX],
        body=text_to_body(ticket.solution),
        language=language,
        category=ticket.category,
        visibility=Visibility.INTERNAL,
        source_ticket=ticket,
        note=_("Drafted from ticket #%(number)s") % {"number": ticket.number},
        at=at,
    )
    ticket_write(
        ticket,
        actor=actor,
        steps=[
            Step(
                EventAction.ARTICLE_DRAFTED,
                new=article.title,
                data={"article_id": article.pk, "language": language},
            )
        ],
        at=at,
    )
    return article


def article_feedback(
    *,
    article: KbArticle,
    user: User | None,
    outcome: str,
    query: str = "",
    ticket: Ticket | None = None,
    at: datetime | None = None,
) -> ArticleFeedback:
    """Record a requester's step with a public article (R7): ``suggested`` (opened from the
    suggestions), ``helped`` (a deflected ticket), ``not_helped`` (opened a ticket anyway)."""
    if outcome not in FeedbackOutcome.values:
        raise ValidationError(_("Unknown feedback."), field="outcome")
    if not article.is_public:
        raise PermissionDeniedError(_("This article is not available."))
    return ArticleFeedback.objects.create(
        article=article,
        user=user if user is not None and user.is_authenticated else None,
        outcome=outcome,
        query=" ".join((query or "").split())[:QUERY_MAX],
        ticket=ticket,
        created_at=at or timezone.now(),
    )
