"""The API's hot reads take one trip to the thread pool (``service.deps.off_the_loop``): FastAPI
sees a coroutine, so it validates the answer on the event loop, while the database work runs
in a worker thread and never blocks the loop."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest
from fastapi.routing import APIRoute

from service.deps import off_the_loop

HOT_READS = {
    ("GET", "/api/v1/grants"),
    ("GET", "/api/v1/grants/{grant_id}"),
    ("GET", "/api/v1/grants/{grant_id}/actions"),
    ("GET", "/api/v1/grants/{grant_id}/documents"),
}


def test_the_hot_reads_are_coroutines_around_sync_bodies() -> None:
    from service.routes import actions, grants

    found = set()
    for route in [*grants.router.routes, *actions.router.routes]:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods & {"GET"}:
            if (method, route.path) in HOT_READS:
                found.add((method, route.path))
                assert inspect.iscoroutinefunction(route.endpoint), route.path
                body = inspect.unwrap(route.endpoint)
                assert body is not route.endpoint and not inspect.iscoroutinefunction(body)
                # FastAPI reads the body's parameters: the caller and the database among them.
                assert {"user", "db"} <= set(inspect.signature(route.endpoint).parameters)
    assert found == HOT_READS


def test_off_the_loop_runs_the_body_in_a_worker_thread_and_passes_its_answer_back() -> None:
    seen: list[threading.Thread] = []

    @off_the_loop
    def body(value: int, *, twice: bool = False) -> int:
        seen.append(threading.current_thread())
        if value < 0:
            raise ValueError("negative")
        return value * (2 if twice else 1)

    async def run() -> tuple[int, threading.Thread]:
        answer = await body(21, twice=True)
        with pytest.raises(ValueError, match="negative"):
            await body(-1)
        return answer, threading.current_thread()

    answer, loop_thread = asyncio.run(run())
    assert answer == 42
    assert len(seen) == 2 and all(thread is not loop_thread for thread in seen)
    assert body.__name__ == "body" and inspect.iscoroutinefunction(body)


def test_off_the_loop_takes_its_thread_from_the_limiter_fastapis_sync_endpoints_share() -> None:
    """The trip goes through anyio's thread limiter (40 threads, shared with FastAPI's sync
    endpoints and dependencies), not asyncio's default executor (6 threads on 2 cores): with
    the limiter narrowed to one thread, two bodies asked at once run one after the other."""
    import time

    import anyio.to_thread

    spans: list[tuple[float, float]] = []

    @off_the_loop
    def body() -> None:
        started = time.monotonic()
        time.sleep(0.2)
        spans.append((started, time.monotonic()))

    async def run() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1
        await asyncio.gather(body(), body())

    asyncio.run(run())
    (first_start, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end > first_start
