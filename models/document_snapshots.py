"""The frozen content each step's documents were rendered from.

A document says what the grant was when its step was taken; the grant's rows move on
(amounts, states, signers, contacts). So the content a step's document of one kind was built
from is kept, as the canonical JSON ``documents.context_codec`` writes, beside the documents
themselves, written in the transaction that stores them and never changed. A copy in the other
official language is rendered from it, and from nothing else: a document stored before
snapshots were kept has none, and no copy of it is made from what the database says today.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.errors import ActionRejected


class DocumentSnapshot(SQLModel, table=True):
    """The content the ``kind`` document of audit event ``audit_event_id`` was rendered from."""

    __tablename__ = "document_snapshot"
    audit_event_id: int = Field(foreign_key="auditevent.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=64)
    grant_id: int = Field(foreign_key="grant.id", index=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class IssuedBeforeCopies(ActionRejected):
    status = 409
    code = "issued-before-copies"
    title = "No copy in the other language can be made of this document"


def keep_snapshot(session: Session, event_id: int, kind: str, grant_id: int, content: str) -> None:
    """Keep the content of the ``kind`` document of ``event_id``, unless it is kept already
    (a retried step renders from the same event; the first content stands)."""
    if session.get(DocumentSnapshot, (event_id, kind)) is None:
        session.add(
            DocumentSnapshot(audit_event_id=event_id, kind=kind, grant_id=grant_id, content=content)
        )


def kept_snapshot(session: Session, event_id: int | None, kind: str) -> str:
    """The content the ``kind`` document of ``event_id`` was rendered from, or
    ``IssuedBeforeCopies`` when none was kept."""
    found = session.get(DocumentSnapshot, (event_id, kind)) if event_id is not None else None
    if found is None:
        raise IssuedBeforeCopies(
            "this document was issued before copies in the other language could be made; "
            "ask the Fund"
        )
    return found.content


def kept_for_grant(session: Session, grant_id: int) -> set[tuple[int, str]]:
    """(audit event id, kind) of every document of the grant whose content is kept."""
    rows = session.exec(
        select(DocumentSnapshot.audit_event_id, DocumentSnapshot.kind).where(
            DocumentSnapshot.grant_id == grant_id
        )
    ).all()
    return {(event_id, kind) for event_id, kind in rows}
