"""Give a member of staff an authenticator (TOTP device) from the command line.

For the first superuser when ADMIN_REQUIRE_2FA is on, or for anyone who lost their phone:
prints the QR code in the terminal and the otpauth:// address, to scan or type into an
authenticator app. Anyone else gets their device from a superuser in the admin.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode  # type: ignore[import-untyped]
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a user and print its QR code. With --replace, the user's "
        "existing TOTP devices are removed first (a lost phone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="The device's name.")
        parser.add_argument("--replace", action="store_true", help="Remove the old devices.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}") from None
        if not user.is_staff:
            raise CommandError(f"{options['username']!r} is not staff: the admin would refuse them")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not options["replace"]:
            raise CommandError(
                f"{options['username']!r} already has a TOTP device; use --replace for a new one"
            )
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name=options["name"], confirmed=True)
        code = qrcode.QRCode(border=2)
        code.add_data(device.config_url)
        terminal = io.StringIO()
        code.print_ascii(out=terminal, invert=True)
        self.stdout.write(terminal.getvalue())
        self.stdout.write(device.config_url)
        self.stdout.write(
            f"Scan the code (or enter the address) in {options['username']}'s authenticator app; "
            "the admin then asks for its six-digit code at login."
        )
