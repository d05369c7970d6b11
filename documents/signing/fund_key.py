"""The Fund's signing key: a PKCS#12 file named by the configuration, or a development key.

``GRANTFLOW_FUND_PKCS12`` names the file; its passphrase is ``GRANTFLOW_FUND_PKCS12_PASSPHRASE``
or the contents of the file ``GRANTFLOW_FUND_PKCS12_PASSPHRASE_FILE`` (one trailing newline
dropped). Without a configured file, a development key and self-signed certificate are made on
first use under the data directory (``signing/fund-development.p12``, owner-only) and used from
then on; its certificate's subject says it is not for production, and so does every signature
made with it. A configured file that is missing, unreadable or whose passphrase is wrong is a
``FundKeyError``, never quietly replaced by the development key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from documents.signing.self_signed import self_signed_pkcs12
from models.db import data_dir

PKCS12_VARIABLE = "GRANTFLOW_FUND_PKCS12"
PASSPHRASE_VARIABLE = "GRANTFLOW_FUND_PKCS12_PASSPHRASE"
PASSPHRASE_FILE_VARIABLE = "GRANTFLOW_FUND_PKCS12_PASSPHRASE_FILE"
DEVELOPMENT_SUBJECT = "grantflow development key — not for production"
DEVELOPMENT_FILE = "fund-development.p12"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class FundKeyError(RuntimeError):
    """The configured Fund key cannot be used. The message names the setting, never the
    passphrase or the file's contents; it is safe to show."""


@dataclass(frozen=True)
class FundKey:
    """The Fund's private key and certificate (with any chain the PKCS#12 file holds)."""

    private_key: object
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    development: bool

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def _passphrase() -> bytes | None:
    direct = os.environ.get(PASSPHRASE_VARIABLE)
    if direct:
        return direct.encode("utf-8")
    named = os.environ.get(PASSPHRASE_FILE_VARIABLE, "").strip()
    if not named:
        return None
    try:
        text = Path(named).read_text(encoding="utf-8")
    except OSError as error:
        raise FundKeyError(
            f"{PASSPHRASE_FILE_VARIABLE} names a file that cannot be read ({type(error).__name__})"
        ) from None
    return text.removesuffix("\n").removesuffix("\r").encode("utf-8")


def load_pkcs12(data: bytes, passphrase: bytes | None, *, what: str) -> FundKey:
    """The key and certificate in PKCS#12 ``data``; ``FundKeyError`` naming ``what`` when the
    passphrase is wrong or the file holds no key and certificate."""
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, passphrase or None)
    except (ValueError, TypeError):
        raise FundKeyError(
            f"{what} cannot be opened: the passphrase is wrong or it is not a PKCS#12 file"
        ) from None
    if key is None or certificate is None:
        raise FundKeyError(f"{what} holds no private key with its certificate")
    return FundKey(key, certificate, tuple(extra or ()), _is_development(certificate))


def _is_development(certificate: x509.Certificate) -> bool:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return any(DEVELOPMENT_SUBJECT in str(name.value) for name in names)


def _configured(path: str) -> FundKey:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = "it does not exist" if isinstance(error, FileNotFoundError) else "unreadable"
        raise FundKeyError(
            f"the Fund's key file ({PKCS12_VARIABLE}) cannot be read: {reason}"
        ) from None
    return load_pkcs12(data, _passphrase(), what=f"the Fund's key file ({PKCS12_VARIABLE})")


def development_key_path() -> Path:
    return data_dir() / "signing" / DEVELOPMENT_FILE


def _new_development_pkcs12() -> bytes:
    now = dt.datetime.now(dt.UTC)
    return self_signed_pkcs12(
        DEVELOPMENT_SUBJECT,
        "grantflow (development installation)",
        valid_from=now - dt.timedelta(days=1),
        valid_until=now + dt.timedelta(days=3650),
        friendly_name=b"grantflow-development",
    )


def _development() -> FundKey:
    """The installation's development key, made now if there is none. Two processes racing
    make one: each writes its own temporary file and links it into place, which fails for the
    second (the first one's file is then read)."""
    target = development_key_path()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        try:
            os.fchmod(descriptor, PRIVATE_FILE)  # whatever the umask
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_new_development_pkcs12())
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)  # atomic: never replaces a key another made
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    key = load_pkcs12(target.read_bytes(), None, what="the development key")
    assert key.development
    return key


@lru_cache(maxsize=8)
def _cached(configured: str, passphrase_digest: str, development_path: str) -> FundKey:
    if configured:
        return _configured(configured)
    return _development()


def fund_key() -> FundKey:
    """The Fund's signing key as configured now (cached per setting)."""
    configured = os.environ.get(PKCS12_VARIABLE, "").strip()
    # The cache is keyed by a digest of the passphrase settings, never by the passphrase.
    settings = "\0".join(
        (os.environ.get(PASSPHRASE_VARIABLE, ""), os.environ.get(PASSPHRASE_FILE_VARIABLE, ""))
    )
    digest = hashlib.sha256(settings.encode("utf-8")).hexdigest()
    return _cached(configured, digest, str(development_key_path()))


def forget_fund_key() -> None:
    """Forget the cached key (tests point the installation somewhere else)."""
    _cached.cache_clear()
