"""Settings shared by every environment. Everything that differs comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.logging import install as install_log_redaction

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "people",
    "assessments",
    "followup",
    "reports",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view (CSRF's check included): a control character in any field is a 400 that changes nothing.
    "core.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Model history (plans, actions, feedback talks, cycles, cases) records who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Object-level rules (assessments/rules.py); model permissions stay with ModelBackend.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one user from one address lock that pair out for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

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
            ],
        },
    },
]

# SQLite is only the zero-setup default for a first run; CI and production use PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A meeting room of phones autosaving at once, a web process and a worker on one file: readers never wait
    # for writers (WAL), and a write transaction takes the lock when it begins (IMMEDIATE), so writers queue for
    # up to `timeout` seconds instead of failing with "database is locked" when a read would have to turn into a
    # write (the busy timeout is not honoured then).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Redis is the broker and the cache when REDIS_URL is set. Without it a first run still has a real
# worker process, on Kombu's filesystem transport.
REDIS_URL = env.str("REDIS_URL", default="")
VAR_DIR = Path(env.str("KAOPING_VAR_DIR", default=str(BASE_DIR / "var")))
# The visibility timeout is above the longest task, so Redis does not hand an unacknowledged
# task to a second worker while the first is still on it.
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 2 * 3600}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),  # else "control/" in whatever the working folder is
        "store_processed": False,
    }
    # Kombu's filesystem transport expects its folders to exist: config/celery_app.py makes them when Celery is
    # configured, not here (loading settings writes nothing).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1800)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1900)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# `celery -A config beat` (exactly one) runs these.
# Reports: PDFs on a queue of their own (a worker for it runs `-Q pdf`), so that a bulk run of a whole group
# company never starves reminders and webhooks on the default queue. The time limit bounds one report (or
# one bulk run's ZIP); the broker's visibility timeout above is well beyond it.
KAOPING_PDF_QUEUE = env.str("KAOPING_PDF_QUEUE", default="pdf")
KAOPING_REPORT_TIME_LIMIT = env.int("KAOPING_REPORT_TIME_LIMIT", default=900)
KAOPING_REPORT_MAX_ATTEMPTS = env.int("KAOPING_REPORT_MAX_ATTEMPTS", default=3)
# A queued job untouched this long has lost its message (e.g. Redis restarted): the sweep queues it again.
# Longer than the longest retry delay (10 min), so a job waiting for its retry is not queued twice.
KAOPING_REPORT_REQUEUE_AFTER = env.int("KAOPING_REPORT_REQUEUE_AFTER", default=900)
PDF_TASKS = (
    "reports.tasks.render_report",
    "reports.tasks.render_reports",
    "reports.tasks.render_slips",
    "reports.tasks.assemble_bulk",
)
CELERY_TASK_ROUTES = {name: {"queue": KAOPING_PDF_QUEUE} for name in PDF_TASKS}

CELERY_BEAT_SCHEDULE = {
    "report-jobs-sweep": {"task": "reports.tasks.sweep_report_jobs", "schedule": 60.0},
    # Re-queue webhook deliveries whose task was lost (a worker died, Redis restarted) or whose next
    # attempt is too far off to wait in the broker.
    "webhook-deliveries-sweep": {"task": "integrations.tasks.sweep_webhook_deliveries", "schedule": 60.0},
    # Daily, just after midnight in TIME_ZONE: what fell due yesterday is overdue today. Running it more
    # often (or twice by two beats) sends nothing twice: each action is told about once per day.
    "plans-overdue-check": {
        "task": "followup.tasks.check_overdue_actions",
        "schedule": crontab(hour=0, minute=15),
    },
    # While a cycle is open, an anonymous ballot stays linkable to its code (one transaction wrote both) until the
    # next mix: this is how long at most. Closing a cycle mixes it at once.
    "anonymous-ballots-mix": {
        "task": "assessments.tasks.mix_anonymous_ballots",
        "schedule": env.float("KAOPING_BALLOT_MIX_SECONDS", default=600.0),
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kaoping@localhost")

# Requests per API key (or browser session); the throttle reads it on every request, so a test's override counts.
KAOPING_API_RATE = env.str("KAOPING_API_RATE", default="1200/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Cursor",
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.auth.ApiKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": KAOPING_API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "core.api.errors.KaopingExceptionHandler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kaoping API",
    "DESCRIPTION": "Leadership-team assessment data for HR systems: people and teams, cycles, aggregate results.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Nothing from outside (templates/drf_spectacular/redoc.html drops the web fonts): the system's fonts.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
                "headings": {
                    "fontFamily": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
                },
                "code": {"fontFamily": "ui-monospace, 'Noto Sans Mono CJK SC', monospace"},
            }
        },
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportKindEnum": "reports.models.ReportJob.Kind",
        "ReportStatusEnum": "reports.models.ReportJob.Status",
        "WebhookEventEnum": "integrations.models.WebhookEvent",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        # Fields named alike across the apps ("status", "kind") need a name each.
        "CycleStatusEnum": "assessments.models.Cycle.Status",
        "CaseStatusEnum": "assessments.models.Case.Status",
        "SubjectKindEnum": "assessments.models.CaseSubject.Kind",
        "PlanStatusEnum": "followup.models.ImprovementPlan.Status",
        "ActionStatusEnum": "followup.models.Action.Status",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "login"

# Reminder mail: the address links point at, the language the mail is written in, the least gap between two.
KAOPING_BASE_URL = env.str("KAOPING_BASE_URL", default="http://127.0.0.1:8000")
KAOPING_EMAIL_LANGUAGE = env.str("KAOPING_EMAIL_LANGUAGE", default="zh-hans")
KAOPING_REMINDER_GAP_HOURS = env.float("KAOPING_REMINDER_GAP_HOURS", default=12.0)
# Wrong ballot codes allowed per client address before /b/ answers 429 (a meeting room shares one
# address, so only misses count, never valid codes).
KAOPING_CODE_MISSES = env.str("KAOPING_CODE_MISSES", default="20/10m")
RATELIMIT_VIEW = "assessments.views.rate_limited"

# No log holds a ballot code, its hash or a /b/ address (config/logging.py): a filter on every handler, and a record
# factory for the records of any library in this process. Django's own handlers for "django" (the admins' mail,
# with the request's path and POST) and "django.server" (runserver's request lines) are replaced: their records go
# to the root's handler, through the filter.
install_log_redaction()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logging.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Webhooks: refuse receivers on loopback, private and link-local addresses (server-side request forgery)
# unless this is on; local and test settings turn it on for receivers on 127.0.0.1.
KAOPING_WEBHOOK_ALLOW_PRIVATE = env.bool("KAOPING_WEBHOOK_ALLOW_PRIVATE", default=False)
KAOPING_WEBHOOK_MAX_ATTEMPTS = env.int("KAOPING_WEBHOOK_MAX_ATTEMPTS", default=8)
# Seconds to connect, and for each read of the receiver's answer.
KAOPING_WEBHOOK_TIMEOUT = env.float("KAOPING_WEBHOOK_TIMEOUT", default=5.0)

# Upload limit for people/org imports (bytes).
# Evidence files attached to progress updates: at most this size each.
KAOPING_EVIDENCE_MAX_BYTES = env.int("KAOPING_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
KAOPING_IMPORT_MAX_BYTES = env.int("KAOPING_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
