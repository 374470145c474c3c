"""Production settings. Everything secret or per-site comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL, AYUDA_ENCRYPTION_KEYS
(its own key: a key derived from SECRET_KEY would make the stored mailbox passwords readable
to whoever holds SECRET_KEY, and unreadable once SECRET_KEY is rotated), AYUDA_HISTORY_KEYS
(the key of the ticket history's chain and seals; kept away from the database's
administrators, it is what makes the history tamper-evident to them).
Optional: CACHE_URL (redis://…), EMAIL_* (SMTP), AYUDA_BASE_URL, AYUDA_TRUSTED_PROXIES,
SECURE_HSTS_SECONDS, SECURE_HSTS_PRELOAD (off unless set).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SMTP_BACKEND, env_bool, mailers_from_environment

DEBUG = False
for _required in (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "AYUDA_ENCRYPTION_KEYS",
    "AYUDA_HISTORY_KEYS",
):
    if not os.environ.get(_required):
        raise ImproperlyConfigured(f"Set the {_required} environment variable.")

MAILERS = mailers_from_environment(SMTP_BACKEND)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading puts a whole registered domain and all its subdomains into the browsers' built-in
# HTTPS-only list, and removal takes months, so the administrator opts in
# (SECURE_HSTS_PRELOAD=true) when the domain is to be submitted to hstspreload.org. Without it,
# `check --deploy` warns (security.W021) about a choice made on purpose: that one warning, and
# only it, is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
