"""The one limiter every way of authenticating goes through (see docs/security.md).

Failed attempts are counted in the cache per account and per client address, in a fixed window
(``AYUDA_LOGIN_FAILURES_PER_ACCOUNT``, ``AYUDA_LOGIN_FAILURES_PER_ADDRESS``,
``AYUDA_LOGIN_WINDOW_SECONDS``). Only failures count; once a limit is reached, every attempt on
that account or from that address is refused, the right password included, until the window
ends.

Two entry points:

- ``LimitedModelBackend``, the only entry of ``AUTHENTICATION_BACKENDS``: Django's
  ``authenticate()`` and ``aauthenticate()`` run it for the workspace's ``/login/``, the admin's
  ``/admin/login/`` and any view written later, so no page can skip the limiter. A system check
  (``accounts.E001``) refuses to start with a backend that does not go through it.
- ``credentials_check()``, for checks that are not a user name and a password: the API token
  auth class to come calls it (see its docstring).
"""

import unicodedata
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

from ayuda.core import ratelimit
from ayuda.core.clients import client_ip


class AuthenticationLockedError(PermissionDenied):
    """Too many failures for this account or address: refused whatever the credentials.

    A ``PermissionDenied``, so Django's ``authenticate()`` stops at once (no other backend is
    asked) and sends ``user_login_failed``; an API auth class answers it with 429."""


def account_key(username: str) -> str:
    """The account as the limiter counts it: Django's reading of a user name (NFKC-normalised,
    stripped), case-folded, so " Alice " and a full-width "ａｌｉｃｅ" are the same account."""
    return unicodedata.normalize("NFKC", username).strip().casefold()[:150]


def _limits(*, request, account: str | None) -> list[tuple[str, int]]:
    limits = []
    if request is not None:
        limits.append((f"login:ip:{client_ip(request)}", settings.AYUDA_LOGIN_FAILURES_PER_ADDRESS))
    if account is not None:
        limits.append((f"login:user:{account}", settings.AYUDA_LOGIN_FAILURES_PER_ACCOUNT))
    return limits


def authentication_locked(*, request, account: str | None) -> bool:
    """Whether the account or the request's client address has used up its failures."""
    limits = _limits(request=request, account=account)
    return any(ratelimit.reached(key, limit=limit) for key, limit in limits)


def authentication_failed(*, request, account: str | None) -> None:
    """Count one failure against the account and the request's client address."""
    for key, limit in _limits(request=request, account=account):
        ratelimit.hit(key, limit=limit, window_seconds=settings.AYUDA_LOGIN_WINDOW_SECONDS)


def credentials_check[T](
    *, request, account: str | None, check: Callable[[], T | None]
) -> T | None:
    """Run ``check`` (which returns the authenticated user, or None) under the limits.

    Raises ``AuthenticationLockedError`` without running ``check`` when the account or the
    client address is locked; counts a failure when ``check`` returns None.

    ``account`` names what is being guessed: a user name (see ``account_key``) or, for an API
    token, ``"token:<its public prefix>"`` (never the secret; a colon cannot occur in a user
    name, so the two never share a counter), or None to count per address only. The
    django-ninja auth class will be::

        class TokenAuth(HttpBearer):
            def authenticate(self, request, token):
                return credentials_check(
                    request=request,
                    account=f"token:{token_prefix(token)}",
                    check=lambda: token_user(token=token),
                )

    with ``AuthenticationLockedError`` mapped to HTTP 429 by the API's exception handler.
    """
    if authentication_locked(request=request, account=account):
        raise AuthenticationLockedError
    result = check()
    if result is None:
        authentication_failed(request=request, account=account)
    return result


class LimitedModelBackend(ModelBackend):
    """Django's user name and password check, under the limits of ``credentials_check``."""

    limited = True  # what the accounts.E001 check looks for

    @sensitive_variables("password")
    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        return credentials_check(
            request=request,
            account=account_key(username),
            check=lambda: super(LimitedModelBackend, self).authenticate(
                request, username=username, password=password, **kwargs
            ),
        )

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend has its own async path; it must not skip the limiter.
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )


@checks.register(checks.Tags.security)
def backends_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Every authentication backend must go through the limiter."""
    errors = []
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = import_string(path)
        if not getattr(backend, "limited", False):
            errors.append(
                checks.Error(
                    f"The authentication backend {path} does not go through the log-in limits.",
                    hint="Use ayuda.accounts.authentication.LimitedModelBackend, or call "
                    "credentials_check() from the backend and set limited = True on it.",
                    id="accounts.E001",
                )
            )
    return errors
