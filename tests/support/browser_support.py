"""The browser tier's tools: Debian's chromium, a served installation, artifacts, axe-core.

- ``chromium_problem``/``require_chromium``: the tier needs ``/usr/bin/chromium`` (installed by
  scripts/test.sh from Debian; Playwright's own browser download is never used). Without it the
  tier is skipped with the reason, or fails under ``CI=true``.
- ``BrowserServer``: a real ``grantflow serve`` on a free loopback port with its own data
  directory (tests.support.serving), people made through the command line
  (``users create --email``, then ``users set-password`` reading the password on stdin; many at
  once in one process, ``create_users``), and a clean stop (SIGINT, exit 0, no Traceback in
  its log).
- ``screenshot``: full-page PNGs in ``test-artifacts/screenshots/<name>.png`` (gitignored).
- ``run_axe``/``assert_accessible``: axe-core on WCAG 2.1 A and AA rules; a serious or
  critical violation fails with its rule, impact, elements and help.
- ``ServerTimings``: each page load's server time (request sent to first byte, from the
  browser's own resource timing), written with per-page medians to
  ``test-artifacts/server-timings.json``.
- ``BrowserLog``: every request a browser context made, those its page's Content-Security-Policy
  blocked (they never left the browser), and console errors; ``off_loopback`` picks the URLs
  whose host is not 127.0.0.1.

All data the tier makes is fictional.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

from tests.support.serving import GRANTFLOW, Serving, clean_env

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_RESULTS = ARTIFACTS / "axe"
SERVER_TIMINGS = ARTIFACTS / "server-timings.json"

WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
LOOPBACK = "127.0.0.1"
# Schemes whose URLs name no host: a page's own inline data, workers, blank frames.
HOSTLESS_SCHEMES = frozenset({"data", "blob", "about"})

# How Chromium reports a request its page's Content-Security-Policy refused to send.
CSP_FAILURES = frozenset({"csp", "net::ERR_BLOCKED_BY_CSP"})

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


# -- the browser -------------------------------------------------------------------------------


def chromium_problem() -> str | None:
    """Why the browser tier cannot run here, or None when Debian's chromium is installed."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} not found: the browser tier drives Debian's chromium package "
            "(./run tests installs it as root with apt-get; else `apt-get install chromium`)"
        )
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not executable"
    return None


def require_chromium() -> None:
    """Skip the calling test with the reason chromium is missing; fail instead under CI=true."""
    problem = chromium_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: the browser tier must run)")
    pytest.skip(problem)


def off_loopback(urls: Iterable[str]) -> list[str]:
    """Those of ``urls`` whose host is not 127.0.0.1 (hostless data:, blob:, about: pass)."""
    left = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in HOSTLESS_SCHEMES:
            continue
        if parts.hostname != LOOPBACK:
            left.append(url)
    return left


@dataclass
class BrowserLog:
    """What one browser context did: requests (in order), CSP-blocked ones, console errors."""

    requests: list[str] = field(default_factory=list)
    blocked_by_policy: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserLog:
        """Record ``context``'s requests, and its pages' console errors, from now on."""
        context.on("request", self._requested)
        context.on("requestfailed", self._failed)
        context.on("console", self._console)
        return self

    def _requested(self, request: Request) -> None:
        self.requests.append(request.url)

    def _failed(self, request: Request) -> None:
        if request.failure in CSP_FAILURES:
            self.blocked_by_policy.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def sent(self) -> list[str]:
        """The requests that went out (those the page's CSP blocked never left the browser)."""
        blocked = list(self.blocked_by_policy)
        sent = []
        for url in self.requests:
            if url in blocked:
                blocked.remove(url)
            else:
                sent.append(url)
        return sent


# -- the served installation -------------------------------------------------------------------


def grantflow_command(
    data_dir: Path, *args: str, stdin: str = "", timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``grantflow ARGS`` as a real process on ``data_dir`` (clean environment), output kept."""
    return subprocess.run(
        [str(GRANTFLOW), *args],
        env=clean_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass(frozen=True)
class NewUser:
    """Someone ``grantflow users create`` makes (and ``users set-password``, with a password)."""

    role: str | Iterable[str]
    name: str
    email: str
    password: str | None = None
    org: str | int | None = None
    options: tuple[str, ...] = ()

    def create_args(self) -> list[str]:
        roles = [self.role] if isinstance(self.role, str) else list(self.role)
        args = ["users", "create", "--name", self.name, "--email", self.email]
        for each in roles:
            args += ["--role", each]
        if self.org is not None:
            args += ["--org", str(self.org)]
        return args + list(self.options)

    def password_args(self) -> list[str]:
        return ["users", "set-password", "--email", self.email]


def _token(stdout: str) -> str:
    """The API token ``users create`` printed (alone on standard output)."""
    token = stdout.strip()
    assert token and len(token.split()) == 1, stdout
    return token


def cli_batch(data_dir: Path, commands: list[dict[str, object]]) -> list[dict[str, object]]:
    """``commands`` run by ``tests.support.cli_batch`` in one process on ``data_dir`` (clean
    environment); one result per command run, up to the first that failed."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.cli_batch"],
        env=clean_env(data_dir),
        cwd=REPO_ROOT,
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


@dataclass
class BrowserServer:
    """A running ``grantflow serve`` for the browser tier, and the people it knows."""

    serving: Serving
    # where the log had been read up to by ``new_tracebacks``
    _log_checked: int = field(default=0, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.serving.data_dir

    @property
    def base_url(self) -> str:
        return self.serving.base_url

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def create_user(
        self,
        *,
        role: str | Iterable[str],
        name: str,
        email: str,
        password: str | None = None,
        org: str | int | None = None,
        options: Iterable[str] = (),
    ) -> str:
        """``grantflow users create --email``; with ``password``, ``users set-password`` too.

        ``role`` is one role or several; ``org`` an organisation id or name (applicants);
        ``options`` any other flags (``--elder``, ``--survivor-advisor``). Returns the API
        token ``users create`` prints.
        """
        person = NewUser(role, name, email, password, org, tuple(options))
        done = grantflow_command(self.data_dir, *person.create_args())
        assert done.returncode == 0, f"users create {email}: {done.stderr}"
        token = _token(done.stdout)
        if password is not None:
            self.set_password(email, password)
        return token

    def create_users(self, people: Iterable[NewUser]) -> list[str]:
        """``create_user`` for each of ``people``, the same commands run one after another in
        one process (``tests.support.cli_batch``); their API tokens, in order."""
        people = list(people)
        commands: list[dict[str, object]] = []
        for person in people:
            commands.append({"args": person.create_args()})
            if person.password is not None:
                commands.append({"args": person.password_args(), "input": person.password + "\n"})
        results = cli_batch(self.data_dir, commands)
        for command, result in zip(commands, results, strict=False):
            assert result["exit_code"] == 0, f"grantflow {command['args']}: {result}"
        assert len(results) == len(commands), results
        tokens = [
            _token(str(result["stdout"]))
            for command, result in zip(commands, results, strict=True)
            if command["args"][1] == "create"  # type: ignore[index]
        ]
        assert len(tokens) == len(people)
        return tokens

    def set_password(self, email: str, password: str) -> None:
        """``grantflow users set-password --email E``, the password on standard input."""
        done = grantflow_command(
            self.data_dir, "users", "set-password", "--email", email, stdin=password + "\n"
        )
        assert done.returncode == 0, f"users set-password {email}: {done.stderr}"

    def log(self) -> str:
        return self.serving.log_path.read_text()

    def new_tracebacks(self) -> str | None:
        """The log written since the last call, if it holds a Traceback; else None."""
        text = self.log()
        fresh, self._log_checked = text[self._log_checked :], len(text)
        return fresh[-6000:] if "Traceback" in fresh else None


def start_server(data_dir: Path, log_path: Path, seconds: float = 240) -> BrowserServer:
    """``grantflow serve`` on a free loopback port for ``data_dir``, once /healthz answers."""
    serving = Serving(data_dir, log_path).start()
    try:
        serving.wait_healthy(seconds)
    except BaseException:
        serving.stop()
        raise
    return BrowserServer(serving)


def stop_server(server: BrowserServer) -> None:
    """SIGINT, wait; fails unless serve exited 0 with no Traceback in its whole log."""
    returncode = server.serving.stop()
    log = server.log()
    assert returncode == 0, f"serve exited {returncode}:\n{log[-4000:]}"
    assert "Traceback" not in log, f"serve logged a Traceback:\n{log[-6000:]}"


# -- artifacts ---------------------------------------------------------------------------------


def artifact_name(name: str) -> str:
    """``name`` as a file name: anything but letters, digits, ``.``, ``_`` and ``-`` is ``-``."""
    cleaned = _SAFE_NAME.sub("-", name).strip("-.")
    assert cleaned, f"no usable file name in {name!r}"
    return cleaned


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG of ``page`` at ``test-artifacts/screenshots/<name>.png``; its path."""
    path = SCREENSHOTS / f"{artifact_name(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


# -- accessibility -----------------------------------------------------------------------------


def run_axe(page: Page, name: str | None = None) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on ``page`` as it is now, every impact.

    With ``name``, the violations are also written to ``test-artifacts/axe/<name>.json``.
    """
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_21_AA)},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    if name is not None:
        path = AXE_RESULTS / f"{artifact_name(name)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"url": page.url, "violations": violations}, indent=2))
    return violations


def describe_violations(violations: Iterable[dict[str, Any]]) -> str:
    """One readable block per violation: rule, impact, help, link, the elements' selectors."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')}"
            f" <{violation.get('helpUrl')}>"
        )
        for node in violation.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    {target}")
    return "\n".join(lines)


def blocking(violations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations of impact serious or critical."""
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Page, name: str) -> list[dict[str, Any]]:
    """Fail on any serious or critical WCAG 2.1 AA violation axe-core finds on ``page``.

    Returns every violation (minor and moderate ones too, for a report); all of them are
    written to ``test-artifacts/axe/<name>.json``.
    """
    violations = run_axe(page, name)
    found = blocking(violations)
    assert not found, (
        f"{name} ({page.url}): {len(found)} serious or critical accessibility "
        f"violation(s):\n{describe_violations(found)}"
    )
    return violations


# -- server timings ----------------------------------------------------------------------------


@dataclass
class ServerTimings:
    """Server time of page loads, by page name: from the request sent to the response's first
    byte, as the browser measured it (``Request.timing``), in milliseconds."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def record(self, name: str, response: Response | None) -> float:
        """Add ``response``'s server time under ``name``; returns it."""
        assert response is not None, f"{name}: no response (same-document navigation?)"
        response.finished()  # timing is complete once the body has arrived
        timing = response.request.timing
        server_ms = timing["responseStart"] - timing["requestStart"]
        assert server_ms >= 0, f"{name}: no timing for {response.url}: {timing}"
        self.samples.setdefault(name, []).append(round(server_ms, 2))
        return server_ms

    def goto(self, page: Page, url: str, name: str | None = None, **kwargs: Any) -> Response:
        """``page.goto(url)``, recorded under ``name`` (default: the URL's path); the response."""
        response = page.goto(url, **kwargs)
        self.record(name or urlsplit(url).path or "/", response)
        assert response is not None
        return response

    def medians(self) -> dict[str, float]:
        """Each page's median server time, in milliseconds."""
        return {name: statistics.median(values) for name, values in self.samples.items()}

    def write(self, path: Path = SERVER_TIMINGS) -> None:
        """Merge into ``path`` (JSON): each page recorded here replaces that page's entry.

        Several pytest-xdist workers may write at once; an exclusive lock keeps each merge
        whole.
        """
        if not self.samples:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with path.with_suffix(".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                pages = json.loads(path.read_text())["pages"] if path.exists() else {}
            except (ValueError, KeyError):
                pages = {}
            for name, values in self.samples.items():
                pages[name] = {
                    "median_ms": round(statistics.median(values), 2),
                    "samples_ms": values,
                    "recorded_at": now,
                }
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"unit": "ms", "pages": pages}, indent=2) + "\n")
            temporary.replace(path)
