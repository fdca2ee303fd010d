"""Django settings for czesg, read from the environment and checked at start-up.

``CZESG_ENV`` is ``production`` (the default when unset), ``development`` (set explicitly by
``czesg demo`` and for local work) or ``test`` (set by the test suite). ``DEBUG`` is on only in
explicit development; outside it the settings refuse to start without a real
``DJANGO_SECRET_KEY`` (``scripts/run-tests`` generates one per run), and production refuses ``DEBUG``,
so neither a default secret nor the technical error pages can reach a server.
``DATABASE_URL`` chooses the database; the default is an embedded SQLite file under ``var/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout (src/czesg/ → repository root); var/ and build/ live beside the code.
REPO_DIR = PACKAGE_DIR.parents[1]
VAR_DIR = Path(os.environ.get("CZESG_VAR_DIR", REPO_DIR / "var")).resolve()

ENV = os.environ.get("CZESG_ENV", "production")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"CZESG_ENV must be development, test or production (unset means production), not {ENV!r}."
    )

_DEV_SECRET = "czesg-development-only-not-secret"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET)
DEBUG = os.environ.get("DJANGO_DEBUG", "1" if ENV == "development" else "0") == "1"
if ENV != "development" and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY must be set to a random value of at least 40 characters "
        f"outside development (CZESG_ENV is {ENV!r}; set CZESG_ENV=development for local work"
        + ("; ./scripts/run-tests generates a key for each run" if ENV == "test" else "")
        + ")."
    )
if ENV == "production" and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",
    "czesg.accounts",
    "czesg.audit",
    "czesg.enterprises",
    "czesg.disclosures",
    "czesg.access",
    "czesg.carbon",
    "czesg.supplychain",
    "django_tasks",
    "django_tasks_db",
    "czesg.records",
    "czesg.extraction",
    "czesg.ratings",
    "czesg.reports",
    "czesg.registries",
    "czesg.assurance",
    "czesg.esgreport",
    "czesg.finance",
    "czesg.plan",
    "czesg.parks",
    "czesg.dashboards",
    "czesg.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "czesg.access.middleware.ApiTokenMiddleware",
    "czesg.web.ratelimit.CostLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "czesg.web.guards.RequestGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "czesg.portal.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "czesg.urls"
WSGI_APPLICATION = "czesg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["czesg.web.display_tags"],  # the translated display filters, everywhere
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'czesg.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles a query's expressions when its estimated cost is high, as for a
    # page's city-wide read at 100,000 enterprises: 457 ms of compiling in a 1,487 ms query (the
    # public benchmark's values), a cost that pays only in long analytical scans. The
    # application's connections turn it off; CZESG_PG_JIT=on turns it back on.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (f"{_options.get('options', '')} "
                           f"-c jit={os.environ.get('CZESG_PG_JIT', 'off')}").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Each server process's own memory cache: rate-limit slots (one per client and window) and the
# city-wide figures kept under the data version. Django's default of 300 entries made the
# figures of one page evict each other under sixteen clients (a public benchmark at 100,000
# enterprises was computed again every few seconds, 1-4 s each); 20,000 small entries fit.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CZESG_CACHE_ENTRIES", "20000"))},
    }
}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Failed sign-ins are throttled (django-axes) per account whatever the address, and per
# address whatever the account: either reaching the limit refuses sign-in for the cool-off time
# (an administrator lifts it early with `czesg accounts unlock`; a new password lifts it too).
AXES_FAILURE_LIMIT = int(os.environ.get("CZESG_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("CZESG_SIGNIN_LOCK_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# E-mail (password reset links): printed on the console in development; in production sent
# through the SMTP server the EMAIL_* variables name.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if ENV == "development"
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "czesg <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("CZESG_PASSWORD_RESET_HOURS", "24")) * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Front-end packages come from npm (package-lock.json); scripts/bootstrap copies the files the
# pages use into build/vendor, so that no page loads anything from a CDN.
_VENDOR = REPO_DIR / "build" / "vendor"
if _VENDOR.is_dir():
    STATICFILES_DIRS.append(("vendor", _VENDOR))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if ENV == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = ENV != "production"
# Source maps (megabytes, beside Swagger UI's bundle) are read by developers' tools only: not
# compressed, so that collectstatic at start-up stays quick.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv",
    "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv",
    "map",
)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"


# Background jobs (the city re-rating) queue in the database; 'czesg manage db_worker' runs
# them. Tests run them at once.
TASKS = {
    "default": {
        "BACKEND": (
            # Tests run tasks at once; CZESG_TASKS=database queues them as production does (the
            # records bench measures an import without the profile rebuild its worker does).
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENV == "test" and os.environ.get("CZESG_TASKS") != "database"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Audit: the key of the audit chain's MAC and of its signed checkpoints, kept apart from
# DJANGO_SECRET_KEY (rotating the secret must not touch the chain); like the secret, the default
# is refused outside development. Checkpoints of the head are written outside the database,
# under var/ unless CZESG_AUDIT_CHECKPOINT_DIR names another place (docs/audit.md).
_DEV_AUDIT_KEY = "czesg-development-only-audit-key-not-secret"
CZESG_AUDIT_KEY = os.environ.get("CZESG_AUDIT_KEY", _DEV_AUDIT_KEY)
if ENV != "development" and (CZESG_AUDIT_KEY == _DEV_AUDIT_KEY or len(CZESG_AUDIT_KEY) < 32):
    raise ImproperlyConfigured(
        f"CZESG_AUDIT_KEY must be set to a random value of at least 32 characters outside "
        f"development (CZESG_ENV is {ENV!r}); it keys the audit chain, so keep it and back it up."
    )
CZESG_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("CZESG_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit" / "checkpoints")
).resolve()

# City and zone dashboard figures are cached per process, keyed by the audit chain's head, so
# any audited change shows at once; this bounds staleness from unaudited edits (0: off).
CZESG_DASHBOARD_CACHE_SECONDS = int(os.environ.get("CZESG_DASHBOARD_CACHE_SECONDS", "300"))

# Batch jobs on Spark (``czesg batch rate --engine spark``, docs/scale.md): the master URL of
# the cluster (local[2]: two threads in one JVM on this machine; spark://host:7077 or yarn in
# production), and the folder for the Parquet files a job exchanges (shared storage on a
# cluster; under var/ by default).
CZESG_SPARK_MASTER = os.environ.get("CZESG_SPARK_MASTER", "local[2]")
CZESG_BATCH_DIR = Path(os.environ.get("CZESG_BATCH_DIR", VAR_DIR / "batch")).resolve()

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _env_flag(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1"/"0"), falling back to ``default``."""
    return os.environ.get(name, "1" if default else "0") == "1"


# HTTPS: everything is on in production (CZESG_HTTPS=0 turns the whole group off for a
# plain-HTTP trial, each CZESG_* below overrides one part); off elsewhere unless asked for.
_HTTPS = _env_flag("CZESG_HTTPS", ENV == "production")
SESSION_COOKIE_SECURE = _env_flag("CZESG_SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _env_flag("CZESG_SSL_REDIRECT", _HTTPS)
# The PACT API is never redirected: over plain HTTP it refuses every call itself (PACT requires
# TLS, and a redirect would complete a call made in clear).
SECURE_REDIRECT_EXEMPT = [r"^pact/"]
SECURE_HSTS_SECONDS = int(os.environ.get("CZESG_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("CZESG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("CZESG_HSTS_PRELOAD", _HTTPS)  # allows, does not submit, a preload listing
# Behind a TLS-terminating proxy: the header it sets on HTTPS requests, e.g.
# "X-Forwarded-Proto: https" (unset: the connection itself says whether it is HTTPS).
_PROXY_HEADER = os.environ.get("CZESG_PROXY_SSL_HEADER", "").strip()
if _PROXY_HEADER:
    _name, _, _value = _PROXY_HEADER.partition(":")
    if not _value.strip():
        raise ImproperlyConfigured(
            f"CZESG_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', not {_PROXY_HEADER!r}."
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip()
    )

# Content-Security-Policy (django-csp): no inline script anywhere, every file from this server.
# style-src-attr allows style="" attributes (chart heights, progress bars) but no <style>
# element or foreign stylesheet; img-src allows data: for the icons inlined in Swagger UI's CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# Rate limits count cost, not calls (czesg.web.ratelimit): every request costs 1, heavier views
# and API operations declare more next to their routes (a datapoints page: 1 per 20 rows, so the
# default page of 200 costs 10; compare and benchmark 5; an open-data download 20). A client (the
# signed-in user, or the address of an anonymous caller) spends at most its budget per window.
# Anonymous: 300 per minute is a person browsing a page every second or two with room to spare,
# or a script reading 30 pages of 200 datapoints (6,000 rows) a minute, while sixteen such
# clients cannot keep the server's threads busy with the heaviest pages. Signed-in users (and
# their API tokens) are known and accountable: ten times as much. "off" disables one (the load
# benchmark sends everything from one address). Counted in each server process's cache.
def _budget(name: str, default: str) -> int | None:
    value = os.environ.get(name, default if ENV != "test" else "1000000")
    return None if value == "off" else int(value)


CZESG_RATE_WINDOW_S = int(os.environ.get("CZESG_RATE_WINDOW_S", "60"))
CZESG_RATE_BUDGET_ANON = _budget("CZESG_RATE_BUDGET_ANON", "300")
CZESG_RATE_BUDGET_USER = _budget("CZESG_RATE_BUDGET_USER", "3000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CZESG_LOG_LEVEL", "WARNING")},
}

# Requests and uploads (issue 13, items 7 and 8). A multipart body may be as large as the largest
# accepted upload (a filled template, 20 MB, see czesg.disclosures.views.UPLOAD_MAX_BYTES) plus
# the form around it; any other body is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
# Larger requests are answered with 413 before they are read (czesg.web.guards).
CZESG_MAX_REQUEST_BYTES = 21 * 2**20
# A failed CSRF check: a problem document under /api/, a translated page elsewhere.
CSRF_FAILURE_VIEW = "czesg.web.csrf.csrf_failure"
