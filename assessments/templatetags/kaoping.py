from django import template

from assessments.models import RaterGroup

register = template.Library()


@register.filter
def rubric(indicator, level: str) -> str:
    """The indicator's rubric text for a level, in the reader's language."""
    return indicator.rubric_text(level)


@register.filter
def group_label(code: str) -> str:
    """A rater group's name in the reader's language."""
    return RaterGroup(code).label if code in RaterGroup.values else code
