"""The organisation's records as CSV lists (``csv/*.csv`` in its export): a row per grant,
budget line, instalment, outcome report (with a column per count: its own figures, exact),
amendment and document, filled grant by grant from the records ``service.exports.records`` made."""

from __future__ import annotations

from typing import Any

from documents.exports.csv_text import Cell, csv_bytes
from service.exports.records import DOCUMENT_FIELDS
from service.schemas import AmendmentPublic

GRANT_LIST = (
    "id",
    "reference",
    "fund_code",
    "project_title",
    "community",
    "state",
    "state_label",
    "stage",
    "requested_cents",
    "approved_cents",
    "start_date",
    "end_date",
    "submitted_at",
    "decided_at",
    "closed_at",
)
BUDGET_LIST = ("fiscal_year", "requested_cents", "approved_cents")
INSTALMENT_LIST = (
    "sequence",
    "kind",
    "due_date",
    "amount_cents",
    "planned_cents",
    "state",
    "initiated_at",
    "released_at",
    "hold_reason",
    "state_label",
)
AMENDMENT_LIST = tuple(AmendmentPublic.model_fields)
REPORT_LIST = (
    "grant_reference",
    "sequence",
    "kind",
    "period_start",
    "period_end",
    "due_date",
    "state",
    "submitted_at",
    "reviewed_at",
    "return_reason",
    "expenditure_cents",
    "aggregates",
    "state_label",
)


class RecordLists:
    """The CSV lists, a row per record, filled grant by grant."""

    def __init__(self) -> None:
        self.grants: list[list[Cell]] = []
        self.budget_lines: list[list[Cell]] = []
        self.instalments: list[list[Cell]] = []
        self.documents: list[list[Cell]] = []
        self.amendments: list[list[Cell]] = []
        self.aggregate_names: set[str] = set()
        self._reports: list[dict[str, Any]] = []

    def add(self, data: dict[str, Any], paths: list[tuple[dict[str, Any], str]]) -> None:
        reference = data["reference"]
        self.grants.append([data[name] for name in GRANT_LIST])
        for line in data["budget_lines"]:
            self.budget_lines.append([reference, *(line[c] for c in BUDGET_LIST)])
        for i in data["instalments"]:
            self.instalments.append([reference, *(i[c] for c in INSTALMENT_LIST)])
        for r in data["outcome_reports"]:
            self.aggregate_names |= set(r["aggregates"])
            self._reports.append({"grant_reference": reference, **r})
        for a in data["amendments"]:
            self.amendments.append([reference, *(a[c] for c in AMENDMENT_LIST)])
        for document, path in paths:
            self.documents.append([reference, path, *(document[c] for c in DOCUMENT_FIELDS)])

    def files(self) -> dict[str, bytes]:
        counts = sorted(self.aggregate_names)
        report_columns = [c for c in REPORT_LIST if c != "aggregates"]
        reports = [
            [r[c] for c in report_columns] + [r["aggregates"].get(n) for n in counts]
            for r in self._reports
        ]
        return {
            "csv/grants.csv": csv_bytes(GRANT_LIST, self.grants),
            "csv/budget_lines.csv": csv_bytes(("grant_reference", *BUDGET_LIST), self.budget_lines),
            "csv/instalments.csv": csv_bytes(
                ("grant_reference", *INSTALMENT_LIST), self.instalments
            ),
            "csv/outcome_reports.csv": csv_bytes((*report_columns, *counts), reports),
            "csv/amendments.csv": csv_bytes(("grant_reference", *AMENDMENT_LIST), self.amendments),
            "csv/documents.csv": csv_bytes(
                ("grant_reference", "path", *DOCUMENT_FIELDS), self.documents
            ),
        }
