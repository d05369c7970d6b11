"""The HTTP service: the JSON API under /api/v1 (DESIGN.md's external contract)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from service import docs_pages, problems, startup, web
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
    from service.background import serve_background

    # A misconfigured GRANTFLOW_EXECUTION, retry interval or GRANTFLOW_DOCUMENT_STORE stops
    # start-up, not a request.
    startup.check_settings()
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
        return startup.health()

    @app.get(
        "/readyz",
        tags=["service"],
        summary="Does the installation's Prefect server take flow runs yet?",
        responses={503: {"description": "Prefect is still starting (or failed to start)"}},
    )
    def readyz() -> JSONResponse:
        # Under `grantflow serve` /healthz answers before Prefect is up; actions sent while it
        # is starting wait for it (workflows.readiness).
        return startup.prefect_readiness()

    return app
