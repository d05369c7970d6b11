"""What the daily deadline sweep costs per 100 live grants, against a floor in the same run.

    .venv/bin/python benchmarks/sweep_cost.py [--grants 100]

On a throwaway installation with its own embedded Prefect server:
  1. floor: a sweep with no grant at all (one flow run; with nothing due, no task run;
     median of 3);
  2. quiet day: the same with N active agreements of which none has a deadline that day
     (finding that nothing is due: the cost of looking; median of 3);
  3. busy day: the day half of them get their report reminder (a system action each, its
     document in PDF and DOCX, a message to each contact) and their periodic payments fall
     due (a message to each officer), every message written to the outbox.
Reported in seconds and as ratios against the floor: absolute times on shared machines are
noise. This is a report, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import timedelta

from scratch_installation import use_scratch_installation

REPEAT = 3  # floor and quiet day: the median of three sweeps


def live_grants(count: int) -> list[int]:
    """``count`` agreements in effect (signed, countersigned, insured), through the engine."""
    from sqlmodel import select

    from models import fictional
    from models.engine import apply_action
    from models.fictional.script import steps
    from models.provisioning import create_application
    from models.tables import FundAllocation
    from workflows.runtime import database

    db = database()
    cast = fictional.seed(db)
    with db.transaction() as session:  # room in the fund for every grant of the benchmark
        for allocation in session.exec(select(FundAllocation)):
            allocation.allocated_cents *= 1_000
            session.add(allocation)
    made = []
    for index in range(count):
        organisation, application = fictional.application_for(index % 4, cast)
        grant = create_application(db, organisation.id, application)
        for action, who, payload, at in steps(db, cast, grant.id):  # type: ignore[arg-type]
            if action == "initiate_payment":
                break
            apply_action(db, grant.id, action, who, payload, now=at)  # type: ignore[arg-type]
        made.append(grant.id)
    return made  # type: ignore[return-value]


async def timed_sweep(day) -> float:  # type: ignore[no-untyped-def]
    from workflows.sweep import run_sweep

    started = time.perf_counter()
    await run_sweep(day)
    return time.perf_counter() - started


def busy_day():  # type: ignore[no-untyped-def]
    """A week before the one-year grants' final reports are due: their reminders go out."""
    from sqlmodel import func, select

    from models.tables import OutcomeReport
    from workflows.runtime import database

    with database().reading() as session:
        first_due = session.exec(select(func.min(OutcomeReport.due_date))).one()
    return first_due - timedelta(days=7)


async def measure(count: int) -> dict[str, float]:
    from models.clock import utcnow
    from models.deadlines import fund_today
    from workflows.delivery import deliver_due

    today = fund_today(utcnow())
    await timed_sweep(today)  # warm: Prefect's server, the flow's registration
    floor = statistics.median([await timed_sweep(today) for _ in range(REPEAT)])
    await asyncio.to_thread(live_grants, count)
    await asyncio.to_thread(deliver_due)  # the steps' own messages are not the sweep's
    await timed_sweep(today)  # the first sweep tells officers of today's payable instalments
    later = [today + timedelta(days=n) for n in range(1, REPEAT + 1)]
    quiet = statistics.median([await timed_sweep(day) for day in later])
    busy = await timed_sweep(busy_day())
    return {"floor": floor, "quiet": quiet, "busy": busy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=100)
    args = parser.parse_args()
    use_scratch_installation()
    figures = asyncio.run(measure(args.grants))
    floor = figures["floor"]
    per_100 = 100 / args.grants
    print(f"floor: a sweep with no grant                 {floor:8.2f} s   1.00x")
    for name, label in (("quiet", "quiet day"), ("busy", "busy day (reminders)")):
        seconds = figures[name]
        print(
            f"{label:<22} {args.grants:>4} grants      {seconds:8.2f} s   {seconds / floor:.2f}x"
            f"   ({seconds * per_100:.2f} s per 100 grants)"
        )


if __name__ == "__main__":
    main()
