"""The exam player's pages and its small JSON endpoints, the result and score
report, practice tests and study material.

The JSON endpoints (``save``, ``save_many``, ``state``, ``start``, ``submit``) use
the session and
Django's CSRF check (the player sends the token in ``X-CSRFToken``); they answer
JSON, never a redirect, so the player can tell "saved" from "refused" from
"offline". ``save`` is the hot path: it reads nothing but the session and calls
``answer_save``, which checks ownership in its one statement; ``save_many`` takes
the player's whole queue after a reconnect, in one statement too.

A proctored attempt runs on one workstation: ``launch`` takes the proctor's launch
code and gives that browser the seat token in a cookie scoped to the attempt's
URLs; every page and endpoint that shows items or changes the attempt passes it
to the services (``device``). A request from another browser is refused and noted
for the proctor (``launch.device_refusal_record``).
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.commerce.models import EntitlementKind
from certwright.commerce.selectors import has_entitlement
from certwright.delivery import selectors
from certwright.delivery.answers import (
    MAX_BATCH_ANSWERS,
    AnswerIn,
    SaveRefusal,
    answer_save,
    answers_save_many,
    attempt_position_save,
)
from certwright.delivery.attempts import (
    attempt_lazy_close,
    attempt_start,
    attempt_submit,
    practice_attempt_create,
)
from certwright.delivery.errors import DeliveryError
from certwright.delivery.launch import attempt_launch, device_refusal_record
from certwright.delivery.models import Attempt, AttemptStatus
from certwright.delivery.practice import practice_offer, practice_review, study_material
from certwright.delivery.reports import report_pdf as render_pdf
from certwright.delivery.save_pass import save_pass_issue
from certwright.delivery.seats import (
    SEAT_COOKIE,
    attempt_holds_seat,
    device_error,
)
from certwright.scheduling.selectors import request_actor

View = Callable[..., HttpResponse]
# An account without a technician record has no attempts, practice or study.
NO_TECHNICIAN = "portal/no_technician.html"

# Refusals: the request is wrong (400), the attempt is not the caller's (404), or
# the exam's state does not allow it now (409: the player reloads its state).
_STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "signed_out": 401,
    "item": 400,
    "choice": 400,
    "seq": 400,
    "flagged": 400,
    "position": 400,
    "bad_request": 400,
    "batch": 400,
    "finished": 409,
    "paused": 409,
    "not_started": 409,
    "deadline": 409,
    "state": 409,
    "stale": 409,
    # Not this workstation: the player reloads and shows why.
    "device": 409,
    "launch": 409,
}

# The seat token's cookie, one per attempt, sent only to that attempt's URLs.
SEAT_COOKIE_MAX_AGE = 24 * 3600


def _seat(request: HttpRequest, attempt_id: int) -> str | None:
    return request.COOKIES.get(SEAT_COOKIE.format(attempt_id=attempt_id))


def _device_label(request: HttpRequest) -> str:
    """What the proctor's console shows of a browser: its address and agent."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:140] or "?"
    address = request.META.get("REMOTE_ADDR", "") or "?"
    return f"{address} · {agent}"


def _error(code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "error": code, "message": message},
        status=_STATUS.get(code, 400),
    )


def _refused(
    error: DeliveryError, request: HttpRequest | None = None, attempt_id: int = 0
) -> JsonResponse:
    if error.code == "device" and request is not None:
        device_refusal_record(
            attempt_id=attempt_id,
            by=request_actor(request),
            device_label=_device_label(request),
        )
    return _error(str(error.code or "bad_request"), " ".join(error.messages))


def json_login_required(view: View) -> View:
    """Signed in, or a 401 JSON answer (the player shows "signed out")."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _error("signed_out", _("You are signed out. Sign in again."))
        return view(request, *args, **kwargs)

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DeliveryError("bad_request", _("The request is not JSON.")) from None
    except RecursionError:
        # json.loads recurses once per nesting level: a body of 100,000 brackets
        # exhausts the stack long before any limit of ours would apply.
        raise DeliveryError(
            "bad_request", _("The request is nested too deeply.")
        ) from None
    if not isinstance(data, dict):
        raise DeliveryError("bad_request", _("The request is not a JSON object."))
    return data


@require_POST
@json_login_required
def save(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Save one answer: ``{"item": id, "choice": 0-3 | null, "flagged": bool,
    "seq": n}``. Answered only after the answer is committed."""
    try:
        data = _body(request)
        ack = answer_save(
            attempt_id=attempt_id,
            form_item_id=data.get("item"),  # type: ignore[arg-type]
            choice=data.get("choice"),
            flagged=data.get("flagged", False),
            client_seq=data.get("seq"),  # type: ignore[arg-type]
            by=request_actor(request),
            feedback=data.get("feedback") is True,
            device=_seat(request, attempt_id),
        )
    except DeliveryError as error:
        return _refused(error, request, attempt_id)
    return JsonResponse(ack.as_json())


def _refusal(refusal: SaveRefusal) -> dict[str, Any]:
    """One answer of a batch refused on its own: the single save's refusal, with
    the status it would have answered and what the answer named."""
    return {
        "ok": False,
        "item": refusal.form_item_id,
        "seq": refusal.client_seq,
        "error": refusal.code,
        "message": refusal.message,
        "status": _STATUS.get(refusal.code, 400),
    }


def _batch_body(data: dict[str, Any]) -> list[AnswerIn]:
    """The batch's answers as the service takes them (their values unchecked: the
    service refuses each bad one on its own)."""
    answers = data.get("answers")
    if not isinstance(answers, list):
        raise DeliveryError(
            "batch", _('The request needs a list of answers under "answers".')
        )
    out = []
    for n, entry in enumerate(answers, start=1):
        if not isinstance(entry, dict):
            raise DeliveryError(
                "batch",
                _("Answer %(n)d of the batch is not a JSON object.") % {"n": n},
            )
        out.append(
            AnswerIn(
                form_item_id=entry.get("item"),  # type: ignore[arg-type]
                choice=entry.get("choice"),
                flagged=entry.get("flagged", False),
                client_seq=entry.get("seq"),  # type: ignore[arg-type]
            )
        )
    return out


@require_POST
@json_login_required
def save_many(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Save the player's queue in one request: ``{"answers": [answer, ...]}``, each
    answer as ``save`` takes it (one per item). Answered after the commit with
    ``{"ok": true, "acks": [...]}``, one per answer in order: ``save``'s ack, or
    ``{"ok": false, "item", "seq", "error", "message", "status"}`` for one refused
    on its own (the others are saved). What concerns the whole attempt (signed
    out, not the caller's, another workstation, paused, finished, time up) is
    refused for the batch exactly as ``save`` refuses it."""
    try:
        data = _body(request)
        acks = answers_save_many(
            attempt_id=attempt_id,
            answers=_batch_body(data),
            by=request_actor(request),
            feedback=data.get("feedback") is True,
            device=_seat(request, attempt_id),
        )
    except DeliveryError as error:
        return _refused(error, request, attempt_id)
    return JsonResponse(
        {
            "ok": True,
            "acks": [
                _refusal(a) if isinstance(a, SaveRefusal) else a.as_json() for a in acks
            ],
        }
    )


@require_POST
@json_login_required
def position(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Remember the question on screen: ``{"position": n}`` (0-based, in the
    attempt's order). The exam reopens there, in this browser or another."""
    try:
        data = _body(request)
        stored = attempt_position_save(
            attempt_id=attempt_id,
            position=data.get("position"),  # type: ignore[arg-type]
            by=request_actor(request),
            device=_seat(request, attempt_id),
        )
    except DeliveryError as error:
        return _refused(error, request, attempt_id)
    return JsonResponse({"ok": True, "position": stored})


def _save_pass(request: HttpRequest, attempt: Any) -> str:
    """A pass for this session to save answers to the candidate's own ``attempt``
    (delivery/save_pass.py), sent as the ``X-Save-Pass`` header; empty once the
    attempt is over or without a session."""
    key = request.session.session_key
    user_id = request.user.pk
    if attempt.is_finished or not key or user_id is None:
        return ""
    return save_pass_issue(attempt_id=attempt.pk, user_id=user_id, session_key=key)


def _state(attempt: Any) -> dict[str, Any]:
    state = selectors.attempt_clock(attempt)
    state["ok"] = True
    state["result_url"] = (
        reverse("delivery:result", args=[attempt.pk]) if attempt.is_finished else ""
    )
    return state


@never_cache
@require_GET
@json_login_required
def state(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The clock and status (polled by the player); with ``?answers=1`` also the
    saved answers, for a player that reloads."""
    try:
        attempt = selectors.access_own_attempt(request.user, attempt_id)
    except Http404:
        return _error("not_found", _("There is no such exam attempt."))
    attempt = attempt_lazy_close(attempt)
    body = _state(attempt)
    body["save_pass"] = _save_pass(request, attempt)
    if request.GET.get("answers"):
        # The answers are the exam's: only its workstation reads them back.
        holds = attempt_holds_seat(
            attempt, request_actor(request), _seat(request, attempt.pk)
        )
        if not holds and not attempt.is_finished:
            return _refused(device_error(attempt), request, attempt.pk)
        body["answers"] = {
            str(k): v for k, v in selectors.saved_answers(attempt.pk).items()
        }
        body["max_seq"] = selectors.max_seq(attempt.pk)
    return JsonResponse(body)


def _transition(service: Callable[..., Attempt]) -> View:
    """A POST endpoint calling ``service(attempt_id=, by=, device=)`` for the
    candidate and answering the attempt's new state."""

    @require_POST
    @json_login_required
    def view(request: HttpRequest, attempt_id: int) -> HttpResponse:
        try:
            attempt = service(
                attempt_id=attempt_id,
                by=request_actor(request),
                device=_seat(request, attempt_id),
            )
        except DeliveryError as error:
            return _refused(error, request, attempt_id)
        return JsonResponse(_state(attempt))

    return view


# The candidate starts the clock after the tutorial; submits (replays are no-ops).
start = _transition(attempt_start)
submit = _transition(attempt_submit)


# --- pages ---------------------------------------------------------------------------


def _player_text() -> dict[str, str]:
    """The player's words, translated here (the script has no gettext)."""
    return {
        "question": _("Question %(n)s of %(total)s"),
        "saved": _("All answers saved"),
        "saving": _("Saving…"),
        "offline": _("Offline — answers kept on this device (%(n)s waiting)"),
        "retrying": _(
            "Saving… the server did not answer; trying again (%(n)s waiting)"
        ),
        "signed_out": _(
            "You are signed out: sign in again in another tab; answers are kept here"
        ),
        "paused": _("Paused by the proctor"),
        "unanswered": _("unanswered"),
        "answered": _("answered"),
        "flagged": _("flagged"),
        "none": _("None."),
        "summary": _("%(answered)s of %(total)s answered, %(flagged)s flagged."),
        "confirm": _(
            "You have %(unanswered)s unanswered question(s) and %(flagged)s flagged"
            " for review. After submitting you cannot change any answer."
        ),
        "time_up": _("The time is up. Submitting…"),
        "time_up_offline": _(
            "The time is up. Reconnect to send your last answers; everything already"
            " saved is kept."
        ),
        "right": _("Correct."),
        "incorrect": _("Not quite: the answer is %(key)s."),
        "go_to": _("Question %(n)s"),
        "option": _("Option %(letter)s"),
        "figure": _("Figure for question %(n)s"),
        "refused": _("This answer was not accepted: %(message)s"),
    }


def _launch_page(
    request: HttpRequest, attempt: Attempt, *, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "delivery/launch.html",
        {"attempt": attempt, "error": error},
        status=status,
    )


def _elsewhere_page(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """Another workstation holds the attempt: refused, and noted for the proctor."""
    device_refusal_record(
        attempt_id=attempt.pk,
        by=request_actor(request),
        device_label=_device_label(request),
    )
    return render(request, "delivery/elsewhere.html", {"attempt": attempt}, status=403)


@never_cache
@login_required
def player(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The exam: the tutorial before the start, then one item per screen. A
    proctored attempt shows only at its workstation: the launch-code page until a
    browser is launched, a refusal on any other."""
    attempt = selectors.access_own_attempt(request.user, attempt_id)
    attempt = attempt_lazy_close(attempt)
    if attempt.is_finished:
        return redirect("delivery:result", attempt_id=attempt.pk)
    by = request_actor(request)
    if not attempt_holds_seat(attempt, by, _seat(request, attempt.pk)):
        if not attempt.device_hash:
            return _launch_page(request, attempt)
        return _elsewhere_page(request, attempt)
    # The items reach the browser only once the clock runs: before the start the
    # page holds the tutorial alone (the player reloads after Start).
    started = attempt.status != AttemptStatus.AUTHORISED
    items = selectors.player_items(attempt) if started else []
    answers = {str(k): v for k, v in selectors.saved_answers(attempt.pk).items()}
    return render(
        request,
        "delivery/player.html",
        {
            "attempt": attempt,
            # A practice test starts in progress: its tutorial shows until the
            # first answer.
            "tutorial": not started or (attempt.is_practice and not answers),
            "items": items,
            "item_count": len(items) if started else selectors.item_count(attempt),
            "player": {
                "attempt": selectors.attempt_clock(attempt),
                "items": [i.as_json() for i in items],
                "answers": answers,
                "max_seq": selectors.max_seq(attempt.pk),
                "batch_max": MAX_BATCH_ANSWERS,
                "save_pass": _save_pass(request, attempt),
                # Where the candidate last was, for a browser that has no record.
                "position": attempt.last_position,
                # Read for every request: signing in again changes the token.
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "text": _player_text(),
                "urls": {
                    "save": reverse("delivery:save", args=[attempt.pk]),
                    "save_many": reverse("delivery:save_many", args=[attempt.pk]),
                    "state": reverse("delivery:state", args=[attempt.pk]),
                    "start": reverse("delivery:start", args=[attempt.pk]),
                    "submit": reverse("delivery:submit", args=[attempt.pk]),
                    "position": reverse("delivery:position", args=[attempt.pk]),
                    "result": reverse("delivery:result", args=[attempt.pk]),
                },
            },
        },
    )


@never_cache
@require_POST
@login_required
def launch(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The workstation at the seat enters the proctor's launch code: this browser
    gets the seat token (an HttpOnly cookie for this attempt's URLs only)."""
    attempt = selectors.access_own_attempt(request.user, attempt_id)
    try:
        attempt, token = attempt_launch(
            attempt_id=attempt.pk,
            code=request.POST.get("code", ""),
            by=request_actor(request),
            device_label=_device_label(request),
        )
    except DeliveryError as error:
        attempt.refresh_from_db()
        if attempt.is_finished:
            return redirect("delivery:result", attempt_id=attempt.pk)
        if error.code == "device":
            return _elsewhere_page(request, attempt)
        return _launch_page(
            request, attempt, error=" ".join(error.messages), status=400
        )
    response = redirect("delivery:player", attempt_id=attempt.pk)
    response.set_cookie(
        SEAT_COOKIE.format(attempt_id=attempt.pk),
        token,
        max_age=SEAT_COOKIE_MAX_AGE,
        path=reverse("delivery:player", args=[attempt.pk]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


@never_cache
@require_GET
@login_required
def image(
    request: HttpRequest, attempt_id: int, form_item_id: int
) -> HttpResponse | FileResponse:
    """An item's image, for the candidate sitting a started attempt whose form holds
    it, at its workstation; never public (MEDIA_ROOT has no URL). Behind a proxy
    with CERTWRIGHT_MEDIA_ACCEL_PREFIX set, the proxy sends the file
    (X-Accel-Redirect) after this check."""
    attempt = selectors.access_own_attempt(request.user, attempt_id)
    if attempt.status not in (
        AttemptStatus.IN_PROGRESS,
        AttemptStatus.PAUSED,
    ) or not attempt_holds_seat(
        attempt, request_actor(request), _seat(request, attempt.pk)
    ):
        raise Http404("No such image.")
    name = selectors.attempt_image(attempt, form_item_id)
    if not name or not default_storage.exists(name):
        raise Http404("No such image.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.CERTWRIGHT_MEDIA_ACCEL_PREFIX
    response: HttpResponse | FileResponse
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + name
    else:
        response = FileResponse(default_storage.open(name), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _finished_or_player(
    request: HttpRequest, attempt_id: int
) -> tuple[Attempt, HttpResponse | None]:
    """The candidate's finished attempt, or (for an unfinished one) the way back
    to the exam."""
    attempt = selectors.access_own_attempt(request.user, attempt_id)
    attempt = attempt_lazy_close(attempt)
    if not attempt.is_finished:
        return attempt, redirect("delivery:player", attempt_id=attempt.pk)
    return attempt, None


@never_cache
@login_required
def result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """What the candidate sees at the end: pass or fail, the scaled score and the
    content areas."""
    attempt, elsewhere = _finished_or_player(request, attempt_id)
    if elsewhere is not None:
        return elsewhere
    if attempt.status in (AttemptStatus.VOIDED, AttemptStatus.LAPSED):
        # Ended by the proctor: no score, no result, no e-mail to speak of.
        appointment = attempt.appointment
        centre = appointment.centre if appointment is not None else None
        return render(
            request, "delivery/voided.html", {"attempt": attempt, "centre": centre}
        )
    if attempt.is_practice:
        return _practice_summary(request, attempt)
    context = selectors.attempt_result_context(attempt)
    return render(request, "delivery/result.html", context)


def _practice_summary(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """The end of a practice test: how many first answers were right, and every
    question with the answer chosen, the key and the rationale (while the
    practice entitlement lasts: keys and rationales are what it sells)."""
    context = selectors.attempt_result_context(attempt)
    entitled = has_entitlement(
        attempt.technician_id, attempt.test, EntitlementKind.PRACTICE
    )
    review = practice_review(attempt) if entitled else []
    context.update(
        {
            "entitled": entitled,
            "review": review,
            "right": sum(1 for q in review if q.correct),
            "answered": sum(1 for q in review if q.chosen is not None),
            "total": len(review),
        }
    )
    return render(request, "delivery/practice_summary.html", context)


def _scored_exam_or_elsewhere(
    request: HttpRequest, attempt_id: int
) -> tuple[Attempt, HttpResponse | None]:
    """A scored exam's attempt for its score report; a voided one goes to its
    result page (which says it was ended), a practice test has no report (404)."""
    attempt, elsewhere = _finished_or_player(request, attempt_id)
    if elsewhere is None and attempt.is_practice:
        raise Http404("a practice test has no score report")
    if elsewhere is None and attempt.status in (
        AttemptStatus.VOIDED,
        AttemptStatus.LAPSED,
    ):
        elsewhere = redirect("delivery:result", attempt_id=attempt.pk)
    return attempt, elsewhere


@login_required
def report(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt, elsewhere = _scored_exam_or_elsewhere(request, attempt_id)
    if elsewhere is not None:
        return elsewhere
    context = selectors.attempt_result_context(attempt)
    return render(request, "delivery/report.html", context)


@login_required
def report_pdf(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt, elsewhere = _scored_exam_or_elsewhere(request, attempt_id)
    if elsewhere is not None:
        return elsewhere
    pdf = render_pdf(attempt)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="score-report-{attempt.test}-{attempt.pk}.pdf"'
    )
    return response


@candidate_required(NO_TECHNICIAN)
def attempt_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    return render(
        request,
        "delivery/attempt_list.html",
        {
            "open": list(selectors.open_attempts_of(technician.pk)),
            "results": list(selectors.results_of(technician.pk)),
            "practice": list(
                selectors.attempts_of(technician.pk).filter(kind="practice")[:20]
            ),
            "practice_tests": [
                (test, practice_offer(test))
                for test in selectors.practice_tests(technician.pk)
            ],
        },
    )


@require_POST
@candidate_required(NO_TECHNICIAN)
def practice_start(
    request: HttpRequest, technician: Technician, test: str
) -> HttpResponse:
    from django.contrib import messages

    try:
        attempt = practice_attempt_create(
            technician_id=technician.pk, test=test, actor=request_actor(request)
        )
    except DeliveryError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("delivery:attempt_list")
    return redirect("delivery:player", attempt_id=attempt.pk)


@candidate_required(NO_TECHNICIAN)
def study(request: HttpRequest, technician: Technician, test: str) -> HttpResponse:
    if not has_entitlement(technician.pk, test, EntitlementKind.STUDY):
        return render(request, "delivery/study_locked.html", {"test": test}, status=403)
    try:
        material = study_material(test)
    except KeyError:
        raise Http404("no such test") from None
    return render(
        request,
        "delivery/study.html",
        {
            "material": material,
            "offer": practice_offer(test),
            "practice": has_entitlement(technician.pk, test, EntitlementKind.PRACTICE),
        },
    )
