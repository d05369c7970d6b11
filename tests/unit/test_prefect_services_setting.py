"""The Prefect servers grantflow starts run without the services it has no use for."""

from __future__ import annotations

import os

import pytest

from service.environment import PREFECT_SERVICES_UNUSED, configure


def test_the_event_feed_and_automations_are_off_unless_the_operator_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path
):
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "var" / "prefect"))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # look for no server
    persister, triggers = PREFECT_SERVICES_UNUSED
    monkeypatch.setenv(persister, "unset below")  # so that the test's end unsets it again
    monkeypatch.delenv(persister)
    monkeypatch.setenv(triggers, "true")  # an operator who wants automations keeps them

    configure()

    assert os.environ[persister] == "false"
    assert os.environ[triggers] == "true"
    assert set(PREFECT_SERVICES_UNUSED) == {
        "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED",
        "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED",
    }


def test_prefect_knows_both_settings_and_reads_false_as_off(monkeypatch: pytest.MonkeyPatch):
    """The names are Prefect's own: a misspelt one would be ignored without a word."""
    from prefect.settings import Settings

    for setting in PREFECT_SERVICES_UNUSED:
        monkeypatch.setenv(setting, "false")
    services = Settings().server.services
    assert services.event_persister.enabled is False
    assert services.triggers.enabled is False
