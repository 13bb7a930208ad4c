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


@register.filter
def at(items, index: int):
    """The index-th of a list (the column name of a cell, in a loop over a row's cells); "" past its end."""
    try:
        return items[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""
