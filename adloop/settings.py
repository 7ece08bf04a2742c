"""adloop settings: one env-driven module.

The embedded default (no environment at all) is a laptop setup: SQLite, Celery eager and
every external client pointed at the built-in sandbox served by this same process.
Production sets DATABASE_URL, REDIS_URL / CELERY_BROKER_URL, SECRET_KEY and FERNET_KEYS.
"""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value in ("True", "true", "1"):
        return True
    if value in ("False", "false", "0"):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envsecret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "adloop-insecure-laptop-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The address this instance is reached at: OAuth redirect URIs and the sandbox URLs derive from it.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "ninja",
    "adloop",
    "creatives",
    "campaigns",
    "analytics",
    "optimization",
    "scheduler",
    "integrations",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "adloop.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Production serves static files itself (gunicorn has no static view); runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "adloop.urls"
WSGI_APPLICATION = "adloop.wsgi.application"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "/admin/"

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
                "adloop.context_processors.adloop",
            ],
        },
    },
]

# --- Database: SQLite on a laptop, PostgreSQL when DATABASE_URL is set -----------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
            "OPTIONS": {
                # The sandbox answers over HTTP from this same process while a request is
                # being served, so two threads write: WAL plus a generous busy timeout
                # keep them from failing with "database is locked".
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file too, not shared-cache memory: threads (live server, embedded
            # renders) then lock the way the laptop default does, with WAL and a busy timeout.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test-db.sqlite3"))},
        }
    }
    # SQLite opens a file but does not make its folder: any manage.py command works on a fresh
    # checkout (var/ is not in git), not only the Makefile's targets, which make it.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and locks; also the Celery broker unless CELERY_BROKER_URL says otherwise --
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (settings read by adloop/celery.py with namespace CELERY) ---------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# The per-advertiser automation lock: auto = Redis when a Redis URL is set, else a database row.
ADVERTISER_LOCK_BACKEND = os.environ.get("ADVERTISER_LOCK_BACKEND", "auto")
# No broker → run tasks inline: the embedded default needs no worker process.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-always-eager
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
# Eager mode only: run enqueued tasks on this many threads of the web process (adloop/background.py).
EMBEDDED_WORKER_THREADS = envint("EMBEDDED_WORKER_THREADS", 0)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-eager-propagates
CELERY_TASK_EAGER_PROPAGATES = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-backend
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-serializer
CELERY_TASK_SERIALIZER = "json"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#accept-content
CELERY_ACCEPT_CONTENT = ["json"]
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#result-serializer
CELERY_RESULT_SERIALIZER = "json"
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-soft-time-limit
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late
CELERY_TASK_ACKS_LATE = True
# https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# https://django-celery-beat.readthedocs.io/en/latest/#using-custom-scheduler-classes
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- Secrets at rest ----------------------------------------------------------------------
# Comma-separated Fernet keys, newest first; older keys still decrypt, so a key is rotated
# by prepending a new one and running `manage.py rotate_token_keys`.
FERNET_KEYS = envlist("FERNET_KEYS")
if not FERNET_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FERNET_KEYS is required when DEBUG is off")
    FERNET_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]

# --- TikTok Marketing API (track B) -----------------------------------------------------
# Defaults point at the sandbox in this process; set all four for the real API:
#   TIKTOK_ADS_BASE_URL=https://business-api.tiktok.com
#   TIKTOK_ADS_AUTH_URL=https://business-api.tiktok.com/portal/auth
TIKTOK_ADS_BASE_URL = os.environ.get("TIKTOK_ADS_BASE_URL", f"{SITE_URL}/sandbox/tiktok").rstrip("/")
TIKTOK_ADS_AUTH_URL = os.environ.get("TIKTOK_ADS_AUTH_URL", f"{SITE_URL}/sandbox/tiktok/portal/auth")
TIKTOK_APP_ID = os.environ.get("TIKTOK_APP_ID", "7000000000000000001")
TIKTOK_APP_SECRET = envsecret("TIKTOK_APP_SECRET", "sandbox-app-secret")
TIKTOK_HTTP_TIMEOUT = (3.05, envint("TIKTOK_HTTP_READ_TIMEOUT", 30))
TIKTOK_MAX_RETRIES = envint("TIKTOK_MAX_RETRIES", 3)

# Report ingestion re-pulls this many past days each time: late-attributed conversions
# restate them (TikTok's attribution windows), so the latest days are never final.
REPORT_LOOKBACK_DAYS = envint("REPORT_LOOKBACK_DAYS", 3)

# --- Track A: organic publishing (campaigns.services.publishing) -------------------------
# 出海匠's hosted MCP server (real: https://mcp.gateway.chuhaijiang.com/mcp) and its workspace key.
CHUHAIJIANG_MCP_URL = os.environ.get("CHUHAIJIANG_MCP_URL", f"{SITE_URL}/sandbox/chuhaijiang/mcp")
CHUHAIJIANG_API_KEY = envsecret("CHUHAIJIANG_API_KEY", "sk_live_sandbox")
CHUHAIJIANG_TIMEOUT = envint("CHUHAIJIANG_TIMEOUT", 30)
# TikTok Content Posting + Display API v2 (real: https://open.tiktokapis.com and
# https://www.tiktok.com/v2/auth/authorize/), and the app's client key and secret.
TIKTOK_OPEN_BASE_URL = os.environ.get("TIKTOK_OPEN_BASE_URL", f"{SITE_URL}/sandbox/tiktok-open").rstrip("/")
TIKTOK_OPEN_AUTH_URL = os.environ.get("TIKTOK_OPEN_AUTH_URL", f"{SITE_URL}/sandbox/tiktok-open/v2/auth/authorize/")
TIKTOK_CLIENT_KEY = os.environ.get("TIKTOK_CLIENT_KEY", "sbclientkey0001")
TIKTOK_CLIENT_SECRET = envsecret("TIKTOK_CLIENT_SECRET", "sandbox-client-secret")
TIKTOK_OPEN_SCOPES = envlist("TIKTOK_OPEN_SCOPES", "user.info.basic,user.info.profile,user.info.stats,video.list,video.publish,video.upload")
# Posts per account per day (a new account's cap; each account's own cap is edited in admin).
PUBLISH_DEFAULT_DAILY_CAP = envint("PUBLISH_DEFAULT_DAILY_CAP", 3)
# A transient failure (timeout, 5xx, rate limit) is retried this many attempts in all, waiting
# PUBLISH_RETRY_BASE_S, then twice as long each time, at most PUBLISH_RETRY_MAX_S.
PUBLISH_MAX_ATTEMPTS = envint("PUBLISH_MAX_ATTEMPTS", 5)
PUBLISH_RETRY_BASE_S = envint("PUBLISH_RETRY_BASE_S", 300)
PUBLISH_RETRY_MAX_S = envint("PUBLISH_RETRY_MAX_S", 6 * 3600)
# A row left "publishing" without a remote id this long (a worker died mid-call) goes back to
# "scheduled"; its retry carries the same idempotency key.
PUBLISH_CLAIM_TIMEOUT_S = envint("PUBLISH_CLAIM_TIMEOUT_S", 30 * 60)

# The clock: "sandbox" follows the market simulator's date (adloop/clock.py), "system" the wall clock.
ADLOOP_CLOCK = os.environ.get("ADLOOP_CLOCK", "sandbox" if TIKTOK_ADS_BASE_URL.startswith(SITE_URL) else "system")

# --- LLM: product analysis, scripts, breakdowns (integrations/llm) ----------------------
# No key and no base URL → the offline deterministic provider, so everything runs offline.
# OpenAI: LLM_API_KEY=sk-…; Ollama / vLLM: LLM_BASE_URL=http://host:11434/v1 (any key).
LLM_API_KEY = envsecret("LLM_API_KEY") or envsecret("OPENAI_API_KEY")
LLM_BASE_URL = os.environ.get("LLM_BASE_URL", "")
LLM_MODEL = os.environ.get("LLM_MODEL", "gpt-4o")
LLM_PROVIDER = os.environ.get("LLM_PROVIDER", "openai" if (LLM_API_KEY or LLM_BASE_URL) else "offline")
LLM_TIMEOUT = envint("LLM_TIMEOUT", 60)

# --- Video rendering (creatives) ----------------------------------------------------------
VIDEO_BACKEND = os.environ.get("VIDEO_BACKEND", "ffmpeg")  # ffmpeg | seedance
VIDEO_SIZE = os.environ.get("VIDEO_SIZE", "720x1280")  # 720x1280 | 1080x1920
VIDEO_TARGET_SECONDS = envint("VIDEO_TARGET_SECONDS", 15)  # the length new scripts aim for
# Background music: every audio file in this folder is a candidate; a default track is
# generated into it when it holds none.
MUSIC_DIR = Path(os.environ.get("MUSIC_DIR", BASE_DIR / "var" / "music"))
# Caption fonts: the bundled CJK-capable font, or a folder of your own.
FONT_DIR = Path(os.environ.get("FONT_DIR", BASE_DIR / "assets" / "fonts"))
VOICEOVER = os.environ.get("VOICEOVER", "auto")  # auto (when an offline TTS is installed) | off

# --- Seedance (Volcengine Ark) video generation -------------------------------------------
# Default: the Ark stand-in in this process. Real: https://ark.cn-beijing.volces.com/api/v3
SEEDANCE_BASE_URL = os.environ.get("SEEDANCE_BASE_URL", f"{SITE_URL}/sandbox/ark/api/v3").rstrip("/")
SEEDANCE_API_KEY = envsecret("SEEDANCE_API_KEY", "sandbox-ark-key")
SEEDANCE_MODEL = os.environ.get("SEEDANCE_MODEL", "doubao-seedance-1-0-pro-250528")
SEEDANCE_POLL_SECONDS = envint("SEEDANCE_POLL_SECONDS", 10)
SEEDANCE_MAX_WAIT_SECONDS = envint("SEEDANCE_MAX_WAIT_SECONDS", 15 * 60)

# --- Pages --------------------------------------------------------------------------------
CHARTJS_URL = os.environ.get("CHARTJS_URL", "https://cdn.jsdelivr.net/npm/chart.js@4.4.1/dist/chart.umd.min.js")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The MCP SDK logs three INFO lines per request of the 出海匠 stand-in.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "mcp": {"level": "WARNING"}},
}

# --- Alerts and notifications ---
# Where alerts go (analytics/services/alerts.py): comma-separated `platform:target` entries —
#   feishu:https://open.feishu.cn/open-apis/bot/v2/hook/…   (lark: for open.larksuite.com)
#   dingtalk:https://oapi.dingtalk.com/robot/send?access_token=…
#   wecom:https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
#   slack:https://hooks.slack.com/services/…
#   email:ops@example.com
# A Feishu or DingTalk robot with signing (加签) on takes its secret after a "|": dingtalk:https://…|SEC….
# Empty: alerts are only kept in the database (admin).
ALERT_CHANNELS = envlist("ALERT_CHANNELS")
ALERT_NOTIFY_MIN_SEVERITY = os.environ.get("ALERT_NOTIFY_MIN_SEVERITY", "warning")  # info | warning | critical
if ALERT_NOTIFY_MIN_SEVERITY not in ("info", "warning", "critical"):
    raise ImproperlyConfigured(f"ALERT_NOTIFY_MIN_SEVERITY must be info, warning or critical, got {ALERT_NOTIFY_MIN_SEVERITY!r}")
ALERT_WEBHOOK_TIMEOUT = (3.05, envint("ALERT_WEBHOOK_READ_TIMEOUT", 10))
# E-mail: the console backend prints mails to the log until an SMTP server is configured, e.g.
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_HOST=smtp.example.com EMAIL_USE_TLS=true
# https://docs.djangoproject.com/en/5.2/topics/email/#email-backends
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "adloop <adloop@localhost>")
