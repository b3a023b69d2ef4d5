from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mailcheck.batch import csvinput, texts
from mailcheck.batch.services import read_upload


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={"required": texts.MISSING_FILE, "empty": texts.MISSING_FILE},
        allow_empty_file=True,
    )

    def __init__(self, *args: Any, service_domains: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_domains = service_domains

    def clean_file(self) -> csvinput.ParsedFile:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > settings.BATCH_MAX_BYTES:
            raise ValidationError(texts.too_big_text(settings.BATCH_MAX_BYTES), code="too_big")
        return parse_or_invalid(upload.read(), self.service_domains)


def parse_or_invalid(raw: bytes, service_domains: tuple[str, ...]) -> csvinput.ParsedFile:
    """The parsed upload, or a ValidationError whose code is the csvinput.FileProblem."""
    try:
        return read_upload(raw)
    except csvinput.FileRefused as refused:
        raise ValidationError(
            texts.file_error_text(refused, service_domains), code=refused.code.value
        ) from None
