"""Reading a ballot-sheet section from a plain form POST (the same fields the page's script sends)."""

from django.http import QueryDict

from .services.ballots import Section


def section_changes(*, post: QueryDict, section: Section, indicators: list) -> dict:
    """The draft change for one section: `i<indicator id>` scores, `vote`, `comment`. Fields absent from
    the POST are left as they were; an empty score field clears that score."""
    change: dict = {"scores": {}}
    for indicator in indicators:
        name = f"i{indicator.pk}"
        if name in post:
            change["scores"][str(indicator.pk)] = post[name].strip() or None
    if "vote" in post:
        change["vote"] = post["vote"]
    if "comment" in post:
        change["comment"] = post["comment"]
    return {"sections": {str(section.subject.pk): change}}
