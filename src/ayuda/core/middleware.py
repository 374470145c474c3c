"""Per-user language and time zone (R35); the Permissions-Policy header."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

from .cache import request_scope


class UserPreferencesMiddleware:
    """Serve a signed-in user in their own language and time zone.

    Runs after LocaleMiddleware, so the account's language wins over the browser's. Both are
    reset once the response is made, so nothing leaks into the next request on this thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone or "UTC"))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            timezone.deactivate()
            translation.deactivate()
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)``. Each
    allowlist item is written as the header wants it: ``self``, ``*`` or a quoted origin."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Send ``settings.PERMISSIONS_POLICY`` as the Permissions-Policy header on every response
    that has none of its own (docs/security.md). Django has no setting for this header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(policy)
        return response


class LookupsRequestMiddleware:
    """Read the select-box lists' version once per request (``ayuda.core.cache``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)
