"""A document in the other official language, asked for from the grant page.

The grant page offers, beside each document the person sees that exists in one language
only, a small form: "Get this document in French" (or English). It posts here; the copy is
made the API's way (``service.routes.documents.copy_in_other_language``: the same check as a
download, the same refusals) and the person is sent back to the grant page, where the copy is
listed. Posting the form again finds the same copy: it is keyed by the original's step, kind,
language and format, so no key of the form's own is needed.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

from models.db import Database
from models.document_snapshots import kept_for_grant
from models.tables import User
from models.visibility import declared
from service.deps import DatabaseDep, DocumentId
from service.routes.documents import copy_in_other_language
from service.schemas import DocumentPublic
from service.web.access import FormPost
from workflows.document_copies import OTHER_LANGUAGE

router = APIRouter(include_in_schema=False)


def copy_offers(db: Database, user: User, documents: list[DocumentPublic]) -> dict[int, str]:
    """Which of the grant's ``documents`` (those ``user`` sees) to offer in the other
    language: the id of the first file of each that exists in one language only and whose
    content was kept, with the language of its copy. None for someone whose roles only read."""
    if not documents or all(v.read_only for v in declared(user.roles)):
        return {}
    with db.reading() as session:
        kept = kept_for_grant(session, documents[0].grant_id)
    languages: dict[tuple[str, str, int | None], set[str]] = defaultdict(set)
    for document in documents:
        languages[(document.kind, document.subject_key, document.audit_event_id)].add(
            document.language
        )
    offers: dict[int, str] = {}
    offered: set[tuple[str, str, int | None]] = set()
    for document in documents:
        step = (document.kind, document.subject_key, document.audit_event_id)
        if step in offered or len(languages[step]) != 1:
            continue
        if (document.audit_event_id, document.kind) in kept:
            offers[document.id] = OTHER_LANGUAGE[document.language]
            offered.add(step)
    return offers


@router.post("/documents/{document_id}/other-language")
async def ask_for_other_language(
    document_id: DocumentId, context: FormPost, db: DatabaseDep
) -> RedirectResponse:
    assert context.signed_in is not None
    copies = await asyncio.to_thread(
        copy_in_other_language, document_id, context.signed_in.user, db, Response()
    )
    grant_id, language = copies[0].grant_id, copies[0].language
    return RedirectResponse(f"/grants/{grant_id}?copied={language}#copied", status_code=303)
