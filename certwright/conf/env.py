"""Settings from environment variables, failing loudly on a bad value.

Every parser raises ``ImproperlyConfigured`` naming the variable and the value it
got, so a typo in a deployment stops the process at start-up instead of running
with a silent default. The environment is passed in (``Env(os.environ)``) so the
parsing is testable without touching the process environment.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off", ""})
# An HTTP header name (RFC 9110 token, letters, digits and dashes in practice).
HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")

# Applied to every SQLite connection. WAL lets readers work while one writer
# commits; IMMEDIATE takes the write lock when a transaction starts, so two
# writers queue on the busy timeout instead of failing with "database is locked"
# when a read transaction tries to upgrade to a write.
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,  # seconds; Python's sqlite3 turns it into the busy timeout
    # synchronous=NORMAL is durable in WAL mode except for the last commits
    # before a power loss, and much faster than FULL.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def bad_value(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


class Env:
    """Typed reads from an environment mapping.

    It remembers every name it was asked for (``names``), set or not: the
    settings' ``env.names`` is the list of variables Certwright reads, which a test
    compares with docs/configuration.md.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.names: set[str] = set()

    def raw(self, name: str) -> str | None:
        """The variable's value as set (None when unset); every read goes here."""
        self.names.add(name)
        return self.environ.get(name)

    def string(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None else value.strip()

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        folded = value.strip().lower()
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise bad_value(name, value, "one of 1, true, yes, on, 0, false, no, off")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        try:
            number = int(value.strip())
        except ValueError:
            raise bad_value(name, value, "a whole number") from None
        if minimum is not None and number < minimum:
            raise bad_value(name, value, f"a whole number >= {minimum}")
        return number

    def strings(self, name: str, default: Sequence[str]) -> list[str]:
        """A comma-separated list; blanks around items and empty items are dropped."""
        value = self.raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def networks(
        self, name: str, default: Sequence[str]
    ) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """A comma-separated list of networks in CIDR notation (``10.0.0.0/8``); a
        bare address is a network of one. Empty: no network at all."""
        value = self.raw(name)
        items = list(default) if value is None else value.split(",")
        networks = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=True))
            except ValueError:
                raise bad_value(
                    name,
                    value if value is not None else item,
                    "comma-separated networks such as 127.0.0.1/32,10.0.0.0/8 "
                    "(no host bits set after the prefix length)",
                ) from None
        return networks

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        folded = value.strip().lower()
        if folded not in choices:
            raise bad_value(name, value, "one of " + ", ".join(choices))
        return folded

    def time_zone(self, name: str, default: str) -> str:
        value = self.string(name, default) or default
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad_value(
                name, value, "an IANA time zone name such as UTC or America/Chicago"
            ) from None
        return value

    def directory(self, name: str, default: Path) -> Path:
        value = self.raw(name)
        if value is None or not value.strip():
            return default
        path = Path(value.strip()).expanduser()
        if path.exists() and not path.is_dir():
            raise bad_value(name, value, "a directory (this path is a file)")
        return path.resolve()

    def secret_key(self, name: str, *, debug: bool) -> str:
        value = self.string(name, "")
        if value:
            return value
        if debug:
            # Development only: CERTWRIGHT_DEBUG=1 must never face the internet.
            return "django-insecure-certwright-development-key-do-not-deploy"
        raise ImproperlyConfigured(
            f"{name} is not set: it is required unless CERTWRIGHT_DEBUG=1. "
            "Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(50))"'
        )

    def site_url(self, name: str, *, debug: bool, https_only: bool) -> str:
        """The site's public address, as e-mails and calendar invitations link to it.

        Required unless debug: a silent ``http://127.0.0.1:8000`` would mail
        employers and candidates links to the server's own loopback. An absolute
        ``http(s)://host[:port][/prefix]`` URL, returned without a trailing slash;
        ``https_only`` (the site redirects to HTTPS) refuses ``http://``, whose links
        would carry sign-in and confirmation tokens in clear text.
        """
        value = self.string(name, "")
        if not value:
            if debug:
                return "http://127.0.0.1:8000"
            raise ImproperlyConfigured(
                f"{name} is not set: it is required unless CERTWRIGHT_DEBUG=1. "
                "Set it to the address people open, e.g. https://certs.example.org"
            )
        expected = "an absolute URL such as https://certs.example.org"
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises ValueError on a bad port)
        except ValueError:
            raise bad_value(name, value, expected) from None
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or parts.username
            or parts.password
        ):
            raise bad_value(name, value, expected)
        if https_only and parts.scheme != "https":
            raise bad_value(
                name,
                value,
                "an https:// URL while CERTWRIGHT_SSL_REDIRECT is on "
                "(links in e-mails would travel in clear text)",
            )
        return value.rstrip("/")

    def proxy_ssl_header(self, name: str) -> tuple[str, str] | None:
        """Django's ``SECURE_PROXY_SSL_HEADER`` from a header name.

        ``X-Forwarded-Proto`` gives ``("HTTP_X_FORWARDED_PROTO", "https")``: a request
        carrying ``X-Forwarded-Proto: https`` counts as HTTPS. Unset or empty: None
        (no header is trusted).
        """
        value = self.string(name, "")
        if not value:
            return None
        if not HEADER_NAME.fullmatch(value):
            raise bad_value(
                name, value, "an HTTP header name such as X-Forwarded-Proto"
            )
        return ("HTTP_" + value.upper().replace("-", "_"), "https")

    def url_or_path(self, name: str, default: str) -> str:
        """An absolute http(s) URL or a path on this site (``/csp-report/``)."""
        value = self.string(name, default)
        if not value or value.startswith("/"):
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise bad_value(name, value, "a path starting with / or an https:// URL")
        return value

    def database(
        self, name: str, default: str, *, conn_max_age: int = 0
    ) -> dict[str, Any]:
        value = self.string(name, default) or default
        return database_config(value, name=name, conn_max_age=conn_max_age)


STORAGE_KINDS = ("filesystem", "s3")
ADDRESSING_STYLES = ("auto", "path", "virtual")


def media_storage(env: Env, *, accel_prefix: str = "") -> dict[str, Any]:
    """``STORAGES["default"]``: where uploads (item images, experience documents)
    are kept, from ``CERTWRIGHT_STORAGE`` and the ``CERTWRIGHT_S3_*`` variables.

    ``filesystem`` (the default) keeps them under ``MEDIA_ROOT``; ``s3`` in a
    bucket of any S3-compatible service, shared by every app server. Every
    variable is read whatever the kind, so the documented list stays whole
    (``env.names``). Objects are written without an ACL (private to the bucket's
    owner) and reach a browser only through the views that check who asks
    (docs/storage.md); ``accel_prefix`` (X-Accel-Redirect to a local directory)
    cannot work with a bucket and is refused with it.
    """
    kind = env.choice("CERTWRIGHT_STORAGE", STORAGE_KINDS, "filesystem")
    bucket = env.string("CERTWRIGHT_S3_BUCKET", "")
    endpoint = env.string("CERTWRIGHT_S3_ENDPOINT_URL", "")
    region = env.string("CERTWRIGHT_S3_REGION", "")
    prefix = env.string("CERTWRIGHT_S3_PREFIX", "").strip("/")
    style = env.choice("CERTWRIGHT_S3_ADDRESSING_STYLE", ADDRESSING_STYLES, "auto")
    key_id = env.string("CERTWRIGHT_S3_ACCESS_KEY_ID", "")
    secret = env.string("CERTWRIGHT_S3_SECRET_ACCESS_KEY", "")
    secret_file = env.string("CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE", "")
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    if not bucket:
        raise ImproperlyConfigured(
            "CERTWRIGHT_S3_BUCKET is not set: it is required with "
            "CERTWRIGHT_STORAGE=s3."
        )
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_value(
                "CERTWRIGHT_S3_ENDPOINT_URL",
                endpoint,
                "an http(s):// URL such as https://s3.eu-central-1.amazonaws.com",
            )
    if secret and secret_file:
        raise ImproperlyConfigured(
            "CERTWRIGHT_S3_SECRET_ACCESS_KEY and CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE "
            "are both set: set one."
        )
    if secret_file:
        secret = _secret_from_file("CERTWRIGHT_S3_SECRET_ACCESS_KEY_FILE", secret_file)
    if bool(key_id) != bool(secret):
        raise ImproperlyConfigured(
            "CERTWRIGHT_S3_ACCESS_KEY_ID and its secret "
            "(CERTWRIGHT_S3_SECRET_ACCESS_KEY or _FILE) go together: set both, "
            "or neither to use the host's own "
            "credentials (an instance role, AWS_* variables)."
        )
    if accel_prefix:
        raise ImproperlyConfigured(
            "CERTWRIGHT_MEDIA_ACCEL_PREFIX is set with CERTWRIGHT_STORAGE=s3: "
            "the proxy cannot read the bucket, so the app streams each checked "
            "file itself. "
            "Leave CERTWRIGHT_MEDIA_ACCEL_PREFIX empty."
        )
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint or None,
            "region_name": region or None,
            "access_key": key_id or None,
            "secret_key": secret or None,
            "addressing_style": None if style == "auto" else style,
            "location": prefix,
            # No ACL header: an object is private to the bucket's owner (and
            # buckets with ACLs disabled refuse any other).
            "default_acl": None,
            # Uploads get random names already; never replace an object in place.
            "file_overwrite": False,
            # Nothing links to a bucket URL (files go through the views); should a
            # URL ever be asked for, it is signed and short-lived, never public.
            "querystring_auth": True,
            "querystring_expire": 60,
            # A file the app streams is buffered in memory up to this size, then
            # on disk, so a large upload cannot fill a worker's memory.
            "max_memory_size": 4 * 1024 * 1024,
            # Fail in seconds, not minutes, when the service is away: a readiness
            # probe and a page must answer while it is.
            "client_config": Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }


def _secret_from_file(name: str, path: str) -> str:
    """The secret in ``path`` (a systemd credential, a mounted secret), its
    surrounding blanks and newline removed."""
    try:
        secret = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise bad_value(
            name, path, f"a readable file holding the secret ({error})"
        ) from None
    if not secret:
        raise bad_value(name, path, "a file holding the secret (this one is empty)")
    return secret


def database_config(
    url: str, *, name: str = "DATABASE_URL", conn_max_age: int = 0
) -> dict[str, Any]:
    """A ``DATABASES`` entry for ``url`` (sqlite:///path or postgres://...).

    SQLite gets WAL mode, IMMEDIATE transactions and a busy timeout; PostgreSQL
    gets health-checked persistent connections when ``conn_max_age`` > 0.
    """
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(
                url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0
            )
        )
    except Exception as exc:  # dj-database-url raises ValueError and its own errors
        raise bad_value(
            name,
            url,
            f"a database URL such as sqlite:///path or postgres://... ({exc})",
        ) from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME"):
            raise bad_value(name, url, "sqlite:////absolute/path/to/file.sqlite3")
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    elif engine not in ("django.db.backends.postgresql",):
        raise bad_value(name, url, "a sqlite:// or postgres:// URL")
    return config
