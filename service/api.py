"""The HTTP service: the JSON API under /api/v1 (DESIGN.md's external contract)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service import problems
from service.limits import RequestLimits
from service.routes import actions, admin, audit, documents, grants

DESCRIPTION = """
grantflow runs an Indigenous-led fund's grants from application to close-out.

Authenticate with `Authorization: Bearer <token>` (tokens come from
`grantflow users create`). Errors are RFC 9457 problem details. An object you may not see
answers 404. Repeat any action safely with the same `Idempotency-Key` header. Money is
integer cents of CAD; times are UTC.
"""


def create_app() -> FastAPI:
    from workflows.deployments import execution_mode

    execution_mode()  # a misconfigured GRANTFLOW_EXECUTION stops start-up, not a request
    app = FastAPI(title="grantflow", description=DESCRIPTION, version="0.1.0")
    problems.install(app)
    app.add_middleware(RequestLimits)
    for module in (grants, actions, documents, admin, audit):
        app.include_router(module.router)

    @app.get(
        "/healthz",
        tags=["service"],
        summary="Is the service up and can it reach its database?",
        responses={503: {"description": "The database cannot be reached"}},
    )
    def healthz() -> JSONResponse:
        from workflows.runtime import database

        body: dict[str, Any] = {
            "status": "ok",
            "prefect_api_url": os.environ.get("PREFECT_API_URL"),
        }
        try:
            with database().reading() as session:
                session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            body["database"] = "ok"
        except Exception as error:  # noqa: BLE001 - report, do not crash, the health check
            body.update(status="degraded", database=f"unreachable: {type(error).__name__}")
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    return app
