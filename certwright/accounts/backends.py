"""Model permissions narrowed to where a person works.

Django staff reach the admin by ``is_staff``; what they see there is the model
permissions they hold, from their groups or granted one by one. A proctor or test
centre administrator is Django staff for their centre's pages, and a permission on,
say, technicians or experience records would show them everyone's, in every
centre, and let them approve experience nobody asked them to review. So this backend
refuses, for anyone who is not program staff (``roles.user_is_program_staff``), every
permission outside the apps whose admin pages are scoped to the person's own centre.
Program staff keep exactly the permissions they were granted; superusers hold them
all (Django answers for them before asking any backend).

It grants nothing itself and authenticates nobody. It must come before the backend
that reads the permission tables: Django stops at the first backend that raises
``PermissionDenied`` (``has_perm`` and ``has_module_perms``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from certwright.core.roles import user_is_program_staff

# Apps whose admin shows each member of staff only their own centre's rows (each
# admin's get_queryset narrows to the centres the user administers): the only
# permissions that may open anything to someone who is not program staff.
CENTRE_SCOPED_APPS = frozenset({"scheduling"})


def permission_allowed(user: Any, app_label: str) -> bool:
    """Whether a permission of ``app_label`` may count for ``user`` at all."""
    return app_label in CENTRE_SCOPED_APPS or user_is_program_staff(user)


class ProgramStaffPermissionBackend:
    # Not a BaseBackend: that has get_user(), and Django's test client signs in
    # through the first backend with one, which would then find nobody.

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not permission_allowed(user_obj, perm.partition(".")[0]):
            raise PermissionDenied
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if not permission_allowed(user_obj, app_label):
            raise PermissionDenied
        return False
