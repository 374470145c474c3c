"""Each user's API tokens (R5): create one (its secret is shown once, on this answer only),
see their list with last use, revoke. Every role may: a token acts as its user, no more."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from ayuda.accounts.models import ApiToken, TokenScope
from ayuda.accounts.tokens import scopes_allowed, token_create, token_revoke, tokens_of
from ayuda.core.errors import ValidationError

LIFETIMES = (7, 30, 90, 365)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=(),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Labelled here, in the request's language: at import time they would stay English.
        self.fields["days"].choices = [
            (d, gettext("%(days)s days") % {"days": d}) for d in LIFETIMES
        ]
        allowed = scopes_allowed(user)
        self.fields["scopes"].choices = [c for c in TokenScope.choices if c[0] in allowed]
        self.fields["scopes"].initial = [TokenScope.READ]


def _page(request, *, form, issued=None, status=200):
    context = {"form": form, "tokens": tokens_of(user=request.user), "issued": issued}
    return render(request, "web/tokens.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=form.cleaned_data["days"]),
            )
        except ValidationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            response = _page(request, form=TokenForm(user=request.user), issued=issued)
            add_never_cache_headers(response)  # the secret is on no cache's disk
            return response
    return _page(request, form=form, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, actor=request.user)
    if request.htmx:  # the list in place
        context = {"tokens": tokens_of(user=request.user)}
        return render(request, "web/tokens.html#token_list", context)
    messages.success(request, _("The token was revoked."))
    return redirect("tokens")
