"""Errors as ``application/problem+json`` (RFC 9457): a stable ``type`` per error, a translated
``title`` and ``detail``, and the fields at fault in ``errors``."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://ayuda.dev/problems/"

TITLES = {
    "bad-request": gettext_lazy("Bad request"),
    "unauthenticated": gettext_lazy("Authentication required"),
    "forbidden": gettext_lazy("Not allowed"),
    "insufficient-scope": gettext_lazy("The token lacks a scope"),
    "not-found": gettext_lazy("Not found"),
    "method-not-allowed": gettext_lazy("Method not allowed"),
    "too-large": gettext_lazy("Request too large"),
    "conflict": gettext_lazy("Changed by someone else"),
    "idempotency-key-reused": gettext_lazy("Idempotency key used for another request"),
    "idempotency-in-progress": gettext_lazy("The same request is still running"),
    "validation": gettext_lazy("Invalid input"),
    "rate-limited": gettext_lazy("Too many requests"),
    "locked": gettext_lazy("Too many failed attempts"),
    "server-error": gettext_lazy("Server error"),
}


class FieldError(Schema):
    field: str
    detail: str


class Problem(Schema):
    """An error (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": TYPE_BASE + "validation",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "Please give the ticket a subject.",
                    "instance": "/api/v1/tickets",
                    "errors": [{"field": "subject", "detail": "Please give the ticket a subject."}],
                }
            ]
        }
    }


def problem(
    request,
    *,
    status: int,
    kind: str,
    detail: str = "",
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    body = {
        "type": TYPE_BASE + kind,
        "title": str(TITLES[kind]),
        "status": status,
        "detail": str(detail or TITLES[kind]),
        "instance": request.path if request is not None else None,
        "errors": errors or [],
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Every operation documents these; the ones that write add 409/412.
ERRORS = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
}
WRITE_ERRORS = ERRORS | {409: Problem, 412: Problem}


def not_found_detail() -> str:
    return _("Not found, or you may not see it.")
