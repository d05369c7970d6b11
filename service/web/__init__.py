"""The web pages: server-rendered (Jinja2), plain forms that work without JavaScript, every
asset served by the installation, English and French. ``install`` adds them to the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from service import problems
from service.web import (
    access_pages,
    agreement_pages,
    application_pages,
    audit_pages,
    document_copies,
    export_pages,
    grant_page,
    home,
    outcome_pages,
    sign_in_pages,
    signature_pages,
)
from service.web.access import FormExpired, SignInRequired
from service.web.i18n import Words, negotiated_language
from service.web.rendering import PageContext, render

STATIC = Path(__file__).parent / "static"
ASSETS = {"grantflow.css": "text/css; charset=utf-8"}
NOT_PAGES = ("/api/", "/openapi.json", "/docs", "/redoc", "/healthz", "/readyz", "/static/docs/")


def serves_a_page(path: str) -> bool:
    """Whether ``path`` is one of the pages (else the API, its documentation or an asset)."""
    return not path.startswith(NOT_PAGES)


def is_page(request: Request) -> bool:
    """Whether an error at this path is answered as a page (else as problem details)."""
    return serves_a_page(request.url.path)


def error_page(request: Request, status: int, code: str) -> HTMLResponse:
    """The page for a problem: what went wrong in the reader's language, never a trace."""
    user = getattr(request.state, "user", None)
    t = Words(negotiated_language(request, getattr(user, "language", None)))
    key = next(
        (k for k in (f"problem.{code}", f"problem.{status}") if t.has(f"{k}.title")),
        "problem.other",
    )
    heading, message = t(f"{key}.title"), t(f"{key}.detail")
    context = PageContext(request, t, None)
    return render(context, "error.html.j2", status, heading=heading, message=message)


def install(app: FastAPI) -> None:
    for module in (
        sign_in_pages,
        home,
        grant_page,
        application_pages,
        audit_pages,
        document_copies,
        access_pages,
        export_pages,
        outcome_pages,
        agreement_pages,
        signature_pages,
    ):
        app.include_router(module.router)
    for name, media_type in ASSETS.items():
        app.add_api_route(
            f"/static/{name}",
            _asset(STATIC / name, media_type),
            methods=["GET"],
            include_in_schema=False,
        )
    problems.page_renderer = (is_page, error_page)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        return RedirectResponse(error.next_path, status_code=303)

    @app.exception_handler(FormExpired)
    async def _expired(request: Request, error: FormExpired) -> Response:
        return error_page(request, 403, "form_expired")


def _asset(path: Path, media_type: str):  # type: ignore[no-untyped-def]
    def serve() -> FileResponse:
        return FileResponse(
            path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"}
        )

    serve.__name__ = f"page_asset_{path.name.replace('.', '_')}"
    return serve
