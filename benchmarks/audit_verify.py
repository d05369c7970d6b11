"""What verifying the audit log costs, against raw SHA-256 over the same bytes in the same run.

    .venv/bin/python benchmarks/audit_verify.py [--events 10000 100000] [--repeat 3]

For each size N: N synthetic AuditEvent rows go into a temporary SQLite database (bulk insert,
like a real installation's log, with two checkpoints: at N/2 and N), are read back in id order,
and then, on the same leaf bytes:
  - raw ``hashlib.sha256`` once per leaf (the floor: one hash per event, nothing else);
  - ``leaf_data`` alone (canonical JSON of every event);
  - ``merkle.root`` over the leaf hashes alone (about N more hashes);
  - ``models.audit.verify_log`` end to end (leaf data, leaf hashes, the root, both
    checkpoints' roots, the recorded leaves compared): what ``grantflow audit verify`` does
    after reading the rows;
  - inclusion proofs for 100 events: ``merkle.inclusion_proof`` each (O(N) per proof) against
    ``models.merkle.tree_levels`` once + ``audit_path`` each.
Figures are medians, as events per second and as ratios to the raw hash. A report, never a test.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select  # noqa: E402

from models.audit import Checkpoint, event_leaf, leaf_data, verify_log  # noqa: E402
from models.db import Database  # noqa: E402
from models.merkle import audit_path, inclusion_proof, leaf_hash, root, tree_levels  # noqa: E402
from models.tables import AuditEvent  # noqa: E402

ACTIONS = ("submit", "screen_in", "declare_conflict", "score", "recommend", "approve", "sign")


def synthetic_rows(count: int) -> list[dict]:
    start = datetime(2026, 4, 1, 13, 0, tzinfo=UTC)
    return [
        {
            "grant_id": None,
            "subject": "grant",
            "subject_id": 1 + number % 500,
            "actor_id": None,
            "actor_name": "Avery Northwood",
            "role": "officer",
            "action": ACTIONS[number % len(ACTIONS)],
            "outcome": "applied" if number % 50 else "denied",
            "from_state": "submitted",
            "to_state": "in_review",
            "rule": None if number % 50 else "wrong-state",
            "payload_summary": {"sequence": number % 4, "details": {"n": number}},
            "flow_run_id": f"00000000-0000-4000-8000-{number:012d}",
            "idempotency_key": f"key-{number}",
            "request_hash": hashlib.sha256(str(number).encode()).hexdigest(),
            "occurred_at": start + timedelta(seconds=17 * number),
        }
        for number in range(count)
    ]


def load_log(directory: Path, count: int) -> tuple[list[AuditEvent], float, float]:
    db = Database(f"sqlite:///{directory / 'bench.db'}")
    db.create_schema()
    started = time.perf_counter()
    with db.transaction() as session:
        session.execute(AuditEvent.__table__.insert(), synthetic_rows(count))  # type: ignore[attr-defined]
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    with db.reading() as session:
        events = list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))
    read = time.perf_counter() - started
    db.dispose()
    return events, inserted, read


def median_time(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as directory:
        events, inserted, read = load_log(Path(directory), count)
    datas = [leaf_data(e) for e in events]
    leaves = [leaf_hash(d) for d in datas]
    recorded = [leaf.hex() for leaf in leaves]
    checkpoints = [
        Checkpoint(size, root(leaves[:size]).hex(), "2026-04-02T00:00:00+00:00")
        for size in (count // 2, count)
    ]

    def raw() -> None:
        sha256 = hashlib.sha256
        for data in datas:
            sha256(data).digest()

    def verify() -> None:
        result = verify_log(events, recorded, checkpoints, [], lambda _d: None)
        assert result.intact, result.failure

    sample = range(0, count, max(1, count // 100))

    def proofs_each() -> None:
        for index in sample:
            inclusion_proof(leaves, index)

    def proofs_levels() -> None:
        levels = tree_levels(leaves)
        for index in sample:
            audit_path(levels, index)

    assert [audit_path(tree_levels(leaves), i) for i in sample[:3]] == [
        inclusion_proof(leaves, i) for i in sample[:3]
    ]
    timings = {
        "raw hashlib.sha256 per leaf (floor)": median_time(raw, repeat),
        "leaf_data (canonical JSON) alone": median_time(
            lambda: [leaf_data(e) for e in events], repeat
        ),
        "event_leaf (JSON + leaf hash)": median_time(
            lambda: [event_leaf(e) for e in events], repeat
        ),
        "merkle.root over leaf hashes alone": median_time(lambda: root(leaves), repeat),
        "models.audit.verify_log, 2 checkpoints": median_time(verify, repeat),
    }
    floor = timings["raw hashlib.sha256 per leaf (floor)"]
    print(f"\n{count:,} events (insert {inserted:.2f} s, read back via ORM {read:.2f} s)")
    for name, seconds in timings.items():
        print(
            f"  {name:<42} {seconds * 1000:9.1f} ms  {count / seconds:>13,.0f} events/s"
            f"  x{seconds / floor:7.1f}"
        )
    each = median_time(proofs_each, max(1, repeat // 2))
    levels = median_time(proofs_levels, repeat)
    print(
        f"  {len(sample)} inclusion proofs: merkle.inclusion_proof each {each * 1000:.1f} ms; "
        f"tree_levels once + audit_path each {levels * 1000:.1f} ms (x{each / levels:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; medians of {args.repeat} runs; x = ratio to raw")
    for count in args.events:
        measure(count, args.repeat)


if __name__ == "__main__":
    main()
