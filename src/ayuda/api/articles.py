"""A ticket's messages (what the caller sees in the browser, ``selectors.ticket_timeline``),
replies and internal notes, and files: upload with the same content checks, download."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from ayuda.core.errors import ValidationError
from ayuda.tickets import permissions, selectors, services
from ayuda.tickets.attachments import IncomingFile, attachment_filename
from ayuda.tickets.models import Attachment, Ticket

from . import schemas as s
from .idempotency import idempotent
from .presenters import TicketPresenter
from .problems import ERRORS, WRITE_ERRORS
from .schemas import PathId
from .tickets import expected_version

router = Router(tags=["articles"])
files_router = Router(tags=["articles"])


def _article_add(
    request,
    ticket: Ticket,
    *,
    body: str,
    internal: bool,
    ask_customer: bool,
    files: list[IncomingFile],
    version: int | None,
):
    """The same services as the workspace and the portal: a customer's message, a help desk
    reply, or an internal note (help desk and vendor agents)."""
    user = request.auth
    if user.is_customer:
        if internal:
            raise ValidationError(_("Customers cannot write internal notes."), field="internal")
        return services.article_add_customer(
            ticket=ticket, author=user, body=body, attachments=files, expected_version=version
        )
    if internal or user.is_vendor_agent:
        if not internal:
            raise ValidationError(
                _("Vendor agents write internal notes; set internal to true."), field="internal"
            )
        return services.article_add_note(
            ticket=ticket, actor=user, body=body, attachments=files, expected_version=version
        )
    return services.article_add_reply(
        ticket=ticket,
        actor=user,
        body=body,
        attachments=files,
        ask_customer=ask_customer,
        expected_version=version,
    )


def _article_response(request, ticket_id: int, article_id: int, response: HttpResponse):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    response["ETag"] = f'"{ticket.version}"'
    timeline = selectors.ticket_timeline(user=request.auth, ticket=ticket)
    article = next(a for a in timeline["articles"] if a.pk == article_id)
    return TicketPresenter(request.auth).article(article, ticket)


@router.get(
    "/{ticket_id}/articles",
    response={200: s.ArticlePage, **ERRORS},
    url_name="article_list",
    summary="List a ticket's messages",
    description="Oldest first, as the ticket page shows them to the caller: customers and "
    "vendor agents never see the help desk's internal notes.",
)
def article_list(request, ticket_id: PathId):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    timeline = selectors.ticket_timeline(user=request.auth, ticket=ticket)
    presenter = TicketPresenter(request.auth)
    return {"items": [presenter.article(a, ticket) for a in timeline["articles"]]}


@router.post(
    "/{ticket_id}/articles",
    response={201: s.Article, **WRITE_ERRORS},
    url_name="article_list",  # the list's route: one URL name per route
    summary="Reply or add an internal note",
    description="A customer's message, a help desk reply (`ask_customer` to wait for the "
    "answer) or, with `internal`, a note. `If-Match` is optional.",
)
@decorate_view(idempotent)
def article_create(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.ArticleCreate,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    article = _article_add(
        request,
        ticket,
        body=payload.body,
        internal=payload.internal,
        ask_customer=payload.ask_customer,
        files=[],
        version=expected_version(if_match),
    )
    return Status(201, _article_response(request, ticket_id, article.pk, response))


@router.post(
    "/{ticket_id}/attachments",
    response={201: s.Article, **WRITE_ERRORS},
    url_name="attachment_upload",
    summary="Upload files with a message",
    description="`multipart/form-data`: `files` (one or more), `body`, and `internal`. The "
    "files pass the same content checks as everywhere (the type comes from the bytes).",
)
@decorate_view(idempotent)
def attachment_upload(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    files: File[list[UploadedFile]],
    body: Form[str],
    internal: Form[bool] = False,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    incoming = [IncomingFile(name=f.name or "file", content=f.read()) for f in files]
    article = _article_add(
        request,
        ticket,
        body=body,
        internal=internal,
        ask_customer=False,
        files=incoming,
        version=expected_version(if_match),
    )
    return Status(201, _article_response(request, ticket_id, article.pk, response))


@files_router.get(
    "/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="attachment_download",
    summary="Download a file",
    description="Always a download, typed by its content, from a message the caller may see.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def attachment_download(request, attachment_id: PathId):
    attachment = get_object_or_404(
        Attachment.objects.only("pk", "ticket_id", "article_id"), pk=attachment_id
    )
    ticket = selectors.ticket_get(user=request.auth, pk=attachment.ticket_id)
    visible = permissions.articles_visible_to(request.auth, ticket)
    if attachment.article_id is None:
        if not request.auth.is_agent:  # a file of no message: the workspace's only
            raise Ticket.DoesNotExist
    elif not visible.filter(pk=attachment.article_id).exists():
        raise Ticket.DoesNotExist
    attachment.refresh_from_db(fields=["file", "filename", "content_type"])
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment_filename(
            name=attachment.filename, content_type=attachment.content_type
        ),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
