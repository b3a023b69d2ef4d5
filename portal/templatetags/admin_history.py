"""The history pages' column headings (templates/simple_history/object_history_list.html).

django-simple-history heads an extra column (``history_list_display``) with its attribute's
name through ``{% trans %}``, so "status_badge" showed as it is; this names it as the change
list does, from the method's description or the field's verbose name.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import label_for_field
from django.utils.text import capfirst

register = template.Library()


@register.simple_tag
def history_column_label(column: str, opts: Any) -> str:
    try:
        model_admin = admin.site.get_model_admin(opts.model)
    except NotRegistered:
        model_admin = None
    try:
        label = label_for_field(column, opts.model, model_admin)
    except AttributeError:
        return column
    return str(capfirst(str(label)))
