import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Assertions read messages in English; zh-hans rendering is tested where it matters."""
    from django.utils import translation

    with translation.override("en"):
        yield
