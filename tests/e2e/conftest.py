"""Fixtures of the end-to-end tier: installations in deployment execution mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from models.db import Database
from tests.support.deployment_mode import installation_on
from tests.support.models_support import World, new_database
from tests.support.postgres import postgres_schema


@pytest.fixture
def deployment_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness
) -> Iterator[World]:
    with installation_on(new_database(tmp_path), tmp_path, monkeypatch) as built:
        yield built


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment_worlds(
    request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness
) -> Iterator[World]:
    if request.param == "sqlite":
        with installation_on(new_database(tmp_path), tmp_path, monkeypatch) as built:
            yield built
        return
    with postgres_schema() as url:
        database = Database(url)
        database.create_schema()
        with installation_on(database, tmp_path, monkeypatch) as built:
            yield built
