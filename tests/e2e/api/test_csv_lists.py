"""The officers' CSV lists (issue 14): grants, payments and outcome reports, through the API
and ``grantflow export``, on a real installation with grants taken through real flow runs.

Read back with the standard ``csv`` reader and compared with the database; the list filters
are the grant list's; a project title that would start a spreadsheet formula is written as
text, and its French accents and syllabics come through; outcome counts are not listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from models.clock import fiscal_year_of
from models.tables import BudgetLine, Grant, Instalment, OutcomeReport
from service.cli import app
from service.exports.lists import GRANT_COLUMNS, PAYMENT_COLUMNS, REPORT_COLUMNS
from tests.support.api_support import ApiWorld, module_api_world

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

RISKY_TITLE = '=HYPERLINK("http://x.example") Guérison à l’aube ᐊᓂᔑᓈᐯ ᑭᐦᒋ'


@dataclass(frozen=True)
class Listed:
    world: ApiWorld
    closed: dict
    screened: dict


@pytest.fixture(scope="module")
def listed(prefect_harness, tmp_path_factory) -> Iterator[Listed]:
    with module_api_world(tmp_path_factory.mktemp("csv-lists")) as world:
        closed = world.grant_at(0, stop_after="close")
        screened = world.grant_at(1, stop_after="screen_in")
        with world.db.transaction() as session:
            grant = session.get(Grant, screened["id"])
            grant.project_title = RISKY_TITLE
            session.add(grant)
        yield Listed(world, closed, screened)


def get_csv(listed: Listed, name: str, user=None, **params) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    world = listed.world
    user = user or world.cast.screening_officer
    response = world.client.get(
        f"/api/v1/exports/{name}.csv", params=params, headers=world.headers(user)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    return read_csv(response.content)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def header_of(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _text(value) -> str:  # type: ignore[no-untyped-def]
    return "" if value is None else str(value)


def test_grants_list_equals_the_database(listed: Listed) -> None:
    rows = get_csv(listed, "grants")
    with listed.world.db.reading() as session:
        grants = session.exec(select(Grant).order_by(Grant.id)).all()
        years = {
            g.id: " ".join(
                str(y)
                for y in session.exec(
                    select(BudgetLine.fiscal_year)
                    .where(BudgetLine.grant_id == g.id)
                    .order_by(BudgetLine.fiscal_year)
                ).all()
            )
            for g in grants
        }
    assert list(rows[0]) == list(GRANT_COLUMNS)
    assert [r["reference"] for r in rows] == [g.reference for g in grants]
    for row, grant in zip(rows, grants, strict=True):
        assert row["grant_id"] == str(grant.id)
        assert row["state"] == grant.state
        assert row["requested_cents"] == str(grant.requested_cents)
        assert row["approved_cents"] == _text(grant.approved_cents)
        assert row["fiscal_years"] == years[grant.id]
        assert row["start_date"] == grant.start_date.isoformat()
        assert row["fund"] == "ILIF"


def test_a_formula_is_written_as_text_and_accents_and_syllabics_survive(listed: Listed) -> None:
    rows = get_csv(listed, "grants")
    risky = next(r for r in rows if r["reference"] == listed.screened["reference"])
    assert risky["project_title"] == "'" + RISKY_TITLE
    assert "Guérison à l’aube ᐊᓂᔑᓈᐯ ᑭᐦᒋ" in risky["project_title"]


def test_the_grant_list_filters_apply(listed: Listed) -> None:
    closed, screened = listed.closed, listed.screened
    by_org = get_csv(listed, "grants", organisation_id=screened["organisation_id"])
    assert [r["reference"] for r in by_org] == [screened["reference"]]
    by_state = get_csv(listed, "grants", state="closed")
    assert [r["reference"] for r in by_state] == [closed["reference"]]
    by_stage = get_csv(listed, "grants", stage="community_review")
    assert [r["reference"] for r in by_stage] == [screened["reference"]]
    assert len(get_csv(listed, "grants", fund="ILIF")) == 2
    assert get_csv(listed, "grants", fund="NOPE") == []
    with listed.world.db.reading() as session:
        year = session.exec(
            select(BudgetLine.fiscal_year).where(BudgetLine.grant_id == closed["id"])
        ).first()
    assert closed["reference"] in [
        r["reference"] for r in get_csv(listed, "grants", fiscal_year=year)
    ]
    assert get_csv(listed, "grants", fiscal_year=2099) == []
    # payments and reports follow the same filters: those of the grants kept
    assert get_csv(listed, "payments", organisation_id=screened["organisation_id"]) == []
    assert get_csv(listed, "reports", state="closed")


def test_payments_list_equals_the_instalments(listed: Listed) -> None:
    rows = get_csv(listed, "payments")
    with listed.world.db.reading() as session:
        instalments = session.exec(
            select(Instalment).order_by(Instalment.grant_id, Instalment.sequence)
        ).all()
    assert instalments, "the closed grant has a payment plan"
    assert list(rows[0]) == list(PAYMENT_COLUMNS)
    assert [
        (r["grant_reference"], r["sequence"], r["kind"], r["amount_cents"], r["state"])
        for r in rows
    ] == [
        (listed.closed["reference"], str(i.sequence), i.kind, str(i.amount_cents), i.state)
        for i in instalments
    ]
    for row, instalment in zip(rows, instalments, strict=True):
        assert row["fiscal_year"] == str(fiscal_year_of(instalment.due_date))
        assert row["due_date"] == instalment.due_date.isoformat()
        assert row["planned_cents"] == _text(instalment.planned_cents)
        assert bool(row["released_at"]) == (instalment.released_at is not None)
        assert bool(row["initiated_at"]) == (instalment.initiated_at is not None)


def test_reports_list_equals_the_reports_without_their_counts(listed: Listed) -> None:
    rows = get_csv(listed, "reports")
    with listed.world.db.reading() as session:
        reports = session.exec(
            select(OutcomeReport).order_by(OutcomeReport.grant_id, OutcomeReport.sequence)
        ).all()
    assert reports and all(r.aggregates for r in reports)
    assert list(rows[0]) == list(REPORT_COLUMNS)
    for row, report in zip(rows, reports, strict=True):
        assert row["sequence"] == str(report.sequence)
        assert row["state"] == report.state
        assert row["period_start"] == report.period_start.isoformat()
        assert row["expenditure_cents"] == _text(report.expenditure_cents)
        assert not set(report.aggregates) & set(row)


def test_who_may_have_the_lists(listed: Listed) -> None:
    world = listed.world
    for user in (world.applicant_of(0), world.cast.reviewers[0]):
        for name in ("grants", "payments", "reports"):
            response = world.client.get(f"/api/v1/exports/{name}.csv", headers=world.headers(user))
            assert response.status_code == 403, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "needs the" in response.json()["detail"]
    for user in (world.cast.approver, world.cast.finance, world.cast.auditor):
        assert len(get_csv(listed, "grants", user=user)) == 2
    assert world.client.get("/api/v1/exports/grants.csv").status_code == 401
    bad = world.client.get(
        "/api/v1/exports/grants.csv",
        params={"state": "nonsense"},
        headers=world.headers(world.cast.screening_officer),
    )
    assert bad.status_code == 422


def test_the_command_line_writes_the_same_list(listed: Listed, tmp_path: Path) -> None:
    world = listed.world
    organisation = listed.closed["organisation_id"]
    out = tmp_path / "lists" / "payments.csv"
    result = CliRunner().invoke(
        app, ["export", "payments", "--out", str(out), "--organisation", str(organisation)]
    )
    assert result.exit_code == 0, result.output
    response = world.client.get(
        "/api/v1/exports/payments.csv",
        params={"organisation_id": organisation},
        headers=world.headers(world.cast.screening_officer),
    )
    assert out.read_bytes() == response.content
    assert header_of(out.read_bytes()) == list(PAYMENT_COLUMNS)


def test_the_command_line_refuses_a_bad_filter(tmp_path: Path, listed: Listed) -> None:
    out = tmp_path / "grants.csv"
    result = CliRunner().invoke(app, ["export", "grants", "--out", str(out), "--state", "nope"])
    assert result.exit_code == 2
    assert "no grant state 'nope'" in result.output
    assert not out.exists()
    result = CliRunner().invoke(app, ["export", "grants", "--out", str(out), "--fund", "NOPE"])
    assert result.exit_code == 2
    assert "no fund with code 'NOPE'" in result.output
    assert not out.exists()
    result = CliRunner().invoke(app, ["export", "reports", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
