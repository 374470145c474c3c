"""Personal access tokens for the REST API (R5): create, check, revoke.

A token reads ``ayuda_<prefix>_<secret>``: the prefix (12 hex digits) is public, shown in the
lists and used to find the row; the secret (32 random bytes) is shown once and only its
SHA-256 is stored, so a copy of the database cannot be used to call the API. Checks go through
the log-in limiter (``authentication.credentials_check``), counted per prefix and address.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ayuda.core.errors import PermissionDeniedError, ValidationError

from .models import ApiToken, Role, TokenScope, User

TOKEN_START = "ayuda_"
LAST_USE_PRECISION = timedelta(minutes=1)  # last use is written at most once a minute
MAX_LIFETIME_DAYS = 366


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_prefix(value: str) -> str:
    """The public part of a presented token ("" if it is not shaped like one)."""
    if not value.startswith(TOKEN_START):
        return ""
    prefix, _sep, secret = value[len(TOKEN_START) :].partition("_")
    return prefix if len(prefix) == 12 and secret else ""


def scopes_allowed(user: User) -> list[str]:
    """The scopes ``user`` may give a token: admin only to administrators."""
    allowed = [TokenScope.READ, TokenScope.WRITE, TokenScope.DEVICES]
    if user.role == Role.ADMIN:
        allowed.append(TokenScope.ADMIN)
    return [str(s) for s in allowed]


@transaction.atomic
def token_create(
    *, user: User, name: str, scopes: list[str], expires_at: datetime | None
) -> IssuedToken:
    """Issue a token for ``user``. The returned secret is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Please give the token a name."), field="name")
    scopes = sorted(set(scopes or []))
    if not scopes:
        raise ValidationError(_("Choose at least one scope."), field="scopes")
    unknown = set(scopes) - set(TokenScope.values)
    if unknown:
        raise ValidationError(_("Unknown scope."), field="scopes")
    if set(scopes) - set(scopes_allowed(user)):
        raise ValidationError(_("Only administrators may have the admin scope."), field="scopes")
    now = timezone.now()
    if expires_at is not None:
        if expires_at <= now:
            raise ValidationError(_("The expiry date must be in the future."), field="expires_at")
        if expires_at > now + timedelta(days=MAX_LIFETIME_DAYS):
            raise ValidationError(_("A token may be valid for a year at most."), field="expires_at")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        secret_hash=_digest(secret),
        scopes=scopes,
        created_at=now,
        expires_at=expires_at,
    )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token: its owner or an administrator may. Revoking twice changes nothing."""
    if actor.pk != token.user_id and actor.role != Role.ADMIN:
        raise PermissionDeniedError(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def token_check(*, value: str) -> ApiToken | None:
    """The live token ``value`` is (with its user loaded), or None: unknown, wrong secret,
    revoked, expired, or its user deactivated. Records the use at most once a minute."""
    prefix = token_prefix(value)
    if not prefix:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(value)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(*, user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
