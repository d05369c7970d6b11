"""The visibility declaration covers every role and every document audience, and keeps the
fund's sealed-review and read-only promises."""

from __future__ import annotations

from typing import get_args

from documents import KINDS
from documents.registry import Audience as DocumentAudience
from models import lifecycle, visibility
from models.visibility import AUDIENCES, SET_UP, VISIBILITY, VISIBILITY_BY_ROLE


def test_every_lifecycle_role_is_declared_exactly_once():
    roles = [v.role for v in VISIBILITY]
    assert len(roles) == len(set(roles))
    assert set(roles) == set(lifecycle.ROLES)


def test_the_declared_audiences_are_the_document_registrys():
    assert set(AUDIENCES) == set(get_args(DocumentAudience))
    assert {kind.audience for kind in KINDS.values()} <= set(AUDIENCES)


def test_every_audience_is_read_by_some_role_and_every_role_reads_only_declared_ones():
    read = {audience for v in VISIBILITY for audience in v.audiences}
    assert read == set(AUDIENCES)
    for v in VISIBILITY:
        assert set(v.audiences) <= set(AUDIENCES), v.role


def test_every_set_up_object_has_a_role_that_sets_it_up():
    assert {what for v in VISIBILITY for what in v.sets_up} == set(SET_UP)


def test_read_only_roles_take_no_action_set_nothing_up_and_start_no_application():
    read_only = [v for v in VISIBILITY if v.read_only]
    assert [v.role for v in read_only] == ["auditor"]
    for v in read_only:
        assert not lifecycle.actions_for_role(v.role), v.role
        assert v.sets_up == () and v.applications == "none", v.role


def test_individual_scores_are_sealed_for_every_role():
    assert set(get_args(visibility.Scores)) == {"none", "panel_means"}


def test_only_auditing_roles_may_read_deliberation_notes_and_only_under_the_data_agreement():
    readers = {v.role for v in VISIBILITY if v.notes == "text_if_data_agreement"}
    assert readers <= set(visibility.auditing_roles())
    assert not visibility.dossier_includes_notes("none")
    assert not visibility.dossier_includes_notes("governance_body")
    assert not visibility.dossier_includes_notes("anything else")
    assert visibility.dossier_includes_notes("governance_and_auditors")


def test_the_applicants_view_is_confined_to_its_organisation_and_says_nothing_of_notes():
    for v in VISIBILITY:
        if v.history == "applicant_view":
            assert v.reach == "own_organisation" and v.notes == "none", v.role
            assert v.audiences == ("applicant",), v.role


def test_the_engine_hides_other_organisations_grants_only_from_roles_confined_to_their_own():
    for v in VISIBILITY:
        confined = not visibility.reaches_other_organisations((v.role,))
        assert confined == (v.reach in ("own_organisation", "none")), v.role
    assert not visibility.reaches_other_organisations(("no such role",))
    assert VISIBILITY_BY_ROLE["reviewer"].reach == "assigned_panel"
