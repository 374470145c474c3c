"""Views shared by the agent workspace and the portal: home, preferences."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from ayuda.accounts.models import User


def home_url_for(user: User) -> str:
    name = "agent:queue" if user.is_agent else "portal:home"
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("preferences")


@login_required
def home(request):
    return redirect(home_url_for(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Each user picks their language and time zone (R35)."""
    user = request.user
    zones = sorted(zoneinfo.available_timezones())
    if request.method == "POST":
        language = request.POST.get("language", "")
        tz = request.POST.get("timezone", "")
        if language not in dict(User._meta.get_field("language").choices) or tz not in zones:
            messages.error(request, _("Choose a language and a time zone from the lists."))
        else:
            user.language, user.timezone = language, tz
            user.save(update_fields=["language", "timezone"])
            translation.activate(language)
            messages.success(request, _("Your preferences are saved."))
            return redirect("preferences")
    context = {"zones": zones, "languages": User._meta.get_field("language").choices}
    if user.is_agent:  # the alerts each kind sends (R23), chosen per kind
        from ayuda.notifications.preferences import preferences_of

        context["notification_choices"] = preferences_of(user=user)
    return render(request, "web/preferences.html", context)


@require_POST
def language_set(request):
    """The footer's language menu: remembered on the account, so it wins over the browser."""
    user = request.user
    language = request.POST.get("language", "")
    if user.is_authenticated and language in dict(User._meta.get_field("language").choices):
        user.language = language
        user.save(update_fields=["language"])
    return set_language(request)
