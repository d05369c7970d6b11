"""Every call grantflow makes into Prefect beyond its public API, in one place.

``grantflow worker`` carries out a deployment's flow run in its own process, after screening
its parameters and claiming it under its lease (``workflows.worker``). Prefect's public ways of
running a deployment's flow run (a work pool's worker, ``Runner``, ``flow.serve``) start it in
a new process and give grantflow no moment between "taken" and "started" to refuse a forged
run, so the worker calls Prefect's flow engine directly: that call, and the few other
non-public ones, live here. ``tests/integration/workflows/test_prefect_adapter.py`` runs each
of them against a real Prefect API and fails on any Prefect deprecation warning, and
``tests/unit/test_prefect_imports.py`` keeps every other module to Prefect's public modules.

Which worker holds a run is a label on the flow run (``grantflow.worker``), a public field
for exactly this kind of metadata; Prefect's ``infrastructure_pid`` is left to Prefect.
"""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from uuid import UUID

from prefect.client.orchestration import PrefectClient, SyncPrefectClient
from prefect.client.schemas.objects import FlowRun, State
from prefect.context import TagsContext
from prefect.events.worker import EventsWorker
from prefect.flow_engine import run_flow_async
from prefect.flows import Flow
from prefect.logging.handlers import APILogWorker

# The flow run label naming the ``grantflow worker`` that holds the run.
WORKER_LABEL = "grantflow.worker"

# The adapters installed in this process (each installs once, however often called; two of
# them wrap the same Prefect method, so a marker on the method would not tell).
_INSTALLED: set[str] = set()


async def label_holder(client: PrefectClient, flow_run_id: UUID, worker_id: str) -> FlowRun:
    """Record ``worker_id`` as the holder of a run it took; the run as Prefect now has it."""
    await client.update_flow_run_labels(flow_run_id, {WORKER_LABEL: worker_id})
    return await client.read_flow_run(flow_run_id)


def holder_of(run: FlowRun) -> str | None:
    """The worker holding ``run``, or None while the worker that took it has not said so."""
    holder: Any = run.labels.get(WORKER_LABEL)
    return str(holder) if holder else None


async def run_taken_flow_run(family: Flow, run: FlowRun) -> State:
    """Carry out a deployment's flow run (already Pending, taken by this worker) in this
    process, and return its final state.

    Non-public: ``prefect.flow_engine.run_flow_async`` is the engine's own entry point.
    """
    state = await run_flow_async(
        family, flow_run=run, parameters=run.parameters, return_type="state"
    )
    return state  # type: ignore[return-value]


def flush_prefect_queues(timeout: float = 10) -> None:
    """Send the logs and events Prefect's background workers still hold, now.

    Otherwise Prefect drains them at interpreter exit, after the process may have stopped the
    Prefect server they go to. Non-public: Prefect's queue workers are internal classes.
    """
    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)


@contextmanager
def lean_task_runs() -> Iterator[None]:
    """The tasks a flow run starts, without the tags around the flow run.

    A task run inherits the tags set around its flow run (``grant:…``, ``stage:…``,
    ``action:…``), and Prefect asks its server for tag concurrency slots before every tagged
    task: an HTTP call of about 50 ms, and 2 s whenever Prefect's SQLite database answers it
    "locked" (a 503 its client retries after 2 s). grantflow sets no tag concurrency limits;
    the flow run keeps its tags, and its task runs are found by their flow run. Entered in the
    flow's own context, the cleared tags are copied into each thread's context (``to_thread``
    copies contextvars). Measured 2026-12-01 (pyinstrument, ``benchmarks/action_cost.py``,
    ``grantflow demo``): the apply-transition task 65 ms for an 8 ms transaction before.

    Sharing one sync client among the tasks was tried and left out: with the tasks that much
    quicker, Prefect's embedded SQLite server answered "locked" three times as often, and the
    demo took 25% longer (before ``retry_locked_answers_quickly``). Each task's client now
    shares the process's TLS context instead (``share_tls_context``).
    Non-public: ``prefect.context.TagsContext`` holds the tags.
    """
    with TagsContext(current_tags=set()):
        yield


# A "database is locked" answer is over in milliseconds: retry it at these intervals (seconds,
# jittered) before Prefect's own back-off of 2, 4, 8... seconds sees it.
LOCKED_RETRY_DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8)
_LOCKED = 503
_FORBIDDEN = 403


def retry_locked_answers_quickly() -> None:
    """Retry the Prefect API's 503 answers quickly before Prefect's client backs off.

    Prefect's SQLite server answers 503 when a request's transaction cannot take the write
    lock: its flow-run insert reads, then writes, and fails at once (no busy wait) if another
    process wrote in between. Prefect's client retries a 503 after 2 s, then 4 s, 8 s; the
    conflict is over in milliseconds. With two processes of the demo side by side, 26 flow-run
    inserts were answered 503 in one 6-grant run, each stalling a grant for 2 s or more
    (measured 2026-12-02, ``benchmarks/demo_concurrency.py``). This wraps the send that
    Prefect's retry loop calls, in its async and sync clients, so that a 503 is tried again
    after 20 ms, 50 ms, ... 800 ms (1.6 s in all) before Prefect's loop sees it and applies its
    own back-off. Idempotent. Non-public: ``_send_with_retry`` is the clients' retry loop.
    """
    from prefect.client.base import PrefectHttpxAsyncClient, PrefectHttpxSyncClient

    if "quick retries" in _INSTALLED:
        return
    _INSTALLED.add("quick retries")
    async_loop = PrefectHttpxAsyncClient._send_with_retry
    sync_loop = PrefectHttpxSyncClient._send_with_retry

    async def async_with_quick_retries(self: Any, request: Any, send: Any, *args: Any, **kw: Any):
        async def send_quickly(request: Any, *send_args: Any, **send_kwargs: Any) -> Any:
            for delay in LOCKED_RETRY_DELAYS:
                response = await send(request, *send_args, **send_kwargs)
                if response.status_code != _LOCKED:
                    return response
                await response.aclose()
                await asyncio.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter
            return await send(request, *send_args, **send_kwargs)

        return await async_loop(self, request, send_quickly, *args, **kw)

    def sync_with_quick_retries(self: Any, request: Any, send: Any, *args: Any, **kw: Any):
        def send_quickly(request: Any, *send_args: Any, **send_kwargs: Any) -> Any:
            for delay in LOCKED_RETRY_DELAYS:
                response = send(request, *send_args, **send_kwargs)
                if response.status_code != _LOCKED:
                    return response
                response.close()
                time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter
            return send(request, *send_args, **send_kwargs)

        return sync_loop(self, request, send_quickly, *args, **kw)

    PrefectHttpxAsyncClient._send_with_retry = async_with_quick_retries  # type: ignore[method-assign]
    PrefectHttpxSyncClient._send_with_retry = sync_with_quick_retries  # type: ignore[method-assign]


@functools.cache
def _tls_context(insecure: bool, cert_file: str, http2: bool) -> ssl.SSLContext:
    """The TLS context Prefect's clients would each build for these settings, built once.

    ``http2`` is part of the key because httpcore sets a context's ALPN protocols from its
    client's HTTP/2 setting on each connection: clients that differ in it never share one.
    """
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cert_file)


def share_tls_context() -> None:
    """Give every Prefect client of this process one TLS context instead of one each.

    Prefect builds a TLS context (certifi's bundle, about 150 certificates) for every client it
    constructs unless given one, and a flow run constructs a client for itself and for each of
    its threaded tasks: 15-22 ms each on this project's machines (measured 2026-12-02), for a
    context never used when the API is plain HTTP on loopback. This hands each new client the
    same context, built once for the process with exactly the settings Prefect reads
    (``PREFECT_API_TLS_INSECURE_SKIP_VERIFY``, ``PREFECT_API_SSL_CERT_FILE`` or certifi's
    bundle, ``PREFECT_API_ENABLE_HTTP2``); a caller that passes its own ``verify`` keeps it.
    Idempotent. Non-public: wraps the clients' constructors.
    """
    import certifi
    from prefect.settings import (
        PREFECT_API_ENABLE_HTTP2,
        PREFECT_API_SSL_CERT_FILE,
        PREFECT_API_TLS_INSECURE_SKIP_VERIFY,
    )

    for client_class in (PrefectClient, SyncPrefectClient):
        construct = client_class.__init__
        if getattr(construct, "_shared_tls", False):
            continue

        def with_shared_context(
            self: Any,
            api: Any,
            *args: Any,
            httpx_settings: dict[str, Any] | None = None,
            _construct: Any = construct,
            **kwargs: Any,
        ) -> None:
            settings = dict(httpx_settings or {})
            if "verify" not in settings:
                settings["verify"] = _tls_context(
                    bool(PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value()),
                    PREFECT_API_SSL_CERT_FILE.value() or certifi.where(),
                    bool(settings.get("http2", PREFECT_API_ENABLE_HTTP2.value())),
                )
            _construct(self, api, *args, httpx_settings=settings, **kwargs)

        with_shared_context._shared_tls = True  # type: ignore[attr-defined]
        client_class.__init__ = with_shared_context  # type: ignore[method-assign]


# What a Prefect server told this process once and tells every new client the same, by the
# server's API URL (``ask_each_server_once``).
_CSRF_OFF: set[str] = set()
_DEFAULT_RESULT_STORAGE: dict[str, Any] = {}


def ask_each_server_once() -> None:
    """Ask a Prefect server two things once per process instead of once per client or run.

    Prefect's clients ask before their first change request whether the server wants CSRF
    tokens (``GET /csrf-token``, answered 422 "CSRF protection is disabled" by a server as
    grantflow starts it), and its flow runs ask where results are stored by default
    (``GET /admin/storage``). A flow run builds a client for itself and one for each threaded
    task, so a step asked about three times before its transition was committed (in a
    2-grant scale-out run: 110 CSRF questions and 55 storage questions for 50 steps). This
    keeps each answer for the process, by the server's API URL:

    - CSRF off: later clients of that server skip the question. Should the server refuse a
      change for a missing token (restarted with CSRF protection on), the answer is
      forgotten and the change sent again the way Prefect's client sends it, asking first.
    - the server's default result storage block (or none): grantflow persists no results
      (every flow and task says ``persist_result=False``), so the answer only names where
      results would go; an error reading it means Prefect's local default, as shipped.

    Idempotent. Non-public: wraps the clients' ``_add_csrf_headers`` and ``_send_with_retry``
    and ``prefect.results``' readers of the server's default storage.
    """
    import prefect.results
    from prefect.client.base import PrefectHttpxAsyncClient, PrefectHttpxSyncClient

    if "ask once" in _INSTALLED:
        return
    _INSTALLED.add("ask once")
    shipped_async_csrf = PrefectHttpxAsyncClient._add_csrf_headers
    shipped_sync_csrf = PrefectHttpxSyncClient._add_csrf_headers
    async_loop = PrefectHttpxAsyncClient._send_with_retry
    sync_loop = PrefectHttpxSyncClient._send_with_retry

    def known_off(client: Any) -> bool:
        if str(client.base_url) in _CSRF_OFF:
            client.enable_csrf_support = False
            return True
        return False

    def remember(client: Any) -> None:
        if not client.enable_csrf_support:
            _CSRF_OFF.add(str(client.base_url))

    def refused_without_token(client: Any, request: Any, response: Any) -> bool:
        """A change sent without a token refused for it: forget "off", ask from now on."""
        if (
            response.status_code != _FORBIDDEN
            or "Prefect-Csrf-Token" in request.headers
            or "CSRF token" not in response.text
        ):
            return False
        _CSRF_OFF.discard(str(client.base_url))
        client.enable_csrf_support = True
        return True

    async def async_csrf_once(self: Any, request: Any) -> None:
        if not known_off(self):
            await shipped_async_csrf(self, request)
            remember(self)

    def sync_csrf_once(self: Any, request: Any) -> None:
        if not known_off(self):
            shipped_sync_csrf(self, request)
            remember(self)

    async def async_send(self: Any, request: Any, send: Any, *args: Any, **kw: Any) -> Any:
        response = await async_loop(self, request, send, *args, **kw)
        if refused_without_token(self, request, response):
            await response.aclose()
            response = await async_loop(self, request, send, *args, **kw)
        return response

    def sync_send(self: Any, request: Any, send: Any, *args: Any, **kw: Any) -> Any:
        response = sync_loop(self, request, send, *args, **kw)
        if refused_without_token(self, request, response):
            response.close()
            response = sync_loop(self, request, send, *args, **kw)
        return response

    PrefectHttpxAsyncClient._add_csrf_headers = async_csrf_once  # type: ignore[method-assign]
    PrefectHttpxSyncClient._add_csrf_headers = sync_csrf_once  # type: ignore[method-assign]
    PrefectHttpxAsyncClient._send_with_retry = async_send  # type: ignore[method-assign]
    PrefectHttpxSyncClient._send_with_retry = sync_send  # type: ignore[method-assign]

    shipped_async_storage = prefect.results._aread_server_default_result_storage_block_id
    shipped_sync_storage = prefect.results._read_server_default_result_storage_block_id

    def server_key() -> str:
        from prefect.settings import PREFECT_API_URL

        return str(PREFECT_API_URL.value())

    async def async_storage_once() -> Any:
        server = server_key()
        if server not in _DEFAULT_RESULT_STORAGE:
            _DEFAULT_RESULT_STORAGE[server] = await shipped_async_storage()
        return _DEFAULT_RESULT_STORAGE[server]

    def sync_storage_once() -> Any:
        server = server_key()
        if server not in _DEFAULT_RESULT_STORAGE:
            _DEFAULT_RESULT_STORAGE[server] = shipped_sync_storage()
        return _DEFAULT_RESULT_STORAGE[server]

    prefect.results._aread_server_default_result_storage_block_id = async_storage_once
    prefect.results._read_server_default_result_storage_block_id = sync_storage_once


def begin_sqlite_transactions_immediately() -> None:
    """Make Prefect's server begin every SQLite transaction IMMEDIATE (idempotent; for the
    server process grantflow starts, ``service.prefect_server_process``).

    As shipped, Prefect begins them DEFERRED unless it asks for a row lock, and a transaction
    that reads before it writes is refused "database is locked" at once when another
    connection wrote meanwhile (``with_for_update`` only picks the BEGIN mode in Prefect's
    SQLite configuration). PostgreSQL's configuration is not touched."""
    from prefect.server.database.configurations import AioSqliteConfiguration

    shipped = AioSqliteConfiguration.begin_transaction
    if getattr(shipped, "grantflow_immediate", False):
        return

    @asynccontextmanager
    async def begin_transaction(
        self: AioSqliteConfiguration, session: Any, with_for_update: bool = False
    ) -> AsyncIterator[Any]:
        async with shipped(self, session, with_for_update=True) as transaction:
            yield transaction

    begin_transaction.grantflow_immediate = True  # type: ignore[attr-defined]
    AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]


def run_prefect_cli(arguments: list[str]) -> None:
    """Prefect's command line (``prefect ARGUMENTS``) in this process, as ``python -m prefect``
    runs it."""
    from prefect.cli import app

    sys.argv = ["prefect", *arguments]
    app()
