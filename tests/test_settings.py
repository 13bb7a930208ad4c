"""Production settings: no secret defaults, and Django's deployment checks pass."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ALLOWED_HOSTS")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="kaoping.example.com")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "Set the DJANGO_ALLOWED_HOSTS environment variable" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k9$Zq2!vR7#pL4@wN8^tY6&hB3*mC1(xF5)jD0_sG+eA" * 2,
        DJANGO_ALLOWED_HOSTS="kaoping.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_keeps_database_connections_open_between_requests():
    code = "from django.conf import settings as s; d = s.DATABASES['default']; "
    code += "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    result = run_manage("shell", "-c", code, SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="kaoping.example.com")
    assert result.stdout.strip().splitlines()[-1] == "60 True", result.stderr
