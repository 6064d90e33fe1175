"""Settings for the Qujing childcare workforce platform.

One module, read from the environment (and an optional `.env` file). With nothing set the
site runs for development on an embedded SQLite file. `DJANGO_ENV=production` turns on the
production checks: it refuses to start without SECRET_KEY, ALLOWED_HOSTS and the PII keys.
"""

import base64
import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))


def env_secret(name, default=None):
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    value = env.str(name, default="")
    if value:
        return value
    if default is None:
        raise ImproperlyConfigured(f"环境变量 {name} 未设置（生产环境必须设置）")
    return default


def env_bool(name, default):
    """Strict boolean: only true/false/1/0 are accepted; anything else fails loudly."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")

# The development key is public on purpose: it is only ever used without DJANGO_ENV=production.
_DEV_SECRET = "dev-only-insecure-key-qujing-childcare-do-not-use-in-production-0123456789"
SECRET_KEY = env_secret("SECRET_KEY") if PRODUCTION else env_secret("SECRET_KEY", _DEV_SECRET)

if PRODUCTION:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("环境变量 ALLOWED_HOSTS 未设置（生产环境必须设置）")
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def _dev_key(purpose):
    return base64.urlsafe_b64encode(hashlib.sha256(f"{SECRET_KEY}:{purpose}".encode()).digest()).decode()


# Personal data (身份证号) is encrypted with Fernet; several comma-separated keys allow rotation
# (the first encrypts, all decrypt). The hash key makes the exact-lookup hash unguessable.
if PRODUCTION:
    PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[]) or [env_secret("PII_ENCRYPTION_KEY")]
    PII_HASH_KEY = env_secret("PII_HASH_KEY")
else:
    PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[]) or [
        env_secret("PII_ENCRYPTION_KEY", _dev_key("pii-encryption"))
    ]
    PII_HASH_KEY = env_secret("PII_HASH_KEY", _dev_key("pii-hash"))


INSTALLED_APPS = [
    # Our apps. Dependencies point one way: registry <- training <- certification <- monitoring.
    "core",
    "accounts",
    "registry",
    "courses",
    "training",
    "certification",
    "monitoring",
    "imports",
    "cms",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Others
    "auditlog",
    "axes",
    "csp",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.security.StaffSecurityMiddleware",
    "accounts.security.PrivatePagesNoStoreMiddleware",
    # Wagtail's built-in reports, listings and choosers filter by model permission only.
    "core.admin_reports.WagtailBuiltinScopeMiddleware",
    "core.headers.ContentSecurityPolicyMiddleware",  # django-csp's, with CONTENT_SECURITY_POLICY_BY_PREFIX
    "auditlog.middleware.AuditlogMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: anonymous visitors' cached article pages pass through every middleware above.
    "cms.page_cache.PageCacheMiddleware",
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
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://... switches to PostgreSQL (psycopg 3).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            # Writers take the lock at BEGIN and wait up to 20 s, instead of failing
            # half-way with "database is locked" when two requests write at once.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Keep the connection between requests: opening one re-runs the PRAGMAs and re-reads the
    # schema, and closing the last one checkpoints the WAL (half the time of a public page).
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DJANGO_ENV == "test" else 60))
else:
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
    # JIT compilation costs ~80 ms on the dashboard's aggregates and saves nothing at this data
    # size. Set PG_OPTIONS="" behind a pooler that refuses startup options (pgbouncer).
    _pg_options = env.str("PG_OPTIONS", default="-c jit=off")
    if _pg_options:
        _db.setdefault("OPTIONS", {}).setdefault("options", _pg_options)
# Parallel test runs (several developers, several CI jobs) can pick their own test database.
if env.str("TEST_DATABASE_NAME", default=""):
    _db["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -----------------------------------------------------------------------------
# Local memory by default. Rate limits must be shared by all server processes in
# production: set CACHE_URL=redis://127.0.0.1:6379/1 there.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://qujing")}
# Cached public pages (cms.page_cache) and their publish generation must be the same in every
# gunicorn worker: without a shared cache (Redis), a file cache on this machine, one folder per
# code checkout and database. Tests keep the local-memory default.
if "locmem" in CACHES["default"]["BACKEND"] and DJANGO_ENV != "test":
    import tempfile

    _pages_id = hashlib.sha256(f"{BASE_DIR}|{_db.get('HOST', '')}|{_db['NAME']}".encode()).hexdigest()[:16]
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.str("PAGE_CACHE_DIR", default=str(Path(tempfile.gettempdir()) / f"qjty-pages-{_pages_id}")),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
# Upper bound of a cached page's age in seconds (a publish invalidates at once); 0 turns it off.
# Off under DEBUG: a developer's template edit must show on the next reload.
CMS_PAGE_CACHE_SECONDS = env.int("CMS_PAGE_CACHE_SECONDS", default=0 if DEBUG else 600)

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it counts failed logins on every login form (allauth, admin).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:portal"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Every login goes through allauth (rate limits, second factor); Wagtail's admin and
# front-end login forms and Django admin's are not used (config/urls.py redirects them).
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "曲靖托育平台"
# Back-office staff must pass a second factor in every session (accounts.security), tests
# included (tests.factories.log_in gives a staff session its proof). Only the bench and load
# test switch it off; production refuses to.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
if PRODUCTION and not MFA_REQUIRED_FOR_STAFF:
    raise ImproperlyConfigured("MFA_REQUIRED_FOR_STAFF cannot be off in production")
STAFF_IDLE_TIMEOUT = env.int("STAFF_IDLE_TIMEOUT", default=30 * 60)  # seconds
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
# django-axes: ten failed logins lock the ACCOUNT for an hour, from whatever address they
# come (an account+IP lock would add nothing with the same limit). Failures are counted under
# the login name allauth was given (accounts.lockout), never under "no username", so made-up
# accounts tried from a school's NAT lock no real account; allauth's "10/m/ip" limit throttles
# such a burst instead (429, accounts.views.too_many_requests).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.login_name"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_USERNAME_FORM_FIELD = "login"
# Where verification codes go: the console/log sender in development; set SMS_SENDER to a
# dotted path of a class with `send(phone, message)` to plug in an SMS provider.
SMS_SENDER = env.str("SMS_SENDER", default="accounts.sms.LogSender")
# The log sender writes verification codes to the log: a production site may run it only when
# it is explicitly a test deployment (deploy/run-prod.sh, make deploy-check).
SMS_LOG_SENDER_ALLOWED = env_bool("SMS_LOG_SENDER_ALLOWED", not PRODUCTION)
if PRODUCTION and SMS_SENDER in ("accounts.sms.LogSender", "accounts.sms.MemorySender") and not SMS_LOG_SENDER_ALLOWED:
    raise ImproperlyConfigured(
        "SMS_SENDER 仍是只写日志的测试发送器：请接入短信服务商，或仅在测试部署中设置 SMS_LOG_SENDER_ALLOWED=true"
    )

# --- I18N ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail -----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "曲靖市托育从业人员培训与认证平台"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "mp4", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content security policy: nothing from other hosts, ever (the users are in China and the
# site must work offline), and no inline script: every script is a file under static/ (no
# 'unsafe-inline', no 'unsafe-eval', no nonce either: anonymous visitors get article pages from
# cms.page_cache, and a nonce cached in the HTML would not match the next response's header).
# Behaviour goes in static/js/ with data- attributes (data-confirm, data-all), never onclick=.
# style-src keeps 'unsafe-inline': style= attributes draw the dashboard's progress bars, and
# Wagtail's admin and userbar set inline styles; injected CSS cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Wagtail 8's admin cannot run without inline <script> elements: the date and time widgets
# (every page's 发布时间/过期时间), the page, image and snippet choosers (BaseChooser.render
# writes "<script>…</script>" in Python, with no access to the request and so to a nonce),
# InlinePanel and MultipleChooserPanel, and the chooser modals' HTML, which jQuery runs as inline
# scripts (wagtail/wagtail#1288, #7053). So /admin/ (only) allows inline <script> elements, and
# still refuses inline event handlers (script-src-attr 'none': Wagtail uses none, and injected
# onerror= attributes are the usual XSS) and eval. No nonce there: a nonce in script-src would
# make browsers ignore 'unsafe-inline'. Django's admin (/django-admin/) needs no exception.
CONTENT_SECURITY_POLICY_BY_PREFIX = {
    "/admin/": {
        "script-src": ["'self'", "'unsafe-inline'"],
        "script-src-attr": ["'none'"],
    },
}
# Browser features the site does not use are switched off for it and anything it frames.
# Geolocation stays for our own origin (QR check-in may ask where the trainee is); fullscreen
# and picture-in-picture for the course videos. Only features Chromium knows: an unknown name
# is a console error on every page.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "bluetooth": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": ["self"],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": ["self"],
    "publickey-credentials-get": [],  # no passkeys (MFA_SUPPORTED_TYPES)
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# django-axes logs an "AXES: BEGIN" banner each time Django starts (every management command);
# lockouts are still logged without it.
AXES_VERBOSE = False

# --- Email --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@qjty.example.cn")

# --- Domain settings -------------------------------------------------------------------------
# The roles of employment whose holders count as staff in the 持证上岗率 (metrics.md).
CERTIFIED_RATE_ROLES = env.list("CERTIFIED_RATE_ROLES", default=["director", "caregiver", "health"])

# allauth warns when a login method is not a *required* sign-up field. We accept either a
# phone number or an email address at sign-up (accounts.forms.SignupExtraForm requires one
# of the two), so neither can be marked required on its own.
#
# axes warns when its lock does not include the IP address. Ours is deliberately per account
# (ten failures lock that account from every address); a lock per IP would shut out everyone
# behind a school's or a carrier's NAT. Bursts from one IP are throttled by allauth's login
# rate limit (ACCOUNT_RATE_LIMITS "login_failed"), tests/accounts/test_lockout.py.
SILENCED_SYSTEM_CHECKS = ["account.W001", "axes.W006"]

if DJANGO_ENV == "test":
    # Fast hashing in tests only (bakerydemo's settings/test.py does the same).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- certification ---
# Certificate scans and PDFs carry personal data: they go to a storage that is never served
# directly (downloads pass through views that check who asks). Point it at an object store in
# production by replacing this alias; by default a folder next to (not inside) MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
}
# A TrueType/TTC font with Chinese glyphs to embed in certificate PDFs. Empty: use Debian's
# fonts-wqy-microhei / fonts-wqy-zenhei when installed, else reportlab's STSong-Light CID font.
CERT_FONT_PATH = env.str("CERT_FONT_PATH", default="")
# The public address printed in QR codes (the verification page must open from a phone).
CERT_PUBLIC_BASE_URL = env.str("CERT_PUBLIC_BASE_URL", default=WAGTAILADMIN_BASE_URL)
# Public verification: lookups per IP address per window (seconds), counted in the shared cache.
CERT_VERIFY_RATE_LIMIT = env.int("CERT_VERIFY_RATE_LIMIT", default=30)
CERT_VERIFY_RATE_WINDOW = env.int("CERT_VERIFY_RATE_WINDOW", default=600)
# Behind a reverse proxy: the request header carrying the visitor's address (e.g. HTTP_X_REAL_IP).
CERT_CLIENT_IP_HEADER = env.str("CERT_CLIENT_IP_HEADER", default="")
# Scans of certificates from elsewhere (PDF, JPEG or PNG, checked by content).
CERT_SCAN_MAX_BYTES = env.int("CERT_SCAN_MAX_BYTES", default=5 * 1024 * 1024)
# Holders are reminded this many days before a certificate expires.
CERT_EXPIRY_REMINDER_DAYS = env.int("CERT_EXPIRY_REMINDER_DAYS", default=60)

# --- training ---
# Share of a session's hours credited to a trainee marked 迟到 or 早退 (出勤 = all, others none).
TRAINING_PARTIAL_ATTENDANCE_SHARE = env.float("TRAINING_PARTIAL_ATTENDANCE_SHARE", default=0.5)
# Rows per page in the training portals.
TRAINING_PAGE_SIZE = 25
# Raw saves (fixture loading, the test runner restoring migration data) are not user changes:
# auditing them would create content types mid-restore and break serialized rollback.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- cms ---
# Knowledge survey ballot-stuffing guard (cms.services): submissions per IP address per window.
# Generous, because many parents share one carrier NAT address; one response per browser
# session per day is enforced separately.
CMS_SURVEY_IP_LIMIT = env.int("CMS_SURVEY_IP_LIMIT", default=30)
CMS_SURVEY_IP_WINDOW = env.int("CMS_SURVEY_IP_WINDOW", default=3600)

# --- monitoring ---
# Trend charts (one SVG per metric, computed month by month: slow on a large database) are
# cached under the same data-following key, at most this many seconds. 0 disables it (tests).
MONITORING_CHART_CACHE_SECONDS = env.int("MONITORING_CHART_CACHE_SECONDS", default=0 if DJANGO_ENV == "test" else 86400)
# The dashboard's ten-county table is cached under a key that changes with the data
# (monitoring/figures_cache.py), so it is never older than the records; this is only the
# upper bound. Needs a shared cache (CACHE_URL) with several server processes. 0 disables it.
MONITORING_FIGURES_CACHE_SECONDS = env.int("MONITORING_FIGURES_CACHE_SECONDS", default=0 if DJANGO_ENV == "test" else 300)

# --- imports ---
# Spreadsheet imports (core.imports.reader): refused before parsing when larger than this.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
# An .xlsx is a zip: limits checked on its directory and while inflating it in chunks, so a
# small file that inflates to hundreds of MB (zip bomb) is refused without using the memory.
IMPORT_MAX_ZIP_ENTRIES = env.int("IMPORT_MAX_ZIP_ENTRIES", default=1000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
# Uploaded originals (encrypted, they hold 身份证号) are deleted this many days after the upload
# by `manage.py purge_import_originals` (the daily qjty-purge timer); the import record stays.
IMPORT_ORIGINAL_RETENTION_DAYS = env.int("IMPORT_ORIGINAL_RETENTION_DAYS", default=30)
# Imports one user may have being read and checked at the same time (each holds a file in memory).
IMPORT_MAX_CONCURRENT_PER_USER = env.int("IMPORT_MAX_CONCURRENT_PER_USER", default=2)

# --- deploy ---
# Production deployment (docs/deployment.md). Everything here is off unless its environment
# variable is set, so development and tests are unchanged.

# /healthz and structured logs ------------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (core.logging.JsonFormatter), for log collectors.
if env.str("LOG_FORMAT", default="plain") == "json":
    LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}
    LOGGING["handlers"]["console"]["formatter"] = "json"

# Read replica for dashboards and reports ----------------------------------------------------
# DATABASE_REPLICA_URL=postgres://...: GET requests under DATABASE_REPLICA_PATHS read from the
# replica (core.routers); writes, sessions and users always use the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.routers.ReadReplicaRouter"]
    DATABASE_REPLICA_PATHS = env.list("DATABASE_REPLICA_PATHS", default=["/dashboard/"])
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "core.routers.ReplicaForReportsMiddleware")

# Object storage (S3-compatible: MinIO, 阿里云 OSS, 腾讯云 COS, Ceph RGW) -----------------------
# With AWS_STORAGE_BUCKET_NAME set, public media (Wagtail images and documents) and the private
# storage (certificate scans and PDFs, served only through permission-checking views) go to
# the bucket under two prefixes. Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
# (read by boto3 itself) or the machine's role.
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    _s3 = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3, "location": env.str("AWS_MEDIA_LOCATION", default="media"), "querystring_auth": False},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        # Private objects: no public URL; a signed one would expire after 5 minutes anyway.
        "OPTIONS": {**_s3, "custom_domain": None, "location": env.str("AWS_PRIVATE_LOCATION", default="private"),
                    "querystring_auth": True, "querystring_expire": 300},
    }

# Background work (django-tasks; Django 6's task framework) -------------------------------------
# TASKS_BACKEND=database: tasks (Wagtail's search/reference index updates, bulk work) are stored
# in the database and run by `manage.py db_worker` (deploy/systemd/qjty-worker.service);
# otherwise they run immediately inside the request, as in development. The queue's tables exist
# either way (every app is always installed), so the tests of the database queue always run.
INSTALLED_APPS.append("django_tasks_db")
if env.str("TASKS_BACKEND", default="immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- training (self check-in) ---
# The self check-in QR code changes this often (seconds); a scanned code stays valid one step more.
TRAINING_CHECKIN_ROTATE_SECONDS = env.int("TRAINING_CHECKIN_ROTATE_SECONDS", default=30)

# --- browser journeys / security tests ---
# Wagtail's admin shows avatars from gravatar.com by default: a request to another host (the CSP
# blocks it and the browser journeys caught it). No avatars from anywhere else.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
