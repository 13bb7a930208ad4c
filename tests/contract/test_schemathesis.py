"""The API against its own OpenAPI schema, as a generated client would see it: schemathesis drives a live
server with two API keys of different scopes and owners, every check on (no server error, responses that
conform to the schema, bad input rejected, object-level authorization between the two keys)."""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from assessments.services import cycle_release
from core.api.scopes import Scope
from tests.assessments.helpers import login_as, open_case, released_case
from tests.followup.plan_helpers import plan_to
from tests.integrations.factories import api_client

pytestmark = [pytest.mark.contract, pytest.mark.django_db(transaction=True)]

# Enough examples per operation to find what a careless client sends; small enough for CI.
MAX_EXAMPLES = int(os.environ.get("KAOPING_SCHEMATHESIS_EXAMPLES", "15"))


def schemathesis() -> str:
    found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if found is None:
        pytest.fail("schemathesis is pinned in requirements/local.txt; install the requirements")
    return found


def test_the_api_keeps_its_schema_under_generated_requests(live_server, tmp_path, settings, capsys):
    # Plenty of data for the generated requests to find: an open cycle, a released one with results.
    open_case(members=3, superiors=1, codes=2)
    cycle, case, (principal, leader, *_) = released_case(release=False)
    cycle_release(cycle=cycle)
    # The live server runs in this process: a rate of its own lets the writes through instead of drowning
    # them in 429s after the first few hundred requests.
    settings.KAOPING_API_RATE = "100000/min"

    hr = api_client(*Scope.values)  # HR's integration: every scope
    reader_client = APIClient()
    login_as(reader_client, leader)
    reader = api_client(Scope.PEOPLE_READ, Scope.RESULTS_READ, Scope.CYCLES_READ, Scope.PLANS_READ, owner=leader.user)
    # Plans for both keys to read (the leader only their own) and for HR's transitions to move on or refuse.
    plan_to("submitted", case, leader, hr.key.owner)
    plan_to("completed", case, principal, hr.key.owner)

    schema = hr.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    schema_path = tmp_path / "schema.json"
    schema_path.write_bytes(schema.content if schema.content.startswith(b"{") else json.dumps(schema.data).encode())

    auth = {
        "auth": [
            {"name": "hr", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {hr.raw_key}"}]},
            {"name": "leader", "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {reader.raw_key}"}]},
        ]
    }
    (tmp_path / "auth.json").write_text(json.dumps(auth))
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        f"""
[generation]
max-examples = {MAX_EXAMPLES}

# Data the schema allows can still break a rule no schema can state: a parent code that does not exist,
# a transition the cycle's state refuses, a key already taken. Those are 400s with the reason, by design.
[checks.positive_data_acceptance]
expected-statuses = ["2XX", 400, 401, 403, 404, 405]

[auth.wfc]
path = "{tmp_path / "auth.json"}"
user = "hr"
peers = ["hr", "leader"]
"""
    )
    har_path = tmp_path / "requests.har"
    result = subprocess.run(  # noqa: S603 - our own tool and arguments
        [
            schemathesis(),
            "--config-file",
            str(config),
            "run",
            str(schema_path),
            "--url",
            live_server.url,
            "--checks",
            "all",
            "--workers",
            "1",
            "--max-failures",
            "20",
            "--request-timeout",
            "20",
            "--report",
            "har",
            "--report-har-path",
            str(har_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    counts = response_counts(har_path)
    with capsys.disabled():  # past pytest's capture: the figures CI's log shows for the run
        print(f"\n{counts.summary()}")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert counts.server_errors == [], counts.server_errors[:20]
    # Exercised, not merely throttled: most write cases reach the view.
    assert counts.writes >= 50, counts.summary()
    assert counts.writes_past_throttle >= 0.9 * counts.writes, counts.summary()


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Counts:
    by_method_status: Counter
    server_errors: list[str]

    @property
    def writes(self) -> int:
        return sum(n for (method, _status), n in self.by_method_status.items() if method in WRITES)

    @property
    def writes_past_throttle(self) -> int:
        return sum(n for (method, status), n in self.by_method_status.items() if method in WRITES and status != 429)

    def summary(self) -> str:
        total = sum(self.by_method_status.values())
        table = ", ".join(f"{m} {s}: {n}" for (m, s), n in sorted(self.by_method_status.items()))
        return (
            f"schemathesis: {total} cases, {self.writes} write cases, {self.writes_past_throttle} past 429, "
            f"{len(self.server_errors)} × 5xx ({table})"
        )


def response_counts(har_path: Path) -> Counts:
    """Every request schemathesis sent, by method and status, from its HAR report."""
    entries = json.loads(har_path.read_text())["log"]["entries"] if har_path.exists() else []
    by_method_status: Counter = Counter()
    server_errors = []
    for entry in entries:
        method, status = entry["request"]["method"].upper(), int(entry["response"]["status"])
        by_method_status[method, status] += 1
        if status >= 500:
            server_errors.append(f"{method} {entry['request']['url']} → {status}")
    return Counts(by_method_status, server_errors)
