"""The knowledge base in the workspace (R17, R19, R20): the list and its search, the review
queue, writing and reviewing articles, their versions and translations; and on the ticket
page, inserting an article into a reply, drafting one from a solution, similar past tickets.

Help-desk staff only; every write is one service of ``ayuda.knowledge.articles``."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ayuda.core.errors import AyudaError, ConflictError, PermissionDeniedError
from ayuda.knowledge import articles as services
from ayuda.knowledge import articles_selectors as kb
from ayuda.knowledge.article_forms import (
    ArticleFilterForm,
    ArticleForm,
    ReturnForm,
    TranslateForm,
)
from ayuda.knowledge.models import ArticleStatus, ArticleVersion, KbArticle
from ayuda.knowledge.search import article_search, similar_tickets
from ayuda.tickets import selectors
from ayuda.tickets.models import StateCategory, Ticket

from ..lookups import Lookups
from ._access import helpdesk_required, render_page_or_fragment

SEARCH_MAX = 50
INSERT_MAX = 8
SIMILAR_MAX = 5


def portal_url(article: KbArticle) -> str:
    """The article's absolute address in the portal (what a reply links to)."""
    path = reverse("portal:kb_article", args=[article.pk])
    return f"{settings.AYUDA_BASE_URL.rstrip('/')}{path}"


def _categories(user):
    return [c for c in Lookups(user=user).categories if c.is_active]


def _refuse(err: PermissionDeniedError):
    raise PermissionDenied(err.message) from err


# -- list, review queue --------------------------------------------------------------------------


@helpdesk_required
@require_GET
def kb_list(request):
    """Every article but the archived ones, filtered; with a search, published articles come
    from the search service (ranked, with snippets) and the others from a title filter."""
    user = request.user
    categories = _categories(user)
    form = ArticleFilterForm(request.GET or None, categories=categories)
    data = form.cleaned_data if form.is_valid() else {}
    filters = kb.WorkspaceFilters(
        status=data.get("status") or "",
        language=data.get("language") or "",
        category_id=data.get("category"),
        visibility=data.get("visibility") or "",
        q=(data.get("q") or "").strip(),
    )
    hits = []
    articles = kb.article_list(user=user, filters=filters)
    if filters.q and filters.status in ("", ArticleStatus.PUBLISHED):
        hits = article_search(
            user=user,
            query=filters.q,
            portal=False,
            language=filters.language or None,
            category_id=filters.category_id,
            limit=SEARCH_MAX,
        )
        if filters.visibility:
            hits = [h for h in hits if h.article.visibility == filters.visibility]
        articles = articles.exclude(status=ArticleStatus.PUBLISHED)
    context = {
        "form": form,
        "filters": filters,
        "hits": hits,
        "articles": list(articles[: kb.WORKSPACE_PAGE]),
        "review_count": kb.review_queue(user=user).count(),
        "can_review": services.can_review(user),
        "nav": "kb",
    }
    return render_page_or_fragment(request, "agent/kb_list.html", "results", context)


@helpdesk_required
@require_GET
def kb_review(request):
    return render(
        request,
        "agent/kb_review.html",
        {"articles": list(kb.review_queue(user=request.user)), "nav": "kb"},
    )


# -- one article ---------------------------------------------------------------------------------


def _article_context(request, article: KbArticle, *, return_form=None) -> dict:
    user = request.user
    return {
        "article": article,
        "translations": kb.translations(article, user=user, portal=False),
        "missing_languages": kb.missing_languages(article),
        "versions": list(article.versions.select_related("edited_by").order_by("-number")),
        "counts": kb.feedback_counts(article),
        "can_edit": services.can_edit(user, article),
        "can_review": services.can_review(user, article),
        "return_form": return_form or ReturnForm(initial={"version": article.version}),
        "portal_url": portal_url(article),
        "nav": "kb",
    }


@helpdesk_required
@require_GET
def kb_article(request, pk: int):
    article = kb.article_get(user=request.user, pk=pk, portal=False)
    return render(request, "agent/kb_article.html", _article_context(request, article))


@helpdesk_required
@require_GET
def kb_version(request, pk: int, number: int):
    article = kb.article_get(user=request.user, pk=pk, portal=False)
    version = get_object_or_404(
        ArticleVersion.objects.select_related("edited_by"), article=article, number=number
    )
    return render(
        request, "agent/kb_version.html", {"article": article, "version": version, "nav": "kb"}
    )


def _form_error(form, err: AyudaError) -> None:
    field = getattr(err, "field", None)
    form.add_error(field if field in form.fields else None, err.message)


@helpdesk_required
@require_http_methods(["GET", "POST"])
def kb_new(request):
    user = request.user
    categories = _categories(user)
    form = ArticleForm(
        request.POST or None,
        categories=categories,
        initial={"language": getattr(user, "language", "") or settings.LANGUAGE_CODE},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                article = services.article_create(
                    actor=user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data["language"],
                    category=form.chosen_category(),
                    visibility=form.cleaned_data["visibility"],
                )
            except PermissionDeniedError as err:
                _refuse(err)
            except AyudaError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("agent:kb_article", pk=article.pk)
    return render(
        request, "agent/kb_edit.html", {"form": form, "article": None, "nav": "kb"}, status=status
    )


@helpdesk_required
@require_http_methods(["GET", "POST"])
def kb_edit(request, pk: int):
    user = request.user
    article = kb.article_get(user=user, pk=pk, portal=False)
    if not services.can_edit(user, article):
        raise PermissionDenied
    categories = _categories(user)
    initial = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "visibility": article.visibility,
        "version": article.version,
    }
    form = ArticleForm(request.POST or None, categories=categories, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.article_update(
                    article=article,
                    actor=user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    body=form.cleaned_data["body"],
                    visibility=form.cleaned_data["visibility"],
                    category=form.chosen_category(),
                    expected_version=form.cleaned_data["version"] or article.version,
                )
            except PermissionDeniedError as err:
                _refuse(err)
            except ConflictError as err:
                form.add_error(None, err.message)
                status = 409
            except AyudaError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("The article was saved."))
                return redirect("agent:kb_article", pk=article.pk)
    return render(
        request,
        "agent/kb_edit.html",
        {"form": form, "article": article, "nav": "kb"},
        status=status,
    )


@helpdesk_required
@require_http_methods(["GET", "POST"])
def kb_translate(request, pk: int):
    user = request.user
    article = kb.article_get(user=user, pk=pk, portal=False)
    languages = kb.missing_languages(article)
    if not languages:
        messages.info(request, _("This article is already in every language."))
        return redirect("agent:kb_article", pk=article.pk)
    form = TranslateForm(
        request.POST or None,
        languages=languages,
        initial={"title": article.title, "summary": article.summary, "body": article.body},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                translation = services.article_translate(
                    article=article,
                    actor=user,
                    language=form.cleaned_data["language"],
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    body=form.cleaned_data["body"],
                )
            except PermissionDeniedError as err:
                _refuse(err)
            except AyudaError as err:
                _form_error(form, err)
            else:
                messages.success(request, _("The translation was saved as a draft."))
                return redirect("agent:kb_article", pk=translation.pk)
    return render(
        request,
        "agent/kb_translate.html",
        {"form": form, "article": article, "nav": "kb"},
        status=status,
    )


STEPS = {
    "submit": (services.article_submit, _("The article was sent for review.")),
    "publish": (services.article_publish, _("The article was published.")),
    "archive": (services.article_archive, _("The article was archived.")),
}


@helpdesk_required
@require_POST
def kb_step(request, pk: int, step: str):
    """Submit, publish, return (with a note) or archive."""
    user = request.user
    article = kb.article_get(user=user, pk=pk, portal=False)
    return_form = None
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        if step == "return":
            return_form = ReturnForm(request.POST)
            note = return_form.data.get("note", "")
            services.article_return(
                article=article, actor=user, note=note, expected_version=version
            )
            done = _("The article was returned to its author.")
        elif step in STEPS:
            service, done = STEPS[step]
            service(article=article, actor=user, expected_version=version)
        else:
            raise Http404
    except PermissionDeniedError as err:
        _refuse(err)
    except AyudaError as err:
        messages.error(request, err.message)
        article.refresh_from_db()
        context = _article_context(request, article, return_form=return_form)
        return render(request, "agent/kb_article.html", context, status=422)
    messages.success(request, done)
    return redirect("agent:kb_article", pk=article.pk)


# -- on the ticket page ----------------------------------------------------------------------------


def kb_ticket_context(request, ticket: Ticket) -> dict:
    """The ticket page's article cards (help desk only): the article drafted from the
    solution (one query, on a resolved or closed ticket only) and whether one can be drafted.
    Similar past tickets load after the page (``kb_similar``)."""
    user = request.user
    if not user.is_helpdesk:
        return {}
    solved = ticket.state_category in (StateCategory.RESOLVED, StateCategory.CLOSED)
    drafted = kb.article_for_ticket(ticket) if solved and ticket.solution else None
    return {
        "kb_enabled": True,
        "kb_drafted": drafted,
        "kb_can_draft": solved and bool((ticket.solution or "").strip()) and drafted is None,
    }


@helpdesk_required
@require_GET
def kb_similar(request, pk: int):
    """The "Similar past tickets" card's list, loaded by htmx once the ticket page is shown,
    so a text-similarity search over many tickets never delays the page itself. Asked for by
    the page, not the agent: passive (no activity, messages left alone)."""
    request.passive = True
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    hits = similar_tickets(ticket=ticket, user=request.user, limit=SIMILAR_MAX)
    return render(request, "knowledge/_similar_tickets.html#list", {"kb_similar": hits})


@helpdesk_required
@require_GET
def kb_insert(request):
    """The reply's "Insert article" search (htmx): published articles the agent may read,
    each with its portal link and its text; internal ones marked."""
    query = (request.GET.get("q") or "")[:200]
    hits = article_search(user=request.user, query=query, portal=False, limit=INSERT_MAX)
    items = [
        {
            "hit": hit,
            "url": portal_url(hit.article),
            "text": services.body_text(hit.article.body),
        }
        for hit in hits
    ]
    return render(
        request, "knowledge/_article_insert_results.html", {"items": items, "query": query}
    )


@helpdesk_required
@require_POST
def kb_from_ticket(request, pk: int):
    """R19: "Draft an article from the solution" on a resolved or closed ticket."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    try:
        article = services.article_from_ticket(ticket=ticket, actor=request.user)
    except PermissionDeniedError as err:
        _refuse(err)
    except AyudaError as err:
        messages.error(request, err.message)
        return redirect("agent:ticket", pk=ticket.pk)
    messages.success(request, _("A draft article was made from the solution."))
    return redirect("agent:kb_article", pk=article.pk)
