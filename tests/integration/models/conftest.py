"""The models tier's shared fixture: each test module gets a seeded installation of its own."""

from __future__ import annotations

import pytest

from tests.support.models_support import World, seeded_world


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    """The fictional cast seeded into a fresh SQLite (or PostgreSQL) installation."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    return seeded_world(tmp_path_factory.mktemp(module.removeprefix("test_")))
