"""Reads: a candidate's attempts, what the player may show of one, what the result
page, score report and result e-mail show of one (``attempt_result_context``), and
who may act on one (``access_*`` and ``check_*``).

``player_items`` is the only way an item's content reaches a candidate's page: stem,
options and image, in the attempt's order, by form-item id. It never reads the key,
the rationale, the content area or whether the item is scored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Max, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certwright.audit.personal_data import export_part
from certwright.audit.services import Actor
from certwright.candidates.models import Technician
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import entitled_tests
from certwright.core.clock import now as clock_now
from certwright.core.program import current_program
from certwright.delivery.errors import DeliveryError, attempt_not_found
from certwright.delivery.models import (
    SCORED_STATUSES,
    Accommodation,
    Attempt,
    AttemptKind,
    AttemptStatus,
    Incident,
    Response,
)
from certwright.itembank.models import Form, FormItem
from certwright.itembank.services import SCALE_MAX, SCALE_MIN, SCALE_PASS
from certwright.scheduling.selectors import centres_administered


def access_own_attempt(user: Any, attempt_id: int) -> Attempt:
    """The attempt, for the candidate who sits it; Http404 for anyone else (an
    attempt's existence is nobody else's business)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such attempt.")
    attempt = (
        Attempt.objects.select_related("form")
        .filter(pk=attempt_id, technician__user_id=user.pk)
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def check_attempt_candidate(attempt: Attempt, by: Actor) -> None:
    """A person acting on an attempt as its candidate must be its candidate:
    otherwise "not_found" (an attempt's existence is nobody else's business). A
    machine label (the fault test's, the CLI's) is trusted."""
    if not isinstance(by, AbstractBaseUser):
        return
    owner = (
        Technician.objects.filter(pk=attempt.technician_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if owner != by.pk:
        raise attempt_not_found()


def check_centre_staff(actor: Actor, centre_id: int | None) -> None:
    """A person acting for a test centre (a proctor's action on a sitting) must be
    staff of that centre or program staff (``centres_administered``): otherwise
    "forbidden". A machine label is trusted."""
    if not isinstance(actor, AbstractBaseUser):
        return
    if (
        centre_id is None
        or not centres_administered(actor).filter(pk=centre_id).exists()
    ):
        raise DeliveryError(
            "forbidden", _("Only the staff of this test centre can do that.")
        )


def attempts_of(technician_id: int) -> QuerySet[Attempt]:
    return Attempt.objects.filter(technician_id=technician_id).order_by(
        "-created_at", "-id"
    )


def results_of(technician_id: int) -> QuerySet[Attempt]:
    """Scored exam attempts (not practice), newest first: the score reports."""
    return attempts_of(technician_id).filter(
        status__in=SCORED_STATUSES, kind__in=[AttemptKind.INITIAL, AttemptKind.RECERT]
    )


def access_own_score_report(user: Any, attempt_id: int) -> Attempt:
    """The candidate's own scored exam attempt, whose score report they may
    download; Http404 for anyone else's, and for one not scored (unfinished,
    voided, a practice test: no report)."""
    attempt = access_own_attempt(user, attempt_id)
    if not results_of(attempt.technician_id).filter(pk=attempt.pk).exists():
        raise Http404("No score report.")
    return attempt


def open_attempts_of(technician_id: int) -> QuerySet[Attempt]:
    return attempts_of(technician_id).filter(
        status__in=[
            AttemptStatus.AUTHORISED,
            AttemptStatus.IN_PROGRESS,
            AttemptStatus.PAUSED,
        ]
    )


@dataclass(frozen=True, slots=True)
class PlayerItem:
    id: int
    number: int
    stem: str
    options: list[str]
    image: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "n": self.number,
            "stem": self.stem,
            "options": self.options,
            "image": self.image,
        }


def player_items(attempt: Attempt) -> list[PlayerItem]:
    """The attempt's items in the order the candidate sees them (the form's order
    shuffled by the attempt's seed), without anything secret."""
    rows = list(
        FormItem.objects.filter(form_id=attempt.form_id)
        .order_by("position")
        .values_list(
            "pk", "item_version__stem", "item_version__options", "item_version__image"
        )
    )
    if attempt.seed:
        random.Random(attempt.seed).shuffle(rows)
    return [
        PlayerItem(
            id=pk,
            number=n,
            stem=stem,
            options=list(options),
            # Served by delivery:image to this attempt only, never from /media/.
            image=reverse("delivery:image", args=[attempt.pk, pk]) if image else "",
        )
        for n, (pk, stem, options, image) in enumerate(rows, start=1)
    ]


def saved_answers(attempt_id: int) -> dict[int, dict[str, Any]]:
    """Per form item id, the stored answer: choice, flagged, seq."""
    return {
        item_id: {"choice": choice, "flagged": flagged, "seq": seq}
        for item_id, choice, flagged, seq in Response.objects.filter(
            attempt_id=attempt_id
        ).values_list("form_item_id", "choice", "flagged", "client_seq")
    }


def max_seq(attempt_id: int) -> int:
    return (
        Response.objects.filter(attempt_id=attempt_id).aggregate(m=Max("client_seq"))[
            "m"
        ]
        or 0
    )


def attempt_clock(attempt: Attempt) -> dict[str, Any]:
    """The state the player's clock and screens follow (no secrets)."""
    return {
        "id": attempt.pk,
        "status": attempt.status,
        "version": attempt.version,
        "practice": attempt.is_practice,
        "timed": not attempt.is_practice,
        "remaining": attempt.remaining_seconds(clock_now()),
        "budget": attempt.budget_seconds,
    }


def practice_tests(technician_id: int) -> list[str]:
    """The tests whose practice tests the candidate may take."""
    return entitled_tests(technician_id, EntitlementKind.PRACTICE)


def item_count(attempt: Attempt) -> int:
    """How many questions the attempt's form has (the tutorial says it before the
    items themselves are sent)."""
    return FormItem.objects.filter(form_id=attempt.form_id).count()


def attempt_image(attempt: Attempt, form_item_id: int) -> str:
    """The storage name of the image of one item of the attempt's form ("" when
    the item is not on the form or has no image)."""
    return (
        FormItem.objects.filter(pk=form_item_id, form_id=attempt.form_id)
        .values_list("item_version__image", flat=True)
        .first()
        or ""
    )


def _pass_mark(form: Form) -> int:
    """The scaled score of the form's cut (every form a candidate sits is published,
    so both are set)."""
    if form.scale is None or form.cut_score is None:
        return SCALE_PASS
    return int(form.scale[form.cut_score])


def attempt_result_context(attempt: Attempt) -> dict[str, Any]:
    """What the result page, report and e-mail show."""
    spec = current_program().tests.get(attempt.test)
    technician = attempt.technician
    return {
        "attempt": attempt,
        "technician": technician,
        "test_code": attempt.test,
        "test_name": spec.name if spec is not None else attempt.test,
        "passed": attempt.passed,
        "scaled": attempt.scaled_score,
        # The test date as recorded on the result fact (the centre's local day), so
        # the pages and e-mail agree with the certification; practice has no fact.
        "date": (
            attempt.result.date
            if attempt.result is not None
            else timezone.localdate(attempt.submitted_at)
            if attempt.submitted_at is not None
            else None
        ),
        # The form's own pass mark on the reported scale (the scaled score of its cut).
        "scale_pass": _pass_mark(attempt.form),
        "scale_low": SCALE_MIN,
        "scale_high": SCALE_MAX,
        "raw": attempt.raw_score,
        "of": attempt.scored_items,
        "areas": [
            {**a, "percent": round(100 * a["raw"] / a["of"]) if a["of"] else 0}
            for a in attempt.area_scores
        ],
        "report_url": settings.CERTWRIGHT_SITE_URL
        + reverse("delivery:report", args=[attempt.pk]),
    }


# What the score report shows of an attempt, and when it happened: never the form,
# the seed that ordered its items, the launch code or the device binding.
ATTEMPT_EXPORT_FIELDS = (
    "id",
    "test",
    "kind",
    "status",
    "appointment_id",
    "authorised_at",
    "started_at",
    "budget_seconds",
    "accommodation_seconds",
    "extended_seconds",
    "deadline",
    "submitted_at",
    "ended_by",
    "raw_score",
    "scored_items",
    "area_scores",
    "passed",
    "scaled_score",
    "result_id",
    "created_at",
)


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """delivery's part of the technician's data export: their accommodations,
    their attempts with what the score report shows (scores by content area, pass
    or fail), and the incidents noted at their exams. Never their answers item by
    item, an item or its key: the exams' items are live."""
    own = {"technician_id": technician.pk}
    return export_part(
        Accommodation.objects.filter(**own),
        (Attempt.objects.filter(**own), {"only": ATTEMPT_EXPORT_FIELDS}),
        Incident.objects.filter(**own),
    )
