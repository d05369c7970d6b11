"""The HTTP service: the JSON API under /api/v1 (DESIGN.md's external contract)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service import docs_pages, problems, web
from service.limits import RequestLimits
from service.routes import (
    access,
    actions,
    admin,
    audit,
    data_agreements,
    documents,
    exports,
    grants,
    outcomes,
    signatures,
)
from service.security_headers import SecurityHeaders

DESCRIPTION = """
grantflow runs an Indigenous-led fund's grants from application to close-out.

Authenticate with `Authorization: Bearer <token>` (tokens come from
`grantflow users create`). Errors are RFC 9457 problem details. An object you may not see
answers 404. Repeat any action safely with the same `Idempotency-Key` header. Money is
integer cents of CAD; times are UTC.
"""


def create_app(*, background_work: bool = False) -> FastAPI:
    """The service; ``background_work`` (``grantflow serve``) also produces owed documents and
    writes out denial counts at shutdown (``service.background``)."""
    from models.db import document_store_kind
    from service.background import owed_documents_interval, serve_background
    from workflows.execution import execution_mode

    execution_mode()  # a misconfigured GRANTFLOW_EXECUTION stops start-up, not a request
    owed_documents_interval()  # so does a misconfigured retry interval
    document_store_kind()  # and a misconfigured GRANTFLOW_DOCUMENT_STORE
    # The documentation pages are served from the installation's own assets (docs_pages), not
    # FastAPI's default CDN: they work without internet and under a strict CSP.
    app = FastAPI(
        title="grantflow",
        description=DESCRIPTION,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=serve_background if background_work else None,
    )
    problems.install(app)
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)
    for module in (
        grants,
        actions,
        documents,
        admin,
        audit,
        access,
        exports,
        outcomes,
        data_agreements,
        signatures,
    ):
        app.include_router(module.router)
    docs_pages.install(app)
    web.install(app)

    @app.get(
        "/healthz",
        tags=["service"],
        summary="Is the service up and can it reach its database?",
        responses={503: {"description": "The database cannot be reached"}},
    )
    def healthz() -> JSONResponse:
        # Healthy or not, and nothing else: whoever can reach the port learns no address,
        # version or configuration from it.
        from workflows.runtime import database

        try:
            with database().reading() as session:
                session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception:  # noqa: BLE001 - report, do not crash, the health check
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
