"""``grantflow users create --email`` and ``grantflow users set-password``, as real processes.

The password goes in on standard input, is never printed, and is stored only as its argon2id
hash; a refused password or address changes nothing. Fictional people only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlmodel import create_engine, text

from service.passwords import password_matches
from tests.support.serving import GRANTFLOW, clean_env

PASSWORD = "a long fictional passphrase ᐊᒥᐦᑯ"


def grantflow(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GRANTFLOW), *args],
        env=clean_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )


def rows(data_dir: Path, query: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{data_dir / 'grantflow.db'}")
    with engine.connect() as connection:
        found = connection.execute(text(query)).all()
    engine.dispose()
    return [tuple(row) for row in found]


def users(data_dir: Path) -> list[tuple]:
    return rows(data_dir, "SELECT id, email, password_hash FROM user ORDER BY id")


def audit_actions(data_dir: Path) -> list[tuple]:
    return rows(data_dir, "SELECT action, payload_summary FROM auditevent ORDER BY id")


def create_finance_user(data_dir: Path, email: str) -> subprocess.CompletedProcess[str]:
    return grantflow(
        data_dir, "users", "create", "--role", "finance", "--name", "Cy Fictional", "--email", email
    )


def test_a_user_gets_an_email_and_a_password_that_only_its_hash_remembers(tmp_path):
    data = tmp_path / "var"
    created = grantflow(
        data,
        "users",
        "create",
        "--role",
        "officer",
        "--name",
        "Ari Fictional",
        "--email",
        "  Ari.Fictional@Fund.Example ",
    )
    assert created.returncode == 0, created.stderr
    [(user_id, email, password_hash)] = users(data)
    assert (email, password_hash) == ("ari.fictional@fund.example", None)

    done = grantflow(
        data,
        "users",
        "set-password",
        "--email",
        "ARI.fictional@fund.example",
        stdin=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert f"password set for user {user_id}" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    [(_, _, stored)] = users(data)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert password_matches(stored, PASSWORD)
    assert not password_matches(stored, PASSWORD + " ")
    assert PASSWORD not in (data / "grantflow.db").read_bytes().decode("utf-8", "replace")
    actions = audit_actions(data)
    assert [a for a, _ in actions] == ["create_user", "set_password"]
    assert PASSWORD not in str(actions)


def test_a_refused_password_or_address_changes_nothing(tmp_path):
    data = tmp_path / "var"
    grantflow(
        data,
        "users",
        "create",
        "--role",
        "approver",
        "--name",
        "Bo Fictional",
        "--email",
        "bo@fund.example",
    )
    before = users(data), audit_actions(data)

    short = grantflow(
        data, "users", "set-password", "--email", "bo@fund.example", stdin="too short\n"
    )
    assert short.returncode == 2
    assert "at least 12 characters" in short.stderr and "too short" not in short.stderr
    spaces = grantflow(
        data, "users", "set-password", "--email", "bo@fund.example", stdin=" " * 20 + "\n"
    )
    assert spaces.returncode == 2 and "more than spaces" in spaces.stderr
    nobody = grantflow(
        data, "users", "set-password", "--email", "nobody@fund.example", stdin=PASSWORD + "\n"
    )
    assert nobody.returncode == 2 and "no user signs in with nobody@fund.example" in nobody.stderr
    taken = create_finance_user(data, "BO@fund.example")
    assert taken.returncode == 2 and "already signs in with this email" in taken.stderr
    malformed = create_finance_user(data, "not an address")
    assert malformed.returncode == 2 and "email" in malformed.stderr
    assert (users(data), audit_actions(data)) == before
