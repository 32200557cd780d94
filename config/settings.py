"""Settings for the Faktencheck CMS: one module, configured by environment variables.

Every variable is documented in `.env.example`. Outside debug mode a missing secret key
or database URL is a configuration error, never a silent default.
"""

from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def required(name: str, *, debug_default: str | None = None) -> str:
    """Return the environment variable `name`; only debug mode may fall back to a default."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG and debug_default is not None:
        return debug_default
    raise ImproperlyConfigured(f"Set the environment variable {name} (see .env.example).")


SECRET_KEY = required("DJANGO_SECRET_KEY", debug_default="insecure-development-key-only-for-debug")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Faktencheck")

INSTALLED_APPS = [
    "config.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sources",
    "claims",
]

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.db_router.ReplicaRoutingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Stored pages and 304s for anonymous readers, before sessions, CSRF and authentication.
    "claims.middleware.EarlyPublicResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.language.AdminInSiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: writing requests run in one transaction, and again if a concurrent write wins (config/conflicts.py).
    "config.conflicts.RetryConflictsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL is required; persistent connections with health checks so a
# restarted database is noticed on the next request instead of failing it.
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("Set the environment variable DATABASE_URL (see .env.example).")
# Prepared statements for the API's JSON queries (config/prepared.py); false behind a pooler
# in transaction mode that does not keep them (PgBouncer before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
# How often a writing request runs again after PostgreSQL aborted it for a conflict with a
# concurrent one (deadlock, serialization failure); 0: answer 503 at once (config/conflicts.py).
DATABASE_CONFLICT_RETRIES = env.int("DATABASE_CONFLICT_RETRIES", default=2)
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL"),
        conn_max_age=env.int("DJANGO_CONN_MAX_AGE", default=600),
        conn_health_checks=True,
    )
}
# Read scaling: DATABASE_REPLICA_URLS (comma-separated) adds PostgreSQL streaming replicas as
# replica_0, replica_1, …; config/db_router.py sends public reads there, all else to the primary.
DATABASE_REPLICAS = []
for index, replica_url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    alias = f"replica_{index}"
    DATABASES[alias] = dj_database_url.parse(replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True)
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(alias)
for database in DATABASES.values():
    database.setdefault("OPTIONS", {})
    database["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # Only config/prepared.py prepares statements (Django's cursors bind on the client and never do).
    database["OPTIONS"].setdefault("prepare_threshold", 5 if DATABASE_PREPARED_STATEMENTS else None)
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"] if DATABASE_REPLICAS else []
# Seconds a browser keeps reading from the primary after it wrote (and all workers after a publish).
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
# Seconds an unreachable replica is skipped before it is tried again.
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=10.0)
# Tests only: answer with X-Database-Reads naming the databases a request read from.
DATABASE_ROUTING_DEBUG_HEADER = env.bool("DATABASE_ROUTING_DEBUG_HEADER", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection for the staff login (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.security.client_address"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# DATE_FORMAT and DATETIME_FORMAT per language (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Cache: shared Redis when REDIS_URL is set (several web workers), local memory otherwise.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Sessions read from Redis and are kept in the database too: evicting cache entries or
    # restarting Redis does not log editors out.
    SESSION_ENGINE = "config.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Shared page cache for anonymous readers (claims/cache.py); 0 switches it off. Publishing,
# correcting or withdrawing invalidates it on every worker at once – through the shared cache,
# so without Redis (one local cache per worker process) it is off unless switched on.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=300 if REDIS_URL else 0)
# How long a worker reuses the site version behind ETag/Last-Modified (claims/freshness.py).
PUBLIC_FRESHNESS_SECONDS = env.float("PUBLIC_FRESHNESS_SECONDS", default=1.0)
# Pages each worker keeps from the shared page cache, served for PUBLIC_FRESHNESS_SECONDS
# after it last read the cache's generation without a round trip (0: none).
PUBLIC_RECENT_PAGES = env.int("PUBLIC_RECENT_PAGES", default=64)
# How long a worker reuses the word frequencies of the planner statistics for similar-claim
# matching; they change only when PostgreSQL analyses the claims table.
LEXEME_FREQUENCIES_SECONDS = env.float("LEXEME_FREQUENCIES_SECONDS", default=300.0)
# Cache-Control for browsers (max-age) and CDNs (s-maxage) on public pages and API reads.
PUBLIC_MAX_AGE = env.int("PUBLIC_MAX_AGE", default=60)
CDN_MAX_AGE = env.int("CDN_MAX_AGE", default=60)

# Security headers and cookies. Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# A German page saying what to do (config/security.py), not Django's English 403.
CSRF_FAILURE_VIEW = "config.security.csrf_failure"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and everything else only from this
# origin, no inline script or style, no framing, no plugins. config.security relaxes inline
# styles for the admin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.access.PartnerKeyAuthentication",
        "claims.api.access.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["config.api_filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # orjson: the same compact JSON, several times faster on 50-item pages (bench/README.md).
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.JSONParser", "rest_framework.parsers.FormParser", "rest_framework.parsers.MultiPartParser"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.ContentNegotiation",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.access.AnonymousReadThrottle",
        "claims.api.access.PartnerKeyThrottle",
        "claims.api.access.StaffThrottle",
    ],
    # The address the trusted proxy appended to X-Forwarded-For: DRF's default takes the whole header,
    # which a client can vary to escape the anonymous rate.
    "NUM_PROXIES": env.int("API_TRUSTED_PROXIES", default=1),
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANONYMOUS", default="60/minute"),
        "partner": env.str("API_RATE_PARTNER", default="1200/minute"),
        "staff": env.str("API_RATE_STAFF", default="1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Faktencheck API",
    "DESCRIPTION": "Veröffentlichte Faktenchecks für Partnerorganisationen. / Published fact-checks for partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CorrectionKindEnum": "claims.choices.CorrectionKind",
        "ClaimantKindEnum": "claims.choices.ClaimantKind",
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "LanguageEnum": "sources.choices.Language",
    },
}

# Source import: outbound fetching of article URLs.
SOURCE_FETCH_TIMEOUT = env.float("SOURCE_FETCH_TIMEOUT", default=10.0)
SOURCE_FETCH_MAX_BYTES = env.int("SOURCE_FETCH_MAX_BYTES", default=5 * 1024 * 1024)
SOURCE_FETCH_ALLOW_PRIVATE = env.bool("SOURCE_FETCH_ALLOW_PRIVATE", default=False)
# Seconds after which a feed import from the admin or the API starts no further entry; the
# entries left are reported and a re-import adds them. The request then ends within this plus
# one fetch (SOURCE_FETCH_TIMEOUT): 15 + 10 s stays under gunicorn's timeout (30 s).
SOURCE_FEED_IMPORT_SECONDS = env.float("SOURCE_FEED_IMPORT_SECONDS", default=15.0)

# Benchmark harness (bench/): baseline views under /__bench__/ and a query-count header.
# Never enabled in production.
BENCH_BASELINES = env.bool("BENCH_BASELINES", default=False)
if BENCH_BASELINES:
    MIDDLEWARE.insert(0, "bench.middleware.QueryCountMiddleware")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # The article extractor logs unusable input as errors; the importer reports it to the editor instead.
    "loggers": {name: {"level": "CRITICAL"} for name in ("trafilatura", "htmldate", "courlan", "justext")},
}
