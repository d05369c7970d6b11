"""Money arithmetic in integer cents. No floats touch an amount.

Rounding rule (written down once, used everywhere): a share of an amount is computed with
integer floor division, and the cents left over are handed out one at a time by the
largest-remainder method (ties go to the earlier item). Parts therefore always sum to the
whole, exactly, and no part is negative.
"""

from __future__ import annotations

from collections.abc import Sequence


def basis_points_of(amount_cents: int, bps: int) -> int:
    """``bps`` ten-thousandths of ``amount_cents``, rounded down to the cent."""
    if amount_cents < 0 or bps < 0:
        raise ValueError("amounts and rates must not be negative")
    return amount_cents * bps // 10_000


def split_proportionally(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights``; the parts sum to the total."""
    if total_cents < 0:
        raise ValueError("cannot split a negative amount")
    if not weights or any(w < 0 for w in weights):
        raise ValueError("weights must be a non-empty list of non-negative integers")
    weight_sum = sum(weights)
    if weight_sum == 0:
        return split_evenly(total_cents, len(weights))
    floors = [total_cents * w // weight_sum for w in weights]
    remainders = [total_cents * w % weight_sum for w in weights]
    leftover = total_cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors


def split_evenly(total_cents: int, parts: int) -> list[int]:
    """Equal parts; the leftover cents go to the earliest parts."""
    if parts <= 0:
        raise ValueError("need at least one part")
    if total_cents < 0:
        raise ValueError("cannot split a negative amount")
    base, leftover = divmod(total_cents, parts)
    return [base + (1 if i < leftover else 0) for i in range(parts)]


def format_cad(amount_cents: int) -> str:
    """English display for messages (documents format money in their own language)."""
    sign = "-" if amount_cents < 0 else ""
    dollars, cents = divmod(abs(amount_cents), 100)
    return f"{sign}${dollars:,}.{cents:02d}"
