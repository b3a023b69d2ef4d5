"""API tokens: created here, shown once, stored only as a digest."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext

from mailcheck.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "prefix", "is_active", "rate_limit", "created", "last_used"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix"]
    fields = ["name", "is_active", "rate_limit", "prefix", "created", "last_used"]
    readonly_fields = ["prefix", "created", "last_used"]

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm[Any], change: bool
    ) -> None:
        token = obj.issue() if not change else None
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(
                request,
                format_html(
                    '{} <code class="api-token">{}</code>',
                    gettext(
                        "Copy this token now: it is stored only as a digest and cannot be "
                        "shown again."
                    ),
                    token,
                ),
            )
