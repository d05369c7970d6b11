"""Throughput past one machine: the loopback installation with one worker, then with two.

    .venv/bin/python benchmarks/scale_out.py [--grants N] [--workers 1,2]

For each worker count, a fresh installation (``tests/support/scale_out.py``): Prefect's server
on PostgreSQL (its own new database), grantflow on PostgreSQL (a new schema) with its documents
in the database, ``grantflow serve`` in deployment mode and that many ``grantflow worker``
processes, each with its own data directory. N grants are driven at once over HTTP through
their whole lifecycle, submission to close-out (``tests/support/past_lifecycle.py``: projects
dated in the past, so every step happens at the real clock; 21 steps for a one-year project, 29
for a two-year one). Prints each run's grants per minute and steps per second and the ratio of
two workers' throughput to one's. Needs PostgreSQL at 127.0.0.1:5432
(GRANTFLOW_TEST_POSTGRES_URL to change it). On a machine whose cores are shared, the ratio says
more than the figures. This is a report, never a test.

The issue asks for 100 grants. At the 0.5-1.2 steps a second this 2-core machine gave, that
was 35-80 minutes per run: the default is 20. The fictional fund's allocations (4 M$ a fiscal
year, the past-dated projects spread over three end years) hold 44 grants; for more, the
installation's fund gets the yearly allocation they need (``past_allocation_cents``).

Measured on the landed code, whole lifecycles (2 cores shared with other sessions' test runs,
load 1.5-4.5 during the runs), 10 grants, 250 steps each run: 1 worker 2.17 grants/min (0.91
steps/s, 276 s), 2 workers 2.95 grants/min (1.23 steps/s, 204 s): 1.36x. (Before, up to the
first payment only, 4 grants: 1.20x.) A first attempt at 12 grants stopped when PostgreSQL,
shared with the other sessions, refused connections ("too many clients").
Measured 2026-12-02, 100 grants (2,500 steps each run), after ``share_tls_context``, the
machine otherwise idle (load 5-8 from the run itself): 1 worker 2.38 grants/min (0.99 steps/s,
2,518 s), 2 workers 3.37 grants/min (1.41 steps/s, 1,779 s): 1.42x. Both runs on 2 cores, where
``serve``, Prefect's server, PostgreSQL, the workers and the 100 driving threads share them:
the second worker adds throughput only as far as the cores have room.

Where the CPU goes (printed by process, from ``/proc``; ``benchmarks/process_cpu.py``).
Measured 2026-12-02 on a machine about 1.9x slower than the one above (the test suite took 44
min there against 23), 6 grants (150 steps), Prefect keeping its event feed: 1 worker 0.89
steps/s (168 s, 1.31 cores busy), 2 workers 0.86 steps/s (175 s, 1.65 cores busy): 0.96x.
A step cost, in CPU: Prefect's server 649 ms (1 worker) and 813 ms (2), the workers 561 ms and
765 ms together, PostgreSQL 120-176 ms, ``serve`` 60-76 ms, the driving clients 82-97 ms.
Prefect's server is the largest single cost, more than the workers that render the documents:
a second worker on the same two cores only adds contention; past one machine, give Prefect's
server cores of its own. Without its event feed and automations (as grantflow now starts it):
648 and 657 ms a step against 695 and 716 with them (four runs alternating, 1 worker: 7%
less), the same throughput (0.79-0.82 steps/s: one worker waits on the server's answers).

Measured 2026-12-04 on a quiet 2-core machine about twice as fast as the one above, 30 grants
(750 steps each run): 1 worker 379 s (1.98 steps/s, 4.75 grants/min, 1.20 cores busy), 2
workers 263 s (2.85 steps/s, 6.84 grants/min, 1.63 cores busy): 1.44x. A step's CPU: Prefect's
server 199 and 188 ms, the workers 231 ms and 120 + 119 ms, PostgreSQL 76 and 67 ms, serve 30
and 28 ms, the driver 68 and 48 ms.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.process_cpu import (  # noqa: E402
    children_of,
    own_seconds,
    postgres_seconds,
    snapshot,
    tree_seconds,
)
from tests.support.scale_out import (  # noqa: E402 - after the repository is on the path
    LoopbackInstallation,
    drive_all,
    loopback_installation,
    new_grants,
)


def cpu_by_process(installation: LoopbackInstallation) -> dict[str, float]:
    """CPU seconds so far of each part of the installation (``serve`` without its Prefect
    server, the Prefect server, each worker, PostgreSQL, and this driving process)."""
    processes = snapshot()
    serve = installation.serve.pid  # type: ignore[union-attr]
    driver = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "grantflow serve (API)": own_seconds(processes, serve),
        "Prefect server": sum(tree_seconds(processes, p) for p in children_of(processes, serve)),
        **{
            f"worker {number}": tree_seconds(processes, worker.pid)
            for number, worker in enumerate(installation.workers, start=1)
        },
        "PostgreSQL (both databases)": postgres_seconds(processes),
        "the driver (HTTP clients)": driver.ru_utime + driver.ru_stime,
    }


def measure(grants: int, workers: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix="scale-out-") as directory,
        loopback_installation(Path(directory), grants) as installation,
    ):
        started = time.monotonic()
        installation.start_api()
        ready = time.monotonic() - started
        for number in range(1, workers + 1):
            installation.start_worker(number)
        driven = new_grants(installation, grants)
        cpu_before = cpu_by_process(installation)
        seconds = drive_all(installation, driven)
        cpu_after = cpu_by_process(installation)
        failed = [g.reference for g in driven if g.error]
        if failed:
            errors = {g.reference: g.error for g in driven if g.error}
            raise SystemExit(f"{len(failed)} grants did not finish: {errors}")
        steps = sum(sum(g.expected.values()) for g in driven)
        return {
            "seconds": seconds,
            "ready": ready,
            "grants_per_minute": grants / seconds * 60,
            "steps_per_second": steps / seconds,
            "steps": steps,
            "cpu": {part: cpu_after[part] - cpu_before[part] for part in cpu_after},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=20, help="grants per run (default 20)")
    parser.add_argument(
        "--workers", default="1,2", help="worker counts to compare, comma-separated (default 1,2)"
    )
    arguments = parser.parse_args()
    counts = [int(n) for n in arguments.workers.split(",")]
    results = {}
    for workers in counts:
        result = measure(arguments.grants, workers)
        results[workers] = result
        print(
            f"{workers} worker(s): {arguments.grants} grants, {result['steps']:.0f} steps in "
            f"{result['seconds']:.0f} s: {result['grants_per_minute']:.2f} grants/min, "
            f"{result['steps_per_second']:.2f} steps/s (API and Prefect ready in "
            f"{result['ready']:.0f} s)",
            flush=True,
        )
        cpu = result["cpu"]
        busy = sum(cpu.values())
        print(f"  CPU while driving: {busy:.0f} s, {busy / result['seconds']:.2f} cores busy")
        for part, spent in cpu.items():
            print(
                f"    {part:<28} {spent:7.1f} s  {spent / result['steps'] * 1000:6.0f} ms a step"
                f"  {spent / busy:6.1%}"
            )
    if 1 in results and 2 in results:
        ratio = results[2]["grants_per_minute"] / results[1]["grants_per_minute"]
        print(f"throughput, 2 workers / 1 worker: {ratio:.2f}x")


if __name__ == "__main__":
    main()
