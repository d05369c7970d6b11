"""The mail transports the notification delivery loop calls (workflows/mail.py).

Real files for the outbox, a real SMTP server on loopback for SMTP (aiosmtpd,
tests/support/smtp_server.py): what arrives is what was sent, once, and every failure is
sorted into transient (try again later) or permanent, never showing the password.
"""

from __future__ import annotations

import socket
import stat
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.smtp_server import (
    SMTP_PASSWORD,
    SMTP_USER,
    LoopbackSmtpServer,
    throwaway_tls,
)
from workflows.mail import (
    MailSettingsError,
    MailTransport,
    OutboxTransport,
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    sender_address,
    transport_from_environment,
)

SUBJECT = "Rapport annuel : échéance"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RECIPIENT = "agente.programme@example.org"


def notification(to: str = RECIPIENT, message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "grantflow <grantflow@example.org>"
    message["To"] = to
    message["Subject"] = SUBJECT
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain="grantflow.invalid")
    message["Content-Language"] = "fr-CA"
    message.set_content("Le rapport annuel de la subvention GF-2025-0007 est attendu.\n")
    message.add_attachment(
        PDF, maintype="application", subtype="pdf", filename="rapport-annuel.pdf"
    )
    return message


def assert_same_notification(received: EmailMessage, sent: EmailMessage) -> None:
    for header in ("Message-ID", "Content-Language", "Subject", "To", "From"):
        assert str(received[header]) == str(sent[header]), header
    assert str(received["Subject"]) == SUBJECT
    body = received.get_body(preferencelist=("plain",))
    assert body is not None and "GF-2025-0007" in body.get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "rapport-annuel.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def eml_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


# -- the outbox ---------------------------------------------------------------------------------


def test_the_outbox_writes_one_owner_only_file_that_reads_back_whole(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "outbox"
    transport = OutboxTransport(outbox)
    sent = notification()

    transport.send(sent)

    [path] = eml_files(outbox)
    assert path == transport.path_for(sent)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert b"\r\n" in raw and SUBJECT.encode() not in raw  # wire form: CRLF, encoded words
    assert_same_notification(BytesParser(policy=default).parsebytes(raw), sent)
    assert [p.name for p in outbox.iterdir()] == [path.name]  # no temporary file left
    assert transport.description == f"outbox {outbox}"
    assert isinstance(transport, MailTransport)


def test_the_outbox_writes_a_message_sent_twice_once(tmp_path: Path) -> None:
    transport = OutboxTransport(tmp_path / "outbox")
    message_id = make_msgid(domain="grantflow.invalid")
    first = notification(message_id=message_id)
    transport.send(first)
    [path] = eml_files(tmp_path / "outbox")
    written = path.read_bytes()

    # The delivery loop may rebuild the message for a retry (a new Date): same Message-ID,
    # same file, left as it was.
    again = notification(message_id=message_id)
    again.replace_header("Date", "Mon, 01 Jan 2024 00:00:00 -0000")
    transport.send(again)
    transport.send(first)

    assert eml_files(tmp_path / "outbox") == [path]
    assert path.read_bytes() == written
    transport.send(notification())
    assert len(eml_files(tmp_path / "outbox")) == 2


def test_the_outbox_names_files_safely_and_needs_a_message_id(tmp_path: Path) -> None:
    transport = OutboxTransport(tmp_path / "outbox")
    odd = notification(message_id="<../../etc/passwd@grantflow.invalid>")
    similar = notification(message_id="<.._.._etc_passwd@grantflow.invalid>")
    transport.send(odd)
    transport.send(similar)

    names = [path.name for path in eml_files(tmp_path / "outbox")]
    assert len(names) == 2
    assert all("/" not in name and not name.startswith(".") for name in names)
    assert {path.parent for path in eml_files(tmp_path / "outbox")} == {tmp_path / "outbox"}

    anonymous = notification()
    del anonymous["Message-ID"]
    with pytest.raises(ValueError, match="Message-ID"):
        transport.send(anonymous)


def test_the_outbox_tightens_a_directory_left_open(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o755)
    outbox.chmod(0o755)
    OutboxTransport(outbox).send(notification())
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700


# -- SMTP ---------------------------------------------------------------------------------------


def test_smtp_delivers_the_message_once_with_its_headers_and_attachment(
    smtp_server: LoopbackSmtpServer,
) -> None:
    sent = notification()
    transport = SmtpTransport(smtp_server.url, timeout=10)

    transport.send(sent)

    [received] = smtp_server.received
    assert_same_notification(received.message, sent)
    assert received.mail_from == "grantflow@example.org"
    assert received.rcpt_tos == (RECIPIENT,)
    assert received.login is None
    assert transport.description == f"smtp://127.0.0.1:{smtp_server.port}"
    assert isinstance(transport, MailTransport)


def test_smtp_logs_in_and_never_shows_the_password() -> None:
    with LoopbackSmtpServer(require_login=True) as server:
        transport = SmtpTransport(server.url_with_login(), timeout=10)
        transport.send(notification())
        assert [received.login for received in server.received] == [SMTP_USER]

        shown = [transport.description, repr(transport), str(vars(transport))]
        assert transport.description == f"smtp://127.0.0.1:{server.port} (user {SMTP_USER})"

        wrong = SmtpTransport(server.url_with_login(password=SMTP_PASSWORD + "-wrong"))
        with pytest.raises(PermanentMailError) as refused:
            wrong.send(notification())
        assert refused.value.smtp_code == 535
        shown += [str(refused.value), repr(refused.value), wrong.description]

        anonymous = SmtpTransport(server.url, timeout=10)
        with pytest.raises(PermanentMailError) as unauthenticated:
            anonymous.send(notification())
        assert unauthenticated.value.smtp_code == 530

        server.stop()
        with pytest.raises(TransientMailError) as down:
            transport.send(notification())
        shown += [str(down.value), repr(down.value)]
        assert len(server.received) == 1

    for text in shown:
        for secret in (SMTP_PASSWORD, quote(SMTP_PASSWORD, safe=""), "p@ss"):
            assert secret not in text


def test_a_stopped_server_is_a_transient_failure_and_the_same_port_serves_again(
    smtp_server: LoopbackSmtpServer,
) -> None:
    transport = SmtpTransport(smtp_server.url, timeout=10)
    transport.send(notification())
    port = smtp_server.port

    smtp_server.stop()
    with pytest.raises(TransientMailError, match=f"127.0.0.1:{port}"):
        transport.send(notification())

    smtp_server.start()
    assert smtp_server.port == port
    after = notification()
    transport.send(after)
    assert [m["Message-ID"] for m in smtp_server.messages][1:] == [after["Message-ID"]]


def test_a_451_is_transient_and_a_550_permanent_and_nothing_is_kept(
    smtp_server: LoopbackSmtpServer,
) -> None:
    transport = SmtpTransport(smtp_server.url, timeout=10)

    smtp_server.fail_next_data(451)
    with pytest.raises(TransientMailError) as busy:
        transport.send(notification())
    assert busy.value.smtp_code == 451

    smtp_server.fail_next_data(550)
    with pytest.raises(PermanentMailError) as refused:
        transport.send(notification())
    assert refused.value.smtp_code == 550
    assert smtp_server.messages == []

    retried = notification()
    transport.send(retried)  # the refusals were for one DATA each
    assert [m["Message-ID"] for m in smtp_server.messages] == [retried["Message-ID"]]


def test_refused_recipients_are_sorted_by_their_code(smtp_server: LoopbackSmtpServer) -> None:
    transport = SmtpTransport(smtp_server.url, timeout=10)
    smtp_server.refuse_recipient("gone@example.org", 550)
    smtp_server.refuse_recipient("full@example.org", 452)

    with pytest.raises(PermanentMailError) as gone:
        transport.send(notification(to="gone@example.org"))
    with pytest.raises(TransientMailError):
        transport.send(notification(to="full@example.org"))
    assert "gone@example.org" not in str(gone.value)
    assert smtp_server.messages == []

    # One recipient refused, another accepted: delivered (a retry would repeat it to them).
    transport.send(notification(to="gone@example.org, agente@example.org"))
    assert [r.rcpt_tos for r in smtp_server.received] == [("agente@example.org",)]


def test_a_server_that_never_answers_is_a_transient_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the connection is queued, and no greeting ever comes
        port = silent.getsockname()[1]
        with pytest.raises(TransientMailError, match="timed out"):
            SmtpTransport(f"smtp://127.0.0.1:{port}", timeout=0.5).send(notification())


def test_starttls_and_smtps_with_a_verified_certificate(tmp_path: Path) -> None:
    files = throwaway_tls(tmp_path / "tls")
    with LoopbackSmtpServer(tls=files, require_login=True) as server:
        url = server.url_with_login() + "?starttls=required"
        SmtpTransport(url, tls_context=files.client_context()).send(notification())
        assert [(r.secure, r.login) for r in server.received] == [(True, SMTP_USER)]

        # The system's trust store does not know the throwaway certificate.
        with pytest.raises(TransientMailError):
            SmtpTransport(server.url).send(notification())

    with LoopbackSmtpServer(tls=files, implicit_tls=True, require_login=True) as server:
        assert server.url.startswith("smtps://")
        transport = SmtpTransport(server.url_with_login(), tls_context=files.client_context())
        transport.send(notification())
        assert [(r.secure, r.login) for r in server.received] == [(True, SMTP_USER)]

    with LoopbackSmtpServer() as plain:
        with pytest.raises(PermanentMailError, match="STARTTLS"):
            SmtpTransport(plain.url + "?starttls=required").send(notification())
        SmtpTransport(plain.url + "?starttls=no").send(notification())
        SmtpTransport(plain.url).send(notification())  # not offered: plain, as asked
        assert [r.secure for r in plain.received] == [False, False]


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mail.example.org", "unknown scheme 'http'"),
        ("mail.example.org:25", "expected smtp://"),
        ("smtp://", "no host"),
        ("smtp://ops:s3cret-Pw@:587", "no host"),
        ("smtp://mail.example.org:70000", "bad port 70000"),
        ("smtp://mail.example.org:0", "bad port 0"),
        ("smtps://ops:s3cret-Pw@mail.example.org:smtp", "bad port"),
        ("smtp://mail.example.org?tls=yes", "unknown setting 'tls'"),
        ("smtp://mail.example.org?starttls=maybe", "starttls must be one of"),
        ("smtps://mail.example.org?starttls=no", "smtp:// only"),
        ("smtp://ops:s3cret-Pw@mail.example.org?starttls=no", "only over TLS"),
        ("smtp://ops:s3cret/Pw@mail.example.org", "percent-encode"),
        ("smtp://ops:s3cret?Pw@mail.example.org", "percent-encode"),
        ("smtp://mail.example.org/outbox", "path"),
    ],
)
def test_a_bad_smtp_url_says_what_is_wrong_and_not_the_password(url: str, says: str) -> None:
    with pytest.raises(MailSettingsError, match="GRANTFLOW_SMTP_URL") as bad:
        SmtpTransport(url)
    assert says in str(bad.value)
    assert "s3cret" not in str(bad.value) and "Pw" not in str(bad.value)
    assert isinstance(bad.value, ValueError)


@pytest.mark.parametrize(
    ("url", "description"),
    [
        ("smtp://mail.example.org", "smtp://mail.example.org:25"),
        ("smtps://mail.example.org", "smtps://mail.example.org:465"),
        (
            "SMTP://relay.example.org:2525?starttls=no",
            "smtp://relay.example.org:2525 (starttls no)",
        ),
        # Credentials to a host elsewhere: STARTTLS becomes required.
        (
            "smtp://ops%40example.org:pa%3Ass@mail.example.org:587",
            "smtp://mail.example.org:587 (user ops@example.org, starttls required)",
        ),
        ("smtps://ops:pass@mail.example.org", "smtps://mail.example.org:465 (user ops)"),
        (
            "smtp://ops:pass@localhost:2525?starttls=no",
            "smtp://localhost:2525 (user ops, starttls no)",
        ),
        ("smtp://ops:pass@[::1]:2525?starttls=no", "smtp://[::1]:2525 (user ops, starttls no)"),
    ],
)
def test_a_good_smtp_url_is_described_without_its_password(url: str, description: str) -> None:
    transport = SmtpTransport(url)
    assert transport.description == description
    assert "pass" not in repr(transport) and "pa:ss" not in repr(transport)


def test_the_environment_picks_smtp_or_the_outbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: LoopbackSmtpServer
) -> None:
    monkeypatch.delenv("GRANTFLOW_SMTP_URL", raising=False)
    outbox = transport_from_environment(tmp_path)
    assert isinstance(outbox, OutboxTransport)
    assert outbox.description == f"outbox {tmp_path / 'outbox'}"

    monkeypatch.setenv("GRANTFLOW_SMTP_URL", "  ")
    assert isinstance(transport_from_environment(tmp_path), OutboxTransport)

    monkeypatch.setenv("GRANTFLOW_SMTP_URL", smtp_server.url)
    smtp = transport_from_environment(tmp_path)
    assert isinstance(smtp, SmtpTransport)
    smtp.send(notification())
    assert len(smtp_server.messages) == 1
    assert not (tmp_path / "outbox").exists()

    monkeypatch.setenv("GRANTFLOW_SMTP_URL", "smtp://ops:s3cret@mail.example.org:99999")
    with pytest.raises(MailSettingsError, match="bad port"):
        transport_from_environment(tmp_path)


def test_the_sender_address_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRANTFLOW_MAIL_FROM", raising=False)
    assert sender_address() == "grantflow <grantflow@localhost>"
    monkeypatch.setenv("GRANTFLOW_MAIL_FROM", "Fonds Nord <avis@fonds-nord.example.org>")
    assert sender_address() == "Fonds Nord <avis@fonds-nord.example.org>"
    monkeypatch.setenv("GRANTFLOW_MAIL_FROM", "avis@example.org")
    assert sender_address() == "avis@example.org"
    for bad in ("grantflow", "a@example.org, b@example.org", "x@example.org\r\nBcc: y@x.invalid"):
        monkeypatch.setenv("GRANTFLOW_MAIL_FROM", bad)
        with pytest.raises(MailSettingsError, match="GRANTFLOW_MAIL_FROM"):
            sender_address()
