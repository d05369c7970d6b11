"""What verifying the audit log costs, against raw SHA-256 over the same bytes in the same run.

    .venv/bin/python benchmarks/audit_verify.py [--events 10000 100000] [--repeat 3]

For each size N: N synthetic AuditEvent rows, a third with non-ASCII names, go into a temporary
SQLite database through the ORM (so each is sealed with its id and stored leaf data as in an
installation; two checkpoints: at N/2 and N), are read back in id order as verification reads
them (``models.checkpoints.audit_rows``), and then, on the same stored leaf bytes:
  - raw ``hashlib.sha256`` once per leaf (the floor: one hash per event, nothing else), the
    fastest of a plain loop, a ``map`` chain and a loop copying one fresh context (cheaper
    than making a context, as verification's own hashing does), so the floor is the best raw
    hashing does;
  - canonical JSON of every event with ``json`` alone (what verification did per event
    before leaves were stored, here from plain rows: a lower bound of that old cost);
  - ``stored_leaf_mismatches`` alone (check 1: the stored bytes are what the columns say);
  - leaf hashes of the stored bytes + ``merkle.tree_levels`` (checks 2 and 3's hashing);
  - ``models.audit.verify_log`` end to end (the stored bytes checked against the columns,
    their leaf hashes, the tree once, both checkpoints' roots, the recorded leaves
    compared): what ``grantflow audit verify`` does after reading the rows;
  - inclusion proofs for 100 events: ``merkle.inclusion_proof`` each (O(N) per proof) against
    ``models.merkle.tree_levels`` once + ``audit_path`` each.
Figures are medians of the process's CPU time (``time.process_time``: on a shared, loaded machine
wall-clock time mostly measures the other processes; everything measured is single-threaded),
as events per second and as ratios to the raw hash. A report, never a test.

Measured 2026-12-03 on 2 shared cores under load (a test run alongside; 100,000 events, CPU
time, medians of 5): verify_log x7.0 the raw floor (0.14x its speed; x8.0 earlier in the same
session before leaves and nodes were hashed from copied contexts; before stored leaves x35);
check 1 x4.2, hashing (2+3) x1.9 (x2.9 before). Check 1 re-encodes every event's 17 columns
with orjson, alone about 4x one hash of the same bytes, and the tree adds n-1 node hashes to
the n leaf hashes: 0.5x the floor is out of reach while the columns are checked in Python.
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
from operator import methodcaller
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from models.audit import (  # noqa: E402
    Checkpoint,
    _exact_leaf_data,
    event_rows,
    leaf_data,
    stored_leaf_mismatches,
    verify_log,
)
from models.checkpoints import audit_rows  # noqa: E402
from models.db import Database  # noqa: E402
from models.merkle import (  # noqa: E402
    audit_path,
    inclusion_proof,
    leaf_hash,
    leaf_hashes,
    root,
    tree_levels,
)
from models.tables import AuditEvent  # noqa: E402

NAMES = ("Avery Northwood", "Mérimée Ōtautahi-Côté", "ᐊᓂᔑᓈᐯ Kīsik")

ACTIONS = ("submit", "screen_in", "declare_conflict", "score", "recommend", "approve", "sign")


def synthetic_rows(count: int) -> list[dict]:
    start = datetime(2026, 4, 1, 13, 0, tzinfo=UTC)
    return [
        {
            "grant_id": None,
            "subject": "grant",
            "subject_id": 1 + number % 500,
            "actor_id": None,
            "actor_name": NAMES[number % len(NAMES)],
            "role": "officer",
            "action": ACTIONS[number % len(ACTIONS)],
            "outcome": "applied" if number % 50 else "denied",
            "from_state": "submitted",
            "to_state": "in_review",
            "rule": None if number % 50 else "wrong-state",
            "payload_summary": {"sequence": number % 4, "details": {"n": number, "note": "é"}},
            "flow_run_id": f"00000000-0000-4000-8000-{number:012d}",
            "idempotency_key": f"key-{number}",
            "request_hash": hashlib.sha256(str(number).encode()).hexdigest(),
            "occurred_at": start + timedelta(seconds=17 * number),
        }
        for number in range(count)
    ]


def load_log(directory: Path, count: int) -> tuple[list, float, float]:
    db = Database(f"sqlite:///{directory / 'bench.db'}")
    db.create_schema()
    started = time.process_time()
    with db.transaction() as session:
        session.add_all(AuditEvent(**row) for row in synthetic_rows(count))
    inserted = time.process_time() - started
    started = time.process_time()
    events = audit_rows(db)
    read = time.process_time() - started
    db.dispose()
    return events, inserted, read


def median_time(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        samples.append(time.process_time() - started)
    return statistics.median(samples)


def measure(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="grantflow-bench-") as directory:
        events, inserted, read = load_log(Path(directory), count)
    datas = [e.leaf for e in events]
    assert datas == [leaf_data(e) for e in events], "stored leaf data differs from leaf_data"
    leaves = [leaf_hash(d) for d in datas]
    recorded = [leaf.hex() for leaf in leaves]
    checkpoints = [
        Checkpoint(size, root(leaves[:size]).hex(), "2026-04-02T00:00:00+00:00")
        for size in (count // 2, count)
    ]

    def raw_loop() -> None:
        sha256 = hashlib.sha256
        for data in datas:
            sha256(data).digest()

    def raw_map() -> None:
        list(map(methodcaller("digest"), map(hashlib.sha256, datas)))

    def raw_copy() -> None:
        fresh = hashlib.sha256().copy
        for data in datas:
            context = fresh()
            context.update(data)
            context.digest()

    def hashing() -> None:
        tree_levels(leaf_hashes(datas))

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
    rows = event_rows(events)
    assert stored_leaf_mismatches(rows) == []
    floors = {
        "loop": median_time(raw_loop, repeat),
        "map": median_time(raw_map, repeat),
        "copy": median_time(raw_copy, repeat),
    }
    timings = {
        "raw hashlib.sha256 per leaf (floor)": min(floors.values()),
        "json canonical per event (as before) alone": median_time(
            lambda: [_exact_leaf_data(row) for row in rows], repeat
        ),
        "1. stored bytes == columns (orjson) alone": median_time(
            lambda: stored_leaf_mismatches(rows), repeat
        ),
        "2+3. leaf hashes + tree_levels": median_time(hashing, repeat),
        "models.audit.verify_log, 2 checkpoints": median_time(verify, repeat),
    }
    floor = timings["raw hashlib.sha256 per leaf (floor)"]
    print(
        f"\n{count:,} events (insert {inserted:.2f} s, read back as rows {read:.2f} s; "
        f"raw floor: loop {floors['loop'] * 1000:.1f} ms, map {floors['map'] * 1000:.1f} ms, "
        f"copy {floors['copy'] * 1000:.1f} ms)"
    )
    for name, seconds in timings.items():
        print(
            f"  {name:<42} {seconds * 1000:9.1f} ms  {count / seconds:>13,.0f} events/s"
            f"  x{seconds / floor:7.2f}  ({floor / seconds:.2f}x raw's speed)"
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
