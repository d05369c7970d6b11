"""The installation's Prefect server, started by ``grantflow serve``.

It keeps its database under the data directory (``PREFECT_HOME``), requires the installation's
credential, and is recorded in ``<data>/prefect/server.json`` (owner-only) with its pid and the
installation id, so that other grantflow processes of this installation use it rather than
start their own, and no process adopts a server that is not this installation's.

Its database is SQLite under ``PREFECT_HOME`` by default; ``GRANTFLOW_PREFECT_DATABASE_URL``
(a PostgreSQL URL, e.g. ``postgresql://prefect@db-host/prefect``: a database of its own, not
grantflow's) puts it on PostgreSQL: the server is started with it as
``PREFECT_API_DATABASE_CONNECTION_URL``, through asyncpg, and migrates it on start.

The server runs in its own process group (its own session): a Ctrl-C in a terminal reaches
``serve`` only, which then stops the whole group, the server's own subprocesses included.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from service import environment

LOG_FILE = "server.log"
PREFECT_DATABASE_SETTING = "GRANTFLOW_PREFECT_DATABASE_URL"


class PrefectServerError(RuntimeError):
    """The installation's Prefect server could not be started."""


@dataclass
class PrefectServer:
    api_url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    prefect_home: Path | None = None
    _stopped: bool = field(default=False, repr=False)
    # stop (serve leaving) and record (the start finishing in a thread) never interleave
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def owned(self) -> bool:
        """Whether this process started the server (and so stops it)."""
        return self.process is not None

    def record(self) -> None:
        """Record the server (``server.json``) for the installation's other processes, unless
        it was stopped meanwhile."""
        assert self.process is not None
        with self._guard:
            if self._stopped:
                return
            environment.write_server_record(
                {
                    "api_url": self.api_url,
                    "pid": self.process.pid,
                    "installation_id": environment.installation().installation_id,
                    "prefect_home": str(self.prefect_home or environment.prefect_home()),
                }
            )

    def launch(self, host: str, port: int) -> None:
        """Start the server's process (PrefectServerError once it was stopped)."""
        assert self.prefect_home is not None and self.log_path is not None
        with self._guard:
            if self._stopped:
                raise PrefectServerError("serve stopped before its Prefect server started")
            self.process = _popen_server(self.prefect_home, host, port, self.log_path)

    def stop(self, timeout: float = 20) -> None:
        """Stop the server and everything in its process group; forget its record. Idempotent;
        a server stopped before it was launched is never launched."""
        with self._guard:
            if self._stopped:
                return
            self._stopped = True
            if self.process is None:
                return
        group = self.process.pid  # start_new_session: the leader's pid is the group id
        _signal_group(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(group, signal.SIGKILL)
            self.process.wait()
        # Whatever the server started and left behind (the leader may exit before them).
        _signal_group(group, signal.SIGKILL)
        record = environment.read_server_record()
        if record is not None and record.get("pid") == self.process.pid:
            environment.server_record_path().unlink(missing_ok=True)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def prefect_database_url() -> str | None:
    """The Prefect server's own database (``GRANTFLOW_PREFECT_DATABASE_URL``) in the form
    Prefect wants (``postgresql+asyncpg://``), or None for its SQLite default. PrefectServerError
    for a URL that is not PostgreSQL's."""
    url = os.environ.get(PREFECT_DATABASE_SETTING, "").strip()
    if not url:
        return None
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in ("postgres", "postgresql", "postgresql+asyncpg"):
        raise PrefectServerError(
            f"{PREFECT_DATABASE_SETTING} must be a PostgreSQL URL (postgresql://...), "
            f"not {scheme or url!r}"
        )
    return f"postgresql+asyncpg://{rest}"


def _wait_healthy(server: PrefectServer, timeout: float) -> None:
    assert server.process is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            server.stop()
            raise PrefectServerError(
                f"the Prefect server exited with code {server.process.returncode} "
                f"(its log: {server.log_path})"
            )
        try:
            if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.stop()
    raise PrefectServerError(
        f"the Prefect server did not answer at {server.api_url} within {timeout:.0f} s; the "
        "machine may be busy: retry, or allow it longer with GRANTFLOW_PREFECT_STARTUP_SECONDS "
        f"(its log: {server.log_path})"
    )


def ensure_server(
    port: int | None = None, host: str = "127.0.0.1", timeout: float | None = None
) -> PrefectServer:
    """Use the installation's running server, or start one and record it; wait until it answers.

    ``port`` None picks a free port, so two installations on one machine never meet on
    Prefect's default port. ``host`` is loopback unless the installation serves workers on
    other machines.
    """
    return begin_server(port, host).finish(timeout)


@dataclass
class PendingServer:
    """The installation's server: found running, or to be launched (``launch``) and waited
    for (``finish``).

    Until it is finished this process holds the installation's server lock, so another
    ``serve`` starting meanwhile waits and then uses this server rather than starting one.
    """

    server: PrefectServer
    lock: IO[str] | None = None
    host: str = "127.0.0.1"
    port: int = 0

    @property
    def to_launch(self) -> bool:
        """Whether this process starts the server (rather than using one already running)."""
        return self.lock is not None or self.server.owned

    def launch(self) -> None:
        """Start the server's process (once), without waiting for it to answer."""
        if self.lock is not None and not self.server.owned:
            self.server.launch(self.host, self.port)

    def finish(self, timeout: float | None = None) -> PrefectServer:
        """Launch the server if not yet, wait until it answers, record it, release the lock.

        PrefectServerError (the server stopped) if it does not answer within ``timeout``
        (default ``GRANTFLOW_PREFECT_STARTUP_SECONDS``) or exits.
        """
        server = self.server
        try:
            if self.to_launch:
                try:
                    self.launch()
                    _wait_healthy(
                        server, environment.startup_seconds() if timeout is None else timeout
                    )
                except BaseException:
                    server.stop()  # interrupted (a stop signal) or failed: leave no server
                    raise
                server.record()
        finally:
            self.release()
        return server

    def release(self) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()
            self.lock = None


def begin_server(port: int | None = None, host: str = "127.0.0.1") -> PendingServer:
    """The installation's running server, or the one this process is to launch (its URL is
    known now: ``port`` None picks a free one)."""
    home = environment.private_directory(environment.prefect_home())
    # Two `serve` of one installation starting together: the second waits here, then finds
    # the first one's server and uses it instead of starting another on the same database.
    lock = (home / "server.lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        running = environment.running_server_url()
        if running:
            lock.close()
            return PendingServer(PrefectServer(running))
        port = port or free_port(host)
        server = PrefectServer(
            f"http://{_url_host(host)}:{port}/api", log_path=home / LOG_FILE, prefect_home=home
        )
        return PendingServer(server, lock, host, port)
    except BaseException:
        lock.close()
        raise


def _popen_server(home: Path, host: str, port: int, log_path: Path) -> subprocess.Popen:
    auth = environment.prefect_auth()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_AUTH_STRING": auth,
        "PREFECT_API_AUTH_STRING": auth,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    database_url = prefect_database_url()
    if database_url is not None:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "service.prefect_server_process"]
            + ["--host", host, "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _url_host(host: str) -> str:
    """Where this machine's clients reach a server listening on ``host``."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
