"""The bar chart block: drawn to scale in SVG (PDF) and in blocks (DOCX); a figure that is not
published gets no bar, only its marker."""

from __future__ import annotations

import re

import pytest

from documents.content import Bar, BarChart
from documents.render.chart_svg import bar_length, chart_svg
from documents.render.docx import CHART_BLOCKS, chart_blocks


def chart() -> BarChart:
    return BarChart(
        title="Referrals",
        series=("2026-27", "2027-28"),
        bars=(Bar("Referrals", (40, None), ("40", "x")), Bar("Contacts", (80, 20), ("80", "20"))),
        summary="Bars drawn to scale.",
    )


def test_the_svg_draws_a_bar_per_published_value_to_scale_and_none_for_a_suppressed_one() -> None:
    svg = str(chart_svg(chart()))
    widths = [
        float(w) for w in re.findall(r'<rect x="200" y="[\d.]+" width="([\d.]+)" height="10"', svg)
    ]
    assert len(widths) == 3  # 40, 80, 20: the suppressed value has no bar
    assert widths == [bar_length(40, 80), bar_length(80, 80), bar_length(20, 80)]
    assert widths[1] == 2 * widths[0] == 4 * widths[2]
    assert ">x</text>" in svg and "<title>Referrals</title>" in svg


def test_the_docx_bars_are_to_scale_and_a_non_zero_value_is_never_invisible() -> None:
    assert chart_blocks(80, 80) == CHART_BLOCKS
    assert chart_blocks(40, 80) == CHART_BLOCKS // 2
    assert chart_blocks(1, 10_000) == 1
    assert chart_blocks(0, 80) == 0


def test_a_chart_refuses_a_missing_or_negative_value() -> None:
    with pytest.raises(ValueError, match="one value per series"):
        BarChart("t", ("a", "b"), (Bar("x", (1,), ("1",)),), "s")
    with pytest.raises(ValueError, match="negative"):
        BarChart("t", ("a",), (Bar("x", (-1,), ("-1",)),), "s")


def test_text_in_the_svg_is_escaped() -> None:
    svg = str(chart_svg(BarChart("<b>", ("a",), (Bar("</svg>", (1,), ("1",)),), "&")))
    assert "<b>" not in svg and "</svg><" not in svg.replace("</svg>", "", 1)[:-6]
