"""Search (R17, R19; docs/knowledge.md, Search): tickets and articles through the one search
service, scoped to what the caller may read, like the workspace's search page."""

from urllib.parse import urlencode

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from ayuda.knowledge import search

from .problems import ERRORS

router = Router(tags=["search"])
MAX_PAGE = 50


class SearchQuery(Schema):
    q: str = Field(
        "",
        description="Words to look for; any text is accepted (operators are "
        "read as words), at most the first 1,000 characters are used.",
    )
    cursor: str = Field("", max_length=100, description="From `next`, for the next page.")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class ArticleQuery(Schema):
    q: str = Field("", description="Words to look for; any text is accepted.")
    language: str = Field("", max_length=8, description="es, it or en: its articles first.")
    category: int | None = Field(None, ge=1, description="Only this category's articles.")
    limit: int = Field(10, ge=1, le=MAX_PAGE)


class TicketState(Schema):
    name: str
    category: str


class TicketHit(Schema):
    id: int
    subject: str
    state: TicketState
    score: float = Field(description="0..1, higher is better.")
    snippet_html: str = Field(
        description="Escaped text around the match with the matching words in <mark>."
    )


class TicketHits(Schema):
    items: list[TicketHit]
    next: str | None


class ArticleHit(Schema):
    id: int
    title: str
    language: str
    visibility: str
    category_id: int | None
    score: float
    snippet_html: str


class ArticleHits(Schema):
    items: list[ArticleHit]


@router.get(
    "/tickets",
    response={200: TicketHits, **ERRORS},
    url_name="search_tickets",
    summary="Search tickets",
    description="The tickets the caller may see whose subject, description or messages match "
    "`q`, best first. Customers and vendor agents match public text only (never an internal "
    "note's). Follow `next` for more.",
)
def search_tickets(request, query: Query[SearchQuery]):
    hits = search.ticket_search(
        user=request.auth, query=query.q, limit=query.limit, after=query.cursor or None
    )
    following = None
    if len(hits) == query.limit:
        params = {"q": query.q, "limit": query.limit, "cursor": hits[-1].cursor}
        following = reverse("api-v1:search_tickets") + "?" + urlencode(params)
    return {
        "items": [
            {
                "id": hit.ticket.pk,
                "subject": hit.ticket.subject,
                "state": {"name": str(hit.ticket.state), "category": hit.ticket.state_category},
                "score": round(hit.score, 4),
                "snippet_html": str(hit.snippet),
            }
            for hit in hits
        ],
        "next": following,
    }


@router.get(
    "/articles",
    response={200: ArticleHits, **ERRORS},
    url_name="search_articles",
    summary="Search knowledge-base articles",
    description="Published articles matching `q`, best first: every published one for the "
    "help desk, public ones for everyone else.",
)
def search_articles(request, query: Query[ArticleQuery]):
    hits = search.article_search(
        user=request.auth,
        query=query.q,
        portal=False,
        language=query.language or None,
        category_id=query.category,
        limit=query.limit,
    )
    return {
        "items": [
            {
                "id": hit.article.pk,
                "title": hit.article.title,
                "language": hit.article.language,
                "visibility": hit.article.visibility,
                "category_id": hit.article.category_id,
                "score": round(hit.score, 4),
                "snippet_html": str(hit.snippet),
            }
            for hit in hits
        ]
    }
