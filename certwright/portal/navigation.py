"""What each role sees in the site's menu, and where each role lands after signing in.

One place decides both, from the roles a person holds (``core.roles``), so the
menu never offers a page the role would be refused (a proctor once saw the
candidate's Cart and got a 403), and the sign-in, the front door and the refusal
pages all send a person to the same landing page.

- a candidate: My certifications (the landing page), Experience, Renewal app, Cart,
  Appointments;
- an employer (a member of an organization): the organization page (roster,
  members, and the shop's vouchers for a shop's administrators);
- a proctor or test-centre administrator: the proctor console (the centre's day);
- program staff: the staff home (review queue, item analysis, the proctor console,
  the admin).

Someone with several roles sees each role's entries, in that order, and lands on
the page of the role listed last (the work they are signed in to do: staff before a
centre, a centre before an organization, an organization before their own record).

Reads only the roles, which are read once per request and cached on the user: the
menu costs no query on a page that asked for the roles already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certwright.core.roles import Role, user_is_program_staff, user_roles

_CENTRE_ROLES = frozenset({Role.PROCTOR, Role.CENTRE_ADMIN})


@dataclass(frozen=True, slots=True)
class MenuLink:
    """One entry of the menu: its words, where it goes, and whose it is (the role's
    value, or "account" for what everyone signed in has)."""

    label: str | Promise
    url: str
    role: str


def _has_candidate(roles: frozenset[Role]) -> bool:
    return Role.CANDIDATE in roles


def _has_employer(roles: frozenset[Role]) -> bool:
    return Role.EMPLOYER in roles


def _has_centre(user: Any, roles: frozenset[Role]) -> bool:
    return bool(roles & _CENTRE_ROLES) and not user_is_program_staff(user)


def menu_for(user: Any) -> list[MenuLink]:
    """The menu of ``user``: each of their roles' entries, then the account's.

    Anonymous visitors get the public entries (the tests, sign in, register are
    the template's own, since they are not links a role earns)."""
    if not getattr(user, "is_authenticated", False):
        return [MenuLink(_("Tests"), reverse("portal:tests"), "public")]
    roles = user_roles(user)
    links: list[MenuLink] = []
    if _has_candidate(roles):
        candidate = Role.CANDIDATE.value
        links += [
            MenuLink(_("My certifications"), reverse("portal:dashboard"), candidate),
            MenuLink(_("Experience"), reverse("candidates:experience_list"), candidate),
            MenuLink(_("Renewal app"), reverse("renewal:home"), candidate),
            MenuLink(_("Cart"), reverse("commerce:cart"), candidate),
            MenuLink(
                _("Appointments"), reverse("scheduling:appointment_list"), candidate
            ),
        ]
    if _has_employer(roles):
        links.append(
            MenuLink(
                _("Organization"),
                reverse("accounts:organization_list"),
                Role.EMPLOYER.value,
            )
        )
    if _has_centre(user, roles):
        role = (Role.PROCTOR if Role.PROCTOR in roles else Role.CENTRE_ADMIN).value
        links.append(MenuLink(_("Proctoring"), reverse("proctor:home"), role))
    if user_is_program_staff(user):
        staff = Role.PROGRAM_STAFF.value
        links += [
            MenuLink(_("Staff home"), reverse("staff_home"), staff),
            MenuLink(_("Reviews"), reverse("candidates:review_queue"), staff),
            MenuLink(_("Item analysis"), reverse("scoring:index"), staff),
            MenuLink(_("Proctoring"), reverse("proctor:home"), staff),
        ]
        if user.is_staff:
            # The admin opens for is_staff only; the role alone would get a 403.
            links.append(MenuLink(_("Admin"), reverse("admin:index"), staff))
    links += [
        MenuLink(_("Tests"), reverse("portal:tests"), "account"),
        MenuLink(_("Account"), reverse("accounts:profile"), "account"),
    ]
    return links


def landing_url(user: Any) -> str:
    """Where ``user`` lands after signing in (and what "your page" means on the
    front door and the refusal pages): the page of their working role."""
    if not getattr(user, "is_authenticated", False):
        return reverse("account_login")
    roles = user_roles(user)
    if user_is_program_staff(user):
        return reverse("staff_home")
    if roles & _CENTRE_ROLES:
        return reverse("proctor:home")
    if _has_employer(roles):
        return reverse("accounts:organization_list")
    if _has_candidate(roles):
        return reverse("portal:dashboard")
    return reverse("accounts:profile")
