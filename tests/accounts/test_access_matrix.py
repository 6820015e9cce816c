"""Who reaches what: every role against every page and API operation that takes an id
(or a token, or a test code), each pointed at an object that belongs to somebody.

The tables below say, for each URL name (pages) and operationId (API), what each role
gets. They are checked against the URLconf and the served OpenAPI document: a new
page or operation with a path parameter fails ``test_every_*_is_in_the_table`` until
it gets a row, so no endpoint is left without a decision on who may reach it.

The world: two candidates (the *owner* of every object pointed at, and a stranger),
an employer whose shop the owner shares with, two test centres (the owner's
appointment is at the first, whose proctor and administrator are here; the second's
administrator, with and without Django's ``is_staff``, is not), Django staff with no
role, program staff (the role) and a superuser. Outcomes: ``OK`` (the view ran: any
answer but a refusal), ``NOT_FOUND`` (404, as if the object did not exist),
``FORBIDDEN`` (403), ``LOGIN`` (sent to sign in), ``UNAUTHORIZED`` (401, the API and
the exam player's JSON) and ``INPUT_REFUSED`` (an error message or a 400).

Every request runs in a transaction rolled back afterwards, so the world is built
once for the module and an action one role is allowed (a cancellation, an approval)
does not change what the next role sees.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certwright.accounts.models import MembershipRole, OrganizationKind
from certwright.accounts.services import (
    api_token_create,
    membership_add,
    organization_create,
    share_grant,
)
from certwright.candidates.services import employer_link_token, experience_submit
from certwright.commerce import services as commerce
from certwright.commerce.models import Entitlement, EntitlementKind
from certwright.core.roles import Role, role_add
from certwright.delivery.attempts import attempt_authorise
from certwright.reminders.tokens import unsubscribe_token
from certwright.scheduling.services import appointment_book, appointment_check_in
from certwright.scoring.models import AnalysisRun
from certwright.shops.services import employment_request
from certwright.verification.services import share_link_create
from tests.support.badges import TEST_PASSPHRASE, credential_row_for
from tests.support.delivery import EXAM_DAY, form_create
from tests.support.forms import forms_publish_for_every_test
from tests.support.renewal import renewal_question_for
from tests.support.scheduling import (
    NOW,
    candidate_create,
    centre_create,
    lines_buy,
    local,
    user_create,
)
from tests.support.verification import certified_technician

OK = "ok"
NOT_FOUND = "404"
FORBIDDEN = "403"
LOGIN = "login"
UNAUTHORIZED = "401"
# The view ran and refused the request as given: sent back with an error message,
# or a 400 (a cart line that is not in the person's own cart, say). Nothing of
# anyone else's is shown or changed. Where the table says OK, this counts as OK too:
# the role reached the view, and the empty form is what it refused.
INPUT_REFUSED = "input refused"

ROLES = (
    "anonymous",
    "candidate",  # a stranger to every object pointed at
    "owner",  # the candidate whose records, orders, appointment and attempt they are
    "employer",  # administers the shop the owner shares their record with
    "proctor",  # proctor of the owner's centre
    "centre_admin",  # administrator of the owner's centre, not Django staff
    "centre_admin_staff",  # administrator of another centre, Django staff
    "django_staff",  # is_staff, no role, no centre
    "program_staff",  # the program_staff role (and is_staff, for the admin)
    "superuser",
)
PROGRAM = ("program_staff", "superuser")
HERE = ("proctor", "centre_admin")
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")

# Marked so that pytest-django creates the test database (the module's world is
# built in its own transaction, each test's nests inside it).
pytestmark = pytest.mark.django_db


def expect(
    ok: tuple[str, ...] = (),
    *,
    refused: str = NOT_FOUND,
    anonymous: str = LOGIN,
    **others: str,
) -> dict[str, str]:
    """Every role's outcome: ``ok`` reach the view, ``anonymous`` gets its own,
    named roles what they are given, everyone else ``refused``."""
    table = dict.fromkeys(ROLES, refused)
    table.update(dict.fromkeys(ok, OK))
    table["anonymous"] = anonymous
    table.update(others)
    return table


@dataclass(frozen=True)
class Row:
    """How to call one URL and what each role gets, per method."""

    args: Callable[[World], Mapping[str, Any]]
    expected: Mapping[str, Mapping[str, str]]  # method -> role -> outcome
    # What a well-formed request sends (JSON for the API and the exam player), so
    # the check reached is who may, not whether the input is valid.
    body: Callable[[World], dict[str, Any]] | None = None
    json: bool = False


@dataclass(frozen=True)
class World:
    ids: dict[str, Any]
    clients: dict[str, Client]
    tokens: dict[str, str]


def _ids(**keys: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {param: world.ids[key] for param, key in keys.items()}


def _const(**values: Any) -> Callable[[World], dict[str, Any]]:
    return lambda _world: values


def _mix(**spec: Any) -> Callable[[World], dict[str, Any]]:
    """Parameters from the world (a string naming an id) or given as they are (a
    one-element tuple)."""
    return lambda world: {
        param: value[0] if isinstance(value, tuple) else world.ids[value]
        for param, value in spec.items()
    }


# --- what each role gets -----------------------------------------------------------

OWNER_AND_PROGRAM = expect(("owner", *PROGRAM))
OWNER_ONLY = expect(("owner",))
# Program staff may read the record, not act for its owner.
OWNER_ACTS = expect(("owner",), program_staff=FORBIDDEN, superuser=FORBIDDEN)
# Candidate pages: anyone without a technician record gets 403 whatever the id;
# another candidate, 404.
CANDIDATE_OWN = expect(("owner",), refused=FORBIDDEN, candidate=NOT_FOUND)
# A candidate's own cart: another candidate is told the line is not in theirs.
CART = expect(("owner",), refused=FORBIDDEN, candidate=INPUT_REFUSED)
PROGRAM_ONLY_403 = expect(PROGRAM, refused=FORBIDDEN)
PROGRAM_ONLY_404 = expect(PROGRAM)
CENTRE_HERE = expect((*HERE, *PROGRAM))
EVERYONE = expect(ROLES, anonymous=OK)

PAGES: dict[str, Row] = {
    # Certificates: one's own (no id: every technician gets theirs, or the page
    # saying nothing is in force), and program staff's download of anybody's.
    "certificates:download": Row(
        _const(kind="certificate"),
        {"get": expect(("owner", "candidate"), refused=FORBIDDEN)},
    ),
    "certificates:staff_download": Row(
        _mix(technician_id="technician", kind=("wallet-card",)),
        {"get": PROGRAM_ONLY_403},
    ),
    # allauth's links carry their own credential (the key): whoever holds it may
    # follow it, signed in or not.
    "account_confirm_email": Row(_ids(key="email_key"), {"get": EVERYONE}),
    "account_reset_password_from_key": Row(
        _ids(uidb36="reset_uid", key="reset_key"), {"get": EVERYONE}
    ),
    "accounts:token_revoke": Row(_ids(token_id="token"), {"post": OWNER_ONLY}),
    "accounts:share_revoke": Row(_ids(grant_id="grant"), {"post": OWNER_ONLY}),
    "accounts:organization_detail": Row(
        _ids(organization_id="organization"),
        {"get": expect(("employer", *PROGRAM))},
    ),
    "accounts:organization_roster_csv": Row(
        _ids(organization_id="organization"),
        {"get": expect(("employer", *PROGRAM))},
    ),
    # Only the organization's administrators change its e-mail settings; program
    # staff see the organization but do not act for it.
    "accounts:organization_watch": Row(
        _ids(organization_id="organization"),
        {"post": expect(("employer",), program_staff=FORBIDDEN, superuser=FORBIDDEN)},
        body=_const(weekly_digest="on"),
    ),
    # Shops: the finder's entry and badge are public; the shop's page and actions
    # are its members' (and program staff's); a technician's, the technician's.
    "shops:entry": Row(_ids(code="shop_code"), {"get": EVERYONE}),
    "shops:badge": Row(_ids(code="shop_code"), {"get": EVERYONE}),
    # Public like the entry; the world's shop holds no recognition (its one
    # employment is only proposed), so nobody gets a credential, whoever asks
    # (tests/shops/test_shop_credential.py downloads a recognised shop's).
    "shops:credential": Row(
        _ids(code="shop_code"), {"get": expect((), anonymous=NOT_FOUND)}
    ),
    "shops:manage": Row(
        _ids(organization_id="organization"), {"get": expect(("employer", *PROGRAM))}
    ),
    "shops:profile_update": Row(
        _ids(organization_id="organization"), {"post": expect(("employer", *PROGRAM))}
    ),
    "shops:invite": Row(
        _ids(organization_id="organization"), {"post": expect(("employer", *PROGRAM))}
    ),
    "shops:shop_confirm": Row(
        _ids(organization_id="organization", pk="employment"),
        {"post": expect(("employer", *PROGRAM))},
    ),
    "shops:shop_end": Row(
        _ids(organization_id="organization", pk="employment"),
        {"post": expect(("employer", *PROGRAM))},
    ),
    "shops:my_confirm": Row(_ids(pk="employment"), {"post": OWNER_ONLY}),
    "shops:my_end": Row(_ids(pk="employment"), {"post": OWNER_ONLY}),
    "shops:my_consent": Row(_ids(pk="employment"), {"post": OWNER_ONLY}),
    # A test of the program, not anybody's record.
    "portal:test": Row(_const(code="A1"), {"get": EVERYONE}),
    # A reminder e-mail's link: it only sends the signed-in person to their own
    # dashboard's card for the test.
    "portal:keep": Row(_const(code="A1"), {"get": expect(SIGNED_IN)}),
    # One click puts the recertification in the clicker's own cart (or says why
    # not): no id of anybody's is taken.
    "portal:recertify": Row(
        _const(code="A1"),
        {"post": expect(("owner", "candidate"), refused=FORBIDDEN)},
    ),
    "candidates:experience_detail": Row(
        _ids(record_id="record"), {"get": OWNER_AND_PROGRAM}
    ),
    # Only its owner edits or withdraws a record, or sends the employer's link again.
    "candidates:experience_edit": Row(
        _ids(record_id="record"), {"get": OWNER_ACTS, "post": OWNER_ACTS}
    ),
    "candidates:experience_withdraw": Row(
        _ids(record_id="record"), {"post": OWNER_ACTS}
    ),
    "candidates:experience_link_resend": Row(
        _ids(record_id="record"), {"post": OWNER_ACTS}
    ),
    "candidates:document_download": Row(
        _ids(document_id="document"), {"get": OWNER_AND_PROGRAM}
    ),
    # The signed link mailed to the employer is the credential: no account needed.
    "candidates:employer_confirm": Row(_ids(token="employer_token"), {"get": EVERYONE}),
    # A share link is its own credential: whoever holds it sees the page.
    "verification:share_link": Row(_ids(token="share_token"), {"get": EVERYONE}),
    # The signed token in an expiry reminder is the credential (RFC 8058 one-click:
    # the mail client POSTs with no session); it can only turn reminders off.
    "reminders:unsubscribe": Row(
        _ids(token="unsubscribe_token"), {"get": EVERYONE, "post": EVERYONE}
    ),
    # A renewal question: its technician's alone; another technician's is not found.
    "renewal_questions:detail": Row(
        _ids(question_id="renewal_question"), {"get": CANDIDATE_OWN}
    ),
    "renewal_questions:open": Row(
        _ids(question_id="renewal_question"), {"post": CANDIDATE_OWN}
    ),
    "renewal_questions:answer": Row(
        _ids(question_id="renewal_question"),
        {"post": CANDIDATE_OWN},
        body=_const(choice="C"),
    ),
    # And so for the wallet card behind it: a link of a certified technician's,
    # so the view makes the PDF for everyone.
    "certificates:share_wallet_card": Row(_ids(token="card_token"), {"get": EVERYONE}),
    "candidates:review_approve": Row(
        _ids(record_id="record"), {"post": PROGRAM_ONLY_403}
    ),
    "candidates:review_reject": Row(
        _ids(record_id="record"), {"post": PROGRAM_ONLY_403}
    ),
    "commerce:cart_remove": Row(_ids(line_id="cart_line"), {"post": CART}),
    "commerce:cart_voucher": Row(
        _ids(line_id="cart_line"), {"post": CART}, body=_const(code="NOPE")
    ),
    "commerce:order_detail": Row(_ids(order_id="order"), {"get": OWNER_AND_PROGRAM}),
    "commerce:order_invoice": Row(_ids(order_id="order"), {"get": OWNER_AND_PROGRAM}),
    # Cancelling (and refunding) is the candidate's; program staff refund in the
    # admin.
    "commerce:line_cancel": Row(
        _ids(order_id="order", line_id="order_line"),
        {"get": OWNER_ONLY, "post": OWNER_ONLY},
    ),
    # A test's study material: for a candidate entitled to it (the owner is).
    "commerce:study": Row(_const(test="A1"), {"get": CANDIDATE_OWN}),
    "scheduling:appointment_detail": Row(
        _ids(appointment_id="appointment"),
        {"get": expect(("owner", *HERE, *PROGRAM))},
    ),
    # Booking changes are the candidate's alone.
    "scheduling:appointment_reschedule": Row(
        _ids(appointment_id="appointment"),
        {"get": CANDIDATE_OWN, "post": CANDIDATE_OWN},
    ),
    "scheduling:appointment_cancel": Row(
        _ids(appointment_id="appointment"),
        {"get": CANDIDATE_OWN, "post": CANDIDATE_OWN},
    ),
    "scheduling:appointment_ics": Row(
        _ids(appointment_id="appointment"),
        {"get": expect(("owner", *HERE, *PROGRAM))},
    ),
    "scheduling:centre_day": Row(_ids(centre_id="centre"), {"get": CENTRE_HERE}),
    "scheduling:centre_appointment_action": Row(
        _mix(centre_id="centre", appointment_id="appointment", action=("complete",)),
        {"post": CENTRE_HERE},
    ),
    # The exam: the candidate's own attempt only (program staff read results and
    # reports in the admin, never through the player).
    **{
        f"delivery:{name}": Row(_ids(attempt_id="attempt"), {method: OWNER_ONLY})
        for name, method in [
            ("player", "get"),
            ("result", "get"),
            ("report", "get"),
            ("report_pdf", "get"),
        ]
    },
    # The player's JSON endpoints answer 401 rather than a sign-in page.
    **{
        f"delivery:{name}": Row(
            _ids(attempt_id="attempt"),
            {method: expect(("owner",), anonymous=UNAUTHORIZED)},
        )
        for name, method in [("state", "get"), ("start", "post"), ("submit", "post")]
    },
    # The question on screen: the owner reaches it (the world's attempt is not
    # started, so it is refused as a state), nobody else learns it exists.
    "delivery:position": Row(
        _ids(attempt_id="attempt"),
        {"post": expect(("owner",), anonymous=UNAUTHORIZED)},
        body=lambda _world: {"position": 1},
        json=True,
    ),
    # The launch page takes the proctor's code: the owner reaches it (a wrong code
    # is refused as input), nobody else learns the attempt exists.
    "delivery:launch": Row(
        _ids(attempt_id="attempt"),
        {"post": OWNER_ONLY},
        body=lambda _world: {"code": "WRONG1"},
    ),
    # Item images: only to a started attempt at its workstation, so before the
    # start (the world's attempt is authorised) not even the owner gets one.
    "delivery:image": Row(
        _ids(attempt_id="attempt", form_item_id="form_item"),
        {"get": expect(())},
    ),
    "delivery:save": Row(
        _ids(attempt_id="attempt"),
        {"post": expect(("owner",), anonymous=UNAUTHORIZED)},
        body=lambda world: {"item": world.ids["form_item"], "choice": 0, "seq": 1},
        json=True,
    ),
    # The player's queue in one request: the same owner-only answer as one save.
    "delivery:save_many": Row(
        _ids(attempt_id="attempt"),
        {"post": expect(("owner",), anonymous=UNAUTHORIZED)},
        body=lambda world: {
            "answers": [{"item": world.ids["form_item"], "choice": 0, "seq": 1}]
        },
        json=True,
    ),
    # A practice test of the program: any candidate may start one (the owner is
    # entitled; the stranger is told they are not).
    "delivery:practice_start": Row(
        _const(test="A1"),
        {"post": expect(("owner",), refused=FORBIDDEN, candidate=INPUT_REFUSED)},
    ),
    "delivery:study": Row(
        _const(test="A1"), {"get": expect(("owner",), refused=FORBIDDEN)}
    ),
    # Item analyses show keys: 403 to everyone else, whatever the id.
    "scoring:form": Row(_ids(form_id="form"), {"get": PROGRAM_ONLY_403}),
    "scoring:analyse": Row(_ids(form_id="form"), {"post": PROGRAM_ONLY_403}),
    "scoring:calibrate": Row(_ids(form_id="form"), {"post": PROGRAM_ONLY_403}),
    "scoring:equate": Row(_ids(form_id="form"), {"post": PROGRAM_ONLY_403}),
    "scoring:run": Row(_ids(run_id="run"), {"get": PROGRAM_ONLY_403}),
    "scoring:run_progress": Row(_ids(run_id="run"), {"get": PROGRAM_ONLY_403}),
    # The run has not run: program staff pass the 403 and find no item 1 (404).
    "scoring:run_item": Row(
        _mix(run_id="run", position=(1,)),
        {
            "get": expect(
                refused=FORBIDDEN, program_staff=NOT_FOUND, superuser=NOT_FOUND
            )
        },
    ),
    "scoring:record": Row(_ids(run_id="run"), {"post": PROGRAM_ONLY_403}),
    "scoring:apply": Row(_ids(run_id="run"), {"post": PROGRAM_ONLY_403}),
    "scoring:item": Row(_ids(item_id="item"), {"get": PROGRAM_ONLY_403}),
    # Signed credentials: the technician's own to download; the status list is
    # public (every verifier reads it).
    "badges:download": Row(_ids(uuid="badge"), {"get": CANDIDATE_OWN}),
    "badges:status_list": Row(_ids(list_id="status_list"), {"get": EVERYONE}),
    # The proctor console: the centre's staff and program staff.
    "proctor:day": Row(_ids(centre_id="centre"), {"get": CENTRE_HERE}),
    "proctor:board": Row(_ids(centre_id="centre"), {"get": CENTRE_HERE}),
    **{
        f"proctor:{name}": Row(
            _ids(centre_id="centre", appointment_id="appointment"),
            {method: CENTRE_HERE},
        )
        for name, method in [
            ("sitting", "get"),
            ("sitting_live", "get"),
            ("check_in", "post"),
            ("no_show", "post"),
            ("incident", "post"),
        ]
    },
    "proctor:authorise": Row(
        _ids(centre_id="centre", appointment_id="appointment", seat_id="seat"),
        {"post": CENTRE_HERE},
    ),
    "proctor:end": Row(
        _ids(centre_id="centre", appointment_id="appointment", seat_id="seat"),
        {"post": CENTRE_HERE},
    ),
    "proctor:control": Row(
        _mix(
            centre_id="centre",
            appointment_id="appointment",
            seat_id="seat",
            action=("pause",),
        ),
        {"post": CENTRE_HERE},
    ),
}

# Pages without an id whose access is checked too: each candidate reaches their
# own (another candidate is no stranger to a page of no one's), anyone else 403.
# The subscribe POST sent empty is refused as input (a time zone is required).
PAGES_WITHOUT_ID: dict[str, Row] = {
    "renewal:home": Row(
        _const(), {"get": expect(("owner", "candidate"), refused=FORBIDDEN)}
    ),
    "renewal:subscribe": Row(
        _const(), {"post": expect(("owner", "candidate"), refused=FORBIDDEN)}
    ),
}

API_OWNER_ONLY = expect(("owner",), anonymous=UNAUTHORIZED)
API_OWNER_AND_PROGRAM = expect(("owner", *PROGRAM), anonymous=UNAUTHORIZED)
API_PROGRAM_403 = expect(PROGRAM, refused=FORBIDDEN, anonymous=UNAUTHORIZED)
API_SIGNED_IN = expect(SIGNED_IN, anonymous=UNAUTHORIZED)
API_CANDIDATE_OWN = expect(
    ("owner",), refused=FORBIDDEN, candidate=NOT_FOUND, anonymous=UNAUTHORIZED
)

API: dict[str, Row] = {
    "certwright_accounts_api_token_revoke": Row(
        _ids(token_id="token"), {"delete": API_OWNER_ONLY}
    ),
    "certwright_accounts_api_share_delete": Row(
        _ids(share_id="grant"), {"delete": API_OWNER_ONLY}
    ),
    "certwright_accounts_api_organization_technicians": Row(
        _ids(organization_id="organization"),
        {"get": expect(("employer", *PROGRAM), anonymous=UNAUTHORIZED)},
    ),
    "certwright_candidates_api_experience_get": Row(
        _ids(record_id="record"), {"get": API_OWNER_AND_PROGRAM}
    ),
    "certwright_candidates_api_experience_update": Row(
        _ids(record_id="record"),
        {"put": API_OWNER_ONLY},
        body=_const(kind="employment", start="2022-01-03", full_time=True),
    ),
    "certwright_candidates_api_experience_withdraw": Row(
        _ids(record_id="record"), {"delete": API_OWNER_ONLY}
    ),
    "certwright_candidates_api_experience_document_upload": Row(
        _ids(record_id="record"), {"post": API_OWNER_ONLY}, body=lambda _w: _pdf()
    ),
    "certwright_candidates_api_experience_employer_link": Row(
        _ids(record_id="record"), {"post": API_OWNER_ONLY}
    ),
    "certwright_candidates_api_experience_approve": Row(
        _ids(record_id="record"), {"post": API_PROGRAM_403}
    ),
    "certwright_candidates_api_experience_reject": Row(
        _ids(record_id="record"),
        {"post": API_PROGRAM_403},
        body=_const(reason="No letter from the employer."),
    ),
    "certwright_commerce_api_cart_line_remove": Row(
        _ids(line_id="cart_line"), {"delete": API_CANDIDATE_OWN}
    ),
    # Another candidate's voucher is checked against their own cart: 400, "no
    # longer in your cart" (the removal above answers 404).
    "certwright_commerce_api_cart_voucher_apply": Row(
        _ids(line_id="cart_line"),
        {"post": {**API_CANDIDATE_OWN, "candidate": INPUT_REFUSED}},
        body=_const(code="NOPE"),
    ),
    "certwright_commerce_api_order_get": Row(
        _ids(order_id="order"), {"get": API_OWNER_AND_PROGRAM}
    ),
    "certwright_commerce_api_order_line_cancel": Row(
        _ids(order_id="order", line_id="order_line"), {"post": API_OWNER_ONLY}
    ),
    # A centre's free seats are public knowledge to anyone signed in.
    "certwright_scheduling_api_centre_slots": Row(
        _ids(centre_id="centre"), {"get": API_SIGNED_IN}
    ),
    # The API's appointments are "mine": the candidate's alone (the centre's staff
    # use the pages).
    "certwright_scheduling_api_appointment_get": Row(
        _ids(appointment_id="appointment"), {"get": API_OWNER_ONLY}
    ),
    "certwright_scheduling_api_appointment_reschedule": Row(
        _ids(appointment_id="appointment"),
        {"post": API_OWNER_ONLY},
        body=_const(starts_at="2026-03-20T15:00:00Z"),
    ),
    "certwright_scheduling_api_appointment_cancel": Row(
        _ids(appointment_id="appointment"), {"post": API_OWNER_ONLY}
    ),
    "certwright_scheduling_api_appointment_ics": Row(
        _ids(appointment_id="appointment"), {"get": API_OWNER_ONLY}
    ),
    # A score report is its candidate's alone; the world's attempt is not scored
    # yet, so not even the owner has one (404): nobody learns it exists.
    "certwright_portal_api_me_score_report": Row(
        _ids(attempt_id="attempt"), {"get": expect((), anonymous=UNAUTHORIZED)}
    ),
    # A signed credential is its technician's alone.
    "certwright_badges_api_me_credential": Row(
        _ids(uuid="badge"),
        {
            "get": expect(
                ("owner",),
                refused=FORBIDDEN,
                candidate=NOT_FOUND,
                anonymous=UNAUTHORIZED,
            )
        },
    ),
    # The catalog is public; eligibility is a candidate's own.
    "certwright_portal_api_catalog_detail": Row(
        _const(code="A1"), {"get": expect(ROLES, anonymous=OK)}
    ),
    "certwright_portal_api_catalog_eligibility": Row(
        _const(code="A1"),
        {
            "get": expect(
                ("candidate", "owner"), refused=FORBIDDEN, anonymous=UNAUTHORIZED
            )
        },
    ),
    # The public lookup: anyone, signed in or not.
    "certwright_verification_api_verify": Row(
        _ids(certification_id="certification_id"), {"get": expect(ROLES, anonymous=OK)}
    ),
}

# Operations without an id that answer only some roles: a technician's own records,
# and program staff's lists of everybody's.
API_CANDIDATE = expect(
    ("candidate", "owner"), refused=FORBIDDEN, anonymous=UNAUTHORIZED
)
API_WITHOUT_ID: dict[str, Row] = {
    "certwright_portal_api_me_certifications": Row(_const(), {"get": API_CANDIDATE}),
    "certwright_portal_api_me_titles": Row(_const(), {"get": API_CANDIDATE}),
    "certwright_portal_api_me_results": Row(_const(), {"get": API_CANDIDATE}),
    "certwright_badges_api_me_credentials": Row(_const(), {"get": API_CANDIDATE}),
    "certwright_credentials_api_staff_results": Row(_const(), {"get": API_PROGRAM_403}),
    "certwright_credentials_api_staff_revocations": Row(
        _const(), {"get": API_PROGRAM_403}
    ),
}


# --- discovering what the tables must cover ----------------------------------------


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else inner
            yield from _walk(pattern.url_patterns, route, joined or namespace)
        else:
            name = pattern.name or route
            yield route, f"{namespace}:{name}" if namespace else name


def _takes_a_parameter(route: str) -> bool:
    return "<" in route or re.search(r"\(\?P<", route) is not None


def pages_with_parameters() -> set[str]:
    """URL names of every page with a path parameter, outside the admin (its own
    checks: test_admin_is_for_program_staff.py) and the API (its operations are
    read from the OpenAPI document)."""
    return {
        name
        for route, name in _walk(get_resolver().url_patterns)
        if _takes_a_parameter(route)
        and not route.startswith(("admin/", "^admin/", "api/", "^api/"))
    }


def api_operations_with_parameters(document: Mapping[str, Any]) -> dict[str, Any]:
    """operationId -> (method, path) of every operation with a path parameter."""
    return {
        operation_id: (method, path)
        for operation_id, (method, path, operation) in api_operations(document).items()
        if any(p["in"] == "path" for p in operation.get("parameters", []))
    }


def api_operations(document: Mapping[str, Any]) -> dict[str, Any]:
    """operationId -> (method, path, operation) of every operation."""
    return {
        operation["operationId"]: (method, path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


# --- the world -----------------------------------------------------------------------


def _pdf() -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile(
            "letter.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            content_type="application/pdf",
        )
    }


def _with_totp(user: Any) -> Any:
    # Staff, proctors and centre admins must have a second factor before any page.
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


def _build() -> dict[str, Any]:
    owner_tech = candidate_create("Olive Owner")
    owner = owner_tech.user
    assert owner is not None
    stranger = candidate_create("Sam Stranger").user
    for user in (owner, stranger):
        role_add(user, Role.CANDIDATE)

    employer = user_create("boss@example.com")
    role_add(employer, Role.EMPLOYER)
    shop = organization_create(name="Main Street Auto", kind=OrganizationKind.SHOP)
    membership_add(organization_id=shop.pk, user=employer, role=MembershipRole.ADMIN)
    grant, _ = share_grant(technician_id=owner_tech.pk, organization_id=shop.pk)
    # The owner asks to join the shop (which has not confirmed yet).
    employment = employment_request(technician_id=owner_tech.pk, shop_code=shop.code)
    token_row, _raw = api_token_create(user=owner, name="owner's")

    centre, elsewhere = centre_create(), centre_create()
    proctor = _with_totp(user_create("proctor@example.com"))
    role_add(proctor, Role.PROCTOR)
    centre_admin = _with_totp(user_create("centre@example.com"))
    role_add(centre_admin, Role.CENTRE_ADMIN)
    centre.admins.add(proctor, centre_admin)
    centre_admin_staff = _with_totp(user_create("other@example.com", is_staff=True))
    role_add(centre_admin_staff, Role.CENTRE_ADMIN)
    elsewhere.admins.add(centre_admin_staff)
    django_staff = _with_totp(user_create("staff@example.com", is_staff=True))
    program_staff = _with_totp(user_create("program@example.com", is_staff=True))
    role_add(program_staff, Role.PROGRAM_STAFF)
    superuser = _with_totp(
        user_create("root@example.com", is_staff=True, is_superuser=True)
    )

    record = experience_submit(
        technician_id=owner_tech.pk,
        kind="employment",
        start=dt.date(2022, 1, 3),
        end=None,
        full_time=True,
        employer="Harbor Marine & Auto",
        employer_email="boss@harbor.example",
        documents=[_pdf()["file"]],
    )
    forms_publish_for_every_test(["A4"])  # A4 is sold only with a published form
    cart_line = commerce.cart_line_add(technician_id=owner_tech.pk, test="A4")

    exam_form = form_create()
    form_create(kind="practice")
    paid = lines_buy(owner_tech, "A1", "A2")
    for kind in (EntitlementKind.STUDY, EntitlementKind.PRACTICE):
        Entitlement.objects.create(
            technician=owner_tech, test="A1", kind=kind, source_line=paid[0]
        )
    appointment = appointment_book(
        technician_id=owner_tech.pk,
        centre_id=centre.pk,
        starts_at=local(EXAM_DAY, 9),
        order_line_ids=[paid[0].pk],
    )
    email = EmailAddress.objects.create(
        user=owner, email=owner.email, verified=False, primary=True
    )
    badge = credential_row_for(owner_tech)
    renewal_question = renewal_question_for(owner_tech)
    return {
        "users": {
            "candidate": stranger,
            "owner": owner,
            "employer": employer,
            "proctor": proctor,
            "centre_admin": centre_admin,
            "centre_admin_staff": centre_admin_staff,
            "django_staff": django_staff,
            "program_staff": program_staff,
            "superuser": superuser,
        },
        "ids": {
            "email_key": EmailConfirmationHMAC(email).key,
            "reset_uid": user_pk_to_url_str(owner),
            "reset_key": default_token_generator.make_token(owner),
            "token": token_row.pk,
            "grant": grant.pk,
            "organization": shop.pk,
            "shop_code": shop.code,
            "employment": employment.pk,
            "record": record.pk,
            "document": record.documents.get().pk,
            "employer_token": employer_link_token(record),
            "cart_line": cart_line.pk,
            "order": paid[0].order_id,
            "order_line": paid[1].pk,
            "centre": centre.pk,
            "appointment": appointment.pk,
            "seat": appointment.tests.get().pk,
            "form": exam_form.pk,
            "run": AnalysisRun.objects.create(form=exam_form, kind="analysis").pk,
            "item": exam_form.items.order_by("position")[0].item_version.item_id,
            "form_item": exam_form.items.order_by("position")[0].pk,
            "technician": owner_tech.pk,
            "badge": badge.uuid,
            "status_list": badge.status_list_id,
            "share_token": share_link_create(
                technician_id=owner_tech.pk, label="Matrix"
            ).token,
            "certification_id": owner_tech.certification_id,
            "unsubscribe_token": unsubscribe_token(owner_tech.pk),
            "renewal_question": renewal_question.pk,
            "card_token": share_link_create(
                technician_id=certified_technician("Cora Carded", tests=("A1",)).pk,
                label="Matrix card",
            ).token,
        },
    }


def _sit(ids: dict[str, Any], traveller: time_machine.Traveller, proctor: Any) -> None:
    """Exam day: the owner is checked in and the proctor authorises the seat."""
    traveller.move_to(local(EXAM_DAY, 9, 5))
    appointment_check_in(appointment_id=ids["appointment"], actor="proctor")
    ids["attempt"] = attempt_authorise(
        appointment_test_id=ids["seat"], actor=proctor
    ).pk


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    """Built once, in a transaction rolled back when the module is done."""
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(MEDIA_ROOT=media, CERTWRIGHT_STAFF_MFA=True),
        time_machine.travel(NOW, tick=False) as traveller,
        django_db_blocker.unblock(),
        transaction.atomic(),
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("CERTWRIGHT_SIGNING_PASSPHRASE", TEST_PASSPHRASE)
        built = _build()
        users = built["users"]
        _sit(built["ids"], traveller, users["proctor"])
        clients = {"anonymous": Client()}
        tokens = {}
        for role, user in users.items():
            clients[role] = Client()
            clients[role].force_login(user)
            tokens[role] = api_token_create(user=user, name="matrix")[1]
        yield World(ids=built["ids"], clients=clients, tokens=tokens)
        transaction.set_rollback(True)


def _outcome(response: Any) -> str:
    if response.status_code in (301, 302, 303):
        if response["Location"].startswith(reverse("account_login")):
            return LOGIN
        sent = getattr(response.wsgi_request, "_messages", None)
        levels = {m.level for m in getattr(sent, "_queued_messages", [])}
        return INPUT_REFUSED if messages.ERROR in levels else OK
    return {
        404: NOT_FOUND,
        403: FORBIDDEN,
        401: UNAUTHORIZED,
        400: INPUT_REFUSED,
    }.get(
        response.status_code,
        OK if response.status_code < 500 and response.status_code != 405 else "",
    ) or f"status {response.status_code}"


def _call(
    client: Client,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    *,
    as_json: bool,
    headers: dict[str, str] | None = None,
) -> str:
    """One request, undone afterwards: the database rolled back, the client's
    cookies (a sign-out, say) put back."""
    cookies = copy.deepcopy(client.cookies)
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if method in ("put", "post", "delete"):
        if as_json:
            kwargs.update(data=json.dumps(body or {}), content_type="application/json")
        elif body:
            for value in body.values():
                if hasattr(value, "seek"):
                    value.seek(0)  # the same upload, sent again for each role
            kwargs.update(data=body)
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return _outcome(response)


def _differences(
    seen: Mapping[str, Mapping[str, str]], expected: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """ "METHOD role: got X, table says Y" for each cell that differs."""
    return [
        f"{method.upper()} {role}: got {seen[method][role]}, table says {outcome}"
        for method, outcomes in expected.items()
        for role, outcome in outcomes.items()
        if seen.get(method, {}).get(role) != outcome
        and not (outcome == OK and seen.get(method, {}).get(role) == INPUT_REFUSED)
    ]


# --- the tests ---------------------------------------------------------------------


def test_every_page_with_an_id_is_in_the_table() -> None:
    """A page whose URL takes a parameter and has no row in PAGES fails here (and
    a row for a page that is gone)."""
    assert pages_with_parameters() == set(PAGES)


def test_every_api_operation_with_an_id_is_in_the_table(world: World) -> None:
    """An operation of /api/openapi.json with a path parameter and no row in API
    fails here, as does a row whose method is not the operation's."""
    document = world.clients["anonymous"].get("/api/openapi.json").json()
    operations = api_operations_with_parameters(document)
    assert set(operations) == set(API)
    for operation_id, (method, _path) in operations.items():
        assert set(API[operation_id].expected) == {method}, operation_id


@pytest.mark.parametrize("name", sorted({**PAGES, **PAGES_WITHOUT_ID}))
def test_page_access(world: World, name: str) -> None:
    """Each role gets what the table says for this page, every method."""
    row = {**PAGES, **PAGES_WITHOUT_ID}[name]
    url = reverse(name, kwargs=dict(row.args(world)))
    # when
    body = row.body(world) if row.body else None
    seen = {
        method: {
            role: _call(world.clients[role], method, url, body, as_json=row.json)
            for role in ROLES
        }
        for method in row.expected
    }
    # then
    differences = _differences(seen, row.expected)
    assert not differences, "\n".join([url, *differences])


def test_the_operations_without_an_id_in_the_table_exist(world: World) -> None:
    """Each row of API_WITHOUT_ID names an operation of the document, by its
    method."""
    operations = api_operations(_openapi(world))
    for operation_id, row in API_WITHOUT_ID.items():
        assert operation_id in operations, operation_id
        assert set(row.expected) == {operations[operation_id][0]}, operation_id


@pytest.mark.parametrize("operation_id", sorted({**API, **API_WITHOUT_ID}))
def test_api_access(world: World, operation_id: str) -> None:
    """Each role, with its API token (none for anonymous), gets what the table says
    for this operation."""
    document = _openapi(world)
    method, path, _operation = api_operations(document)[operation_id]
    row = {**API, **API_WITHOUT_ID}[operation_id]
    url = path.format(**row.args(world))
    client = world.clients["anonymous"]  # the token, not a session, says who asks
    # when
    body = row.body(world) if row.body else None
    # JSON, except an upload (multipart).
    as_json = not any(hasattr(v, "read") for v in (body or {}).values())
    seen = {
        method: {
            role: _call(
                client,
                method,
                url,
                body,
                as_json=as_json,
                headers=(
                    {}
                    if role == "anonymous"
                    else {"authorization": f"Bearer {world.tokens[role]}"}
                ),
            )
            for role in ROLES
        }
    }
    # then
    differences = _differences(seen, row.expected)
    assert not differences, "\n".join([url, *differences])


_DOCUMENT: dict[str, Any] = {}


def _openapi(world: World) -> dict[str, Any]:
    if not _DOCUMENT:
        _DOCUMENT.update(world.clients["anonymous"].get("/api/openapi.json").json())
    return _DOCUMENT
