"""How a notification leaves the installation: the mail transports the delivery loop calls.

Two transports, one protocol (``MailTransport``: a ``description`` and ``send(message)``):

- ``OutboxTransport`` (the embedded default): each message becomes one RFC 5322 file in
  ``<data>/outbox``, for an operator (or a test) to read. The file holds
  ``message.as_bytes(policy=email.policy.SMTP)``: the form sent on the wire (CRLF line ends,
  non-ASCII headers RFC 2047-encoded), so any mail client opens it and
  ``email.parser.BytesParser(policy=email.policy.default)`` reads it back. Its name comes from
  the Message-ID alone (not the date: a retry may rebuild the message with a fresh Date), so
  sending the same message twice leaves one file.
- ``SmtpTransport`` (``GRANTFLOW_SMTP_URL``): one SMTP connection per message.

``send`` either returns (the message is delivered, or written) or raises
``TransientMailError`` (nothing was delivered; try again later) or ``PermanentMailError``
(it will never succeed as it is). A bad configuration raises ``MailSettingsError`` when the
transport is made. No message, description or ``repr`` here carries the SMTP password, and
server replies quoted in errors have their email addresses replaced by ``<address>``.

Standard library only: smtplib, ssl and email.
"""

from __future__ import annotations

import contextlib
import email.policy
import hashlib
import ipaddress
import logging
import os
import re
import smtplib
import ssl
import stat
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, unquote, urlsplit

log = logging.getLogger(__name__)

SMTP_URL_VARIABLE = "GRANTFLOW_SMTP_URL"
MAIL_FROM_VARIABLE = "GRANTFLOW_MAIL_FROM"
DEFAULT_SENDER = "grantflow <grantflow@localhost>"
OUTBOX_DIRECTORY = "outbox"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
STARTTLS_CHOICES = ("auto", "no", "required")
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class MailSettingsError(ValueError):
    """The mail settings (``GRANTFLOW_SMTP_URL``, ``GRANTFLOW_MAIL_FROM``) are wrong; the
    message says what is wrong and never holds the password."""


class MailDeliveryError(RuntimeError):
    """A send that failed; ``smtp_code`` is the server's reply code when it gave one."""

    def __init__(self, message: str, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.smtp_code = smtp_code


class TransientMailError(MailDeliveryError):
    """Try again later: nothing was delivered (connection refused or reset, timeout, a 4xx
    reply, the server gone before it accepted the message)."""


class PermanentMailError(MailDeliveryError):
    """It will never succeed as it is (a 5xx reply: recipient refused, login refused, message
    refused; or TLS required and not offered)."""


@runtime_checkable
class MailTransport(Protocol):
    description: str

    def send(self, message: EmailMessage) -> None: ...


# -- the outbox ---------------------------------------------------------------------------------


class OutboxTransport:
    """Writes each message as one owner-only ``.eml`` file in ``directory`` (made 0700)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.description = f"outbox {self.directory}"

    def __repr__(self) -> str:
        return f"OutboxTransport({str(self.directory)!r})"

    def path_for(self, message: EmailMessage) -> Path:
        """Where ``message`` is (or will be) written: derived from its Message-ID only."""
        return self.directory / outbox_file_name(message)

    def send(self, message: EmailMessage) -> None:
        target = self.path_for(message)  # ValueError without a Message-ID
        data = message.as_bytes(policy=email.policy.SMTP)
        try:
            _private_directory(self.directory)
            if target.exists():
                return  # already written: a repeat of the same message is not a new one
            _write_atomically(target, data)
        except OSError as error:
            raise TransientMailError(
                f"{self.description}: could not write the message ({error.strerror or error})"
            ) from error


def outbox_file_name(message: EmailMessage) -> str:
    """``<safe Message-ID>-<12 hex of its SHA-256>.eml``: filesystem-safe, and two ids that
    differ only in replaced characters still get two names."""
    message_id = message.get("Message-ID")
    if message_id is None or not str(message_id).strip():
        raise ValueError("the message has no Message-ID header: the outbox names files by it")
    message_id = str(message_id).strip()
    safe = re.sub(r"[^A-Za-z0-9._@+=-]", "_", message_id.strip("<>"))[:100].lstrip(".")
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:12]
    return f"{safe or 'message'}-{digest}.eml"


def _private_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    info = directory.stat()
    if stat.S_IMODE(info.st_mode) != PRIVATE_DIR and info.st_uid == os.getuid():
        os.chmod(directory, PRIVATE_DIR)


def _write_atomically(target: Path, data: bytes) -> None:
    """A temporary file in the same directory, flushed to disk, then renamed over ``target``:
    a reader sees the whole message or none of it."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)  # whatever the umask
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


# -- SMTP ---------------------------------------------------------------------------------------


class SmtpTransport:
    """Sends each message over its own SMTP connection.

    ``smtp://[user[:password]@]host[:port]`` (port 25): STARTTLS when the server offers it;
    ``?starttls=no`` never, ``?starttls=required`` refuses to send without it.
    ``smtps://[user[:password]@]host[:port]`` (port 465): TLS from the first byte.
    User and password are percent-decoded. The password is sent only over TLS, or to a
    loopback host: with credentials and a host elsewhere, ``smtp://`` requires STARTTLS (and
    ``?starttls=no`` is refused). Certificates are verified (``tls_context`` defaults to
    ``ssl.create_default_context()``, which honours ``SSL_CERT_FILE``).
    """

    def __init__(
        self, url: str, *, timeout: float = 30.0, tls_context: ssl.SSLContext | None = None
    ) -> None:
        settings = _parse_smtp_url(url)
        self._scheme: str = settings["scheme"]
        self.host: str = settings["host"]
        self.port: int = settings["port"]
        self.user: str | None = settings["user"]
        self._password = _Secret(settings["password"] or "")
        self._starttls: str = settings["starttls"]
        self._loopback = _is_loopback(self.host)
        self.timeout = timeout
        self._tls_context = tls_context
        if self.user is not None and self._scheme == "smtp" and not self._loopback:
            if self._starttls == "no":
                raise MailSettingsError(
                    f"{SMTP_URL_VARIABLE}: a user and password are sent only over TLS (or to a "
                    f"loopback host), and starttls=no sends them in clear to {self.host}: use "
                    "smtps://, or leave STARTTLS on"
                )
            self._starttls = "required"
        host = f"[{self.host}]" if ":" in self.host else self.host
        details = [f"user {self.user}"] if self.user is not None else []
        if self._scheme == "smtp" and self._starttls != "auto":
            details.append(f"starttls {self._starttls}")
        suffix = f" ({', '.join(details)})" if details else ""
        self.description = f"{self._scheme}://{host}:{self.port}{suffix}"

    def __repr__(self) -> str:
        return f"SmtpTransport({self.description!r})"

    def send(self, message: EmailMessage) -> None:
        if not (message.get("From") or message.get("Sender")):
            raise PermanentMailError(f"{self.description}: the message has no From header")
        if not any(message.get_all(name) for name in ("To", "Cc", "Bcc")):
            raise PermanentMailError(f"{self.description}: the message has no recipient")
        client: smtplib.SMTP | None = None
        try:
            client = self._connect()
            self._secure_and_log_in(client)
            refused = client.send_message(message)
        except MailDeliveryError:
            raise
        except smtplib.SMTPRecipientsRefused as error:
            raise _recipients_refused(self.description, error.recipients) from None
        except smtplib.SMTPConnectError as error:
            raise TransientMailError(
                f"{self.description}: the server would not talk "
                f"({error.smtp_code} {_reply_text(error.smtp_error)})",
                error.smtp_code,
            ) from None
        except smtplib.SMTPResponseException as error:
            raise _by_reply_code(self.description, error) from None
        except smtplib.SMTPServerDisconnected as error:
            raise TransientMailError(
                f"{self.description}: the server closed the connection before it accepted the "
                f"message ({error})"
            ) from None
        except smtplib.SMTPException as error:  # no suitable AUTH mechanism, SMTPUTF8 missing...
            raise PermanentMailError(f"{self.description}: {error}") from None
        except OSError as error:  # refused, reset, unreachable, timed out, TLS handshake
            reason = "timed out" if isinstance(error, TimeoutError) else str(error) or repr(error)
            raise TransientMailError(f"{self.description}: {reason}") from None
        finally:
            if client is not None:
                _quit_quietly(client)
        if refused:  # some recipients took it: retrying would send it to them again
            codes = sorted({code for code, _ in refused.values()})
            log.warning(
                "%s: %d recipient(s) refused the message (codes %s), the others accepted it",
                self.description,
                len(refused),
                codes,
            )

    def _connect(self) -> smtplib.SMTP:
        if self._scheme == "smtps":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _secure_and_log_in(self, client: smtplib.SMTP) -> None:
        client.ehlo()
        if self._scheme == "smtp" and self._starttls != "no":
            if client.has_extn("starttls"):
                client.starttls(context=self._context())
                client.ehlo()
            elif self._starttls == "required":
                why = " (the password is sent only over TLS)" if self.user is not None else ""
                raise PermanentMailError(
                    f"{self.description}: the server does not offer STARTTLS{why}"
                )
        if self.user is not None:
            client.login(self.user, self._password.reveal())

    def _context(self) -> ssl.SSLContext:
        if self._tls_context is None:
            self._tls_context = ssl.create_default_context()
        return self._tls_context


class _Secret:
    """A password that shows as ``'***'`` in a repr, ``vars()`` or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


def _recipients_refused(
    description: str, recipients: dict[str, tuple[int, bytes]]
) -> MailDeliveryError:
    codes = sorted({code for code, _ in recipients.values()})
    if not codes:
        return PermanentMailError(f"{description}: the message has no recipient")
    kind = PermanentMailError if all(500 <= code < 600 for code in codes) else TransientMailError
    first = next(iter(recipients.values()))
    return kind(
        f"{description}: every recipient was refused (codes {', '.join(map(str, codes))}; "
        f"{_reply_text(first[1])})",
        codes[-1] if kind is PermanentMailError else min(codes),
    )


def _by_reply_code(description: str, error: smtplib.SMTPResponseException) -> MailDeliveryError:
    code = error.smtp_code
    what = {
        smtplib.SMTPAuthenticationError: "refused the login",
        smtplib.SMTPSenderRefused: "refused the sender",
        smtplib.SMTPDataError: "refused the message",
        smtplib.SMTPHeloError: "refused the greeting",
    }.get(type(error), "answered")
    text = f"{description}: the server {what} ({code} {_reply_text(error.smtp_error)})"
    if 500 <= code < 600:
        return PermanentMailError(text, code)
    return TransientMailError(text, code)  # 4xx, and anything odd: worth another try


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    text = re.sub(r"[^\s<>()\[\]]+@[^\s<>()\[\]]+", "<address>", " ".join(text.split()))
    return text[:200]


def _quit_quietly(client: smtplib.SMTP) -> None:
    """End the session; whatever goes wrong now cannot undo a message already accepted."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        with contextlib.suppress(OSError):
            client.close()


# -- settings -----------------------------------------------------------------------------------


def _parse_smtp_url(url: str) -> dict:
    name = SMTP_URL_VARIABLE
    url = url.strip()
    if any(character in url for character in "\r\n\t "):
        raise MailSettingsError(f"{name}: the URL holds whitespace (percent-encode it)")
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        raise MailSettingsError(f"{name}: expected smtp://host[:port] or smtps://host[:port]")
    if scheme not in DEFAULT_PORTS:
        shown = scheme if re.fullmatch(r"[a-z][a-z0-9+.-]{0,19}", scheme) else "?"
        raise MailSettingsError(f"{name}: unknown scheme {shown!r} (expected smtp:// or smtps://)")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in rest[len(authority) :]:
        # A password with an unencoded '/', '?' or '#' splits the URL there; echo nothing.
        raise MailSettingsError(
            f"{name}: an '@' after the host: percent-encode the user and password "
            "('/' %2F, '?' %3F, '#' %23, '@' %40)"
        )
    try:
        parts = urlsplit(url)
        raw_port = parts.port
    except ValueError:
        port_text = authority.rpartition("@")[2].rpartition("]")[2].rpartition(":")[2]
        shown = f" {port_text}" if port_text.isdigit() else ""
        raise MailSettingsError(
            f"{name}: bad port{shown}: expected a number from 1 to 65535"
        ) from None
    host = parts.hostname or ""
    if not host:
        raise MailSettingsError(f"{name}: no host (expected {scheme}://host[:port])")
    if raw_port is not None and not 1 <= raw_port <= 65535:
        raise MailSettingsError(f"{name}: bad port {raw_port}: expected 1 to 65535")
    if parts.path not in ("", "/") or parts.fragment:
        raise MailSettingsError(f"{name}: a path or fragment after the host is not expected")
    starttls = "auto"
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise MailSettingsError(f"{name}: the query is not key=value pairs") from None
    for key, value in query:
        if key != "starttls":
            shown = key if re.fullmatch(r"[A-Za-z0-9_-]{1,30}", key) else "?"
            raise MailSettingsError(
                f"{name}: unknown setting {shown!r} (the only one is starttls=no|required)"
            )
        if scheme == "smtps":
            raise MailSettingsError(
                f"{name}: starttls applies to smtp:// only (smtps:// is TLS from the start)"
            )
        if value not in STARTTLS_CHOICES:
            raise MailSettingsError(
                f"{name}: starttls must be one of {', '.join(STARTTLS_CHOICES)}"
            )
        starttls = value
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if user == "":
        if password:
            raise MailSettingsError(f"{name}: a password without a user")
        user, password = None, None
    return {
        "scheme": scheme,
        "host": host,
        "port": raw_port or DEFAULT_PORTS[scheme],
        "user": user,
        "password": password,
        "starttls": starttls,
    }


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_from_environment(data_dir: Path) -> MailTransport:
    """SMTP when ``GRANTFLOW_SMTP_URL`` is set (and valid), else the outbox in ``data_dir``."""
    url = os.environ.get(SMTP_URL_VARIABLE, "").strip()
    if url:
        return SmtpTransport(url)
    return OutboxTransport(Path(data_dir) / OUTBOX_DIRECTORY)


def sender_address() -> str:
    """The From of every notification: ``GRANTFLOW_MAIL_FROM`` (one address, with or without
    a display name), by default ``grantflow <grantflow@localhost>``."""
    value = os.environ.get(MAIL_FROM_VARIABLE, "").strip() or DEFAULT_SENDER
    if any(character in value for character in "\r\n"):
        raise MailSettingsError(f"{MAIL_FROM_VARIABLE}: one line expected")
    addresses = getaddresses([value])
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        raise MailSettingsError(
            f"{MAIL_FROM_VARIABLE}: expected one address such as "
            f"'grantflow <grantflow@example.org>', got {value!r}"
        )
    local, _, domain = addresses[0][1].rpartition("@")
    if not local or not domain:
        raise MailSettingsError(f"{MAIL_FROM_VARIABLE}: {value!r} is not a whole address")
    return value
