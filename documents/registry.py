"""The document kinds: key, builder, template version, audience and titles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from documents.builders import (
    acknowledgement_of_receipt,
    approval_memo,
    closeout_certificate,
    decision_letter,
    decline_letter,
    deficiency_notice,
    executed_agreement,
    grant_agreement,
    holdback_release_letter,
    payment_authorization,
    reconciliation_letter,
    remittance_advice,
    report_receipt,
    report_reminder,
    review_summary,
)
from documents.content import DocumentContent
from documents.context import DocumentContext
from documents.text import catalogue

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
    executed_agreement,
    payment_authorization,
    remittance_advice,
    report_receipt,
    report_reminder,
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
TEMPLATE_VERSIONS: dict[str, str] = {key: kind.template_version for key, kind in KINDS.items()}


def build_document(ctx: DocumentContext) -> DocumentContent:
    """The structured content of ``ctx.kind`` for ``ctx``."""
    try:
        kind = KINDS[ctx.kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {ctx.kind!r}") from None
    return kind.builder(ctx)
