"""Roles are Django groups; granting and removing one is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from certwright.audit.models import Event
from certwright.core.roles import (
    Role,
    role_add,
    role_remove,
    user_has_role,
    user_needs_mfa,
    user_roles,
)

pytestmark = pytest.mark.django_db


def test_the_migration_creates_one_group_per_role() -> None:
    """The five groups exist with the names other apps rely on."""
    names = set(Group.objects.values_list("name", flat=True))
    assert {
        "candidate",
        "employer",
        "proctor",
        "centre_admin",
        "program_staff",
    } <= names
    assert set(Role.values) <= names


def test_role_add_and_remove_write_events(make_user: Any) -> None:
    """Each change is an audit event naming the role; repeating it changes
    nothing and writes nothing."""
    # given
    user = make_user("p@example.com")
    boss = make_user("boss@example.com", staff=True)

    # when
    added = role_add(user, Role.PROCTOR, actor=boss)
    again = role_add(user, "proctor", actor=boss)

    # then
    assert (added, again) == (True, False)
    assert user_has_role(user, Role.PROCTOR)
    event = Event.objects.get(kind="account.role_added")
    assert event.data["role"] == "proctor"
    assert event.actor_id == boss.pk

    # when
    removed = role_remove(user, Role.PROCTOR, actor=boss)
    removed_again = role_remove(user, Role.PROCTOR, actor=boss)

    # then
    assert (removed, removed_again) == (True, False)
    assert not user_has_role(user, Role.PROCTOR)
    assert Event.objects.filter(kind="account.role_removed").count() == 1


def test_roles_of_anonymous_and_inactive_users_are_empty(make_user: Any) -> None:
    """Nobody signed out, or deactivated, holds a role."""
    # given
    user = make_user("p@example.com", roles=(Role.PROGRAM_STAFF,))
    user.is_active = False

    # then
    assert user_roles(AnonymousUser()) == frozenset()
    assert user_roles(user) == frozenset()
    assert not user_needs_mfa(user)


def test_an_unknown_role_is_an_error(make_user: Any) -> None:
    """A typo in a role name fails loudly instead of creating a stray group."""
    user = make_user("p@example.com")
    with pytest.raises(ValueError, match="proctr"):
        role_add(user, "proctr")


def test_user_roles_reads_the_groups_once_per_user_object(
    make_user: Any, django_assert_num_queries: Any
) -> None:
    """The middleware and a view asking in the same request cost one query."""
    # given
    user = make_user("p@example.com", roles=(Role.PROCTOR, Role.CANDIDATE))
    fresh = type(user).objects.get(pk=user.pk)

    # then
    with django_assert_num_queries(1):
        assert user_has_role(fresh, Role.PROCTOR)
        assert user_has_role(fresh, Role.CANDIDATE)
        assert not user_has_role(fresh, Role.EMPLOYER)
        assert user_needs_mfa(fresh)
