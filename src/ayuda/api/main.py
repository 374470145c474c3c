"""The REST API under ``/api/v1`` (R5): one NinjaAPI, its auth, its error format, its routers.

The API is one more door into the ticket services, selectors and permissions; it holds no rule
of its own (docs/api.md)."""

import functools
import logging

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

import ayuda
from ayuda.accounts.authentication import AuthenticationLockedError
from ayuda.core.errors import AyudaError, ConflictError, PermissionDeniedError, ValidationError

from .auth import BrowserSessionAuth, RateLimitedError, ScopeError, TokenAuth, auth_missing_detail
from .problems import PROBLEM_CONTENT_TYPE, not_found_detail, problem

logger = logging.getLogger(__name__)

DESCRIPTION = """Ayuda's REST API: tickets, their messages and files, the lists they refer to,
and the history feed. Authenticate with a personal access token (`Authorization: Bearer
ayuda_…`, created under *API tokens* in the workspace) or, from Ayuda's own pages, the
session with its CSRF token. Errors are `application/problem+json` (RFC 9457). See
docs/api.md for examples."""


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Any unique string (a UUID): a retry with the same key and body runs once "
    "and gets the first answer again, for 24 hours.",
    "example": "3f1c2a7e-8c1b-4d0e-9a55-0b6f4f0e2d11",
}


def _method_problem(view):
    """django-ninja answers a method a path does not have with a plain-text 405, and its root
    (``/api/v1/``) raises Http404 for the site's HTML page: problems instead (405 with the
    same ``Allow`` header, 404)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return problem(request, status=404, kind="not-found", detail=not_found_detail())
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        return problem(
            request,
            status=405,
            kind="method-not-allowed",
            detail=_("This address does not take %(method)s.") % {"method": request.method},
            headers={"Allow": response["Allow"]},
        )

    return wrapped


class AyudaAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for url in urls:
            if hasattr(url, "callback"):
                url.callback = _method_problem(url.callback)
        return urls

    def get_openapi_schema(self, *args, **kwargs):
        """Errors are documented as what they are: ``application/problem+json``."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(code) >= "400" and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
                if method == "post":
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        return schema


api = AyudaAPI(
    title="Ayuda API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSessionAuth()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _field_message(error: dict) -> str:
    """Pydantic's message for a field, in the caller's language where we know the kind."""
    kind = error.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "string_too_short": _("This is too short."),
        "string_too_long": _("This is too long."),
        "too_long": _("This is too long."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "greater_than_equal": _("This number is out of range."),
        "less_than_equal": _("This number is out of range."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter a text."),
        "json_invalid": _("The body is not valid JSON."),
    }
    return str(messages.get(kind) or error.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = []
    for error in exc.errors:
        loc = [
            str(p)
            for p in error.get("loc", ())
            if p not in ("body", "query", "path", "form", "payload")
        ]
        errors.append({"field": ".".join(loc) or "body", "detail": _field_message(error)})
    return problem(
        request,
        status=422,
        kind="validation",
        detail=_("Some fields are missing or invalid."),
        errors=errors,
    )


# The services name model fields; the API's bodies name the ids.
FIELD_NAMES = {
    name: f"{name}_id"
    for name in ("team", "owner", "category", "site", "state", "vendor", "requester", "parent")
}


@api.exception_handler(ValidationError)
def _service_invalid(request, exc):
    field = FIELD_NAMES.get(exc.field, exc.field)
    errors = [{"field": field, "detail": exc.message}] if field else []
    return problem(request, status=422, kind="validation", detail=exc.message, errors=errors)


@api.exception_handler(ConflictError)
def _conflict(request, exc):
    return problem(request, status=412, kind="conflict", detail=exc.message)


@api.exception_handler(PermissionDeniedError)
def _refused(request, exc):
    return problem(request, status=403, kind="forbidden", detail=exc.message)


@api.exception_handler(AyudaError)
def _business(request, exc):
    return problem(request, status=422, kind="validation", detail=exc.message)


@api.exception_handler(AuthenticationLockedError)
def _locked(request, exc):
    return problem(
        request,
        status=429,
        kind="locked",
        detail=_("Too many failed attempts. Try again later."),
        headers={"Retry-After": str(settings.AYUDA_LOGIN_WINDOW_SECONDS)},
    )


@api.exception_handler(RateLimitedError)
def _rate_limited(request, exc):
    return problem(
        request,
        status=429,
        kind="rate-limited",
        detail=_("Too many requests for this token. Wait %(s)s seconds.") % {"s": exc.retry_after},
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(ScopeError)
def _scope(request, exc):
    return problem(
        request,
        status=403,
        kind="insufficient-scope",
        detail=_("This token does not have the “%(scope)s” scope.") % {"scope": exc.scope},
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(
        request,
        status=401,
        kind="unauthenticated",
        detail=auth_missing_detail(),
        headers={"WWW-Authenticate": 'Bearer realm="ayuda"'},
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, status=404, kind="not-found", detail=not_found_detail())


@api.exception_handler(ObjectDoesNotExist)
def _missing(request, exc):
    return problem(request, status=404, kind="not-found", detail=not_found_detail())


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return problem(
        request, status=403, kind="forbidden", detail=str(exc) or _("You may not do that.")
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    kinds = {400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found"}
    kind = kinds.get(exc.status_code, "bad-request")
    detail = str(exc.message)
    if exc.status_code == 403 and detail == "CSRF check Failed":  # django-ninja's, untranslated
        detail = _("The CSRF check failed.")
    return problem(request, status=exc.status_code, kind=kind, detail=detail)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return problem(
        request,
        status=413,
        kind="too-large",
        detail=_("The request body is larger than %(size)s bytes.")
        % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _unreadable(request, exc):
    """A body Django cannot read: broken multipart, too many fields or files."""
    return problem(
        request, status=400, kind="bad-request", detail=_("The request body cannot be read.")
    )


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(
        request, status=500, kind="server-error", detail=_("Something went wrong on our side.")
    )


def _routers() -> None:
    from . import (
        articles,
        bulletins,
        devices,
        history,
        kb,
        knowledge,
        lookups,
        notifications,
        readings,
        search,
        tickets,
        tokens,
        trees,
    )

    api.add_router("/tickets", tickets.router)
    api.add_router("/tickets", articles.router)
    api.add_router("/tickets", knowledge.router)
    api.add_router("/attachments", articles.files_router)
    api.add_router("/events", history.router)
    api.add_router("/", lookups.router)
    api.add_router("/tokens", tokens.router)
    api.add_router("/kb", kb.router)
    api.add_router("/notifications", notifications.router)
    api.add_router("/devices", readings.router)
    api.add_router("/trees", trees.router)
    api.add_router("/walks", trees.walks_router)
    api.add_router("/search", search.router)
    api.add_router("/", bulletins.router)
    # Webhooks are their own app; mounted when it is installed.
    if module_has_submodule(ayuda, "webhooks"):
        from ayuda import webhooks

        if module_has_submodule(webhooks, "api"):
            from ayuda.webhooks.api import router as webhooks_router

            api.add_router("/webhooks", webhooks_router)
    # Last: its ``GET /devices/{serial}`` would otherwise catch the paths of routers mounted
    # after it on the same prefix (``POST /devices/readings`` would answer 405).
    api.add_router("/devices", devices.router)


_routers()


def not_found(request, rest: str = ""):
    """Any other URL under /api/v1/: a problem too, never the site's HTML page."""
    return problem(request, status=404, kind="not-found", detail=not_found_detail())
