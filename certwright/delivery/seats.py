"""The seat: which browser may act on a proctored attempt.

A proctored attempt is launched on one workstation with the proctor's launch code
(``launch.attempt_launch``), which gives that browser a random seat token; a
person's start, save and submit must present it (``device``). Machine actors (the
CLI, the fault test's labels) are trusted and skip it. Only the token's hash is
stored (see models.py).
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from certwright.audit.services import Actor
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import Attempt

# Launch codes: read aloud and typed at the seat, so no 0/O or 1/I/L. Six of 30
# symbols is 729 million codes; a wrong code is counted and the fifth locks the
# launch until the proctor makes a new code.
LAUNCH_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LAUNCH_CODE_LENGTH = 6
MAX_LAUNCH_FAILURES = 5
# The browser's seat token: an HttpOnly cookie per attempt (launch sets it).
SEAT_COOKIE = "certwright_seat_{attempt_id}"


def device_hash(token: str) -> str:
    """What is stored of a seat token (the token itself is only in the cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def launch_code_new() -> str:
    """A fresh launch code for the proctor to read out."""
    pick = secrets.SystemRandom().choice
    return "".join(pick(LAUNCH_ALPHABET) for _ in range(LAUNCH_CODE_LENGTH))


def launch_code_display(code: str) -> str:
    """ABC-DEF: easier to read aloud and to type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if code else ""


def launch_code_normalise(code: object) -> str:
    """The code as typed, in capitals, its letters and digits only (no dash)."""
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]


def actor_user(actor: Actor) -> AbstractBaseUser | None:
    """The person acting, or None for a machine actor (trusted with any seat)."""
    return actor if isinstance(actor, AbstractBaseUser) else None


def attempt_holds_seat(attempt: Attempt, by: Actor, device: str | None) -> bool:
    """May this browser (its seat token ``device``) act on the attempt as ``by``?
    True for a practice attempt and for a machine actor; a person sitting a
    proctored attempt must be at its workstation, holding the seat token of the
    browser it was launched on."""
    if not attempt.is_proctored or actor_user(by) is None:
        return True
    return bool(
        attempt.device_hash
        and device
        and constant_time_compare(device_hash(device), attempt.device_hash)
    )


def check_seat(attempt: Attempt, by: Actor, device: str | None) -> None:
    """Refuse (``device_error``) a browser that does not hold the attempt's seat."""
    if not attempt_holds_seat(attempt, by, device):
        raise device_error(attempt)


def device_error(attempt: Attempt) -> DeliveryError:
    """The refusal for a browser that does not hold the attempt's seat."""
    if not attempt.device_hash:
        return DeliveryError(
            "launch",
            _(
                "This exam is not launched on this workstation yet: enter the launch"
                " code your proctor gives you."
            ),
        )
    return DeliveryError(
        "device",
        _(
            "This exam is running on another workstation. Only your proctor can move"
            " it to this one."
        ),
    )
