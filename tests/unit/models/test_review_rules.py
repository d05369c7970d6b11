"""Community review: two-thirds quorum, recusal on direct conflict, sealed scores as means."""

from __future__ import annotations

import pytest

from models.payloads import REVIEW_CRITERIA
from models.review import criterion_means, quorum_required, recused_members, scoring_members
from models.tables import ReviewAssignment, ReviewScore


def panel(**conflicts: str | None) -> list[ReviewAssignment]:
    """Assignments keyed by reviewer id, e.g. ``panel(r1=None, r2="direct")``."""
    return [
        ReviewAssignment(grant_id=1, reviewer_id=int(key[1:]), conflict=conflict)
        for key, conflict in conflicts.items()
    ]


def scored(*reviewer_ids: int, criterion: str = "cultural_grounding") -> list[ReviewScore]:
    return [
        ReviewScore(grant_id=1, reviewer_id=r, criterion=criterion, score=4) for r in reviewer_ids
    ]


@pytest.mark.parametrize(
    ("panel_size", "needed"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (9, 6), (10, 7)],
)
def test_quorum_is_two_thirds_of_the_panel_rounded_up(panel_size, needed):
    assert quorum_required(panel_size, 2, 3) == needed


@pytest.mark.parametrize(("panel_size", "needed"), [(4, 2), (5, 3), (7, 4)])
def test_a_simple_majority_quorum_rounds_up_too(panel_size, needed):
    assert quorum_required(panel_size, 1, 2) == needed


def test_only_a_direct_conflict_recuses_a_member():
    assignments = panel(r1=None, r2="none", r3="indirect", r4="direct")
    assert recused_members(assignments) == {4}


def test_a_recused_members_scores_do_not_count():
    assignments = panel(r1="none", r2="direct", r3="indirect")
    assert scoring_members(assignments, scored(1, 2, 3)) == {1, 3}


def test_scores_from_someone_not_on_the_panel_do_not_count():
    assert scoring_members(panel(r1="none"), scored(1, 7)) == {1}


def test_a_member_who_scored_every_criterion_counts_once():
    scores = [s for c in REVIEW_CRITERIA for s in scored(1, 2, criterion=c)]
    assert scoring_members(panel(r1="none", r2="none", r3="none"), scores) == {1, 2}


def test_criterion_means_follow_the_criteria_order_and_skip_unscored_criteria():
    scores = [
        ReviewScore(grant_id=1, reviewer_id=1, criterion="partnerships", score=3),
        ReviewScore(grant_id=1, reviewer_id=2, criterion="partnerships", score=4),
        ReviewScore(grant_id=1, reviewer_id=1, criterion="indigenous_governance", score=5),
        ReviewScore(grant_id=1, reviewer_id=2, criterion="indigenous_governance", score=4),
        ReviewScore(grant_id=1, reviewer_id=3, criterion="indigenous_governance", score=4),
    ]
    assert criterion_means(scores) == [("indigenous_governance", 4.3), ("partnerships", 3.5)]


def test_every_scored_criterion_has_one_mean_between_one_and_five():
    scores = [
        ReviewScore(grant_id=1, reviewer_id=r, criterion=c, score=1 + (r + i) % 5)
        for r in (1, 2, 3)
        for i, c in enumerate(REVIEW_CRITERIA)
    ]
    means = criterion_means(scores)
    assert [c for c, _ in means] == list(REVIEW_CRITERIA)
    assert all(1.0 <= mean <= 5.0 for _, mean in means)
    assert means[0] == ("indigenous_governance", 3.0)


def test_no_scores_give_no_means():
    assert criterion_means([]) == []
