"""Issuing signed Open Badges 3.0 credentials and revoking them in the status list."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.badges.keys import SigningKeyError, private_key, signing_key_active
from certwright.badges.models import (
    CredentialKind,
    IssuedCredential,
    SigningKey,
    StatusList,
)
from certwright.candidates.models import Technician
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    TitleHolding,
)
from certwright.credentials.selectors import certifications_current
from certwright.program import model as pm
from certwright.vc import proof, status_list
from certwright.vc.contexts import OB_V3, VC_V2
from certwright.vc.did_web import did_from_url

# A list takes new indexes until half full, so a random free index is found in a
# couple of tries and the indexes given out say nothing about the order of issue.
FILL_LIMIT = status_list.MIN_ENTRIES // 2
FOREVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def site_url() -> str:
    return str(settings.CERTWRIGHT_SITE_URL).rstrip("/")


def issuer_did() -> str:
    return did_from_url(site_url())


def status_list_url(list_id: int) -> str:
    return f"{site_url()}/credentials/status/{list_id}"


def xsd_datetime(value: dt.datetime | dt.date) -> str:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _active_key() -> SigningKey:
    key = signing_key_active()
    if key is None:
        raise SigningKeyError("no signing key: run `certwright badges key create`")
    return key


def _sign(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    return proof.sign(
        document, private_key(key), f"{issuer_did()}#{key.key_id}", xsd_datetime(now())
    )


# --- status list ----------------------------------------------------------------------


def status_index_allocate() -> tuple[StatusList, int]:
    """A random index never given out before; the caller holds a transaction."""
    lst = (
        StatusList.objects.select_for_update()
        .filter(allocated__lt=FILL_LIMIT)
        .order_by("id")
        .first()
    )
    if lst is None:
        lst = StatusList.objects.create(
            bits=bytes(status_list.new_bitstring()), size=status_list.MIN_ENTRIES
        )
        lst = StatusList.objects.select_for_update().get(pk=lst.pk)
    taken = IssuedCredential.objects.filter(status_list=lst)
    while True:
        index = secrets.randbelow(lst.size)
        if not taken.filter(status_index=index).exists():
            break
    lst.allocated += 1
    lst.save(update_fields=["allocated"])
    return lst, index


def status_list_signed(list_id: int) -> StatusList:
    """The list with its signed credential current (re-signed after a bit was set or
    the key rotated)."""
    key = _active_key()
    lst = StatusList.objects.get(pk=list_id)
    if (
        lst.signed
        and lst.signed_version == lst.version
        and lst.signed_key == key.key_id
    ):
        return lst
    with transaction.atomic():
        lst = StatusList.objects.select_for_update().get(pk=list_id)
        url = status_list_url(lst.pk)
        document = {
            "@context": [VC_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(),
            "validFrom": xsd_datetime(lst.updated_at),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": status_list.encode(bytes(lst.bits)),
            },
        }
        lst.signed = _sign(document, key)
        lst.signed_version = lst.version
        lst.signed_key = key.key_id
        lst.save(update_fields=["signed", "signed_version", "signed_key"])
    return lst


def credentials_revoke(
    credentials: list[IssuedCredential], *, reason: str, actor: Actor = None
) -> int:
    """Set the status bits of these credentials (inside the caller's transaction)."""
    by_list: dict[int, list[IssuedCredential]] = {}
    for cred in credentials:
        if cred.revoked_at is None:
            by_list.setdefault(cred.status_list_id, []).append(cred)
    count = 0
    for list_id, creds in sorted(by_list.items()):
        lst = StatusList.objects.select_for_update().get(pk=list_id)
        bits = bytearray(lst.bits)
        for cred in creds:
            status_list.set_bit(bits, cred.status_index)
            cred.revoked_at = now()
            cred.save(update_fields=["revoked_at"])
            event_record(
                kind=EventKind.BADGE_REVOKED,
                subject=f"badge:{cred.uuid}",
                technician_id=cred.technician_id,
                actor=actor,
                data={"kind": cred.kind, "code": cred.code, "index": cred.status_index},
                reason=reason,
            )
            count += 1
        lst.bits = bytes(bits)
        lst.version += 1
        lst.updated_at = now()
        lst.save(update_fields=["bits", "version", "updated_at"])
    return count


def shop_credentials_revoke(*, code: str, reason: str, actor: Actor = None) -> int:
    """Set the status bits of the shop's recognition credentials still in force
    (its recognition ended or changed level); inside the caller's transaction."""
    live = IssuedCredential.objects.filter(
        kind=CredentialKind.SHOP,
        code=code,
        technician__isnull=True,
        revoked_at__isnull=True,
    )
    return credentials_revoke(list(live), reason=reason, actor=actor)


def technicians_credentials_recheck(
    technician_ids: list[int], actor: Actor = None
) -> int:
    """After a recompute: revoke the credentials whose certification was revoked
    (or whose title was lost before the credential's own end)."""
    live = list(
        IssuedCredential.objects.filter(
            technician_id__in=technician_ids, revoked_at__isnull=True
        )
    )
    if not live:
        return 0
    certs = {
        (c.technician_id, c.test): c
        for c in Certification.objects.filter(technician_id__in=technician_ids)
    }
    titles = {
        (t.technician_id, t.title_id): t
        for t in TitleHolding.objects.filter(technician_id__in=technician_ids)
    }
    withdrawn: list[IssuedCredential] = []
    for cred in live:
        owner = cred.technician_id or 0  # (shops' credentials have none: not here)
        if cred.kind == CredentialKind.CERTIFICATION:
            cert = certs.get((owner, cred.code))
            if cert is None or cert.status == CertificationStatus.REVOKED:
                withdrawn.append(cred)
        elif cred.kind == CredentialKind.TITLE:
            held = titles.get((owner, cred.code))
            ends = cred.valid_until.date() if cred.valid_until else None
            if held is None or (
                not held.held
                and (held.until is None or ends is None or held.until < ends)
            ):
                withdrawn.append(cred)
    return credentials_revoke(withdrawn, reason="certification withdrawn", actor=actor)


# --- issuing --------------------------------------------------------------------------


def _tests_in(expr: pm.Expr) -> list[str]:
    if isinstance(expr, pm.TestRef):
        return [expr.test]
    if isinstance(expr, pm.AllOf | pm.AnyOf):
        return [t for item in expr.items for t in _tests_in(item)]
    if isinstance(expr, pm.OnePerGroup):
        return [t for g in expr.groups for item in g.items for t in _tests_in(item)]
    return []


def _achievement(kind: str, code: str) -> dict[str, Any]:
    program = current_program()
    if kind == CredentialKind.CERTIFICATION:
        test = program.tests[code]
        years = test.validity_years or program.policy.validity_years
        name = f"{code} {test.name}"
        description = f"{program.name}: {name}."
        narrative = (
            f"Passed the {program.body} {name} test and met the program's work "
            f"experience requirement; valid for {years} years, renewed by "
            f"recertification."
        )
    else:
        title = program.titles[code]
        name = title.name
        description = f"{program.name}: {name}."
        needed = ", ".join(dict.fromkeys(_tests_in(title.rule)))
        narrative = f"Holds the certifications the title requires ({needed})."
    return {
        "id": f"{site_url()}/achievements/{kind}/{code}",
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": {"narrative": narrative},
    }


def _document(
    subject: list[dict[str, Any]],
    achievement: dict[str, Any],
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    cred_uuid: uuid.UUID,
    lst: StatusList,
    index: int,
) -> dict[str, Any]:
    program = current_program()
    url = status_list_url(lst.pk)
    document: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{cred_uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_did(), "type": ["Profile"], "name": program.body},
        "validFrom": xsd_datetime(valid_from or today()),
        "name": achievement["name"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": subject,
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": url,
        },
    }
    if valid_until is not None:
        document["validUntil"] = xsd_datetime(valid_until)
    return document


def identity(kind: str, value: str) -> dict[str, Any]:
    """An OB 3.0 ``IdentityObject``, not hashed (``kind``: identifier, name, ...)."""
    return {
        "type": "IdentityObject",
        "identityType": kind,
        "identityHash": value,
        "hashed": False,
    }


def _issue(
    technician: Technician,
    kind: str,
    code: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    state_key: str,
    actor: Actor,
) -> IssuedCredential:
    return credential_issue(
        technician=technician,
        kind=kind,
        code=code,
        subject=[
            identity("identifier", technician.certification_id),
            identity("name", technician.name),
        ],
        achievement=_achievement(kind, code),
        valid_from=valid_from,
        valid_until=valid_until,
        state_key=state_key,
        actor=actor,
    )


def credential_issue(
    *,
    technician: Technician | None,
    kind: str,
    code: str,
    subject: list[dict[str, Any]],
    achievement: dict[str, Any],
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    state_key: str,
    actor: Actor = None,
) -> IssuedCredential:
    """The signed credential for this subject's ``kind``/``code`` in this state:
    the one issued before, or a new one (signed, with a status list index never
    given out before). ``technician`` is None for a shop's recognition."""
    mine = IssuedCredential.objects.filter(
        technician=technician, kind=kind, code=code, state_key=state_key
    )
    existing = mine.first()
    if existing is not None:
        return existing
    key = _active_key()
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        again = mine.first()
        if again is not None:
            return again
        lst, index = status_index_allocate()
        cred_uuid = uuid.uuid4()
        # OB 3.0's JSON schema wants the proof as an array (VC 2.0 allows both).
        signed = _sign(
            _document(
                subject, achievement, valid_from, valid_until, cred_uuid, lst, index
            ),
            key,
        )
        signed["proof"] = [signed["proof"]]
        until = _midnight(valid_until) if valid_until else None
        cred = IssuedCredential.objects.create(
            technician=technician,
            kind=kind,
            code=code,
            state_key=state_key,
            uuid=cred_uuid,
            document_json=json.dumps(signed, ensure_ascii=False),
            valid_until=until,
            key=key,
            status_list=lst,
            status_index=index,
            created_at=now(),
        )
        # A credential without validUntil is valid for good: its key stays listed.
        horizon = until or FOREVER
        if key.signed_valid_until is None or horizon > key.signed_valid_until:
            key.signed_valid_until = horizon
            key.save(update_fields=["signed_valid_until"])
        event_record(
            kind=EventKind.BADGE_ISSUED,
            subject=f"badge:{cred_uuid}",
            technician_id=technician.pk if technician else None,
            actor=actor,
            data={"kind": kind, "code": code, "state": state_key, "key": key.key_id},
        )
    return cred


def technician_credentials_issue(
    *, technician_id: int, actor: Actor = None
) -> list[IssuedCredential]:
    """A signed credential for each certification in force and each title held,
    issued the first time it is asked for and kept while the state is unchanged."""
    technician = Technician.objects.get(pk=technician_id)
    day = today()
    out: list[IssuedCredential] = []
    program = current_program()
    for cert in (
        certifications_current(on=day)
        .filter(technician_id=technician_id)
        .order_by("test")
    ):
        if cert.test not in program.tests:
            continue
        state = f"{cert.status}:{cert.certified_on}:{cert.expires_on}"
        out.append(
            _issue(
                technician,
                CredentialKind.CERTIFICATION,
                cert.test,
                cert.certified_on,
                cert.expires_on,
                state,
                actor,
            )
        )
    for title in TitleHolding.objects.filter(
        technician_id=technician_id, held=True
    ).order_by("title_id"):
        if title.title_id not in program.titles or (title.until and title.until <= day):
            continue
        state = f"held:{title.since}:{title.until}"
        out.append(
            _issue(
                technician,
                CredentialKind.TITLE,
                title.title_id,
                title.since,
                title.until,
                state,
                actor,
            )
        )
    return out


def signing_keys_in_document() -> list[SigningKey]:
    """The active key and every retired one that signed something still valid."""
    moment = now()
    return [
        k
        for k in SigningKey.objects.order_by("id")
        if k.retired_at is None
        or (k.signed_valid_until is not None and k.signed_valid_until > moment)
    ]


def technician_credentials_erase(*, technician_id: int, actor: Actor = None) -> int:
    """Revoke and delete the signed credentials issued to the technician: each
    was signed with their name and cannot be re-signed without it (an erasure,
    inside ``privacy.services.person_erase``). Their status bits stay set, so a
    copy someone kept verifies as revoked."""
    credentials = list(
        IssuedCredential.objects.select_for_update().filter(technician_id=technician_id)
    )
    credentials_revoke(credentials, reason="person erased", actor=actor)
    IssuedCredential.objects.filter(pk__in=[c.pk for c in credentials]).delete()
    return len(credentials)
