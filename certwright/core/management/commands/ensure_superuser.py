"""``certwright ensure_superuser``: create the admin account, or reset its password.

``createsuperuser --noinput`` stops when the user exists; ``make run`` needs a login
that works on every start, so this one creates or refreshes it.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a superuser, or make an existing one a superuser again with the given "
        "password (read from DJANGO_SUPERUSER_PASSWORD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        # From the environment, as createsuperuser does, to keep it out of `ps`.
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if not password:
            raise CommandError("set DJANGO_SUPERUSER_PASSWORD to the password to use")
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model._default_manager.get_or_create(
                **{user_model.USERNAME_FIELD: options["username"]},
                defaults={"email": options["email"]},
            )
            user.is_staff = True
            user.is_superuser = True
            user.is_active = True
            user.set_password(password)
            user.save()
        verb = "Created" if created else "Refreshed"
        self.stdout.write(f"{verb} superuser {options['username']!r}.")
