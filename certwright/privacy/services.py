"""Erasing a person at their request: ``person_erase``.

Each app erases its own part through its own service (named below); this one
checks the request, runs them in one transaction, and writes the one event.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from certwright.accounts.selectors import account_addresses
from certwright.accounts.services import account_personal_data_erase
from certwright.audit.models import EventKind
from certwright.audit.selectors import event_list
from certwright.audit.services import Actor, event_record, events_pseudonymise
from certwright.badges.services import technician_credentials_erase
from certwright.candidates.models import Technician
from certwright.candidates.selectors import (
    technician_employer_addresses,
    technician_own_addresses,
)
from certwright.candidates.services import technician_personal_data_erase
from certwright.certificates.services import technician_certificate_files_delete
from certwright.delivery.accommodations import technician_accommodation_notes_clear
from certwright.notifications.services import emails_to_erase
from certwright.shops.services import technician_shop_finder_hide
from certwright.verification.services import share_links_revoke_all

REASON_MAX = 500


def pseudonym_new() -> str:
    """A name that says the person was erased and leads back to no one: random,
    so the public lookup cannot be asked for it either."""
    return f"erased-{secrets.token_hex(6)}"


def person_erased(technician_id: int) -> bool:
    return event_list(
        technician_id=technician_id, kind=EventKind.PERSON_ERASED
    ).exists()


def person_erase(technician: Technician, *, reason: str, actor: Actor) -> str:
    """Erase the person behind ``technician`` at their request; return the
    pseudonym they are kept under.

    Removed or replaced by the pseudonym: their names and addresses (record,
    account, e-mails sent to them and the words of past events), their login
    (disabled, password unusable, sessions ended, second factors, API tokens),
    their uploaded documents, the PDFs and signed credentials printed with their
    name, their share links and sharing with employers, their name on shop
    finders, accommodation notes, the employers' addresses they gave (in their
    records, the events and the confirmation e-mails about them). Kept under the
    pseudonym and the certification ID, as the program must: results, experience,
    renewal credits and revocations (so the derived certifications and titles do
    not change), appointments, attempts and their scores, orders and payments
    (accounting).

    ValidationError, with nothing changed, for a missing reason or a person
    already erased. The event names no one: the counts of what went, and the
    reason as staff wrote it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the person is erased (their request)."}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason under {REASON_MAX} characters."}
        )
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician.pk)
        if person_erased(technician.pk):
            raise ValidationError(
                {"technician": f"{technician.certification_id} was already erased."}
            )
        pseudonym = pseudonym_new()
        user_id = technician.user_id
        user = technician.user
        addresses = technician_own_addresses(technician) | account_addresses(user_id)
        words = {technician.name, technician.family_name, *addresses}
        if user is not None:
            words |= {user.get_username(), user.first_name, user.last_name}
            words |= {user.get_full_name()}
        # The employers they named on their experience records are no one else's
        # business either: the records lose the address, so do the events and the
        # confirmation e-mails about this person (not the employer's other mail).
        employers = technician_employer_addresses(technician.pk) - addresses
        replacements = dict.fromkeys(words, pseudonym) | dict.fromkeys(
            employers, f"employer-of-{pseudonym}"
        )
        counts: dict[str, int] = {}
        counts |= technician_personal_data_erase(
            technician_id=technician.pk, pseudonym=pseudonym
        )
        if user_id is not None:
            counts |= account_personal_data_erase(
                user_id=user_id, technician_id=technician.pk, pseudonym=pseudonym
            )
        counts["share_links_revoked"] = share_links_revoke_all(
            technician_id=technician.pk
        )
        counts["certificate_files_deleted"] = technician_certificate_files_delete(
            technician_id=technician.pk
        )
        counts["signed_credentials_deleted"] = technician_credentials_erase(
            technician_id=technician.pk, actor=actor
        )
        counts["shop_finder_names_hidden"] = technician_shop_finder_hide(
            technician_id=technician.pk
        )
        counts["accommodation_notes_cleared"] = technician_accommodation_notes_clear(
            technician_id=technician.pk
        )
        counts["emails_erased"] = emails_to_erase(
            addresses=addresses, pseudonym=pseudonym
        ) + emails_to_erase(
            addresses=employers,
            pseudonym=f"employer-of-{pseudonym}",
            mentioning=words | {technician.certification_id},
        )
        event_record(
            kind=EventKind.PERSON_ERASED,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician.pk,
            actor=actor,
            data={"pseudonym": pseudonym, "removed": counts},
            reason=reason,
        )
        # Last, so the new event's reason loses a name staff may have typed too.
        events_pseudonymise(
            technician_id=technician.pk,
            user_id=user_id,
            replacements=replacements,
        )
    return pseudonym
