"""GRANTFLOW_PREFECT_DATABASE_URL: the database of the Prefect server ``serve`` starts."""

from __future__ import annotations

import pytest

from service.prefect_server import PrefectServerError, prefect_database_url


def test_unset_leaves_prefect_on_its_sqlite(monkeypatch):
    monkeypatch.delenv("GRANTFLOW_PREFECT_DATABASE_URL", raising=False)
    assert prefect_database_url() is None


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://prefect@db.example/prefect",
        "postgres://prefect@db.example/prefect",
        "postgresql+asyncpg://prefect@db.example/prefect",
    ],
)
def test_a_postgresql_url_goes_through_asyncpg(monkeypatch, given):
    monkeypatch.setenv("GRANTFLOW_PREFECT_DATABASE_URL", given)
    assert prefect_database_url() == "postgresql+asyncpg://prefect@db.example/prefect"


@pytest.mark.parametrize("given", ["sqlite:///prefect.db", "db.example/prefect"])
def test_anything_else_is_refused_with_the_setting_named(monkeypatch, given):
    monkeypatch.setenv("GRANTFLOW_PREFECT_DATABASE_URL", given)
    with pytest.raises(PrefectServerError, match="GRANTFLOW_PREFECT_DATABASE_URL"):
        prefect_database_url()


def test_a_bad_document_store_setting_is_refused(monkeypatch):
    from models.db import document_store_kind

    monkeypatch.setenv("GRANTFLOW_DOCUMENT_STORE", "s3")
    with pytest.raises(ValueError, match="GRANTFLOW_DOCUMENT_STORE"):
        document_store_kind()
    monkeypatch.setenv("GRANTFLOW_DOCUMENT_STORE", "Database")
    assert document_store_kind() == "database"
