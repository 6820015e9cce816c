"""The exam's answer saves answered before Django's middleware: a WSGI layer.

``POST /exam/{attempt}/answers/`` is most of an exam day's requests. Through Django
a save read the session, the user and the user's roles (three statements and the
middleware stack) before its one upsert; on a 2-core host that held about 450 saves
a second behind nginx, where a test centre's peak asks for more (bench/
save_answer.py). Here a save that carries a valid save pass (delivery/save_pass.py:
Django's own decision, made at the player's last state poll, that this session may
save to this attempt) is the one statement alone, ``answer_save_if_applied``: the
same statement with the same checks as ``answer_save``, answered with the same
acknowledgement.

The layer answers only the plain case, a save that is stored. Everything else goes
to Django, whose answer is the reference: no pass, or one that is not valid for this
attempt and this session cookie, or expired; a body that is not a small JSON object
of the right values; a practice save asking for feedback; and a save the statement
did not store (an older one, a paused or ended attempt, another workstation, an item
not on the form), for which Django says why or what is stored (the statement stored
nothing, so asking again changes nothing). What Django's stack adds to a response is
added here too (certwright/core/fast_layer.py).

``CERTWRIGHT_SAVE_FAST_PATH=0`` turns the layer off (every save through Django).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie

from certwright.core.fast_layer import (
    Answer,
    FastLayer,
    Produce,
    on_a_live_connection,
    request_body,
)
from certwright.delivery.answers import answer_save_if_applied
from certwright.delivery.save_pass import ENVIRON_KEY, save_pass_read
from certwright.delivery.seats import SEAT_COOKIE

PATH = re.compile(r"^/exam/([1-9][0-9]{0,17})/answers/$")
VIEW = "delivery:save"
# A save is under 100 bytes; a larger body goes to Django, which bounds it.
MAX_BODY = 2048
_ANSWER_KEYS = frozenset({"item", "choice", "flagged", "seq", "feedback"})


def _answer(body: bytes) -> dict[str, Any] | None:
    """The save's JSON object, when it is one with only the save's keys and asks
    for no feedback; else None."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if (
        not isinstance(data, dict)
        or not data.keys() <= _ANSWER_KEYS
        or data.get("feedback", False) is not False
    ):
        return None
    return data


class AnswerSaveLayer(FastLayer):
    """WSGI middleware: stores an exam's answer with ``answer_save_if_applied``
    when the save carries a valid pass; every other request goes to Django."""

    method, path, view = "POST", PATH, VIEW

    def learnable(self, status: str, headers: list[tuple[str, str]]) -> bool:
        return status[:3] == "200" and any(
            k.lower() == "content-type" and v.startswith("application/json")
            for k, v in headers
        )

    def producer(self, environ: dict[str, Any], match: re.Match[str]) -> Produce | None:
        if ENVIRON_KEY not in environ:
            return None
        attempt_id = int(match.group(1))
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        session_key = cookies.get(settings.SESSION_COOKIE_NAME, "")
        granted = save_pass_read(
            environ[ENVIRON_KEY], attempt_id=attempt_id, session_key=session_key
        )
        body = request_body(environ, MAX_BODY) if granted is not None else None
        data = _answer(body) if body is not None else None
        if granted is None or data is None:
            return None
        user_id = granted.user_id
        device = cookies.get(SEAT_COOKIE.format(attempt_id=attempt_id))

        def produce() -> Answer | None:
            ack = on_a_live_connection(
                lambda: answer_save_if_applied(
                    attempt_id=attempt_id,
                    user_id=user_id,
                    form_item_id=data.get("item"),
                    choice=data.get("choice"),
                    flagged=data.get("flagged", False),
                    client_seq=data.get("seq"),
                    device=device,
                    session_key=session_key,
                )
            )
            if ack is None:
                return None
            return Answer(200, json.dumps(ack.as_json()).encode(), "application/json")

        return produce
