"""One search service for articles and tickets (R17, R19, R20, R7).

PLACEHOLDER implementation: plain substring matching, no ranking. The search work replaces the
bodies (PostgreSQL full-text search per language with unaccent and trigram similarity; SQLite
FTS5 over Snowball-stemmed text) and keeps these signatures, which the views, the portal's
suggestions, the ticket page and the API call.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString

from ayuda.accounts.models import HELPDESK_ROLES, User
from ayuda.tickets.models import StateCategory, Ticket
from ayuda.tickets.permissions import ticket_visible_to

from ..models import ArticleStatus, KbArticle, Visibility


@dataclass(frozen=True)
class ArticleHit:
    article: KbArticle
    score: float  # 0..1, higher is better
    snippet: SafeString  # escaped text with the matched words in <mark>


@dataclass(frozen=True)
class TicketHit:
    ticket: Ticket
    score: float  # 0..1, higher is better
    snippet: SafeString


def _snippet(text: str) -> SafeString:
    return escape(text[:200])


def articles_for(user: User | None, *, portal: bool):
    """Published articles ``user`` may read: public ones in the portal and for anyone outside
    the help desk (customers, vendors), every published one for help-desk staff."""
    articles = KbArticle.objects.filter(status=ArticleStatus.PUBLISHED)
    helpdesk = user is not None and user.is_authenticated and user.role in HELPDESK_ROLES
    if portal or not helpdesk:
        articles = articles.filter(visibility=Visibility.PUBLIC)
    return articles


def article_search(
    *,
    user: User | None,
    query: str,
    portal: bool,
    language: str | None = None,
    category_id: int | None = None,
    limit: int = 10,
) -> list[ArticleHit]:
    """Published articles matching ``query``, best first; ``language`` first if given."""
    words = [w for w in (query or "").split() if w.strip('"*-()')][:8]
    if not words:
        return []
    articles = articles_for(user, portal=portal)
    if category_id:
        articles = articles.filter(category_id=category_id)
    for word in words:
        articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return [
        ArticleHit(article=a, score=1.0, snippet=_snippet(a.summary or a.title))
        for a in articles.order_by("title")[:limit]
    ]


def article_suggest(
    *, user: User | None, query: str, language: str | None = None, limit: int = 5
) -> list[ArticleHit]:
    """Public articles for a requester's subject as they type it (the portal's deflection)."""
    return article_search(user=user, query=query, portal=True, language=language, limit=limit)


def ticket_search(*, user: User, query: str, limit: int = 25) -> list[TicketHit]:
    """Tickets ``user`` may see whose subject, description or messages match ``query``."""
    words = [w for w in (query or "").split() if w.strip('"*-()')][:8]
    if not words:
        return []
    tickets = ticket_visible_to(user)
    for word in words:
        tickets = tickets.filter(Q(subject__icontains=word) | Q(description__icontains=word))
    return [
        TicketHit(ticket=t, score=1.0, snippet=_snippet(t.subject))
        for t in tickets.order_by("-id")[:limit]
    ]


def similar_tickets(*, ticket: Ticket, user: User, limit: int = 5) -> list[TicketHit]:
    """Resolved or closed tickets with a solution whose text is like ``ticket``'s."""
    words = [w for w in ticket.subject.split() if len(w) > 3][:4]
    if not words:
        return []
    q = Q()
    for word in words:
        q |= Q(subject__icontains=word)
    tickets = (
        ticket_visible_to(user)
        .filter(q, state_category__in=[StateCategory.RESOLVED, StateCategory.CLOSED])
        .exclude(solution="")
        .exclude(pk=ticket.pk)
    )
    return [
        TicketHit(ticket=t, score=0.5, snippet=_snippet(t.solution))
        for t in tickets.order_by("-id")[:limit]
    ]


def article_index(article: KbArticle) -> None:
    """Bring ``article``'s search entry up to date (called by the article services after a
    change of text, status or visibility). The placeholder searches the table itself."""
