"""Settings for every environment. Values that differ per deployment come from the environment.

The embedded default (no variables set) is SQLite under ``data/`` and a Celery broker on the
local file system, so ``make run`` needs no other server.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab  # noqa: F401  (used by deployments extending the schedule)
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[4]
DATA_DIR = Path(os.environ.get("AYUDA_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # the API docs' own Swagger UI files, served locally (docs/api.md)
    "ayuda.core",
    "ayuda.accounts",
    "ayuda.devices",
    "ayuda.tickets",
    "ayuda.sla",
    "ayuda.intake",
    "ayuda.notifications",
    "ayuda.webhooks",
    "ayuda.knowledge",
    "ayuda.reports",
    "ayuda.api",
    "ayuda.web",
    "ayuda.demo",  # last: it uses every app above and no app uses it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so the static files carry the policies too (docs/security.md).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ayuda.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ayuda.core.middleware.UserPreferencesMiddleware",
    "ayuda.core.middleware.LookupsRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After messages and htmx: an htmx answer replaces the page's messages (out of band).
    "ayuda.web.middleware.HtmxMessagesMiddleware",
    # After authentication, messages and htmx: it logs out, tells why, answers htmx.
    "ayuda.accounts.middleware.SessionIdleMiddleware",
]

ROOT_URLCONF = "ayuda.config.urls"
# Plain inputs and text areas printed by Python, the other widgets by Django's templates.
FORM_RENDERER = "ayuda.core.renderers.FastRenderer"
WSGI_APPLICATION = "ayuda.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",  # csp_nonce, see docs/security.md
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ayuda.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrades in write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The only backend: Django's user name and password check under the log-in limits, so every
# way of authenticating (workspace, admin, any later view) counts failures together.
AUTHENTICATION_BACKENDS = ["ayuda.accounts.authentication.LimitedModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "src" / "ayuda" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages come from npm at install time (package.json); none is committed.
STATICFILES_DIRS = [
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }
    if os.environ.get("CACHE_URL")
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ayuda_cache",
    }
}

# Mail: Django's MAILERS, built from the environment (the variables keep the names of
# Django's former EMAIL_* settings). The embedded default writes mail to files under
# data/mail so a demo never sends anything by accident.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def mailers_from_environment(default_backend: str) -> dict:
    backend = os.environ.get("EMAIL_BACKEND", default_backend)
    options: dict = {}
    if backend == SMTP_BACKEND:
        options = {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
            "use_ssl": env_bool("EMAIL_USE_SSL"),
            "timeout": 30,
        }
    elif backend == FILE_BACKEND:
        options = {"file_path": str(DATA_DIR / "mail")}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_environment(FILE_BACKEND)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ayuda <support@ayuda.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. The embedded broker is kombu's SQLAlchemy transport on a SQLite file under data/: no
# server to run, and every put and get is a transaction, so the web and worker processes share it
# safely. (kombu's file-system transport was measured slow with acks_late and prefetch 1, reads
# message files without their lock and keeps its exchange table relative to the working
# directory.) At scale set CELERY_BROKER_URL to redis://... or amqp://...
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL", f"sqla+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
)
if CELERY_BROKER_URL.startswith("sqla+sqlite"):
    # Passed to SQLAlchemy's create_engine: wait for a busy SQLite file instead of failing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
elif CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / "broker" / "out"),
        "data_folder_out": str(DATA_DIR / "broker" / "out"),
        "processed_folder": str(DATA_DIR / "broker" / "processed"),
        "control_folder": str(DATA_DIR / "broker" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# What runs after a ticket change commits, in this order (see docs/architecture.md).
TICKET_EVENT_HANDLERS = [
    "ayuda.sla.handlers.ticket_events_sla",
    "ayuda.notifications.handlers.ticket_events_notify",
    "ayuda.webhooks.handlers.ticket_events_webhooks",
    "ayuda.notifications.handlers.ticket_events_inapp",
    # Keeps the ticket search index current (knowledge/search/index.py): one statement.
    "ayuda.knowledge.search.index.ticket_events_search",
    # Keeps the reports' per-ticket roll-up current (reports/facts.py): one statement.
    "ayuda.reports.facts.ticket_events_reports",
]

# Proxies in front of the app that append to X-Forwarded-For (a load balancer: 1). The log-in
# limits count attempts per client address; 0 takes REMOTE_ADDR as it is.
AYUDA_TRUSTED_PROXIES = int(os.environ.get("AYUDA_TRUSTED_PROXIES", "0"))

# GET /health answers everyone with its status; the details (database vendor, broker
# transport, error class names) go to signed-in help-desk staff and to these client addresses
# (comma-separated addresses or CIDR blocks, read through AYUDA_TRUSTED_PROXIES). Empty by
# default: behind a local reverse proxy every request would come from 127.0.0.1.
AYUDA_HEALTH_DETAIL_ALLOW = env_list("AYUDA_HEALTH_DETAIL_ALLOW")

# Sessions end after this long without a request (accounts/middleware.py): requesters and
# site admins after a working day (8 h: they come back to a ticket between meetings and see only
# their own); staff, who see every customer's tickets, after 30 minutes (NIST SP 800-63B's
# re-authentication after inactivity at AAL2). 0 turns the idle limit off.
AYUDA_SESSION_IDLE_SECONDS = int(os.environ.get("AYUDA_SESSION_IDLE_SECONDS", str(8 * 3600)))
AYUDA_STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("AYUDA_STAFF_SESSION_IDLE_SECONDS", "1800"))

# Log-in limits (accounts/authentication.py): failed attempts per account and per client
# address in a fixed window, shared by the workspace, the admin and the API.
AYUDA_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("AYUDA_LOGIN_FAILURES_PER_ACCOUNT", "10"))
AYUDA_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("AYUDA_LOGIN_FAILURES_PER_ADDRESS", "30"))
AYUDA_LOGIN_WINDOW_SECONDS = int(os.environ.get("AYUDA_LOGIN_WINDOW_SECONDS", "900"))

# Select-box lists (teams, sites, categories, agents) kept this long in the cache; the admin
# refreshes them on every change.
AYUDA_LOOKUP_CACHE_SECONDS = int(os.environ.get("AYUDA_LOOKUP_CACHE_SECONDS", "60"))

# Service-level calendars: each process re-reads a calendar's closing days after this long
# (its hours and holidays follow its row at once; the admin clears the cache on every save).
AYUDA_CALENDAR_CACHE_SECONDS = int(os.environ.get("AYUDA_CALENDAR_CACHE_SECONDS", "60"))

# Attachments (R24).
AYUDA_ATTACHMENT_MAX_BYTES = int(os.environ.get("AYUDA_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
AYUDA_ATTACHMENT_MAX_COUNT = int(os.environ.get("AYUDA_ATTACHMENT_MAX_COUNT", 10))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail channel (intake/email, notifications): see docs/email.md.
AYUDA_EMAIL_FROM = os.environ.get("AYUDA_EMAIL_FROM", "")  # empty: DEFAULT_FROM_EMAIL
AYUDA_EMAIL_FROM_RESOLVER = "ayuda.intake.email.addresses.ticket_from_address"
AYUDA_EMAIL_INSTANCE_ID = os.environ.get("AYUDA_EMAIL_INSTANCE_ID", "ayuda")  # X-Ayuda-Loop
AYUDA_EMAIL_POLL_SECONDS = int(os.environ.get("AYUDA_EMAIL_POLL_SECONDS", "60"))
AYUDA_EMAIL_CA_FILE = os.environ.get("AYUDA_EMAIL_CA_FILE", "")  # extra CAs for IMAP over TLS
AYUDA_EMAIL_SENDER_LIMIT = (30, 3600)  # at most 30 tickets/articles per sender per hour
# Acknowledgements to senders nobody knows, in all, per hour: over it tickets are still made but
# not acknowledged (forged senders must not make us a backscatter source).
AYUDA_ACK_UNKNOWN_PER_HOUR = int(os.environ.get("AYUDA_ACK_UNKNOWN_PER_HOUR", "200"))
AYUDA_EMAIL_TRANSIENT_TRIES = 5  # database errors on one mail before it is kept as failed
AYUDA_EMAIL_MAX_ATTEMPTS = 10  # SMTP attempts per outgoing message (back-off up to 1 h)
AYUDA_EMAIL_RETRY_BASE_SECONDS = 30
AYUDA_EMAIL_SENDING_TIMEOUT = 600  # a send stuck longer than this is tried again
AYUDA_EMAIL_ATTACH_MAX_BYTES = 10 * 1024 * 1024  # files sent along with an agent's reply
CELERY_BEAT_SCHEDULE["intake-mailboxes-poll"] = {
    "task": "ayuda.intake.tasks.mailboxes_poll",
    "schedule": AYUDA_EMAIL_POLL_SECONDS,
}
AYUDA_NOTIFICATIONS_SETTLE_SECONDS = 120  # the sweep leaves younger events to the fast path
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "ayuda.notifications.tasks.notifications_sweep",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["ratelimit-counters-purge"] = {
    "task": "ayuda.core.tasks.ratelimit_counters_purge",
    "schedule": 24 * 3600,
}
CELERY_BEAT_SCHEDULE["notifications-retry-due"] = {
    "task": "ayuda.notifications.tasks.outgoing_retry_due",
    "schedule": 30,
}

# Assigned actions (docs/knowledge.md): a reminder this many hours before an action is due.
AYUDA_ACTION_REMINDER_HOURS = int(os.environ.get("AYUDA_ACTION_REMINDER_HOURS", "24"))
CELERY_BEAT_SCHEDULE["knowledge-action-reminders"] = {
    "task": "ayuda.knowledge.tasks.action_reminders",
    "schedule": int(os.environ.get("AYUDA_ACTION_REMINDER_CHECK_SECONDS", "900")),
}
# Problems (docs/knowledge.md): a problem's update resolves or answers its linked tickets in
# background tasks of this many tickets each.
AYUDA_PROBLEM_BATCH = int(os.environ.get("AYUDA_PROBLEM_BATCH", "100"))

# Webhooks (docs/webhooks.md). Host names, addresses or CIDR blocks that webhooks may reach
# although they are internal (loopback, private, link-local...): empty, only public addresses.
AYUDA_WEBHOOK_ALLOW = env_list("AYUDA_WEBHOOK_ALLOW")
AYUDA_WEBHOOK_CA_FILE = os.environ.get("AYUDA_WEBHOOK_CA_FILE", "")  # extra CAs for receivers
AYUDA_WEBHOOK_CONNECT_TIMEOUT_SECONDS = 3
AYUDA_WEBHOOK_TIMEOUT_SECONDS = 10  # the whole request
AYUDA_WEBHOOK_RESPONSE_KEEP_BYTES = 4096  # of each answer, read and logged; the rest is not read
AYUDA_WEBHOOK_CONCURRENCY = int(os.environ.get("AYUDA_WEBHOOK_CONCURRENCY", "16"))  # per task
AYUDA_WEBHOOK_RETRY_BASE_SECONDS = 30  # first retry after 30 s, then doubling...
AYUDA_WEBHOOK_RETRY_MAX_SECONDS = 3 * 3600  # ...up to 3 h apart
AYUDA_WEBHOOK_RETRY_FOR_SECONDS = 24 * 3600  # a delivery is retried for a day
AYUDA_WEBHOOK_DISABLE_AFTER_SECONDS = 24 * 3600  # failing that long disables a subscription
AYUDA_WEBHOOK_SENDING_TIMEOUT = 120  # a send stuck longer (dead worker) is tried again
AYUDA_WEBHOOKS_SETTLE_SECONDS = 120  # the sweep leaves younger events to the fast path
# Service levels (docs/sla.md): warnings and breaches, every minute.
CELERY_BEAT_SCHEDULE["sla-check"] = {"task": "ayuda.sla.tasks.sla_check", "schedule": 60}
# Ticket reports (docs/reports.md): business minutes of the facts changed since, every minute.
CELERY_BEAT_SCHEDULE["reports-facts-business"] = {
    "task": "ayuda.reports.tasks.facts_business_refresh",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "ayuda.webhooks.tasks.webhooks_sweep",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["webhooks-retry-due"] = {
    "task": "ayuda.webhooks.tasks.webhooks_retry_due",
    "schedule": 30,
}

# Key for secrets stored in the database (mailbox passwords, customer credentials).
AYUDA_ENCRYPTION_KEYS = env_list("AYUDA_ENCRYPTION_KEYS") or [SECRET_KEY]

# Keys of the ticket history's keyed hash chain and seals (R25, docs/architecture.md): the
# first signs, all verify. Development derives it from SECRET_KEY; production requires its own.
AYUDA_HISTORY_KEYS = env_list("AYUDA_HISTORY_KEYS") or [SECRET_KEY]
AYUDA_HISTORY_SEAL_SECONDS = int(os.environ.get("AYUDA_HISTORY_SEAL_SECONDS", "3600"))
CELERY_BEAT_SCHEDULE["tickets-history-seal"] = {
    "task": "ayuda.tickets.tasks.history_seal",
    "schedule": AYUDA_HISTORY_SEAL_SECONDS,
}

# REST API (docs/api.md): calls per token (or signed-in user) a minute, then 429; how old an
# event must be before the history feed hands it out (ids may commit out of order).
AYUDA_API_RATE_PER_MINUTE = int(os.environ.get("AYUDA_API_RATE_PER_MINUTE", "600"))
AYUDA_API_FEED_SETTLE_SECONDS = int(os.environ.get("AYUDA_API_FEED_SETTLE_SECONDS", "2"))
CELERY_BEAT_SCHEDULE["api-idempotency-purge"] = {
    "task": "ayuda.api.tasks.idempotency_purge",
    "schedule": 3600,
}

# Device health (docs/devices.md): every minute, the scan rules whose interval has passed.
CELERY_BEAT_SCHEDULE["devices-scan-due"] = {
    "task": "ayuda.devices.tasks.scan_due",
    "schedule": 60,
}

# Device readings (docs/devices.md): how far in the future a reading's period may end (the
# devices' clocks drift), and the most items (heartbeats + readings) one batch may carry.
AYUDA_DEVICE_CLOCK_SKEW = int(os.environ.get("AYUDA_DEVICE_CLOCK_SKEW", "300"))
AYUDA_DEVICE_BATCH_MAX = int(os.environ.get("AYUDA_DEVICE_BATCH_MAX", "5000"))

AYUDA_BASE_URL = os.environ.get("AYUDA_BASE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response (docs/security.md): scripts and style sheets only
# from this site's own files, no inline script, handler or style attribute; an inline <script>
# or <style> that must stay carries the request's nonce ({{ csp_nonce }}; the admin uses it).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Mail HTML shows inline (cid:) images from the ticket's own attachment URLs; remote
    # images are never loaded and data: URLs are dropped by the sanitiser.
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if os.environ.get("AYUDA_CSP_REPORT_URI"):
    SECURE_CSP["report-uri"] = [os.environ["AYUDA_CSP_REPORT_URI"]]
# Browser features no page of Ayuda uses, turned off for the page and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Staffing (reports/staffing.py)
# Handling minutes per deferred contact (e-mail, portal, API, monitoring).
AYUDA_STAFFING_DEFERRED_MINUTES = float(os.environ.get("AYUDA_STAFFING_DEFERRED_MINUTES", "8"))
# Wrap-up seconds added to each answered call's talk time.
AYUDA_STAFFING_WRAP_SECONDS = int(os.environ.get("AYUDA_STAFFING_WRAP_SECONDS", "30"))
# Answered calls an hour of the week needs (over the history) for its own handling time.
AYUDA_STAFFING_AHT_MIN_CALLS = int(os.environ.get("AYUDA_STAFFING_AHT_MIN_CALLS", "30"))
# Handling seconds when there are no answered calls at all (real-time tickets only).
AYUDA_STAFFING_DEFAULT_HANDLE_SECONDS = int(
    os.environ.get("AYUDA_STAFFING_DEFAULT_HANDLE_SECONDS", "300")
)
# Seconds the staffing page keeps its hourly sums (complete weeks only: new contacts never
# change them; 0 reads the database every time).
AYUDA_STAFFING_CACHE_SECONDS = int(os.environ.get("AYUDA_STAFFING_CACHE_SECONDS", "3600"))
