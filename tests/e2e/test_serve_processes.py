"""``grantflow serve`` and the Prefect server it starts, as real processes on loopback.

- SIGTERM or SIGINT stops serve and every process it started (the Prefect server runs in its
  own process group, out of reach of a signal sent to serve alone);
- the Prefect server refuses a request without the installation's credential;
- under ``umask 000`` everything in the data directory, Prefect's own files included, is
  owner-only;
- two installations served at once keep separate Prefect histories, and neither adopts the
  other's server, even from a ``server.json`` that names it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import httpx
import pytest

from tests.support.serving import (
    GRANTFLOW,
    Serving,
    clean_env,
    installation_config,
    modes_under,
    prefect_auth,
    processes_of,
    server_record,
    still_running,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def flow_runs(api_url: str, auth: httpx.Auth | None) -> httpx.Response:
    return httpx.post(f"{api_url}/flow_runs/filter", json={"limit": 200}, auth=auth, timeout=30)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_leaves_no_process_and_the_prefect_server_wants_the_credential(
    tmp_path, signum
):
    data_dir = tmp_path / "var"
    # cold: serve makes every file itself, under umask 000
    serving = Serving(data_dir, tmp_path / "serve.log", umask=0, cold=True).start()
    started: dict[int, str] = {}
    try:
        assert serving.wait_healthy() == {"status": "ok"}
        record = server_record(data_dir)
        assert record["installation_id"] == installation_config(data_dir)["installation_id"]
        api_url = serving.prefect_api
        assert api_url.startswith("http://127.0.0.1:")

        refused = flow_runs(api_url, None)
        assert refused.status_code == 401, refused.text
        wrong = flow_runs(api_url, httpx.BasicAuth("grantflow", "not-the-credential"))
        assert wrong.status_code == 401
        accepted = flow_runs(api_url, prefect_auth(data_dir))
        assert accepted.status_code == 200, accepted.text
        assert httpx.get(f"{api_url}/health", timeout=10).status_code == 200  # probes stay open

        # A command of the same installation finds the server and is let in (it would fail
        # here if it started its own or lacked the credential).
        users = subprocess.run(
            [str(GRANTFLOW), "users", "create", "--role", "auditor", "--name", "Ola Auditor"],
            env=clean_env(data_dir),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert users.returncode == 0, users.stderr

        started = processes_of(serving.process.pid)  # type: ignore[union-attr]
        assert record["pid"] in started, (record, started)
        assert len(started) >= 2
    finally:
        returncode = serving.stop(signum)
    left = still_running(started)
    print(f"{signal.Signals(signum).name}: {len(started)} processes before, {len(left)} left")
    assert not left, f"left running after {signal.Signals(signum).name}: {left}"
    assert returncode == 0, serving.log()
    assert "Traceback" not in serving.log(), serving.log()
    assert not (data_dir / "prefect" / "server.json").exists()

    counts, open_to_others = modes_under(data_dir)
    print(f"data dir under umask 000: {counts}, {len(open_to_others)} open to others")
    assert not open_to_others, open_to_others
    names = {p.name for p in data_dir.rglob("*")}
    assert {"prefect.db", "installation.json", "grantflow.db", "server.log"} <= names, names


def test_a_stop_signal_during_start_up_leaves_no_process(tmp_path):
    data_dir = tmp_path / "var"
    # cold: Prefect's migrations keep the start-up window open long enough to stop it there
    serving = Serving(data_dir, tmp_path / "serve.log", cold=True).start()
    deadline = time.monotonic() + 120
    # Wait until the Prefect server process exists, then stop serve before it is healthy.
    while time.monotonic() < deadline:
        started = processes_of(serving.process.pid)  # type: ignore[union-attr]
        if len(started) >= 2:
            break
        time.sleep(0.1)
    returncode = serving.stop(signal.SIGTERM)
    assert not still_running(started), serving.log()
    assert returncode == 0, serving.log()
    assert not (data_dir / "prefect" / "server.json").exists()


def test_two_installations_keep_separate_histories_and_never_adopt_each_others_server(tmp_path):
    dir_a, dir_b = tmp_path / "a" / "var", tmp_path / "b" / "var"
    serving_a = Serving(dir_a, tmp_path / "a.log").start()
    serving_b = Serving(dir_b, tmp_path / "b.log")
    started: dict[int, str] = {}
    try:
        serving_a.wait_healthy()
        api_a, record_a = serving_a.prefect_api, server_record(dir_a)

        # Installation B gets its configuration, then a server.json naming A's live server
        # (as a copied data dir, or a stale record whose port A now holds, would).
        checkpoint = subprocess.run(
            [str(GRANTFLOW), "audit", "checkpoint"],
            env=clean_env(dir_b),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert checkpoint.returncode == 0, checkpoint.stderr
        forged = {**record_a, "installation_id": installation_config(dir_b)["installation_id"]}
        (dir_b / "prefect" / "server.json").write_text(json.dumps(forged))

        serving_b.start()
        serving_b.wait_healthy()
        api_b = serving_b.prefect_api
        assert api_b != api_a, "B adopted A's Prefect server"
        assert server_record(dir_b)["pid"] != record_a["pid"]
        assert (
            installation_config(dir_a)["prefect_auth"] != installation_config(dir_b)["prefect_auth"]
        )
        auth_a, auth_b = prefect_auth(dir_a), prefect_auth(dir_b)
        assert flow_runs(api_a, auth_b).status_code == 401
        assert flow_runs(api_b, auth_a).status_code == 401

        # A flow run made through A is in A's history only.
        flow = httpx.post(
            f"{api_a}/flows/", json={"name": "probe-a"}, auth=auth_a, timeout=30
        ).json()
        made = httpx.post(
            f"{api_a}/flow_runs/",
            json={"flow_id": flow["id"], "name": "only-in-a"},
            auth=auth_a,
            timeout=30,
        )
        assert made.status_code == 201, made.text
        assert "only-in-a" in {run["name"] for run in flow_runs(api_a, auth_a).json()}
        assert "only-in-a" not in {run["name"] for run in flow_runs(api_b, auth_b).json()}

        started = {
            **processes_of(serving_a.process.pid),  # type: ignore[union-attr]
            **processes_of(serving_b.process.pid),  # type: ignore[union-attr]
        }
    finally:
        codes = [serving.stop() for serving in (serving_a, serving_b) if serving.process]
    assert codes == [0, 0], serving_a.log() + serving_b.log()
    assert not still_running(started)
