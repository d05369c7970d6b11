"""Passwords for signing in to the pages: argon2id hashes (argon2-cffi), never the password.

The policy follows NIST SP 800-63B: at least 12 characters, any characters at all (spaces and
every script included), no composition rules; at most 1,024 characters, so hashing stays
cheap for a refused guess. Verification is constant-time in argon2-cffi.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from models.errors import InvalidPayload

MIN_LENGTH = 12
MAX_LENGTH = 1024

# argon2-cffi's defaults are RFC 9106's second recommended option (argon2id, 64 MiB, t=3, p=4).
_HASHER = PasswordHasher()


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if not password.strip():
        return "a password is more than spaces"
    return None


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``; refuses one the policy does not allow."""
    problem = password_problem(password)
    if problem:
        raise InvalidPayload(problem, [{"field": "password", "message": problem}])
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (False without a hash)."""
    if not stored_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_new_hash(stored_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (rehash on sign-in)."""
    return _HASHER.check_needs_rehash(stored_hash)
