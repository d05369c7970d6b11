"""The document kinds: key, builder, template version, audience and titles.

Two families. Step documents (``KINDS``) are what a lifecycle action produces: built from a
grant snapshot (DocumentContext), issued in EN and FR, stored and listed with the grant.
Audit documents (``AUDIT_KINDS``) are made per dossier when an auditor exports it: built from
the dossier's evidence, in English, never produced by a lifecycle action. Both render through
``documents.render.render_document``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from documents.audit.evidence import Evidence
from documents.builders import (
    acknowledgement_of_receipt,
    amending_agreement,
    approval_memo,
    audit_dossier,
    closeout_certificate,
    decision_letter,
    decline_letter,
    deficiency_notice,
    executed_agreement,
    executed_amendment,
    grant_agreement,
    holdback_release_letter,
    lapse_notice,
    overdue_notice,
    payment_authorization,
    reconciliation_letter,
    remittance_advice,
    report_receipt,
    report_reminder,
    review_summary,
)
from documents.content import DocumentContent
from documents.context import DocumentContext
from documents.text import audit_catalogue, catalogue

Audience = Literal["applicant", "staff", "panel"]


@dataclass(frozen=True)
class DocumentKind:
    key: str
    builder: Callable[[DocumentContext], DocumentContent]
    template_version: str
    audience: Audience
    title_en: str
    title_fr: str

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    @property
    def to_the_organisation(self) -> bool:
        """Addressed to the applicant organisation (in its language), not to fund staff."""
        return self.audience == "applicant"


_MODULES: tuple[ModuleType, ...] = (
    acknowledgement_of_receipt,
    deficiency_notice,
    review_summary,
    approval_memo,
    decision_letter,
    decline_letter,
    grant_agreement,
    lapse_notice,
    executed_agreement,
    amending_agreement,
    executed_amendment,
    payment_authorization,
    remittance_advice,
    report_receipt,
    report_reminder,
    overdue_notice,
    reconciliation_letter,
    holdback_release_letter,
    closeout_certificate,
)


def _kind(module: ModuleType) -> DocumentKind:
    key = module.__name__.rsplit(".", 1)[-1]
    return DocumentKind(
        key=key,
        builder=module.build,
        template_version=module.TEMPLATE_VERSION,
        audience=module.AUDIENCE,
        title_en=catalogue("en")(f"title.{key}"),
        title_fr=catalogue("fr")(f"title.{key}"),
    )


KINDS: dict[str, DocumentKind] = {kind.key: kind for kind in map(_kind, _MODULES)}
# The kinds whose PDF the Fund signs when it is issued (documents.issuing): PAdES, certified
# so that the organisation may add its own signature. Their DOCX files are not signed.
SIGNED_KINDS: frozenset[str] = frozenset({"executed_agreement", "executed_amendment"})
TEMPLATE_VERSIONS: dict[str, str] = {key: kind.template_version for key, kind in KINDS.items()}


def build_document(ctx: DocumentContext) -> DocumentContent:
    """The structured content of ``ctx.kind`` for ``ctx``."""
    try:
        kind = KINDS[ctx.kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {ctx.kind!r}") from None
    return kind.builder(ctx)


@dataclass(frozen=True)
class AuditDocumentKind:
    """A document of the audit trail: one per dossier, built from its evidence, in English."""

    key: str
    builder: Callable[[Evidence], DocumentContent]
    template_version: str
    title: str


def _audit_kind(module: ModuleType) -> AuditDocumentKind:
    key = module.__name__.rsplit(".", 1)[-1]
    return AuditDocumentKind(
        key=key,
        builder=module.build,
        template_version=module.TEMPLATE_VERSION,
        title=audit_catalogue()(f"title.{key}"),
    )


AUDIT_KINDS: dict[str, AuditDocumentKind] = {
    kind.key: kind for kind in map(_audit_kind, (audit_dossier,))
}


def build_audit_document(kind: str, evidence: Evidence) -> DocumentContent:
    """The structured content of the audit document ``kind`` for a dossier's ``evidence``."""
    try:
        audit_kind = AUDIT_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown audit document kind: {kind!r}") from None
    return audit_kind.builder(evidence)
