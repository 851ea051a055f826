"""Several gunicorn workers writing at once: no error, every acknowledged response stored.

Runs the benchmark of bench/load.py for a few seconds against the real app
(and the bare baseline). Timing figures are printed, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_concurrent_respondents_lose_nothing(tmp_path):
    figures_file = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--seconds",
            "3",
            "--warmup",
            "0.5",
            "--json",
            str(figures_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    app = json.loads(figures_file.read_text())["app"]
    assert app["acknowledged"] > 100
    assert app["errors"] == app["no_answer"] == app["unexpected"] == 0
    assert app["lost"] == 0
    assert app["rows"] >= app["acknowledged"]
    assert app["integrity"] == "ok"
