"""Roles: Django groups with fixed names, created by a data migration
(``accounts/migrations/0002_roles.py``).

They live in ``core``, below every app, because every app's ``access_*`` selectors
ask them; the accounts app (sign-up, the admin's user pages) gives and takes them.

A person can hold several roles (a shop owner who is also a candidate). The groups
carry no model permissions; what a role may see is decided by the ``access_*``
selectors, and what it may change in the admin by ``is_staff`` plus the permissions
granted there (narrowed for anyone but program staff: ``accounts.backends``).

``user_is_program_staff`` is the one definition of "program staff", the people who
see every technician, order, appointment and centre: every ``access_*`` selector,
template tag and admin check asks it, and nothing else decides "sees everything".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record

# Cached on the user object, so a request that asks several times (the MFA
# middleware, then a view) reads the groups once.
_CACHE = "_certwright_roles"


class Role(models.TextChoices):
    # The values are the group names other apps rely on: never rename one.
    CANDIDATE = "candidate", _("candidate")
    EMPLOYER = "employer", _("shop or employer administrator")
    PROCTOR = "proctor", _("proctor")
    CENTRE_ADMIN = "centre_admin", _("test-centre administrator")
    PROGRAM_STAFF = "program_staff", _("program staff")


# Roles whose holders must sign in with a second factor (as must Django staff).
MFA_ROLES = frozenset({Role.PROCTOR, Role.CENTRE_ADMIN, Role.PROGRAM_STAFF})


def user_roles(user: Any) -> frozenset[Role]:
    """The roles ``user`` holds (none for an anonymous or inactive user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = frozenset(
            Role(name) for name in _group_names(user.pk) if name in _ROLE_NAMES
        )
        setattr(user, _CACHE, cached)
    return cached


_ROLE_NAMES = frozenset(Role.values)


def _group_names(user_id: int) -> list[str]:
    # The MFA middleware asks on every signed-in request, exam answers included
    # (hundreds a second at an exam peak): one plain join costs a fraction of the
    # ORM's query building, which was a fifth of a save's server time.
    User = get_user_model()
    groups = User.groups.through
    group_table = connection.ops.quote_name(Group._meta.db_table)
    link_table = connection.ops.quote_name(groups._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.name FROM {group_table} g JOIN {link_table} ug "
            "ON ug.group_id = g.id WHERE ug.user_id = %s",
            [user_id],
        )
        return [row[0] for row in cursor.fetchall()]


def user_has_role(user: Any, role: Role | str) -> bool:
    return Role(role) in user_roles(user)


def user_is_program_staff(user: Any) -> bool:
    """Program staff see everything: a superuser, or a holder of the program_staff
    role.

    Django's ``is_staff`` alone is not enough: it only opens the admin, which a
    proctor or centre administrator needs for their own centre's pages, and it must
    not open every technician, order and experience record to them as well.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user_has_role(user, Role.PROGRAM_STAFF))


def user_needs_mfa(user: Any) -> bool:
    """Whether ``user`` must have a second factor: Django staff, superusers,
    proctors, test-centre administrators and program staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # Off only for a local demo (`make run`): a production deployment keeps it on.
    if not settings.CERTWRIGHT_STAFF_MFA:
        return False
    return bool(user.is_staff or user.is_superuser or user_roles(user) & MFA_ROLES)


def _forget(user: Any) -> None:
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def role_add(user: Any, role: Role | str, *, actor: Actor = None) -> bool:
    """Give ``user`` the role; True when they did not hold it before."""
    role = Role(role)
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=role.value)
        if user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.add(group)
        event_record(
            kind=EventKind.ACCOUNT_ROLE_ADDED,
            subject=f"user:{user.pk}",
            actor=actor,
            data={"role": role.value, "user": user.get_username()},
        )
    _forget(user)
    return True


def role_remove(user: Any, role: Role | str, *, actor: Actor = None) -> bool:
    """Take the role away from ``user``; True when they held it."""
    role = Role(role)
    with transaction.atomic():
        group = Group.objects.filter(name=role.value).first()
        if group is None or not user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.remove(group)
        event_record(
            kind=EventKind.ACCOUNT_ROLE_REMOVED,
            subject=f"user:{user.pk}",
            actor=actor,
            data={"role": role.value, "user": user.get_username()},
        )
    _forget(user)
    return True
