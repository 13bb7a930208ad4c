"""DRF's JSON parser, hardened: the only parser the API accepts."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """A body nested deeper than Python's decoder can follow (`[[[[…`) is a malformed request, a 400; DRF
    catches only ValueError, and the decoder's RecursionError would be a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError from None
