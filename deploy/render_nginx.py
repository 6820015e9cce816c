#!/usr/bin/env python3
"""Render Certwright's nginx site from the environment file (docs/deploy.md).

    python3 deploy/render_nginx.py /etc/certwright/certwright.env \
        > /etc/nginx/sites-available/certwright

The site (deploy/nginx/certwright.conf.in) takes everything from the same file the
app servers read, so an operator edits one file: the public address
(CERTWRIGHT_SITE_URL), the app servers (CERTWRIGHT_APP_SERVERS), the certificate,
and where static files and media are. Standard library only: it runs before the
virtualenv exists. A missing or bad value stops it with the variable's name.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "certwright.conf.in"
PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
# host:port, an IPv4 address or a name (IPv6 in brackets)
SERVER = re.compile(r"(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}")
LISTEN = re.compile(r"(\[[0-9A-Fa-f:]+\]:|[0-9.]+:)?[0-9]{1,5}")


class RenderError(Exception):
    pass


def env_file_read(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines as systemd's EnvironmentFile reads them (comments and
    blank lines skipped, one level of quotes removed)."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise RenderError(f"line {number}: expected KEY=VALUE, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = shlex.split(value)[0] if value[0] == "'" else value[1:-1]
        values[key.strip()] = value
    return values


def _need(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise RenderError(f"{name} is not set in the environment file")
    if any(c in value for c in ";{}\n\"'$"):
        raise RenderError(f"{name}={value!r}: no ; {{ }} quotes or $ in nginx values")
    return value


def site_values(env: Mapping[str, str], *, env_file: str) -> dict[str, str]:
    site = urlsplit(_need(env, "CERTWRIGHT_SITE_URL"))
    if site.scheme != "https" or not site.hostname:
        raise RenderError("CERTWRIGHT_SITE_URL must be an https:// address")
    servers = [s.strip() for s in _need(env, "CERTWRIGHT_APP_SERVERS").split(",")]
    for server in servers:
        if not SERVER.fullmatch(server):
            raise RenderError(f"CERTWRIGHT_APP_SERVERS: {server!r} is not host:port")
    listens = {}
    for name in ("CERTWRIGHT_NGINX_HTTP_LISTEN", "CERTWRIGHT_NGINX_HTTPS_LISTEN"):
        listens[name] = _need(env, name)
        if not LISTEN.fullmatch(listens[name]):
            raise RenderError(
                f"{name}={listens[name]!r}: expected PORT or ADDRESS:PORT"
            )
    data_dir = _need(env, "CERTWRIGHT_DATA_DIR").rstrip("/")
    media_root = (env.get("CERTWRIGHT_MEDIA_ROOT") or f"{data_dir}/media").rstrip("/")
    prefix = _need(env, "CERTWRIGHT_MEDIA_ACCEL_PREFIX")
    if not re.fullmatch(r"/[A-Za-z0-9_-]+/", prefix):
        raise RenderError(
            f"CERTWRIGHT_MEDIA_ACCEL_PREFIX={prefix!r}: expected a path such as "
            "/protected-media/"
        )
    return {
        "ENV_FILE": env_file,
        "SERVER_NAME": site.hostname,
        "SITE_ORIGIN": f"https://{site.netloc}",
        # A server that fails is left alone for 5 s, then tried again.
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {server} max_fails=1 fail_timeout=5s;" for server in servers
        ),
        "HTTP_LISTEN": listens["CERTWRIGHT_NGINX_HTTP_LISTEN"],
        "HTTPS_LISTEN": listens["CERTWRIGHT_NGINX_HTTPS_LISTEN"],
        "TLS_CERTIFICATE": _need(env, "CERTWRIGHT_TLS_CERTIFICATE"),
        "TLS_KEY": _need(env, "CERTWRIGHT_TLS_KEY"),
        "STATIC_ROOT": f"{data_dir}/static",
        "MEDIA_ROOT": _need({"MEDIA_ROOT": media_root}, "MEDIA_ROOT"),
        "MEDIA_ACCEL_PREFIX": prefix,
    }


def render(env: Mapping[str, str], *, env_file: str = "the environment file") -> str:
    values = site_values(env, env_file=env_file)
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("env_file", type=Path, help="/etc/certwright/certwright.env")
    args = parser.parse_args(argv)
    try:
        text = args.env_file.read_text(encoding="utf-8")
        sys.stdout.write(render(env_file_read(text), env_file=str(args.env_file)))
    except (OSError, RenderError) as error:
        sys.stderr.write(f"render_nginx: {args.env_file}: {error}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
