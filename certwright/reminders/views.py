"""The technician's reminder settings (/reminders/) and the one-click unsubscribe
(/reminders/unsubscribe/<token>/) that every reminder e-mail links to."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.core.program import current_program
from certwright.reminders.forms import ReminderChoiceForm
from certwright.reminders.models import ReminderChoice
from certwright.reminders.selectors import reminder_choice, technician_reminders
from certwright.reminders.services import reminder_preference_set
from certwright.reminders.tokens import unsubscribe_technician_id

UNSUBSCRIBE_ACTOR = "unsubscribe-link"


@candidate_required("reminders/no_technician.html")
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest, technician: Technician) -> HttpResponse:
    """Choose which expiry reminders come by e-mail."""
    status = 200
    if request.method == "POST":
        form = ReminderChoiceForm(request.POST)
        if form.is_valid():
            changed = reminder_preference_set(
                technician_id=technician.pk,
                choice=form.cleaned_data["choice"],
                actor=request.user,  # type: ignore[arg-type]
            )
            if changed:
                messages.success(request, _("Your reminder choice is saved."))
            return redirect("reminders:settings")
        status = 400
    else:
        form = ReminderChoiceForm(initial={"choice": reminder_choice(technician.pk)})
    ladder = current_program().reminders
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "before_days": sorted(ladder.before_days, reverse=True),
            "after_days": sorted(ladder.after_days),
            "estimated": ladder.estimated,
            "recent": list(technician_reminders(technician.pk)[:10]),
        },
        status=status,
    )


# No session and no CSRF token: RFC 8058's one-click POST comes from the mail client,
# and the signed token is the proof. A GET only asks (link scanners follow links).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    technician_id = unsubscribe_technician_id(token)
    technician = (
        Technician.objects.filter(pk=technician_id).first()
        if technician_id is not None
        else None
    )
    if technician is None:
        return render(request, "reminders/unsubscribe_bad.html", status=400)
    if request.method == "POST":
        reminder_preference_set(
            technician_id=technician.pk,
            choice=ReminderChoice.NONE,
            actor=UNSUBSCRIBE_ACTOR,
        )
        return render(request, "reminders/unsubscribed.html")
    return render(
        request,
        "reminders/unsubscribe.html",
        {"already": reminder_choice(technician.pk) == ReminderChoice.NONE},
    )
