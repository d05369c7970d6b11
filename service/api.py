"""The HTTP service (the JSON API grows here; see DESIGN.md's external contract)."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text


def create_app() -> FastAPI:
    app = FastAPI(
        title="grantflow",
        description="Grant lifecycle workflows for an Indigenous-led fund.",
        version="0.1.0",
    )

    @app.get("/healthz", summary="Is the service up and can it reach its database?")
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
