"""Test settings: the developer's (local.py) with whatever DATABASE_URL / REDIS_URL the test command was given,
DEBUG off as in production, fast hashing, and files of this run only."""

import atexit
import shutil
import tempfile
import uuid
from pathlib import Path

from .base import PDF_TASKS
from .local import *  # noqa: F403
from .local import env

# Each test run has a queue of its own, so two runs on one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("KAOPING_CELERY_QUEUE", default=f"test-{uuid.uuid4().hex[:12]}")
KAOPING_PDF_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-pdf"
CELERY_TASK_ROUTES = {name: {"queue": KAOPING_PDF_QUEUE} for name in PDF_TASKS}

SECRET_KEY = env.str("SECRET_KEY", default="test-only-key")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem for the suite; the real-worker test points its worker at files it can read back.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="")
# Files of this run only: a fresh test database reuses ids, and a report or evidence path of an earlier run
# would otherwise be found on disk. Workers started by the integration tests are given their own.
if env.str("MEDIA_ROOT", default=""):
    MEDIA_ROOT = Path(env.str("MEDIA_ROOT"))
else:
    # A path of its own, made by the storage on the first file saved: loading settings creates nothing.
    MEDIA_ROOT = Path(tempfile.gettempdir()) / f"kaoping-test-media-{uuid.uuid4().hex}"
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
