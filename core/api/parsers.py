"""DRF's JSON parser, hardened: the only parser the API accepts."""

import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..text import Refusal, control_character_message, refusals

# What `attr` may name: a field, as the serializers spell them (and the batch operations' schema allows).
FIELD_NAME = re.compile(r"[a-z_]+\Z")


class JSONParser(parsers.JSONParser):
    """A body nested deeper than Python's decoder can follow (`[[[[…`) is a malformed request, a 400; DRF
    catches only ValueError, and the decoder's RecursionError would be a server error.

    A control character anywhere in the body (core.text's rule; `\\u0000` is what PostgreSQL refuses) is a
    400 before any serializer sees it, whatever field, key or nesting it is in: a parse error, which every
    operation declares. `detail` names the full path ("actions.0.title"), `attr` the field that holds it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError from None
        refusal = next(refusals(data), None)
        if refusal is None:
            return data
        message = control_character_message(refusal.path or _("the request body"), refusal.character)
        field = field_of(refusal)
        # drf-standardized-errors makes a detail's key the error's attr.
        raise ParseError({field: message} if field else message)


def field_of(refusal: Refusal) -> str | None:
    """The body's field that holds the refused text, as `attr` names fields: "comment", or "3.name" for an
    item of a batch; None when no field can be named (a bare string, a key that is itself refused or no
    field name at all)."""
    parts = refusal.parts
    head = parts[:2] if parts and isinstance(parts[0], int) else parts[:1]
    if not head or (refusal.in_key and len(parts) == len(head)):
        return None
    names = [part for part in head if not isinstance(part, int)]
    if not all(FIELD_NAME.match(name) for name in names):
        return None
    return ".".join(str(part) for part in head)
