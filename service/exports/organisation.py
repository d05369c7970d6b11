"""An organisation's complete export (OCAP's Possession): one ZIP it can keep and check.

``write_organisation_export`` writes, in this order:

- ``verify.py``: a standard-library-only script that checks the unpacked folder against the
  manifest (``documents/exports/export_verifier.py``, shipped verbatim);
- ``records/organisation.json``, ``records/contacts.json`` and one
  ``records/grant-<reference>.json`` per grant (``service.exports.records``);
- ``csv/*.csv``: the same records as lists (grants, budget lines, instalments, outcome
  reports with their counts, documents, contacts), UTF-8 with a byte-order mark;
- ``documents/<reference>/<file>``: every stored document of its grants that the applicant's
  view reads (PDF and DOCX), copied from the store in chunks, verified as they go;
- ``manifest.json``: every other file's path, size and SHA-256, the export's time, the
  organisation, grantflow's version and the format.

Only the organisation's signing authority may have it through the API
(``authorize_organisation_export``); the installation's operator runs ``grantflow org export``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from documents.exports.archive import ExportArchive, safe_part
from documents.exports.csv_text import csv_bytes
from documents.storage import DocumentStore
from models.clock import utcnow
from models.data_return import returned_package
from models.db import Database
from models.errors import NotFound, NotPermitted
from models.provisioning import normalised_email
from models.tables import Contact, Grant, Organisation, User
from models.visibility import organisation_roles
from service.authz import may_see_organisation
from service.exports.record_lists import RecordLists
from service.exports.records import (
    CONTACT_FIELDS,
    DOCUMENT_FIELDS,
    GrantRecords,
    as_json_value,
    contact_records,
    grant_ids,
    grant_records,
    organisation_record,
)

EXPORT_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    organisation_id: int
    grants: int
    documents: int
    files: int


def is_signing_authority(session: Session, user: User, organisation_id: int) -> bool:
    """Whether ``user`` belongs to the organisation through its own role and signs in with the
    address of one of its contacts with signing authority (as ``sign`` checks)."""
    if user.organisation_id != organisation_id or not user.email:
        return False
    if not any(role in organisation_roles() for role in user.roles):
        return False
    address = normalised_email(user.email)
    contacts = session.exec(
        select(Contact).where(
            Contact.organisation_id == organisation_id,
            Contact.signing_authority == True,  # noqa: E712 - a SQL comparison
        )
    ).all()
    return any(normalised_email(c.email) == address for c in contacts)


def authorize_organisation_export(session: Session, user: User, organisation_id: int) -> None:
    """404 for an organisation the user may not see (its existence is not revealed); 403 for
    one it sees but whose signing authority it is not."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or not may_see_organisation(user, organisation_id):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if user.organisation_id != organisation_id:
        raise NotPermitted(
            "an organisation's export is for its own signing authority; the installation's "
            "operator can run 'grantflow org export' for it"
        )
    if not is_signing_authority(session, user, organisation_id):
        raise NotPermitted(
            f"only a contact with signing authority for {organisation.legal_name} can export "
            "its records, and the address you signed in with is not one of theirs"
        )


def find_organisation(db: Database, organisation_id: int) -> Organisation:
    with db.reading() as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise NotFound(f"organisation {organisation_id} does not exist")
        return organisation


def to_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def grantflow_version() -> str:
    try:
        return metadata.version("grantflow")
    except metadata.PackageNotFoundError:
        return "unknown"


def _document_paths(records: GrantRecords, taken: set[str]) -> list[tuple[dict[str, Any], str]]:
    folder = f"documents/{safe_part(records.grant['reference'], str(records.grant['id']))}"
    paths = []
    for document in records.documents:
        name = safe_part(document.filename, f"document-{document.id}")
        path = f"{folder}/{name}"
        if path in taken:
            path = f"{folder}/{document.id}-{name}"
        taken.add(path)
        fields = {f: as_json_value(getattr(document, f)) for f in DOCUMENT_FIELDS}
        paths.append((fields, path))
    return paths


def write_organisation_export(
    db: Database,
    organisation_id: int,
    out: Path,
    files: DocumentStore,
    *,
    include_deliberation_notes: bool = False,
) -> ExportSummary:
    """Write the organisation's export to ``out`` (atomically: whole, or not at all).

    ``include_deliberation_notes``: whether the panel's sealed deliberation notes go in; never
    through the API or the command line. The export goes to the organisation's signing
    authority, an applicant, and the applicant role reads no notes (``models.visibility``);
    the notes reach the organisation's governance body in the return package at close, when
    its data agreement says so (``models.data_return``).
    """
    organisation = find_organisation(db, organisation_id)
    moment = utcnow()
    manifest = {
        "format_version": EXPORT_FORMAT_VERSION,
        "organisation_id": organisation_id,
        "organisation": organisation.legal_name,
        "exported_at": moment.isoformat(),
        "grantflow_version": grantflow_version(),
        "includes_deliberation_notes": include_deliberation_notes,
    }
    lists, taken, grants, documents = RecordLists(), set[str](), 0, 0
    with ExportArchive(out, moment, manifest) as archive:
        archive.add_verifier()
        with db.reading() as session:
            archive.add_bytes(
                "records/organisation.json", to_json(organisation_record(session, organisation))
            )
            contacts = contact_records(session, organisation_id)
            archive.add_bytes("records/contacts.json", to_json(contacts))
            ids = list(grant_ids(session, organisation_id))
        for grant_id in ids:
            with db.reading() as session:
                grant = session.get(Grant, grant_id)
                assert grant is not None
                records = grant_records(session, grant, include_deliberation_notes)
                package = returned_package(session, grant)
            paths = _document_paths(records, taken)
            records.grant["documents"] = [{**fields, "path": path} for fields, path in paths]
            name = safe_part(records.grant["reference"], str(grant_id))
            returned = f"returned/{name}-returned-data.json" if package is not None else None
            records.grant["returned_package"] = returned
            archive.add_bytes(f"records/grant-{name}.json", to_json(records.grant))
            if returned is not None and package is not None:
                archive.add_bytes(returned, package)
            lists.add(records.grant, paths)
            for document, (_fields, path) in zip(records.documents, paths, strict=True):
                archive.add_chunks(path, files.stream(document.storage_key))
            grants += 1
            documents += len(records.documents)
        for path, data in lists.files().items():
            archive.add_bytes(path, data)
        rows = [[c[name] for name in CONTACT_FIELDS] for c in contacts]
        archive.add_bytes("csv/contacts.csv", csv_bytes(CONTACT_FIELDS, rows))
    return ExportSummary(out, organisation_id, grants, documents, len(archive.members) + 1)
