"""Program staff create renewal items in the admin, filter the bank by the renewal
pool and open them; a renewal item's key is as secret as an exam item's: shown to
program staff only (recorded as seen), never to a centre admin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.test import Client

from certwright.audit.models import Event, EventKind
from certwright.core.roles import Role, role_add
from certwright.itembank.models import Item, ItemPool, ItemStatus, ItemVersion
from tests.support.itembank import MakeVersion

NEW_ITEM = {
    "test": "A1",
    "code": "A1-R77",
    "pool": "renewal",
    "stem": "Which gauge shows a restricted exhaust?",
    "option_a": "a",
    "option_b": "b",
    "option_c": "c",
    "option_d": "d",
    "key": "3",
    "rationale": "Because d.",
    "area": "E",
    "task": "Check the exhaust",
}


def _codes_listed(page: Any, codes: list[str]) -> list[str]:
    html = page.content.decode()
    return [code for code in codes if f">{code}<" in html or f">{code} v" in html]


def test_staff_create_filter_and_open_renewal_items(
    client: Client, admin_user: Any, make_version: MakeVersion
) -> None:
    """An item added with pool "renewal" is a renewal item with a draft version 1;
    filtering items and versions by the renewal pool lists it and not the exam or
    practice items; its page shows its pool, and its version page the key."""
    # given
    make_version("A1-X01")
    make_version("A1-P01", pool=ItemPool.PRACTICE)
    client.force_login(admin_user)
    # when
    added = client.post("/admin/itembank/item/add/", NEW_ITEM)
    item = Item.objects.get(code="A1-R77")
    version = ItemVersion.objects.get(item=item)
    items = client.get("/admin/itembank/item/", {"pool__exact": "renewal"})
    versions = client.get(
        "/admin/itembank/itemversion/", {"item__pool__exact": "renewal"}
    )
    item_page = client.get(f"/admin/itembank/item/{item.pk}/change/")
    version_page = client.get(f"/admin/itembank/itemversion/{version.pk}/change/")
    # then
    assert added.status_code == 302
    assert (item.pool, version.number, version.status, version.key) == (
        ItemPool.RENEWAL,
        1,
        ItemStatus.DRAFT,
        3,
    )
    codes = ["A1-R77", "A1-X01", "A1-P01"]
    assert _codes_listed(items, codes) == ["A1-R77"]
    assert _codes_listed(versions, codes) == ["A1-R77"]
    assert item_page.status_code == version_page.status_code == 200
    assert "renewal" in item_page.content.decode()
    assert 'name="key"' in version_page.content.decode()
    seen = Event.objects.filter(kind=EventKind.ITEM_VIEWED, subject=f"item:{item.pk}")
    assert {(e.actor_id, e.data["key_shown"]) for e in seen} == {(admin_user.pk, True)}


def test_a_renewal_key_is_closed_to_a_centre_admin(
    client: Client, django_user_model: Any, make_version: MakeVersion, settings: Any
) -> None:
    """A centre admin granted the bank's view permissions opens neither a renewal
    item nor its version (403), sees no key, and nothing is recorded as seen."""
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
    version = make_version("A1-R01", key=3, pool=ItemPool.RENEWAL)
    client.force_login(user)
    # when
    pages = [
        client.get(f"/admin/itembank/itemversion/{version.pk}/change/"),
        client.get(f"/admin/itembank/item/{version.item_id}/change/"),
        client.get("/admin/itembank/itemversion/", {"item__pool__exact": "renewal"}),
    ]
    # then
    assert [p.status_code for p in pages] == [403, 403, 403]
    assert not any('name="key"' in p.content.decode() for p in pages)
    assert not Event.objects.filter(kind=EventKind.ITEM_VIEWED).exists()
