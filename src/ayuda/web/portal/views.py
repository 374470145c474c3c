"""The customer portal (R1, R27): requesters and site admins raise and follow their tickets.

Views stay thin: a form shapes the input, one service or selector does the work, and the
result is a page, an htmx fragment (a ``{% partialdef %}`` of the same template) or a redirect.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ayuda.core import ratelimit
from ayuda.core.errors import AyudaError, PermissionDeniedError, ValidationError
from ayuda.tickets import selectors, services
from ayuda.tickets.attachments import attachment_filename
from ayuda.tickets.extra_fields import extra_answers
from ayuda.tickets.models import (
    ArticleKind,
    Attachment,
    Channel,
    StateCategory,
    Ticket,
)
from ayuda.tickets.permissions import articles_visible_to
from ayuda.web.devices import device_panel_context

from . import kb
from .filters import STATUSES, list_filter_form
from .forms import CategoryForm, ReplyForm, TicketForm, categories_active
from .useragent import client_info

SUBMISSIONS_PER_HOUR = 20
LIST_PAGE_SIZE = 50


def customer_required(view):
    """Log-in required; help-desk and vendor staff are sent to their own workspace."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_customer:
            if request.user.is_agent:
                try:
                    return redirect(reverse("agent:queue"))
                except NoReverseMatch:
                    return redirect("/agent/")
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from None

    return wrapper


def is_fragment(request) -> bool:
    """An htmx request for part of a page (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


@require_GET
@customer_required
def home(request):
    """The customer's tickets, newest first; site admins see their sites' tickets, with
    filters by site, category and requester (``filters.py``)."""
    form = list_filter_form(request.GET, user=request.user)
    # ticket_queue rather than tickets_for_requester: same permission scope, but it filters
    # and pages with a keyset cursor instead of stopping at a fixed number.
    filters = form.queue_filters()
    page = selectors.ticket_queue(
        user=request.user,
        filters=filters,
        cursor=request.GET.get("after") or None,
        limit=LIST_PAGE_SIZE,
    )
    return render(
        request,
        "portal/home.html",
        {
            "page": page,
            "form": form,
            "title": form.title(),
            "status": filters.status,
            "statuses": STATUSES,
            "q": filters.q,
            "narrowed": form.narrowed,
            "refusals": form.refusals(),
            "show_requester": request.user.role == "site_admin",
        },
    )


@require_http_methods(["GET", "POST"])
@customer_required
def ticket_new(request):
    """Step 1 picks the category (GET ?category=ID, or htmx swapping the category's part);
    step 2 posts the ticket form of that category."""
    from ayuda.web.walkers import walk_attach

    from .trees import walk_prefill

    user = request.user
    categories = categories_active()
    source = request.POST if request.method == "POST" else request.GET
    walk = walk_prefill(request)  # a decision tree's walk that ended in "escalate" (R18)
    if walk is not None and walk.category_id and "category" not in source:
        source = {"category": str(walk.category_id)}
    category_form = CategoryForm(
        {"category": source.get("category", "")}
        if "category" in source or request.method == "POST"
        else None,
        categories=categories,
    )
    category = category_form.chosen()
    status = 200
    if request.method == "GET":
        initial = walk.initial if walk else kb.ticket_prefill(request.GET)
        form = TicketForm(user=user, category=category, initial=initial)
    else:
        form = TicketForm(request.POST, request.FILES, user=user, category=category)
        if not form.is_valid() or category is None:
            if category is None and not category_form.errors:
                category_form.add_error("category", _("Choose the category of your request."))
        else:
            try:
                ticket = _ticket_create_counted(request, form, category)
            except SubmissionLimitError:
                form.add_error(
                    None,
                    _(
                        "You have sent many tickets in the last hour. Please wait a while "
                        "before sending another, or add a message to one of your open tickets."
                    ),
                )
                status = 429
            except ValidationError as error:
                form.add_service_error(error)
            except PermissionDeniedError:
                raise
            except AyudaError as error:
                form.add_error(None, error.message)
            else:
                walk_attach(request, walk, ticket)
                kb.ticket_created(request, ticket)
                messages.success(
                    request,
                    _("Ticket #%(number)s was created; we sent you an acknowledgement.")
                    % {"number": ticket.number},
                )
                return redirect("portal:ticket", pk=ticket.pk)

    context = {
        "category_form": category_form,
        "category": category,
        "form": form,
        "files_dropped": request.method == "POST" and bool(request.FILES),
        "walk": walk,
        **kb.suggestions_context(request, form),
    }
    if is_fragment(request) and request.method == "GET":
        # The category's fields, plus its help (swapped out of band by hx-select-oob).
        response = HttpResponse(
            "".join(
                render_to_string(f"portal/ticket_new.html#{name}", context, request=request)
                for name in ("category_help", "category_part")
            )
        )
    else:
        response = render(request, "portal/ticket_new.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


class SubmissionLimitError(Exception):
    """The requester has sent ``SUBMISSIONS_PER_HOUR`` tickets in the last hour."""


def _ticket_create_counted(request, form: TicketForm, category) -> Ticket:
    """Count the submission and create the ticket in one transaction: one commit for both.
    Over the limit nothing is written (the counter stays at the limit or above it)."""
    with transaction.atomic():
        if ratelimit.counter_hit(
            f"portal:ticket_create:{request.user.pk}",
            limit=SUBMISSIONS_PER_HOUR,
            window_seconds=3600,
        ):
            raise SubmissionLimitError
        return _ticket_create(request, form, category)


def _ticket_create(request, form: TicketForm, category) -> Ticket:
    client = client_info(request.headers.get("User-Agent"))
    environment = form.environment() | {
        "browser": client.browser,
        "operating_system": client.operating_system,
    }
    return services.ticket_create(
        requester=request.user,
        actor=request.user,
        channel=Channel.PORTAL,
        subject=form.cleaned_data["subject"],
        description=form.cleaned_data["description"],
        type=form.cleaned_data["type"],
        category=category,
        site=form.cleaned_data.get("site"),
        environment=environment,
        extra=form.extra(),
        attachments=form.cleaned_data.get("attachments") or [],
    )


def portal_knowledge(request, ticket) -> dict:
    from .actions import portal_knowledge as knowledge_context

    return knowledge_context(request, ticket)


def _ticket_context(request, ticket: Ticket, *, reply_form: ReplyForm | None = None) -> dict:
    timeline = selectors.ticket_timeline(user=request.user, ticket=ticket)
    return {
        "ticket": ticket,
        "articles": timeline["articles"],
        "category_label": ticket.category.display_path() if ticket.category_id else "",
        "extra_answers": extra_answers(ticket.category, ticket.extra),
        "is_closed": ticket.state_category == StateCategory.CLOSED,
        "is_resolved": ticket.state_category == StateCategory.RESOLVED,
        "reply_form": reply_form or ReplyForm(),
        **device_panel_context(request.user, ticket, portal=True),
    } | portal_knowledge(request, ticket)


@require_GET
@customer_required
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    return render(request, "portal/ticket.html", _ticket_context(request, ticket))


@require_POST
@customer_required
def ticket_reply(request, pk: int):
    """A customer message. htmx swaps the conversation in place; without JS, PRG."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    notice = ""
    if form.is_valid():
        was_resolved = ticket.state_category == StateCategory.RESOLVED
        try:
            services.article_add_customer(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                kind=ArticleKind.PORTAL,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        except PermissionDeniedError:
            raise
        except AyudaError as error:
            form.add_error(None, error.message)
        else:
            notice = (
                _("Your reply reopened the ticket.")
                if was_resolved
                else _("Your message was added to the ticket.")
            )
            if not is_fragment(request):
                messages.success(request, notice)
                return redirect("portal:ticket", pk=ticket.pk)
            ticket = selectors.ticket_get(user=request.user, pk=pk)
            form = ReplyForm()

    context = _ticket_context(request, ticket, reply_form=form) | {"notice": notice}
    if not is_fragment(request):
        return render(request, "portal/ticket.html", context)
    # The conversation in place; state, solution and details out of band (a reply may reopen).
    html = render_to_string("portal/ticket.html#conversation", context, request=request)
    for name in ("state_badge", "solution", "details"):
        html += render_to_string(
            f"portal/ticket.html#{name}", context | {"oob": True}, request=request
        )
    return HttpResponse(html)


@require_GET
@customer_required
def attachment_download(request, pk: int):
    """A file from a public message of a ticket the customer may see; always a download."""
    attachment = get_object_or_404(Attachment.objects.only("pk", "ticket_id", "article_id"), pk=pk)
    ticket = selectors.ticket_get(user=request.user, pk=attachment.ticket_id)
    if (
        attachment.article_id is None
        or not articles_visible_to(request.user, ticket).filter(pk=attachment.article_id).exists()
    ):
        raise Http404
    attachment.refresh_from_db(fields=["file", "filename", "content_type"])
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        # Rows stored before names followed the detected type get its extension here.
        filename=attachment_filename(
            name=attachment.filename, content_type=attachment.content_type
        ),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
