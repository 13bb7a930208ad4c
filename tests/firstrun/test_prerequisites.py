"""Issue 13, the first run: `make run` checks what it needs from the system before anything else and says, in one
line, what to install (scripts/check_prerequisites.py, the first step of the Makefile's `run`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_prerequisites.py"
NO_FONTS = '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n'


def check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT)], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )


@pytest.fixture
def no_fonts(tmp_path) -> str:
    """A machine without fonts, as fontconfig sees it: a configuration with no font folder and no cache."""
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed here: the check would name it anyway")
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_FONTS)
    return str(conf)


def test_without_the_cjk_fonts_make_run_stops_with_one_line_naming_the_package(no_fonts):
    done = check(FONTCONFIG_FILE=no_fonts)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "apt-get install fonts-noto-cjk" in lines[0]
    assert "python3.11" not in lines[0]  # only what is missing


def test_without_python_311_the_line_names_it_with_the_fonts(no_fonts, tmp_path):
    done = check(FONTCONFIG_FILE=no_fonts, PYTHON="python3.11-not-here", VENV=str(tmp_path / "no-venv"))
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "apt-get install python3.11 python3.11-venv fonts-noto-cjk" in line


def test_a_machine_with_everything_passes_silently():
    if "Noto Sans CJK SC" not in subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout:  # noqa: S607
        pytest.skip("fonts-noto-cjk is not installed on this machine")
    done = check(VENV=str(ROOT / ".venv"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_make_run_checks_the_prerequisites_first_and_runs_with_debug_off():
    lines = (ROOT / "Makefile").read_text().splitlines()
    assert "run: prerequisites install" in lines
    assert "run: export DJANGO_DEBUG ?= 0" in lines  # friendly error pages, never Django's debug page
    check = lines[lines.index("prerequisites:") + 1 :][:3]
    assert any("scripts/check_prerequisites.py" in line for line in check)
