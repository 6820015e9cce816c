"""Renewal answers taken before Django's middleware: a WSGI layer.

``POST /renewal/questions/{question}/answer/`` is the request of the monthly peak.
Through Django an answer read the session, the user, the user's roles and the
technician (four statements and the middleware stack) before the answer's own; on a
2-core host that held about 230 answers a second (bench/renewal.py). Here an answer
that carries a valid answer pass (renewal/answer_pass.py: Django's own decision,
made when it rendered the question's form, that this session may answer this
question as this technician) is ``question_answer`` alone, the service the view
calls, with the session checked live in its locking read, and is answered with the
view's redirect to the question's page.

The layer answers only what it is sure of and hands everything else to Django, whose
answer stands: no pass, or one not valid for this question and this session cookie,
or too old; a body that is not a small form of the answer's fields with a choice A
to D; and an answer the service refuses (another answer already given, a question
not opened, a cancelled subscription, not the technician's, the session gone), which
changed nothing, so Django refuses it again with its page. An answer the service
takes is recorded as Django would record it (in time, timed out or after the
window), and both answer with the same redirect: the question's page says which.
What Django's stack adds to a response is added here too
(certwright/core/fast_layer.py).

``CERTWRIGHT_RENEWAL_FAST_PATH=0`` turns the layer off (every answer through Django).
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http.cookie import parse_cookie
from django.urls import get_script_prefix, reverse

from certwright.core.fast_layer import (
    Answer,
    FastLayer,
    Produce,
    on_a_live_connection,
    request_body,
)
from certwright.renewal.answer_pass import FIELD, answer_pass_read
from certwright.renewal.answers import choice_parse, question_answer
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import Question

PATH = re.compile(r"^/renewal/questions/([1-9][0-9]{0,17})/answer/$")
VIEW = "renewal_questions:answer"
FORM = "application/x-www-form-urlencoded"
# An answer's form is under 300 bytes; a larger body goes to Django.
MAX_BODY = 2048
_FIELDS = frozenset({"choice", FIELD, "csrfmiddlewaretoken"})


@functools.cache
def _detail_parts(script_prefix: str) -> tuple[str, str]:
    """The question page's path around its id, as ``reverse`` gives it under this
    script prefix (reversing each answer's was a twentieth of its CPU)."""
    marker = "7" * 18
    path = reverse("renewal_questions:detail", args=[marker])
    head, _, tail = path.partition(marker)
    return head, tail


def _detail_path(script_prefix: str, question_id: int) -> str:
    head, tail = _detail_parts(script_prefix)
    return f"{head}{question_id}{tail}"


def _form(environ: dict[str, Any]) -> dict[str, str] | None:
    """The request's form fields (each once, only the answer's), when it is a
    small URL-encoded form."""
    if str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip() != FORM:
        return None
    body = request_body(environ, MAX_BODY)
    if body is None:
        return None
    try:
        fields = parse_qs(
            body.decode("ascii"), strict_parsing=True, errors="strict", max_num_fields=8
        )
    except (UnicodeDecodeError, ValueError):
        return None
    if not fields.keys() <= _FIELDS or any(len(v) != 1 for v in fields.values()):
        return None
    return {name: values[0] for name, values in fields.items()}


class RenewalAnswerLayer(FastLayer):
    """WSGI middleware: takes a renewal answer with ``question_answer`` when it
    carries a valid answer pass; every other request goes to Django."""

    method, path, view = "POST", PATH, VIEW

    def learnable(self, status: str, headers: list[tuple[str, str]]) -> bool:
        return status[:3] == "302" and any(
            k.lower() == "location" and v.startswith("/renewal/questions/")
            for k, v in headers
        )

    def producer(self, environ: dict[str, Any], match: re.Match[str]) -> Produce | None:
        form = _form(environ)
        if form is None or FIELD not in form:
            return None
        question_id = int(match.group(1))
        session_key = parse_cookie(environ.get("HTTP_COOKIE", "")).get(
            settings.SESSION_COOKIE_NAME, ""
        )
        granted = answer_pass_read(
            form[FIELD], question_id=question_id, session_key=session_key
        )
        try:
            choice = choice_parse(form.get("choice"))
        except RenewalError:
            granted = None
        if granted is None:
            return None
        # The actor of the audit events (its id and name), as the view's
        # request.user gives them.
        user_model = get_user_model()
        actor = user_model(
            pk=granted.user_id, **{user_model.USERNAME_FIELD: granted.username}
        )
        location = _detail_path(get_script_prefix(), question_id)

        def produce() -> Answer | None:
            try:
                # Repeatable: the same choice again is the recorded answer.
                on_a_live_connection(
                    lambda: question_answer(
                        technician_id=granted.technician_id,
                        question_id=question_id,
                        choice=choice,
                        actor=actor,
                        session_key=session_key,
                    )
                )
            except (Question.DoesNotExist, RenewalError):
                return None
            return Answer(
                302, b"", "text/html; charset=utf-8", (("Location", location),)
            )

        return produce
