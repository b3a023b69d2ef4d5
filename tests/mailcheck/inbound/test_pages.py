"""The test mail pages and API: an address is made, waits, shows its grades, expires."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from mailcheck.inbound import services
from mailcheck.inbound.grading import Envelope
from mailcheck.inbound.models import ReceivedMail, TestAddress

RAW = (
    b"Received: from [203.0.113.7] (authenticated as iij-taro.iijmio-mail.jp)\r\n"
    b"\tby mbox.iijmio-mail.jp with ESMTPSA\r\n"
    b"From: Taro <iij-jiro@iijmio-mail.jp>\r\nTo: x\r\nSubject: t\r\n"
    b"User-Agent: Mutt/2.2\r\n\r\nsecret body text\r\n"
)


@pytest.fixture
def demo(settings: Any, db: None) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    settings.TEST_MAIL_DOMAIN = "test-mail.example"
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


def receive(address: TestAddress, client_ip: str = "198.51.100.25") -> ReceivedMail:
    envelope = Envelope(client_ip, "mo.example", "iij-jiro@iijmio-mail.jp", address.address)
    mail = services.receive(envelope, RAW, truncated=False)
    assert mail is not None
    return mail


def test_the_button_makes_an_address_and_leads_to_its_page(client: Client, demo: None) -> None:
    page = client.get("/en/check/test-mail/")
    assert page.status_code == 200
    assert b"Get a test address" in page.content

    answer = client.post("/en/check/test-mail/")
    address = TestAddress.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/check/test-mail/{address.token}/"
    assert len(address.token) == 8 and address.token == address.token.lower()

    page = client.get(answer["Location"])
    text = page.content.decode()
    assert f"check-{address.token}@test-mail.example" in text
    assert f'href="mailto:check-{address.token}@test-mail.example"' in text
    assert "<svg" in text and "Waiting for your mail" in text
    assert page["X-Robots-Tag"] == "noindex"


def test_the_offer_on_a_result_remembers_what_was_typed(client: Client, demo: None) -> None:
    result = client.get(
        "/en/check/", {"account": "iij-jiro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"}
    )
    assert b'name="mail_from" value="iij-jiro@iijmio-mail.jp"' in result.content
    client.post(
        "/en/check/test-mail/",
        {"account": "iij-jiro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"},
    )
    address = TestAddress.objects.get()
    receive(address)

    text = client.get(f"/en/check/test-mail/{address.token}/").content.decode()
    assert "Your mail may end up in the recipient&#x27;s junk folder." in text
    assert "recipients cannot confirm as allowed to send it" in text
    assert "you typed iij-jiro.iijmio-mail.jp, your program sent iij-taro.iijmio-mail.jp" in text
    assert "Received-SPF: SoftFail" in text
    assert "Mutt/2.2" in text
    assert "secret body text" not in text


def test_the_status_follows_the_mail(client: Client, demo: None) -> None:
    address = services.create_address()
    url = f"/en/check/test-mail/{address.token}/status.json"
    assert json.loads(client.get(url).content)["status"] == "waiting"
    receive(address, "192.0.2.25")
    assert json.loads(client.get(url).content)["status"] == "received"


def test_an_expired_address_says_so_and_offers_a_new_one(client: Client, demo: None) -> None:
    address = services.create_address()
    TestAddress.objects.filter(pk=address.pk).update(
        expires=timezone.now() - datetime.timedelta(minutes=1)
    )
    text = client.get(f"/en/check/test-mail/{address.token}/").content.decode()
    assert "has expired" in text
    assert 'action="/en/check/test-mail/"' in text
    assert services.waiting_address(address.address) is None


def test_an_unknown_address_page_is_404(client: Client, demo: None) -> None:
    assert client.get("/en/check/test-mail/nosuchid/").status_code == 404


def test_the_api_makes_an_address_and_reports_its_grades(client: Client, demo: None) -> None:
    created = client.post(
        "/api/v1/test-mails",
        {"account": "iij-jiro.iijmio-mail.jp", "mail_from": "iij-jiro@iijmio-mail.jp"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["address"] == f"check-{body['id']}@test-mail.example"
    waiting = client.get(f"/api/v1/test-mails/{body['id']}").json()
    assert (waiting["status"], waiting["received"]) == ("waiting", None)

    receive(TestAddress.objects.get(token=body["id"]))
    received = client.get(f"/api/v1/test-mails/{body['id']}").json()["received"]
    assert received["route"] == "unlisted"
    assert (received["spf"], received["outcome"]) == ("softfail", "at_risk")
    assert received["account"] == "iij-taro.iijmio-mail.jp"
    assert received["mail_program"] == "Mutt/2.2"
    assert received["fixes"][0]["account"] == "iij-jiro.iijmio-mail.jp"


def test_the_api_answers_an_unknown_id_in_the_error_shape(client: Client, demo: None) -> None:
    answer = client.get("/api/v1/test-mails/nosuchid")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["field"] == "id"


def test_the_api_needs_no_typed_values(client: Client, demo: None) -> None:
    answer = client.post("/api/v1/test-mails", {}, content_type="application/json")
    assert answer.status_code == 201


def test_purgetestmails_deletes_expired_addresses_and_their_mails(demo: None) -> None:
    old = services.create_address()
    receive(old)
    TestAddress.objects.filter(pk=old.pk).update(
        expires=timezone.now() - datetime.timedelta(minutes=1)
    )
    kept = services.create_address()
    call_command("purgetestmails", stdout=io.StringIO())
    assert list(TestAddress.objects.all()) == [kept]
    assert not ReceivedMail.objects.exists()


def test_test_addresses_per_client_are_limited_on_the_page_and_the_api(
    client: Client, demo: None, settings: Any
) -> None:
    settings.TEST_MAIL_RATE_LIMIT = "2/h"
    assert client.post("/en/check/test-mail/").status_code == 302
    assert (
        client.post("/api/v1/test-mails", "{}", content_type="application/json").status_code == 201
    )

    page = client.post("/en/check/test-mail/")
    api = client.post("/api/v1/test-mails", "{}", content_type="application/json")

    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert api.status_code == 429 and int(api["Retry-After"]) > 0
    assert api.json()["errors"][0]["code"] == "rate_limited"
    assert TestAddress.objects.count() == 2
