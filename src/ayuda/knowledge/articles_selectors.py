"""Reads of knowledge-base articles (R17, R7, R19, R20): who may open which article, the
workspace's and the portal's lists, translations, versions and the feedback counts."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from ayuda.accounts.models import User
from ayuda.tickets.models import Ticket

from .models import ArticleFeedback, ArticleStatus, FeedbackOutcome, KbArticle, Visibility
from .search import articles_for

PORTAL_LIST_MAX = 500
WORKSPACE_PAGE = 50


def _helpdesk(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_helpdesk


def articles_readable(user: User | None, *, portal: bool) -> QuerySet[KbArticle]:
    """What ``user`` may open: the help desk every article in the workspace (drafts too),
    everyone else (and everyone in the portal) published public ones only."""
    if _helpdesk(user) and not portal:
        return KbArticle.objects.all()
    return articles_for(user, portal=True)


def article_get(*, user: User | None, pk: int, portal: bool) -> KbArticle:
    """The article, or 404 when it does not exist or ``user`` may not read it (never told
    apart: an internal or unpublished article is a 404 in the portal for every role)."""
    article = (
        articles_readable(user, portal=portal)
        .select_related("category", "author", "reviewer", "source_ticket")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        raise Http404
    return article


@dataclass(frozen=True)
class WorkspaceFilters:
    status: str = ""
    language: str = ""
    category_id: int | None = None
    visibility: str = ""
    q: str = ""


def article_list(*, user: User, filters: WorkspaceFilters) -> QuerySet[KbArticle]:
    """The workspace's list (help desk): by status, language, category, visibility and a
    plain title filter (the search service serves published articles' full-text search)."""
    articles = articles_readable(user, portal=False).select_related("category", "author")
    if filters.status:
        articles = articles.filter(status=filters.status)
    else:
        articles = articles.exclude(status=ArticleStatus.ARCHIVED)
    if filters.language:
        articles = articles.filter(language=filters.language)
    if filters.category_id:
        articles = articles.filter(category_id=filters.category_id)
    if filters.visibility:
        articles = articles.filter(visibility=filters.visibility)
    if filters.q:
        for word in filters.q.split()[:8]:
            articles = articles.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return articles.order_by("-updated_at", "-pk")


def review_queue(*, user: User) -> QuerySet[KbArticle]:
    return (
        articles_readable(user, portal=False)
        .filter(status=ArticleStatus.REVIEW)
        .select_related("category", "author")
        .order_by("updated_at", "pk")
    )


def translations(article: KbArticle, *, user: User | None, portal: bool) -> list[KbArticle]:
    """The other languages of ``article``'s family that ``user`` may open, by language."""
    return list(
        articles_readable(user, portal=portal)
        .filter(family=article.family)
        .exclude(pk=article.pk)
        .only("pk", "language", "title", "status", "visibility", "family")
        .order_by("language")
    )


def missing_languages(article: KbArticle) -> list[tuple[str, str]]:
    taken = set(KbArticle.objects.filter(family=article.family).values_list("language", flat=True))
    return [(code, name) for code, name in settings.LANGUAGES if code not in taken]


def feedback_counts(article: KbArticle) -> dict[str, int]:
    """How often the portal's suggestions opened it, it solved the problem (a deflection), and
    a ticket was opened anyway, over the whole family (every language)."""
    rows = (
        ArticleFeedback.objects.filter(article__family=article.family)
        .values("outcome")
        .annotate(n=Count("pk"))
    )
    counts = {outcome: 0 for outcome in FeedbackOutcome.values}
    for row in rows:
        counts[row["outcome"]] = row["n"]
    return counts


def article_for_ticket(ticket: Ticket) -> KbArticle | None:
    """The article drafted from ``ticket``'s solution (R19), if any."""
    return KbArticle.objects.filter(source_ticket=ticket).order_by("pk").first()


def _language_rank(language: str) -> list[str]:
    first = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    order = [first, settings.LANGUAGE_CODE] + [code for code, _ in settings.LANGUAGES]
    return list(dict.fromkeys(order))


def portal_articles(*, user: User | None, language: str, category_id: int | None = None):
    """Public articles for the portal's list, one per family, in ``language`` when it exists,
    else in the site's language, else any; ordered by category and title."""
    articles = articles_for(user, portal=True).select_related("category")
    if category_id:
        articles = articles.filter(category_id=category_id)
    rank = {code: i for i, code in enumerate(_language_rank(language))}
    best: dict = {}
    for article in articles.order_by("title", "pk")[:PORTAL_LIST_MAX]:
        current = best.get(article.family)
        if current is None or rank.get(article.language, 99) < rank.get(current.language, 99):
            best[article.family] = article
    return sorted(
        best.values(),
        key=lambda a: (a.category.display_name if a.category else "~", a.title.lower()),
    )


def public_article_count() -> int:
    return KbArticle.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC
    ).count()
