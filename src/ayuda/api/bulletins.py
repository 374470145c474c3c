"""Problems and bulletins (R21, R31; docs/knowledge.md): the same selectors and services as
the workspace's pages. (``api/problems.py`` is the RFC 9457 error format, hence the name.)"""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from ayuda.accounts.models import User
from ayuda.core.errors import PermissionDeniedError
from ayuda.knowledge import problems_selectors as selectors
from ayuda.knowledge.models import Problem as ProblemModel
from ayuda.knowledge.models import ProblemStatus
from ayuda.knowledge.problems import LINK_MANY_MAX, link_many

from .problems import ERRORS, WRITE_ERRORS, not_found_detail, problem
from .schemas import PathId

router = Router(tags=["problems and bulletins"])


class ProblemOut(Schema):
    id: int
    title: str
    status: str = Field(description="open, known_error or resolved")
    description: str
    cause: str
    workaround: str
    fix: str
    linked_tickets: int
    created_at: datetime
    resolved_at: datetime | None


class ProblemList(Schema):
    items: list[ProblemOut]


class BulletinOut(Schema):
    id: int
    problem_id: int
    title: str = Field(description="In the caller's language.")
    agreed_answer: str | None = Field(description="For the help desk only (null otherwise).")
    public_notice: str
    is_public: bool
    category_ids: list[int] = Field(description="Empty: every category.")
    organisation_ids: list[int] | None = Field(description="Empty: every organisation.")
    starts_at: datetime
    ends_at: datetime | None


class BulletinList(Schema):
    items: list[BulletinOut]


class LinksIn(Schema):
    ticket_ids: list[int] = Field(description=f"At most {LINK_MANY_MAX} ticket numbers.")


class LinksOut(Schema):
    problem_id: int
    linked: int = Field(description="Tickets linked or moved from another problem.")


def _helpdesk(user: User) -> None:
    if not user.is_helpdesk:
        raise PermissionDeniedError(_("Only the help desk works on problems."))


@router.get(
    "/problems",
    response={200: ProblemList, **ERRORS},
    url_name="problem_list",
    summary="List problems",
    description="Help desk only; newest first, at most 200; filter with ``status``.",
)
def problems_get(request, status: str | None = None):
    _helpdesk(request.auth)
    status = status if status in ProblemStatus.values else None
    return {
        "items": [
            {
                "id": p.pk,
                "title": p.title,
                "status": p.status,
                "description": p.description,
                "cause": p.cause,
                "workaround": p.workaround,
                "fix": p.fix,
                "linked_tickets": p.links_count,
                "created_at": p.created_at,
                "resolved_at": p.resolved_at,
            }
            for p in selectors.problem_list(status=status)
        ]
    }


@router.get(
    "/bulletins",
    response={200: BulletinList, **ERRORS},
    url_name="bulletin_list",
    summary="List the active bulletins",
    description="The help desk reads every live bulletin with its agreed answer; a customer "
    "the live public ones of their organisation, without the agreed answer.",
)
def bulletins_get(request):
    user: User = request.auth
    if user.is_helpdesk:
        rows = selectors.bulletins_active()
    elif user.is_customer:
        rows = selectors.bulletins_for_requester(user)
    else:
        rows = []
    staff = user.is_helpdesk
    return {
        "items": [
            {
                "id": b.pk,
                "problem_id": b.problem_id,
                "title": b.display_title,
                "agreed_answer": b.display_agreed_answer if staff else None,
                "public_notice": b.display_public_notice if b.is_public else "",
                "is_public": b.is_public,
                "category_ids": sorted(b.category_ids),
                "organisation_ids": sorted(b.organisation_ids) if staff else None,
                "starts_at": b.starts_at,
                "ends_at": b.ends_at,
            }
            for b in rows
        ]
    }


@router.post(
    "/problems/{problem_id}/links",
    response={200: LinksOut, **WRITE_ERRORS},
    url_name="problem_links",
    summary="Link tickets to a problem",
    description="Help desk only. Each ticket gets a ``problem_linked`` event; a ticket linked "
    "to another problem moves. Linking again to the same problem changes nothing.",
)
def links_post(request, problem_id: PathId, payload: LinksIn):
    _helpdesk(request.auth)
    found = ProblemModel.objects.filter(pk=problem_id).first()
    if found is None:
        return problem(request, status=404, kind="not-found", detail=not_found_detail())
    linked = link_many(problem=found, ticket_ids=payload.ticket_ids, actor=request.auth)
    return {"problem_id": found.pk, "linked": linked}
