"""The knowledge base in the portal (R17, R7): public articles by category with a search, the
article page with "This solved my problem" and "Didn't find enough help?", and the new-ticket
form's suggestions while the requester types the subject (deflection).

Only published public articles exist here: anything else is a 404 for every role. What the
suggestions and the article page achieve is counted (``ArticleFeedback``): opened from a
suggestion, solved the problem (a deflected ticket), opened a ticket anyway."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ayuda.core.errors import AyudaError
from ayuda.knowledge import articles_selectors as kb
from ayuda.knowledge.articles import QUERY_MAX, article_feedback
from ayuda.knowledge.models import FeedbackOutcome, KbArticle
from ayuda.knowledge.search import article_search, article_suggest

from .forms import categories_active

SUGGEST_MIN = 3  # characters typed before anything is suggested
SUGGEST_MAX = 5
SEARCH_MAX = 30


def reader_required(view):
    """Signed in, any role: the portal's articles are the same for everyone."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


def _language(request) -> str:
    user = request.user
    return getattr(user, "language", "") or get_language() or settings.LANGUAGE_CODE


def _query(value) -> str:
    return " ".join((value or "").split())[:QUERY_MAX]


def _category_id(value) -> int | None:
    """A category the new-ticket form offers, else None."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if any(c.pk == pk for c, _label in categories_active()) else None


def _article(request, pk: int) -> KbArticle:
    return kb.article_get(user=request.user, pk=pk, portal=True)


# -- pages ---------------------------------------------------------------------------------------


@require_GET
@reader_required
def kb_list(request):
    """Public articles by category, the reader's language first; with ``q``, the search."""
    query = _query(request.GET.get("q"))
    category_id = _category_id(request.GET.get("category"))
    language = _language(request)
    hits, groups = [], []
    if query:
        hits = article_search(
            user=request.user,
            query=query,
            portal=True,
            language=language,
            category_id=category_id,
            limit=SEARCH_MAX,
        )
    else:
        current, items = None, []
        for article in kb.portal_articles(
            user=request.user, language=language, category_id=category_id
        ):
            name = article.category.display_name if article.category else _("Other")
            if name != current:
                items = []
                groups.append((name, items))
                current = name
            items.append(article)
    return render(
        request,
        "portal/kb_list.html",
        {
            "q": query,
            "hits": hits,
            "groups": groups,
            "categories": categories_active(),
            "category_id": category_id,
        },
    )


@require_GET
@reader_required
def kb_article(request, pk: int):
    article = _article(request, pk)
    query = _query(request.GET.get("q"))
    category_id = _category_id(request.GET.get("category")) or _category_id(article.category_id)
    params = {"subject": query, "from_article": article.pk}
    if category_id:
        params["category"] = category_id
    new_ticket = f"{reverse('portal:ticket_new')}?{urlencode(params)}"
    return render(
        request,
        "portal/kb_article.html",
        {
            "article": article,
            "translations": kb.translations(article, user=request.user, portal=True),
            "q": query,
            "new_ticket_url": new_ticket,
        },
    )


@require_GET
@reader_required
def kb_suggested(request, pk: int):
    """A suggestion was opened (counted), then the article is shown with what was typed."""
    article = _article(request, pk)
    query = _query(request.GET.get("q"))
    article_feedback(
        article=article, user=request.user, outcome=FeedbackOutcome.SUGGESTED, query=query
    )
    params = {"q": query}
    if category_id := _category_id(request.GET.get("category")):
        params["category"] = category_id
    return redirect(f"{reverse('portal:kb_article', args=[article.pk])}?{urlencode(params)}")


@require_POST
@reader_required
def kb_helped(request, pk: int):
    """ "This solved my problem": a deflected ticket."""
    article = _article(request, pk)
    article_feedback(
        article=article,
        user=request.user,
        outcome=FeedbackOutcome.HELPED,
        query=_query(request.POST.get("q")),
    )
    messages.success(request, _("Thank you! We are glad the article solved your problem."))
    return redirect("portal:kb_article", pk=article.pk)


@require_GET
@reader_required
def kb_suggest(request):
    """The new-ticket form's suggestions (htmx, as the subject is typed): a small list."""
    query = _query(request.GET.get("subject") or request.GET.get("q"))
    return render(request, "portal/_suggestions.html#list", _suggestions(request, query))


# -- the new-ticket form's part ------------------------------------------------------------------


def _suggestions(request, query: str) -> dict:
    hits = []
    if len(query) >= SUGGEST_MIN:
        hits = article_suggest(
            user=request.user, query=query, language=_language(request), limit=SUGGEST_MAX
        )
    category_id = _category_id(request.GET.get("category") or request.POST.get("category"))
    extra = {"q": query} | ({"category": category_id} if category_id else {})
    return {"kb_hits": hits, "kb_query": query, "kb_link_params": urlencode(extra)}


def ticket_prefill(params) -> dict:
    """The new-ticket form's initial subject, from an article's "Didn't find enough help?"."""
    subject = _query(params.get("subject"))
    return {"subject": subject} if subject else {}


def suggestions_context(request, form) -> dict:
    """Wire the subject to the suggestions (htmx, debounced) and carry ``from_article``; with
    a subject already there (pre-filled, or a form with errors), suggest for it at once."""
    form.fields["subject"].widget.attrs.update(
        {
            "hx-get": reverse("portal:kb_suggest"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#kb-suggestions",
            "hx-swap": "innerHTML",
            "hx-include": "#ticket-form [name=category]",
            "hx-sync": "this:replace",
            "autocomplete": "off",
            "aria-controls": "kb-suggestions",
        }
    )
    source = request.POST if request.method == "POST" else request.GET
    try:
        from_article = int(source.get("from_article", ""))
    except ValueError:
        from_article = None
    subject = form["subject"].value() or ""
    return {"kb_from_article": from_article} | _suggestions(request, _query(subject))


def ticket_created(request, ticket) -> None:
    """A ticket opened from an article's "Didn't find enough help?": counted as not helped."""
    try:
        pk = int(request.POST.get("from_article", ""))
    except ValueError:
        return
    article = kb.articles_readable(request.user, portal=True).filter(pk=pk).first()
    if article is None:
        return
    try:
        article_feedback(
            article=article,
            user=request.user,
            outcome=FeedbackOutcome.NOT_HELPED,
            query=ticket.subject,
            ticket=ticket,
        )
    except AyudaError:
        return
