"""Run in a subprocess by test_sqlite_concurrency.py, with DATABASE_URL pointing at a SQLite file of its own: migrate
it, open a cycle with one case and 20 anonymous codes, and print the codes as JSON on the last line."""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)

from tests.assessments.helpers import open_case  # noqa: E402

_, _, _, _, codes = open_case(members=1, superiors=0, codes=int(sys.argv[1]))
print(json.dumps(codes))
