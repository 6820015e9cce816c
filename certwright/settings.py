"""Django settings for Certwright, read from the environment.

Every variable is documented in docs/configuration.md. A bad value stops start-up
with an ImproperlyConfigured error naming the variable (certwright.conf.env).
"""

from __future__ import annotations

import os
from pathlib import Path

import django_stubs_ext

from certwright.conf.env import Env

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
    "certwright.core",
    "certwright.catalog",
    "certwright.audit",
    "certwright.candidates",
    "certwright.credentials",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files in production (gunicorn) without a web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "certwright.urls"
WSGI_APPLICATION = "certwright.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
    "default": env.database(
        "DATABASE_URL",
        f"sqlite:///{DATA_DIR / 'certwright.sqlite3'}",
        conn_max_age=env.integer("CERTWRIGHT_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Django keeps its own defaults for django.*; other libraries' warnings reach
    # stderr through Python's last-resort handler.
    "loggers": {
        "certwright": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Certwright ---------------------------------------------------------------------

# A builtin program id ("ase") or the path of a program directory or file.
CERTWRIGHT_PROGRAM = env.string("CERTWRIGHT_PROGRAM", "ase") or "ase"
