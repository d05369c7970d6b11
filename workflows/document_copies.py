"""A document in the other official language, on request (DOMAIN, "Languages").

Every step hands its people each document in one language: the organisation's for what is
addressed to it, the fund's staff language for the rest. Anyone who may read a document may
ask for it in the other official language. The copy is rendered from the content the original
was rendered from (``models.document_snapshots``), only its language changed, so it says what
the original said when it was issued, not what the grant's rows say today; a document stored
before that content was kept is refused a copy (``IssuedBeforeCopies``), never re-rendered
from today's data.

The copy is stored as the step itself would have stored that language: same grant, kind,
subject and producing audit event, and the same idempotency key
(``models.stored_documents.stored_document_key``), so asking twice, or the step later
rendering that language, finds the same rows. It is rendered in the request's own thread, not
in a Prefect flow run: it moves no grant, instalment or report, and a failure leaves nothing
behind to finish (the store's files are content-addressed; the rows and the audit event
commit together or not at all).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from documents import FORMATS, KINDS, StoredFile, build_document
from documents.context_codec import decode_context
from documents.issuing import issue_document
from models.document_snapshots import kept_snapshot
from models.errors import InvalidPayload, NotFound, NotPermitted
from models.stored_documents import record_stored_document, stored_document_key
from models.tables import AuditEvent, Grant, StoredDocument, User
from models.visibility import VISIBILITY_BY_ROLE
from workflows.runtime import database, document_store

OTHER_LANGUAGE = {"en": "fr", "fr": "en"}
LANGUAGE_NAMES = {"en": "English", "fr": "French"}
# The audit event of a copy made on request: who asked, for which document, in which language.
COPY_REQUESTED = "document_copy_requested"

# The roles through which a user reads a stored document; none when it may not see it (the
# service's own check, ``service.authz.document_readers``, which a download goes through).
DocumentReaders = Callable[[Session, User, StoredDocument], tuple[str, ...]]


@dataclass(frozen=True)
class OtherLanguageCopy:
    """The copy of document ``original_id`` in ``language``: one row per format."""

    original_id: int
    language: str
    documents: tuple[StoredDocument, ...]
    made_now: bool  # False: it existed already (asked before, or rendered by the step)


def other_language(language: str) -> str:
    return OTHER_LANGUAGE[language]


def render_other_language_copy(
    document_id: int, requester: User, readers: DocumentReaders, *, language: str | None = None
) -> OtherLanguageCopy:
    """Document ``document_id`` in the other official language (PDF and DOCX), made now or
    found; ``language``, when given, must be that other language.

    Refused as a download is: ``NotFound`` for a document ``requester`` may not read (as one
    that does not exist); then ``NotPermitted`` when it reads it only through read-only roles
    (they change nothing, and a copy is a new stored document); ``IssuedBeforeCopies`` (409)
    for a document whose content was not kept. A copy made now is audited once, as
    ``document_copy_requested`` (ids and the language only); finding it writes nothing.
    """
    db = database()
    with db.reading() as session:
        original = session.get(StoredDocument, document_id)
        roles = readers(session, requester, original) if original is not None else ()
        if original is None or not roles:
            raise NotFound(f"document {document_id} does not exist")
        acting_role = _acting_role(roles)
        target = _target_language(original, language)
        frozen = kept_snapshot(session, original.audit_event_id, original.kind)
        keys = _keys(original, target)
        found = _stored(session, keys)
    if len(found) == len(FORMATS):
        return OtherLanguageCopy(document_id, target, _in_order(found), made_now=False)
    context = dataclasses.replace(decode_context(frozen), language=target)
    content = build_document(context)
    store = document_store()
    files = {
        fmt: store.put(issue_document(content, fmt), fmt) for fmt in FORMATS if fmt not in found
    }
    try:
        with db.transaction() as session:
            return _record(session, original, target, keys, files, requester, acting_role)
    except IntegrityError:
        # Another request stored the same copy between this one's read and its write (two
        # writers at once on PostgreSQL; SQLite lets one writer in at a time): the same rows.
        with db.reading() as session:
            found = _stored(session, keys)
        if len(found) != len(FORMATS):
            raise
        return OtherLanguageCopy(document_id, target, _in_order(found), made_now=False)


def _acting_role(roles: tuple[str, ...]) -> str:
    acting = [role for role in roles if not VISIBILITY_BY_ROLE[role].read_only]
    if not acting:
        raise NotPermitted(
            f"the {' and '.join(roles)} role reads documents and changes nothing; a copy in "
            "the other language is a new stored document"
        )
    return acting[0]


def _target_language(original: StoredDocument, asked: str | None) -> str:
    target = OTHER_LANGUAGE.get(original.language)
    if target is None:
        raise InvalidPayload(
            f"document {original.id} is in {original.language!r}, not an official language",
            [{"field": "language", "message": "the document is in neither English nor French"}],
        )
    if asked is None or asked == target:
        return target
    if asked == original.language:
        message = (
            f"document {original.id} is in {LANGUAGE_NAMES[asked]} already; its copy in the "
            f"other language is in {LANGUAGE_NAMES[target]} ({target})"
        )
    else:
        message = f"{asked!r} is not an official language: en or fr"
    raise InvalidPayload(message, [{"field": "language", "message": message}])


def _keys(original: StoredDocument, language: str) -> dict[str, str]:
    event_id = original.audit_event_id
    assert event_id is not None  # kept_snapshot refused a document with no producing event
    return {fmt: stored_document_key(event_id, original.kind, language, fmt) for fmt in FORMATS}


def _stored(session: Session, keys: dict[str, str]) -> dict[str, StoredDocument]:
    rows = session.exec(
        select(StoredDocument).where(StoredDocument.idempotency_key.in_(keys.values()))  # type: ignore[attr-defined]
    ).all()
    by_key = {row.idempotency_key: row for row in rows}
    return {fmt: by_key[key] for fmt, key in keys.items() if key in by_key}


def _in_order(documents: dict[str, StoredDocument]) -> tuple[StoredDocument, ...]:
    return tuple(documents[fmt] for fmt in FORMATS)


def _record(
    session: Session,
    original: StoredDocument,
    language: str,
    keys: dict[str, str],
    files: dict[str, StoredFile],
    requester: User,
    acting_role: str,
) -> OtherLanguageCopy:
    """The copy's rows (those not stored meanwhile) and, if any was made, its audit event."""
    grant = session.get(Grant, original.grant_id)
    assert grant is not None
    found = _stored(session, keys)
    made = []
    for fmt, file in files.items():
        if fmt in found:
            continue
        found[fmt] = record_stored_document(
            session,
            grant,
            kind=original.kind,
            subject_key=original.subject_key,
            language=language,
            fmt=fmt,
            stored=file,
            template_version=KINDS[original.kind].template_version,
            produced_by_event=original.audit_event_id,  # type: ignore[arg-type]
            idempotency_key=keys[fmt],
            flow_run_id=None,
        )
        made.append(found[fmt])
    if made:
        session.flush()  # the files' document_stored events first, then the request's event
        session.add(
            AuditEvent(
                grant_id=grant.id,
                subject="document",
                subject_id=original.id,
                actor_id=requester.id,
                actor_name=requester.name,
                role=acting_role,
                action=COPY_REQUESTED,
                payload_summary={
                    "document_id": original.id,
                    "language": language,
                    "copies": [row.id for row in made],
                    "produced_by_event": original.audit_event_id,
                },
            )
        )
    return OtherLanguageCopy(original.id, language, _in_order(found), made_now=bool(made))  # type: ignore[arg-type]
