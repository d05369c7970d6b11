"""API tokens: shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "gf_"


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the hash to store; the token itself is never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
