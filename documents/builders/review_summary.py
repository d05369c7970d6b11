"""Community review summary: the panel's process and consensus, never individual scores."""

from __future__ import annotations

from documents.builders.common import Kit, document, grant_summary, kit, paragraphs
from documents.content import Column, DocumentContent, Heading, KeyValues, Notice, Table
from documents.context import DocumentContext, ReviewInfo
from documents.errors import DocumentDataError
from documents.formatting import format_decimal
from models.payloads import REVIEW_CRITERIA

AUDIENCE = "panel"
TEMPLATE_VERSION = "1.1.0"


def _scores(k: Kit, review: ReviewInfo) -> Table:
    order = {key: index for index, key in enumerate(REVIEW_CRITERIA)}
    criteria = sorted(
        review.criteria, key=lambda c: (order.get(c.criterion, len(order)), c.criterion)
    )
    rows = tuple(
        (k.named("criterion", c.criterion), format_decimal(c.mean_score, k.ctx.language))
        for c in criteria
    )
    footer = None
    if criteria:
        overall = sum(c.mean_score for c in criteria) / len(criteria)
        footer = (k.t("review.overall"), format_decimal(overall, k.ctx.language))
    columns = (Column(k.t("review.criterion")), Column(k.t("review.mean"), numeric=True))
    return Table(columns, rows, footer=footer)


def _recommendation(k: Kit, review: ReviewInfo) -> KeyValues:
    t = k.t
    rating = (
        t("review.rating_value", rating=review.consensus_rating)
        if review.consensus_rating is not None
        else t("common.not_recorded")
    )
    verdict = {
        "recommended": t("review.recommended"),
        "not_recommended": t("review.not_recommended"),
        None: t("review.pending"),
    }[review.recommendation]
    amount = (
        k.money(review.recommended_cents)
        if review.recommended_cents is not None
        else t("common.not_recorded")
    )
    return KeyValues(
        (
            (t("review.rating"), rating),
            (t("review.recommendation"), verdict),
            (t("common.requested"), k.money(k.ctx.grant.requested_cents)),
            (t("review.recommended_amount"), amount),
        )
    )


def build(ctx: DocumentContext) -> DocumentContent:
    """Reads ``ctx.review``; no details."""
    if ctx.review is None:
        raise DocumentDataError("review_summary: the context has no review")
    k = kit(ctx)
    t, review = k.t, ctx.review
    composition = KeyValues(
        (
            (t("review.panel_size"), k.count(review.panel_size)),
            (t("review.members_scoring"), k.count(review.members_scoring)),
            (t("review.quorum_required"), k.count(review.quorum_required)),
            (t("review.quorum_met"), k.yes_no(review.members_scoring >= review.quorum_required)),
            (t("review.elder"), k.yes_no(review.elder_present)),
            (t("review.survivor"), k.yes_no(review.survivor_advisor_present)),
            (t("review.conflicts"), k.count(review.conflicts_declared)),
            (t("review.recused"), k.count(review.members_recused)),
        )
    )
    blocks = (
        Notice(t("review.confidential"), title=t("review.confidential_title"), tone="confidential"),
        grant_summary(k),
        Heading(2, t("review.composition")),
        composition,
        Heading(2, t("review.scores")),
        _scores(k, review),
        Heading(2, t("review.consensus")),
        _recommendation(k, review),
        Heading(2, t("review.rationale")),
        *paragraphs(review.rationale),
    )
    return document(
        k,
        template_version=TEMPLATE_VERSION,
        blocks=blocks,
        marking=t("review.marking"),
        letter=False,
    )
