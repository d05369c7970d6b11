"""How ``grantflow serve`` answers from cold without making anyone wait for Prefect.

``serve`` migrates the database, then listens at once with ``FrontDoor``: it answers
``/healthz`` and ``/readyz`` itself while the full app (``service.api.create_app``, whose
imports take seconds: Prefect, WeasyPrint, pyHanko) is built in a thread, and hands every
request to the full app once it is built (a request that arrives before waits for it).
Once serve listens, the installation's Prefect server starts in another thread
(``start_prefect``), so neither competes with the first answer for the machine;
``workflows.readiness`` says where it is, ``/readyz`` reports it, and whatever needs Prefect
(an action, the background work) waits there first, so nothing that arrives early is lost.
If the app or Prefect cannot start, serve stops and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from service.security_headers import SecurityHeaders

if TYPE_CHECKING:
    from service.prefect_server import PendingServer

logger = logging.getLogger("grantflow.startup")
EARLY_PATHS = ("/healthz", "/readyz")
POLL_SECONDS = 0.02
# The app's build and Prefect's launch wait for serve to listen at most this long.
LISTEN_WAIT_SECONDS = 10.0


def check_settings() -> None:
    """Settings that must stop start-up rather than fail a request later (ValueError)."""
    from models.db import document_store_kind
    from service.background import owed_documents_interval
    from workflows.execution import execution_mode

    execution_mode()  # GRANTFLOW_EXECUTION
    owed_documents_interval()  # GRANTFLOW_OWED_DOCUMENTS_SECONDS
    document_store_kind()  # GRANTFLOW_DOCUMENT_STORE


def health() -> JSONResponse:
    """Healthy or not, and nothing else: whoever can reach the port learns no address,
    version or configuration from it."""
    from sqlalchemy import text

    from workflows.runtime import database

    try:
        with database().reading() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception:  # noqa: BLE001 - report, do not crash, the health check
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


def prefect_readiness() -> JSONResponse:
    """Whether the installation's Prefect server takes flow runs yet: ``ready`` (200), or
    ``starting`` or ``failed`` (503). Actions sent meanwhile wait for it."""
    from workflows.readiness import readiness

    state = readiness()
    return JSONResponse({"prefect": state}, status_code=200 if state == "ready" else 503)


def _early_app() -> ASGIApp:
    async def healthz(request: Request) -> JSONResponse:
        return await asyncio.to_thread(health)

    async def readyz(request: Request) -> JSONResponse:
        return prefect_readiness()

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz)],
        middleware=[Middleware(SecurityHeaders)],
    )


class FrontDoor:
    """The ASGI app ``serve`` runs: health at once, the full app once it is built.

    ``build`` makes the full app (called in a thread); ``background`` is the work serve does
    beside answering (``service.background.serve_background``), entered once the app is built;
    ``on_failure`` is told if the app cannot be built (serve then stops). The build begins
    once ``after`` says so (serve: once it listens), so it does not slow the first answer.
    """

    def __init__(
        self,
        build: Callable[[], ASGIApp],
        background: Callable[[ASGIApp], contextlib.AbstractAsyncContextManager[None]],
        on_failure: Callable[[BaseException], None],
        after: Callable[[], bool] = lambda: True,
    ) -> None:
        self._build = build
        self._after = after
        self._background = background
        self._on_failure = on_failure
        self._early = _early_app()
        self._app: ASGIApp | None = None
        self._building: asyncio.Future[ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        app = self._app
        if app is None:
            if scope.get("path") in EARLY_PATHS:
                app = self._early
            else:
                assert self._building is not None, "the lifespan starts before any request"
                app = await asyncio.shield(self._building)
        await app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        self._building = asyncio.ensure_future(self._build_when_listening())
        stop = asyncio.Event()
        work = asyncio.create_task(self._run_background(stop))
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        stop.set()
        with contextlib.suppress(Exception):
            await work
        await send({"type": "lifespan.shutdown.complete"})

    async def _build_when_listening(self) -> ASGIApp:
        deadline = time.monotonic() + LISTEN_WAIT_SECONDS
        while not self._after() and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
        return await asyncio.to_thread(self._build)

    async def _run_background(self, stop: asyncio.Event) -> None:
        assert self._building is not None
        try:
            app = await self._building
        except Exception as error:  # noqa: BLE001 - said by on_failure; serve stops
            logger.exception("the service could not be built")
            self._on_failure(error)
            return
        self._app = app
        async with self._background(app):
            await stop.wait()


def start_prefect(
    pending: PendingServer,
    on_failure: Callable[[BaseException], None],
    after: Callable[[], bool] = lambda: True,
) -> None:
    """Launch the installation's Prefect server once ``after`` says so (serve: once it
    listens) and wait for it, in a thread; mark it ready, or failed (and tell ``on_failure``).
    A server already running is ready at once."""
    from workflows import readiness
    from workflows.faults import hold_prefect_start_if_asked

    if not pending.to_launch:
        pending.release()
        readiness.mark_ready()
        return
    readiness.mark_starting()

    def wait() -> None:
        try:
            deadline = time.monotonic() + LISTEN_WAIT_SECONDS
            while not after() and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
            hold_prefect_start_if_asked()
            pending.finish()
        except BaseException as error:  # noqa: BLE001 - serve stops and says why
            readiness.mark_failed()
            on_failure(error)
            return
        readiness.mark_ready()
        logger.info("the Prefect server is ready")

    threading.Thread(target=wait, name="grantflow-prefect-start", daemon=True).start()
