"""The base of every list-and-detail endpoint: a scope per method, explicit filters, `?ordering=`, cursors."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import viewsets

from .filters import CursorOrdering
from .pagination import Cursor
from .permissions import HasScope


# An ordering the list does not offer is a 400 (see CursorOrdering): in the schema too.
@extend_validation_errors(["invalid"], field_name="ordering", actions=["list"], methods=["get"])
class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """What every list and detail here shares: a scope per method, explicit filters, `?ordering=` and cursors."""

    # A subclass names `read_scope` (and `write_scope` for the actions it adds). The docstring above is what
    # the schema shows for a viewset without its own.

    permission_classes = [HasScope]
    filter_backends = [DjangoFilterBackend, CursorOrdering]
    pagination_class = Cursor
    # Any segment reaches the view, so that "abc" or "1.5" is the API's JSON 404, not Django's HTML one.
    lookup_value_regex = "[^/]+"
