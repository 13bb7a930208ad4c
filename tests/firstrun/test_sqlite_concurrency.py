"""Issue 13, the first run: the embedded SQLite default holds a meeting room of phones.

`make run` serves with `manage.py runserver` on a SQLite file. Twenty raters exchange their codes, tap through
their sheets (one autosave per tap, all at once) and submit together; no request may fail with "database is
locked" (WAL, a busy timeout that is honoured, and IMMEDIATE transactions so writers queue). The server runs in a
subprocess on a SQLite file of its own, whatever DATABASE_URL the suite was given.
"""

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.live_process import Browser, free_port, stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
RATERS = 20


class Phone(Browser):
    """A phone on the meeting room's network: plain HTTP straight to `make run`'s server."""

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        plain = {"Origin": f"http://127.0.0.1:{self.port}", "X-Forwarded-Proto": "http", **(headers or {})}
        return super().request(method, path, data, plain)


@pytest.fixture
def sqlite_server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "KAOPING_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    seeded = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__).with_name("seed_sqlite.py")), str(RATERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert seeded.returncode == 0, seeded.stderr
    codes = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments, as `make run` starts it
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_until_answering(process, Phone(port), "/b/", seconds=60, log=(tmp_path / "server.log").read_text)
    yield port, codes, tmp_path / "server.log"
    stop(process)
    log.close()


def rate(port: int, code: str) -> list[tuple[str, int, str]]:
    """One rater: exchange the code, tap every answer of every section (an autosave each), submit."""
    browser = Phone(port)
    answers = []
    token = browser.csrf("/b/")
    exchanged = browser.request("POST", "/b/", {"csrfmiddlewaretoken": token, "code": code})
    assert exchanged.status == 303, exchanged.text[:500]
    sheet = exchanged.getheader("Location")
    page = browser.request("GET", sheet)
    sections = len(set(re.findall(r'name="go" value="(\d+)"', page.text))) or 1
    for index in range(1, sections + 1):
        page = browser.request("GET", f"{sheet}?p={index}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        taps = [{name: "8"} for name in dict.fromkeys(re.findall(r'name="(i\d+)"', page.text))]
        taps.append({"vote": "competent"})
        for tap in taps:
            saved = browser.request(
                "POST", sheet, {**tap, "p": str(index), "csrfmiddlewaretoken": token}, headers={"X-Autosave": "1"}
            )
            answers.append(("autosave", saved.status, saved.text[:300]))
    submitted = browser.request("POST", sheet + "submit/", {"csrfmiddlewaretoken": token, "confirm": "on"})
    answers.append(("submit", submitted.status, submitted.text[:300]))
    return answers


def test_twenty_phones_autosave_and_submit_at_once_on_sqlite(sqlite_server):
    port, codes, log = sqlite_server
    assert len(codes) == RATERS
    with ThreadPoolExecutor(max_workers=RATERS) as pool:
        results = [answer for answers in pool.map(lambda code: rate(port, code), codes) for answer in answers]
    failures = [answer for answer in results if answer[1] != 200]
    assert not failures, f"{len(failures)} of {len(results)} failed, e.g. {failures[:3]}\n{log.read_text()[-3000:]}"
    assert sum(1 for kind, _, _ in results if kind == "submit") == RATERS
    assert "database is locked" not in log.read_text()


def test_make_runs_server_shows_our_error_pages_and_serves_static_files(sqlite_server):
    port, _, _ = sqlite_server
    phone = Phone(port)
    missing = phone.request("GET", "/no/such/page/")
    assert missing.status == 404
    assert "页面不存在" in missing.text  # zh-hans, the default language
    assert "URLconf" not in missing.text  # not Django's debug page
    assert phone.request("GET", "/static/kaoping/kaoping.css").status == 200
