"""The review criteria and outcome measures the documents print are the ones the payloads accept.

``models.payloads`` owns both lists (``REVIEW_CRITERIA`` for ``score``, ``AGGREGATE_FIELDS`` for
``submit_report``). The documents label each key from the EN/FR catalogues and order rows by
the payload tuples; a criterion with no label would print as its raw key, and a label with no
criterion is a question nobody is asked.
"""

from __future__ import annotations

import dataclasses

import pytest

from documents import build_document
from documents.content import Table
from documents.context import CriterionScore
from documents.text import catalogue
from models.payloads import AGGREGATE_FIELDS, REVIEW_CRITERIA
from tests.support.document_samples import REPORTS, REVIEW, sample_context

LANGUAGES = ("en", "fr")


def labelled_keys(language: str, prefix: str) -> set[str]:
    messages = catalogue(language).messages  # type: ignore[arg-type]
    return {key.removeprefix(prefix) for key in messages if key.startswith(prefix)}


def first_column(table: Table) -> list[str]:
    return [row[0] for row in table.rows]


def only_table(content) -> Table:
    (table,) = [block for block in content.blocks if isinstance(block, Table)]
    return table


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_documents_label_exactly_the_criteria_the_score_payload_accepts(language):
    assert labelled_keys(language, "criterion.") == set(REVIEW_CRITERIA)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_documents_label_exactly_the_measures_the_report_payload_accepts(language):
    assert labelled_keys(language, "measure.") == set(AGGREGATE_FIELDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_review_summary_prints_every_criterion_labelled_in_payload_order(language):
    # Scores arrive in reverse order: the document still follows the payload's order.
    scores = tuple(CriterionScore(key, 4.0) for key in reversed(REVIEW_CRITERIA))
    review = dataclasses.replace(REVIEW, criteria=scores)
    content = build_document(sample_context("review_summary", language, review=review))
    t = catalogue(language)  # type: ignore[arg-type]
    assert first_column(only_table(content)) == [t(f"criterion.{c}") for c in REVIEW_CRITERIA]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_receipt_prints_every_measure_labelled_in_payload_order(language):
    counts = {key: 10 + index for index, key in enumerate(reversed(AGGREGATE_FIELDS))}
    reports = tuple(dataclasses.replace(r, aggregates=dict(counts)) for r in REPORTS)
    content = build_document(sample_context("report_receipt", language, reports=reports))
    t = catalogue(language)  # type: ignore[arg-type]
    assert first_column(only_table(content)) == [t(f"measure.{m}") for m in AGGREGATE_FIELDS]
