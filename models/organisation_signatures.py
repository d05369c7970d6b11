"""An organisation's own digital signature on its executed agreement: who may add one, and
recording the signed file as a new stored document with its own audit event.

Who may sign for the organisation is decided as for ``sign`` (``signer_has_signing_authority``):
a user of the grant's organisation, holding a role that may sign, whose email is that of one
of the organisation's contacts with signing authority. The original document is never
changed: the signed file is a new row (the next version of its kind and language), produced
by the ``organisation_signature_added`` event, which records the original's id, the
certificate's SHA-256 fingerprint and its subject's common name, and nothing of the key or its
passphrase.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, select

from models import lifecycle
from models.provisioning import normalised_email
from models.stored_documents import StoredBytes, record_stored_document
from models.tables import AuditEvent, Contact, Grant, StoredDocument, User

ORGANISATION_SIGNATURE_ADDED = "organisation_signature_added"
# The action whose signer may also sign the executed agreement digitally.
SIGNING_ACTION = "sign"


def signing_contact_of(session: Session, user: User, grant: Grant) -> Contact | None:
    """The contact with signing authority for ``grant``'s organisation that ``user`` is, when
    ``user`` belongs to that organisation in a role that may sign; else None."""
    roles = lifecycle.ACTIONS_BY_KEY[SIGNING_ACTION].roles
    if user.organisation_id != grant.organisation_id or not set(roles) & set(user.roles):
        return None
    if not user.email:
        return None
    address = normalised_email(user.email)
    contacts = session.exec(
        select(Contact).where(
            Contact.organisation_id == grant.organisation_id, Contact.signing_authority
        )
    )
    return next((c for c in contacts if normalised_email(c.email) == address), None)


def signing_role(user: User) -> str:
    roles = lifecycle.ACTIONS_BY_KEY[SIGNING_ACTION].roles
    return next(role for role in roles if role in user.roles)


def record_organisation_signature(
    session: Session,
    original: StoredDocument,
    stored: StoredBytes,
    signer: User,
    *,
    certificate_fingerprint: str,
    subject_common_name: str,
) -> StoredDocument:
    """The signed file's row and its ``organisation_signature_added`` event, in the caller's
    transaction; the same row when this very file was recorded before."""
    key = hashlib.sha256(
        f"organisation-signature:{original.id}:{stored.sha256}".encode()
    ).hexdigest()
    found = session.exec(
        select(StoredDocument).where(StoredDocument.idempotency_key == key)
    ).first()
    if found is not None:
        return found
    grant = session.get(Grant, original.grant_id)
    assert grant is not None
    # Append-only: the event is written whole, before the row it produces (which names it as
    # its producing event, and whose document_stored event records its SHA-256).
    event = AuditEvent(
        grant_id=grant.id,
        subject="document",
        subject_id=original.id,
        actor_id=signer.id,
        actor_name=signer.name,
        role=signing_role(signer),
        action=ORGANISATION_SIGNATURE_ADDED,
        payload_summary={
            "document_id": original.id,
            "certificate_sha256": certificate_fingerprint,
            "subject_common_name": subject_common_name,
        },
        idempotency_key=key,
    )
    session.add(event)
    session.flush()
    return record_stored_document(
        session,
        grant,
        kind=original.kind,
        subject_key=original.subject_key,
        language=original.language,
        fmt=original.format,
        stored=stored,
        template_version=original.template_version,
        produced_by_event=event.id,  # type: ignore[arg-type]
        idempotency_key=key,
        flow_run_id=None,
    )
