"""A real ``grantflow serve`` in a subprocess, for the end-to-end tests that need one.

``Serving`` starts it on loopback ports for a data directory and waits for /healthz; unless
told ``cold``, a new data directory gets a copy of a Prefect database already migrated
(``migrated_prefect_database``), so the test does not wait for Prefect's migrations;
``processes_of`` lists a process and its descendants from /proc, so a test can tell that
stopping serve left none of them running.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from service.prefect_server import free_port

GRANTFLOW = Path(sys.executable).with_name("grantflow")


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any Prefect or grantflow setting, plus the data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
    env.pop("COLUMNS", None)
    env["GRANTFLOW_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def installation_config(data_dir: Path) -> dict[str, str]:
    return json.loads((data_dir / "installation.json").read_text())


def prefect_auth(data_dir: Path) -> httpx.BasicAuth:
    """The installation's Prefect credential, as an httpx auth."""
    user, _, password = installation_config(data_dir)["prefect_auth"].partition(":")
    return httpx.BasicAuth(user, password)


def server_record(data_dir: Path) -> dict:
    return json.loads((data_dir / "prefect" / "server.json").read_text())


def migrated_prefect_database() -> Path:
    """A Prefect SQLite database with every migration of the installed Prefect applied, made
    once per machine and Prefect version (``prefect server database upgrade``, under a lock
    the test workers share; about 10 s of CPU, which each fresh ``serve`` would spend again).
    """
    from prefect import __version__

    folder = Path(tempfile.gettempdir()) / f"grantflow-test-prefect-{__version__}-{os.getuid()}"
    database = folder / "prefect.db"
    folder.mkdir(mode=0o700, exist_ok=True)
    with (folder / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not database.exists():
            building = Path(tempfile.mkdtemp(dir=folder))
            upgrade = subprocess.run(
                [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
                env={**clean_env(building), "PREFECT_HOME": str(building)},
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
            (building / "prefect.db").replace(database)  # whole, or not there at all
            shutil.rmtree(building)
    return database


def seed_prefect_database(data_dir: Path) -> None:
    """Give a data directory with no Prefect database yet a migrated one (owner-only, as
    serve keeps its own)."""
    home = data_dir / "prefect"
    if (home / "prefect.db").exists():
        return
    template = migrated_prefect_database()
    for folder in (data_dir, home):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    copy = home / ".prefect.db.copy"
    shutil.copyfile(template, copy)
    copy.chmod(0o600)
    copy.replace(home / "prefect.db")


@dataclass
class Serving:
    data_dir: Path
    log_path: Path
    umask: int | None = None
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)  # added to serve's clean environment
    cold: bool = False  # True: serve makes and migrates its own Prefect database
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *options: str) -> Serving:
        command = [str(GRANTFLOW), "serve", "--port", str(self.port), *options]
        umask = self.umask
        if not self.cold and "GRANTFLOW_PREFECT_DATABASE_URL" not in self.env:
            seed_prefect_database(self.data_dir)

        def set_umask() -> None:  # runs in the child, before grantflow starts
            if umask is not None:
                os.umask(umask)

        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                env=clean_env(self.data_dir, **self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=set_umask,  # noqa: PLW1509 - the test process starts no threads here
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text()[-4000:]

    def wait_healthy(self, seconds: float = 240, ready: bool = True) -> dict:
        """/healthz's first 200 answer; with ``ready``, also wait for /readyz (serve answers
        /healthz before its Prefect server is up)."""
        health = self.wait_for("/healthz", seconds)
        if ready:
            self.wait_for("/readyz", seconds)
        return health

    def wait_for(self, path: str, seconds: float = 240, poll: float = 0.5) -> dict:
        """The first 200 answer's body at ``path``."""
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited early:\n{self.log()}"
            try:
                response = httpx.get(f"{self.base_url}{path}", timeout=2)
                if response.status_code == 200:
                    return response.json()
            except httpx.HTTPError:
                pass
            time.sleep(poll)
        raise AssertionError(f"serve did not answer {path} in {seconds:.0f} s:\n{self.log()}")

    @property
    def prefect_api(self) -> str:
        return server_record(self.data_dir)["api_url"]

    def stop(self, signum: int = signal.SIGINT, timeout: float = 90) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of ``pid`` from /proc, or None once it is gone (or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    return int(fields[1]), fields[19]


def processes_of(pid: int) -> dict[int, str]:
    """``pid`` and all its descendants now, each with its start time (to tell pid reuse)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
            starts[int(entry.name)] = stat[1]
    found, todo = {}, [pid]
    while todo:
        current = todo.pop()
        if current in starts:
            found[current] = starts[current]
        todo.extend(children.get(current, []))
    return found


def still_running(processes: dict[int, str], seconds: float = 15) -> dict[int, str]:
    """Those of ``processes`` still running after up to ``seconds`` (same pid, same start)."""
    deadline = time.monotonic() + seconds
    while True:
        left = {
            pid: start
            for pid, start in processes.items()
            if (stat := _stat(pid)) is not None and stat[1] == start
        }
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.3)


def modes_under(root: Path) -> tuple[dict[str, int], list[str]]:
    """Walk ``root``: counts of directories and files, and every entry not owner-only.

    Owner-only: directories exactly 0700; files without any group or other bit (0600, or
    0400 for the document store's immutable files).
    """
    counts = {"directories": 0, "files": 0}
    open_to_others = []
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            path = Path(directory, name)
            counts["directories"] += 1
            if path.stat().st_mode & 0o777 != 0o700:
                open_to_others.append(f"{path} {path.stat().st_mode & 0o777:o}")
        for name in files:
            path = Path(directory, name)
            counts["files"] += 1
            if path.lstat().st_mode & 0o077:
                open_to_others.append(f"{path} {path.lstat().st_mode & 0o777:o}")
    if root.stat().st_mode & 0o777 != 0o700:
        open_to_others.append(f"{root} {root.stat().st_mode & 0o777:o}")
    return counts, open_to_others
