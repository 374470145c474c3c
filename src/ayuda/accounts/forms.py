"""Log-in forms: the workspace's and the admin's share the limiter's refusal message."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .authentication import account_key, authentication_locked


class LimitedLoginMixin:
    """Says plainly that the limits refuse this attempt, instead of "wrong password".

    The refusal itself happens in the authentication backend (``LimitedModelBackend``), so a
    form without this mixin is refused too, only with the generic message."""

    rate_limited_message = _("Too many log-in attempts. Wait a few minutes and try again.")

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and authentication_locked(request=self.request, account=account_key(username)):
            raise forms.ValidationError(self.rate_limited_message, code="rate_limited")
        return super().clean()


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    """The workspace's and the portal's log-in (``/login/``)."""


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    """The admin's log-in (``/admin/login/``): staff accounts only, same limits."""
