"""Executed agreement: the grant agreement as signed and countersigned."""

from __future__ import annotations

from documents.builders.grant_agreement import compose
from documents.content import DocumentContent
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.3.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """No details; signature blocks come from ``grant.signer_name/signed_at`` and
    ``countersigner_name/countersigned_at``."""
    return compose(ctx, executed=True, template_version=TEMPLATE_VERSION)
