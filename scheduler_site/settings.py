"""Settings: wiring only. Every value comes from the environment (see README.md,
"Configuration"); unset variables give the embedded default: SQLite, the filesystem
Celery transport and email files, all under var/."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from kombu import Exchange, Queue

from scheduler_site import environment as env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SCHEDULER_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
ENV = os.environ

DEBUG = env.env_bool(ENV, "DEBUG", False)
SECRET_KEY = env.secret_key(ENV, "SECRET_KEY", VAR_DIR / "secret_key")
# Seals connected calendars' passwords and feed addresses (pages/sync/sealing.py).
SCHEDULER_ENCRYPTION_KEYS = env.encryption_keys(
    ENV, "SCHEDULER_ENCRYPTION_KEY", VAR_DIR / "encryption_key"
)
SITE_URL = env.site_url(ENV, "SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env.env_list(ENV, "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if (site_host := urlsplit(SITE_URL).hostname) and site_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(site_host)
CSRF_TRUSTED_ORIGINS = [SITE_URL]
# Reverse proxies in front of the web tier that append to X-Forwarded-For: the per-IP
# rate limits read the guest's address that many hops back, and X-Forwarded-Proto is
# trusted only when there is at least one.
SCHEDULER_TRUSTED_PROXY_HOPS = env.env_int(ENV, "SCHEDULER_TRUSTED_PROXY_HOPS", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "corsheaders",
    "pages",
    "bookings",
]

MIDDLEWARE = [
    # First, so that preflights and error answers from later middleware carry the headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pages.admin_times.AdminTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the two framing policies: lets an embed's allowed origins frame it.
    "pages.embeds.EmbedFramingMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it is the first to see a view's exception: a database out of reach is a
    # 503 with Retry-After (a page, or the API dialect's envelope), not the 500 page.
    "pages.api.outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "scheduler_site.urls"
WSGI_APPLICATION = "scheduler_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.database(ENV, "DATABASE_URL", VAR_DIR / "scheduler.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The same as bookings.languages.LANGUAGES (Chinese is Simplified Chinese, "zh-hans").
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("nl", "Nederlands"),
    ("sv", "Svenska"),
    ("ja", "日本語"),
    ("zh-hans", "中文"),
    ("ko", "한국어"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the source folders so `make run` needs no collectstatic step;
# production runs collectstatic (README) and WhiteNoise serves STATIC_ROOT.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it into the x-csrftoken header
CSRF_FAILURE_VIEW = "bookings.views.csrf.csrf_failure"  # "this form has expired", translated
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS (README, "Security"): an https SITE_URL turns on secure cookies, HSTS and the
# redirect of plain-http requests; the embedded default (http://127.0.0.1) gets none of
# them, so `make run` keeps working over plain http.
SITE_IS_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SITE_IS_HTTPS
SECURE_HSTS_SECONDS = env.env_int(
    ENV, "SCHEDULER_HSTS_SECONDS", 365 * 24 * 3600 if SITE_IS_HTTPS else 0
)
# HSTS applies to the subdomains of the site's own host (cal.example.com), not its parent.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# "preload" consents to the browsers' built-in list for the whole registrable domain: the
# operator's decision, so off unless asked for, and Django's reminder of it is silenced.
SECURE_HSTS_PRELOAD = env.env_bool(ENV, "SCHEDULER_HSTS_PRELOAD", False)
# Off behind a proxy that redirects by itself.
SECURE_SSL_REDIRECT = env.env_bool(ENV, "SCHEDULER_SSL_REDIRECT", SITE_IS_HTTPS)
# Load balancers probe the web processes directly, over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# X-Forwarded-Proto says a request came in over https only when a proxy we trust set it;
# without one, any client could send the header.
if SCHEDULER_TRUSTED_PROXY_HOPS > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy on every response (django-csp). Scripts come from our own
# origin only: an inline script runs only with the request's nonce
# ({{ request.csp_nonce }}), so a script that slipped into a page is not run. Styles
# may be inline (the accent color, the admin's style attributes). Logos are images from
# anywhere on https (and http while the site is). No page may be framed, except an
# embed rendered for an origin its configuration allows (pages/embeds.py), which names
# exactly those origins in frame-ancestors.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:", *(["http:"] if SITE_URL.startswith("http:") else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Email
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "Scheduler <scheduler@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(env.email(ENV, "EMAIL_URL", VAR_DIR / "mail"))

# Celery (the app is scheduler_site.celery; names below are read with namespace CELERY)
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = env.celery_broker(
    ENV, ("CELERY_BROKER_URL", "REDIS_URL"), VAR_DIR / "celery"
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task a worker dies in is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith("filesystem"):
    # The filesystem transport has no broadcast exchange for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# Notifications (bookings/notifications): the beat sweep sends outbox rows that are due
# or whose retry time has come; a claimed row whose worker died (or lost its database
# before marking the row) is taken over once its lease ends. The worker renews the lease
# while it sends, so the lease can be short: it bounds how long such a row waits.
SCHEDULER_OUTBOX_SWEEP_SECONDS = env.env_int(ENV, "SCHEDULER_OUTBOX_SWEEP_SECONDS", 10, minimum=1)
SCHEDULER_OUTBOX_LEASE_SECONDS = env.env_int(ENV, "SCHEDULER_OUTBOX_LEASE_SECONDS", 30, minimum=3)
SCHEDULER_WEBHOOK_TIMEOUT_SECONDS = env.env_int(
    ENV, "SCHEDULER_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1
)
# Connected calendars (pages/sync/): how often the beat sweep syncs each calendar; the
# iCloud CalDAV server's address (a test points it at a local server).
SCHEDULER_SYNC_SECONDS = env.env_int(ENV, "SCHEDULER_SYNC_SECONDS", 300, minimum=10)
SCHEDULER_ICLOUD_URL = env.site_url(ENV, "SCHEDULER_ICLOUD_URL", "https://caldav.icloud.com")
# A new webhook subscription's URL is verified as the hosted service does: a GET with a
# random ``challenge`` query parameter that must be echoed as the body within the time
# given. Off only where subscriptions are made before their receivers run.
SCHEDULER_WEBHOOK_VERIFY = env.env_bool(ENV, "SCHEDULER_WEBHOOK_VERIFY", True)
SCHEDULER_WEBHOOK_VERIFY_TIMEOUT_SECONDS = env.env_int(
    ENV, "SCHEDULER_WEBHOOK_VERIFY_TIMEOUT_SECONDS", 10, minimum=1
)
# Private networks and names webhooks, CalDAV servers and feeds may reach.
SCHEDULER_PRIVATE_DESTINATIONS = env.private_destinations(ENV, "SCHEDULER_PRIVATE_DESTINATIONS")
# Celery queues: emails, webhooks and connected calendars (sync passes, write-backs and
# their sweeps) each have their own, so a slow mail server cannot hold webhooks back,
# nor a slow CalDAV server either of them; the outbox sweep and housekeeping go to
# SCHEDULER_NOTIFICATIONS_QUEUE. A deployment that set SCHEDULER_NOTIFICATIONS_QUEUE
# before the split (when it named the queue of every send) keeps it for all of them
# unless it names the new queues too, so no message lands on a queue its workers do not
# read.
SCHEDULER_NOTIFICATIONS_QUEUE = ENV.get("SCHEDULER_NOTIFICATIONS_QUEUE", "celery")
SCHEDULER_EMAIL_QUEUE = ENV.get(
    "SCHEDULER_EMAIL_QUEUE", ENV.get("SCHEDULER_NOTIFICATIONS_QUEUE", "notifications.email")
)
SCHEDULER_WEBHOOK_QUEUE = ENV.get(
    "SCHEDULER_WEBHOOK_QUEUE", ENV.get("SCHEDULER_NOTIFICATIONS_QUEUE", "notifications.webhook")
)
SCHEDULER_CALENDARS_QUEUE = ENV.get(
    "SCHEDULER_CALENDARS_QUEUE", ENV.get("SCHEDULER_NOTIFICATIONS_QUEUE", "calendars")
)
# A worker started without -Q reads every one of these; `-Q notifications.webhook` gives
# webhooks workers of their own (README, "Running at scale").
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)  # as Celery would make it
    for name in dict.fromkeys(
        [
            "celery",
            SCHEDULER_NOTIFICATIONS_QUEUE,
            SCHEDULER_EMAIL_QUEUE,
            SCHEDULER_WEBHOOK_QUEUE,
            SCHEDULER_CALENDARS_QUEUE,
        ]
    )
]
CELERY_BEAT_SCHEDULE = {
    "send-due-outbox-messages": {
        "task": "bookings.sweep_outbox",
        "schedule": float(SCHEDULER_OUTBOX_SWEEP_SECONDS),
        # A sweep that waited longer than the interval is stale: the next one replaces it.
        "options": {
            "queue": SCHEDULER_NOTIFICATIONS_QUEUE,
            "expires": float(SCHEDULER_OUTBOX_SWEEP_SECONDS),
        },
    },
    # The calendar sweeps are on the calendars queue: a worker given only that queue
    # does all the calendar work, and its backlog delays no email sweep.
    "write-bookings-to-calendars": {
        "task": "pages.sweep_calendar_writes",
        "schedule": float(SCHEDULER_OUTBOX_SWEEP_SECONDS),
        "options": {
            "queue": SCHEDULER_CALENDARS_QUEUE,
            "expires": float(SCHEDULER_OUTBOX_SWEEP_SECONDS),
        },
    },
    "sync-connected-calendars": {
        "task": "pages.sync_due_calendars",
        "schedule": float(min(SCHEDULER_SYNC_SECONDS, 60)),
        "options": {"queue": SCHEDULER_CALENDARS_QUEUE, "expires": 60.0},
    },
    # Idempotency keys answer for 24 hours; older rows are only dead weight.
    "forget-expired-idempotency-keys": {
        "task": "bookings.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"queue": SCHEDULER_NOTIFICATIONS_QUEUE, "expires": 3600.0},
    },
}

# REST API
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pages.api.parsing.JSONBodyParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "pages.api.parsing.JSONOrPlainNegotiation",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "pages.api.errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["pages.api.auth.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Scheduler API",
    "DESCRIPTION": "A self-hosted scheduler compatible with the Nylas Scheduler API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pages.api.openapi.document_unsupported_media_type",
        "pages.api.openapi.close_objects",
        "pages.api.openapi.require_bodies",
        "pages.api.openapi.add_time_zones",
        "scheduler_site.openapi_links.add_links",
        "pages.api.openapi.document_database_outage",
        "pages.api.access.document_grant_path",
    ],
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package, served as static
    # files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several objects have a "status" with their own values; name each set.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": ["booked", "pending", "cancelled"],
        "NewBookingStatusEnum": ["booked", "pending"],
        "BookingDecisionStatusEnum": ["confirmed", "cancelled"],
        "EventStatusEnum": ["confirmed", "tentative", "cancelled"],
        # Webhook subscriptions, test events and mock payloads share one list.
        "TriggerTypeEnum": "bookings.models.webhooks.TRIGGER_TYPES",
    },
}

# Secrets stay out of logs (scheduler_site/redaction.py): every record is redacted when it
# is made, whatever its logger (gunicorn's and Celery's included, whose handlers are left
# as they set them), and every handler and logger below carries the filter as well, which
# also redacts the request Django attaches to its records. "django" and "django.server"
# are named so that Django's own default handlers are replaced by these.
LOGGING_CONFIG = "scheduler_site.redaction.configure_logging"
REDACTED = {"filters": ["redact_secrets"]}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "scheduler_site.redaction.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", **REDACTED},
        "server": {"class": "logging.StreamHandler", "formatter": "server", **REDACTED},
    },
    "root": {
        "handlers": ["console"],
        "level": ENV.get("LOG_LEVEL", "INFO").upper(),
        **REDACTED,
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True, **REDACTED},
        "django.request": {**REDACTED},
        "django.security": {**REDACTED},
        "django.security.csrf": {**REDACTED},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False, **REDACTED},
        "django.db.backends": {"level": "WARNING", **REDACTED},
    },
}

# Product settings
SCHEDULER_CONFIRM_LINK_MAX_AGE = timedelta(days=7)
# Sites that may send a page's edit token straight into the Schedule Editor (the page
# owners' apps). From any other site the editor first asks the person to confirm.
SCHEDULER_EDITOR_ORIGINS = env.env_origins(ENV, "SCHEDULER_EDITOR_ORIGINS")
# Sites that may embed every booking page and Schedule Editor in a frame (/embed.js), on
# top of the origins each configuration lists (appearance "embed_origins").
SCHEDULER_EMBED_ORIGINS = env.env_origins(ENV, "SCHEDULER_EMBED_ORIGINS")
# CORS (django-cors-headers) for the scheduling routes a guest's browser calls: the
# Scheduling web component (@nylas/web-elements) on the customer's own site. Only these
# routes: the organizer's routes (configurations, grants, webhooks) are server-to-server
# and answer no browser from another origin. No cookies: these routes take a bearer
# session or nothing, so credentials are never allowed.
SCHEDULER_CORS_ORIGINS = env.env_origins(ENV, "SCHEDULER_CORS_ORIGINS")
CORS_URLS_REGEX = r"^/v3/scheduling/(availability|bookings|sessions|ui-settings)(/[^/]*)?$"
CORS_ALLOW_ALL_ORIGINS = not SCHEDULER_CORS_ORIGINS
CORS_ALLOWED_ORIGINS = SCHEDULER_CORS_ORIGINS
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    # Sent by the web component on every call.
    "x-source",
    "x-nylas-web-elements-version",
    "x-nylas-application-public-id",
]
CORS_EXPOSE_HEADERS = ["retry-after"]
# The Jitsi Meet server where a configuration with conferencing autocreate "Jitsi Meet"
# gets a new room per booking (pages/conferencing.py).
SCHEDULER_JITSI_URL = env.web_base(ENV, "SCHEDULER_JITSI_URL", "https://meet.jit.si")
# Test-only switch for the control run of the double-booking race test: never set it.
SCHEDULER_DISABLE_BOOKING_LOCKS = False
