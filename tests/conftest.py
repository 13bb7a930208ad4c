import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Assertions read messages in English, in code and in pages; zh-hans is tested where it matters."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
