#!/usr/bin/env python3
"""Check an unpacked grantflow organisation export against its manifest.

Shipped verbatim as ``verify.py`` in every organisation export. Standard library only: run it
inside the unpacked folder with any Python 3.9 or later,

    python3 verify.py

It reads ``manifest.json``, recomputes the SHA-256 and size of every file the manifest lists,
and reports each file that is missing, changed (different digest or size) or extra (in the
folder but not in the manifest). It exits 0 only when every file matches; 1 when any does
not; 2 when the manifest itself cannot be read.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
FORMAT = "grantflow-organisation-export/1"
CHUNK = 1 << 20


def digest_of(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def safe_relative(name: str) -> bool:
    """A manifest path names a file inside the folder: relative, no '..', forward slashes."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def files_in(root: Path) -> set[str]:
    found = set()
    for directory, _subdirectories, names in os.walk(root):
        for name in names:
            found.add((Path(directory) / name).relative_to(root).as_posix())
    return found


def problems_in(root: Path) -> list[str]:
    """Every difference between the folder and its manifest, one sentence each."""
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{MANIFEST} is not a {FORMAT} manifest")
    listed = {}
    for entry in manifest["files"]:
        name = entry["path"]
        if not safe_relative(name):
            raise ValueError(f"{MANIFEST} lists a path outside the folder: {name!r}")
        listed[name] = entry
    problems = []
    for name, entry in sorted(listed.items()):
        path = root / name
        if not path.is_file():
            problems.append(f"missing: {name}")
            continue
        size, digest = path.stat().st_size, digest_of(path)
        if digest != entry["sha256"] or size != entry["size"]:
            problems.append(
                f"changed: {name} (SHA-256 {digest}, {size} bytes; the manifest says "
                f"{entry['sha256']}, {entry['size']} bytes)"
            )
    for name in sorted(files_in(root) - set(listed) - {MANIFEST}):
        problems.append(f"extra: {name} (not in the manifest)")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    try:
        problems = problems_in(root)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot verify {root}: {MANIFEST} is missing or unreadable ({error})")
        return 2
    if problems:
        for problem in problems:
            print(problem)
        print(f"NOT VERIFIED: {len(problems)} file(s) differ from {MANIFEST}")
        return 1
    print(f"verified: every file matches {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
