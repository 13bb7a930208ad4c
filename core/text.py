"""One rule for text that comes in from outside (forms, the API, import cells): control characters are refused.

PostgreSQL cannot store NUL in text or JSON, other control characters are invisible in every page and
export that shows them, and a lone surrogate cannot be encoded at all. Tab, line feed and carriage return
are ordinary text. Refusing (rather than stripping) keeps what is stored exactly what was sent; the message
names the field so that the sender can find the character.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# C0 controls but TAB, LF and CR; DEL and the C1 controls; UTF-16 surrogates (only a JSON escape can make
# one); the two noncharacters that end the Basic Multilingual Plane.
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
CODE = "control_character"


def refused_character(value: str) -> str | None:
    """The first refused character in `value` as U+XXXX, or None when the text is fine."""
    found = REFUSED.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def control_character_message(field: str, character: str) -> str:
    """The one message for a refused character, naming where it was (a field, a column, a parameter)."""
    return _(
        "“%(field)s” contains a control character (%(character)s), which is not allowed. Remove it and send again."
    ) % {
        "field": field,
        "character": character,
    }


def check_text(value: str, *, field: str) -> None:
    """ValidationError (code `control_character`) when `value` holds a refused character."""
    character = refused_character(value)
    if character is not None:
        raise ValidationError(control_character_message(field, character), code=CODE)


@deconstructible
class NoControlCharacters:
    """A field validator for the same rule, for forms and serializers that want the error on the field."""

    def __init__(self, field: str = "") -> None:
        self.field = field

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            check_text(value, field=self.field or _("This field"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.field == self.field


@dataclass(frozen=True)
class Refusal:
    parts: tuple[str | int, ...]  # where in the data: ("comment",), ("actions", 0, "title"); () for the whole
    character: str  # as U+XXXX
    in_key: bool = False  # the last part, a key, holds the character itself

    @property
    def path(self) -> str:
        """Dotted, with any refused character in a key spelt out: "actions.0.title"."""
        return ".".join(printable(str(part)) for part in self.parts)

    @property
    def message(self) -> str:
        return control_character_message(self.path, self.character)


def refusals(data: Any) -> Iterator[Refusal]:
    """Every refused string in parsed data (dicts, lists, strings), keys included, with its path, in the order
    they are written. Iterative: a body may nest as deep as the JSON decoder allows."""
    stack: list[tuple[tuple, Any, bool]] = [((), data, False)]
    while stack:
        parts, value, is_key = stack.pop()
        if isinstance(value, str):
            character = refused_character(value)
            if character is not None:
                yield Refusal(parts, character, is_key)
        elif isinstance(value, dict):
            items = [
                ((*parts, key), key, True)
                if isinstance(key, str) and refused_character(key) is not None
                else ((*parts, key), item, False)
                for key, item in value.items()
            ]
            stack.extend(reversed(items))
        elif isinstance(value, list | tuple):
            stack.extend(reversed([((*parts, i), item, False) for i, item in enumerate(value)]))


def printable(text: str) -> str:
    """`text` with each refused character spelt out as U+XXXX, safe to show in a message."""
    return REFUSED.sub(lambda m: f"U+{ord(m.group()):04X}", text)
