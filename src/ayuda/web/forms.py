from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ayuda.core import ratelimit

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 15 * 60


class LoginForm(AuthenticationForm):
    """Django's log-in form with a limit on failed attempts, per address and per account.

    Only failures count. The account is keyed by the user name as Django reads it (stripped,
    NFKC-normalised) and case-folded, so " Alice " or a full-width "ａｌｉｃｅ" is the same
    account as "alice". Once the limit is reached, even the right password waits.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "rate_limited": _("Too many log-in attempts. Wait a few minutes and try again."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").casefold()[:150]
        ip = ratelimit.client_ip(self.request) if self.request else "unknown"
        limits = [
            (f"login:ip:{ip}", LOGIN_ATTEMPTS * 3),
            (f"login:user:{username}", LOGIN_ATTEMPTS),
        ]
        if any(ratelimit.reached(key, limit=limit) for key, limit in limits):
            raise forms.ValidationError(self.error_messages["rate_limited"], code="rate_limited")
        try:
            return super().clean()
        except forms.ValidationError:
            for key, limit in limits:
                ratelimit.hit(key, limit=limit, window_seconds=LOGIN_WINDOW_SECONDS)
            raise
