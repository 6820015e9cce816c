"""Settings come from the environment and a bad value stops start-up, naming itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from certwright.conf.env import Env, database_config


def settings_in_child(
    env: dict[str, str], *names: str
) -> subprocess.CompletedProcess[str]:
    """Import the real settings in a fresh process with ``env`` and print ``names``."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"values = {{n: getattr(settings, n) for n in {list(names)!r}}}; "
        "print(json.dumps(values, default=str))"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CERTWRIGHT_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "certwright.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("CERTWRIGHT_DEBUG", "maybe", lambda e: e.boolean("CERTWRIGHT_DEBUG", False)),
        (
            "CERTWRIGHT_TASKS",
            "celery",
            lambda e: e.choice(
                "CERTWRIGHT_TASKS", ("database", "immediate"), "database"
            ),
        ),
        (
            "CERTWRIGHT_TIME_ZONE",
            "Mars/Olympus",
            lambda e: e.time_zone("CERTWRIGHT_TIME_ZONE", "UTC"),
        ),
        (
            "CERTWRIGHT_DB_CONN_MAX_AGE",
            "soon",
            lambda e: e.integer("CERTWRIGHT_DB_CONN_MAX_AGE", 0),
        ),
        (
            "CERTWRIGHT_DB_CONN_MAX_AGE",
            "-5",
            lambda e: e.integer("CERTWRIGHT_DB_CONN_MAX_AGE", 0, minimum=0),
        ),
        (
            "DATABASE_URL",
            "mysql://db/certwright",
            lambda e: e.database("DATABASE_URL", "sqlite:///x"),
        ),
        (
            "DATABASE_URL",
            "not a url",
            lambda e: e.database("DATABASE_URL", "sqlite:///x"),
        ),
    ],
)
def test_a_bad_value_names_the_variable_and_the_value(name, value, read):
    """Every parser refuses a bad value with an error naming the variable and value."""
    # given
    env = Env({name: value})
    # when
    with pytest.raises(ImproperlyConfigured) as error:
        read(env)
    # then
    assert name in str(error.value)
    assert repr(value) in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("off", False),
    ],
)
def test_booleans_accept_the_usual_spellings(value, expected):
    """1/true/yes/on and 0/false/no/off (any case) are booleans; nothing else is."""
    assert Env({"FLAG": value}).boolean("FLAG", not expected) is expected


def test_unset_variables_take_their_defaults():
    """An unset variable gives the default, never an error."""
    # given
    env = Env({})
    # then
    assert env.boolean("CERTWRIGHT_DEBUG", False) is False
    assert env.strings("CERTWRIGHT_ALLOWED_HOSTS", ["localhost"]) == ["localhost"]
    assert (
        env.choice("CERTWRIGHT_TASKS", ("database", "immediate"), "database")
        == "database"
    )
    assert env.time_zone("CERTWRIGHT_TIME_ZONE", "UTC") == "UTC"


def test_a_list_is_split_on_commas_and_trimmed():
    """Allowed hosts are a comma-separated list; blanks around items are dropped."""
    env = Env({"CERTWRIGHT_ALLOWED_HOSTS": " certs.example.org, ,127.0.0.1 "})
    assert env.strings("CERTWRIGHT_ALLOWED_HOSTS", []) == [
        "certs.example.org",
        "127.0.0.1",
    ]


def test_the_secret_key_is_required_unless_debug():
    """Without CERTWRIGHT_SECRET_KEY only debug mode starts, with a development key."""
    # given
    env = Env({})
    # when / then
    with pytest.raises(ImproperlyConfigured, match="CERTWRIGHT_SECRET_KEY"):
        env.secret_key("CERTWRIGHT_SECRET_KEY", debug=False)
    assert env.secret_key("CERTWRIGHT_SECRET_KEY", debug=True).startswith(
        "django-insecure"
    )
    assert (
        Env({"CERTWRIGHT_SECRET_KEY": "s3cret"}).secret_key(
            "CERTWRIGHT_SECRET_KEY", debug=False
        )
        == "s3cret"
    )


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path):
    """CERTWRIGHT_DATA_DIR must be a directory (or not exist yet)."""
    # given
    file = tmp_path / "oops"
    file.write_text("")
    # when / then
    with pytest.raises(ImproperlyConfigured, match="CERTWRIGHT_DATA_DIR"):
        Env({"CERTWRIGHT_DATA_DIR": str(file)}).directory(
            "CERTWRIGHT_DATA_DIR", tmp_path
        )


def test_database_url_switches_between_sqlite_and_postgresql():
    """sqlite:// gets the WAL options; postgres:// gets PostgreSQL without them."""
    # when
    sqlite = database_config("sqlite:////srv/certwright/db.sqlite3")
    postgres = database_config(
        "postgres://cw:pw@db.internal:5433/certwright", conn_max_age=60
    )
    # then
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["NAME"] == "/srv/certwright/db.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["NAME"], postgres["HOST"], postgres["PORT"]) == (
        "certwright",
        "db.internal",
        5433,
    )
    assert postgres["CONN_MAX_AGE"] == 60
    assert postgres["CONN_HEALTH_CHECKS"] is True
    assert "transaction_mode" not in postgres.get("OPTIONS", {})


def test_the_real_settings_refuse_a_bad_value_at_startup():
    """Importing the settings with CERTWRIGHT_DEBUG=maybe fails, naming the variable."""
    # when
    child = settings_in_child({"CERTWRIGHT_DEBUG": "maybe"}, "DEBUG")
    # then
    assert child.returncode != 0
    assert "ImproperlyConfigured" in child.stderr
    assert "CERTWRIGHT_DEBUG='maybe'" in child.stderr


def test_the_real_settings_refuse_to_start_without_a_secret_key():
    """Outside debug mode, a missing CERTWRIGHT_SECRET_KEY stops start-up."""
    child = settings_in_child({}, "DEBUG")
    assert child.returncode != 0
    assert "CERTWRIGHT_SECRET_KEY is not set" in child.stderr


def test_the_real_settings_follow_the_environment(tmp_path: Path):
    """The data dir, CERTWRIGHT_TASKS, the program and the hosts reach the settings."""
    # when
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SITE_URL": "https://certs.example.org",
            "CERTWRIGHT_DATA_DIR": str(tmp_path),
            "CERTWRIGHT_TASKS": "immediate",
            "CERTWRIGHT_PROGRAM": "/srv/programs/other",
            "CERTWRIGHT_ALLOWED_HOSTS": "certs.example.org",
        },
        "DATABASES",
        "TASKS",
        "CERTWRIGHT_PROGRAM",
        "ALLOWED_HOSTS",
        "USE_TZ",
        "TIME_ZONE",
    )
    # then
    assert child.returncode == 0, child.stderr
    values = json.loads(child.stdout)
    assert values["DATABASES"]["default"]["NAME"] == str(
        tmp_path / "certwright.sqlite3"
    )
    assert values["TASKS"]["default"]["BACKEND"] == (
        "django_tasks.backends.immediate.ImmediateBackend"
    )
    assert values["CERTWRIGHT_PROGRAM"] == "/srv/programs/other"
    assert values["ALLOWED_HOSTS"] == ["certs.example.org"]
    assert (values["USE_TZ"], values["TIME_ZONE"]) == (True, "UTC")


def test_tasks_default_to_the_database_backend():
    """Without CERTWRIGHT_TASKS, tasks go to the database queue."""
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SITE_URL": "https://certs.example.org",
        },
        "TASKS",
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout)["TASKS"]["default"]["BACKEND"] == (
        "django_tasks_db.DatabaseBackend"
    )


def test_postgresql_is_one_variable_away():
    """DATABASE_URL=postgres://... makes the platform use PostgreSQL."""
    child = settings_in_child(
        {
            "CERTWRIGHT_SECRET_KEY": "k",
            "CERTWRIGHT_SITE_URL": "https://certs.example.org",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/cw",
        },
        "DATABASES",
    )
    assert child.returncode == 0, child.stderr
    database = json.loads(child.stdout)["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "cw"
