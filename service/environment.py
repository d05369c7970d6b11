"""Point this process at the installation before Prefect is imported.

One Prefect history per installation: in the embedded default Prefect's home (and its SQLite
database) lives under the data directory, so the runs ``demo`` made are the runs ``serve`` and
auditors see later. A process that finds the installation's server running (``grantflow
serve`` records it in ``<data>/prefect/server.json``) uses it instead of starting its own, but
only once the server has proven it is this installation's (see ``running_server_url``).

Everything the installation writes is owner-only: ``configure`` sets the process umask to 077
and tightens a data directory an older version (or another umask) left open.

The installation's configuration (``<data>/installation.json``, owner-only) holds a random
installation id and the credential its Prefect server requires (Prefect's basic auth:
``PREFECT_SERVER_API_AUTH_STRING`` on the server, ``PREFECT_API_AUTH_STRING`` on clients).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from models.db import data_dir

SERVER_RECORD = "server.json"
INSTALLATION_FILE = "installation.json"
# Prefect's own default is 20 s, which a busy two-core machine overruns while it migrates
# Prefect's database on first start. GRANTFLOW_PREFECT_STARTUP_SECONDS overrides both waits.
DEFAULT_STARTUP_SECONDS = 180
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or data_dir() / "prefect").resolve()


def server_record_path() -> Path:
    return prefect_home() / SERVER_RECORD


def startup_seconds() -> float:
    """How long to wait for a Prefect server to start (GRANTFLOW_PREFECT_STARTUP_SECONDS)."""
    configured = os.environ.get("GRANTFLOW_PREFECT_STARTUP_SECONDS")
    try:
        return float(configured) if configured else DEFAULT_STARTUP_SECONDS
    except ValueError:
        return DEFAULT_STARTUP_SECONDS


# -- owner-only files ---------------------------------------------------------------------------


def private_directory(path: Path) -> Path:
    """Make ``path`` (and missing parents) owner-only, whatever the umask was."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _strip_group_and_other(path)
    return path


def _strip_group_and_other(path: Path) -> None:
    try:
        info = path.lstat()
        if info.st_uid != os.getuid() or stat.S_ISLNK(info.st_mode):
            return  # not ours to change (or a link: chmod would follow it)
        wanted = PRIVATE_DIR if stat.S_ISDIR(info.st_mode) else stat.S_IMODE(info.st_mode) & 0o700
        if stat.S_IMODE(info.st_mode) != wanted:
            os.chmod(path, wanted)
    except OSError:
        pass  # a file that vanished or that we cannot touch is no reason to refuse to start


def tighten(directory: Path, depth: int = 2) -> None:
    """Strip group and other permissions from ``directory`` and what lies ``depth`` levels in.

    The directory itself at 0700 already keeps everything under it from other users; the walk
    is shallow so that a store of many documents does not slow every command's start.
    """
    _strip_group_and_other(directory)
    if depth <= 0 or not directory.is_dir() or directory.is_symlink():
        return
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            tighten(entry, depth - 1)
        else:
            _strip_group_and_other(entry)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with an owner-only file holding ``text``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


# -- the installation's configuration ----------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    installation_id: str
    prefect_auth: str


def installation() -> Installation:
    """This installation's id and Prefect credential, generated on first use."""
    path = data_dir() / INSTALLATION_FILE
    try:
        return _read_installation(path)
    except FileNotFoundError:
        pass
    private_directory(path.parent)
    fresh = {
        "installation_id": secrets.token_hex(16),
        "prefect_auth": f"grantflow:{secrets.token_urlsafe(32)}",
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(fresh, handle, indent=2)
    try:
        # link() fails if the file exists: two processes starting at once agree on one
        # credential (the loser reads the winner's) instead of overwriting each other's.
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return _read_installation(path)


def _read_installation(path: Path) -> Installation:
    values = json.loads(path.read_text(encoding="utf-8"))
    return Installation(str(values["installation_id"]), str(values["prefect_auth"]))


def prefect_auth() -> str:
    """The credential of the installation's Prefect server ("user:password")."""
    return (
        os.environ.get("GRANTFLOW_PREFECT_AUTH")
        or os.environ.get("PREFECT_API_AUTH_STRING")
        or installation().prefect_auth
    )


# -- the installation's Prefect server ---------------------------------------------------------


def read_server_record() -> dict[str, Any] | None:
    try:
        record = json.loads(server_record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def write_server_record(record: dict[str, Any]) -> None:
    write_private(server_record_path(), json.dumps(record, indent=2))


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process: not a server this installation started
    return True


def is_our_server(api_url: str, auth: str, home: Path, timeout: float = 5) -> bool:
    """Whether the Prefect server at ``api_url`` is this installation's.

    It must refuse a request without the credential (a server without auth accepts any
    credential, so accepting ours proves nothing), accept ours, and keep its home (so its
    database) in this installation's Prefect home.
    """
    try:
        with httpx.Client(timeout=timeout) as client:
            if client.get(f"{api_url}/health").status_code != 200:
                return False
            if client.get(f"{api_url}/admin/version").status_code != 401:
                return False
            settings = client.get(f"{api_url}/admin/settings", auth=_basic(auth))
            if settings.status_code != 200:
                return False
            served_home = settings.json().get("home")
    except (httpx.HTTPError, ValueError, AttributeError):
        return False
    return bool(served_home) and Path(served_home).resolve() == home.resolve()


def _basic(auth: str) -> httpx.BasicAuth:
    user, _, password = auth.partition(":")
    return httpx.BasicAuth(user, password)


def running_server_url() -> str | None:
    """The API URL of this installation's Prefect server, if it runs and proves it is ours.

    ``server.json`` names the server; it is believed only when it carries this installation's
    id, its process is alive, and the server answers as ``is_our_server`` requires. A record
    left by a crashed ``serve`` whose port another program (or another installation) now holds
    is therefore ignored rather than adopted.
    """
    record = read_server_record()
    if not record or "api_url" not in record:
        return None
    if record.get("installation_id") != installation().installation_id:
        return None
    if not _alive(record.get("pid")):
        return None
    api_url = str(record["api_url"])
    return api_url if is_our_server(api_url, prefect_auth(), prefect_home()) else None


# Prefect server services grantflow has no use for. The event persister stores every event
# (each task run's and flow run's state changes, with their resources) for Prefect's event feed:
# grantflow reads none (its audit trail is the record; the runs' states and task runs are kept
# by Prefect's other services), and in a measured run they were three quarters of Prefect's
# database and a tenth of its server's CPU. Triggers evaluate automations, of which grantflow
# sets none.
PREFECT_SERVICES_UNUSED = (
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED",
)


def configure(quiet_console: bool = False) -> str | None:
    """Set Prefect's environment for this installation; returns the server URL in use, if any.

    Must run before ``prefect`` is imported anywhere in the process.
    """
    os.umask(0o077)  # everything this process writes from here on is owner-only
    data = private_directory(data_dir())
    home = private_directory(prefect_home())
    tighten(data)
    if not home.is_relative_to(data):
        tighten(home)
    os.environ["GRANTFLOW_DATA_DIR"] = str(data)
    os.environ.setdefault("PREFECT_HOME", str(home))
    # The installation talks to no one outside: no usage telemetry from the embedded server.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Nor work it does not use: a Prefect server grantflow starts keeps no event feed and
    # evaluates no automations (``PREFECT_SERVICES_UNUSED``); an operator's setting wins.
    for setting in PREFECT_SERVICES_UNUSED:
        os.environ.setdefault(setting, "false")
    # Prefect's in-process ("ephemeral") server gets the same patience as serve's.
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(int(startup_seconds()))
    )
    # Clients send the credential; a server this process starts (Prefect's ephemeral one)
    # requires it, so no other local user can read or drive the installation's runs.
    auth = prefect_auth()
    os.environ["PREFECT_API_AUTH_STRING"] = auth
    os.environ["PREFECT_SERVER_API_AUTH_STRING"] = auth
    if quiet_console:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    url = running_server_url()
    if url:
        os.environ["PREFECT_API_URL"] = url
    return url
