"""Domain errors: each carries a message fit to show the user as it is."""

from django.core.exceptions import ValidationError


class AssessmentError(ValidationError):
    """A request the current state of a cycle, case or ballot does not allow."""


class InvalidTransition(AssessmentError):
    pass


class BallotClosed(AssessmentError):
    pass
