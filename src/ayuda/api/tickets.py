"""Tickets: the queue, one ticket, opening one, and every workspace action, each one service
call (the same ones ``web/agent/views/actions.py`` calls)."""

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from ayuda.accounts.models import Site, Team, User, Vendor
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets import selectors, services
from ayuda.tickets.models import Category, Channel, Priority, TicketState

from . import schemas as s
from .idempotency import idempotent
from .presenters import TicketPresenter
from .problems import ERRORS, WRITE_ERRORS
from .schemas import PathId

router = Router(tags=["tickets"])
MAX_PAGE = 100


class QueueQuery(Schema):
    status: str = "active"
    level: str = ""
    team: s.Id | None = None
    owner: str = ""
    category: s.Id | None = None
    site: s.Id | None = None
    channel: str = ""
    type: str = ""
    organisation: s.Id | None = None
    device: str = Field("", max_length=100, description="A device's serial number or id.")
    q: str = ""
    order: str = Field(
        "oldest",
        description="oldest, newest, or due (due soonest: only tickets with a due time).",
    )
    sort: str = Field("", description="The same as `order` (`sort=due`).")
    breached: bool = Field(False, description="Only tickets that breached a service level.")
    earlier: bool = False
    cursor: str = ""
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def _limit(value: int) -> int:
    return min(max(value, 1), MAX_PAGE)


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` names (``"7"``, ``W/"7"``); None when absent or ``*``."""
    if not if_match or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValidationError(
            _('If-Match must be the ticket\'s ETag, such as "3".'), field="If-Match"
        )
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'


def ticket_response(request, response: HttpResponse, pk: int) -> dict:
    ticket = selectors.ticket_get(user=request.auth, pk=pk)
    response["ETag"] = etag(ticket.version)
    return TicketPresenter(request.auth).detail(ticket)


def lookup[T](model: type[T], pk: int | None, *, field: str) -> T | None:
    """An object named by id in a request body, or a 422 naming the field."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError(_("There is no such choice."), field=field)
    return found


@router.get(
    "",
    response={200: s.TicketPage, **ERRORS},
    url_name="ticket_list",
    summary="List tickets (the queue)",
    description="The tickets the caller may see, oldest first, with the queue's filters. "
    "Follow `next` for the next page; a deep page costs what the first costs.",
)
def ticket_list(request, query: Query[QueueQuery]):
    order = query.sort or query.order
    if request.auth.is_vendor_agent and (order == "due" or query.breached):
        # Our service levels are the help desk's; a vendor's clock is on its own tickets.
        raise ValidationError(
            _("Sorting by due time and the breached filter are for the help desk."),
            field="order" if order == "due" else "breached",
        )
    filters = selectors.QueueFilters(
        status=query.status,
        level=query.level,
        team=query.team,
        owner=query.owner,
        category=query.category,
        site=query.site,
        channel=query.channel,
        type=query.type,
        organisation=query.organisation,
        device=query.device,
        q=query.q[:200],
        order=order,
        breached=query.breached,
        earlier=query.earlier,
    )
    page = selectors.ticket_queue(
        user=request.auth, filters=filters, cursor=query.cursor or None, limit=_limit(query.limit)
    )
    presenter = TicketPresenter(request.auth)
    following = None
    if page.next_cursor:
        params = {k: v for k, v in request.GET.items() if k != "cursor"}
        following = (
            reverse("api-v1:ticket_list") + "?" + urlencode(params | {"cursor": page.next_cursor})
        )
    return {"items": [presenter.line(t) for t in page.tickets], "next": following}


@router.get(
    "/{ticket_id}",
    response={200: s.Ticket, **ERRORS},
    url_name="ticket_get",
    summary="Read a ticket",
    description="The ticket with what the caller may do on it; its `ETag` is its version.",
)
def ticket_get(request, response: HttpResponse, ticket_id: PathId):
    return ticket_response(request, response, ticket_id)


@router.post(
    "",
    response={201: s.Ticket, **WRITE_ERRORS},
    url_name="ticket_list",  # the list's route: one URL name per route
    summary="Open a ticket",
    description="As a requester for yourself (a site admin also for your sites), or, for the "
    "help desk, on a requester's behalf (`requester_id`). Send an `Idempotency-Key` so a "
    "retry opens one ticket.",
)
@decorate_view(idempotent)
def ticket_create(request, response: HttpResponse, payload: s.TicketCreate):
    user: User = request.auth
    if not user.is_helpdesk and (
        payload.team_id is not None
        or payload.priority is not None
        or payload.requester_id not in (None, user.pk)
    ):
        raise PermissionDeniedError(
            _("Only the help desk chooses the requester, team or priority of a new ticket.")
        )
    requester = lookup(User, payload.requester_id, field="requester_id") or user
    if requester != user and not (requester.is_customer and requester.is_active):
        # as the workspace's new-ticket form, which offers active customers only
        raise ValidationError(_("Choose the customer who contacted you."), field="requester_id")
    # One transaction: the ticket, its first message and its history land together (today
    # ``ticket_create`` itself runs in autocommit: its @transaction.atomic sits on _arrival).
    with transaction.atomic():
        ticket = services.ticket_create(
            requester=requester,
            actor=user,
            subject=payload.subject,
            description=payload.description,
            channel=Channel.API,
            type=payload.type,
            category=lookup(Category, payload.category_id, field="category_id"),
            priority=payload.priority or Priority.NORMAL,
            site=lookup(Site, payload.site_id, field="site_id"),
            team=lookup(Team, payload.team_id, field="team_id"),
            environment=payload.environment,
            extra=payload.extra,
        )
    response["Location"] = reverse("api-v1:ticket_get", kwargs={"ticket_id": ticket.pk})
    return Status(201, ticket_response(request, response, ticket.pk))


# The workspace's actions: one operation each, one service call each.
ACTION_HELP = (
    "Send the ticket's `ETag` as `If-Match`: if someone changed the ticket since, nothing is "
    "saved and the answer is 412."
)


def _action(path: str, summary: str, body: type | None = None):
    def register(func):
        return router.post(
            f"/{{ticket_id}}/{path}",
            response={200: s.Ticket, **WRITE_ERRORS},
            url_name=f"ticket_{path.replace('-', '_')}",
            summary=summary,
            description=ACTION_HELP,
        )(decorate_view(idempotent)(func))

    return register


@_action("qualify", "Set category, type and priority")
def ticket_qualify(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.QualifyIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_qualify(
        ticket=ticket,
        actor=request.auth,
        category=lookup(Category, payload.category_id, field="category_id"),
        type=payload.type,
        priority=payload.priority,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("assign", "Assign to a team and an owner")
def ticket_assign(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.AssignIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_assign(
        ticket=ticket,
        actor=request.auth,
        team=lookup(Team, payload.team_id, field="team_id"),
        owner=lookup(User, payload.owner_id, field="owner_id"),
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("state", "Change the state")
def ticket_change_state(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.StateIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    state = lookup(TicketState, payload.state_id, field="state_id")
    services.ticket_change_state(
        ticket=ticket, actor=request.auth, state=state, expected_version=expected_version(if_match)
    )
    return ticket_response(request, response, ticket_id)


@_action("escalate", "Escalate to level 2")
def ticket_escalate(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.EscalateIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_escalate(
        ticket=ticket,
        actor=request.auth,
        team=lookup(Team, payload.team_id, field="team_id"),
        mode=payload.mode,
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("escalate-vendor", "Escalate to a vendor")
def ticket_escalate_vendor(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.EscalateVendorIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_escalate_to_vendor(
        ticket=ticket,
        actor=request.auth,
        vendor=lookup(Vendor, payload.vendor_id, field="vendor_id"),
        reason=payload.reason,
        reference=payload.reference,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("vendor-reference", "Set the vendor's case number")
def ticket_vendor_reference(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.VendorReferenceIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_set_vendor_reference(
        ticket=ticket,
        actor=request.auth,
        reference=payload.reference,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("delay-reason", "Set or clear the delay reason")
def ticket_delay_reason(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.DelayReasonIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_set_delay_reason(
        ticket=ticket,
        actor=request.auth,
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("hand-back", "Hand back with an answer")
def ticket_hand_back(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.HandBackIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_hand_back(
        ticket=ticket,
        actor=request.auth,
        answer=payload.answer,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("forward", "Forward to another team")
def ticket_forward(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.ForwardIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_forward(
        ticket=ticket,
        actor=request.auth,
        team=lookup(Team, payload.team_id, field="team_id"),
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("resolve", "Resolve with a solution")
def ticket_resolve(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.ResolveIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_resolve(
        ticket=ticket,
        actor=request.auth,
        solution=payload.solution,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)


@_action("close", "Close a resolved ticket")
def ticket_close(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.Empty,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_close(
        ticket=ticket, actor=request.auth, expected_version=expected_version(if_match)
    )
    return ticket_response(request, response, ticket_id)


@_action("reopen", "Reopen a resolved ticket")
def ticket_reopen(
    request,
    response: HttpResponse,
    ticket_id: PathId,
    payload: s.ReopenIn,
    if_match: str | None = Header(None, alias="If-Match"),
):
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    services.ticket_reopen(
        ticket=ticket,
        actor=request.auth,
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    return ticket_response(request, response, ticket_id)
