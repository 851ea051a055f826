"""Real LibreOffice: a workbook the project wrote, saved by LibreOffice as .ods and back as .xlsx, still loads.

`convert --to xlsx` writes with openpyxl and the tests' .ods writer is our own;
here Debian's LibreOffice Calc (headless, installed by scripts/test.sh) opens
the project's workbook and saves it in its own format, then saves that back to
.xlsx, as an author's "Save as" would. Both load as the same survey.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import BUNDLED_SURVEYS
from workbooks import signature

from coresp_survey.cli import main
from coresp_survey.survey.loader import load_survey

pytestmark = pytest.mark.slow


def libreoffice_convert(source: Path, to: str, out: Path, profile: Path) -> Path:
    """``soffice --headless --convert-to`` with a profile of its own (no user's settings, no lock on theirs)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: scripts/test.sh installs Debian's libreoffice-calc"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", to,
         "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    converted = out / f"{source.stem}.{to.split(':')[0]}"
    assert converted.is_file(), f"LibreOffice wrote no {converted.name}"
    return converted


@pytest.mark.parametrize("name", ["college-bien-etre", "quartier-bien-vivre"])
def test_libreoffice_saves_the_projects_workbook_as_ods_and_back_and_both_load(tmp_path, name):
    original = load_survey(BUNDLED_SURVEYS / f"{name}.yaml")
    written = tmp_path / f"{name}.xlsx"
    assert (
        CliRunner().invoke(main, ["convert", str(BUNDLED_SURVEYS / f"{name}.yaml"), "--out", str(written)]).exit_code
        == 0
    )
    ods = libreoffice_convert(written, "ods", tmp_path / "ods", tmp_path / "profile")
    from_ods = load_survey(ods)
    assert from_ods.source.format == "ods" and signature(from_ods) == signature(original)
    xlsx = libreoffice_convert(ods, "xlsx:Calc MS Excel 2007 XML", tmp_path / "xlsx", tmp_path / "profile")
    from_xlsx = load_survey(xlsx)
    assert signature(from_xlsx) == signature(original)
    result = CliRunner().invoke(main, ["validate", str(ods), str(xlsx)])
    assert result.exit_code == 1 and "already used by" in result.stdout  # the same id twice: both are that survey
