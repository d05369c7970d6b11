"""The API documentation pages (/docs, /redoc) on the installation's own assets.

FastAPI's default pages load Swagger UI and ReDoc from a CDN: blank without internet, and a
third party's script running beside a user's token. The assets come from the
``fastapi-offline`` package (Swagger UI 5 and ReDoc 2 bundles) and are served under
``/static/docs/``; each page's Content-Security-Policy allows its own inline script by hash and
nothing from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse

STATIC_URL = "/static/docs"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
# No "validator" badge: Swagger UI would fetch it from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(html: str) -> str:
    """A CSP for a documentation page: own assets, and its inline scripts by their hash.

    Styles may be inline (both UIs set them at run time); ReDoc runs its search in a blob:
    worker.
    """
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    html = bytes(page.body).decode()
    return HTMLResponse(html, headers={"Content-Security-Policy": page_policy(html)})


def install(app: FastAPI) -> None:
    """Add /docs, its OAuth2 redirect page, /redoc and their static assets to ``app``."""
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _with_policy(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - API",
                oauth2_redirect_url=redirect_url,
                swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{STATIC_URL}/favicon.png",
                swagger_ui_parameters=SWAGGER_PARAMETERS,
            )
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _with_policy(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{app.title} - API",
                redoc_js_url=f"{STATIC_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{STATIC_URL}/favicon.png",
                with_google_fonts=False,
            )
        )

    # One route per file (not a mounted directory): the route table lists exactly what is
    # served, and no path ever reaches the file system.
    for name, media_type in ASSETS.items():
        app.add_api_route(
            f"{STATIC_URL}/{name}",
            _asset(ASSETS_DIR / name, media_type),
            methods=["GET"],
            include_in_schema=False,
        )


def _asset(path: Path, media_type: str) -> Callable[[], FileResponse]:
    def serve() -> FileResponse:
        return FileResponse(
            path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    serve.__name__ = f"docs_asset_{path.name}"
    return serve
