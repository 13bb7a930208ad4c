"""Sections that a higher layer adds to a lower layer's page, so that the lower one never imports the higher.

A page of assessments names a slot ("assessments.my_result", say) and renders whatever the apps above it
registered there: each provider gets the page's context as keyword arguments and returns named HTML fragments
("top", "end", …) that the page's template places. A slot nobody fills renders nothing."""

from collections import defaultdict
from collections.abc import Callable, Mapping

from django.utils.safestring import SafeString, mark_safe

Provider = Callable[..., Mapping[str, str]]

_providers: dict[str, list[Provider]] = defaultdict(list)


def register(slot: str, provider: Provider) -> None:
    """Add `provider` to `slot` (once: registering the same provider again changes nothing)."""
    if provider not in _providers[slot]:
        _providers[slot].append(provider)


def render(slot: str, **context: object) -> dict[str, SafeString]:
    """Every provider's fragments for `slot`, joined by name in the order the providers registered. The
    fragments are HTML the providers rendered from their own templates, which escape what they show."""
    fragments: dict[str, list[str]] = defaultdict(list)
    for provider in _providers.get(slot, []):
        for name, html in provider(**context).items():
            fragments[name].append(html)
    return {name: mark_safe("".join(parts)) for name, parts in fragments.items()}  # noqa: S308
