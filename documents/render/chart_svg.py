"""A ``BarChart`` as inline SVG for the PDF: horizontal bars drawn to scale, one row per bar
and series, its printed value (or the marker of a figure not published) at the bar's end."""

from __future__ import annotations

from markupsafe import Markup, escape

from documents.content import BarChart

WIDTH = 520
LABEL_WIDTH = 200
VALUE_WIDTH = 80
ROW_HEIGHT = 12
GAP = 6
FONT = "Grantflow DejaVu Sans, DejaVu Sans, sans-serif"  # documents/templates/document.css
TEXT_COLOUR = "#1b2b30"
COLOURS = ("#2f6f7e", "#c77c2e", "#6b8f3a", "#7a4f8f")


def bar_length(value: int, largest: int) -> float:
    """The drawn length of ``value`` on a scale whose longest bar is ``largest``."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return 0.0 if largest == 0 else round(room * value / largest, 2)


def chart_svg(chart: BarChart) -> Markup:
    rows = len(chart.series)
    legend = 16 if rows > 1 else 0
    height = legend + len(chart.bars) * (rows * ROW_HEIGHT + GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f"<title>{escape(chart.title)}</title><desc>{escape(chart.summary)}</desc>",
        f'<g font-family="{FONT}" font-size="7.5pt" fill="{TEXT_COLOUR}">',
    ]
    if rows > 1:
        x = LABEL_WIDTH
        for index, name in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{x}" y="2" width="9" height="9" fill="{colour}"/>')
            parts.append(f'<text x="{x + 12}" y="10" class="legend">{escape(name)}</text>')
            x += 20 + 7 * len(name)
    y = legend
    for bar in chart.bars:
        label_y = y + rows * ROW_HEIGHT / 2 + 3
        parts.append(f'<text x="0" y="{label_y}" class="label">{escape(bar.label)}</text>')
        for index, (value, shown) in enumerate(zip(bar.values, bar.shown, strict=True)):
            top = y + index * ROW_HEIGHT
            length = 0.0 if value is None else bar_length(value, chart.largest)
            if value is not None:
                colour = COLOURS[index % len(COLOURS)]
                parts.append(
                    f'<rect x="{LABEL_WIDTH}" y="{top + 1}" width="{length}" '
                    f'height="{ROW_HEIGHT - 2}" fill="{colour}"/>'
                )
            text_x = LABEL_WIDTH + length + 3
            parts.append(
                f'<text x="{text_x}" y="{top + ROW_HEIGHT - 3}" class="value">'
                f"{escape(shown)}</text>"
            )
        y += rows * ROW_HEIGHT + GAP
    parts.append("</g></svg>")
    return Markup("".join(parts))
