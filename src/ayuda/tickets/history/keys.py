"""The history keys (``settings.AYUDA_HISTORY_KEYS``): the first signs, all verify.

Each key is known by a short id, the first 8 hex digits of its SHA-256, stored beside what it
signed, so a rotated-out key is still found while it is listed. What is HMAC'd uses a key
derived from the configured one (domain-separated), so even the development default (derived
from ``SECRET_KEY``) never signs with ``SECRET_KEY`` itself.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


class UnknownKeyError(LookupError):
    """Something was signed with a key that is not (or no longer) configured."""


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    if not keys:
        raise UnknownKeyError("AYUDA_HISTORY_KEYS is empty.")
    ring = {
        key_id(key): hashlib.sha256(b"ayuda.history\x00" + key.encode()).digest() for key in keys
    }
    return key_id(keys[0]), ring


def signing_key() -> tuple[str, bytes]:
    """The id and secret of the key that signs new events and seals."""
    current, ring = _keyring(tuple(settings.AYUDA_HISTORY_KEYS))
    return current, ring[current]


def verifying_key(kid: str) -> bytes:
    _current, ring = _keyring(tuple(settings.AYUDA_HISTORY_KEYS))
    try:
        return ring[kid]
    except KeyError:
        raise UnknownKeyError(kid) from None


def mac(secret: bytes, payload: str) -> str:
    return hmac.digest(secret, payload.encode(), "sha256").hex()
