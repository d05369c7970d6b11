"""grantflow uses Prefect through its public API; the rest goes through one adapter.

Every import of Prefect in grantflow's packages names one of Prefect's public modules below,
except in ``workflows/prefect_adapter.py``, which holds the calls beyond them (and is run
against a real Prefect under deprecation warnings as errors:
tests/integration/workflows/test_prefect_adapter.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "documents", "workflows", "service")
ADAPTER = Path("workflows/prefect_adapter.py")

# Prefect's documented, public modules grantflow may import anywhere.
PUBLIC = {
    "prefect",
    "prefect.artifacts",
    "prefect.cache_policies",
    "prefect.client.orchestration",
    "prefect.client.schemas.actions",
    "prefect.client.schemas.filters",
    "prefect.client.schemas.objects",
    "prefect.client.schemas.schedules",
    "prefect.client.schemas.sorting",
    "prefect.deployments",
    "prefect.flows",
    "prefect.runtime",
    "prefect.settings",
    "prefect.states",
}


def prefect_imports(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return [name for name in modules if name == "prefect" or name.startswith("prefect.")]


def test_only_the_adapter_imports_prefect_beyond_its_public_modules() -> None:
    beyond = {
        f"{path.relative_to(REPO)}: {module}"
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if path.relative_to(REPO) != ADAPTER
        for module in prefect_imports(path)
        if module not in PUBLIC
    }
    assert beyond == set()


def test_the_adapter_is_where_the_engine_is_called() -> None:
    assert "prefect.flow_engine" in prefect_imports(REPO / ADAPTER)
