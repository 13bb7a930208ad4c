from tests.assessments.conftest import hr  # noqa: F401 - the same logged-in HR user as in assessments' tests
