"""Close-out netting: how much of the holdback is paid and how much the recipient repays.

Netting rule (written down once, used everywhere), in integer cents of CAD:

* P: the regular instalments released (every instalment but the holdback);
* E: the expenditure in the accepted outcome reports;
* H: the holdback as planned in Schedule E.

::

    holdback payable  = clamp(E - P, 0, H)
    holdback withheld = H - payable
    repayment due     = max(P - E, 0)

The fund never both pays holdback and asks for money back: at most one of ``payable`` and
``repayment`` is above zero. What the recipient keeps in the end, ``P + payable - repayment``,
is ``min(E, P + H)``: what it spent, and never more than the approved amount (once every
regular instalment is released, ``P + H`` is the approved amount).

The figures are fixed when close-out begins (every report accepted, every regular instalment
released, so neither P nor E can change afterwards). The holdback instalment is then reduced to
the payable amount, keeping its planned amount in ``Instalment.planned_cents``; a holdback of
which nothing is payable is ``withheld`` and is never released. The withheld cents are given
back to the fund's fiscal-year allocations (``models.budget.release_by_year``). A repayment is
due ``REPAYMENT_DAYS`` after close-out began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

REPAYMENT_DAYS = 30


@dataclass(frozen=True)
class HoldbackSettlement:
    planned_cents: int
    payable_cents: int
    withheld_cents: int
    repayment_cents: int


def settle_holdback(
    paid_cents: int, expenditure_cents: int, holdback_cents: int
) -> HoldbackSettlement:
    """Net the planned holdback against the regular payments and the reported expenditure."""
    if min(paid_cents, expenditure_cents, holdback_cents) < 0:
        raise ValueError("payments, expenditure and holdback must not be negative")
    payable = min(max(expenditure_cents - paid_cents, 0), holdback_cents)
    return HoldbackSettlement(
        planned_cents=holdback_cents,
        payable_cents=payable,
        withheld_cents=holdback_cents - payable,
        repayment_cents=max(paid_cents - expenditure_cents, 0),
    )


def repayment_due_by(closeout_began_on: date) -> date:
    return closeout_began_on + timedelta(days=REPAYMENT_DAYS)
