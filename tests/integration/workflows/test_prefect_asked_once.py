"""``ask_each_server_once``: a process asks a Prefect server whether it wants CSRF tokens and
where results are stored once, not once per client and flow run, and asks again when a server
refuses a change for a missing token. Against real Prefect APIs: the session's test server
(CSRF protection off, as grantflow starts its own) and Prefect's own API app with CSRF
protection on, in process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import PrefectClient
from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_SERVER_CSRF_PROTECTION_ENABLED,
    temporary_settings,
)

from tests.support.prefect_probes import lean_probe
from workflows import prefect_adapter
from workflows.prefect_adapter import ask_each_server_once

pytestmark = pytest.mark.usefixtures("prefect_harness")

CSRF_QUESTION = "/csrf-token"
STORAGE_QUESTION = "/admin/storage"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, bool]]]:
    """Every request answered from now on, as (method, host and path, carried a CSRF token);
    the process's remembered answers forgotten first (other tests asked already)."""
    ask_each_server_once()
    ask_each_server_once()  # idempotent: installed once, however often called
    monkeypatch.setattr(prefect_adapter, "_CSRF_OFF", set())
    monkeypatch.setattr(prefect_adapter, "_DEFAULT_RESULT_STORAGE", {})
    requests: list[tuple[str, str, bool]] = []

    def spy(shipped: Any) -> Any:
        def record(request: Any, response: Any) -> Any:
            # An attempt answered "locked" (503, a busy machine) is sent again: not counted.
            if response.status_code != 503:
                token = "Prefect-Csrf-Token" in request.headers
                requests.append((request.method, f"{request.url.host}{request.url.path}", token))
            return response

        if asyncio.iscoroutinefunction(shipped):

            async def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
                return record(request, await shipped(self, request, *args, **kwargs))
        else:

            def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
                return record(request, shipped(self, request, *args, **kwargs))

        return send

    # httpx's own send: what Prefect's retry loop calls for each attempt (the clients' send
    # wraps the whole loop, retries and questions included).
    for client_class in (httpx.AsyncClient, httpx.Client):
        monkeypatch.setattr(client_class, "send", spy(client_class.send))
    yield requests


def questions(requests: list[tuple[str, str, bool]]) -> dict[str, int]:
    return {
        asked: sum(path.endswith(asked) for _, path, _ in requests)
        for asked in (CSRF_QUESTION, STORAGE_QUESTION)
    }


def flow_runs_carried(requests: list[tuple[str, str, bool]]) -> tuple[int, int]:
    """(flow runs created, state changes sent) among ``requests``."""
    created = sum(m == "POST" and where.endswith("/flow_runs/") for m, where, _ in requests)
    states = sum(m == "POST" and where.endswith("/set_state") for m, where, _ in requests)
    return created, states


def test_a_process_asks_a_server_once_and_its_flow_runs_still_complete(
    sent: list[tuple[str, str, bool]],
) -> None:
    assert asyncio.run(lean_probe(1)) == 3
    first = questions(sent)
    sent.clear()
    assert asyncio.run(lean_probe(2)) == 4
    assert asyncio.run(lean_probe(3)) == 5
    # The first run asked both (Prefect as shipped asks in every run); the next two asked
    # neither, while still sending their changes (creating runs, setting states).
    assert first[CSRF_QUESTION] >= 1
    assert first[STORAGE_QUESTION] == 1
    assert questions(sent) == {CSRF_QUESTION: 0, STORAGE_QUESTION: 0}
    created, states = flow_runs_carried(sent)
    assert created >= 2 and states >= 4, sent  # each run created, Running and Completed at least
    assert not any(token for _, _, token in sent)  # CSRF protection is off: no tokens
    assert f"{str(PREFECT_API_URL.value()).rstrip('/')}/" in prefect_adapter._CSRF_OFF


def test_a_server_that_turned_csrf_protection_on_is_asked_again(
    sent: list[tuple[str, str, bool]],
) -> None:
    """A process that remembered "off" for a server now wanting tokens: the first change is
    refused for its missing token, sent again with one, and the server is asked from then on,
    by new clients too."""
    from prefect.server.api.server import create_app

    async def create_flows(app: Any) -> list[Any]:
        ids = []
        for _ in range(2):  # two clients: the second must ask too
            async with PrefectClient(app) as client:
                ids.append(await client.create_flow(lean_probe))
        return ids

    with temporary_settings({PREFECT_SERVER_CSRF_PROTECTION_ENABLED: True}):
        app = create_app(ephemeral=True)
        prefect_adapter._CSRF_OFF.add("http://ephemeral-prefect/api/")
        created = asyncio.run(create_flows(app))

    assert created[0] == created[1]  # the same flow, created (then found) both times
    # Prefect's log and event workers left by earlier runs talk to the session's server too.
    app = "ephemeral-prefect/api"
    to_app = [(method, where, token) for method, where, token in sent if where.startswith(app)]
    assert to_app == [
        ("POST", f"{app}/flows/", False),  # refused: missing token
        ("GET", f"{app}{CSRF_QUESTION}", False),
        ("POST", f"{app}/flows/", True),
        ("GET", f"{app}{CSRF_QUESTION}", False),  # the second client asks too
        ("POST", f"{app}/flows/", True),
    ]
    # forgotten: the server wants tokens now (a log worker may meanwhile have asked another)
    assert f"http://{app}/" not in prefect_adapter._CSRF_OFF
