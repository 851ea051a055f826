"""The server killed with SIGKILL at random moments loses nothing it acknowledged.

Runs the crash proof of bench/crash.py: the real app under gunicorn, concurrent
respondents over HTTP, three kills of the whole process group, restarts on the
same database file. The figures are printed; the promises are asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_answer(tmp_path):
    figures_file = tmp_path / "crash.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash.py"), "--kills", "3", "--json", str(figures_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(figures_file.read_text())
    final = report["final"]
    assert report["kills"] == len(report["after_kill"]) == 3
    assert final["acknowledged"] > 100
    assert final["lost"] == final["duplicated"] == final["drafts_lost"] == 0
    assert final["integrity"] == "ok"
    assert all(after["lost"] == after["drafts_lost"] == 0 for after in report["after_kill"])
    assert all(after["integrity"] == "ok" for after in report["after_kill"])
    assert report["errors"] == report["unexpected"] == {}
    resumed = report["resumed"]
    assert resumed["tried"] > 0 and resumed["finished"] == resumed["tried"] and resumed["wrong_answers"] == 0
