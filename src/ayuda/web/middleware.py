"""Messages after in-page (htmx) actions.

A message shown by a page load (``web/_messages.html`` at the top of ``<main>``) would stay
on screen through every later htmx action, however old. So every htmx answer that swaps part
of the page also replaces ``#messages`` out of band: with the messages the answer did not show
itself (a fragment such as the ticket panel shows its own), or with nothing.

Answers the page asks for by itself (``request.passive``: the notification bell's poll, a card
loaded after the page) are not the user's actions: they leave ``#messages`` alone, or the
bell's first poll would wipe the confirmation the page has just shown.
"""

from django.contrib import messages
from django.template.loader import render_to_string

#: Answers htmx swaps into the page (see ``responseHandling`` in web/base.html).
SWAPPED = range(200, 500)
#: Headers with which htmx leaves the page or reloads it instead of swapping.
LEAVES = ("HX-Redirect", "HX-Refresh", "HX-Location")


def _swaps_part_of_page(request, response) -> bool:
    htmx = getattr(request, "htmx", None)
    return (
        bool(htmx)
        and not getattr(request, "passive", False)
        and not htmx.history_restore_request
        and not htmx.boosted
        and response.status_code in SWAPPED
        and response.status_code != 204
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not any(header in response for header in LEAVES)
    )


class HtmxMessagesMiddleware:
    """After ``MessageMiddleware`` and ``HtmxMiddleware`` in ``MIDDLEWARE``, so it answers
    first and the messages it shows count as shown."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _swaps_part_of_page(request, response):
            return response
        storage = messages.get_messages(request)
        pending = [] if storage.used else list(storage)
        html = render_to_string(
            "web/_messages.html", {"messages": pending, "oob": True}, request=request
        )
        response.content += html.encode(response.charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
