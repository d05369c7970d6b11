"""``GET /api/v1/funds/{code}/outcomes``: who may read it, and what it publishes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.fictional import FUND_CODE
from models.payloads import AGGREGATE_FIELDS
from models.tables import OutcomeReport, User
from models.visibility import VISIBILITY, fund_outcome_readers
from tests.support.api_support import ApiWorld, module_api_world
from tests.support.outcome_data import PLANTED, THRESHOLD, accepted_reports_world

URL = f"/api/v1/funds/{FUND_CODE}/outcomes"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    with module_api_world(tmp_path_factory.mktemp("outcomes-api")) as built:
        _, report_id = accepted_reports_world(built.db, grants=3, cast=built.cast)
        with built.db.reading() as session:
            report = session.get(OutcomeReport, report_id)
            assert report is not None
            built.reported_grant = report.grant_id  # type: ignore[attr-defined]
        yield built


@pytest.mark.parametrize("role", [v.role for v in VISIBILITY if v.signs_in])
def test_staff_roles_that_read_the_fund_report_get_it_and_others_are_refused(
    world: ApiWorld, role: str
) -> None:
    organisation = 0 if role == "applicant" else None
    user = world.user_with_roles(role, organisation_index=organisation)
    answer = world.client.get(URL, headers=world.headers(user))
    if role in fund_outcome_readers():
        assert answer.status_code == 200, answer.text
    else:
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_fixture_roles_are_the_ones_declared() -> None:
    assert set(fund_outcome_readers()) == {"officer", "approver", "finance", "auditor", "admin"}


def test_a_suppressed_count_is_null_with_its_flag_and_the_planted_count_is_nowhere(
    world: ApiWorld,
) -> None:
    answer = world.client.get(URL, headers=world.headers(world.cast.auditor))
    assert answer.status_code == 200
    body = answer.json()
    assert body["small_cell_threshold"] == THRESHOLD
    counts = []
    for measure in body["measures"]:
        for grant in measure["grants"]:
            counts += grant["by_fiscal_year"] + [grant["total"]]
        counts += measure["fiscal_year_totals"] + [measure["total"]]
    assert all((c["count"] is None) == c["suppressed"] for c in counts)
    assert any(c["suppressed"] for c in counts)
    published = [c["count"] for c in counts if not c["suppressed"]]
    assert PLANTED not in published
    assert all(c == 0 or c >= THRESHOLD for c in published)
    assert {m["measure"] for m in body["measures"]} >= {"referrals", "service_contacts"}
    assert any(m["paid_cents"] > 0 for m in body["money"])


def test_one_fiscal_year(world: ApiWorld) -> None:
    answer = world.client.get(f"{URL}?fiscal_year=2027", headers=world.headers(world.cast.finance))
    assert answer.status_code == 200
    body = answer.json()
    assert body["fiscal_years"] == [2027]
    assert all(len(m["fiscal_year_totals"]) == 1 for m in body["measures"])


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/funds/NOPE/outcomes", 404),
        (f"{URL}?fiscal_year=1999", 422),
        (f"{URL}?fiscal_year=twenty", 422),
    ],
)
def test_bad_requests_are_problems(world: ApiWorld, url: str, status: int) -> None:
    answer = world.client.get(url, headers=world.headers(world.cast.approver))
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_without_a_token_it_is_401(world: ApiWorld) -> None:
    assert world.client.get(URL).status_code == 401


def submitted_counts(world: ApiWorld, user: User) -> list[dict]:
    grant_id = world.reported_grant  # type: ignore[attr-defined]
    answer = world.client.get(f"/api/v1/grants/{grant_id}/history", headers=world.headers(user))
    assert answer.status_code == 200, answer.text
    events = [e for e in answer.json() if e["action"] == "submit_report"]
    assert events
    return [{m: e["summary"][m] for m in AGGREGATE_FIELDS} for e in events]


@pytest.mark.parametrize("role", ["approver", "finance", "auditor", "admin"])
def test_a_reports_small_counts_are_suppressed_in_the_history_of_roles_not_managing_it(
    world: ApiWorld, role: str
) -> None:
    """The fund's threshold is 100 here: the fictional counts below it are null."""
    for counts in submitted_counts(world, world.user_with_roles(role)):
        assert all(value is None or value == 0 or value >= THRESHOLD for value in counts.values())
        assert any(value is None for value in counts.values())
        assert counts["service_contacts"] is not None  # 300 and more: above the threshold


def test_the_applicant_and_the_officer_see_the_counts_exact(world: ApiWorld) -> None:
    applicant = world.applicant_of(1)
    for user in (applicant, world.cast.screening_officer):
        for counts in submitted_counts(world, user):
            assert all(isinstance(value, int) for value in counts.values())
            assert counts["people_served_new"] < THRESHOLD


def test_each_read_of_the_figures_is_one_read_on_the_access_log(world: ApiWorld) -> None:
    from sqlmodel import select

    from models.access_log import AccessEvent

    def events() -> list[AccessEvent]:
        with world.db.reading() as session:
            return list(session.exec(select(AccessEvent).order_by(AccessEvent.id)).all())

    before = len(events())
    finance = world.user_with_roles("finance")
    refused = world.client.get(URL, headers=world.headers(world.applicant_of(0)))
    assert refused.status_code == 403
    assert len(events()) == before

    answer = world.client.get(URL, headers=world.headers(finance))

    assert answer.status_code == 200
    new = events()[before:]
    assert [(e.user_id, e.role, e.kind, e.channel, e.organisation_id) for e in new] == [
        (finance.id, "finance", "outcome_report", "api", None)
    ]


@pytest.mark.usefixtures("prefect_harness")
def test_a_receipt_printing_a_small_count_is_refused_to_roles_reading_counts_suppressed(
    world: ApiWorld,
) -> None:
    from sqlmodel import select

    from documents.audit.small_counts import prints_withheld_counts
    from models.tables import Fund, Grant, StoredDocument

    reported = world.grant_at(0, stop_after="submit_report")  # real flow runs: a receipt
    with world.db.reading() as session:
        threshold = session.exec(select(Fund)).one().small_cell_threshold
        receipts = session.exec(
            select(StoredDocument).where(
                StoredDocument.kind == "report_receipt",
                StoredDocument.grant_id == reported["id"],
            )
        ).all()
        small = [r for r in receipts if prints_withheld_counts(session, r, threshold)]
        assert small, "the fictional reports include small counts"
        receipt = small[0]
        grant = session.get(Grant, receipt.grant_id)
        assert grant is not None
    url = f"/api/v1/documents/{receipt.id}/file"
    organisation_index = next(
        i for i, o in enumerate(world.cast.organisations) if o.id == grant.organisation_id
    )
    for user in (world.cast.auditor, world.cast.approver, world.cast.finance):
        refused = world.client.get(url, headers=world.headers(user))
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("small-counts-withheld")
        assert str(threshold) in refused.json()["detail"]
    for user in (world.cast.screening_officer, world.applicant_of(organisation_index)):
        answer = world.client.get(url, headers=world.headers(user))
        assert answer.status_code == 200, answer.text
