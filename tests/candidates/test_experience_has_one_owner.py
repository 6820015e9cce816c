"""Experience records have one owner: candidates holds the model, its admin and every
write, and the review page, the API and the admin approve through the one
``experience_record_approve``. Credentials, which derives certifications, hears of an
approval by the signal candidates declares; candidates never imports credentials."""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

import certwright
from certwright.audit.models import Event, EventKind
from certwright.candidates.admin import ExperienceRecordAdmin
from certwright.candidates.models import ExperienceRecord
from certwright.credentials.models import Certification

PACKAGE = pathlib.Path(certwright.__file__).parent


def _by_review_page(client: Client, record: ExperienceRecord) -> None:
    client.post(reverse("candidates:review_approve", args=[record.pk]))


def _by_api(client: Client, record: ExperienceRecord) -> None:
    client.post(f"/api/candidates/experience/{record.pk}/approve")


def _by_admin(client: Client, record: ExperienceRecord) -> None:
    client.post(
        reverse("admin:candidates_experiencerecord_changelist"),
        {"action": "approve_selected", "_selected_action": [record.pk]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "approve", [_by_review_page, _by_api, _by_admin], ids=["page", "api", "admin"]
)
def test_every_way_of_approving_is_the_same_approval(
    approve: Callable[[Client, ExperienceRecord], None],
    client: Client,
    staff_user: Any,
    waiting: ExperienceRecord,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Page, API or admin: the same fact event, the same recompute (the pending pass
    is certified) and the same two e-mails, in the same order."""
    # given
    # (The admin's changelist also wants the model's view permission.)
    staff_user.user_permissions.add(
        Permission.objects.get(codename="view_experiencerecord")
    )
    client.force_login(staff_user)
    subject = f"experience:{waiting.pk}"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        approve(client, waiting)

    # then
    waiting.refresh_from_db()
    assert waiting.approved
    assert waiting.approved_by_id == staff_user.pk
    [event] = Event.objects.filter(kind=EventKind.FACT_UPDATED, subject=subject)
    assert event.reason == "employment experience approved"
    assert event.data["before"]["approved"] is False
    assert event.data["after"]["approved"] is True
    assert event.actor_id == staff_user.pk
    certification = Certification.objects.get(technician_id=waiting.technician_id)
    assert certification.status == "certified"
    assert [m.subject for m in mail.outbox] == [
        "Your work experience was approved",
        "You are now certified in A1",
    ]


def _defined(names: set[str]) -> list[str]:
    """Where each of ``names`` is defined as a function in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in names:
                module = path.relative_to(PACKAGE.parent).with_suffix("")
                found.append(f"{'.'.join(module.parts)}.{node.name}")
    return sorted(found)


def test_each_change_of_an_experience_record_has_one_function() -> None:
    """One add, update, approve, reject and withdraw, all in candidates.services
    (no second "review" variant anywhere)."""
    changes = {
        f"experience_record_{verb}"
        for verb in ("add", "update", "approve", "reject", "withdraw")
    }
    assert _defined(
        changes | {"experience_review_approve", "experience_review_reject"}
    ) == [f"certwright.candidates.services.{name}" for name in sorted(changes)]


def _imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_candidates_never_imports_credentials() -> None:
    """Not at the top of a module, not inside a function: an approval's consequences
    for certifications travel by ``candidates.signals``."""
    offenders = sorted(
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in (PACKAGE / "candidates").rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("certwright.credentials")
    )
    assert offenders == []


def test_the_experience_admin_is_registered_by_its_owner() -> None:
    model_admin = admin.site._registry[ExperienceRecord]
    assert isinstance(model_admin, ExperienceRecordAdmin)
    assert type(model_admin).__module__ == "certwright.candidates.admin"
