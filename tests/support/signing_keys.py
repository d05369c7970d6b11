"""Fictional PKCS#12 files for the signing tests, made with ``cryptography``: a key and a
self-signed certificate, valid now (or expired), under a passphrase."""

from __future__ import annotations

import datetime as dt

from documents.signing.self_signed import self_signed_pkcs12


def fictional_pkcs12(
    common_name: str,
    passphrase: bytes,
    *,
    organisation: str = "Fictional Test Organisation",
    expired: bool = False,
) -> bytes:
    """A PKCS#12 file holding a new 2048-bit RSA key and its self-signed certificate."""
    now = dt.datetime.now(dt.UTC)
    valid_from, valid_until = (
        (now - dt.timedelta(days=400), now - dt.timedelta(days=30))
        if expired
        else (now - dt.timedelta(days=1), now + dt.timedelta(days=365))
    )
    return self_signed_pkcs12(
        common_name,
        organisation,
        valid_from=valid_from,
        valid_until=valid_until,
        key_size=2048,
        passphrase=passphrase,
        friendly_name=b"test",
    )
