"""Making certificates and wallet cards: made when first asked for, kept while what
they print stays the same, made again when it changes."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.models import Technician
from certwright.certificates import documents
from certwright.certificates.models import CertificateFile, DocumentKind
from certwright.core.clock import now, today
from certwright.core.program import current_program
from certwright.credentials.recompute import technician_recompute
from certwright.verification.models import ShareLink
from certwright.verification.selectors import technician_share_links
from certwright.verification.services import share_link_create

# The label of the share link a wallet card prints: data, like any label a
# technician types, so it is not translated.
WALLET_CARD_LABEL = "Wallet card"


def standing_current(technician: Technician) -> documents.Standing:
    """The technician's standing today, recomputed first when the stored rows may
    lag (new facts not yet derived, or a calendar change due): a certificate must
    not print a certification that ended yesterday."""
    day = today()
    due = technician.next_change_on is not None and technician.next_change_on <= day
    if technician.is_stale or due:
        technician_recompute(technician_id=technician.pk)
    return documents.standing_of(technician, current_program(), day)


def wallet_card_link(technician_id: int, *, actor: Actor = None) -> ShareLink:
    """The technician's active share link labelled for the wallet card, made when
    there is none (the first card, or after the technician revoked it).

    The technician's row is locked first (SQLite's transactions take the write lock
    at once): two first downloads at the same moment, a double click, must not make
    two "Wallet card" links, one of which no printed card would ever show."""
    with transaction.atomic():
        Technician.objects.select_for_update().filter(pk=technician_id).first()
        link = (
            technician_share_links(technician_id)
            .filter(label=WALLET_CARD_LABEL, revoked_at__isnull=True)
            .first()
        )
        if link is None:
            link = share_link_create(
                technician_id=technician_id, label=WALLET_CARD_LABEL, actor=actor
            )
    return link


def certificate_file_get(
    *, technician: Technician, kind: DocumentKind, actor: Actor = None
) -> CertificateFile | None:
    """The technician's certificate or wallet card as of today: the stored one when
    it prints what is true today, else made now and stored. None when nothing is in
    force: there is nothing to certify, and an empty certificate would mislead."""
    standing = standing_current(technician)
    if not standing.in_force:
        return None
    link_url = ""
    if kind == DocumentKind.WALLET_CARD:
        link_url = documents.share_link_url(
            wallet_card_link(technician.pk, actor=actor).token
        )
    return _file_get(technician, kind, standing, link_url, None, actor)


def share_link_wallet_card_get(
    *, link: ShareLink, actor: Actor = None
) -> CertificateFile | None:
    """The wallet card of the technician behind ``link`` (an active share link), for
    whoever holds the link: its QR code opens that same link, never the
    technician's own "Wallet card" link, so revoking the link the holder was given
    leaves them no working code. Stored per link and state like the technician's
    own card, so anonymous visitors are served stored bytes, not a fresh layout
    each time. None when nothing is in force."""
    technician = link.technician
    standing = standing_current(technician)
    if not standing.in_force:
        return None
    link_url = documents.share_link_url(link.token)
    return _file_get(
        technician, DocumentKind.WALLET_CARD, standing, link_url, link, actor
    )


def _file_get(
    technician: Technician,
    kind: DocumentKind,
    standing: documents.Standing,
    link_url: str,
    share_link: ShareLink | None,
    actor: Actor,
) -> CertificateFile:
    """The stored file for this technician, kind and share link (None: the
    technician's own) when its digest matches what is true today, else made now and
    stored in its place."""
    program = current_program()
    digest = documents.document_digest(kind, standing, program, link_url)
    stored = CertificateFile.objects.filter(
        technician=technician, kind=kind, share_link=share_link
    ).first()
    if stored is not None and stored.digest == digest:
        return stored
    made_on = today()
    if kind == DocumentKind.WALLET_CARD:
        html = documents.wallet_card_html(standing, program, made_on, link_url)
    else:
        html = documents.certificate_html(standing, program, made_on)
    # Laid out outside the transaction: WeasyPrint takes a good fraction of a
    # second, and nothing it reads is locked.
    pdf = documents.pdf_from_html(html)
    try:
        made = _store(technician, kind, share_link, digest, pdf, standing, actor)
    except IntegrityError:
        # Another request stored the first one for this technician, kind and link
        # at the same moment, from the same facts: serve theirs.
        return CertificateFile.objects.get(
            technician=technician, kind=kind, share_link=share_link
        )
    return made


def _store(
    technician: Technician,
    kind: DocumentKind,
    share_link: ShareLink | None,
    digest: str,
    pdf: bytes,
    standing: documents.Standing,
    actor: Actor,
) -> CertificateFile:
    with transaction.atomic():
        made, _created = CertificateFile.objects.update_or_create(
            technician=technician,
            kind=kind,
            share_link=share_link,
            defaults={"digest": digest, "pdf": pdf, "made_at": now()},
        )
        event_record(
            kind=EventKind.CERTIFICATE_MADE,
            subject=f"certificate_file:{made.pk}",
            technician_id=technician.pk,
            actor=actor,
            data={
                "kind": str(kind),
                "share_link": share_link.pk if share_link else None,
                "digest": digest,
                "tests": [c.test for c in standing.certifications],
                "titles": [t.title_id for t in standing.titles],
            },
        )
    return made


def technician_certificate_files_delete(*, technician_id: int) -> int:
    """Delete the certificates and wallet cards made for the technician: they
    print the name (an erasure, inside ``privacy.services.person_erase``). A
    request made later lays them out again from what is recorded then."""
    deleted, _ = CertificateFile.objects.filter(technician_id=technician_id).delete()
    return deleted
