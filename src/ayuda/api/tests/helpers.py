"""Test helpers: a token for a user, and calls with it."""

import json

from django.test import Client

from ayuda.accounts.models import User
from ayuda.accounts.tokens import scopes_allowed, token_create

BASE = "/api/v1"


def token_for(user: User, *, scopes=None, expires_at=None) -> str:
    return token_create(
        user=user,
        name="test",
        scopes=list(scopes) if scopes else scopes_allowed(user),
        expires_at=expires_at,
    ).secret


class Api:
    """Calls the API as ``user`` with a fresh token (or the given one)."""

    def __init__(self, user: User | None = None, *, token: str | None = None, **token_kwargs):
        self.client = Client()
        self.user = user
        self.token = token or (token_for(user, **token_kwargs) if user else None)

    def _headers(self, headers: dict | None) -> dict:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path: str, params=None, headers=None):
        return self.client.get(BASE + path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body=None, headers=None):
        return self.client.post(
            BASE + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def put(self, path: str, body=None, headers=None):
        return self.client.put(
            BASE + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def upload(self, path: str, data: dict, headers=None):
        return self.client.post(BASE + path, data, headers=self._headers(headers))


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"https://ayuda.dev/problems/{kind}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], list)
    return body
