"""The admin: opening an item records who saw it (item.viewed); keys are shown to
program staff only; a saved edit of a frozen version lands in a new version; forms
are assembled and published from the admin, all through the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.test import Client

from certwright.audit.models import Event, EventKind
from certwright.core.roles import Role, role_add
from certwright.itembank.models import Form, FormStatus, ItemVersion
from certwright.itembank.services import form_publish
from tests.support.itembank import DAY, MakeForm, MakeVersion, synthetic_bank


def test_opening_an_item_records_who_saw_it(
    client: Client, admin_user: Any, make_version: MakeVersion
) -> None:
    """Program staff opening the item and its version: two item.viewed events by
    them, with the key shown."""
    # given
    version = make_version("A1-001", key=3)
    client.force_login(admin_user)
    # when
    item_page = client.get(f"/admin/itembank/item/{version.item_id}/change/")
    version_page = client.get(f"/admin/itembank/itemversion/{version.pk}/change/")
    # then
    assert item_page.status_code == version_page.status_code == 200
    events = Event.objects.filter(kind=EventKind.ITEM_VIEWED)
    assert events.count() == 2
    assert {(e.actor_id, e.data["code"], e.data["key_shown"]) for e in events} == {
        (admin_user.pk, "A1-001", True)
    }
    assert 'name="key"' in version_page.content.decode()


def test_the_bank_is_closed_to_a_centre_admin(
    client: Client, django_user_model: Any, make_version: MakeVersion, settings: Any
) -> None:
    """A centre admin granted the bank's view permissions still cannot open an item
    or a version (403: only program staff hold item-bank permissions), and no view
    is recorded."""
    # given
    settings.CERTWRIGHT_STAFF_MFA = False
    user = django_user_model.objects.create_user(
        "centre", "centre@example.com", "pw", is_staff=True
    )
    role_add(user, Role.CENTRE_ADMIN)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="itembank", codename__startswith="view_"
        )
    )
    version = make_version("A1-001", key=3)
    client.force_login(user)
    # when
    page = client.get(f"/admin/itembank/itemversion/{version.pk}/change/")
    item_page = client.get(f"/admin/itembank/item/{version.item_id}/change/")
    # then
    assert page.status_code == item_page.status_code == 403
    html = page.content.decode() + item_page.content.decode()
    assert 'name="key"' not in html
    assert not Event.objects.filter(kind=EventKind.ITEM_VIEWED).exists()


def test_saving_a_frozen_version_makes_a_new_draft(
    client: Client, admin_user: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Submitting the change form of a frozen version leaves it untouched and
    stores version 2 as a draft."""
    # given
    version = make_version("A1-001")
    form_publish(form_id=make_form([version]).pk)
    client.force_login(admin_user)
    data = {
        "stem": "A new stem?",
        "option_a": "a",
        "option_b": "b",
        "option_c": "c",
        "option_d": "d",
        "key": "1",
        "rationale": "Why.",
        "area": "A",
        "task": "",
    }
    # when
    response = client.post(
        f"/admin/itembank/itemversion/{version.pk}/change/", data, follow=True
    )
    # then
    assert response.status_code == 200
    frozen = ItemVersion.objects.get(pk=version.pk)
    assert frozen.stem == "Stem of A1-001?"
    new = ItemVersion.objects.get(item_id=version.item_id, number=2)
    assert (new.stem, new.key, new.status) == ("A new stem?", 1, "draft")


def test_a_form_is_assembled_and_published_from_the_admin(
    client: Client, admin_user: Any
) -> None:
    """The add-form page assembles a draft; the publish action publishes it; an
    infeasible request shows the area in the page and stores nothing."""
    # given
    synthetic_bank(count=240)
    client.force_login(admin_user)
    # when
    refused = client.post(
        "/admin/itembank/form/add/",
        {"test": "A2", "kind": "initial", "day": DAY.isoformat(), "seed": "1"},
    )
    added = client.post(
        "/admin/itembank/form/add/",
        {"test": "A1", "kind": "initial", "day": DAY.isoformat(), "seed": "1"},
    )
    form = Form.objects.get()
    client.post(
        "/admin/itembank/form/",
        {"action": "publish", "_selected_action": [form.pk]},
    )
    # then
    assert refused.status_code == 200
    assert "area A needs 26 operational items" in refused.content.decode()
    assert added.status_code == 302
    form.refresh_from_db()
    assert form.status == FormStatus.PUBLISHED
    assert form.items.count() == 55


def test_the_bank_pages_open_and_an_item_is_added(
    client: Client, admin_user: Any, make_version: MakeVersion, make_form: MakeForm
) -> None:
    """Lists, an item, a version, a form with its items and the add pages open; an
    item added in the admin is a draft version 1 written by the staff member, and
    its enemies are edited on its page (both ways)."""
    # given
    other = make_version("A1-002")
    form = make_form([other])
    client.force_login(admin_user)
    pages = [
        "/admin/itembank/item/",
        "/admin/itembank/itemversion/",
        "/admin/itembank/form/",
        f"/admin/itembank/form/{form.pk}/change/",
        "/admin/itembank/item/add/",
        "/admin/itembank/form/add/",
    ]
    # when
    statuses = [client.get(page).status_code for page in pages]
    added = client.post(
        "/admin/itembank/item/add/",
        {
            "test": "A1",
            "code": "A1-777",
            "stem": "Which?",
            "option_a": "a",
            "option_b": "b",
            "option_c": "c",
            "option_d": "d",
            "key": "2",
            "rationale": "",
            "area": "B",
            "task": "",
        },
    )
    version = ItemVersion.objects.get(item__code="A1-777")
    enemies = client.post(
        f"/admin/itembank/item/{version.item_id}/change/",
        {
            "enemies": [other.item_id],
            # The versions inline (read-only) posts its management form.
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-0-id": str(version.pk),
            "versions-0-item": str(version.item_id),
        },
    )
    # then
    assert statuses == [200] * len(pages)
    assert added.status_code == enemies.status_code == 302
    assert (version.number, version.status, version.key, version.written_by) == (
        1,
        "draft",
        2,
        admin_user,
    )
    from certwright.itembank.selectors import item_enemies

    assert item_enemies(test="A1")[other.item_id] == {version.item_id}
