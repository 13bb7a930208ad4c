"""The zh-hans catalogue: complete for the code, fully translated, compiled, and actually used.

Refresh it with `make messages` (makemessages, then translate what is new, then compilemessages).
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from assessments.models import Cycle
from assessments.models.cycles import validate_fraction
from config.settings import base as base_settings

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = Path("locale", "zh_Hans", "LC_MESSAGES")
PO = BASE_DIR / CATALOGUE / "django.po"
MO = BASE_DIR / CATALOGUE / "django.mo"

# The same command as `make messages`.
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "zh_Hans",
    "--no-location",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=bench",
    "--ignore=tests",
]
# Not part of the project's sources (the caches are skipped only to keep the copy small).
NOT_COPIED = {".venv", ".git", "var", "media", "staticfiles", "node_modules"} | {
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}
# makemessages needs all four; the tests below call msgfmt directly.
GETTEXT_TOOLS = {tool: shutil.which(tool) for tool in ("msgfmt", "xgettext", "msgmerge", "msguniq")}
MSGFMT = GETTEXT_TOOLS["msgfmt"] or "msgfmt"
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.skipif(
    None in GETTEXT_TOOLS.values(),
    reason="GNU gettext (msgfmt, xgettext, msgmerge, msguniq) is not on PATH; install the `gettext` package",
)


# --- A small .po reader -----------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """Each live entry as {"flags": set, "msgctxt"/"msgid"/"msgid_plural"/"msgstr"/"msgstr[n]": str}."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None

    def close() -> None:
        nonlocal entry, key
        if "msgid" in entry:
            entries.append(entry)
        entry, key = {"flags": set()}, None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue  # obsolete
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    close()
    return entries


def _message_keys(path: Path) -> set[tuple[str | None, str, str | None]]:
    return {
        (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
        for entry in _po_entries(path)
        if entry["msgid"] != ""
    }


def _describe(keys) -> str:
    return "\n".join(
        "  " + (f"[{ctxt}] " if ctxt else "") + repr(msgid) + (f" / {plural!r}" if plural else "")
        for ctxt, msgid, plural in sorted(keys, key=lambda k: (k[1], k[0] or "", k[2] or ""))
    )


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a trusted tool (gettext, or manage.py under this interpreter), English output, no exception."""
    env = {**os.environ, "LC_ALL": "C", "LANGUAGE": "", **kwargs.pop("env", {})}
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, **kwargs)  # noqa: S603


# --- The catalogue ----------------------------------------------------------------------------


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = _run([MSGFMT, "--check", "--statistics", "-o", os.devnull, str(PO)])
    assert result.returncode == 0, f"msgfmt --check failed:\n{result.stderr}"
    counts = {
        kind: int(m.group(1)) if (m := re.search(rf"(\d+) {kind} (?:message|translation)", result.stderr)) else 0
        for kind in ("translated", "fuzzy", "untranslated")
    }
    fuzzy = {e["msgid"] for e in _po_entries(PO) if "fuzzy" in e["flags"] and e["msgid"]}
    untranslated = {
        e["msgid"]
        for e in _po_entries(PO)
        if e["msgid"] and any(k.startswith("msgstr") and not v for k, v in e.items())
    }
    assert counts["translated"] > 0, result.stderr
    assert (counts["fuzzy"], counts["untranslated"]) == (0, 0), (
        f"{PO.relative_to(BASE_DIR)}: {result.stderr.strip()}\n"
        f"fuzzy: {sorted(fuzzy)}\nuntranslated: {sorted(untranslated)}"
    )


def test_the_catalogue_holds_exactly_the_strings_of_the_code(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        copy,
        ignore=lambda directory, names: [name for name in names if name in NOT_COPIED],
        symlinks=True,
    )
    result = _run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test"},
        timeout=120,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    committed = _message_keys(PO)
    in_code = _message_keys(copy / CATALOGUE / "django.po")
    missing, stale = in_code - committed, committed - in_code
    assert not missing and not stale, (
        "locale/zh_Hans/LC_MESSAGES/django.po is out of step with the code; run `make messages` and translate.\n"
        + (f"Strings in the code but not in the catalogue:\n{_describe(missing)}\n" if missing else "")
        + (f"Strings in the catalogue but no longer in the code:\n{_describe(stale)}\n" if stale else "")
    )


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    assert MO.exists(), f"{MO.relative_to(BASE_DIR)} is missing; run `make messages`"
    fresh = tmp_path / "django.mo"
    result = _run([MSGFMT, "--check-format", "-o", str(fresh), str(PO)])
    assert result.returncode == 0, result.stderr
    with MO.open("rb") as committed_file, fresh.open("rb") as fresh_file:
        committed = gettext.GNUTranslations(committed_file)._catalog
        expected = gettext.GNUTranslations(fresh_file)._catalog
    changed = sorted(str(k) for k in committed.keys() ^ expected.keys()) + sorted(
        str(k) for k in committed.keys() & expected.keys() if committed[k] != expected[k]
    )
    assert committed == expected, (
        f"{MO.relative_to(BASE_DIR)} does not match django.po; run `make messages`. Differing: {changed[:20]}"
    )


# --- The catalogue in use ---------------------------------------------------------------------


def test_choices_and_validation_messages_render_in_chinese():
    with translation.override("zh-hans"):
        label = str(Cycle.Status.OPEN.label)
        with pytest.raises(ValidationError) as error:
            validate_fraction("a third")
        message = " ".join(error.value.messages)
    assert CJK.search(label), label
    assert CJK.search(message), message
    assert label != "Open"
    assert "1/3" in message  # the example survives translation


def test_the_admin_speaks_chinese_by_default(settings, db):
    # The suite's conftest reads messages in English; here the project's own default applies.
    settings.LANGUAGE_CODE = base_settings.LANGUAGE_CODE
    assert settings.LANGUAGE_CODE == "zh-hans"
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans"' in page
    assert "用户名" in page  # Django's own zh_Hans catalogue
    assert "Username" not in page
