"""``certwright ensure_superuser``: create the admin account, or reset its password.

``createsuperuser --noinput`` stops when the user exists; ``make run`` needs a login
that works on every start, so this one creates or refreshes it.

Everyone signs in with an e-mail address (allauth, ``ACCOUNT_LOGIN_METHODS``), the
admin included: the account gets that address, verified, or it could not sign in.
"""

from __future__ import annotations

import os
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a superuser, or make an existing one a superuser again with the given "
        "e-mail address (verified: it signs in with it) and password (read from "
        "DJANGO_SUPERUSER_PASSWORD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--email",
            required=True,
            help="the address the superuser signs in with, e.g. admin@example.com",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # From the environment, as createsuperuser does, to keep it out of `ps`.
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if not password:
            raise CommandError("set DJANGO_SUPERUSER_PASSWORD to the password to use")
        username: str = options["username"]
        email: str = options["email"].strip()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"--email {email!r} is not an e-mail address") from error
        user_model = get_user_model()
        username_field = user_model.USERNAME_FIELD
        # Addresses are unique (ACCOUNT_UNIQUE_EMAIL): refuse one another user holds
        # rather than leave the admin unable to sign in with it.
        taken = (
            EmailAddress.objects.filter(email__iexact=email)
            .exclude(**{f"user__{username_field}": username})
            .exists()
            or user_model._default_manager.filter(email__iexact=email)
            .exclude(**{username_field: username})
            .exists()
        )
        if taken:
            raise CommandError(f"{email} belongs to another user")
        with transaction.atomic():
            user, created = user_model._default_manager.get_or_create(
                **{username_field: username}, defaults={"email": email}
            )
            user.email = email
            user.is_staff = True
            user.is_superuser = True
            user.is_active = True
            user.set_password(password)
            user.save()
            # Verified and primary: sign-in (mandatory verification) accepts it
            # without a confirmation mail; an older address stops being primary.
            EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(
                primary=False
            )
            EmailAddress.objects.update_or_create(
                user=user,
                email=email,
                defaults={"verified": True, "primary": True},
            )
        verb = "Created" if created else "Refreshed"
        self.stdout.write(f"{verb} superuser {username!r} ({email}).")
