"""API tokens: issued once, kept hashed, revocable by their owner and by administrators."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ayuda.accounts.models import ApiToken, Role
from ayuda.accounts.tokens import token_check, token_create, token_revoke
from ayuda.core.errors import PermissionDeniedError, ValidationError

from .factories import user_make

pytestmark = pytest.mark.django_db


def test_a_token_longer_than_a_year_or_in_the_past_is_refused():
    user = user_make(role=Role.AGENT_L1)
    for when in (timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=400)):
        with pytest.raises(ValidationError):
            token_create(user=user, name="x", scopes=["read"], expires_at=when)
    assert not ApiToken.objects.exists()


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValidationError):
        token_create(user=user_make(role=Role.ADMIN), name="x", scopes=["root"], expires_at=None)


def test_someone_else_cannot_revoke_a_token_but_an_administrator_can():
    owner = user_make(role=Role.REQUESTER)
    issued = token_create(user=owner, name="x", scopes=["read"], expires_at=None)
    with pytest.raises(PermissionDeniedError):
        token_revoke(token=issued.token, actor=user_make(role=Role.MANAGER))
    assert token_check(value=issued.secret) is not None
    token_revoke(token=issued.token, actor=user_make(role=Role.ADMIN))
    assert token_check(value=issued.secret) is None


def test_administrators_list_and_revoke_tokens_in_the_admin(client):
    owner = user_make(role=Role.AGENT_L1)
    issued = token_create(user=owner, name="Collector", scopes=["read"], expires_at=None)
    client.force_login(user_make(role=Role.ADMIN, is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "Collector" in listing and issued.token.prefix in listing
    assert issued.secret not in listing
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [issued.token.pk]},
    )
    assert response.status_code == 302
    assert token_check(value=issued.secret) is None
