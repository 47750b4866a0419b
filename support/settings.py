"""Switchboard settings: one module, driven by the environment.

With nothing set you get the embedded default (SQLite file, filesystem Celery broker, mail to the
console, files under ``var/``). ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import jinja2
from kombu import Queue

from support.env import env_bool, env_int, env_list, env_str, local_secret_key
from support.storage import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SWITCHBOARD_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Switchboard")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS") or [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "customers",
    "products",
    "tickets",
    "feedback",
    "support",  # project-level management commands (runstack)
    "kb",
    "portal",
    "integrations",
    "reports",
    "bench",  # scale tooling's management commands (seed_scale, sla_benchmark, bench_reports)
]

MIDDLEWARE = [
    "support.logs.RequestIdMiddleware",  # first: every log line of the request carries its id
    "support.prom.RequestMetricsMiddleware",  # latency and SQL per request, by view
    "django.middleware.security.SecurityMiddleware",
    "support.security.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, display safety
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "customers.middleware.PersonLanguageMiddleware",
    "support.middleware.ApiLanguageMiddleware",  # the API is English whoever asks
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "support.middleware.DomainErrorMiddleware",
]

# SQL count and time on every response, for benchmarks and development (see support/timing.py).
if env_bool("SERVER_TIMING", False):
    MIDDLEWARE.insert(0, "support.timing.ServerTimingMiddleware")

ROOT_URLCONF = "support.urls"
WSGI_APPLICATION = "support.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "support.context_processors.site",
                "accounts.context_processors.branding",
                "tickets.workspace.context_processors.workspace_nav",
            ],
        },
    },
    {
        # Hot lists (queue rows, a ticket's timeline, long option lists) are Jinja2 partials in
        # templates/jinja2/, included from the Django pages above: see support/jinja.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "support.jinja.environment",
            "extensions": ["tickets.workspace.jinja.WorkspaceExtension"],
            "autoescape": True,
            "undefined": jinja2.StrictUndefined,
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# WAL, a busy timeout and IMMEDIATE transactions let the web process and the worker both write.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:////path/to/db
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "switchboard.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            # Tests use a file too, not SQLite's in-memory database: the live server's threads
            # then each get a connection of their own, and a test can start the real processes
            # (gunicorn, worker, beat) on the very database it fills (tests/stack.py).
            "TEST": {"NAME": str(VAR_DIR / "test-switchboard.sqlite3")},
        }
    }
# A read replica for reports (support/db_router.py): only reads that opt in go there.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL and DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        ),
        # Tests read the replica through the test database itself.
        "TEST": {"MIRROR": "default"},
    }
    # Without a replica the router would only answer "default" to every query: leave it out.
    DATABASE_ROUTERS = ["support.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and broker ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open when Redis is unreachable (support/cache.py); short timeouts so an
            # outage costs a request milliseconds, not the kernel's connect timeout.
            "BACKEND": "support.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "switchboard",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # A file cache is shared by the web and worker processes, as Redis would be.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# CELERY_BROKER_URL puts the broker elsewhere (RabbitMQ, a Redis of its own) at scale.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if not CELERY_BROKER_URL.startswith("filesystem:")
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
# Beat's schedule file lives outside the broker's folder: the worker reads every file there.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# The worker logs through LOGGING (one format, the request id: support/logs.py), not its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
# Named queues, so a flood in one (inbound mail) never delays another (SLA sweeps): production
# runs a worker per queue (`celery -A support worker -Q sla`); a worker given no -Q consumes all.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [
    Queue(name) for name in ("default", "transactional", "mail", "notifications", "sla", "webhooks")
]
CELERY_TASK_ROUTES = {
    # Exact names first (the one event stream's tasks live in support/tasks.py), then areas by
    # pattern.
    "support.tasks.dispatch_events": {"queue": "notifications"},
    "support.tasks.sweep_undispatched_events": {"queue": "notifications"},
    "support.tasks.send_password_reset": {"queue": "transactional"},
    "portal.tasks.send_signin_link": {"queue": "transactional"},
    "tickets.mail.*": {"queue": "mail"},
    "tickets.sla.*": {"queue": "sla"},
    "tickets.automation.tasks.*": {"queue": "sla"},  # time-based sweeps share the SLA queue
    "integrations.*": {"queue": "webhooks"},
}
# Events whose dispatch task was lost are queued again by a beat sweep (support/events.py)
# once undispatched for this long, and given up on (logged) once older than the max age.
EVENT_DISPATCH_GRACE_SECONDS = env_int("EVENT_DISPATCH_GRACE_SECONDS", 300)
EVENT_DISPATCH_MAX_AGE_HOURS = env_int("EVENT_DISPATCH_MAX_AGE_HOURS", 48)
CELERY_BEAT_SCHEDULE = {
    "sweep-outbound-email": {"task": "tickets.mail.tasks.sweep_outbound_email", "schedule": 60.0},
    "poll-imap-mailboxes": {
        "task": "tickets.mail.tasks.poll_imap",
        "schedule": float(env_int("IMAP_POLL_SECONDS", 60)),
    },
    "sweep-inbound-email": {"task": "tickets.mail.tasks.sweep_inbound_email", "schedule": 300.0},
    "sweep-sla": {
        "task": "tickets.sla.tasks.sweep_sla",
        "schedule": float(env_int("SLA_SWEEP_SECONDS", 60)),
    },
    "sweep-webhook-deliveries": {
        "task": "integrations.tasks.sweep_webhook_deliveries",
        "schedule": 60.0,
    },
    "feedback-send-due-csat": {
        "task": "feedback.tasks.send_due_csat_surveys",
        "schedule": float(env_int("CSAT_SWEEP_SECONDS", 60)),
    },
    "portal-cleanup": {"task": "portal.tasks.portal_cleanup", "schedule": 60.0 * 60},
    "sweep-undispatched-events": {
        "task": "support.tasks.sweep_undispatched_events",
        "schedule": 60.0,
    },
    "sweep-assignment": {
        "task": "tickets.assignment.tasks.sweep_assignment",
        "schedule": float(env_int("ASSIGNMENT_SWEEP_SECONDS", 60)),
    },
    # Time-based automations (tickets/automation/sweep.py).
    "sweep-automations": {
        "task": "tickets.automation.tasks.sweep_automations",
        "schedule": float(env_int("AUTOMATION_SWEEP_SECONDS", 60)),
    },
    "purge-automation-runs": {
        "task": "tickets.automation.tasks.purge_automation_runs",
        "schedule": 3600.0,
    },
    "purge-idempotency-keys": {"task": "accounts.tasks.purge_idempotency_keys", "schedule": 3600.0},
}
# Automation runs (once-per-period markers) older than this are purged once their period can't
# come back (tickets/automation/purge.py).
AUTOMATION_RUN_KEEP_DAYS = env_int("AUTOMATION_RUN_KEEP_DAYS", 7)
# Between full passes the automation sweep reads only what can have come to match since its last
# pass; a full pass runs at least this often (tickets/automation/sweep.py).
AUTOMATION_FULL_SWEEP_SECONDS = env_int("AUTOMATION_FULL_SWEEP_SECONDS", 3600)
# An agent online with no heartbeat from an open workspace page for this long is set away
# (tickets/assignment/presence.py); the page sends one every AGENT_HEARTBEAT_SECONDS.
AGENT_AWAY_AFTER_SECONDS = env_int("AGENT_AWAY_AFTER_SECONDS", 300)
AGENT_HEARTBEAT_SECONDS = env_int("AGENT_HEARTBEAT_SECONDS", 60)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# Sessions are read from the cache (Redis, or the shared file cache) and written through to the
# database: one query fewer on every signed-in request, nothing lost if the cache is flushed.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Mail -----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Switchboard Support <support@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Mail channel (docs/email.md) -----------------------------------------------------------
# Shared secret for POST /inbound/email/ (header X-Switchboard-Secret); empty disables it.
INBOUND_EMAIL_SECRET = env_str("INBOUND_EMAIL_SECRET")
INBOUND_EMAIL_MAX_BYTES = env_int("INBOUND_EMAIL_MAX_BYTES", 40 * 1024 * 1024)
# More addresses that are ours besides DEFAULT_FROM_EMAIL, SERVER_EMAIL and team addresses.
MAIL_OWN_ADDRESSES = env_list("MAIL_OWN_ADDRESSES")
# Under every outgoing mail unless Branding (in the app) sets another: an address, a legal line.
MAIL_FOOTER = env_str("MAIL_FOOTER", "")
# authserv-ids of our receiving servers: only their Authentication-Results are believed.
MAIL_TRUSTED_AUTHSERV_IDS = env_list("MAIL_TRUSTED_AUTHSERV_IDS")
# Mail on a ticket from someone not part of it: "review" (public message flagged for review)
# or "new_ticket".
MAIL_UNKNOWN_SENDER = env_str("MAIL_UNKNOWN_SENDER", "review")
MAIL_AUTOREPLY_PER_SENDER_PER_HOUR = env_int("MAIL_AUTOREPLY_PER_SENDER_PER_HOUR", 5)
MAIL_HISTORY_MESSAGES = env_int("MAIL_HISTORY_MESSAGES", 3)
NOTIFY_NEW_TICKET = env_bool("NOTIFY_NEW_TICKET", True)
NOTIFY_CUSTOMER_REPLY = env_bool("NOTIFY_CUSTOMER_REPLY", True)
NOTIFY_ASSIGNMENT = env_bool("NOTIFY_ASSIGNMENT", True)
NOTIFY_MENTION = env_bool("NOTIFY_MENTION", True)
# IMAP mailboxes polled by beat are read from the environment when polling (IMAP_HOST, …,
# IMAP_MAILBOXES=name,… with IMAP_<NAME>_HOST, …): see tickets/mail/imap.py and docs/email.md.

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "media/"
# Attachments: local disk, or S3-compatible object storage when STORAGE_URL says s3://…
STORAGE_URL = env_str("STORAGE_URL")
STORAGES = {
    "default": storage_from_url(STORAGE_URL),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The portal, help center and customer mail (docs/knowledge-base.md, "Languages"). A third
# language: add it here, then `manage.py messages update`, translate its .po, `messages compile`.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Product rules --------------------------------------------------------------------------
# Agents see their teams' tickets and those assigned to them, unless this is on.
AGENTS_SEE_ALL_TICKETS = env_bool("AGENTS_SEE_ALL_TICKETS", False)

# --- Customer portal (docs/portal.md) --------------------------------------------------------
PORTAL_SITE_NAME = env_str("PORTAL_SITE_NAME") or SITE_NAME
PORTAL_LOGO_URL = env_str("PORTAL_LOGO_URL")
# A CSS hex colour (#3b5bdb); anything else falls back to the default brand colour.
PORTAL_BRAND_COLOR = env_str("PORTAL_BRAND_COLOR", "#3b5bdb")
# Product areas a customer may pick, "slug:Label" pairs; stored on the ticket as tag "area:<slug>".
PORTAL_CATEGORIES = env_list(
    "PORTAL_CATEGORIES", "billing:Billing,account:Account and sign-in,bug:Something is broken"
)
PORTAL_ALLOW_PRIORITY = env_bool("PORTAL_ALLOW_PRIORITY", False)
PORTAL_LINK_MAX_AGE = env_int("PORTAL_LINK_MAX_AGE", 15 * 60)
PORTAL_REOPEN_DAYS = env_int("PORTAL_REOPEN_DAYS", 14)
PORTAL_MAX_ATTACHMENTS = env_int("PORTAL_MAX_ATTACHMENTS", 5)
# Rate limits: "<count>/<seconds>" for a fixed window, counted in the cache.
PORTAL_SIGNIN_RATE_PER_EMAIL = env_str("PORTAL_SIGNIN_RATE_PER_EMAIL", "5/3600")
PORTAL_SIGNIN_RATE_PER_IP = env_str("PORTAL_SIGNIN_RATE_PER_IP", "20/3600")
# Password-reset mails for agents (support/auth_views.py): per address asked for, per client.
PASSWORD_RESET_RATE_PER_EMAIL = env_str("PASSWORD_RESET_RATE_PER_EMAIL", "3/3600")
PASSWORD_RESET_RATE_PER_IP = env_str("PASSWORD_RESET_RATE_PER_IP", "20/3600")
PORTAL_SUBMIT_RATE_PER_IP = env_str("PORTAL_SUBMIT_RATE_PER_IP", "10/3600")
# The request form's article suggestions (typing, debounced): per address per minute.
KB_SUGGEST_RATE_PER_MINUTE = env_int("KB_SUGGEST_RATE_PER_MINUTE", 60)
# CSAT: how long after a ticket is solved the survey goes out, and how long its links work.
CSAT_DELAY_MINUTES = env_int("CSAT_DELAY_MINUTES", 60)
CSAT_LINK_MAX_AGE_DAYS = env_int("CSAT_LINK_MAX_AGE_DAYS", 14)
# Reports: how long a computed dashboard is reused for the same filter (0 = always recompute).
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 300)
# Connections one report reads on at once (PostgreSQL; they share one snapshot): its two lanes
# of queries, tickets and dated rows, run side by side (reports/session.py).
REPORTS_CONNECTIONS = env_int("REPORTS_CONNECTIONS", 2)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        # The pages' own calls; DRF enforces CSRF for session-authenticated writes.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["support.api.permissions.ApiPermission"],
    "DEFAULT_FILTER_BACKENDS": ["support.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "support.api.pagination.StableCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["support.api.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only; the two endpoints that take files add multipart (tickets/api.py).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "support.api.errors.exception_handler",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Tests send JSON unless they say multipart (only the endpoints that take files accept it).
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Requests per minute: per token (or signed-in user), and per IP address for anonymous calls.
API_RATE_LIMIT_USER = env_int("API_RATE_LIMIT_USER", 600)
API_RATE_LIMIT_ANON = env_int("API_RATE_LIMIT_ANON", 60)
# Unknown API tokens per client address a minute; past it the address gets 429 for a minute,
# whatever token it sends (accounts/throttle.py).
API_TOKEN_FAILURES_PER_MINUTE = env_int("API_TOKEN_FAILURES_PER_MINUTE", 20)
# A whole API request body (JSON or multipart with files); bigger is refused with 413.
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 25 * 1024 * 1024)
# How long a stored Idempotency-Key response is replayed.
API_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24)
# Where Idempotency-Key answers are stored (support.api.idempotency): per user, with the users.
API_IDEMPOTENCY_STORE = "accounts.idempotency"
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": "Tickets, conversations, customers and webhooks. Quick start: docs/api.md.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TicketTypeEnum": "tickets.models.TicketType",
        "ChannelEnum": "tickets.models.Channel",
        "PriorityEnum": "tickets.models.Priority",
        "AuthorTypeEnum": [("agent", "agent"), ("customer", "customer"), ("system", "system")],
        "TicketStatusEnum": "tickets.models.Status",
        "DeliveryStatusEnum": "integrations.models.DeliveryStatus",
        "WebhookEventTypeEnum": "integrations.models.WebhookEventType",
        "FeedbackItemKindEnum": "feedback.models.ItemKind",
        "FeedbackItemStatusEnum": "feedback.models.ItemStatus",
        "MessageKindEnum": "tickets.models.MessageKind",
        "VersionStatusEnum": "products.models.VersionStatus",
        "TicketFieldKindEnum": "tickets.fields.models.FieldKind",
        "LanguageEnum": "kb.models.Language",
        "TranslationLanguageEnum": [("de", "German"), ("es", "Spanish")],
        "MacroStatusEnum": "tickets.macros.api.MACRO_STATUS_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "support.api.schema.schema_add_error_responses",
        "support.api.schema.schema_relax_optional_fields",
        "support.api.schema.schema_closed_request_bodies",
        "support.api.schema.schema_runtime_properties",
        "support.api.schema.schema_exact_constraints",
        "support.api.schema.schema_customer_request_bodies",
    ],
}

# --- Webhooks -------------------------------------------------------------------------------
# Outbound webhook requests refuse private, loopback and link-local addresses (SSRF); local
# development and the tests turn loopback on.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# Failed attempts in a row (no success between) after which a subscription is disabled.
WEBHOOKS_DISABLE_AFTER_FAILURES = env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 30)

# --- Security -------------------------------------------------------------------------------
# Served over HTTPS (SITE_URL says so): secure cookies, HSTS and redirect, as check --deploy asks.
HTTPS = urlsplit(SITE_URL).scheme == "https"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "support.api.errors.api_csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# /metrics (support/metrics.py): a bearer token, and/or the addresses that may scrape it.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Optional error tracking (support/errortracking.py): on when a DSN is set, personal data scrubbed.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from support.errortracking import init as _sentry_init

    _sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SWITCHBOARD_VERSION"),
        traces_sample_rate=env_int("SENTRY_TRACES_PERCENT", 0) / 100,
    )
# prometheus-client's multiprocess mode (support/prom.py): every web and worker process on the
# host writes its samples here. Set before the library is first imported, which is when it
# chooses where samples live; "off" keeps them in each process (one process only).
if os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus")) == "off":
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]
else:
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1/32,::1/128")
# More origins images may come from (support/security.py adds the S3 endpoint by itself).
CSP_EXTRA_IMG_SRC = env_list("CSP_EXTRA_IMG_SRC")

# LOG_FORMAT=json: one JSON object per line (support/logs.py); every line has the request id.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "support.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "support.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Email is unique without regard to case through a functional constraint (Lower("email")), which
# this check can't see. The report indexes' INCLUDE columns (index-only scans on PostgreSQL) are
# ignored on SQLite, where a plain index on the key serves the small data set: no need to warn.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "models.W040"]
