"""Issue 11, finding 6: no log holds a ballot code, its hash or a /b/ address.

A real gunicorn, started as the README's production command starts it (`-c config/gunicorn.conf.py`, production
settings), with its access log, its error log and its output in files. The test uses it as raters and guessers
would: a wrong code, an old slip's /b/<code>/ link, the /b/ page's exchange of a code from the QR link's '#' part,
autosave, review, submit, a CSRF refusal, a throttled guesser. Then it reads every file and looks for every code in
every form it could take.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from assessments.models import Ballot
from assessments.services import sheet_for
from assessments.services.codes import code_resolve
from tests.assessments.helpers import fill, open_case
from tests.live_process import Browser, free_port, stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the gunicorn process shares the test's database: set DATABASE_URL to PostgreSQL")
    port = free_port()
    db = connection.settings_dict
    logs = {name: tmp_path / f"{name}.log" for name in ("access", "error", "output")}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.assessments.gunicorn_settings",
        "SECRET_KEY": "a-test-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": "",  # the throttle's counts in the one worker's memory: nothing shared with other runs
        "KAOPING_VAR_DIR": str(tmp_path / "var"),
        "KAOPING_CODE_MISSES": "3/10m",
        "LOG_LEVEL": "DEBUG",  # the most a log could ever say
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS", "DJANGO_DEBUG"):
        env.pop(name, None)
    output = logs["output"].open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",  # the README's production command
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",  # one worker's memory holds the throttle's counts
            f"--access-logfile={logs['access']}",
            f"--error-logfile={logs['error']}",
            "--log-level=debug",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = Browser(port)
    wait_until_answering(
        process,
        client,
        "/accounts/login/",
        seconds=30,
        log=lambda: logs["output"].read_text() + logs["error"].read_text(),
    )
    yield client, logs
    stop(process)
    output.close()


def forms_of(code: str) -> set[str]:
    """Every way a log could write a code: as printed (grouped), normalised, in lower case, and its SHA-256."""
    grouped = "-".join(code[i : i + 4] for i in range(0, len(code), 4))
    return {code, code.lower(), grouped, grouped.lower(), hashlib.sha256(code.encode()).hexdigest()}


def test_a_real_gunicorn_writes_no_code_no_hash_and_no_ballot_address_to_any_log(server):
    client, logs = server
    _, _case, (a, b), _, codes = open_case(members=2, superiors=0, codes=3)
    old_slip, scanned, _unused = codes
    wrong = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    # A guesser: a wrong code typed, then wrong codes in the path until the throttle answers 429.
    token = client.csrf("/b/")
    assert client.request("POST", "/b/", {"csrfmiddlewaretoken": token, "code": wrong}).status == 404
    assert client.request("GET", f"/b/{wrong[::-1]}/").status == 404
    assert client.request("GET", f"/b/{wrong.lower()}/?p=2").status == 404
    assert client.request("GET", f"/b/{wrong[1:]}Q/").status == 429

    # An old slip (the code in the path) and a scanned QR code (the /b/ page posts what followed '#').
    client_old = Browser(client.port)
    opened = client_old.request("GET", f"/b/{old_slip}/")
    assert opened.status == 303 and old_slip not in opened.getheader("Location")
    assert client_old.request("GET", opened.getheader("Location")).status == 200

    fresh = Browser(client.port)
    token = fresh.csrf("/b/")
    exchanged = fresh.request("POST", "/b/", {"csrfmiddlewaretoken": token, "code": scanned})
    assert exchanged.status == 303
    sheet = exchanged.getheader("Location")
    assert scanned not in sheet and fresh.request("GET", sheet + "?p=2").status == 200

    # Autosave, review and submit, as the page's script and forms do.
    fill(code=scanned, scores={a: 8, b: 7, "team": 8}, submit=False)
    live = sheet_for(code=code_resolve(code=scanned))
    token = fresh.csrf(sheet + "?p=1")
    field = {f"i{live.indicators[0].pk}": "9", "p": "1", "csrfmiddlewaretoken": token}
    saved = fresh.request("POST", sheet + "?p=1", field, headers={"X-Autosave": "1"})
    assert saved.status == 200 and '"saved": true' in saved.text
    assert fresh.request("GET", sheet + "submit/").status == 200
    refused = Browser(client.port).request("POST", sheet + "submit/?p=1", {"confirm": "on"})  # no CSRF cookie
    assert refused.status == 403
    submitted = fresh.request("POST", sheet + "submit/", {"csrfmiddlewaretoken": token, "confirm": "on"})
    assert (submitted.status == 200 and "Ballot submitted" in submitted.text) or "已提交" in submitted.text
    assert Ballot.objects.filter(kind="anonymous").count() == 1
    assert fresh.request("GET", sheet).status == 404  # the spent sheet: the neutral page

    time.sleep(0.5)  # let gunicorn flush its access log
    texts = {name: path.read_text(errors="replace") for name, path in logs.items()}
    assert texts["access"].count("\n") >= 15, texts["access"]  # the access log was written, request by request
    assert "/b/[redacted]" in texts["access"] and "Not Found: /b/[redacted]" in texts["output"] + texts["error"]
    for code in (*codes, wrong, wrong[::-1], wrong.lower(), f"{wrong[1:]}Q"):
        for form in forms_of(code):
            for name, text in texts.items():
                assert form not in text, f"{name} log holds {form}"
    slot = sheet.rstrip("/").rsplit("/", 1)[-1]
    for name, text in texts.items():
        assert slot not in text, f"{name} log holds the sheet's slot"
        assert "?p=" not in text, f"{name} log holds a query string of /b/"
