"""The adapter's calls into Prefect, against a real Prefect API, emit no deprecation warning.

Prefect marks deprecations with ``DeprecationWarning`` (``PrefectDeprecationWarning``) and, for
some, ``FutureWarning``: either fails the test.

``workflows.prefect_adapter`` holds every call grantflow makes beyond Prefect's public API. A
Prefect upgrade that deprecates one of them fails this test (and names the call), instead of
the warning going unseen until the call is removed.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from prefect import flow, tags
from prefect.client.orchestration import PrefectClient, SyncPrefectClient, get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.settings import PREFECT_API_TLS_INSECURE_SKIP_VERIFY, temporary_settings
from prefect.states import Pending

from tests.support.prefect_probes import lean_probe
from workflows.prefect_adapter import (
    flush_prefect_queues,
    holder_of,
    label_holder,
    run_taken_flow_run,
    share_tls_context,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")


@flow(name="grantflow-adapter-probe", persist_result=False)
async def probe(value: int) -> int:
    return value * 2


async def take_and_run_a_deployment_run() -> dict[str, Any]:
    """What ``grantflow worker`` does with a run, through the adapter: label it, run it."""
    async with get_client() as client:
        flow_id = await client.create_flow(probe)
        deployment_id = await client.create_deployment(flow_id=flow_id, name="adapter-probe")
        queued = await client.create_flow_run_from_deployment(
            deployment_id, parameters={"value": 21}
        )
        await client.set_flow_run_state(queued.id, Pending())
        taken = await label_holder(client, queued.id, "host:1:abcd")
        state = await run_taken_flow_run(probe, taken)
        finished = await client.read_flow_run(queued.id)
    return {
        "holder before": holder_of(queued),
        "holder after": holder_of(taken),
        "state": state.type.value,
        "result": await state.result(),
        "recorded state": finished.state_name,
        "recorded holder": holder_of(finished),
    }


def run_listening_for_deprecations(
    probe_run: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
) -> tuple[dict[str, Any], list[str]]:
    """What ``probe_run`` saw, and every deprecation warned on the way (Prefect's queues
    flushed too)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seen = asyncio.run(probe_run())
        flush_prefect_queues(timeout=30)
    return seen, [
        f"{w.category.__name__} at {w.filename}:{w.lineno}: {w.message}"
        for w in caught
        # Prefect announces some deprecations as FutureWarning.
        if issubclass(w.category, DeprecationWarning | FutureWarning)
    ]


def test_the_adapters_calls_into_prefect_emit_no_deprecation_warning() -> None:
    seen, deprecations = run_listening_for_deprecations(take_and_run_a_deployment_run)
    assert deprecations == []
    assert seen == {
        "holder before": None,
        "holder after": "host:1:abcd",
        "state": "COMPLETED",
        "result": 42,
        "recorded state": "Completed",
        "recorded holder": "host:1:abcd",
    }


async def lean_run_as_recorded() -> dict[str, Any]:
    """A tagged flow run whose two threaded tasks run under ``lean_task_runs``, as Prefect
    recorded it."""
    with tags("grant:7", "stage:intake"):
        state = await lean_probe(40, return_state=True)
    run_id = state.state_details.flow_run_id
    # Task runs reach Prefect's API as events: send them, then wait for both to be recorded.
    await asyncio.to_thread(flush_prefect_queues, 30)
    async with get_client() as client:
        run = await client.read_flow_run(run_id)
        for _ in range(300):
            task_runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
            )
            if len(task_runs) == 2 and all(t.state_name == "Completed" for t in task_runs):
                break
            await asyncio.sleep(0.1)
    return {
        "result": await state.result(),
        "flow run tags": sorted(run.tags),
        "task runs": sorted((t.state_name, tuple(t.tags)) for t in task_runs),
    }


def test_lean_task_runs_leave_the_flow_runs_tags_on_the_flow_run_only() -> None:
    """Task runs under ``lean_task_runs`` carry no tags (so Prefect asks for no tag
    concurrency slots before each) and complete; the flow run keeps its tags; and no
    deprecation warning on the way."""
    seen, deprecations = run_listening_for_deprecations(lean_run_as_recorded)
    assert deprecations == []
    assert seen == {
        "result": 42,
        "flow run tags": ["grant:7", "stage:intake"],
        "task runs": [("Completed", ()), ("Completed", ())],
    }


def _tls_context_of(client: PrefectClient | SyncPrefectClient) -> ssl.SSLContext:
    """The TLS context a Prefect client's connection pool would use (httpx's internals)."""
    return client._client._transport._pool._ssl_context  # type: ignore[union-attr]


def test_prefect_clients_share_one_tls_context_built_from_prefects_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After ``share_tls_context`` a flow run and its threaded tasks build no TLS context (each
    Prefect client built its own, about 20 ms) and still talk to Prefect; the shared context
    is the one Prefect's settings ask for, and a caller's own ``verify`` is kept."""
    share_tls_context()
    share_tls_context()  # idempotent: installed once, however often called
    api = "http://127.0.0.1:4200/api"
    verified = PrefectClient(api)
    assert _tls_context_of(SyncPrefectClient(api)) is _tls_context_of(verified)
    assert _tls_context_of(verified).verify_mode == ssl.CERT_REQUIRED
    assert _tls_context_of(verified).get_ca_certs()  # certifi's bundle, as Prefect loads it
    with temporary_settings({PREFECT_API_TLS_INSECURE_SKIP_VERIFY: True}):
        insecure = PrefectClient(api)
    assert _tls_context_of(insecure) is not _tls_context_of(verified)
    assert _tls_context_of(insecure).verify_mode == ssl.CERT_NONE
    own = ssl.create_default_context()
    assert _tls_context_of(PrefectClient(api, httpx_settings={"verify": own})) is own

    built: list[str] = []
    create_default_context = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append("context")
        return create_default_context(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    seen, deprecations = run_listening_for_deprecations(lean_run_as_recorded)
    assert seen["result"] == 42
    assert seen["task runs"] == [("Completed", ()), ("Completed", ())]
    assert deprecations == []
    assert built == []
