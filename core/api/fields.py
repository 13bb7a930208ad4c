"""Fields that take what the schema says and nothing else, for every API that reads JSON.

DRF's own fields are lenient: they turn 12 into "12", take 0 for false, and check a string's length after
trimming its ends. A client's generated code follows the schema; anything else it sends is a bug it should
hear about (a 400 naming the field), not data we guessed at."""

from rest_framework import serializers


class _JSONTypesOnly:
    json_types: tuple[type, ...]

    def to_internal_value(self, data):
        if type(data) not in self.json_types:
            self.fail("invalid")
        # The schema's maxLength counts what was sent; DRF counts after trimming the ends, so " " + 200
        # characters would pass a limit of 200 that the client's own schema check refuses.
        limit = getattr(self, "max_length", None)
        if limit is not None and isinstance(data, str) and len(data) > limit:
            self.fail("max_length", max_length=limit)
        return super().to_internal_value(data)


class StrictCharField(_JSONTypesOnly, serializers.CharField):
    json_types = (str,)


class StrictEmailField(_JSONTypesOnly, serializers.EmailField):
    json_types = (str,)


class StrictURLField(_JSONTypesOnly, serializers.URLField):
    json_types = (str,)


class StrictBooleanField(_JSONTypesOnly, serializers.BooleanField):
    json_types = (bool,)
