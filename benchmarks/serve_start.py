"""How long ``grantflow serve`` takes to answer ``/healthz`` from cold, against a bare app.

    .venv/bin/python benchmarks/serve_start.py [--repeat N]

Each run starts a fresh process and times from its start to the first 200 on ``/healthz``
(polled every 20 ms), then stops it with SIGINT:
  1. a bare FastAPI and SQLModel app under uvicorn, on SQLite, whose handler queries one table
     (the floor);
  2. ``grantflow serve`` on a fresh data directory (it makes its database and Prefect's);
  3. ``grantflow serve`` on a data directory an earlier ``serve`` made.
For serve it also reports when its Prefect server was ready (``/readyz`` answering 200; a
serve without ``/readyz`` waits for Prefect before answering at all, so there its health time
is its readiness time). Medians, and ratios against the floor's median in the same run:
absolute times on shared machines are noise. This is a report, never a test.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

GRANTFLOW = Path(sys.executable).with_name("grantflow")
POLL_SECONDS = 0.02
GIVE_UP_SECONDS = 300.0

BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    from sqlmodel import Field, Session, SQLModel, create_engine, select


    class Item(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        name: str


    engine = create_engine("sqlite:///{database}")
    SQLModel.metadata.create_all(engine)
    app = FastAPI()


    @app.get("/healthz")
    def healthz() -> dict:
        with Session(engine) as session:
            session.exec(select(Item).limit(1)).all()
        return {{"status": "ok"}}
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
    env["GRANTFLOW_DATA_DIR"] = str(data_dir)
    return env


def _answers(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def _time_start(command: list[str], env: dict[str, str], port: int) -> tuple[float, float]:
    """Seconds from starting ``command`` to /healthz's first 200, and to /readyz's."""
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        healthy = ready = None
        while ready is None:
            if process.poll() is not None:
                raise RuntimeError(f"{command[:2]} exited with {process.returncode}")
            if time.perf_counter() - started > GIVE_UP_SECONDS:
                raise RuntimeError(f"{command[:2]} did not answer in {GIVE_UP_SECONDS:.0f} s")
            if healthy is None and _answers(f"{base}/healthz") == 200:
                healthy = time.perf_counter() - started
            if healthy is not None:
                readiness = _answers(f"{base}/readyz")
                if readiness == 404:  # no readiness route: healthy means ready
                    ready = healthy
                elif readiness == 200:
                    ready = time.perf_counter() - started
            time.sleep(POLL_SECONDS)
        return healthy, ready
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bare_app(scratch: Path) -> tuple[float, float]:
    module = scratch / "bare_app.py"
    module.write_text(BARE_APP.format(database=scratch / "bare.db"))
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port)]
    command += ["--app-dir", str(scratch), "--log-level", "warning"]
    return _time_start(command, dict(os.environ), port)


def grantflow_serve(data_dir: Path) -> tuple[float, float]:
    port = _free_port()
    return _time_start([str(GRANTFLOW), "serve", "--port", str(port)], _clean_env(data_dir), port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = {"bare": [], "fresh": [], "existing": []}
    with tempfile.TemporaryDirectory(prefix="grantflow-serve-bench-") as root:
        scratch = Path(root)
        existing = scratch / "existing"
        grantflow_serve(existing)  # made once; its runs below start on it as it was left
        for index in range(args.repeat):
            samples["bare"].append(bare_app(scratch))
            samples["fresh"].append(grantflow_serve(scratch / f"fresh-{index}"))
            samples["existing"].append(grantflow_serve(existing))
    floor = statistics.median(health for health, _ in samples["bare"])
    print(f"{'start to first answer':<34} {'/healthz':>10} {'x bare':>8} {'Prefect ready':>14}")
    for name, label in (
        ("bare", "bare FastAPI + SQLModel"),
        ("fresh", "grantflow serve, fresh data dir"),
        ("existing", "grantflow serve, existing data dir"),
    ):
        health = statistics.median(h for h, _ in samples[name])
        ready = statistics.median(r for _, r in samples[name])
        ready_text = "" if name == "bare" else f"{ready:12.2f} s"
        print(f"{label:<34} {health:8.2f} s {health / floor:7.2f}x {ready_text:>14}")
    print(f"(median of {args.repeat} runs each; the peer's cold start measured 2.84 s)")


if __name__ == "__main__":
    main()
