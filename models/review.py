"""Community review rules: quorum, required presence, sealed scores shown only as means."""

from __future__ import annotations

from collections.abc import Iterable

from models.payloads import REVIEW_CRITERIA
from models.tables import ReviewAssignment, ReviewScore


def quorum_required(panel_size: int, numerator: int, denominator: int) -> int:
    """Members who must have scored: ``numerator/denominator`` of the panel, rounded up."""
    return -(-panel_size * numerator // denominator)


def recused_members(assignments: Iterable[ReviewAssignment]) -> set[int]:
    return {a.reviewer_id for a in assignments if a.conflict == "direct"}


def scoring_members(
    assignments: Iterable[ReviewAssignment], scores: Iterable[ReviewScore]
) -> set[int]:
    assignments = list(assignments)
    assigned = {a.reviewer_id for a in assignments}
    return {s.reviewer_id for s in scores if s.reviewer_id in assigned} - recused_members(
        assignments
    )


def criterion_means(scores: Iterable[ReviewScore]) -> list[tuple[str, float]]:
    """Mean score per criterion, rounded to one decimal: the only view of sealed scores."""
    by_criterion: dict[str, list[int]] = {c: [] for c in REVIEW_CRITERIA}
    for score in scores:
        by_criterion.setdefault(score.criterion, []).append(score.score)
    return [
        (criterion, round(sum(values) / len(values), 1))
        for criterion, values in by_criterion.items()
        if values
    ]
