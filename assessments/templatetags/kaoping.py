from django import template

register = template.Library()


@register.filter
def rubric(indicator, level: str) -> str:
    """The indicator's rubric text for a level, in the reader's language."""
    return indicator.rubric_text(level)


@register.filter
def get(mapping, key):
    """mapping[key], or None: a cell of a row keyed by rater-group code."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def at(items, index: int):
    """The index-th of a list (the column name of a cell, in a loop over a row's cells); "" past its end."""
    try:
        return items[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def score(value) -> str:
    """A score as every page and report prints it: two decimals ("75.00"); a figure not shown is a dash."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "—"
