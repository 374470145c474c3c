"""One search service for articles and tickets (R17, R19, R20, R7; docs/knowledge.md, Search).

The views, the portal's suggestions, the ticket page and the API call these functions; the
database's own search sits behind them (``postgres``: full-text search per language with
unaccent and trigram similarity; ``sqlite``: FTS5 over Snowball-stemmed text), chosen by
``index.backend()``. Queries are cut into words in Python (``text``), so any input returns
results or none, never an error. Every result is scoped by the caller's permissions: articles
through ``articles_for``, tickets through ``tickets.permissions.ticket_visible_to``; someone
outside the help desk never finds a ticket by the words of an internal note.
"""

import math
from dataclasses import dataclass, replace

from django.utils.safestring import SafeString

from ayuda.accounts.models import HELPDESK_ROLES, User
from ayuda.tickets.models import Article, StateCategory, Ticket
from ayuda.tickets.permissions import ticket_scope, ticket_visible_to

from ..models import ArticleStatus, KbArticle, Visibility
from .index import backend
from .text import Terms, matched_share, plain, similar_terms, snippet, terms_parse

SIMILAR_CANDIDATES = 100  # the newest solved tickets sharing a word that are ranked


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
    cursor: str = ""  # ticket_search(after=...) continues after this hit


def _articles_public_only(user: User | None, *, portal: bool) -> bool:
    helpdesk = user is not None and user.is_authenticated and user.role in HELPDESK_ROLES
    return portal or not helpdesk


def articles_for(user: User | None, *, portal: bool):
    """Published articles ``user`` may read: public ones in the portal and for anyone outside
    the help desk (customers, vendors), every published one for help-desk staff."""
    articles = KbArticle.objects.filter(status=ArticleStatus.PUBLISHED)
    if _articles_public_only(user, portal=portal):
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
    """Published articles matching ``query``, best first; ``language`` first if given. On
    PostgreSQL, when full text finds fewer than three, titles with a word like one typed
    (a typo) follow, scored below."""
    return _articles(
        user=user,
        terms=terms_parse(query),
        portal=portal,
        language=language,
        category_id=category_id,
        limit=limit,
    )


def article_suggest(
    *, user: User | None, query: str, language: str | None = None, limit: int = 5
) -> list[ArticleHit]:
    """Public articles for a requester's subject as they type it (the portal's deflection):
    the last word typed matches as a prefix; titles only, all the words (any of them when
    no title has them all);
    ``language``'s articles first."""
    terms = terms_parse(query, prefix=True)
    hits = _articles(
        user=user, terms=terms, portal=True, language=language, limit=limit, suggest=True
    )
    if not hits and len(terms.words) > 1:
        # A longer subject rarely has all its words in one title: any of them, ranked.
        more = _articles(
            user=user,
            terms=replace(terms, any_word=True),
            portal=True,
            language=language,
            limit=limit,
            suggest=True,
        )
        seen = {hit.article.pk for hit in hits}
        hits += [hit for hit in more if hit.article.pk not in seen][: limit - len(hits)]
    return hits


def _articles(
    *,
    user: User | None,
    terms: Terms,
    portal: bool,
    language: str | None,
    limit: int,
    category_id: int | None = None,
    suggest: bool = False,
) -> list[ArticleHit]:
    limit = max(1, min(int(limit), 100))
    if not terms:
        return []
    search = backend()
    public_only = _articles_public_only(user, portal=portal)
    found = search.article_ids(
        terms=terms,
        public_only=public_only,
        category_id=category_id,
        language=language,
        limit=limit,
        titles_only=suggest,
    )
    if not suggest and len(found) < 3 and len(" ".join(terms.words)) >= 4:
        found += search.article_ids_similar_title(
            text=" ".join(terms.words),
            public_only=public_only,
            category_id=category_id,
            exclude=[pk for pk, _score in found],
            limit=limit - len(found),
        )
    if not found:
        return []
    # Who reads what is articles_for's: an article changed since it was indexed (or a
    # document left behind) is not shown.
    scope = articles_for(user, portal=portal)
    if category_id:
        scope = scope.filter(category_id=category_id)
    articles = scope.filter(pk__in=[pk for pk, _score in found])
    if suggest:  # a suggestion shows its title and summary: the text stays in the database
        articles = articles.defer("body")
    articles = articles.in_bulk()
    hits = []
    for pk, score in found:
        article = articles.get(pk)
        if article is None:
            continue
        text = snippet(article.summary, terms) if suggest else _article_snippet(article, terms)
        hits.append(ArticleHit(article=article, score=min(score, 1.0), snippet=text))
    return hits


def _article_snippet(article: KbArticle, terms: Terms) -> SafeString:
    for text in (article.summary, plain(article.body)):
        if text and "<mark>" in (found := snippet(text, terms)):
            return found
    return snippet(article.summary or plain(article.body), terms)


def _public_only(user: User) -> bool:
    """Only the help desk reads internal notes; vendor agents search public text too
    (their own notes are not searchable: docs/knowledge.md)."""
    return user.role not in HELPDESK_ROLES


def _cursor(rank: float, pk: int) -> str:
    return f"{rank:.6f}_{pk}"


def _after(cursor: str | None) -> tuple[float, int] | None:
    try:
        rank, pk = (cursor or "").split("_", 1)
        value = float(rank)
        return (value, int(pk)) if math.isfinite(value) else None
    except ValueError:
        return None  # a broken cursor starts again from the top


def ticket_search(
    *, user: User, query: str, limit: int = 25, after: str | None = None
) -> list[TicketHit]:
    """Tickets ``user`` may see whose subject, description or messages match ``query``, best
    first (among the newest matches: ``postgres.CANDIDATES``). ``after`` is the ``cursor`` of
    the last hit of the previous page."""
    limit = max(1, min(int(limit), 100))
    terms = terms_parse(query)
    if not terms or not user.is_authenticated or not user.is_active:
        return []
    search = backend()
    scope = ticket_visible_to(user) if ticket_scope(user) is not None else None
    found = search.ticket_ids(
        terms=terms,
        scope=scope,
        public_only=_public_only(user),
        limit=limit,
        after=_after(after),
    )
    return _ticket_hits(user, terms, found, search.rank_score)


def _ticket_hits(user: User, terms: Terms, found, score_of, *, text_of=None) -> list[TicketHit]:
    if not found:
        return []
    ids = [pk for pk, _rank in found]
    tickets = (
        ticket_visible_to(user)
        .filter(pk__in=ids)
        .select_related("state", "requester", "organisation")
        .in_bulk()
    )
    snippets = {}
    missing = []
    for pk in ids:
        ticket = tickets.get(pk)
        if ticket is None:
            continue
        text = text_of(ticket) if text_of else ticket.description
        snippets[pk] = snippet(text, terms)
        if "<mark>" not in snippets[pk] and not text_of:
            missing.append(pk)
    if missing:  # the match is in a message: one query for those tickets' messages
        messages = Article.objects.filter(ticket_id__in=missing).order_by("pk")
        if _public_only(user):
            messages = messages.filter(internal=False)
        for ticket_id, body in messages.values_list("ticket_id", "body"):
            if "<mark>" not in snippets[ticket_id]:
                found_here = snippet(body, terms)
                if "<mark>" in found_here:
                    snippets[ticket_id] = found_here
    return [
        TicketHit(
            ticket=tickets[pk],
            score=min(score_of(rank), 1.0),
            snippet=snippets[pk],
            cursor=_cursor(rank, pk),
        )
        for pk, rank in found
        if pk in tickets
    ]


def similar_tickets(*, ticket: Ticket, user: User, limit: int = 5) -> list[TicketHit]:
    """Resolved or closed tickets with a solution whose text is like ``ticket``'s: any of
    its subject's and description's words, best first. The score is the share of those
    words the other ticket has (0..1); the snippet is its solution."""
    terms = similar_terms(f"{ticket.subject} {ticket.description}")
    if not terms or not user.is_authenticated or not user.is_active:
        return []
    search = backend()
    scope = ticket_visible_to(user) if ticket_scope(user) is not None else None
    found = search.ticket_ids(
        terms=terms,
        scope=scope,
        public_only=_public_only(user),
        limit=max(limit * 4, 20),
        solved_only=True,
        exclude=ticket.pk,
        candidates=SIMILAR_CANDIDATES,
    )
    candidates = (
        ticket_visible_to(user)
        .filter(
            pk__in=[pk for pk, _rank in found],
            state_category__in=[StateCategory.RESOLVED, StateCategory.CLOSED],
        )
        .exclude(solution="")
        .exclude(pk=ticket.pk)
        .select_related("state", "requester", "organisation")
        .in_bulk()
    )
    scored = []
    for order, (pk, _rank) in enumerate(found):
        other = candidates.get(pk)
        if other is None:
            continue
        share = matched_share(terms, f"{other.subject} {other.description} {other.solution}")
        scored.append((-share, order, other, share))
    scored.sort(key=lambda row: (row[0], row[1]))
    return [
        TicketHit(ticket=other, score=round(share, 2), snippet=snippet(other.solution, terms))
        for _neg, _order, other, share in scored[:limit]
    ]


def article_index(article: KbArticle) -> None:
    """Bring ``article``'s search entry up to date (the article services call it after every
    change of text, status or visibility): a published article is (re)indexed; any other
    status, or a deleted article, leaves the index (call it before ``delete()``, which
    forgets the id; a row left behind is never shown and the rebuild drops it)."""
    if article.pk is not None:
        backend().articles_index([article.pk])
