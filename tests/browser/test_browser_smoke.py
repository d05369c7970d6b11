"""The browser tier's chain, end to end, on pages that exist today: the offline API docs.

A real ``grantflow serve`` on loopback, Debian's chromium through Playwright, a full-page
screenshot, axe-core, and the server timings; every request the page sends stays on
127.0.0.1 (Swagger UI and ReDoc come from the installation, not a CDN). ReDoc does try one
address elsewhere, its "API docs by Redocly" logo on cdn.redoc.ly: the page's
Content-Security-Policy refuses it, so it never leaves the browser.

axe runs here only to prove it runs: Swagger UI and ReDoc are third-party pages, so their
violations are written to test-artifacts/axe/ and not asserted on; ``assert_accessible`` is
for our own pages, and is checked here on two small pages of our own making.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser_support import (
    BrowserLog,
    BrowserServer,
    ServerTimings,
    assert_accessible,
    describe_violations,
    off_loopback,
    run_axe,
    screenshot,
)


def test_swagger_ui_renders_from_loopback_only_and_axe_runs_on_it(
    grantflow_server: BrowserServer,
    page: Page,
    browser_log: BrowserLog,
    server_timings: ServerTimings,
) -> None:
    response = server_timings.goto(page, grantflow_server.url("/docs"), "api-docs")
    assert response.status == 200
    expect(page).to_have_title("grantflow - API")
    # Swagger UI has fetched /openapi.json and drawn the operations
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/grants").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    shot = screenshot(page, "api-docs")
    assert shot.read_bytes().startswith(b"\x89PNG")

    violations = run_axe(page, "api-docs")
    assert isinstance(violations, list)
    assert all({"id", "impact", "nodes"} <= set(v) for v in violations), describe_violations(
        violations
    )
    print(f"axe on /docs: {len(violations)} violation(s)\n{describe_violations(violations)}")

    requested = {url.split("?")[0] for url in browser_log.requests}
    assert grantflow_server.url("/openapi.json") in requested
    assert grantflow_server.url("/static/docs/swagger-ui-bundle.js") in requested
    assert off_loopback(browser_log.requests) == []  # not even tried
    assert browser_log.console_errors == []
    assert server_timings.samples["api-docs"][-1] >= 0


def test_redoc_renders_from_loopback_only(
    grantflow_server: BrowserServer,
    page: Page,
    browser_log: BrowserLog,
    server_timings: ServerTimings,
) -> None:
    response = server_timings.goto(page, grantflow_server.url("/redoc"), "api-redoc")
    assert response.status == 200
    expect(page).to_have_title("grantflow - API")
    expect(page.locator(".api-content")).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "api-redoc")
    assert grantflow_server.url("/static/docs/redoc.standalone.js") in browser_log.requests
    assert off_loopback(browser_log.sent()) == []
    assert off_loopback(browser_log.requests) == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]
    assert browser_log.blocked_by_policy == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]


ACCESSIBLE = """<!doctype html><html lang="en"><head><title>Fine</title></head>
<body><main><h1>Fine</h1><form><label for="e">Email</label><input id="e" type="email">
<button type="submit">Sign in</button></form></main></body></html>"""
# No lang, an image without text, an unlabelled input, a button without a name, grey on white.
INACCESSIBLE = """<!doctype html><html><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input id="e" type="email"><button type="submit"></button></form>
<p style="color:#bbb;background:#fff">faint</p></main></body></html>"""


def test_assert_accessible_passes_a_sound_page_and_names_what_is_wrong_with_a_broken_one(
    page: Page,
) -> None:
    page.set_content(ACCESSIBLE)
    assert assert_accessible(page, "axe-sound-page") == []

    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "axe-broken-page")
    report = str(failure.value)
    for rule in ("html-has-lang", "image-alt", "label", "button-name", "color-contrast"):
        assert f"- {rule} (" in report, report
    assert "(serious)" in report and "(critical)" in report
    assert "dequeuniversity.com/rules/axe/" in report  # each rule's help link
    assert "    html" in report and "    img" in report  # the elements, by selector
