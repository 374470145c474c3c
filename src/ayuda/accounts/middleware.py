"""Idle sessions end: after ``AYUDA_STAFF_SESSION_IDLE_SECONDS`` without a request for staff,
``AYUDA_SESSION_IDLE_SECONDS`` for requesters and site admins (docs/security.md)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .models import STAFF_ROLES

LAST_SEEN_KEY = "ayuda_last_seen"
# The last activity is written to the session at most this often, so a busy user does not
# save the session on every request; an idle limit is thus exact to within a minute.
RECORD_EVERY_SECONDS = 60


def session_idle_limit(user) -> int:
    """Seconds without activity after which ``user``'s session ends (0: never).

    Staff (help-desk and vendor agents, managers, administrators, and anyone who may use the
    Django admin) see every customer's tickets, so their sessions end sooner."""
    if user.is_staff or user.is_superuser or user.role in STAFF_ROLES:
        return settings.AYUDA_STAFF_SESSION_IDLE_SECONDS
    return settings.AYUDA_SESSION_IDLE_SECONDS


class SessionIdleMiddleware:
    """Log out a user idle too long, with a message and a way back to the log-in page.

    Runs after the authentication, messages and htmx middleware. An htmx request gets an
    ``HX-Redirect`` to the log-in page (the whole page is replaced), never the log-in page
    swapped into a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = session_idle_limit(user)
            if isinstance(last_seen, int) and limit > 0 and time.time() - last_seen > limit:
                return self._logged_out(request)
        response = self.get_response(request)
        # A background poll (the bell's count, every minute) is not the user's activity: it
        # would keep an unattended session alive for ever. Such views set ``request.passive``.
        if request.user.is_authenticated and not getattr(request, "passive", False):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if not isinstance(last_seen, int) or now - last_seen >= RECORD_EVERY_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return response

    def _logged_out(self, request):
        htmx = getattr(request, "htmx", None)
        if htmx:
            next_url = htmx.current_url_abs_path
        elif request.method == "GET":
            next_url = request.get_full_path()
        else:
            next_url = None  # a form posted after the timeout is not sent again
        language = request.user.language
        logout(request)
        messages.info(
            request,
            _("You were logged out after a period without activity. Log in again to continue."),
        )
        login_url = resolve_url(settings.LOGIN_URL)
        if next_url and next_url.split("?", 1)[0] != login_url:
            login_url = f"{login_url}?{urlencode({'next': next_url})}"
        response = (HttpResponseClientRedirect if htmx else HttpResponseRedirect)(login_url)
        if language:  # the log-in page in the user's own language, as the message is
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
