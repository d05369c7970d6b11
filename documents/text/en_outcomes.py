"""English wording of the fund's annual outcome report (``documents.outcome_report``)."""

MESSAGES: dict[str, str] = {
    "outcomes.title": "Annual outcome report",
    "outcomes.subtitle_all": "Fiscal years {first} to {last}",
    "outcomes.subtitle_one": "Fiscal year {year}",
    "outcomes.reference": "Outcome report {code}",
    "outcomes.issued": "Prepared on {date}",
    "outcomes.organisation": "All grants of the fund",
    "outcomes.intro": (
        "This report gives the fund’s outcomes across its grants: the counts organisations "
        "reported in accepted outcome reports, and the money committed and paid, by fiscal "
        "year (April to March). Reports hold aggregate counts only, never information about "
        "a person."
    ),
    "outcomes.small_cells_title": "Small counts",
    "outcomes.small_cells": (
        "A count from 1 to {largest} is not shown, and neither are some other counts or "
        "totals, chosen so that no hidden count can be worked out from the figures shown. "
        "The mark {marker} stands for a count not shown. A zero is shown."
    ),
    "outcomes.marker_note": "{marker} count not shown (small count or one that would reveal it)",
    "outcomes.money": "Money committed and paid",
    "outcomes.money_fiscal_year": "Fiscal year",
    "outcomes.money_committed": "Committed",
    "outcomes.money_paid": "Paid",
    "outcomes.money_total": "Total",
    "outcomes.money_chart": "Money committed and paid by fiscal year",
    "outcomes.money_chart_summary": "Bars drawn to scale; amounts in dollars.",
    "outcomes.measure_caption": "{measure}, by grant and fiscal year",
    "outcomes.grant": "Grant",
    "outcomes.total": "Total",
    "outcomes.counts": "Outcome counts",
    "outcomes.measures_chart": "Fund totals by measure and fiscal year",
    "outcomes.measures_chart_summary": (
        "Bars drawn to scale; a total not shown has no bar and carries the mark {marker}."
    ),
    "outcomes.no_reports": "No outcome report has been accepted for the years shown.",
    "outcomes.not_counted": (
        "The counts of {count} grant(s) are not included: their organisation’s data-governance "
        "agreement does not allow its figures to be reported to the ministry in aggregate."
    ),
    "outcomes.counted": (
        "Counts come from outcome reports an officer accepted, in the fiscal year each "
        "report’s period starts. Money committed is what approvals committed against the "
        "fund’s allocation for the year; money paid is the instalments released in the year."
    ),
}
