"""The password policy and its argon2id hashes (service/passwords.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from models.errors import InvalidPayload
from service.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    needs_new_hash,
    password_matches,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("x" * (MIN_LENGTH - 1), "at least 12"),
        (" " * 30, "more than spaces"),
        ("x" * (MAX_LENGTH + 1), "at most 1024"),
        ("x" * MIN_LENGTH, None),
        ("ᓂᑲᓇᐢ ᐅᒋᒪᐤ and spaces too", None),
        ("x" * MAX_LENGTH, None),
    ],
)
def test_the_policy_is_length_only(password, problem):
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_a_hash_is_argon2id_salted_and_verifies_only_its_password():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert password_matches(first, "correct horse battery")
    assert not password_matches(first, "correct horse batterY")
    assert not password_matches(None, "correct horse battery")
    assert not password_matches("not a hash", "correct horse battery")
    assert not password_matches(first, "x" * (MAX_LENGTH + 1))
    assert not needs_new_hash(first)


def test_a_weak_password_is_refused_naming_the_field():
    with pytest.raises(InvalidPayload) as refused:
        hash_password("short")
    assert refused.value.errors == [{"field": "password", "message": refused.value.message}]


def test_a_hash_made_with_weaker_parameters_asks_to_be_renewed():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    assert password_matches(weak, "correct horse battery") and needs_new_hash(weak)
