"""Test mails over real SMTP to a `manage.py receivemail` process, graded as recipients would."""

from __future__ import annotations

import smtplib
import socket
import uuid
from email.message import EmailMessage
from typing import Any

import dkim  # type: ignore[import-untyped]
import pytest

from tests.mailcheck.inbound.conftest import DKIM_KEY, MAX_BYTES, MAX_REFUSED, ReceiverProcess

pytestmark = pytest.mark.process

LISTED = "192.0.2.25"
UNLISTED = "198.51.100.25"
SUBMISSION = "mbox.iijmio-mail.jp"


class ProxiedSMTP(smtplib.SMTP):
    """smtplib with a HAProxy PROXY v1 header in front, as a load balancer sends it."""

    def __init__(self, port: int, client_ip: str | None, source: str = "127.0.0.1") -> None:
        self.client_ip = client_ip
        self.source = source
        super().__init__()
        self.connect("127.0.0.1", port)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((host, port), 20, source_address=(self.source, 0))
        if self.client_ip:
            sock.sendall(f"PROXY TCP4 {self.client_ip} 127.0.0.1 40000 25\r\n".encode())
        return sock


def token() -> str:
    return uuid.uuid4().hex[:8]


def message(
    rcpt: str,
    sender: str,
    *,
    account: str | None = None,
    mailer: str = "Thunderbird 128.5",
    body: str = "Hello.\n",
) -> bytes:
    """The message as the submission server passes it on: its Received header (folded, naming
    the account that logged in) on top of what the mail program wrote, with CRLF line ends."""
    mail = EmailMessage()
    mail["From"] = f"Taro Yamada <{sender}>"
    mail["To"] = rcpt
    mail["Subject"] = "test"
    mail["X-Mailer"] = mailer
    mail.set_content(body)
    raw = mail.as_bytes().replace(b"\n", b"\r\n")
    if account:
        received = (
            f"Received: from [203.0.113.7] (authenticated as {account})\r\n\tby {SUBMISSION} "
            "with ESMTPSA; Sat, 29 Nov 2026 10:00:00 +0900\r\n"
        )
        raw = received.encode() + raw
    return raw


def send(
    receiver: ReceiverProcess, client_ip: str | None, sender: str, rcpt: str, raw: bytes
) -> None:
    with ProxiedSMTP(receiver.port, client_ip) as smtp:
        smtp.ehlo("mo.example")
        smtp.sendmail(sender, [rcpt], raw)


def test_a_mismatched_sender_through_the_unlisted_route_is_graded_softfail_with_the_fix(
    receiver: ReceiverProcess,
) -> None:
    tok = token()
    rcpt = receiver.add_address(
        tok, account="iij-jiro.iijmio-mail.jp", mail_from="iij-jiro@iijmio-mail.jp"
    )
    mail = message(rcpt, "iij-jiro@iijmio-mail.jp", account="iij-taro.iijmio-mail.jp")
    send(receiver, UNLISTED, "iij-jiro@iijmio-mail.jp", rcpt, mail)

    got = receiver.received(tok)
    assert got is not None, receiver.log.read_text()
    grades = got["grades"]
    assert got["client_ip"] == UNLISTED
    assert (grades["route"], grades["spf"], grades["outcome"]) == (
        "unlisted",
        "softfail",
        "at_risk",
    )
    assert grades["account"] == "iij-taro.iijmio-mail.jp"
    assert grades["mail_program"] == "Thunderbird 128.5"
    assert grades["fixes"][0] == {
        "kind": "use_address_account",
        "account": "iij-jiro.iijmio-mail.jp",
        "mail_from": "iij-jiro@iijmio-mail.jp",
        "domain": "",
    }
    # The customer typed iij-jiro's account, but the program logged in as iij-taro.
    account = next(c for c in grades["comparisons"] if c["field"] == "account")
    assert (account["typed"], account["sent"], account["same"]) == (
        "iij-jiro.iijmio-mail.jp",
        "iij-taro.iijmio-mail.jp",
        False,
    )
    assert "SoftFail" in grades["received_spf"]
    assert "Hello." not in got["headers"]  # never the body


def test_a_matching_sender_through_the_listed_route_passes(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    mail = message(rcpt, "iij-taro@iijmio-mail.jp", account="iij-taro.iijmio-mail.jp")
    send(receiver, LISTED, "iij-taro@iijmio-mail.jp", rcpt, mail)

    grades = received_grades(receiver, tok)
    assert (grades["route"], grades["spf"], grades["outcome"]) == ("listed", "pass", "delivered")
    assert grades["dkim"] == "none"
    assert grades["fixes"] == []


def received_grades(receiver: ReceiverProcess, tok: str) -> dict[str, Any]:
    got = receiver.received(tok)
    assert got is not None, receiver.log.read_text()
    grades: dict[str, Any] = got["grades"]
    return grades


def test_an_aligned_dkim_signature_passes_dmarc_despite_softfail(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    raw = message(rcpt, "iij-jiro@iijmio-mail.jp")
    signature = dkim.sign(
        raw, b"sel", b"iijmio-mail.jp", DKIM_KEY, include_headers=[b"from", b"to", b"subject"]
    )
    send(receiver, UNLISTED, "iij-jiro@iijmio-mail.jp", rcpt, signature + raw)

    grades = received_grades(receiver, tok)
    assert (grades["spf"], grades["dkim"], grades["dmarc"]) == ("softfail", "pass", "pass")
    assert grades["dkim_domain"] == "iijmio-mail.jp"
    assert grades["outcome"] == "delivered"


def test_a_signature_that_no_longer_matches_the_body_fails(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    raw = message(rcpt, "iij-jiro@iijmio-mail.jp")
    signature = dkim.sign(raw, b"sel", b"iijmio-mail.jp", DKIM_KEY)
    send(receiver, UNLISTED, "iij-jiro@iijmio-mail.jp", rcpt, signature + raw + b"changed\r\n")

    grades = received_grades(receiver, tok)
    assert grades["dkim"] == "fail"
    assert grades["outcome"] == "at_risk"


def test_a_message_over_the_size_cap_is_graded_from_its_headers(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    mail = message(
        rcpt,
        "iij-taro@iijmio-mail.jp",
        body="x" * 70 + "\n" * 1 + ("y" * 70 + "\n") * (MAX_BYTES // 35),
    )
    send(receiver, LISTED, "iij-taro@iijmio-mail.jp", rcpt, mail)

    got = receiver.received(tok)
    assert got is not None, receiver.log.read_text()
    assert got["grades"]["truncated"] is True
    assert (got["grades"]["route"], got["grades"]["spf"]) == ("listed", "pass")
    assert "yyyy" not in got["headers"]


def test_an_unknown_recipient_is_refused_at_rcpt(receiver: ReceiverProcess) -> None:
    with ProxiedSMTP(receiver.port, LISTED) as smtp:
        smtp.ehlo("mo.example")
        smtp.mail("iij-taro@iijmio-mail.jp")
        code, _ = smtp.rcpt("check-nosuchad@test-mail.example")
        assert code == 550
        code, _ = smtp.rcpt("someone@elsewhere.example")  # never relays
        assert code == 550


def test_an_address_takes_one_mail_only(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    mail = message(rcpt, "iij-taro@iijmio-mail.jp")
    send(receiver, LISTED, "iij-taro@iijmio-mail.jp", rcpt, mail)
    assert receiver.received(tok) is not None

    with ProxiedSMTP(receiver.port, UNLISTED) as smtp:
        smtp.ehlo("mo.example")
        smtp.mail("iij-jiro@iijmio-mail.jp")
        assert smtp.rcpt(rcpt)[0] == 550
    assert receiver.received(tok)["client_ip"] == LISTED  # type: ignore[index]


def test_an_expired_address_is_refused(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok, minutes=-1)
    with ProxiedSMTP(receiver.port, LISTED) as smtp:
        smtp.ehlo("mo.example")
        smtp.mail("iij-taro@iijmio-mail.jp")
        assert smtp.rcpt(rcpt)[0] == 550


def test_a_proxy_header_from_an_untrusted_address_ends_the_connection(
    receiver: ReceiverProcess,
) -> None:
    with receiver.connect(source="127.0.0.2") as sock:
        sock.sendall(f"PROXY TCP4 {LISTED} 127.0.0.1 40000 25\r\n".encode())
        answer = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert b"554" in answer


def test_a_direct_client_is_graded_by_its_own_address(receiver: ReceiverProcess) -> None:
    tok = token()
    rcpt = receiver.add_address(tok)
    mail = message(rcpt, "iij-taro@iijmio-mail.jp")
    with ProxiedSMTP(receiver.port, None, source="127.0.0.2") as smtp:
        smtp.ehlo("mo.example")
        smtp.sendmail("iij-taro@iijmio-mail.jp", [rcpt], mail)
    got = receiver.received(tok)
    assert got is not None
    assert (got["client_ip"], got["grades"]["route"]) == ("127.0.0.2", "not_ours")


def test_a_trusted_proxy_without_a_proxy_header_is_refused(receiver: ReceiverProcess) -> None:
    with receiver.connect() as sock:
        sock.sendall(b"EHLO mo.example\r\n")
        assert sock.recv(4096) == b""


def test_a_client_guessing_at_addresses_is_stopped(receiver: ReceiverProcess) -> None:
    guesser = "203.0.113.66"  # its own address: the other tests' clients keep their count
    codes = []
    with ProxiedSMTP(receiver.port, guesser) as smtp:
        smtp.ehlo("mo.example")
        smtp.mail("x@example.com")
        for n in range(MAX_REFUSED + 1):
            codes.append(smtp.rcpt(f"check-guess{n:03d}@test-mail.example")[0])
    assert codes == [550] * MAX_REFUSED + [421]
    # A live address from that client is refused too, for now; others are not affected.
    tok = token()
    rcpt = receiver.add_address(tok)
    with ProxiedSMTP(receiver.port, guesser) as smtp:
        smtp.ehlo("mo.example")
        smtp.mail("x@example.com")
        assert smtp.rcpt(rcpt)[0] == 421
    send(
        receiver, LISTED, "iij-taro@iijmio-mail.jp", rcpt, message(rcpt, "iij-taro@iijmio-mail.jp")
    )
