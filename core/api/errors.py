"""One error shape for the whole API (drf-standardized-errors), also for the services' own refusals."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.exceptions import ValidationError


class KaopingExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        # Services refuse with Django's ValidationError (a state that does not allow it, a rule broken):
        # to an API client that is a 400 with the message, like any other invalid request.
        if isinstance(exc, DjangoValidationError):
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            return ValidationError(detail=detail)
        return super().convert_known_exceptions(exc)
