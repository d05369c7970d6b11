"""Fixtures of the browser tier: a real ``grantflow serve`` on loopback, seen in Debian's chromium.

- ``grantflow_server`` (module): ``grantflow serve`` on a free loopback port with its own data
  directory; people through ``server.create_user(role=..., name=..., email=...,
  password=...)``. Stopped with SIGINT at the end of the module; a Traceback in its log fails
  the test during which it appeared, and the module's last test when serve stops.
- ``browser`` (module): headless chromium (/usr/bin/chromium) through Playwright's sync API.
  Module-scoped, not session-scoped: while Playwright's sync API runs it holds an asyncio
  event loop in this thread, and the next test file on the same worker may call
  ``asyncio.run``. (A browser test cannot call ``asyncio.run`` either.)
- ``context``/``page`` (each test): a fresh browser context (no cookies carried over) and a
  page in it; ``browser_log`` records every URL the context requested, those the page's CSP
  blocked, and console errors. Any request sent beyond 127.0.0.1 fails the test.
- ``server_timings`` (session): ``server_timings.goto(page, url, name)`` loads a page and
  records its server time; per-page medians go to test-artifacts/server-timings.json.

Without /usr/bin/chromium the tier is skipped with the reason (it fails under CI=true).
Every test here is marked ``browser`` and ``slow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.support.browser_people import Installation, Person, set_up, sign_in
from tests.support.browser_support import (
    CHROMIUM,
    BrowserLog,
    BrowserServer,
    ServerTimings,
    off_loopback,
    require_chromium,
    start_server,
    stop_server,
)

HERE = Path(__file__).parent
VIEWPORT = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def grantflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserServer]:
    root = tmp_path_factory.mktemp("browser-serve")
    server = start_server(root / "var", root / "serve.log")
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(autouse=True)
def chromium_and_a_clean_serve_log(request: pytest.FixtureRequest) -> Iterator[None]:
    """Skip (fail under CI=true) without chromium, before serve is started for nothing; then a
    Traceback serve logs during a test fails that test (checked after it)."""
    require_chromium()
    if "grantflow_server" not in request.fixturenames:
        yield
        return
    server: BrowserServer = request.getfixturevalue("grantflow_server")
    server.new_tracebacks()  # whatever came before this test is not its doing
    yield
    found = server.new_tracebacks()
    assert found is None, f"serve logged a Traceback during this test:\n{found}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    """The test's browser context's requests, CSP-blocked requests and console errors."""
    return BrowserLog()


@pytest.fixture
def context(browser: Browser, browser_log: BrowserLog) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=VIEWPORT, locale="en-CA", service_workers="block")
    browser_log.watch(opened)
    try:
        yield opened
    finally:
        opened.close()
    left = off_loopback(browser_log.sent())
    assert not left, f"requests sent beyond 127.0.0.1: {left}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def server_timings() -> Iterator[ServerTimings]:
    timings = ServerTimings()
    yield timings
    timings.write()


@pytest.fixture(scope="module")
def installation(grantflow_server: BrowserServer) -> Installation:
    """A fund, two organisations and their people on the module's server (browser_people)."""
    return set_up(grantflow_server)


@pytest.fixture
def person_in(
    browser: Browser,
    browser_log: BrowserLog,
    installation: Installation,
    server_timings: ServerTimings,
) -> Iterator[Callable[..., Person]]:
    """``person_in(who, language="en")``: that person signed in, in a browser context of
    their own (the same one when asked again); every context closed after the test."""
    opened: dict[tuple[str, str], Person] = {}
    checked: set[str] = set()  # page names axe has already checked in this test

    def open_as(who: str, language: str = "en") -> Person:
        if (who, language) not in opened:
            opened[who, language] = sign_in(
                browser,
                browser_log,
                installation.server,
                server_timings,
                who,
                installation.emails[who],
                checked,
                language,
            )
        return opened[who, language]

    yield open_as
    for person in opened.values():
        person.context.close()
