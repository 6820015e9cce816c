"""The renewal questions on a phone (/renewal/questions/): the list, one question
before and after opening, the answer and its result, and the web app manifest.

The key and the rationale are put in a page only once the answer is recorded: the
templates get them from ``_result`` alone, which is empty before then.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.renewal.answer_pass import answer_pass_issue
from certwright.renewal.answers import (
    LETTERS,
    choice_parse,
    question_answer,
    question_open,
)
from certwright.renewal.dispatch import moment_words
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import Question, QuestionStatus
from certwright.renewal.selectors import credits_earned, question_of, questions_of

REFUSAL = "renewal/no_technician.html"
THEME = "#1f5f99"  # the site's brand colour (core/site.css --brand)


def _question(technician: Technician, question_id: int) -> Question:
    question = question_of(technician_id=technician.pk, question_id=question_id)
    if question is None:
        raise Http404("no such question")
    return question


def _status(question: Question) -> str:
    """The status as of now: a question whose time is over reads as such before
    any sweep has marked it."""
    moment = now()
    if question.status == QuestionStatus.WAITING and moment >= question.answer_by:
        return QuestionStatus.EXPIRED
    if (
        question.status == QuestionStatus.OPEN
        and question.due_at is not None
        and moment >= question.due_at
    ):
        return QuestionStatus.TIMED_OUT
    return str(question.status)


def _result(question: Question) -> dict[str, Any]:
    """What the page shows once the answer is recorded; nothing before."""
    if question.answered_at is None or question.choice is None:
        return {}
    version = question.item_version
    return {
        "chosen": LETTERS[question.choice],
        "correct": question.correct,
        "key": LETTERS[version.key],
        "key_text": version.options[version.key],
        "rationale": version.rationale,
        "credited": question.credit_id is not None,
    }


def _zone(question: Question) -> str:
    return question.subscribed.subscription.time_zone


@candidate_required(REFUSAL)
@require_GET
def question_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    rows = [
        {
            "question": q,
            "status": _status(q),
            "answer_by": moment_words(q.answer_by, _zone(q)),
        }
        for q in questions_of(technician.pk)
    ]
    return render(
        request,
        "renewal/questions.html",
        {
            "waiting": [
                r
                for r in rows
                if r["status"] in (QuestionStatus.WAITING, QuestionStatus.OPEN)
            ],
            "done": [
                r
                for r in rows
                if r["status"] not in (QuestionStatus.WAITING, QuestionStatus.OPEN)
            ],
        },
    )


def _answer_pass(request: HttpRequest, question: Question) -> str:
    """A pass for this session to answer the technician's own ``question``
    (renewal/answer_pass.py), sent with the answer form; empty without a
    session."""
    key = request.session.session_key
    user = request.user
    if not key or user.pk is None:
        return ""
    return answer_pass_issue(
        question_id=question.pk,
        technician_id=question.technician_id,
        user_id=user.pk,
        username=user.get_username(),
        session_key=key,
    )


def _detail(
    request: HttpRequest, question: Question, *, error: str = "", status: int = 200
) -> HttpResponse:
    policy = current_program().renewal
    shown = _status(question)
    seconds_left = 0
    if shown == QuestionStatus.OPEN and question.due_at is not None:
        seconds_left = max(0, math.ceil((question.due_at - now()).total_seconds()))
    version = question.item_version
    asking = shown == QuestionStatus.OPEN and question.answered_at is None
    return render(
        request,
        "renewal/question.html",
        {
            "question": question,
            "status": shown,
            "error": error,
            "time_limit_minutes": policy.time_limit_minutes,
            "answer_by": moment_words(question.answer_by, _zone(question)),
            "due_at": question.due_at,
            "seconds_left": seconds_left,
            # Stem and options only once opened and not yet over; never the key.
            "stem": version.stem if asking else "",
            "options": list(zip(LETTERS, version.options, strict=False))
            if asking
            else [],
            "result": _result(question),
            "answer_pass": _answer_pass(request, question) if asking else "",
            "credits": credits_earned(subscribed_id=question.subscribed_id),
            "credits_for_extension": policy.credits_for_extension,
            "extension_months": policy.extension_months,
        },
        status=status,
    )


@candidate_required(REFUSAL)
@require_GET
def question_detail(
    request: HttpRequest, technician: Technician, question_id: int
) -> HttpResponse:
    return _detail(request, _question(technician, question_id))


@candidate_required(REFUSAL)
@require_POST
def question_open_view(
    request: HttpRequest, technician: Technician, question_id: int
) -> HttpResponse:
    try:
        question_open(technician_id=technician.pk, question_id=question_id)
    except Question.DoesNotExist:
        raise Http404("no such question") from None
    except RenewalError as error:
        messages.error(request, str(error))
    return redirect("renewal_questions:detail", question_id=question_id)


@candidate_required(REFUSAL)
@require_POST
def question_answer_view(
    request: HttpRequest, technician: Technician, question_id: int
) -> HttpResponse:
    # The service reads the question (locked) and is the owner check: no lookup
    # here first, as answering is the monthly peak's hot path.
    try:
        choice = choice_parse(request.POST.get("choice"))
        question_answer(
            technician_id=technician.pk,
            question_id=question_id,
            choice=choice,
            actor=request.user,  # type: ignore[arg-type]
        )
    except Question.DoesNotExist:
        raise Http404("no such question") from None
    except RenewalError as error:
        # Shown with the question as it stands (still open: the form again).
        return _detail(
            request, _question(technician, question_id), error=str(error), status=400
        )
    # The question's page says how it went (right or not, in time or not): no
    # message besides it, so an answer taken before Django's middleware
    # (renewal/wsgi.py) is answered with the same redirect.
    return redirect("renewal_questions:detail", question_id=question_id)


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the questions install on a phone's home screen.
    Public, as browsers fetch manifests without the session."""
    start = reverse("renewal_questions:list")
    return JsonResponse(
        {
            "name": _("Certwright renewal questions"),
            "short_name": _("Renewal"),
            "description": _("Answer your monthly renewal questions."),
            "start_url": start,
            "scope": start,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME,
            "icons": [
                {
                    "src": static(f"renewal/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any",
                }
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
    )
