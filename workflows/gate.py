"""Whether in-process flow runs must take turns: only when Prefect's own database is SQLite.

Prefect's SQLite database locks ("database is locked") when several flow runs of one process
write to it at once, so ``workflows.actions.run_gate`` runs them one at a time (DESIGN.md,
"Execution model"). On a Prefect server backed by PostgreSQL the gate only costs throughput:
every action on every grant of the process would wait for the one running.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, PREFECT_API_URL

# The database ``grantflow serve`` starts the installation's Prefect server on (read here, not
# imported: ``service`` is above ``workflows``).
INSTALLATION_DATABASE = "GRANTFLOW_PREFECT_DATABASE_URL"


def needs_run_gate() -> bool:
    """True when this process's flow runs write to a Prefect database that is SQLite.

    Read from Prefect's current settings, the ones its client and server use:

    - no ``PREFECT_API_URL``: the runs go to Prefect's in-process server, whose database is
      ``PREFECT_API_DATABASE_CONNECTION_URL`` (by default SQLite under ``PREFECT_HOME``);
    - a ``PREFECT_API_URL`` on this machine (a loopback host): the installation's own server,
      which ``grantflow serve`` starts with this environment, on the database
      ``GRANTFLOW_PREFECT_DATABASE_URL`` names (``service.prefect_server``), else on the one
      the same Prefect setting names;
    - a ``PREFECT_API_URL`` on another host: a shared server whose database this process
      cannot see. DESIGN.md runs it on PostgreSQL, and a gate in one process could not
      protect a server that many processes use anyway: no gate.
    """
    api_url = PREFECT_API_URL.value()
    if _names_another_host(api_url):
        return False
    installations = os.environ.get(INSTALLATION_DATABASE, "").strip() if api_url else ""
    return _is_sqlite(installations or PREFECT_API_DATABASE_CONNECTION_URL.value())


def _names_another_host(api_url: str | None) -> bool:
    if not api_url:
        return False
    host = (urlsplit(api_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost: another machine


def _is_sqlite(database_url: str | None) -> bool:
    # Prefect fills in its default (SQLite) when the setting is unset; an empty value is that.
    scheme = (database_url or "sqlite").partition(":")[0]
    return scheme.partition("+")[0].lower() == "sqlite"
