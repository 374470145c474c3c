"""Who may enter the agent workspace, and how a view answers htmx."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from ayuda.web.views import home_url_for


def agent_required(view):
    """Help desk staff and vendor agents only. A customer who opens an agent page is sent to
    the portal; anything else (a POST, another role) is refused with 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_agent:
            if user.is_customer and request.method in ("GET", "HEAD"):
                return redirect(home_url_for(user))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def helpdesk_required(view):
    """Help desk staff only (not vendor agents)."""

    @agent_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_helpdesk:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def wants_fragment(request) -> bool:
    """An htmx request that swaps part of the page (not a history restore, which needs it all)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_page_or_fragment(request, template: str, fragment: str, context: dict, **kwargs):
    """The whole page, or for htmx only the ``{% partialdef fragment %}`` of the same template."""
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    response = render(request, name, context, **kwargs)
    patch_vary_headers(response, ("HX-Request",))
    return response
