"""The ``certwright`` command: Django's management commands under the project's name.

``certwright migrate``, ``certwright runserver`` and the project's own commands
(``certwright program check``, ``certwright rules evaluate``, ...) all run through
here; docs/cli.md lists them.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Sequence

# Commands that only read files and compute: no sessions, no signing, so they need no
# configured secret key (an operator can check a program file on any machine).
PURE_COMMANDS = {("program", "check"), ("program", "show"), ("rules", "evaluate")}


def main(argv: Sequence[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if tuple(args[1:3]) in PURE_COMMANDS:
        os.environ.setdefault("CERTWRIGHT_SECRET_KEY", secrets.token_urlsafe(50))
        # Nor links to the site: no e-mail is sent.
        os.environ.setdefault("CERTWRIGHT_SITE_URL", "https://certwright.invalid")
    try:
        # Django names itself after argv[0] in usage and help text.
        execute_from_command_line(["certwright", *args[1:]])
    except ImproperlyConfigured as exc:
        # A bad environment variable: the message names it; a traceback adds nothing.
        if "--traceback" in args:
            raise
        print(f"certwright: configuration error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
