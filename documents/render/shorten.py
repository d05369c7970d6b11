"""Shortening a name where a format has room for only so much of it, visibly (an ellipsis)."""

from __future__ import annotations

ELLIPSIS = "…"


def shortened(text: str, limit: int) -> str:
    """``text`` whole when it has at most ``limit`` characters, else cut to ``limit`` with an
    ellipsis. Only for repeats and metadata: the document body always carries the whole text."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
