"""The caller's own API tokens: list and revoke (they are created in the workspace, where the
secret is shown once)."""

from datetime import datetime

from ninja import Router, Schema

from ayuda.accounts.models import ApiToken
from ayuda.accounts.tokens import token_revoke, tokens_of

from .problems import ERRORS, WRITE_ERRORS
from .schemas import PathId

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@router.get(
    "", response={200: list[TokenOut], **ERRORS}, url_name="token_list", summary="My API tokens"
)
def token_list(request):
    return list(tokens_of(user=request.auth)[:200])


@router.post(
    "/{token_id}/revoke",
    response={200: TokenOut, **WRITE_ERRORS},
    url_name="token_revoke",
    summary="Revoke one of my tokens",
)
def token_revoke_op(request, token_id: PathId):
    token = ApiToken.objects.get(pk=token_id, user=request.auth)
    return token_revoke(token=token, actor=request.auth)
