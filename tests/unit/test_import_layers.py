"""The house's imports point one way (DESIGN.md, "The house"), checked by import-linter.

The contracts live in ``[tool.importlinter]`` of pyproject.toml: the layers
``service -> workflows -> documents -> models``, and the third-party packages ``models`` and
``documents`` may not import. Static analysis of the source: nothing is imported or run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The venv's own executable, beside the interpreter running the tests: not whatever is on PATH.
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_every_import_contract_is_kept():
    # --no-cache: a cache could hide a fresh violation and would write into the repository.
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}\n{result.stderr}"
