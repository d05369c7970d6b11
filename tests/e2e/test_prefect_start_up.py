"""When a Prefect server cannot start in time, the command exits non-zero saying what to do.

The server process is held before it starts (GRANTFLOW_TEST_HOLD_PREFECT_SERVER) and given a
one-second start-up allowance (GRANTFLOW_PREFECT_STARTUP_SECONDS): a machine too busy to start
Prefect within the default 180 s, whatever the load on the machine running the test.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from service.prefect_server import free_port
from tests.support.serving import GRANTFLOW, clean_env, processes_of, still_running

pytestmark = pytest.mark.slow

TOO_BUSY = {"GRANTFLOW_PREFECT_STARTUP_SECONDS": "1", "GRANTFLOW_TEST_HOLD_PREFECT_SERVER": "1"}


@pytest.mark.parametrize("processes", ["1", "2"])
def test_demo_says_what_to_do_when_its_prefect_server_does_not_start(tmp_path, processes):
    data_dir = tmp_path / "var"
    result = subprocess.run(
        [str(GRANTFLOW), "demo", "--grants", "2", "--processes", processes]
        + ["--out", str(tmp_path / "out")],
        env=clean_env(data_dir, **TOO_BUSY),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Prefect server did not start" in result.stderr, result.stderr
    assert "GRANTFLOW_PREFECT_STARTUP_SECONDS" in result.stderr
    assert "grantflow serve" in result.stderr and "PREFECT_API_URL" in result.stderr
    assert not (data_dir / "prefect" / "server.json").exists(), "no server left recorded"
    assert not (tmp_path / "out").exists(), "no grant driven"


def test_serve_says_what_to_do_when_its_prefect_server_does_not_start(tmp_path):
    data_dir = tmp_path / "var"
    serve = subprocess.Popen(
        [str(GRANTFLOW), "serve", "--port", str(free_port())],
        env=clean_env(data_dir, **TOO_BUSY),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started: dict[int, str] = {}
    try:
        while serve.poll() is None and len(started) < 2:
            started = processes_of(serve.pid)
            time.sleep(0.05)
        _, stderr = serve.communicate(timeout=120)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 1, stderr
    assert "did not answer" in stderr and "GRANTFLOW_PREFECT_STARTUP_SECONDS" in stderr, stderr
    assert not still_running(started)
    assert not (data_dir / "prefect" / "server.json").exists()
