"""A new RSA key and its self-signed signing certificate, as a PKCS#12 file: the development
Fund key (``documents.signing.fund_key``) and the tests' fictional organisations' keys."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

# Signing only (digital signature and non-repudiation), never a CA or an encryption key.
SIGNING_ONLY = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def self_signed_pkcs12(
    common_name: str,
    organisation: str,
    *,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    key_size: int = 3072,
    passphrase: bytes = b"",
    friendly_name: bytes = b"grantflow",
) -> bytes:
    """A PKCS#12 file holding a new RSA key and its self-signed certificate for ``common_name``
    of ``organisation``, valid between the two times, under ``passphrase`` (none when empty)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNING_ONLY, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(friendly_name, key, certificate, None, encryption)
