"""What a grant's audit dossier costs, as a ratio to rendering its report and reading its documents.

    .venv/bin/python benchmarks/dossier_cost.py [--data-dir DIR] [--grant ID] [--repeat 3]

Without ``--data-dir``, one fictional grant is taken through its whole lifecycle first
(``grantflow demo --grants 1`` in a throwaway data directory: about 100 audit events and 40
documents; minutes on a busy machine). Then, in one run, after one warm-up (fonts, caches):
  - the floor: the dossier's own report (the same ``Evidence`` the dossier builds, captured on
    the warm-up) rendered to PDF, plus every one of the grant's documents read through the
    installation's document store;
  - ``build_dossier`` end to end (the log already checkpointed: everything else it does,
    reading the log, verifying the whole trail and every document's bytes, the proofs, the
    ZIP).
Medians of ``--repeat`` runs, wall-clock and CPU time; the ratio of the dossier to its floor.
A report, never a test.

Measured 2026-11-30 on 2 shared cores under load (a 103-event grant, 40 documents, CPU time,
where wall-clock time mostly measured the other processes): the dossier x1.06 its floor (x1.00
before leaves were stored); WeasyPrint's layout and PDF write of the report are 95% of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
ROOT = Path(__file__).resolve().parent.parent


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` runs of ``action``."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(grant_id: int, scratch: Path, repeat: int) -> None:
    from sqlmodel import select

    import documents.audit.dossier as dossier
    from documents.audit.verification import installation_files
    from documents.registry import build_audit_document
    from documents.render import render_document
    from models.db import Database, default_database_url
    from models.tables import StoredDocument

    db = Database(default_database_url())
    captured = []
    build = dossier.build_audit_document

    def capturing(kind, evidence):  # type: ignore[no-untyped-def]
        captured.append(evidence)
        return build(kind, evidence)

    dossier.build_audit_document = capturing  # the warm-up's Evidence, for the floor
    try:
        summary = dossier.build_dossier(db, grant_id, scratch / "warm-up.zip")
    finally:
        dossier.build_audit_document = build
    evidence = captured[0]
    files = installation_files(db)
    with db.reading() as session:
        keys = list(
            session.exec(
                select(StoredDocument.storage_key).where(StoredDocument.grant_id == grant_id)
            )
        )

    def floor() -> None:
        render_document(build_audit_document("audit_dossier", evidence), "pdf")
        for key in keys:
            files.read(key)

    def whole() -> None:
        dossier.build_dossier(db, grant_id, scratch / "dossier.zip", make_checkpoint=False)

    report_wall, report_cpu = timed(
        lambda: render_document(build_audit_document("audit_dossier", evidence), "pdf"), repeat
    )
    floor_wall, floor_cpu = timed(floor, repeat)
    whole_wall, whole_cpu = timed(whole, repeat)
    print(
        f"grant {grant_id}: {summary.events} events, {summary.documents} documents, "
        f"log of {summary.tree_size} events; medians of {repeat} runs"
    )
    print(f"  {'':44} {'wall s':>8} {'cpu s':>8}  x floor (wall, cpu)")
    for name, wall, cpu in (
        ("render the report alone", report_wall, report_cpu),
        ("floor: render the report + read its documents", floor_wall, floor_cpu),
        ("build_dossier end to end", whole_wall, whole_cpu),
    ):
        print(
            f"  {name:<44} {wall:8.2f} {cpu:8.2f}  x{wall / floor_wall:.2f}, x{cpu / floor_cpu:.2f}"
        )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an installation holding the grant")
    parser.add_argument("--grant", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grantflow-dossier-bench-") as scratch:
        data_dir = arguments.data_dir
        if data_dir is None:
            data_dir = Path(scratch) / "var"
            subprocess.run(
                [str(ROOT / ".venv/bin/grantflow"), "demo", "--grants", "1", "--out", scratch],
                env={**os.environ, "GRANTFLOW_DATA_DIR": str(data_dir)},
                check=True,
                capture_output=True,
            )
        os.environ["GRANTFLOW_DATA_DIR"] = str(data_dir.resolve())
        measure(arguments.grant, Path(scratch), arguments.repeat)


if __name__ == "__main__":
    main()
