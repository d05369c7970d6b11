"""Commands write owner-only files whatever the umask, and print whole lines into a pipe.

Real ``grantflow`` processes (no Prefect server needed: neither command runs a flow) started
under ``umask 000`` in a fresh data directory.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.support.serving import GRANTFLOW, clean_env, installation_config, modes_under


def grantflow(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GRANTFLOW), *args],
        env=clean_env(data_dir),
        capture_output=True,  # stdout is a pipe, not a terminal
        text=True,
        timeout=180,
        preexec_fn=lambda: os.umask(0),  # noqa: PLW1509
    )


def test_commands_under_umask_000_leave_only_owner_only_files(tmp_path):
    data_dir = tmp_path / "var"
    created = grantflow(data_dir, "users", "create", "--role", "admin", "--name", "Ari Admin")
    assert created.returncode == 0, created.stderr
    checkpoint = grantflow(data_dir, "audit", "checkpoint")
    assert checkpoint.returncode == 0, checkpoint.stderr
    exported = grantflow(
        data_dir, "audit", "checkpoints", "export", "--out", str(data_dir / "checkpoints.jsonl")
    )
    assert exported.returncode == 0, exported.stderr

    counts, open_to_others = modes_under(data_dir)
    assert not open_to_others, open_to_others
    names = {p.name for p in data_dir.rglob("*")}
    assert {"grantflow.db", "installation.json", "checkpoints.jsonl"} <= names
    assert counts["files"] >= 3 and counts["directories"] >= 1, counts
    assert (data_dir / "installation.json").stat().st_mode & 0o777 == 0o600


def test_a_data_dir_left_open_is_tightened_on_start(tmp_path):
    data_dir = tmp_path / "var"
    assert grantflow(data_dir, "audit", "checkpoint").returncode == 0
    os.chmod(data_dir, 0o755)
    os.chmod(data_dir / "grantflow.db", 0o644)
    os.chmod(data_dir / "prefect", 0o755)
    assert grantflow(data_dir, "audit", "checkpoint").returncode == 0
    assert not modes_under(data_dir)[1]


def test_audit_checkpoint_into_a_pipe_is_one_whole_line(tmp_path):
    data_dir = tmp_path / "var"
    result = grantflow(data_dir, "audit", "checkpoint")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert re.fullmatch(r"checkpoint size=0 root=[0-9a-f]{64} at=\S+", lines[0]), lines[0]
    assert len(lines[0]) > 80  # the line rich used to cut at 80 columns


def test_the_installation_keeps_one_credential(tmp_path):
    data_dir = tmp_path / "var"
    assert grantflow(data_dir, "audit", "checkpoint").returncode == 0
    first = installation_config(data_dir)
    assert grantflow(data_dir, "audit", "checkpoint").returncode == 0
    assert installation_config(data_dir) == first
    user, _, password = first["prefect_auth"].partition(":")
    assert user and len(password) >= 40 and len(first["installation_id"]) == 32
