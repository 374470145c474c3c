"""Symmetric encryption for secrets kept in the database (mailbox passwords, credentials).

Keys come from ``settings.AYUDA_ENCRYPTION_KEYS``; the first one encrypts, all of them
decrypt, so keys can be rotated.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))
        for key in settings.AYUDA_ENCRYPTION_KEYS
    ]
    return MultiFernet(keys)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
