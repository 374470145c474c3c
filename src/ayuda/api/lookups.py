"""The lists tickets refer to: organisations, sites, teams, categories (with their form
fields), states and users. Everyone reads what their pages offer them; administrators (with
the ``admin`` scope) create and change organisations, sites, teams and categories."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from ayuda.accounts.models import STAFF_ROLES, Level, Organisation, Role, Site, Team, User
from ayuda.core.cache import lookups_changed
from ayuda.core.errors import PermissionDeniedError, ValidationError
from ayuda.tickets.models import Category, TicketState
from ayuda.tickets.selectors import vendor_ticket_refs
from ayuda.tickets.services.lifecycle import SOFTWARE_FIELDS

from .auth import require_scope
from .lookup_schemas import (
    CategoryIn,
    CategoryOut,
    OrganisationIn,
    OrganisationOut,
    PageQuery,
    SiteIn,
    SiteOut,
    StateOut,
    TeamIn,
    TeamOut,
    UserOut,
)
from .problems import ERRORS, WRITE_ERRORS
from .schemas import PathId

router = Router(tags=["lists"])


def _page(request, queryset: QuerySet, query: PageQuery, name: str, present=None) -> dict:
    rows = list(queryset.filter(pk__gt=query.after).order_by("pk")[: query.limit + 1])
    following = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        following = f"{reverse(name)}?after={rows[-1].pk}&limit={query.limit}"
    return {"items": [present(r) if present else r for r in rows], "next": following}


def _page_schema(item: type) -> type:
    return type(
        f"{item.__name__.removesuffix('Out')}Page",
        (Schema,),
        {"__annotations__": {"items": list[item], "next": str | None}, "next": None},
    )


def _admin(request) -> None:
    require_scope(request, "admin")
    if request.auth.role != Role.ADMIN:
        raise PermissionDeniedError(_("Only administrators may change these lists."))


def _save(obj) -> None:
    """Validate as the admin does (the model's own checks) and save; field errors as 422."""
    try:
        obj.full_clean()
    except DjangoValidationError as error:
        fields = error.message_dict
        first_field, messages = next(iter(fields.items()))
        raise ValidationError(
            str(messages[0]), field=None if first_field == "__all__" else first_field
        ) from None
    with transaction.atomic():
        obj.save()
    lookups_changed()


def _organisations(user: User) -> QuerySet[Organisation]:
    if user.is_helpdesk:
        return Organisation.objects.all()
    if user.is_vendor_agent:
        return Organisation.objects.filter(pk__in=vendor_ticket_refs(user=user).organisations)
    return Organisation.objects.filter(pk=user.organisation_id)


def _sites(user: User) -> QuerySet[Site]:
    if user.is_helpdesk:
        return Site.objects.all()
    if user.is_vendor_agent:
        return Site.objects.filter(pk__in=vendor_ticket_refs(user=user).sites)
    return Site.objects.filter(organisation_id=user.organisation_id)


def _teams(user: User) -> QuerySet[Team]:
    if user.is_helpdesk:
        return Team.objects.all()
    if user.is_vendor_agent:
        return Team.objects.filter(pk__in=vendor_ticket_refs(user=user).teams)
    return Team.objects.none()


def _categories(user: User) -> QuerySet[Category]:
    categories = Category.objects.select_related("parent")
    if user.is_helpdesk:
        return categories
    if user.is_vendor_agent:
        return categories.filter(pk__in=vendor_ticket_refs(user=user).categories)
    return categories.filter(is_active=True)


def _users(user: User) -> QuerySet[User]:
    """Help desk staff see the staff; a vendor agent its vendor's agents; a customer
    themself."""
    if user.is_helpdesk:
        return User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    if user.is_vendor_agent:
        if user.vendor_id is None:  # no vendor: vendor_id IS NULL would match everyone else
            return User.objects.filter(pk=user.pk)
        return User.objects.filter(Q(pk=user.pk) | Q(vendor_id=user.vendor_id, is_active=True))
    return User.objects.filter(pk=user.pk)


def _category(category: Category) -> dict:
    return {
        "id": category.pk,
        "name": category.name,
        "full_name": str(category),
        "parent_id": category.parent_id,
        "description": category.description,
        "is_software": category.is_software,
        "software_fields": list(SOFTWARE_FIELDS) if category.is_software else [],
        "extra_fields": category.extra_fields or [],
        "default_team_id": category.default_team_id,
        "routes_to_level_2": category.routes_to_level_2,
        "is_active": category.is_active,
    }


def _user(user: User) -> dict:
    return {
        "id": user.pk,
        "name": user.display_name(),
        "role": user.role,
        "email": user.email,
        "organisation_id": user.organisation_id,
        "vendor_id": user.vendor_id,
    }


def _get(queryset: QuerySet, pk: int):
    return queryset.get(pk=pk)  # DoesNotExist: 404


@router.get(
    "/organisations",
    response={200: _page_schema(OrganisationOut), **ERRORS},
    url_name="organisation_list",
    summary="List organisations",
)
def organisation_list(request, query: Query[PageQuery]):
    return _page(request, _organisations(request.auth), query, "api-v1:organisation_list")


@router.post(
    "/organisations",
    response={201: OrganisationOut, **WRITE_ERRORS},
    url_name="organisation_list",
    summary="Create an organisation (administrators)",
)
def organisation_create(request, payload: OrganisationIn):
    _admin(request)
    organisation = Organisation(**payload.dict())
    _save(organisation)
    return Status(201, organisation)


@router.put(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **WRITE_ERRORS},
    url_name="organisation_update",
    summary="Change an organisation (administrators)",
)
def organisation_update(request, organisation_id: PathId, payload: OrganisationIn):
    _admin(request)
    organisation = _get(Organisation.objects.all(), organisation_id)
    for name, value in payload.dict().items():
        setattr(organisation, name, value)
    _save(organisation)
    return organisation


@router.get(
    "/sites",
    response={200: _page_schema(SiteOut), **ERRORS},
    url_name="site_list",
    summary="List sites",
)
def site_list(request, query: Query[PageQuery]):
    return _page(request, _sites(request.auth), query, "api-v1:site_list")


@router.post(
    "/sites",
    response={201: SiteOut, **WRITE_ERRORS},
    url_name="site_list",
    summary="Create a site (administrators)",
)
def site_create(request, payload: SiteIn):
    _admin(request)
    site = Site(**payload.dict())
    if not Organisation.objects.filter(pk=payload.organisation_id).exists():
        raise ValidationError(_("There is no such choice."), field="organisation_id")
    _save(site)
    return Status(201, site)


@router.put(
    "/sites/{site_id}",
    response={200: SiteOut, **WRITE_ERRORS},
    url_name="site_update",
    summary="Change a site (administrators)",
)
def site_update(request, site_id: PathId, payload: SiteIn):
    _admin(request)
    site = _get(Site.objects.all(), site_id)
    if not Organisation.objects.filter(pk=payload.organisation_id).exists():
        raise ValidationError(_("There is no such choice."), field="organisation_id")
    for name, value in payload.dict().items():
        setattr(site, name, value)
    _save(site)
    return site


@router.get(
    "/teams",
    response={200: _page_schema(TeamOut), **ERRORS},
    url_name="team_list",
    summary="List teams",
)
def team_list(request, query: Query[PageQuery]):
    return _page(request, _teams(request.auth), query, "api-v1:team_list")


def _team_check(payload: TeamIn) -> None:
    if payload.level not in (Level.L1, Level.L2, Level.VENDOR):
        raise ValidationError(_("Choose level 1, level 2 or vendor."), field="level")


@router.post(
    "/teams",
    response={201: TeamOut, **WRITE_ERRORS},
    url_name="team_list",
    summary="Create a team (administrators)",
)
def team_create(request, payload: TeamIn):
    _admin(request)
    _team_check(payload)
    team = Team(**payload.dict())
    _save(team)
    return Status(201, team)


@router.put(
    "/teams/{team_id}",
    response={200: TeamOut, **WRITE_ERRORS},
    url_name="team_update",
    summary="Change a team (administrators)",
)
def team_update(request, team_id: PathId, payload: TeamIn):
    _admin(request)
    _team_check(payload)
    team = _get(Team.objects.all(), team_id)
    for name, value in payload.dict().items():
        setattr(team, name, value)
    _save(team)
    return team


@router.get(
    "/categories",
    response={200: _page_schema(CategoryOut), **ERRORS},
    url_name="category_list",
    summary="List categories with their form fields",
)
def category_list(request, query: Query[PageQuery]):
    return _page(
        request, _categories(request.auth), query, "api-v1:category_list", present=_category
    )


def _category_apply(category: Category, payload: CategoryIn) -> Category:
    data = payload.dict()
    for field in ("parent_id", "default_team_id"):
        model = Category if field == "parent_id" else Team
        if data[field] is not None and not model.objects.filter(pk=data[field]).exists():
            raise ValidationError(_("There is no such choice."), field=field)
    if category.pk and data["parent_id"] == category.pk:
        raise ValidationError(_("A category cannot be its own parent."), field="parent_id")
    for name, value in data.items():
        setattr(category, name, value)
    return category


@router.post(
    "/categories",
    response={201: CategoryOut, **WRITE_ERRORS},
    url_name="category_list",
    summary="Create a category (administrators)",
)
def category_create(request, payload: CategoryIn):
    _admin(request)
    category = _category_apply(Category(), payload)
    _save(category)
    return Status(201, _category(category))


@router.put(
    "/categories/{category_id}",
    response={200: CategoryOut, **WRITE_ERRORS},
    url_name="category_update",
    summary="Change a category (administrators)",
)
def category_update(request, category_id: PathId, payload: CategoryIn):
    _admin(request)
    category = _category_apply(_get(Category.objects.all(), category_id), payload)
    _save(category)
    return _category(category)


@router.get(
    "/states",
    response={200: _page_schema(StateOut), **ERRORS},
    url_name="state_list",
    summary="List ticket states",
)
def state_list(request, query: Query[PageQuery]):
    return _page(request, TicketState.objects.all(), query, "api-v1:state_list")


@router.get(
    "/users",
    response={200: _page_schema(UserOut), **ERRORS},
    url_name="user_list",
    summary="List users",
    description="Help desk staff see the staff; a vendor agent its vendor's agents; a "
    "customer themself.",
)
def user_list(request, query: Query[PageQuery]):
    return _page(request, _users(request.auth), query, "api-v1:user_list", present=_user)


@router.get("/users/me", response={200: UserOut, **ERRORS}, url_name="user_me", summary="Who am I")
def user_me(request):
    return _user(request.auth)
