"""The demo's grants side by side, one process of a pool per core.

One process runs one flow at a time on Prefect's SQLite database (``workflows.actions.run_gate``),
and a grant's steps are sequential by nature, so the demo gains from concurrency only across
processes. Each process of the pool drives whole grants (``demo_runner.drive_grant``), each on
its own simulated calendar (grant-scoped sweeps), against one Prefect server that every process
of the demo shares: the installation's running one, or one the demo starts and stops
(``start_shared_server``).

The pool's processes are forked from a forkserver that has imported the demo once (Prefect,
WeasyPrint, pyHanko: seconds of imports), which happens while the Prefect server starts. Prefect
reads its settings when it is imported, so the server's URL is in the environment before the
forkserver starts. The processes tell the parent of each step through a queue (its progress
bar); a grant that fails comes back as DemoFailed, and the grants not yet started are cancelled.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from multiprocessing.queues import Queue
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parent imports this module before Prefect (``start_forkserver``)
    from service.demo_runner import GrantRun, PlannedGrant

# What the forkserver imports once, so that every process of the pool starts with it loaded.
PRELOAD = ["service.demo_runner"]
_DONE = None  # put on the progress queue when the pool has finished

_progress: Queue | None = None
_loop: asyncio.AbstractEventLoop | None = None
_cast: Any = None


class DemoFailed(RuntimeError):
    """A demo grant could not finish (its reference and the reason, in one picklable line)."""


def usable_cores() -> int:
    """The cores this process may run on (its affinity, which a container's limit narrows)."""
    return len(os.sched_getaffinity(0))


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_forkserver() -> None:
    """Start the forkserver now (it imports ``PRELOAD`` meanwhile); call it once the
    environment the pool's processes need (PREFECT_API_URL) is set."""
    _context()
    multiprocessing.forkserver.ensure_running()


def _started(progress: Queue) -> None:
    """The pool process's start: its progress queue and the one event loop it runs grants on
    (Prefect's client belongs to a loop, so every grant of this process shares it)."""
    global _progress, _loop
    _progress = progress
    _loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loop)


def _report(text: str) -> None:
    if _progress is not None:
        _progress.put(text)


def _drive(planned: PlannedGrant) -> GrantRun:
    """In a pool process: drive one grant; a failure comes back as DemoFailed (picklable)."""
    from service.demo_runner import drive_in_this_process, load_or_seed
    from workflows.runtime import database

    global _cast
    assert _loop is not None
    try:
        db = database()
        if _cast is None:
            _cast = load_or_seed(db)
        return _loop.run_until_complete(drive_in_this_process(db, _cast, planned, _report))
    except DemoFailed:
        raise
    except Exception as error:  # noqa: BLE001 - said in one line the parent can print
        raise DemoFailed(f"{planned.reference}: {type(error).__name__}: {error}") from None


async def drive_in_processes(
    planned: list[PlannedGrant],
    processes: int,
    report: Callable[[str], None],
    finished: Callable[[GrantRun], None],
) -> list[GrantRun]:
    """Drive ``planned`` in a pool of ``processes``, the longest paths first; their runs in the
    order planned."""
    from service.demo_runner import LONGEST_FIRST

    context = _context()
    progress: Queue = context.Queue()
    listener = asyncio.create_task(asyncio.to_thread(_relay, progress, report))
    try:
        with ProcessPoolExecutor(
            processes, mp_context=context, initializer=_started, initargs=(progress,)
        ) as pool:
            by_length = sorted(planned, key=lambda grant: LONGEST_FIRST.index(grant.variant))
            submitted = {grant.index: pool.submit(_drive, grant) for grant in by_length}
            futures = [submitted[grant.index] for grant in planned]
            for future in futures:
                future.add_done_callback(lambda done: _finished(done, finished))
            outcome = await asyncio.to_thread(wait, futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in outcome.done if f.exception() is not None]
            if failed:
                pool.shutdown(wait=True, cancel_futures=True)
                raise failed[0].exception()  # type: ignore[misc]
        return [future.result() for future in futures]
    finally:
        progress.put(_DONE)
        await listener
        progress.close()


def _finished(future: Future, finished: Callable[[GrantRun], None]) -> None:
    if not future.cancelled() and future.exception() is None:
        finished(future.result())


def _relay(progress: Queue, report: Callable[[str], None]) -> None:
    """In a thread of the parent: pass each step the pool reports to ``report``."""
    while (text := progress.get()) is not _DONE:
        report(text)
