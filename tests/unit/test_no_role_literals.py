"""Who may see or do what is declared (``models.visibility``, ``models.lifecycle``), not coded.

A role name written as a string literal in ``service/`` or ``models/`` outside the declarations
is a second source of truth; this test finds each one (Python tokens, so prose in docstrings
and comments does not count) and fails unless it is on the allow-list below.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_NAMES = ("applicant", "officer", "reviewer", "approver", "finance", "auditor", "admin")
SEARCHED = ("service", "models", "workflows")
DECLARATIONS = {
    "models/lifecycle.py",  # the roles and each action's roles
    "models/visibility.py",  # who sees what
    "models/fictional/cast.py",  # the fictional people and the roles they hold
}
# (file, role): how many literals of that role the file keeps, each entry with why.
ALLOWED: dict[tuple[str, str], int] = {}


def role_literals(text: str) -> list[tuple[int, str]]:
    """(line number, role) of every string token that is exactly a role name."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.STRING:
            continue
        body = token.string.lstrip("rRbBuU")
        if body[:1] in "\"'" and body.strip("\"'") in ROLE_NAMES and len(body) > 2:
            found.append((token.start[0], body.strip("\"'")))
    return found


def found_literals() -> dict[tuple[str, str], list[str]]:
    """(file, role) -> 'file:line: text' of each role literal outside the declarations."""
    found: dict[tuple[str, str], list[str]] = {}
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in DECLARATIONS or "/migrations/" in relative:
                continue
            text = path.read_text()
            lines = text.splitlines()
            for number, role in role_literals(text):
                where = f"{relative}:{number}: {lines[number - 1].strip()}"
                found.setdefault((relative, role), []).append(where)
    return found


def test_role_names_are_written_only_in_the_declarations():
    strays = [
        where
        for key, places in found_literals().items()
        if len(places) > ALLOWED.get(key, 0)
        for where in places
    ]
    assert not strays, "role names outside models/visibility.py and models/lifecycle.py:\n" + (
        "\n".join(strays)
    )


def test_the_finder_sees_a_role_literal_and_ignores_prose():
    assert role_literals('if "admin" in roles:\n    pass\n') == [(1, "admin")]
    assert role_literals('"""the admin and the applicant"""\n# "officer"\n') == []


def test_the_allow_list_only_shrinks():
    """An allowed literal that is gone is dropped from ALLOWED too, so no room is left over."""
    counts = {key: len(places) for key, places in found_literals().items()}
    assert {key: counts.get(key, 0) for key in ALLOWED} == ALLOWED
