"""What a lifecycle step hands people: structured content, PDF and DOCX files, storage.

Builders read only a :class:`~documents.context.DocumentContext` snapshot; the same snapshot
renders to the same bytes.
"""

from documents.content import DocumentContent
from documents.context import DocumentContext
from documents.errors import DocumentDataError
from documents.registry import (
    AUDIT_KINDS,
    KINDS,
    TEMPLATE_VERSIONS,
    AuditDocumentKind,
    DocumentKind,
    build_audit_document,
    build_document,
)
from documents.render import FORMATS, Format, render_document
from documents.storage import (
    DatabaseDocumentStore,
    DocumentStore,
    LocalDocumentStore,
    StoredFile,
    configured_store,
)

__all__ = [
    "AUDIT_KINDS",
    "FORMATS",
    "KINDS",
    "TEMPLATE_VERSIONS",
    "AuditDocumentKind",
    "DocumentContent",
    "DocumentContext",
    "DocumentDataError",
    "DocumentKind",
    "DocumentStore",
    "Format",
    "LocalDocumentStore",
    "DatabaseDocumentStore",
    "configured_store",
    "StoredFile",
    "build_audit_document",
    "build_document",
    "render_document",
]
