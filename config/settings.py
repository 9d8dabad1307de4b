"""mockloop's settings: one file, every value read from the environment.

Development works with no environment at all (SQLite, a dev secret key, the local
Redis). With DEBUG off, a missing SECRET_KEY stops the service at start-up.
See docs/operations.md for the full reference.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.cache import cache_config, cache_url_from_broker
from config.env import env_bool, env_float, env_int, env_list, env_str
from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MOCKLOOP_VAR_DIR", str(BASE_DIR / "var")))

# Off unless asked for: `make up` runs with DEBUG off too (scripts/lib.sh, up_environment)
# and keeps a generated SECRET_KEY in var/; only DEBUG=true falls back to the dev key.
DEBUG = env_bool("DEBUG", False)
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, or set DEBUG=true for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "questions",
    "interview",
    "grading",
    "review",
    # Production readiness (logs, limits, login rate limiting): lockouts after failed sign-ins.
    "axes",
]

MIDDLEWARE = [
    # /livez, /healthz and /metrics: answered before host checks and HTTPS redirects (config/health.py
    # says why), and before the request log, which probes every few seconds would drown.
    "config.health.ProbeMiddleware",
    # Production readiness: the request id first, so every later line carries it; then
    # the body-size cap, before anything reads the body.
    "config.logging.RequestIdMiddleware",
    "config.limits.RequestSizeLimitMiddleware",
    "config.parsers.UnstorableQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Production readiness: turns a lockout flagged during authentication into its answer (last, per django-axes).
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# No DATABASE_URL: an embedded SQLite file, so the service runs with nothing installed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'mockloop.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the files WhiteNoise serves with DEBUG off (`make up`: var/static).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or "pytest" in sys.modules
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mockloop <no-reply@mockloop.invalid>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    # Every body is checked for what cannot be stored (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.StrictJSONParser",
        "config.parsers.StrictFormParser",
        "config.parsers.StrictMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mockloop API",
    "DESCRIPTION": "Timed mock interviews, automatic grading of code in sandboxes, rubric grading of design answers, recruiter reports.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files are served from our own static files: no CDN needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the webhook event types, used by endpoints and deliveries alike.
    "ENUM_NAME_OVERRIDES": {"WebhookEventEnum": "accounts.models.WebhookEvent"},
    # Ids in paths (config/converters.py): 1 to 18 digits; other values match no URL (404).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
}

# Celery: Redis as broker and result backend. Tasks are idempotent, so a task is
# acknowledged only after it ran (acks_late) and a worker takes one at a time.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "mockloop"
CELERY_BEAT_SCHEDULE = {
    "invites-purge": {"task": "accounts.tasks.invites_purge", "schedule": 3600.0},
    "sessions-clear": {"task": "accounts.tasks.sessions_clear", "schedule": 86400.0},
    "answers-rubric-grade-requeue": {"task": "interview.tasks.answers_rubric_grade_requeue", "schedule": 120.0},
    "answers-similarity-sweep": {"task": "review.tasks.answers_similarity_sweep", "schedule": 120.0},
    "sessions-finalize-expired": {"task": "interview.tasks.sessions_finalize_expired", "schedule": 15.0},
    "follow-ups-due-sweep": {"task": "interview.tasks.follow_ups_due_sweep", "schedule": 15.0},
    "submissions-requeue-stale": {"task": "grading.tasks.submissions_requeue_stale", "schedule": 30.0},
    "sandbox-containers-sweep": {"task": "grading.tasks.sandbox_containers_sweep", "schedule": 300.0},
    "webhook-deliveries-send-due": {"task": "accounts.tasks.webhook_deliveries_send_due", "schedule": 30.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Changes pushed to long polls (config/notify.py): a stored result or grade wakes the
# requests waiting for it. Redis pub/sub, on the broker's Redis unless NOTIFY_URL says
# otherwise; with NOTIFY_URL set empty (or a broker that is not Redis) waits re-read the
# database once a second instead.
NOTIFY_URL = env_str("NOTIFY_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "")

# How long an organization admin's invitation to a recruiter stays valid.
INVITE_TTL_HOURS = env_int("INVITE_TTL_HOURS", 72)
ASSESSMENT_INVITE_TTL_HOURS = env_int("ASSESSMENT_INVITE_TTL_HOURS", 168)
# A candidate's invitation email is sent again at most once a cooldown (and five times in
# all); one organization creates at most so many invitations a day (bulk ones included).
ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS = env_int("ASSESSMENT_INVITE_RESEND_COOLDOWN_SECONDS", 60)
ASSESSMENT_INVITES_PER_ORG_PER_DAY = env_int("ASSESSMENT_INVITES_PER_ORG_PER_DAY", 1000)

# Webhooks to organizations' endpoints. A short timeout, so a slow receiver never holds
# a worker for long; after WEBHOOK_MAX_ATTEMPTS failed attempts a delivery is failed.
# Private, loopback and link-local hosts are refused unless allowed (tests, on-premises).
WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 5.0)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", False)
# After a secret rotation the old secret keeps signing deliveries (beside the new one)
# for this long, so receivers can switch without dropping events (docs/api.md, Webhooks).
WEBHOOK_SECRET_GRACE_HOURS = env_int("WEBHOOK_SECRET_GRACE_HOURS", 24)

# The LLM rubric grader: any OpenAI-compatible endpoint. With neither a key nor a
# base URL, written answers get the local (offline, provisional) grader.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
LLM_MODEL = env_str("LLM_MODEL", "gpt-4o-mini")
LLM_TIMEOUT_SECONDS = env_float("LLM_TIMEOUT_SECONDS", 60.0)
# Transient failures (429, 5xx, timeouts) are retried by the grading task, after
# LLM_BACKOFF_SECONDS x 2^attempt (with jitter) or the server's Retry-After if longer.
LLM_BACKOFF_SECONDS = env_float("LLM_BACKOFF_SECONDS", 30.0)
# The longest reply a grading may take (tokens): the bound of its cost.
LLM_MAX_TOKENS = env_int("LLM_MAX_TOKENS", 1500)
# "json_schema" (OpenAI, vLLM, Ollama) or "json_object" with the schema beside it (llama.cpp's servers).
LLM_RESPONSE_FORMAT = env_str("LLM_RESPONSE_FORMAT", "json_schema")
# Budgets in US dollars, per day (UTC); a negative value means no limit. An organization's
# own budget (Organization.llm_budget_usd) is per calendar month.
LLM_BUDGET_PER_USER_PER_DAY_USD = env_float("LLM_BUDGET_PER_USER_PER_DAY_USD", 0.50)
LLM_BUDGET_PER_DAY_USD = env_float("LLM_BUDGET_PER_DAY_USD", 20.0)
LLM_SAMPLES = env_int("LLM_SAMPLES", 1)
# Prices in US dollars per million tokens, for the cost of each grade.
LLM_PRICE_INPUT_PER_MTOK = env_float("LLM_PRICE_INPUT_PER_MTOK", 0.15)
LLM_PRICE_OUTPUT_PER_MTOK = env_float("LLM_PRICE_OUTPUT_PER_MTOK", 0.60)

# Answers sharing at least this share of their fingerprints are flagged as similar.
SIMILARITY_THRESHOLD = env_float("SIMILARITY_THRESHOLD", 0.6)

# The sandbox that runs candidates' code: "docker", "bubblewrap", or "auto" (Docker
# when its engine answers and the image is built, else bubblewrap).
SANDBOX_BACKEND = env_str("SANDBOX_BACKEND", "auto")
SANDBOX_CACHE_DIR = Path(env_str("SANDBOX_CACHE_DIR", str(VAR_DIR / "sandbox")))
SANDBOX_CPUS = env_float("SANDBOX_CPUS", 1.0)
SANDBOX_PIDS_LIMIT = env_int("SANDBOX_PIDS_LIMIT", 64)
SANDBOX_TMPFS_MB = env_int("SANDBOX_TMPFS_MB", 64)
# The unprivileged host uid a root worker drops to before it starts bubblewrap (never 0).
SANDBOX_HOST_UID = env_int("SANDBOX_HOST_UID", 65534)
# Runs and submissions a worker retries after an infrastructure fault, with backoff.
SANDBOX_MAX_RETRIES = env_int("SANDBOX_MAX_RETRIES", 10)
# Production readiness (faults): a queued submission no worker ever claimed is published
# again after this long; its message was lost (the broker was down when it was stored).
SUBMISSION_LOST_AFTER_SECONDS = env_int("SUBMISSION_LOST_AFTER_SECONDS", 600)

# Health checks and metrics (docs/operations.md, "Health and metrics"). prometheus_client
# reads PROMETHEUS_MULTIPROC_DIR itself when imported, so it is set in the environment
# that starts gunicorn and the workers (scripts/up, docker-compose.yml), never from here.
HEALTH_TIMEOUT_SECONDS = env_float("HEALTH_TIMEOUT_SECONDS", 2.0)
# false on processes that never run a sandbox (compose's web): /healthz skips docker and image.
HEALTH_SANDBOX_CHECKS = env_bool("HEALTH_SANDBOX_CHECKS", True)
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
if PROMETHEUS_MULTIPROC_DIR and not Path(PROMETHEUS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR is {PROMETHEUS_MULTIPROC_DIR!r}, which is not a directory: create it, empty, before starting"
    )
# When set, /metrics and the workers' endpoint want "Authorization: Bearer <token>".
METRICS_TOKEN = env_str("METRICS_TOKEN")
# A Celery worker serves its metrics on this port; 0 (the default): it serves none.
METRICS_PORT = env_int("METRICS_PORT", 0)

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Production readiness: security headers and cookies -------------------------------
# X-Forwarded-Proto is trusted only when the operator says a TLS proxy sets it: from
# anyone else it would let a client claim a plain-HTTP request was secure.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The pages hand the CSRF token to scripts in a data attribute, so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS preload is a promise to browser vendors that every subdomain serves HTTPS for
# good, and is slow to undo: the operator opts in (SECURE_HSTS_PRELOAD=true). Until
# then Django's reminder about it (security.W021) is silenced on purpose.
SILENCED_SYSTEM_CHECKS = [] if DEBUG or env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

# --- Production readiness: limits (config/limits.py) ----------------------------------
# Request bodies: above the largest answer the services accept (64 KiB of code, 20,000
# characters of text, JSON-escaped) and far below Django's 2.5 MB default. Larger
# bodies get 413 before anything reads them.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 512 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# The shared cache (throttle counters): Redis, on the broker's host in a database of its
# own (the broker's number plus one), unless CACHE_URL says otherwise ("locmem://" for one
# process). The test suite uses a per-process memory cache, so parallel runs never share counters.
CACHE_URL = env_str("CACHE_URL") or ("locmem://" if "pytest" in sys.modules else cache_url_from_broker(CELERY_BROKER_URL))
CACHES = {"default": cache_config(CACHE_URL)}

# Per-user request budgets (DRF throttling). Running and submitting code start sandboxes,
# so each has a budget of its own, shared by every endpoint that does it.
THROTTLE_RATES = {
    "user": env_str("THROTTLE_USER_RATE", "300/min"),
    "anon": env_str("THROTTLE_ANON_RATE", "60/min"),
    "run": env_str("THROTTLE_RUN_RATE", "20/min"),
    "submit": env_str("THROTTLE_SUBMIT_RATE", "10/min"),
}
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["config.limits.UserThrottle", "config.limits.AnonThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = THROTTLE_RATES

# Sign-in lockouts (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one email
# from one address, that pair is refused for LOGIN_COOLOFF_MINUTES, on the sign-in page
# and the token API alike. Attempts are kept in the database.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "config.limits.login_username"
AXES_LOCKOUT_CALLABLE = "config.limits.login_lockout_response"
AXES_RESET_ON_SUCCESS = True
# Who failed to sign in is in the axes tables; the log line need not repeat the address.
AXES_VERBOSE = False

# --- Production readiness: structured logs (config/logging.py) ---------------------
# JSON lines on stdout in production, readable lines in development. Celery does not
# take over the root logger (config/logging.py connects setup_logging), so workers
# write the same lines.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))
