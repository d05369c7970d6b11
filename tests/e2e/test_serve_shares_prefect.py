"""One Prefect history per installation: ``demo`` uses the server ``serve`` started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service.prefect_server import free_port
from tests.support.serving import prefect_auth, seed_prefect_database

pytestmark = pytest.mark.slow

GRANTFLOW = Path(sys.executable).with_name("grantflow")


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
    env["GRANTFLOW_DATA_DIR"] = str(data_dir)
    return env


def wait_for(url: str, process: subprocess.Popen, seconds: float = 180) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer")


def test_demo_uses_the_prefect_server_that_serve_started(tmp_path):
    data_dir = tmp_path / "var"
    port, prefect_port = free_port(), free_port()
    seed_prefect_database(data_dir)
    serve = subprocess.Popen(
        [str(GRANTFLOW), "serve", "--port", str(port), "--prefect-port", str(prefect_port)],
        # the server logs each "database is locked" it answers 503
        env={**clean_env(data_dir), "PREFECT_API_LOG_RETRYABLE_ERRORS": "true"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", serve).json()
        wait_for(f"http://127.0.0.1:{port}/readyz", serve)  # its Prefect server is recorded
        record = json.loads((data_dir / "prefect" / "server.json").read_text())
        command = Path(f"/proc/{record['pid']}/cmdline").read_bytes().split(b"\0")
        # Prefect's server as shipped, its SQLite transactions begun IMMEDIATE
        assert b"service.prefect_server_process" in command
        api_url = f"http://127.0.0.1:{prefect_port}/api"
        assert health == {"status": "ok"}
        demo = subprocess.run(
            [str(GRANTFLOW), "demo", "--grants", "1", "--out", str(tmp_path / "out")],
            env=clean_env(data_dir),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert demo.returncode == 0, demo.stderr[-3000:]
        assert api_url in demo.stdout
        runs = httpx.post(
            f"{api_url}/flow_runs/filter",
            json={"limit": 200},
            auth=prefect_auth(data_dir),
            timeout=10,
        ).json()
        names = {run["name"] for run in runs}
        assert any(name.endswith(" · close") for name in names)
        assert "database is locked" not in (data_dir / "prefect" / "server.log").read_text()
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=60)
    assert not (data_dir / "prefect" / "server.json").exists()
