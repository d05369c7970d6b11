"""The installation's Prefect server, started by ``grantflow serve``.

It keeps its database under the data directory (``PREFECT_HOME``) and records its address in
``<data>/prefect/server.json`` so that other grantflow processes on this installation use it
rather than start their own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from service import environment


@dataclass
class PrefectServer:
    api_url: str
    process: subprocess.Popen | None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        record = environment.server_record_path()
        if record.exists() and json.loads(record.read_text()).get("pid") == self.process.pid:
            record.unlink()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _wait_healthy(api_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Prefect server exited with code {process.returncode}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"the Prefect server did not answer at {api_url} within {timeout:.0f} s")


def ensure_server(port: int | None = None, timeout: float = 120) -> PrefectServer:
    """Use the installation's running server, or start one and record it."""
    running = environment.running_server_url()
    if running:
        return PrefectServer(running, None)
    host = "127.0.0.1"
    port = port or free_port(host)
    api_url = f"http://{host}:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(environment.prefect_home())}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_healthy(api_url, process, timeout)
    record = environment.server_record_path()
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"api_url": api_url, "pid": process.pid}))
    return PrefectServer(api_url, process)
