"""The catalogue's settings, from environment variables: docs/configuration.md lists them."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_BOOLEANS = dict.fromkeys(["1", "true", "yes", "on"], True)
_BOOLEANS |= dict.fromkeys(["0", "false", "no", "off", ""], False)


def envbool(name, default):
    if (value := os.environ.get(name)) is None:
        return default
    if (boolean := _BOOLEANS.get(value.strip().lower())) is None:
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")
    return boolean


def envint(name, default):
    if not (value := os.environ.get(name, "")).strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


def envlist(name, default):
    if (value := os.environ.get(name)) is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG else [])

# HTTPS everywhere in production; `make serve` turns these off for plain local HTTP.
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", not DEBUG)
# (Django's defaults send X-Frame-Options DENY, nosniff, and same-origin referrer and opener.)
# As nginx's client_max_body_size (deploy/nginx): a body it passes is read, not refused (a 502).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 2**20
# Only behind a proxy that sets X-Forwarded-Proto and -Port (not the client's) and appends the
# client to X-Forwarded-For, as deploy/nginx does (edge.pages keeps pages of the port reached).
if envbool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_PORT = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "corsheaders",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "ninja",  # so that the API's docs page uses our static files, not a CDN
    "sironet",
    "edge",
    "outcomes",
    "downloads",
    "api",
    "corrections",
]

MIDDLEWARE = [
    "edge.middleware.HealthMiddleware",  # first: /healthz before host checks and redirects
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "edge.routing.ReadRoutingMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "edge.middleware.AdminNoIndexMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Axes first: a locked-out account is refused even with the right password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "sironet.urls"

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


def database(url):
    # Persistent: on PostgreSQL, opening a connection costs more than the query.
    max_age = envint("DJANGO_CONN_MAX_AGE", 600)
    config = dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Concurrent writes wait for each other rather than fail ("database is locked" under
        # make soak): a transaction takes the write lock as it begins; WAL lets readers go on.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    if config["ENGINE"] == "django.db.backends.postgresql":
        # gunicorn's threads ignore its timeout: the database bounds each statement. No JIT:
        # it compiled the home page's 20 ms count of outcomes per country for 150 ms.
        config.setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={envint('DJANGO_STATEMENT_TIMEOUT_MS', 30_000)} -c jit=off"
        )
    return config


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
# Read replicas for public pages (edge/routing.py); tests read them through the primary's.
for number, url in enumerate(envlist("DATABASE_REPLICA_URLS", [])):
    DATABASES[f"replica_{number}"] = {**database(url), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["edge.routing.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}Validator"}
    for name in ("UserAttributeSimilarity", "MinimumLength", "CommonPassword", "NumericPassword")
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sironet.formats"]
TIME_ZONE = "UTC"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

STAFF_TWO_FACTOR = envbool("DJANGO_STAFF_TWO_FACTOR", not DEBUG)
# sironet/urls.py makes admin.site an AdminSiteOTPRequired: two_factor's patch would do it twice.
TWO_FACTOR_PATCH_ADMIN = False
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "admin:index"
OTP_TOTP_ISSUER = "SIRONET Outcomes Catalogue"

# Five failed logins lock an account out from one address for 15 minutes. Not per account
# nor per address alone: one stranger could then lock every editor out (behind a proxy).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_CLIENT_IP_CALLABLE = "edge.middleware.client_address"

# A change's reason can list every row of a form it changed.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
# "default" keeps an import's file from preview to confirmation, so every app server shares it
# (its table: migration outcomes 0004); "pages" and "rows" are per data version.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_caches(url):
    """A Redis that does not answer is ignored: reads miss (docs/scaling.md, "Shared cache")."""
    options = {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.5}
    backend = "django_redis.cache.RedisCache"
    return {
        alias: {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": alias, "OPTIONS": options}
        for alias in ("default", "pages", "rows")
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
else:
    memory = "django.core.cache.backends.locmem.LocMemCache"  # a row is small, shared by lists
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        },
        **{
            alias: {"BACKEND": memory, "LOCATION": alias, "OPTIONS": {"MAX_ENTRIES": entries}}
            for alias, entries in (("pages", 1000), ("rows", 25000))
        },
    }

DATA_VERSION_LISTEN = envbool("DJANGO_DATA_VERSION_LISTEN", True)

HTTP_CACHE_SECONDS = envint("HTTP_CACHE_SECONDS", 300)
HTTP_CACHE_PURGE_URLS = envlist("HTTP_CACHE_PURGE_URLS", [])

MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")

DATA_PACKAGE_DIR = Path(
    os.environ.get("DJANGO_DATA_PACKAGE_DIR") or Path(tempfile.gettempdir()) / "sironet-datapackage"
)

# The licence of the catalogue's own data, as the about page states it.
CATALOGUE_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
CATALOGUE_LICENSE_NOTE = "The items’ quoted text remains their source’s publisher’s."

# Only our own files; no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The API is public, read-only data: any origin may GET it and read its ETag; no cookies.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag"]

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
CORRECTIONS_NOTIFY = envlist("CORRECTIONS_NOTIFY", [])

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# docs/deployment.md, "The worker"
WORKER_JOBS = [
    "edge.purge.PurgeAfterChanges",
    "downloads.package.WritePackage",
    "corrections.notify.NotifyEditors",
]
_NAMED_HOSTS = [host for host in ALLOWED_HOSTS if host[:1] not in (".", "*")]
SITE_URL = os.environ.get(
    "DJANGO_SITE_URL",
    f"https://{_NAMED_HOSTS[0]}" if _NAMED_HOSTS and not DEBUG else "http://127.0.0.1:8000",
).rstrip("/")


def one_line(record):
    """A refused request (django.security) is logged as one line: a flood of them should not
    flood the log with tracebacks (issue 27)."""
    record.exc_info, record.exc_text = None, None
    return True


_STDOUT = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "django.utils.log.CallbackFilter", "callback": one_line}},
    "handlers": {"console": _STDOUT, "refused": {**_STDOUT, "filters": ["one_line"]}},
    "loggers": {"django.security": {"handlers": ["refused"], "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
