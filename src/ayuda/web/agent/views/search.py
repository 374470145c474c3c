"""The workspace's search page (R17, R19): tickets and articles for one query, through the
one search service (knowledge/search), scoped to what the agent may read."""

from django.urls import reverse
from django.views.decorators.http import require_GET

from ayuda.knowledge import search

from ._access import agent_required, render_page_or_fragment

TICKETS_PER_PAGE = 25
ARTICLES_SHOWN = 10


def _article_url(user, pk: int) -> str | None:
    """The workspace's article page, for the help desk (vendor agents have no such page: they
    see the title and the snippet)."""
    return reverse("agent:kb_article", args=[pk]) if user.is_helpdesk else None


@agent_required
@require_GET
def search_page(request):
    query = request.GET.get("q", "")[:1000]
    after = request.GET.get("after", "")[:100] or None
    tickets = search.ticket_search(
        user=request.user, query=query, limit=TICKETS_PER_PAGE, after=after
    )
    # A next page of tickets shows the tickets alone; the articles are on the first.
    articles = []
    if not after:
        hits = search.article_search(
            user=request.user,
            query=query,
            portal=False,
            language=request.LANGUAGE_CODE,
            limit=ARTICLES_SHOWN,
        )
        articles = [(hit, _article_url(request.user, hit.article.pk)) for hit in hits]
    context = {
        "q": query,
        "after": after,
        "tickets": tickets,
        "articles": articles,
        "next_cursor": tickets[-1].cursor if len(tickets) == TICKETS_PER_PAGE else None,
        "searched": bool(query.strip()),
        "nav": "search",
    }
    return render_page_or_fragment(request, "agent/search.html", "results", context)
