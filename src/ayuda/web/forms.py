from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ayuda.core import ratelimit

LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_SECONDS = 15 * 60


class LoginForm(AuthenticationForm):
    """Django's log-in form with a per-address and per-account attempt limit."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "rate_limited": _("Too many log-in attempts. Wait a few minutes and try again."),
    }

    def clean(self):
        username = (self.data.get("username") or "").lower()[:150]
        ip = ratelimit.client_ip(self.request) if self.request else "unknown"
        limited = ratelimit.hit(
            f"login:ip:{ip}", limit=LOGIN_ATTEMPTS * 3, window_seconds=LOGIN_WINDOW_SECONDS
        ) | ratelimit.hit(
            f"login:user:{username}", limit=LOGIN_ATTEMPTS, window_seconds=LOGIN_WINDOW_SECONDS
        )
        if limited:
            raise forms.ValidationError(self.error_messages["rate_limited"], code="rate_limited")
        return super().clean()
