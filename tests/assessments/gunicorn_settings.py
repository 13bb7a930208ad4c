"""The production settings, as the README runs them, for the gunicorn started by test_logs_hold_no_codes.py. Only the
static files differ: served from the apps, so that the test does not wait a minute for collectstatic."""

from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
