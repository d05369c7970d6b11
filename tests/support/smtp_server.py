"""A real SMTP server on loopback (aiosmtpd), for the tests that send mail.

``LoopbackSmtpServer`` runs aiosmtpd's ``SMTP`` protocol on its own asyncio loop in a thread,
on 127.0.0.1. The first ``start()`` lets the kernel choose a free port (no probe-then-bind
race under pytest-xdist); ``stop()`` closes the listener and every open connection, and a
later ``start()`` binds that same port again, so a test can simulate an outage mid-run.

What it offers a test:

- ``url``: ``smtp://127.0.0.1:PORT`` (with ``USER:PASSWORD@`` when ``url_with_login`` is used);
- ``messages``: the messages received, parsed (``email.policy.default``), oldest first;
  ``received``: the same with their envelope (``mail_from``, ``rcpt_tos``), the login used,
  whether they came over TLS (``secure``) and their bytes (``raw``);
- ``fail_next_data(code, times=1)``: the next ``times`` DATA commands answer ``code`` (451 a
  transient refusal, 550 a permanent one) and nothing is kept;
- ``refuse_recipient(address, code)``: RCPT TO that address answers ``code``;
- ``require_login=True``: AUTH PLAIN/LOGIN with ``SMTP_USER`` / ``SMTP_PASSWORD`` (fictional),
  offered without TLS (loopback only), and MAIL FROM refused until the client logged in;
- ``tls=TlsFiles``: STARTTLS offered with that certificate (or, ``implicit_tls=True``, TLS
  from the first byte as for ``smtps://``); ``throwaway_tls`` makes a self-signed one.

The ``smtp_server`` fixture (function scope, in ``tests/conftest.py``) is a started
``LoopbackSmtpServer()``, stopped at teardown whatever the test did.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
SMTP_USER = "notifier@example.org"
SMTP_PASSWORD = "fictional p@ss/word:42"  # characters a URL must percent-encode
START_SECONDS = 10
RESTART_ATTEMPTS = 50  # the port is ours again once the kernel lets go of it (SO_REUSEADDR)


@dataclass(frozen=True)
class Received:
    message: EmailMessage
    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str | None
    secure: bool  # came over TLS (STARTTLS or smtps)
    raw: bytes


@dataclass(frozen=True)
class TlsFiles:
    certificate: Path  # PEM; also the CA a client trusts (self-signed)
    key: Path

    def server_context(self) -> Any:
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> Any:
        import ssl

        return ssl.create_default_context(cafile=str(self.certificate))


def throwaway_tls(directory: Path) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day (cryptography
    is installed with Prefect)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "grantflow test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "smtp-cert.pem", directory / "smtp-key.pem")
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


class _Handler:
    """aiosmtpd's handler hooks; runs on the server's loop, shares state under its lock."""

    def __init__(self, server: LoopbackSmtpServer) -> None:
        self.server = server

    async def handle_MAIL(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.server.require_login and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.server._lock:
            code = self.server._refused_recipients.get(address.lower())
        if code is not None:
            return f"{code} {'4.2.0' if code < 500 else '5.1.1'} Recipient refused"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        with self.server._lock:
            code = self.server._data_failures.popleft() if self.server._data_failures else None
        if code is not None:
            status = "4.3.0 Try again later" if code < 500 else "5.7.1 Message refused"
            return f"{code} {status}"
        raw = envelope.original_content or b""
        message = BytesParser(policy=default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data is not None else None
        received = Received(
            message,
            str(envelope.mail_from),
            tuple(envelope.rcpt_tos),
            login,
            smtp.transport is not None and smtp.transport.get_extra_info("ssl_object") is not None,
            raw,
        )
        with self.server._lock:
            self.server._received.append(received)
        return "250 2.0.0 OK: queued"


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    good = (
        isinstance(data, LoginPassword)
        and data.login == SMTP_USER.encode()
        and data.password == SMTP_PASSWORD.encode()
    )
    if good:
        return AuthResult(success=True, auth_data=data)
    return AuthResult(success=False, handled=False)  # smtp_AUTH answers 535


@dataclass
class LoopbackSmtpServer:
    require_login: bool = False
    tls: TlsFiles | None = None
    implicit_tls: bool = False
    port: int = 0  # 0 until the first start() picks one
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _received: list[Received] = field(default_factory=list, repr=False)
    _data_failures: deque[int] = field(default_factory=deque, repr=False)
    _refused_recipients: dict[str, int] = field(default_factory=dict, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _server: asyncio.Server | None = field(default=None, repr=False)
    _connections: set[SMTP] = field(default_factory=set, repr=False)

    # -- what a test reads and sets ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{HOST}:{self.port}"

    def url_with_login(self, user: str = SMTP_USER, password: str = SMTP_PASSWORD) -> str:
        from urllib.parse import quote

        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.received]

    def fail_next_data(self, code: int, times: int = 1) -> None:
        """The next ``times`` DATA commands answer ``code`` (4xx or 5xx) and keep nothing."""
        if not 400 <= code < 600:
            raise ValueError(f"a refusal is a 4xx or 5xx code, not {code}")
        with self._lock:
            self._data_failures.extend([code] * times)

    def refuse_recipient(self, address: str, code: int = 550) -> None:
        with self._lock:
            self._refused_recipients[address.lower()] = code

    @property
    def running(self) -> bool:
        return self._thread is not None

    # -- start and stop ---------------------------------------------------------------------

    def start(self) -> LoopbackSmtpServer:
        if self._thread is not None:
            raise RuntimeError("the SMTP server is already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(self._listen(loop))
            except BaseException as error:  # handed to start(), which raises it
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        thread = threading.Thread(target=run, name=f"smtp-server-{self.port}", daemon=True)
        thread.start()
        if not ready.wait(START_SECONDS):
            raise RuntimeError("the SMTP server did not start")
        if failure:
            thread.join(START_SECONDS)
            raise failure[0]
        self._loop, self._thread = loop, thread
        return self

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> asyncio.Server:
        handler = _Handler(self)
        starttls = self.tls.server_context() if self.tls and not self.implicit_tls else None
        implicit = self.tls.server_context() if self.tls and self.implicit_tls else None
        if self.implicit_tls and self.tls is None:
            raise ValueError("implicit_tls needs tls files")

        def protocol() -> SMTP:
            smtp = _TrackedSMTP(
                self,
                handler,
                hostname="smtp.grantflow.invalid",
                tls_context=starttls,
                auth_require_tls=False,  # loopback only: the server binds 127.0.0.1
                authenticator=_authenticator,
                timeout=30,
                loop=loop,
            )
            return smtp

        attempts = 1 if self.port == 0 else RESTART_ATTEMPTS
        for attempt in range(attempts):
            try:
                server = await loop.create_server(
                    protocol, host=HOST, port=self.port, ssl=implicit, reuse_address=True
                )
                break
            except OSError:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.1)
        self.port = server.sockets[0].getsockname()[1]
        return server

    def stop(self) -> None:
        """Close the listener and every connection; safe to call when already stopped."""
        loop, thread, server = self._loop, self._thread, self._server
        if loop is None or thread is None:
            return

        async def close() -> None:
            if server is not None:
                server.close()
            for connection in list(self._connections):
                if connection.transport is not None:
                    connection.transport.close()
            if server is not None:
                await server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(close(), loop).result(START_SECONDS)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(START_SECONDS)
            self._loop = self._thread = self._server = None
            self._connections.clear()
        if thread.is_alive():
            raise RuntimeError("the SMTP server's thread did not stop")

    def __enter__(self) -> LoopbackSmtpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, known to its server so ``stop()`` can drop its connections."""

    def __init__(self, owner: LoopbackSmtpServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner = owner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._owner._connections.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self._owner._connections.discard(self)
        super().connection_lost(error)
