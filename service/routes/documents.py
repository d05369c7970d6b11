"""Generated documents: metadata and the file itself."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from documents import KINDS
from documents.audit.small_counts import prints_withheld_counts
from documents.storage import StorageIntegrityError
from models.access_log import AccessKind, Channel, record_read
from models.db import Database
from models.errors import NotFound
from models.tables import Fund, Grant, StoredDocument, User
from models.visibility import VISIBILITY_BY_ROLE
from service.authz import document_readers
from service.deps import CurrentUser, DatabaseDep, DocumentId
from service.problems import Problem, problem_responses
from service.schemas import DocumentPublic
from service.views import document_public
from workflows.document_copies import render_other_language_copy

router = APIRouter(
    prefix="/api/v1/documents", tags=["documents"], responses=problem_responses(401, 404, 422)
)

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

logger = logging.getLogger(__name__)


def _visible_document(db, user, document_id: int) -> StoredDocument:  # type: ignore[no-untyped-def]
    with db.reading() as session:
        document = session.get(StoredDocument, document_id)
        missing = NotFound(f"document {document_id} does not exist")
        if document is None or not document_readers(session, user, document):
            raise missing
        return document


def _readable_document(db, user, document_id: int) -> tuple[StoredDocument, Grant, str]:  # type: ignore[no-untyped-def]
    """The document, its grant and the role ``user`` reads it through; 404 if it may not."""
    with db.reading() as session:
        document = session.get(StoredDocument, document_id)
        roles = document_readers(session, user, document) if document is not None else ()
        if document is None or not roles:
            raise NotFound(f"document {document_id} does not exist")
        grant = session.get(Grant, document.grant_id)
        assert grant is not None
        return document, grant, roles[0]


def _refuse_small_counts(db: Database, document: StoredDocument, grant: Grant, role: str) -> None:
    """A role that reads outcome counts suppressed (``models.visibility``) does not get a report
    receipt printing a count below the fund's threshold: 403, as the dossier leaves it out."""
    if VISIBILITY_BY_ROLE[role].outcome_counts == "exact":
        return
    with db.reading() as session:
        fund = session.get(Fund, grant.fund_id)
        assert fund is not None
        if not prints_withheld_counts(session, document, fund.small_cell_threshold):
            return
    raise Problem(
        403,
        "small-counts-withheld",
        "This document prints a count below the fund's threshold",
        f"this report receipt prints an outcome count below the fund's threshold of "
        f"{fund.small_cell_threshold}, and the {role} role reads such counts suppressed; the "
        "grant's history shows the report's counts as that role may read them",
    )


def read_kind(document: StoredDocument) -> AccessKind:
    """What reading ``document``'s file is, in the access log: a document for the review
    panel (such as the review summary and its panel means) is review content."""
    kind = KINDS.get(document.kind)
    if kind is not None and kind.audience == "panel":
        return "review_document_file"
    return "document_file"


def attachment(filename: str) -> str:
    """The Content-Disposition of a download named ``filename`` (RFC 6266; RFC 8187 when the
    name is not plain ASCII)."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


def stored_bytes(document: StoredDocument) -> bytes:
    """The document's bytes from the store, verified against their SHA-256; a 500 problem
    (and an error in the log) if they are missing or no longer match."""
    from workflows.runtime import document_store

    try:
        return document_store().read(document.storage_key)
    except StorageIntegrityError:
        logger.error(
            "document %s failed its integrity check (storage key %s); not served",
            document.id,
            document.storage_key,
        )
        raise Problem(
            500,
            "document-corrupted",
            "Stored document failed its integrity check",
            f"document {document.id}'s stored bytes no longer match its SHA-256, so they are "
            "not served; an administrator should run 'grantflow audit verify' and restore the "
            "file from a backup",
        ) from None
    except FileNotFoundError:
        logger.error(
            "document %s is missing from the store (storage key %s)",
            document.id,
            document.storage_key,
        )
        raise Problem(
            500,
            "document-missing",
            "Stored document is missing",
            f"document {document.id} is recorded but its file is missing from the document "
            "store; an administrator should restore it from a backup",
        ) from None


def refuse_withdrawn(document: StoredDocument) -> None:
    """A document withdrawn at close (``models.data_return``) is no longer served: 410."""
    if document.withdrawn_at is not None:
        raise Problem(
            410,
            "document-withdrawn",
            "Document withdrawn",
            f"document {document.id} printed review content that was returned to the "
            "organisation and deleted when its grant closed, as its data agreement says; its "
            "record and SHA-256 are kept for the audit trail",
        )


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 13.1.2: a list of entity tags (weak ones compare by their opaque part) or '*'."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get("/{document_id}", response_model=DocumentPublic, summary="A document's record")
def read_document(document_id: DocumentId, user: CurrentUser, db: DatabaseDep) -> DocumentPublic:
    """A document's record: kind, version, language, format, SHA-256, size, template version and
    the Prefect flow run that produced it.
    """
    return document_public(_visible_document(db, user, document_id))


@router.get(
    "/{document_id}/file",
    summary="Download the document (PDF or DOCX)",
    response_class=Response,
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **problem_responses(403, 410, 500),
    },
)
def download_document(
    document_id: DocumentId, request: Request, user: CurrentUser, db: DatabaseDep
) -> Response:
    """The document's bytes, with its media type, a readable file name and an ETag equal to its
    SHA-256 (If-None-Match answers 304).

    The bytes are checked against the SHA-256 before anything is sent: a response's status goes
    out before its body, so a stored file that no longer matches is answered with a 500
    problem, never served. Each download is recorded in the access log (who, which document,
    when: `GET /api/v1/access-events`) before it is sent; one that cannot be recorded is not
    sent (500).
    """
    return serve_document(document_id, request, user, db, "api")


def serve_document(
    document_id: int, request: Request, user: User, db: Database, channel: Channel
) -> Response:
    """A document's file to ``user`` (the API's download and the page's): checked, then its
    reading recorded in the access log (a failure to record fails the download), then sent.
    A 304 sends nothing and records nothing."""
    document, grant, role = _readable_document(db, user, document_id)
    _refuse_small_counts(db, document, grant, role)
    refuse_withdrawn(document)
    etag = f'"{document.sha256}"'
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    content = stored_bytes(document)
    record_read(
        db,
        reader=user,
        role=role,
        kind=read_kind(document),
        channel=channel,
        organisation_id=grant.organisation_id,
        grant_id=grant.id,
        subject_id=document.id,
    )
    return Response(
        content,
        media_type=MEDIA_TYPES[document.format],
        headers={
            "ETag": etag,
            "Cache-Control": "private, no-cache",
            "Content-Disposition": attachment(document.filename),
        },
    )


@router.post(
    "/{document_id}/other-language",
    status_code=status.HTTP_201_CREATED,
    response_model=list[DocumentPublic],
    responses={
        200: {"description": "The copy existed already", "model": list[DocumentPublic]},
        201: {"description": "The copy was made now"},
        **problem_responses(403, 409, 410, 500),
    },
    summary="The document in the other official language (PDF and DOCX)",
)
def copy_in_other_language(
    document_id: DocumentId, user: CurrentUser, db: DatabaseDep, response: Response
) -> list[DocumentPublic]:
    """The document in the other official language (English <-> French), as PDF and DOCX,
    rendered from the content the original was rendered from: it says what the original said
    when it was issued. 201 with the copy's two documents when made now, 200 with the same
    when it existed (asking again makes nothing twice); each is listed with the grant's
    documents from then on. A document you may not see answers 404, as its download does;
    auditors read and change nothing (403); a document issued before copies could be made
    answers 409 (ask the Fund); one withdrawn at close answers 410. Rendering takes about a second.
    """
    refuse_withdrawn(_visible_document(db, user, document_id))
    copy = render_other_language_copy(document_id, user, document_readers)
    if not copy.made_now:
        response.status_code = status.HTTP_200_OK
    return [document_public(document) for document in copy.documents]
