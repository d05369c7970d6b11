"""An installation spread over processes on loopback, as it would be over machines.

- Prefect's server on PostgreSQL, in a database of its own (made here, dropped afterwards);
- grantflow's database on PostgreSQL (a fresh schema), documents in it
  (``GRANTFLOW_DOCUMENT_STORE=database``);
- the API: ``grantflow serve`` in ``deployment`` mode, which starts the Prefect server;
- workers: ``grantflow worker`` processes, each with its own, empty data directory, sharing
  only the settings (database URL, Prefect API URL and credential, the Fund's signing key and
  the request fingerprint key).

Grants are driven over HTTP through their whole lifecycle, from submission to close-out, by
``tests.support.past_lifecycle.whole_lifecycle``: their projects lie in the past (that
module says why), so every step can happen at the server's real clock. Each person acts
through their own token, one step at a time per grant (the steps are read from the grant's
rows as the previous step left them), many grants at once. A grant may pause after a step
until told to go on (``DrivenGrant.pause_after``), so that a daily sweep, queued here as its
schedule would (``queue_sweep``), finds its reports overdue. Used by
``tests/e2e/test_scale_out.py`` and ``benchmarks/scale_out.py``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import create_engine
from sqlmodel import select

from models.db import Database
from models.fictional import Cast, seed
from models.fictional.cast import FUND
from models.provisioning import create_application
from models.request_key import KEY_BYTES
from models.tables import ActionRequest, AuditEvent, OwedDocument, SweepRun
from service.prefect_server import free_port
from service.users import rotate_token
from tests.support.past_lifecycle import (
    PAST_YEARS,
    SWEEP_ACTIONS,
    past_allocation_cents,
    past_application_for,
    whole_lifecycle,
)
from tests.support.postgres import BASE_URL, postgres_schema
from tests.support.signing_keys import fictional_pkcs12

REPO = Path(__file__).resolve().parents[2]
GRANTFLOW = Path(sys.executable).with_name("grantflow")
FUND_PASSPHRASE = b"fictional fund passphrase"
# Steps a recipient takes on a document it must have received first.
SIGNING_STEPS = frozenset({"sign", "sign_amendment"})
FAST_WORKERS = {
    "GRANTFLOW_WORKER_POLL_SECONDS": "0.3",
    "GRANTFLOW_WORKER_HEARTBEAT_SECONDS": "1",
    "GRANTFLOW_WORKER_LEASE_SECONDS": "4",
}


@contextmanager
def prefect_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database for Prefect's server, dropped afterwards."""
    name = f"prefect_{uuid.uuid4().hex[:10]}"
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        base = BASE_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@dataclass
class LoopbackInstallation:
    root: Path
    database_url: str
    prefect_database_url: str
    db: Database
    cast: Cast
    tokens: dict[int, str]
    auth: str = field(default_factory=lambda: f"grantflow:{uuid.uuid4().hex}")
    # The Fund's key, as production configures it on every machine (README, "Production"):
    # without it each worker would make a development key of its own in its data directory.
    fund_pkcs12: Path | None = None
    api_port: int = field(default_factory=free_port)
    serve: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    def shared_env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        """What every process of the installation is given: its own data directory, the
        shared database, store and Prefect credential."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GRANTFLOW_"))}
        env.update(
            {
                "GRANTFLOW_DATA_DIR": str(data_dir),
                "GRANTFLOW_DATABASE_URL": self.database_url,
                "GRANTFLOW_DOCUMENT_STORE": "database",
                "GRANTFLOW_EXECUTION": "deployment",
                "GRANTFLOW_PREFECT_AUTH": self.auth,
                **self.fund_key_settings(),
                # The request fingerprints' key, the same file for every machine (README).
                "GRANTFLOW_REQUEST_KEY_FILE": str(self.root / "request-hash.key"),
                **FAST_WORKERS,
                **extra,
            }
        )
        return env

    def fund_key_settings(self) -> dict[str, str]:
        if self.fund_pkcs12 is None:
            return {}
        return {
            "GRANTFLOW_FUND_PKCS12": str(self.fund_pkcs12),
            "GRANTFLOW_FUND_PKCS12_PASSPHRASE": FUND_PASSPHRASE.decode(),
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def prefect_api(self) -> str:
        import json

        record = self.root / "api" / "prefect" / "server.json"
        return json.loads(record.read_text())["api_url"]

    def start_api(self, timeout: float = 300) -> None:
        data_dir = self.root / "api"
        log = (self.root / "serve.log").open("w")
        self.serve = subprocess.Popen(
            [str(GRANTFLOW), "serve", "--port", str(self.api_port)],
            cwd=REPO,
            env=self.shared_env(data_dir, GRANTFLOW_PREFECT_DATABASE_URL=self.prefect_database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.serve.poll() is not None:
                raise AssertionError(f"serve exited:\n{self.log('serve.log')}")
            try:
                # Ready, not only healthy: the workers need its Prefect server's record.
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"serve did not answer:\n{self.log('serve.log')}")

    def start_worker(self, number: int, **extra: str) -> subprocess.Popen:
        data_dir = self.root / f"worker-{number}"
        log = (self.root / f"worker-{number}.log").open("a")
        worker = subprocess.Popen(
            [str(GRANTFLOW), "worker"],
            cwd=REPO,
            env=self.shared_env(data_dir, PREFECT_API_URL=self.prefect_api, **extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL takes all of it
        )
        self.workers.append(worker)
        return worker

    def log(self, name: str) -> str:
        path = self.root / name
        return path.read_text()[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        if self.serve is not None and self.serve.poll() is None:
            self.serve.send_signal(signal.SIGINT)
            try:
                self.serve.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.serve.kill()
                self.serve.wait()


@contextmanager
def loopback_installation(root: Path, grants: int = 0) -> Iterator[LoopbackInstallation]:
    """A seeded installation on PostgreSQL with Prefect on PostgreSQL (nothing started yet),
    its fund's yearly allocation the fictional fund's own or, when ``grants`` past-dated
    projects need more (the fictional fund's holds 44), what they need."""
    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema())
        prefect_url = stack.enter_context(prefect_database())
        db = Database(url)
        stack.callback(db.dispose)
        db.create_schema()
        # The past-dated projects' fiscal years, each with room for ``grants`` of them.
        yearly = max(past_allocation_cents(grants), FUND.annual_allocation_cents)
        cast = seed(db, past_years=PAST_YEARS, allocation_cents=yearly)
        people = [
            cast.screening_officer,
            cast.payments_officer,
            *cast.reviewers,
            cast.approver,
            cast.finance,
            *cast.applicants.values(),
        ]
        tokens = {person.id: rotate_token(db, person.id) for person in people}
        installation = LoopbackInstallation(root, url, prefect_url, db, cast, tokens)
        installation.fund_pkcs12 = root / "fund-signing.p12"
        installation.fund_pkcs12.write_bytes(
            fictional_pkcs12("Fictional Fund signing key (tests)", FUND_PASSPHRASE)
        )
        request_key = root / "request-hash.key"
        request_key.write_bytes(secrets.token_bytes(KEY_BYTES))
        request_key.chmod(0o600)
        try:
            yield installation
        finally:
            installation.stop()


@dataclass
class DrivenGrant:
    grant_id: int
    reference: str
    expected: Counter = field(default_factory=Counter)  # applied steps per action
    error: str | None = None
    seconds: float = 0.0
    # After this step is applied the driver sets ``paused`` and waits for ``go_on``.
    pause_after: str | None = None
    paused: threading.Event = field(default_factory=threading.Event)
    go_on: threading.Event = field(default_factory=threading.Event)
    finished: bool = False  # the driver stopped, done or failed


def new_grants(installation: LoopbackInstallation, count: int) -> list[DrivenGrant]:
    grants = []
    for index in range(count):
        organisation, application = past_application_for(index, installation.cast)
        grant = create_application(installation.db, organisation.id, application)
        grants.append(DrivenGrant(grant.id, grant.reference))  # type: ignore[arg-type]
    return grants


def _wait_applied(db: Database, key: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.reading() as session:
            request = session.exec(
                select(ActionRequest).where(ActionRequest.idempotency_key == key)
            ).first()
        if request is not None and request.status != "accepted":
            return request.status
        time.sleep(0.3)
    raise TimeoutError(f"request {key} was not carried out in {timeout:.0f} s")


def _wait_documents_issued(db: Database, grant_id: int, timeout: float) -> None:
    """Until the grant owes no document: a recipient signs the offer once they have it
    (so the executed agreement records its SHA-256), and in deployment mode its rendering
    finishes after the approval's answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.reading() as session:
            owed = session.exec(
                select(OwedDocument.id).where(
                    OwedDocument.grant_id == grant_id,
                    OwedDocument.stored_at.is_(None),  # type: ignore[union-attr]
                )
            ).first()
        if owed is None:
            return
        time.sleep(0.3)
    raise TimeoutError(f"grant {grant_id}'s documents were not issued in {timeout:.0f} s")


def drive(
    installation: LoopbackInstallation, driven: DrivenGrant, step_timeout: float = 600
) -> None:
    """Take ``driven`` through its whole lifecycle over HTTP, each step once it is its turn."""
    started = time.monotonic()
    clients: dict[int, httpx.Client] = {}
    try:
        for step in whole_lifecycle(installation.db, installation.cast, driven.grant_id):
            user_id = step.actor.user_id
            client = clients.get(user_id)
            if client is None:
                client = httpx.Client(
                    base_url=installation.base_url,
                    headers={"Authorization": f"Bearer {installation.tokens[user_id]}"},
                    timeout=120,
                )
                clients[user_id] = client
            if step.action in SIGNING_STEPS:
                _wait_documents_issued(installation.db, driven.grant_id, step_timeout)
            key = f"scale-{driven.grant_id}-{sum(driven.expected.values())}-{step.action}"
            answer = client.post(
                f"/api/v1/grants/{driven.grant_id}/actions/{step.action}",
                json=step.payload,
                headers={"Idempotency-Key": key},
            )
            if answer.status_code != 202:
                raise AssertionError(f"{step.action}: {answer.status_code} {answer.text}")
            status = _wait_applied(installation.db, key, step_timeout)
            if status != "applied":
                raise AssertionError(f"{step.action}: request {status}")
            driven.expected[step.action] += 1
            if step.action == driven.pause_after:
                driven.paused.set()
                if not driven.go_on.wait(timeout=step_timeout):
                    raise TimeoutError(f"not told to go on after {step.action}")
    except Exception as error:  # noqa: BLE001 - reported by the caller
        driven.error = f"{type(error).__name__}: {error}"
    finally:
        for client in clients.values():
            client.close()
        driven.seconds = time.monotonic() - started
        driven.finished = True


def drive_all(installation: LoopbackInstallation, grants: list[DrivenGrant]) -> float:
    """Drive every grant at once (a thread each); the seconds it took."""
    started = time.monotonic()
    threads = [threading.Thread(target=drive, args=(installation, g)) for g in grants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def _applied_events(db: Database, grant_id: int) -> list[AuditEvent]:
    with db.reading() as session:
        return list(
            session.exec(
                select(AuditEvent).where(
                    AuditEvent.grant_id == grant_id, AuditEvent.outcome == "applied"
                )
            )
        )


def applied_steps(db: Database, grant_id: int) -> Counter:
    """The grant's applied audit events per action (documents' own events left out)."""
    return Counter(e.action for e in _applied_events(db, grant_id) if e.action not in NOT_STEPS)


def sweep_steps(db: Database, grant_id: int) -> Counter:
    """The sweep's applied actions on the grant, per (action, subject's row id): each may
    happen once per report (its key is the report's and its due date's)."""
    return Counter(
        (e.action, e.subject_id) for e in _applied_events(db, grant_id) if e.action in SWEEP_ACTIONS
    )


# Events beside the steps: the draft's creation (set-up, not a step) and what a step's flow
# records after it.
NOT_STEPS = frozenset(
    {"create_application", "document_stored", "message_sent", "document_copy_requested"}
)


def queue_sweep(installation: LoopbackInstallation) -> UUID:
    """A run of the daily sweep's deployment due now, with no parameters, as Prefect's
    scheduler makes each day at the sweep's hour; a worker takes it."""
    from prefect.client.orchestration import PrefectClient

    from workflows.deployments import DEPLOYMENT
    from workflows.sweep import SWEEP_FLOW_NAME

    async def queued() -> UUID:
        async with PrefectClient(installation.prefect_api, auth_string=installation.auth) as client:
            deployment = await client.read_deployment_by_name(f"{SWEEP_FLOW_NAME}/{DEPLOYMENT}")
            return (await client.create_flow_run_from_deployment(deployment.id)).id

    return asyncio.run(queued())


def finished_sweeps(db: Database) -> list[SweepRun]:
    with db.reading() as session:
        return list(
            session.exec(select(SweepRun).where(SweepRun.finished_at.is_not(None)))  # type: ignore[union-attr]
        )


def sweep_when_paused(
    installation: LoopbackInstallation, paused: DrivenGrant, timeout: float = 900
) -> list[SweepRun]:
    """Once ``paused`` waits (its reports all due and overdue), queue a sweep and wait until
    one has finished; then let the grant go on. The finished sweeps (none if it did not
    finish in time)."""
    try:
        deadline = time.monotonic() + timeout
        while not paused.paused.wait(timeout=1):
            if paused.finished or time.monotonic() > deadline:
                return []  # it failed before its pause: the driver says why
        before = len(finished_sweeps(installation.db))
        queue_sweep(installation)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            finished = finished_sweeps(installation.db)
            if len(finished) > before:
                return finished
            time.sleep(1)
        return []
    finally:
        paused.go_on.set()


def applied_requests(db: Database) -> int:
    with db.reading() as session:
        return len(
            session.exec(select(ActionRequest.id).where(ActionRequest.status == "applied")).all()
        )


def describe(grants: list[DrivenGrant]) -> dict[str, Any]:
    return {
        "grants": len(grants),
        "steps": sum(sum(g.expected.values()) for g in grants),
        "failed": [g.reference for g in grants if g.error],
    }
