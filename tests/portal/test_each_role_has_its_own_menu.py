"""Each role's menu offers its own pages and no other role's; someone with several
roles sees each; the menu costs no query beyond the roles; sign-in lands each role
on its own page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certwright.core.roles import Role, role_add
from certwright.portal.navigation import landing_url, menu_for

pytestmark = pytest.mark.django_db

CANDIDATE = ["/me/", "/experience/", "/renewal/", "/shop/cart/", "/booking/"]


def _user(django_user_model: Any, *roles: Role, staff: bool = False) -> Any:
    user = django_user_model.objects.create_user(
        username=f"u{django_user_model.objects.count()}",
        email="person@example.com",
        is_staff=staff,
    )
    for role in roles:
        role_add(user, role)
    # A fresh object: the roles are read from the database, as in a request.
    return django_user_model.objects.get(pk=user.pk)


def _urls(user: Any) -> list[str]:
    return [link.url for link in menu_for(user)]


def test_a_candidate_sees_the_candidates_pages_and_lands_on_the_dashboard(
    django_user_model: Any,
) -> None:
    """Certifications, Experience, Renewal app, Cart, Appointments; the landing
    is /me/."""
    # given
    user = _user(django_user_model, Role.CANDIDATE)
    # when
    urls = _urls(user)
    # then
    assert all(url in urls for url in CANDIDATE), urls
    assert "/staff/" not in urls
    assert "/proctor/" not in urls
    assert landing_url(user) == "/me/"


@pytest.mark.parametrize(
    ("role", "own", "landing"),
    [
        (Role.EMPLOYER, "/account/organizations/", "/account/organizations/"),
        (Role.PROCTOR, "/proctor/", "/proctor/"),
        (Role.CENTRE_ADMIN, "/proctor/", "/proctor/"),
        (Role.PROGRAM_STAFF, "/staff/", "/staff/"),
    ],
)
def test_other_roles_see_their_own_page_and_none_of_the_candidates(
    django_user_model: Any, role: Role, own: str, landing: str
) -> None:
    """A proctor, employer or staff member is offered no candidate page."""
    # given
    user = _user(django_user_model, role)
    # when
    urls = _urls(user)
    # then
    assert own in urls
    assert not set(urls) & set(CANDIDATE), urls
    assert landing_url(user) == landing


def test_program_staff_see_the_review_queue_item_analysis_and_the_admin(
    django_user_model: Any,
) -> None:
    """Staff with the admin open (is_staff) get it in the menu; without it, not."""
    # given
    with_admin = _user(django_user_model, Role.PROGRAM_STAFF, staff=True)
    without_admin = _user(django_user_model, Role.PROGRAM_STAFF)
    # then
    for url in ("/staff/", "/experience/review/", "/scoring/", "/admin/"):
        assert url in _urls(with_admin), url
    assert "/admin/" not in _urls(without_admin)


def test_someone_with_several_roles_sees_each(django_user_model: Any) -> None:
    """A candidate who runs a shop and proctors sees all three; they land on the
    centre's day (the work they sign in for)."""
    # given
    user = _user(django_user_model, Role.CANDIDATE, Role.EMPLOYER, Role.PROCTOR)
    # when
    urls = _urls(user)
    # then
    for url in [*CANDIDATE, "/account/organizations/", "/proctor/"]:
        assert url in urls, url
    assert landing_url(user) == "/proctor/"


def test_the_menu_reads_only_the_roles(
    django_user_model: Any, django_assert_num_queries: Any
) -> None:
    """One query (the roles), whatever the roles."""
    # given
    user = _user(django_user_model, Role.CANDIDATE, Role.EMPLOYER, Role.PROGRAM_STAFF)
    # then
    with django_assert_num_queries(1):
        menu_for(user)
        landing_url(user)


def test_sign_in_sends_each_role_to_its_landing(
    client: Client, django_user_model: Any, settings: Any
) -> None:
    """LOGIN_REDIRECT_URL goes through /me/landing/, which sends a proctor to the
    proctor console, not to the candidate's dashboard."""
    # given (a demo without the second factor, as in `make run`)
    settings.CERTWRIGHT_STAFF_MFA = False
    user = _user(django_user_model, Role.PROCTOR)
    client.force_login(user)
    # when
    response = client.get("/me/landing/")
    dashboard = client.get("/me/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/proctor/"
    assert dashboard["Location"] == "/proctor/"
