"""A ZIP written member by member, its manifest of SHA-256 digests last, in place only whole.

``ExportArchive`` streams each member into a temporary file beside the target while hashing
it, so no member has to be held in memory, and renames the file over the target only when the
manifest is written: a failed export leaves nothing at the target (nor a half-written file
beside it). Member order is the order of writing, so the caller fixes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from documents.exports import export_verifier

MANIFEST = export_verifier.MANIFEST
FORMAT = export_verifier.FORMAT
VERIFIER_NAME = "verify.py"
VERIFIER_SOURCE = Path(export_verifier.__file__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_part(name: str, fallback: str) -> str:
    """A path part made of letters, digits and ``._-`` only (never empty, never ``..``)."""
    return _UNSAFE.sub("_", name).strip("._") or fallback


@dataclass(frozen=True)
class Member:
    path: str
    size: int
    sha256: str


class ExportArchive:
    """Use as a context manager; ``manifest`` is what ``close`` writes as ``manifest.json``."""

    def __init__(self, out: Path, moment: datetime, manifest: dict[str, Any]) -> None:
        self.out = out
        self.stamp = max(moment.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
        self.manifest = manifest
        self.members: list[Member] = []
        out.parent.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".zip")
        self._temporary = Path(name)
        self._handle = os.fdopen(descriptor, "wb")
        self._zip = zipfile.ZipFile(self._handle, "w", zipfile.ZIP_DEFLATED)

    def __enter__(self) -> ExportArchive:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self._finish()
        else:
            self._abandon()

    def add_bytes(self, path: str, data: bytes) -> Member:
        return self.add_chunks(path, [data])

    def add_chunks(self, path: str, chunks: Iterable[bytes]) -> Member:
        """Stream ``chunks`` in as member ``path``; its digest and size go in the manifest."""
        if path == MANIFEST or any(m.path == path for m in self.members):
            raise ValueError(f"the export already has a member {path}")
        info = zipfile.ZipInfo(path, date_time=self.stamp)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED
        mode = 0o755 if path == VERIFIER_NAME else 0o644
        info.external_attr = (0o100000 | mode) << 16
        info.create_system = 3
        sha, size = hashlib.sha256(), 0
        with self._zip.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                sha.update(chunk)
                size += len(chunk)
                member.write(chunk)
        added = Member(path, size, sha.hexdigest())
        self.members.append(added)
        return added

    def add_verifier(self) -> Member:
        return self.add_bytes(VERIFIER_NAME, VERIFIER_SOURCE.read_bytes())

    def _finish(self) -> None:
        try:
            listing = [{"path": m.path, "size": m.size, "sha256": m.sha256} for m in self.members]
            body = {"format": FORMAT, **self.manifest, "files": listing}
            data = (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            info = zipfile.ZipInfo(MANIFEST, date_time=self.stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100644) << 16
            info.create_system = 3
            self._zip.writestr(info, data)
            self._zip.close()
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.replace(self._temporary, self.out)
        except BaseException:
            self._abandon()
            raise

    def _abandon(self) -> None:
        with contextlib.suppress(Exception):  # the file is deleted either way
            self._zip.close()
        self._handle.close()
        self._temporary.unlink(missing_ok=True)
