"""Rater groups became rows (migration 0010). The demo, seeded and scored by the code before the change, is migrated
and scored again by today's code: every figure is the same to the cent. The code before is the commit before the
change, taken from this repository's history, and runs in its own process on its own database file, as an upgrade
of a real installation would."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "c594abe"  # the last commit with weight columns (weight_superior, weight_peer, weight_subordinate)
DUMP = Path(__file__).parent / "migration" / "score_and_dump.py"


def _run(args: list[str], *, cwd: Path, database: Path, stdin: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"DATABASE_URL": f"sqlite:///{database}", "KAOPING_VAR_DIR": str(database.parent / "var")}
    with open(stdin) if stdin else open(os.devnull) as given:
        done = subprocess.run(  # noqa: S603 - our own manage.py, with arguments the test gives
            [sys.executable, "manage.py", *args],
            cwd=cwd,
            env=env,
            stdin=given,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _figures(output: str) -> dict:
    line = next(line for line in output.splitlines() if line.startswith("FIGURES "))
    return json.loads(line.removeprefix("FIGURES "))


@pytest.fixture
def old_checkout(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the code before the change comes from the repository's history")
    known = subprocess.run(["git", "cat-file", "-e", f"{BEFORE}^{{commit}}"], cwd=ROOT, capture_output=True)  # noqa: S603, S607
    if known.returncode != 0:
        pytest.skip(f"commit {BEFORE} is not in this clone's history (a shallow clone?)")
    tree = tmp_path / "before"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", BEFORE], cwd=ROOT, capture_output=True, check=True)  # noqa: S603, S607
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)  # noqa: S603, S607
    return tree


def test_scoring_the_demo_before_and_after_the_migration_gives_the_same_figures_to_the_cent(old_checkout, tmp_path):
    database = tmp_path / "upgrade.sqlite3"
    _run(["migrate", "-v0"], cwd=old_checkout, database=database)
    _run(["seed_demo"], cwd=old_checkout, database=database)
    before = _figures(_run(["shell"], cwd=old_checkout, database=database, stdin=DUMP))

    _run(["migrate", "-v0"], cwd=ROOT, database=database)
    after = _figures(_run(["shell"], cwd=ROOT, database=database, stdin=DUMP))

    assert len(before) > 100, "the demo has two scored cycles of a dozen teams"
    assert sum(1 for f in before.values() if f["total"] is not None) > 50
    assert after.keys() == before.keys()
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert not changed, f"{len(changed)} results differ, e.g. {next(iter(changed.items()))}"
