"""``grantflow demo`` one grant at a time against side by side, and each grant against its floors.

    .venv/bin/python benchmarks/demo_concurrency.py [--grants N] [--processes P] [--repeat R]

Measures, in one run:
  1. the floors (``action_cost.measure``, on a throwaway installation): a bare async Prefect
     flow with one task (Prefect as shipped; also with grantflow's client tuning, for a second
     ratio), a bare WeasyPrint PDF and a bare python-docx DOCX of the
     acknowledgement letter;
  2. ``grantflow demo --grants N --processes 1`` and ``--processes P`` (default: one per core),
     each a fresh process on a fresh data directory: wall time, and how busy the machine's
     cores were meanwhile (``/proc/stat``);
  3. each grant's lifecycle (the demo's per-grant time, from its summary table) against the sum
     of its floors: one bare flow per flow run and per sweep, one bare PDF per PDF and one bare
     DOCX per DOCX it exported. The acknowledgement is a one-page letter and the agreement
     runs to several pages, so this floor is low and the ratio errs against grantflow.
Ratios only: absolute times on shared machines are noise. This is a report, never a test.

Measured 2026-12-02 on 2 cores, load under 1.5, 6 grants (116 flow runs, 40 sweeps, 158
documents), one process against two, each pair in one run:
  - the pool as first landed: 162.0 s against 183.7 s, 0.88x; cores busy 60% in both. Prefect's
    SQLite server answered 26 flow-run inserts "database is locked" (503), and its client
    waits 2 s, 4 s... before trying again: one grant took 136.6 s instead of 35 s;
  - a locked answer tried again after 20 ms, 50 ms... (``retry_locked_answers_quickly``):
    161.2 s against 117.0 s, 1.38x;
  - one demo process too with its Prefect server in a process of its own (it had shared the
    interpreter with the renders), its last logs sent before the server stops (they had been
    retried for a minute against a stopped server), and the longest paths started first:
    131.9 s against 101.5 s, 1.30x the throughput; cores busy 60% against 78%.
A grant's lifecycle against the sum of its floors: median 2.24x one at a time, 3.07x side by
side (two drivers and the Prefect server on two cores). The target is 1.5x; what stays above
the floor is each action's own cost over a bare flow (``action_cost.py``: 1.88x) and the
sweeps' queries.

Measured again 2026-12-02 after ``prefect_adapter.share_tls_context`` (each Prefect client had
built its own TLS context, 15-22 ms, several per flow run), floors: Prefect's bare flow as
shipped 228 ms (147.6 ms with grantflow's client tuning), PDF 96.6 ms, DOCX 24.1 ms:
  - one process: 67.0 s (was 131.9 s); a grant's lifecycle median 1.13x the sum of its floors
    (1.56x against bare flows with the same tuning); cores busy 61%;
  - two processes: 63.0 s, 1.06x the throughput; lifecycles 2.17x; cores busy 69%. The
    grants' work barely overlaps: in one such run Prefect's embedded SQLite server answered
    221 flow-run inserts "database is locked" for 116 flow runs
    (``PREFECT_API_LOG_RETRYABLE_ERRORS``), each tried again after 20-800 ms, and the two
    processes' writes to grantflow's SQLite database queue for its lock. On PostgreSQL
    (``benchmarks/scale_out.py``) they do not.

Measured 2026-12-03 on 2 quiet cores, after the Prefect server grantflow starts began its
SQLite transactions IMMEDIATE (``service.prefect_server_process``; a two-process demo had met
128 "database is locked" answers for 116 flow runs, now none), against the same code with
Prefect's server as shipped, in one sitting:
  - as shipped: one process 108.1 s, two 97.4 s (1.11x the throughput); lifecycles side by
    side 1.97x the sum of their floors (1.37x one at a time);
  - IMMEDIATE, two runs: one process 96.5 and 88.2 s, two 79.5 and 68.7 s (1.21x and 1.28x);
    lifecycles side by side 2.13x and 1.84x (1.45x and 1.34x one at a time). Side by side the
    two cores are 78-80% busy with two drivers and the Prefect server, whose task-run recorder
    takes a flow run and three task runs a step and a flow run and eight task runs a sweep
    (the demo's 40 sweeps make half its 633 task runs): the floors are each measured alone.

Measured 2026-12-03 on a slower machine (load about 1 at the start), three runs: the code
before ``prefect_adapter.ask_each_server_once`` once, after it twice:
  - before: one process 64.0 s, two 64.4 s (0.99x the throughput); lifecycles 1.27x their
    floors one at a time, 2.50x side by side;
  - after: one process 62.1 and 78.4 s, two 67.1 and 73.0 s (0.93x and 1.07x); lifecycles
    1.30x and 1.28x one at a time, 2.46x and 2.05x side by side.
The floors moved more between these runs (stock bare flow 169-235 ms) than the change moved
the demo. One grant at a time is within the 1.5x target; side by side is not, and a second
process adds no throughput on this machine: the two drivers and the Prefect server share two
cores (busy 74-79%), and the grants' writes queue for SQLite's lock (grantflow's and Prefect's).

Measured 2026-12-04 on 2 quiet cores (a faster machine than the runs above), before and after a
sweep ran a deadline kind's task only when a read finds something of that kind due (a grant's
sweep of a quiet day had been a flow run and eight task runs, now a flow run alone), two
alternating pairs, floors measured in each run (stock bare flow 195-210 ms):
  - before: one process 59.4 and 60.2 s, two 51.2 and 53.3 s; lifecycles 1.12x and 1.13x their
    floors one at a time, 1.56x and 1.79x side by side;
  - after: one process 52.4 and 55.2 s, two 45.1 and 43.7 s (1.16x and 1.26x the throughput);
    lifecycles 1.02x and 1.04x one at a time, 1.38x and 1.42x side by side: within the
    1.5x target in both runs here. Cores busy 74-75% with two processes (76-77% before).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from action_cost import measure
from scratch_installation import use_scratch_installation

GRANTFLOW = Path(sys.executable).with_name("grantflow")
ROW = re.compile(r"^\s*│?\s*(ILIF-[\w-]+)\s*│")


@dataclass(frozen=True)
class GrantFigures:
    reference: str
    flow_runs: int
    sweeps: int
    seconds: float
    pdfs: int
    docxs: int


@dataclass(frozen=True)
class DemoRun:
    processes: int
    wall: float
    busy: float  # the share of all cores' time spent busy during the run
    grants: list[GrantFigures]


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores, from the first line of /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def _grant_rows(summary: str, out: Path) -> list[GrantFigures]:
    figures = []
    for line in summary.splitlines():
        if not ROW.match(line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        reference, flow_runs, sweeps, seconds = cells[0], cells[5], cells[6], cells[7]
        folder = out / reference
        figures.append(
            GrantFigures(
                reference,
                int(flow_runs),
                int(sweeps),
                float(seconds.removesuffix(" s")),
                len(list(folder.glob("*.pdf"))),
                len(list(folder.glob("*.docx"))),
            )
        )
    return figures


def run_demo(grants: int, processes: int) -> DemoRun:
    with tempfile.TemporaryDirectory(prefix="grantflow-demo-bench-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
        env.update(GRANTFLOW_DATA_DIR=str(Path(scratch) / "var"), COLUMNS="240")
        out = Path(scratch) / "out"
        busy_before, total_before = _cpu_times()
        started = time.perf_counter()
        result = subprocess.run(
            [str(GRANTFLOW), "demo", "--grants", str(grants), "--processes", str(processes)]
            + ["--out", str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        busy_after, total_after = _cpu_times()
        if result.returncode != 0:
            sys.exit(f"demo --processes {processes} failed:\n{result.stderr[-2000:]}")
        rows = _grant_rows(result.stdout, out)
        if len(rows) != grants:
            sys.exit(f"read {len(rows)} of {grants} grants off the summary:\n{result.stdout}")
    busy = (busy_after - busy_before) / max(1, total_after - total_before)
    return DemoRun(processes, wall, busy, rows)


def _report(run: DemoRun, floors: dict[str, float]) -> list[float]:
    print(
        f"\ndemo --processes {run.processes}: {run.wall:.1f} s wall, "
        f"cores busy {run.busy:.0%} of the run"
    )
    ratios, tuned_ratios = [], []
    for grant in run.grants:
        renders = grant.pdfs * floors["bare render"] + grant.docxs * floors["bare docx"]
        runs = grant.flow_runs + grant.sweeps
        floor = runs * floors["stock bare flow"] + renders
        ratios.append(grant.seconds / floor)
        tuned_ratios.append(grant.seconds / (runs * floors["bare flow"] + renders))
        print(
            f"  {grant.reference:<22} {grant.flow_runs:3d} flows {grant.sweeps:3d} sweeps "
            f"{grant.pdfs:3d} PDF {grant.docxs:3d} DOCX   {grant.seconds:6.1f} s against a "
            f"floor of {floor:5.1f} s: {ratios[-1]:5.2f}x"
        )
    print(
        f"  lifecycle / sum of floors: median {statistics.median(ratios):.2f}x "
        f"(bare flows with grantflow's client tuning: {statistics.median(tuned_ratios):.2f}x)"
    )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=6)
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=8, help="samples of each floor")
    args = parser.parse_args()
    use_scratch_installation()
    samples = asyncio.run(measure(args.repeat))
    floors = {name: statistics.median(values) for name, values in samples.items()}
    for name in ("stock bare flow", "bare flow", "bare render", "bare docx"):
        print(f"floor: {name:<15} median {floors[name] * 1000:7.1f} ms")
    one = run_demo(args.grants, 1)
    _report(one, floors)
    side_by_side = run_demo(args.grants, args.processes)
    _report(side_by_side, floors)
    print(
        f"\n{args.grants} grants, {args.processes} processes against 1: "
        f"{one.wall / side_by_side.wall:.2f}x the throughput "
        f"({one.wall:.1f} s -> {side_by_side.wall:.1f} s)"
    )


if __name__ == "__main__":
    main()
