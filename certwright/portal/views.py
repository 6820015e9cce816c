"""Candidate portal pages: the dashboard (/me/), with the one-click recertification
of a certification (/me/keep/<test>/), and the tests on offer (/me/catalog/).

The tests page is public; a signed-in candidate also sees, for each test, whether they
can buy it now and if not why, and their progress toward each title.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certwright.accounts.selectors import check_program_staff
from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.candidates.selectors import experience_review_queue, technician_for_user
from certwright.commerce.services import cart_recert_add
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.core.roles import Role, user_has_role
from certwright.credentials.selectors import technician_facts
from certwright.portal.navigation import landing_url
from certwright.portal.selectors import (
    candidate_state,
    eligibility_for,
    fees_summary,
    offered_series,
    offered_test,
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    technician = technician_for_user(request.user)
    if technician is None:
        if not user_has_role(request.user, Role.CANDIDATE):
            # A proctor, employer or staff member has a page of their own.
            return redirect(landing_url(request.user))
        return render(request, "portal/no_technician.html")
    program = current_program()
    state = candidate_state(technician=technician, program=program, day=today())
    return render(
        request,
        "portal/dashboard.html",
        {"state": state, "technician": technician, "program": program},
    )


def _keep_anchor(code: str) -> HttpResponseRedirect:
    """The dashboard at the card of test ``code`` (only letters and digits reach
    the fragment)."""
    clean = re.sub(r"[^A-Z0-9]", "", code.upper())[:16]
    return redirect(reverse("portal:dashboard") + f"#keep-{clean}")


@login_required
def keep(request: HttpRequest, code: str) -> HttpResponse:
    """Where a reminder e-mail's link lands (a GET: a link cannot POST): the
    certification's card on the dashboard, with its ways to keep it and the
    one-click button. Through the sign-in page too, which keeps this path in
    ``next`` but would drop a ``#fragment``."""
    return _keep_anchor(code)


@require_POST
@candidate_required("portal/no_technician.html")
def recertify(request: HttpRequest, technician: Technician, code: str) -> HttpResponse:
    """One click: the certification's recertification test into the cart."""
    try:
        placed = cart_recert_add(technician_id=technician.pk, test=code)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _keep_anchor(code)
    test = placed.line.test
    if placed.created:
        messages.success(
            request,
            _(
                "The %(test)s recertification test is in your cart, at the "
                "recertification fee."
            )
            % {"test": test},
        )
    else:
        messages.info(
            request,
            _("The %(test)s recertification test is already in your cart.")
            % {"test": test},
        )
    return redirect("commerce:cart")


def tests_page(request: HttpRequest) -> HttpResponse:
    program = current_program()
    day = today()
    series = offered_series(program, day)
    context: dict[str, Any] = {
        "program": program,
        "day": day,
        "series": series,
        "fees": fees_summary(program, day),
        "technician": None,
    }
    technician = technician_for_user(request.user)
    if technician is not None:
        facts = technician_facts(technician.pk)
        eligibility = eligibility_for(
            technician_id=technician.pk, program=program, day=day, facts=facts
        )
        for group in series:
            for row in group["tests"]:
                row["eligibility"] = eligibility.get(row["code"], {})
        state = candidate_state(
            technician=technician,
            program=program,
            day=day,
            facts=facts,
            ways_to_keep=False,
        )
        context.update(technician=technician, titles=state["titles"])
    return render(request, "portal/tests.html", context)


def test_page(request: HttpRequest, code: str) -> HttpResponse:
    program = current_program()
    day = today()
    try:
        detail = offered_test(program, code, day)
    except KeyError:
        raise Http404("no such test") from None
    context: dict[str, Any] = {
        "program": program,
        "test": detail,
        "fees": fees_summary(program, day),
        "eligibility": None,
    }
    technician = technician_for_user(request.user)
    if technician is not None:
        context["eligibility"] = eligibility_for(
            technician_id=technician.pk, program=program, day=day, tests=[code]
        )[code]
    return render(request, "portal/test.html", context)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where sign-in sends everyone (``LOGIN_REDIRECT_URL``): on to the page of
    their role (``navigation.landing_url``)."""
    return redirect(landing_url(request.user))


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Program staff's landing page: the review queue, item analysis, the proctor
    console and the admin, with what waits for them."""
    check_program_staff(request.user)
    return render(
        request,
        "portal/staff_home.html",
        {
            "program": current_program(),
            "reviews_waiting": experience_review_queue().count(),
        },
    )
