"""Stationmaster settings: one module, read from the environment.

Unset DATABASE_URL / REDIS_URL give the embedded quick start: a SQLite file and Celery
tasks run in-process. Bad values fail loudly at start-up rather than at first use.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def _required_when(condition: bool, name: str, when: str = "DEBUG is off") -> str:
    value = env.str(name, default="")
    if condition and not value:
        raise ImproperlyConfigured(f"{name} must be set when {when}")
    return value


DEBUG = env_bool("DEBUG", True)
# The benchmark's yardstick page (bench/urls.py) is mounted only when the benchmark asks.
BENCHMARK = env_bool("BENCHMARK", False)
SECRET_KEY = _required_when(not DEBUG, "SECRET_KEY") or "dev-only-insecure-key-do-not-deploy"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portfolio",
    "portfolio.core",
    "programmes",
    "projects",
    "portfolio.health",
    "portfolio.dashboards",
    "portfolio.timeline",
    "portfolio.calendars",
    "portfolio.audit",
    "portfolio.imports",
    "portfolio.boardpacks",
    "portfolio.accounts",
    "portfolio.demo",
    "portfolio.notifications",
    "portfolio.scenarios",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "portfolio.core.http.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portfolio.core.resilience.RetryReadsOnLostConnection",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A signed-in session that still owes its MFA step reaches that step's page only.
    "portfolio.accounts.middleware.MfaGateMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the lockout any authentication attempt below it flagged.
    "axes.middleware.AxesMiddleware",
    # Last, so it sees a view's exception first: the app's refusals get the friendly pages.
    "portfolio.core.errors.FriendlyErrorsMiddleware",
]
if BENCHMARK:
    # Outermost, so every page cache lookup of a request is in its X-Page-Cache header.
    MIDDLEWARE.insert(0, "bench.middleware.PageCacheHeader")

ROOT_URLCONF = "portfolio.urls"
WSGI_APPLICATION = "portfolio.wsgi.application"

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
                "programmes.context_processors.navigation",
            ],
        },
    },
]

# Database: PostgreSQL in production and tests; a SQLite file for the quick start.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'stationmaster.sqlite3'}")
}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("DATABASE_URL is set but names no known database scheme")
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
# A kept connection is checked before each request reuses it, and a new one is retried
# while the server restarts (portfolio.core.postgresql), so a restart costs time, not
# failed requests.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_CONNECT_RETRY_SECONDS = env_int("DATABASE_CONNECT_RETRY_SECONDS", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "portfolio.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock up front instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// URL, got {REDIS_URL!r}")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that accepts TCP but never answers would otherwise hang .delay() for minutes.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 0,
    # A job taken by a worker group that died is delivered again after this many seconds
    # (Redis's default is an hour). It must outlast the longest job and the longest
    # countdown (the full roll-up of the L bench takes about 1 s; countdowns are ≤ 1 s).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 45),
    # Look for such jobs every 10 s (kombu's default scans every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Periodic jobs (run by the single `celery beat` process of docker-compose.yml).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Imports left pending while the broker was down are sent again.
    "resend-pending-imports": {"task": "imports.resend_pending", "schedule": 60.0},
    # Health: catch up on recomputations the broker missed; nightly full run; weekly snapshot.
    "sweep-health-requests": {"task": "health.sweep_requests", "schedule": 30.0},
    "recompute-all-health": {
        "task": "health.recompute_all",
        "schedule": crontab(hour=2, minute=15),
    },
    "weekly-health-snapshot": {
        "task": "health.recompute_all",
        "schedule": crontab(hour=3, minute=0, day_of_week="mon"),
        "kwargs": {"weekly": True},
    },
    # Due-day reminders and overdue chases; each is sent once, so hourly reruns are harmless.
    "send-reporting-reminders": {
        "task": "projects.send_reporting_reminders",
        "schedule": 3600.0,
    },
    # Notices: emails whose task never reached the broker; the daily digest (each once).
    "send-pending-notice-emails": {
        "task": "notifications.send_pending_emails",
        "schedule": 300.0,
    },
    "send-notice-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=17, minute=0),
    },
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis outage slows no page by more than this: pages render uncached.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Rendered bodies and fragments live at most this long (0: off); a write to what they show
# retires them sooner (portfolio.core.pagecache); writes outside the ORM show within it.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Sessions live in the database so logins survive a Redis outage.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Throttling and lockout (django-axes, attempts kept in the database): after
# LOGIN_FAILURE_LIMIT failed sign-ins for one username, or from one address, further
# attempts are refused for LOGIN_COOLOFF_MINUTES, counted from the last failure; PMO can
# unlock sooner (Accounts > Locked out). Covers the login page and the admin login.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portfolio.accounts.backends.AccountBackend",
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1")
# Proxies in front of the site that append to X-Forwarded-For (0: none, use the peer address).
# Too high a number lets a client choose its own address, and with it dodge the lockout.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Not reset by a success: axes would clear every failure from the address, so an attacker
# with an account of their own could sign into it between guesses at someone else's.
AXES_RESET_ON_SUCCESS = False
# Sign-ins are recorded as authentication events (portfolio.accounts); no second log.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "portfolio.core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "portfolio.accounts.lockout.lockout_response"
# Other throttles, per address and per account, in the same spirit (portfolio.accounts.lockout):
# password reset requests, API token creation, and API calls with a bad token.
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
API_TOKEN_CREATE_LIMIT = env_int("API_TOKEN_CREATE_LIMIT", 10)
API_BAD_TOKEN_LIMIT = env_int("API_BAD_TOKEN_LIMIT", 20)

# Multi-factor authentication (portfolio.accounts.mfa): any user may turn it on under
# Account > MFA; with REQUIRE_MFA_FOR_PMO (on by default in production) a PMO account must
# set it up before anything else. Wrong codes are throttled like passwords.
REQUIRE_MFA_FOR_PMO = env_bool("REQUIRE_MFA_FOR_PMO", not DEBUG)
MFA_FAILURE_LIMIT = env_int("MFA_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Stationmaster")

# Single sign-on with OpenID Connect (portfolio.accounts.sso), off while OIDC_RP_CLIENT_ID is
# unset. The endpoints are the provider's (its /.well-known/openid-configuration lists them).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
_SSO_ON, _SSO_WHEN = bool(OIDC_RP_CLIENT_ID), "OIDC_RP_CLIENT_ID is set"
OIDC_RP_CLIENT_SECRET = _required_when(_SSO_ON, "OIDC_RP_CLIENT_SECRET", _SSO_WHEN)
OIDC_OP_AUTHORIZATION_ENDPOINT = _required_when(
    _SSO_ON, "OIDC_OP_AUTHORIZATION_ENDPOINT", _SSO_WHEN
)
OIDC_OP_TOKEN_ENDPOINT = _required_when(_SSO_ON, "OIDC_OP_TOKEN_ENDPOINT", _SSO_WHEN)
OIDC_OP_USER_ENDPOINT = _required_when(_SSO_ON, "OIDC_OP_USER_ENDPOINT", _SSO_WHEN)
OIDC_OP_JWKS_ENDPOINT = _required_when(_SSO_ON, "OIDC_OP_JWKS_ENDPOINT", _SSO_WHEN)
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# A first sign-in whose groups claim names a group of OIDC_GROUP_ROLES ("sm-pmo=pmo,
# sm-exec=executive") gets that access; only PMO and executive, the two a Person stores
# (managers follow from assignments). Later sign-ins leave access to Stationmaster (README).
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
_GROUP_ACCESS = ("pmo", "executive")


def _group_roles(name: str) -> dict[str, str]:
    """Group -> access from "group=access,..."; anything else stops start-up, naming `name`."""
    problem = (
        f"{name} must be group=access pairs separated by commas, access one of "
        f"{', '.join(_GROUP_ACCESS)}; got {os.environ.get(name)!r}"
    )
    try:
        parsed = env.dict(name, default={})
    except ValueError:
        raise ImproperlyConfigured(problem) from None
    mapping = {str(group).strip(): str(access).strip() for group, access in parsed.items()}
    if any(not group or access not in _GROUP_ACCESS for group, access in mapping.items()):
        raise ImproperlyConfigured(problem)
    return mapping


OIDC_GROUP_ROLES = _group_roles("OIDC_GROUP_ROLES")
LOGIN_REDIRECT_URL_FAILURE = "login"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("portfolio.accounts.sso.StationmasterOIDCBackend")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console in the quick start; EMAIL_URL (smtp://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Stationmaster <pmo@example.org>")
# Reminders sent from a request must not hang on a slow mail server.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Where links in emails point (no request to take the host from in a beat job).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The API (portfolio/api.py): per-user tokens for scripts, the session (with CSRF) for the
# browser. Token authentication comes first so an anonymous request is a 401, not a 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portfolio.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser, but every malformed body is a 400 (deep nesting, 1e999, bad UTF-8).
    "DEFAULT_PARSER_CLASSES": ["portfolio.core.parsers.JsonBodyParser"],
    "DEFAULT_SCHEMA_CLASS": "portfolio.core.schema.ApiSchema",
    "EXCEPTION_HANDLER": "portfolio.core.api.exception_handler",
}
# The schema (/api/schema/) and Swagger UI (/api/docs/) need a signed-in user or a token
# unless this is on (portfolio/api.py).
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Stationmaster API",
    "DESCRIPTION": (
        "Portfolios, programmes, projects and their records, with the same rules as the "
        "pages. Authenticate with `Authorization: Bearer <token>` (tokens at "
        "/account/api-tokens/). Objects carry an ETag; send it back in If-Match on PUT, "
        "PATCH, DELETE and actions to be refused (412) if someone changed the object since."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "portfolio.core.ratings.Rating",
        "ProgrammeStageEnum": "programmes.models.Programme.Stage",
        "ProjectStageEnum": "projects.models.Project.Stage",
        "RiskStatusEnum": "projects.models.Risk.Status",
        "IssueStatusEnum": "projects.models.Issue.Status",
        "ReportStateEnum": "projects.models.StatusReport.State",
        "EngagementEnum": "programmes.models.Stakeholder.Engagement",
        "NotificationKindEnum": "portfolio.notifications.models.Kind",
    },
}

# Production hardening, effective when DEBUG is off (checked by `manage.py check --deploy`).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy on every answer, in every mode (the browser tests fail on any
# violation, so what passes there passes in production). No inline script and no eval: pages
# load their scripts from static files and carry data in json_script and data- attributes,
# and htmx runs with allowEval off (base.html). No nonces either: the page cache serves one
# body to many requests, so a nonce would repeat. Bootstrap draws its icons from data: SVGs.
FRAPPE_GANTT_STYLE_ATTRIBUTES = (
    "stroke:grey; stroke-width:0.3",
    "fill: var(--g-weekend-highlight-color);",
)


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # No style attribute in our markup; frappe-gantt (the roadmap) writes two fixed ones
        # into its SVG, allowed by their hashes and nothing else.
        "style-src-attr": ["'unsafe-hashes'", *map(_csp_hash, FRAPPE_GANTT_STYLE_ATTRIBUTES)],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Preload-list submission is the site owner's decision, not a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (board packs) reports every step of every render at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
