"""A document as it is issued: rendered, and for a PDF of a signed kind, signed by the Fund.

Steps and copies in the other language store what this returns, so the stored bytes (and
the SHA-256 their row records) are the signed ones. Rendering alone (``render_document``)
stays deterministic; the signature adds the signing time, so a signed PDF differs each time it
is made, and a retried step finds the row it stored rather than render again.
"""

from __future__ import annotations

from documents.content import DocumentContent
from documents.registry import SIGNED_KINDS
from documents.render import Format, render_document
from documents.signing import certify_as_fund, fund_key


def is_signed(kind: str, fmt: str) -> bool:
    """Whether a document of ``kind`` in ``fmt`` carries the Fund's signature (PDFs only)."""
    return fmt == "pdf" and kind in SIGNED_KINDS


def issue_document(content: DocumentContent, fmt: Format) -> bytes:
    """``content`` rendered as ``fmt``; certified by the Fund when ``is_signed``. A Fund key
    that cannot be loaded raises ``FundKeyError`` (the document then stays owed)."""
    rendered = render_document(content, fmt)
    if not is_signed(content.kind, fmt):
        return rendered
    return certify_as_fund(rendered, fund_key(), content.language)
