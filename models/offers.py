"""The offer a recipient signs: the stored grant agreement PDF its approval produced.

``sign`` records the SHA-256 of this file, so the executed agreement says which bytes were
signed; while the offer is still owed (its rendering failed or has not run yet) there is
no file yet, and the grant keeps no digest (the executed agreement says it was not recorded).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from models.tables import Grant, OwedDocument, StoredDocument

OFFER_KIND = "grant_agreement"
OFFER_FORMAT = "pdf"


@dataclass(frozen=True)
class Offer:
    """The latest offer a grant was given: its document, or None while it is still owed."""

    audit_event_id: int
    document_id: int | None
    sha256: str | None

    @property
    def issued(self) -> bool:
        return self.document_id is not None


def latest_offer(session: Session, grant: Grant) -> Offer | None:
    """The grant agreement owed by the grant's latest step that produced one, and its PDF in
    the language it was issued in (the step's own file, stored before any copy in the other
    language, so the lowest id of that step's PDFs); None when no step owed one."""
    owed = session.exec(
        select(OwedDocument)
        .where(OwedDocument.grant_id == grant.id, OwedDocument.kind == OFFER_KIND)
        .order_by(OwedDocument.audit_event_id.desc())  # type: ignore[attr-defined]
    ).first()
    if owed is None:
        return None
    if owed.stored_at is None:
        return Offer(owed.audit_event_id, None, None)
    document = session.exec(
        select(StoredDocument)
        .where(
            StoredDocument.audit_event_id == owed.audit_event_id,
            StoredDocument.kind == OFFER_KIND,
            StoredDocument.format == OFFER_FORMAT,
        )
        .order_by(StoredDocument.id)  # type: ignore[arg-type]
    ).first()
    if document is None:
        return Offer(owed.audit_event_id, None, None)
    return Offer(owed.audit_event_id, document.id, document.sha256)
