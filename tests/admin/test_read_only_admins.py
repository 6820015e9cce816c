"""Shops, employment, recognition periods and the employer's watch in the admin:
staff see them, list and open them, and cannot change them there (the services that
own them write each change with its audit event)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from certwright.accounts.models import OrganizationKind, OrganizationWatch, WatchReport
from certwright.accounts.services import organization_create
from certwright.candidates.services import technician_create
from certwright.shops.models import Employment, RecognitionPeriod, ShopProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows() -> list[models.Model]:
    shop = organization_create(name="Main Street Garage", kind=OrganizationKind.SHOP)
    technician = technician_create(name="Ana García")
    return [
        ShopProfile.objects.create(organization=shop, city="Springfield", areas=["A"]),
        Employment.objects.create(shop=shop, technician=technician, proposed_by="shop"),
        RecognitionPeriod.objects.create(
            shop=shop, level="sign", since=dt.date(2026, 1, 1), certified=1
        ),
        OrganizationWatch.objects.create(organization=shop, weekly_digest=True),
        WatchReport.objects.create(
            organization=shop, technician=technician, test="A1", kind="revoked",
            state_key="2026-01-01",
        ),
    ]  # fmt: skip


def _url(row: models.Model, view: str, *args: Any) -> str:
    meta = row._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_staff_list_and_open_each_row_without_a_save_button(
    admin_client: Client, rows: list[models.Model]
) -> None:
    for row in rows:
        # when staff open the list and the row
        listing = admin_client.get(_url(row, "changelist"))
        page = admin_client.get(_url(row, "change", row.pk))
        # then both show, and the row offers nothing to save, add or delete
        assert listing.status_code == 200, row._meta.label
        assert page.status_code == 200, row._meta.label
        html = page.content.decode()
        assert 'name="_save"' not in html, row._meta.label
        assert admin_client.get(_url(row, "add")).status_code == 403
        assert admin_client.get(_url(row, "delete", row.pk)).status_code == 403


def test_a_posted_change_is_refused_and_changes_nothing(
    admin_client: Client, rows: list[models.Model]
) -> None:
    watch = next(r for r in rows if isinstance(r, OrganizationWatch))
    # when a change is posted to the watch anyway
    response = admin_client.post(
        _url(watch, "change", watch.pk), {"weekly_digest": "", "revocation_email": ""}
    )
    # then it is refused, and the watch is as it was
    assert response.status_code == 403
    watch.refresh_from_db()
    assert watch.weekly_digest is True
