from django import template

register = template.Library()


@register.filter
def rubric(indicator, level: str) -> str:
    """The indicator's rubric text for a level, in the reader's language."""
    return indicator.rubric_text(level)
