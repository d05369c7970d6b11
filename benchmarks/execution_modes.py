"""What the `deployment` execution mode costs against `inline`, measured in the same run.

    .venv/bin/python benchmarks/execution_modes.py [--repeat N]

On a throwaway installation with its own embedded Prefect server, N grants each release one
instalment (a transaction and a remittance advice in PDF and DOCX) in each mode:
  1. inline: the caller runs the action's flow and waits for it (the baseline);
  2. deployment, queue: the caller creates the flow run and gets its id back (what the
     service's 202 costs);
  3. deployment, worker: an in-process ``Worker`` takes the N queued runs and carries them out.
Reported as ratios against the inline baseline: absolute times on shared machines are noise.
This is a report, never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from scratch_installation import use_scratch_installation


async def measure(repeat: int) -> dict[str, float]:
    from models import fictional
    from models.engine import apply_action
    from models.fictional.script import steps
    from models.provisioning import create_application
    from workflows.actions import run_action_inline
    from workflows.deployments import submit_action
    from workflows.runtime import database
    from workflows.worker import Worker, WorkerSettings

    db = database()
    cast = fictional.seed(db)
    ready = []  # (grant, finance actor, payload) with the first instalment initiated
    for index in range(2 * repeat + 1):
        organisation, application = fictional.application_for(index % 3, cast)
        grant = create_application(db, organisation.id, application)
        for action, who, payload, at in steps(db, cast, grant.id):
            if action == "release_payment":
                ready.append((grant, who, payload))
                break
            apply_action(db, grant.id, action, who, payload, now=at)
    warm, inline, queued = ready[0], ready[1 : repeat + 1], ready[repeat + 1 :]
    await run_action_inline(warm[0].id, warm[0].reference, "release_payment", warm[1], warm[2])

    inline_samples = []
    for grant, who, payload in inline:
        started = time.perf_counter()
        await run_action_inline(grant.id, grant.reference, "release_payment", who, payload)
        inline_samples.append(time.perf_counter() - started)

    queue_samples = []
    for grant, who, payload in queued:
        started = time.perf_counter()
        await submit_action(grant.id, grant.reference, "release_payment", who, payload)
        queue_samples.append(time.perf_counter() - started)
    worker = Worker(
        WorkerSettings(poll_seconds=0.2, heartbeat_seconds=1, lease_seconds=5),
        log=lambda _line: None,
    )
    started = time.perf_counter()
    taken = await worker.run(asyncio.Event(), until_idle=True)
    worker_seconds = time.perf_counter() - started
    assert taken == len(queued), f"the worker took {taken} of {len(queued)} runs"
    return {
        "inline": statistics.median(inline_samples),
        "queue": statistics.median(queue_samples),
        "worker": worker_seconds / len(queued),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    use_scratch_installation()
    figures = asyncio.run(measure(args.repeat))
    inline = figures["inline"]
    print(f"inline release_payment (median)              {inline * 1000:8.1f} ms   1.00x")
    print(
        f"deployment: queue the run (median)           {figures['queue'] * 1000:8.1f} ms"
        f"   {figures['queue'] / inline:.2f}x"
    )
    print(
        f"deployment: worker, per run (mean of {args.repeat:>3})     "
        f"{figures['worker'] * 1000:8.1f} ms   {figures['worker'] / inline:.2f}x"
    )


if __name__ == "__main__":
    main()
