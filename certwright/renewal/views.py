"""The technician's renewal subscription page (/renewal/): what the app is and the
price today, or the subscription with what each certification has earned, and the
"Add to cart" that buys a year."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.core import clock
from certwright.core.program import current_program
from certwright.renewal import selectors, services
from certwright.renewal.errors import RenewalError
from certwright.renewal.forms import SubscribeForm

NOT_CANDIDATE = "renewal/not_candidate.html"


@candidate_required(NOT_CANDIDATE)
def home(request: HttpRequest, technician: Technician) -> HttpResponse:
    return _page(
        request,
        technician,
        SubscribeForm(initial={"time_zone": selectors.time_zone_chosen(technician.pk)}),
    )


def _page(
    request: HttpRequest, technician: Technician, form: SubscribeForm, status: int = 200
) -> HttpResponse:
    program = current_program()
    today = clock.today()
    current = selectors.subscription_current(technician_id=technician.pk, on=today)
    queued = selectors.subscription_queued(technician_id=technician.pk, today=today)
    shown = current or queued
    starts_on = selectors.subscription_next_start(
        technician_id=technician.pk, today=today
    )
    period = program.fees_on(today)
    return render(
        request,
        "renewal/home.html",
        {
            "policy": program.renewal,
            "subscription": shown,
            "queued": queued if current is not None else None,
            "taking_part": (
                selectors.taking_part(shown, program=program) if shown else []
            ),
            "questions": selectors.questions_waiting(
                technician_id=technician.pk, now=clock.now()
            ),
            "eligible": [
                (code, program.tests[code].name if code in program.tests else code)
                for code in selectors.renewal_eligible_tests(
                    technician_id=technician.pk, starts_on=starts_on, program=program
                )
            ],
            "starts_on": starts_on,
            "period": period,
            "price_cents": period.renewal_cents if period else None,
            "reasons": selectors.renewal_purchase_reasons(
                technician_id=technician.pk, today=today
            ),
            "form": form,
        },
        status=status,
    )


@require_POST
@candidate_required(NOT_CANDIDATE)
def subscribe(request: HttpRequest, technician: Technician) -> HttpResponse:
    """Put a year of the renewal app in the cart, with the chosen time zone."""
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, technician, form, status=400)
    try:
        services.subscription_to_cart(
            technician_id=technician.pk, time_zone=form.cleaned_data["time_zone"]
        )
    except (RenewalError, ValidationError) as exc:
        texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        for text in texts:
            messages.error(request, str(text))
        return redirect("renewal:home")
    messages.success(
        request, _("The renewal app subscription is in your cart: check out there.")
    )
    return redirect("commerce:cart")
