"""Prefect's clients retry a "database is locked" 503 within milliseconds, before their own
back-off of seconds (``workflows.prefect_adapter.retry_locked_answers_quickly``).

A real HTTP server on loopback answers 503 a set number of times, then 200; Prefect's own
retries are turned off (``PREFECT_CLIENT_MAX_RETRIES=0``), so an answer of 200 can only come
from the adapter's quick retries, and the server counts every attempt.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prefect.client.base import PrefectHttpxAsyncClient, PrefectHttpxSyncClient
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from workflows.prefect_adapter import LOCKED_RETRY_DELAYS, retry_locked_answers_quickly


class LockedServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Answer)
        self.locked_answers = 0
        self.attempts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Answer(BaseHTTPRequestHandler):
    server: LockedServer

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.attempts += 1
        locked = self.server.attempts <= self.server.locked_answers
        body = b'{"exception_message": "Service Unavailable"}' if locked else b'{"ok": true}'
        self.send_response(503 if locked else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def locked_server() -> Iterator[LockedServer]:
    server = LockedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    retry_locked_answers_quickly()
    retry_locked_answers_quickly()  # idempotent: installed once, however often called
    try:
        with temporary_settings({PREFECT_CLIENT_MAX_RETRIES: 0}):
            yield server
    finally:
        server.shutdown()
        server.server_close()


def post_async(url: str) -> int:
    async def post() -> int:
        async with PrefectHttpxAsyncClient(base_url=url, raise_on_all_errors=False) as client:
            return (await client.post("/flow_runs/", json={"name": "x"})).status_code

    return asyncio.run(post())


def post_sync(url: str) -> int:
    with PrefectHttpxSyncClient(base_url=url, raise_on_all_errors=False) as client:
        return client.post("/flow_runs/", json={"name": "x"}).status_code


@pytest.mark.parametrize("post", [post_async, post_sync], ids=["async", "sync"])
def test_a_locked_answer_is_tried_again_and_the_request_goes_through(locked_server, post):
    locked_server.locked_answers = 3
    assert post(locked_server.url) == 200
    assert locked_server.attempts == 4  # three answered "locked", the fourth went through


@pytest.mark.parametrize("post", [post_async, post_sync], ids=["async", "sync"])
def test_a_lock_that_outlasts_the_quick_retries_is_left_to_prefects_back_off(locked_server, post):
    locked_server.locked_answers = 1000
    assert post(locked_server.url) == 503
    # One attempt and one after each quick delay; Prefect's loop (no retries here) stops there.
    assert locked_server.attempts == len(LOCKED_RETRY_DELAYS) + 1
