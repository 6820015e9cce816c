"""Django settings for Certwright, read from the environment.

Every variable is documented in docs/configuration.md. A bad value stops start-up
with an ImproperlyConfigured error naming the variable (certwright.conf.env).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from certwright.conf.env import Env, media_storage

# Lets the admin and querysets be subscripted at runtime (ModelAdmin[Model]).
django_stubs_ext.monkeypatch()

env = Env(os.environ)

# The repository root in a development checkout; installed copies set
# CERTWRIGHT_DATA_DIR so the database does not land in site-packages.
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.directory("CERTWRIGHT_DATA_DIR", BASE_DIR)

DEBUG = env.boolean("CERTWRIGHT_DEBUG", False)
SECRET_KEY = env.secret_key("CERTWRIGHT_SECRET_KEY", debug=DEBUG)
ALLOWED_HOSTS = env.strings(
    "CERTWRIGHT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.strings("CERTWRIGHT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "csp",
    # Its templates and static files: /api/docs serves its bundled Swagger UI from
    # this site instead of a CDN (the Content-Security-Policy allows no other host).
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "certwright.core",
    "certwright.catalog",
    "certwright.audit",
    "certwright.accounts",
    "certwright.notifications",
    "certwright.candidates",
    "certwright.credentials",
    "certwright.verification",
    "certwright.badges",
    "certwright.reminders",
    "certwright.renewal",
    "certwright.commerce",
    "certwright.scheduling",
    "certwright.itembank",
    "certwright.certificates",
    "certwright.shops",
    "certwright.delivery",
    "certwright.proctoring",
    "certwright.scoring",
    "certwright.portal",
    # After credentials and accounts: its admin adds erasure to their technician.
    "certwright.privacy",
    # Last: the composition of the apps above (URLs, the API, the demo command).
    "certwright.interface",
]

MIDDLEWARE = [
    # Before anything reads REMOTE_ADDR: behind a trusted proxy, the client's address
    # (certwright/conf/client_address.py).
    "certwright.conf.client_address.ClientAddressMiddleware",
    # First: every log line of a request, the HTTPS redirect's included, has its id.
    "certwright.conf.request_id.RequestIdMiddleware",
    # Second: requests counted and timed by URL name for Prometheus (/metrics).
    "certwright.core.metrics.RequestMetricsMiddleware",
    # Then: every error under /api/ is problem details, whoever answered it.
    "certwright.core.problems.ProblemDetailsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (and its nonce), on every response.
    "csp.middleware.CSPMiddleware",
    # Serves collected static files in production (gunicorn) without a web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff and proctors must have two-factor authentication before anything else.
    "certwright.accounts.middleware.RequireMfaMiddleware",
    # Last, as django-axes asks: it turns lock-outs into responses.
    "axes.middleware.AxesMiddleware",
]

# Django's database sessions, loaded with one plain query
# (certwright/accounts/sessions.py).
SESSION_ENGINE = "certwright.accounts.sessions"

ROOT_URLCONF = "certwright.interface.urls"
WSGI_APPLICATION = "certwright.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "certwright" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ CSP_NONCE }} for the rare inline script that must stay inline.
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.database(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'certwright.sqlite3'}",
        conn_max_age=env.integer("CERTWRIGHT_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts (django-allauth, allauth.mfa, django-axes) ------------------------------
# Documented in docs/accounts.md.
# Argon2 first: new and upgraded passwords are hashed with it; the others only verify
# hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # django-axes first so a locked-out account is refused before the password check.
    # It needs the request: tests sign in with client.force_login(), not login().
    "axes.backends.AxesStandaloneBackend",
    # Authenticates nobody: refuses any permission outside a centre's own admin pages
    # to whoever is not program staff, so it must come before allauth's.
    "certwright.accounts.backends.ProgramStaffPermissionBackend",
    # E-mail sign-in only. No ModelBackend: it would accept a username, and allauth's
    # backend inherits ModelBackend's permission checks anyway.
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# On to each role's own page (certwright.portal.navigation.landing_url).
LOGIN_REDIRECT_URL = "portal:landing"
ACCOUNT_LOGIN_METHODS = {"email"}
# The name field comes from certwright.accounts.forms.SignupForm.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "certwright.accounts.forms.SignupForm"}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Mail the account holder when the password or an e-mail address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_ADAPTER = "certwright.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "certwright.accounts.adapter.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Certwright] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff, proctors, centre admins and program staff must use two-factor sign-in. Only
# the local demo (`make run`) turns this off, so a newcomer needs no authenticator app.
CERTWRIGHT_STAFF_MFA = env.boolean("CERTWRIGHT_STAFF_MFA", True)
MFA_TOTP_ISSUER = "Certwright"
AXES_FAILURE_LIMIT = env.integer("CERTWRIGHT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# In hours (axes reads a float as hours).
AXES_COOLOFF_TIME = env.integer("CERTWRIGHT_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60
# Lock the account *from that address*, so a stranger cannot lock a technician out
# of their own account for the whole cool-off (allauth's per-account limit below
# slows a guesser who spreads attempts over many addresses, for five minutes).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# allauth passes the address as ``email=``; this reads it (and lower-cases it).
AXES_USERNAME_CALLABLE = "certwright.accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "certwright.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# allauth's own throttle on failed sign-ins, on top of the lock-out: per address (any
# account) and per account (from anywhere), the latter as strict as the lock-out so a
# guesser who switches addresses gains nothing. Its other limits keep their defaults.
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{AXES_FAILURE_LIMIT}/5m/key",
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Stored datetimes are always UTC; this only sets how the admin displays them.
TIME_ZONE = env.time_zone("CERTWRIGHT_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `certwright collectstatic` gathers files here for WhiteNoise to serve compressed;
# until then WhiteNoise serves them from the apps directly (a one-machine install
# needs no collect step).
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    # "default" (uploads) is set with the media settings below.
    # No manifest: pages render before `collectstatic` has run (tests, first start).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS[
            env.choice("CERTWRIGHT_TASKS", tuple(TASKS_BACKENDS), "database")
        ],
    }
}

LOG_LEVEL = env.choice(
    "CERTWRIGHT_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"
).upper()
# One JSON object per line outside debug (what a log collector reads); readable lines
# in debug. Either way every line carries the request id (certwright/conf/logs.py).
LOG_FORMAT = env.choice(
    "CERTWRIGHT_LOG_FORMAT", ("json", "plain"), "plain" if DEBUG else "json"
)
# --- metrics (docs/install.md#metrics-logs-and-health) --------------------------------
# Who may read /metrics: clients connecting directly (not through the proxy) from
# these networks; empty: nobody. Default: this host only.
CERTWRIGHT_METRICS_ALLOW = env.networks(
    "CERTWRIGHT_METRICS_ALLOW", ["127.0.0.0/8", "::1/128"]
)
# When set, /metrics also wants "Authorization: Bearer <token>".
CERTWRIGHT_METRICS_TOKEN = env.string("CERTWRIGHT_METRICS_TOKEN", "")
# prometheus-client's own variable (it reads it from the environment when imported):
# gunicorn's workers write their counts to files there and any worker's /metrics adds
# them up. Read here too so a missing directory stops start-up with its name.
METRICS_MULTIPROC_DIR = env.string("PROMETHEUS_MULTIPROC_DIR", "")
if METRICS_MULTIPROC_DIR and not Path(METRICS_MULTIPROC_DIR).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR={METRICS_MULTIPROC_DIR!r} is not valid: expected "
        "an existing directory the web processes may write to."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "certwright.conf.logs.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {
            "format": "{asctime} {levelname} {name} [{request_id}]: {message}",
            "style": "{",
        },
        "json": {"()": "certwright.conf.logs.JsonFormatter"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        # Django's own, kept: it mails ADMINS, of which there are none by default.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    # Django's default sends django.request's errors (a 500's traceback) only to
    # mail_admins when debug is off: here they always reach stderr, which gunicorn
    # and systemd keep. Other libraries' log records reach stderr through Python's
    # last-resort handler (warnings and above).
    "loggers": {
        "certwright": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django": {
            "handlers": ["stderr", "mail_admins"],
            # Not DEBUG: that would print every SQL query in debug mode.
            "level": "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL,
            "propagate": False,
        },
        "django.server": {
            "handlers": ["stderr"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# --- HTTPS, cookies, headers and the Content Security Policy -----------------------
# Documented in docs/security.md. Secure by default outside debug; each can be
# adjusted (never silently: a bad value stops start-up like every other variable).
# Redirect plain HTTP to HTTPS; the health check stays reachable over plain HTTP
# for a load balancer or monitor that talks to gunicorn directly.
SECURE_SSL_REDIRECT = env.boolean("CERTWRIGHT_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/health$", r"^api/ready$", r"^metrics$"]
# Behind a TLS proxy gunicorn only sees plain HTTP: trust the proxy's header (which
# it must set itself, overwriting the client's) to know the request was HTTPS.
SECURE_PROXY_SSL_HEADER = env.proxy_ssl_header("CERTWRIGHT_PROXY_SSL_HEADER")
# The proxies whose X-Real-IP is the client's address (REMOTE_ADDR); empty: none,
# REMOTE_ADDR is the peer (certwright/conf/client_address.py).
CERTWRIGHT_TRUSTED_PROXIES = env.networks("CERTWRIGHT_TRUSTED_PROXIES", [])
SECURE_HSTS_SECONDS = env.integer(
    "CERTWRIGHT_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("CERTWRIGHT_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.boolean("CERTWRIGHT_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.boolean(
    "CERTWRIGHT_SECURE_COOKIES", not DEBUG
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# In every mode, tests included, so the browser tests prove the pages work under it.
# No inline script anywhere: scripts are static files. Inline style *attributes*
# are allowed (matplotlib's SVG plots and progress bars set them; they cannot run
# code); <style> elements are not.
_CSP_REPORT_URI = env.url_or_path("CERTWRIGHT_CSP_REPORT_URI", "")
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": [_CSP_REPORT_URI]} if _CSP_REPORT_URI else {}),
    }
}
# Report-only: browsers report what the policy would block and block nothing (to try
# a change of policy on a live site first).
if env.boolean("CERTWRIGHT_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Certwright ---------------------------------------------------------------------

# A builtin program id ("ase") or the path of a program directory or file.
CERTWRIGHT_PROGRAM = env.string("CERTWRIGHT_PROGRAM", "ase") or "ase"

# --- e-mail (notifications) -----------------------------------------------------------
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    # Django's console backend, with attachments shown as one line each.
    "console": "certwright.notifications.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
# Debug runs (`make run`) print mail to the console unless told otherwise.
EMAIL_BACKEND = EMAIL_BACKENDS[
    env.choice(
        "CERTWRIGHT_EMAIL_BACKEND",
        tuple(EMAIL_BACKENDS),
        "console" if DEBUG else "smtp",
    )
]
EMAIL_HOST = env.string("CERTWRIGHT_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("CERTWRIGHT_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.string("CERTWRIGHT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env.string("CERTWRIGHT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("CERTWRIGHT_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env.integer("CERTWRIGHT_EMAIL_TIMEOUT", 30, minimum=1)
EMAIL_USE_SSL = env.boolean("CERTWRIGHT_EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.string(
    "CERTWRIGHT_EMAIL_FROM", "Certwright <noreply@localhost>"
)
# The address used in links inside e-mails and calendar invitations: required
# outside debug, and https:// when plain HTTP is redirected.
CERTWRIGHT_SITE_URL = env.site_url(
    "CERTWRIGHT_SITE_URL", debug=DEBUG, https_only=SECURE_SSL_REDIRECT
)
# allauth's links (e-mail confirmation, password reset) use the same scheme even when
# a request reached the app as plain HTTP behind a proxy.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(CERTWRIGHT_SITE_URL).scheme
# A transient SMTP failure is retried after 1, 2, 4, 8 ... times this many seconds,
# until the message has had this many attempts; then it is marked failed (admin).
CERTWRIGHT_EMAIL_MAX_ATTEMPTS = env.integer(
    "CERTWRIGHT_EMAIL_MAX_ATTEMPTS", 5, minimum=1
)
CERTWRIGHT_EMAIL_RETRY_SECONDS = env.integer(
    "CERTWRIGHT_EMAIL_RETRY_SECONDS", 60, minimum=0
)
# How long an employer's confirmation link for an experience record stays valid.
CERTWRIGHT_EMPLOYER_LINK_DAYS = env.integer(
    "CERTWRIGHT_EMPLOYER_LINK_DAYS", 30, minimum=1
)

# --- media (uploads: item images, experience documents) ----------------------------
# Uploads are never served as static files: a view checks that the reader is the
# owner or staff before it streams one (candidates.views.document_download).
MEDIA_ROOT = env.directory("CERTWRIGHT_MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "/media/"
# Uploaded media (item images) is never served at MEDIA_URL: the exam serves an
# image only to the attempts whose form holds it. Behind nginx, set this to an
# internal location's prefix and the app answers with X-Accel-Redirect after its
# check (docs/install.md); empty: the app sends the file itself.
CERTWRIGHT_MEDIA_ACCEL_PREFIX = env.string("CERTWRIGHT_MEDIA_ACCEL_PREFIX", "")
# Where uploads live: MEDIA_ROOT (the default) or, for several app servers, a bucket
# on S3-compatible storage (CERTWRIGHT_STORAGE=s3; docs/storage.md).
STORAGES["default"] = media_storage(env, accel_prefix=CERTWRIGHT_MEDIA_ACCEL_PREFIX)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- commerce ----------------------------------------------------------------------
# Nothing to set here: fees and their currency come from the program's fee table in
# force on the order date, and sales-tax rates are rows of commerce.TaxRate, edited in
# the admin (seeded at 0 for the states where ASE collects tax; see docs/commerce.md).

# Public verification (/verify/, /api/verify/): lookups allowed per client address in
# each window before a 429, so certification IDs cannot be walked. Counted in the
# database (see verification.LookupWindow), so every process sees one count.
VERIFY_LOOKUP_LIMIT = env.integer("CERTWRIGHT_VERIFY_LOOKUP_LIMIT", 20, minimum=1)
VERIFY_LOOKUP_WINDOW_SECONDS = env.integer(
    "CERTWRIGHT_VERIFY_LOOKUP_WINDOW_SECONDS", 600, minimum=1
)
# For how many seconds a web process may answer a verifier's revalidation of the
# revocation status list (If-None-Match with the ETag the list view last gave) with
# 304 itself, before Django (certwright/badges/revalidation.py); 0: never. The list
# is served with max-age=60, so caches may hold it for a minute anyway.
STATUS_LIST_REVALIDATION_SECONDS = env.integer(
    "CERTWRIGHT_STATUS_LIST_REVALIDATION_SECONDS", 2, minimum=0
)
# Public lookups through the API answered by a WSGI layer before Django's middleware
# (certwright/verification/wsgi.py), with the view's own function and headers.
VERIFY_FAST_PATH = env.boolean("CERTWRIGHT_VERIFY_FAST_PATH", True)
# The hot statements (the public lookup, the exam's answer save, the renewal
# answer's read and update) prepared once per PostgreSQL session (PREPARE/EXECUTE):
# off behind a pooler in transaction mode, which may switch sessions between
# statements (certwright/core/prepared.py).
DB_PREPARED = env.boolean("CERTWRIGHT_DB_PREPARED", True)
# The exam's answer saves that carry the player's save pass answered by a WSGI
# layer before Django's middleware, with the save's own statement
# (certwright/delivery/wsgi.py, certwright/delivery/save_pass.py).
SAVE_FAST_PATH = env.boolean("CERTWRIGHT_SAVE_FAST_PATH", True)
# Renewal answers that carry their page's answer pass taken by a WSGI layer before
# Django's middleware, with the answer's own service (certwright/renewal/wsgi.py).
RENEWAL_FAST_PATH = env.boolean("CERTWRIGHT_RENEWAL_FAST_PATH", True)
