"""Interface languages: the one formatter, and catalogs that are compiled when built, never while serving."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey import i18n
from coresp_survey.web import languages


@pytest.fixture
def translations(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the package's catalogs that the app reads instead of its own."""
    folder = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, folder)
    monkeypatch.setattr(i18n, "TRANSLATIONS", folder)
    monkeypatch.setattr(languages, "TRANSLATIONS", folder)
    return folder


def settings(tmp_path: Path, surveys_dir: Path) -> dict:
    return {"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "db" / "responses.db", "SECRET_KEY": SECRET}


def test_the_app_refuses_to_start_without_a_compiled_catalog(tmp_path, surveys_dir, translations):
    (translations / "fr" / "LC_MESSAGES" / "messages.mo").unlink()
    with pytest.raises(i18n.CatalogMissing, match=r"fr/LC_MESSAGES/messages\.mo.*pybabel compile"):
        create_app(settings(tmp_path, surveys_dir))


def test_starting_the_app_compiles_nothing(tmp_path, surveys_dir, translations):
    """Catalogs are compiled by the build (setup.py) or scripts/setup.sh, not by every worker at start."""
    po = translations / "fr" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, (1_000_000_000, 1_000_000_000))  # older than its .po: the start used to compile it again
    create_app(settings(tmp_path, surveys_dir))
    assert mo.stat().st_mtime == 1_000_000_000


def test_check_catalogs_names_every_missing_file(tmp_path):
    with pytest.raises(i18n.CatalogMissing) as missing:
        i18n.check_catalogs(tmp_path)
    for code in i18n.LANGUAGES:
        assert str(tmp_path / code / "LC_MESSAGES" / "messages.mo") in str(missing.value)


def test_the_package_catalogs_are_there():
    i18n.check_catalogs()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", ("1\u202f234,5", "3", "0,12", "de 50\xa0% à 75\xa0%")), ("en", ("1,234.5", "3", "0.12", "50% to 75%"))],
)
def test_numbers_and_intervals(lang, expected):
    words = i18n.language(lang)
    assert (words.number(1234.5), words.number(3.0), words.number(0.123, decimals=2), words.interval(0.5, 0.75)) == (
        expected
    )
    assert words.interval(None, 0.5) == ""
