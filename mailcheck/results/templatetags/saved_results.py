from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def saved_result_days() -> int:
    """How many days a saved result is kept (SAVED_RESULT_DAYS)."""
    return int(settings.SAVED_RESULT_DAYS)
