"""Who calls the API: a personal access token (``Authorization: Bearer``) or the browser's
session with its CSRF token. Both end in the same checks: the token's scopes, the caller's
rate limit, the caller's language."""

import time

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from ayuda.accounts.authentication import credentials_check
from ayuda.accounts.models import TokenScope, User
from ayuda.accounts.tokens import scopes_allowed, token_check, token_prefix
from ayuda.core import ratelimit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopeError(Exception):
    """The token has no scope for this operation (403 insufficient-scope)."""

    def __init__(self, scope: str) -> None:
        super().__init__(scope)
        self.scope = scope


class RateLimitedError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _rate_limit(caller: str) -> None:
    """A fixed window per caller (``AYUDA_API_RATE_PER_MINUTE`` calls a minute)."""
    limit = settings.AYUDA_API_RATE_PER_MINUTE
    if limit <= 0:
        return
    window = 60
    now = time.time()
    slot = int(now // window)
    if ratelimit.hit(f"api:{caller}:{slot}", limit=limit, window_seconds=window + 5):
        raise RateLimitedError(retry_after=max(1, int(window - now % window) + 1))


def _language(request, user: User) -> None:
    """``Accept-Language`` when the caller sends one, else the user's own language."""
    if request.headers.get("Accept-Language"):
        language = translation.get_language_from_request(request)
    else:
        language = user.language or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _admit(
    request, *, user: User, scopes: list[str], caller: str, needed: str | None = None
) -> User:
    request.api_scopes = frozenset(scopes)
    request.api_caller = caller
    _language(request, user)
    if needed is None:
        needed = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
    _rate_limit(caller)
    if needed not in request.api_scopes:
        raise ScopeError(needed)
    return user


def require_scope(request, scope: str) -> None:
    if scope not in getattr(request, "api_scopes", ()):
        raise ScopeError(scope)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ayuda_…``, checked under the log-in limiter (per token prefix
    and client address); a locked caller gets 429 (``AuthenticationLockedError``)."""

    scope: str | None = None  # None: read for GET, write otherwise

    def authenticate(self, request, token: str):
        found = credentials_check(
            request=request,
            account=f"token:{token_prefix(token) or '-'}",
            check=lambda: token_check(value=token),
        )
        if found is None:
            return None
        request.api_token = found
        return _admit(
            request,
            user=found.user,
            scopes=list(found.scopes),
            caller=f"token:{found.prefix}",
            needed=self.scope,
        )


class DeviceTokenAuth(TokenAuth):
    """The devices' endpoints: a token with the ``devices`` scope (a collector's token needs
    no other), and no browser session."""

    scope = TokenScope.DEVICES


class BrowserSessionAuth(SessionAuth):
    """The workspace's own calls: the signed-in session, with Django's CSRF check on writes.
    A session has every scope its user could give a token."""

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        request.api_token = None
        return _admit(request, user=user, scopes=scopes_allowed(user), caller=f"user:{user.pk}")


def auth_missing_detail() -> str:
    return _("Send a valid API token (Authorization: Bearer …) or sign in.")
