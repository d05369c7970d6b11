"""Several ``grantflow`` commands in one process: ``python -m tests.support.cli_batch``.

The real command-line app (``service.cli.app``: its parsing, its checks, its output and exit
codes), each command invoked in turn through click's runner, without an interpreter start per
command (about 1.5 s each: a browser module's people took 21 of them). For set-ups that make
many people; the commands' own tests (``tests/e2e/test_cli_*``) run each as its own process.

Reads a JSON list of ``{"args": [...], "input": "..."}`` on standard input and writes a JSON
list of ``{"exit_code", "stdout", "stderr"}``, one per command run; it stops after the first
command that fails, so a set-up never goes on past a mistake.
"""

from __future__ import annotations

import json
import os
import sys

from typer.testing import CliRunner


def run_commands(commands: list[dict[str, object]]) -> list[dict[str, object]]:
    from service.cli import app

    runner = CliRunner()
    results: list[dict[str, object]] = []
    for command in commands:
        args = command["args"]
        assert isinstance(args, list), command
        result = runner.invoke(app, args, input=str(command.get("input", "")))
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += f"\n{type(result.exception).__name__}: {result.exception}"
        results.append({"exit_code": result.exit_code, "stdout": result.stdout, "stderr": stderr})
        if result.exit_code != 0:
            break
    return results


def main() -> None:
    os.umask(0o077)  # as ``grantflow`` itself does before anything is written
    json.dump(run_commands(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
