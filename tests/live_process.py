"""A real server process started by a test (gunicorn, runserver) and a client for it: shared by the tests that
must see what a running server does (its logs, SQLite under concurrent writers)."""

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser behind a TLS proxy: cookies (the production ones are Secure), no redirects."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = urlencode(data) if data is not None else None
        sent = {
            "X-Forwarded-Proto": "https",  # as the proxy in front says
            "X-Forwarded-For": "203.0.113.7",
            "Host": f"127.0.0.1:{self.port}",
            "Origin": f"https://127.0.0.1:{self.port}",
            "User-Agent": "test-browser",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        response.text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        conn.close()
        return response

    def csrf(self, path: str) -> str:
        page = self.request("GET", path).text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def wait_until_answering(
    process: subprocess.Popen, client: Browser, path: str, *, seconds: float, log: Callable[[], str]
) -> None:
    """Poll `path` until the server answers 200; fail with its log if it exits or does not answer in time."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log()}")
        try:
            if client.request("GET", path).status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the server did not answer within {seconds:.0f} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL to the whole session the test started if it does not end in 15 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
