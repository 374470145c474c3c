"""``Idempotency-Key`` on POST: the same key from the same caller with the same request gets
the first response again, for 24 hours, and runs nothing; with another request, 422.

The caller is the credential (a hash of the bearer token, or the signed-in user), so nobody
can replay another's response; a replay authenticates again (a revoked token gets 401). Only
successful responses are kept: after an error the key is free again and a retry runs anew (a
refused create created nothing)."""

import functools
import hashlib
from datetime import timedelta

from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord
from .problems import problem

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
KEPT_HEADERS = ("Location", "ETag")


def _caller(request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return "bearer:" + hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _request_hash(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        # Each retry has its own boundary: hash the fields and the files' contents instead.
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type
    )
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _authenticate(run, request) -> HttpResponse | None:
    """The operation's own auth and scope checks (django-ninja's ``Operation._run_checks``),
    for answers given without running it: this wrapper sits outside them, and a replay must
    not outlive the credential that earned it."""
    operation = getattr(run, "__self__", None)
    return operation._run_checks(request) if operation is not None else None


def idempotent(run):
    """Wrap an operation's ``run`` (ninja's ``decorate_view``)."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        caller = _caller(request)
        if not key or caller is None or request.method != "POST":
            return run(request, *args, **kwargs)
        if len(key) > 255:
            return problem(
                request,
                status=400,
                kind="bad-request",
                detail=_("The Idempotency-Key may be 255 characters at most."),
            )
        now = timezone.now()
        try:
            request_hash = _request_hash(request)
        except (SuspiciousOperation, MultiPartParserError):
            # A body too large or broken to read: the operation, reading it again, answers
            # the API's problem for it (413, 400) and creates nothing.
            return run(request, *args, **kwargs)
        # An expired key of this caller is free again (older rows go hourly: tasks.py).
        IdempotencyRecord.objects.filter(
            caller=caller, key=key, created_at__lt=now - LIFETIME
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller, key=key, request_hash=request_hash, created_at=now
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
            if existing is None:  # finished with an error and freed in between: run again
                return run(request, *args, **kwargs)
            refused = _authenticate(run, request)
            if refused is not None:  # a token revoked or expired since: no replay
                return refused
            if existing.request_hash != request_hash:
                return problem(
                    request,
                    status=422,
                    kind="idempotency-key-reused",
                    detail=_("This Idempotency-Key was already used for a different request."),
                )
            if existing.status is None:
                return problem(
                    request,
                    status=409,
                    kind="idempotency-in-progress",
                    detail=_("A request with this Idempotency-Key is still running."),
                    headers={"Retry-After": "1"},
                )
            return _replay(existing)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                body=bytes(response.content),
                headers={h: response[h] for h in KEPT_HEADERS if h in response},
            )
        else:
            record.delete()
        return response

    return wrapper
