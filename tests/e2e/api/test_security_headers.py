"""Headers on every answer, the documentation pages on the installation's own assets, and a
/healthz that says healthy or not and nothing else."""

from __future__ import annotations

import re

import pytest

from tests.support.api_support import make_api_world

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def world(installation):
    return make_api_world(installation)


def assert_always(response) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_authenticated_answers_and_downloads_are_never_cached(world):
    applicant = world.applicant_of(0)
    grant = world.grant_at(0, "submit")
    headers = world.headers(applicant)
    listing = world.client.get("/api/v1/grants", headers=headers)
    documents = world.client.get(f"/api/v1/grants/{grant['id']}/documents", headers=headers)
    assert listing.status_code == documents.status_code == 200
    download = world.client.get(documents.json()[0]["download_url"], headers=headers)
    assert download.status_code == 200
    for response in (listing, documents, download):
        assert_always(response)
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    refused = world.client.get("/api/v1/grants")
    assert refused.status_code == 401
    assert_always(refused)
    assert refused.headers["cache-control"] == "no-store"


def test_healthz_says_ok_and_nothing_else(world):
    response = world.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_always(response)


def test_healthz_says_unavailable_when_the_database_is_not(world, monkeypatch):
    import workflows.runtime

    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("postgresql://user:secret@db.internal/grantflow is down")

    monkeypatch.setattr(workflows.runtime, "database", broken)
    response = world.client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_documentation_pages_load_only_the_installations_own_assets(world, page):
    response = world.client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert_always(response)
    html = response.text
    assert not re.search(r"https?://", html.replace("http://www.w3.org", "")), html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    if page != "/docs/oauth2-redirect":
        assert assets, html
    for url in assets:
        assert url.startswith("/static/docs/"), url
        asset = world.client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100
        assert_always(asset)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy and "http" not in policy
    # Every inline script is allowed by its hash, and no other.
    inline = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert policy.count("'sha256-") == len(inline)


def test_swagger_ui_is_version_5_and_reads_the_openapi_document(world):
    bundle = world.client.get("/static/docs/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle and '"5.' in bundle  # 4.x cannot show OpenAPI 3.1
    docs = world.client.get("/docs").text
    assert "url: '/openapi.json'" in docs and '"validatorUrl": null' in docs
    assert world.client.get("/openapi.json").json()["openapi"].startswith("3.1")
