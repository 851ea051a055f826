"""A wheel built from a clean clone speaks French: its compiled catalogs are made by the build, not committed.

Slow: it clones the repository (its last commit), builds the wheel, and
installs it with its dependencies into a fresh virtual environment, whose
Python then serves the forms and publishes the site from outside the clone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SERVE = """
import sys
from pathlib import Path
import coresp_survey
from coresp_survey import create_app
assert "site-packages" in coresp_survey.__file__, coresp_survey.__file__
app = create_app({"SURVEYS_DIR": Path("surveys"), "DATABASE": Path("db/responses.db").resolve(), "SECRET_KEY": "wheel-test-secret-key-of-32-characters"})
page = app.test_client().get("/fr/")
assert page.status_code == 200, page.status_code
sys.stdout.write(page.text)
"""

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict | None = None) -> str:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The Python of a fresh virtual environment holding only the wheel and its dependencies."""
    folder = tmp_path_factory.mktemp("wheel")
    clone = folder / "clone"
    run("git", "clone", "--quiet", ROOT, clone, cwd=folder)
    assert list(clone.rglob("*.po")) and not list(clone.rglob("*.mo"))  # only the sources are committed
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", folder / "dist", clone, cwd=folder)
    (wheel,) = (folder / "dist").glob("coresp_survey-*.whl")
    run(sys.executable, "-m", "venv", folder / "venv", cwd=folder)
    python = folder / "venv" / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=folder)
    return python


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "surveys", tmp_path / "surveys")
    return tmp_path


def test_the_installed_app_serves_french(installed, instance):
    page = run(installed, "-c", SERVE, cwd=instance)
    assert '<html lang="fr">' in page
    assert "Aller au contenu" in page and "Skip to content" not in page


def test_the_installed_command_publishes_in_french_and_english(installed, instance):
    command = installed.parent / "coresp-survey"
    run(command, "--surveys", "surveys", "--db", "db/responses.db", "build", "--out", "site", cwd=instance)
    french = (instance / "site" / "fr" / "index.html").read_text(encoding="utf-8")
    english = (instance / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in french and "Résultats publiés" in french and "Aller au contenu" in french
    assert '<html lang="en">' in english and "Published results" in english and "Skip to content" in english
    assert (instance / "site" / "fr" / "college-bien-etre" / "report.pdf").stat().st_size > 10_000
