"""Executed amendment: the amending agreement as signed and countersigned, in force."""

from __future__ import annotations

from documents.builders.amending_agreement import compose
from documents.content import DocumentContent
from documents.context import DocumentContext

AUDIENCE = "applicant"
TEMPLATE_VERSION = "1.0.0"


def build(ctx: DocumentContext) -> DocumentContent:
    """The details of ``amending_agreement`` plus both signatures."""
    return compose(ctx, executed=True, template_version=TEMPLATE_VERSION)
