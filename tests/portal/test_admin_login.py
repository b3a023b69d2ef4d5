"""The admin's door: lockout after repeated failures, failed logins in the log, the optional
second factor, and the admin's path from a setting."""

from __future__ import annotations

import datetime
import importlib
import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import clear_url_caches
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import portal.urls

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user(
        "support-staff", password=PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client: Client, password: str, username: str = "support-staff", **extra: Any) -> Any:
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def text(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


# The lockout.


def test_five_wrong_passwords_lock_the_login_even_for_the_right_one(
    client: Client, staff: User
) -> None:
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200
    locked = log_in(client, "wrong")
    assert locked.status_code == 429
    assert not logged_in(log_in(client, PASSWORD))
    assert log_in(client, PASSWORD).status_code == 429


def test_the_lockout_page_is_a_site_page_that_says_how_long_to_wait(
    client: Client, staff: User
) -> None:
    for _ in range(5):
        response = log_in(client, "Secret-Guess-123")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    # The admin's address has no language prefix: the page is in Japanese, like the admin.
    assert '<html lang="ja">' in html
    assert 'class="site-header"' in html
    assert text("ja", "Sign-in temporarily locked") in html
    assert "15" in html
    assert "Secret-Guess-123" not in html


def test_the_wait_and_the_limit_come_from_the_settings(
    client: Client, staff: User, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    assert log_in(client, "wrong").status_code == 200
    response = log_in(client, "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == "1800"


def test_a_lockout_is_per_user_name_and_address(client: Client, staff: User) -> None:
    for _ in range(5):
        log_in(client, "wrong", REMOTE_ADDR="203.0.113.66")
    # The member of staff at the office is not locked out by someone guessing elsewhere.
    assert logged_in(log_in(Client(), PASSWORD, REMOTE_ADDR="198.51.100.7"))


def test_behind_trusted_proxies_the_forwarded_address_is_locked_out(
    staff: User, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    balancer = {"REMOTE_ADDR": "10.0.0.5"}
    for n in range(5):
        # A guesser who sends its own X-Forwarded-For still gets counted by its real address.
        log_in(Client(), "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.66", **balancer)
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "203.0.113.66"
    assert attempt.failures_since_start == 5
    assert not logged_in(
        log_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.66", **balancer)
    )
    # Another customer behind the same balancer is not affected.
    assert logged_in(log_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **balancer))


def test_a_successful_login_clears_the_failures(client: Client, staff: User) -> None:
    for _ in range(4):
        log_in(client, "wrong")
    assert logged_in(log_in(client, PASSWORD))
    client.logout()
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200


def test_a_failed_login_is_logged_with_user_name_and_address_without_the_password(
    client: Client, staff: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        log_in(client, "Secret-Guess-123", REMOTE_ADDR="203.0.113.66")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "support-staff" in r.getMessage() and "203.0.113.66" in r.getMessage() for r in warnings
    ), [r.getMessage() for r in warnings]
    assert all("Secret-Guess-123" not in r.getMessage() for r in caplog.records)


# The second factor.


@pytest.fixture
def device(staff: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def log_in_with_code(client: Client, code: str) -> Any:
    return client.post(
        LOGIN,
        {"username": "support-staff", "password": PASSWORD, "otp_token": code, "next": "/admin/"},
    )


def test_without_the_setting_staff_log_in_with_a_password_only(
    client: Client, device: TOTPDevice, settings: Any
) -> None:
    settings.ADMIN_REQUIRE_2FA = False
    assert 'name="otp_token"' not in client.get(LOGIN).content.decode()
    assert logged_in(log_in(client, PASSWORD))
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_the_password_alone_is_not_enough(
    client: Client, device: TOTPDevice, settings: Any
) -> None:
    settings.ADMIN_REQUIRE_2FA = True
    assert 'name="otp_token"' in client.get(LOGIN).content.decode()
    response = log_in(client, PASSWORD)
    assert response.status_code == 200
    assert text("ja", "Please enter the code from your authenticator app.") in (
        response.content.decode()
    )
    assert client.get("/admin/").status_code == 302


def test_with_the_setting_the_password_and_the_current_code_let_staff_in(
    client: Client, device: TOTPDevice, settings: Any
) -> None:
    settings.ADMIN_REQUIRE_2FA = True
    assert logged_in(log_in_with_code(client, current_code(device)))
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused(client: Client, device: TOTPDevice, settings: Any) -> None:
    settings.ADMIN_REQUIRE_2FA = True
    code = current_code(device)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = log_in_with_code(client, wrong)
    assert response.status_code == 200
    assert text("ja", "That code is not right or has expired. Enter the current code.") in (
        response.content.decode()
    )
    assert client.get("/admin/").status_code == 302


def test_staff_without_a_device_are_told_what_to_do(
    client: Client, staff: User, settings: Any
) -> None:
    settings.ADMIN_REQUIRE_2FA = True
    response = log_in_with_code(client, "123456")
    assert response.status_code == 200
    assert text(
        "ja",
        "This account has no authenticator app set up yet, and the admin requires one. Ask a "
        "superuser to add a TOTP device for your account and to show you its QR code.",
    ) in " ".join(response.content.decode().split())


def test_a_session_signed_in_by_password_only_is_sent_back_to_log_in(
    client: Client, staff: User, settings: Any
) -> None:
    # A session from before the setting was turned on, for example.
    settings.ADMIN_REQUIRE_2FA = True
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_superuser_adds_a_device_for_staff_and_sees_its_qr_code(
    admin_client: Client, staff: User
) -> None:
    response = admin_client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": staff.pk,
            "name": "phone",
            "confirmed": "on",
            "key": TOTPDevice._meta.get_field("key").get_default(),
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device = TOTPDevice.objects.get(user=staff)
    config = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    assert config.status_code == 200
    assert f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/" in config.content.decode()
    qrcode = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert qrcode.status_code == 200
    assert qrcode["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qrcode.content


# The admin's path.


@pytest.fixture
def admin_path(settings: Any) -> Iterator[None]:
    settings.ADMIN_PATH = "staff-desk/"
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.ADMIN_PATH = "admin/"
    importlib.reload(portal.urls)
    clear_url_caches()


def test_the_admin_moves_to_the_path_in_the_setting(
    admin_path: None, client: Client, staff: User
) -> None:
    assert client.get("/admin/").status_code == 404
    response = client.get("/staff-desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff-desk/login/")
    response = client.post(
        "/staff-desk/login/",
        {"username": "support-staff", "password": PASSWORD, "next": "/staff-desk/"},
    )
    assert response.status_code == 302
    html = client.get("/staff-desk/").content.decode()
    assert 'href="/staff-desk/portal/notice/"' in html
    assert not re.search(r'href="/admin/', html)


def test_an_operator_gives_the_first_superuser_a_device_from_the_command_line(
    client: Client, staff: User, settings: Any
) -> None:
    out = io.StringIO()
    call_command("addtotpdevice", "support-staff", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    settings.ADMIN_REQUIRE_2FA = True
    assert logged_in(log_in_with_code(client, current_code(TOTPDevice.objects.get(user=staff))))
    # A second device only on purpose.
    with pytest.raises(CommandError, match="--replace"):
        call_command("addtotpdevice", "support-staff", stdout=io.StringIO())
    call_command("addtotpdevice", "support-staff", "--replace", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user=staff).count() == 1
