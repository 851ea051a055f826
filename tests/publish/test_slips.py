"""Invitation slips: `codes … --pdf FILE --url URL` prints one slip per code, eight to an A4 page, safely."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from helpers import BUNDLED_SURVEYS
from helpers import for_people

from coresp_survey.cli import main
from coresp_survey.publish import slips
from coresp_survey.publish.report import StaticFetcher

BUNDLED = BUNDLED_SURVEYS
SURVEY = "quartier-bien-vivre"
BASE = "https://enquetes.example.org/quartier/"  # the trailing slash is dropped
CODE = re.compile(r"^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$")
HOSTILE_FR = '<script>alert(1)</script> <img src="file:///etc/passwd">'
HOSTILE_EN = '<b>Bold</b> & <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'


def hostile_survey() -> str:
    """The bundled neighbourhood survey under another id, with a title made to be run as HTML."""
    text = (BUNDLED / f"{SURVEY}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {SURVEY}", "id: hostile", 1)
    title = re.search(r"^title: .*$", text, re.MULTILINE).group(0)
    fr, en = (value.replace('"', '\\"') for value in (HOSTILE_FR, HOSTILE_EN))
    return text.replace(title, f'title: {{fr: "{fr}", en: "{en}"}}', 1)


class Run:
    """One `coresp-survey codes` on the module's folder and database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {"CORESP_SURVEYS": str(folder / "surveys"), "CORESP_DB": str(folder / "responses.db")}

    def __call__(self, *args: str):
        return CliRunner().invoke(main, ["codes", *args], env=self.env)

    def codes_in_database(self) -> int:
        with sqlite3.connect(self.folder / "responses-codes.db") as db:
            return db.execute("SELECT count(*) FROM codes").fetchone()[0]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    folder = tmp_path_factory.mktemp("slips")
    shutil.copytree(BUNDLED, folder / "surveys")
    (folder / "surveys" / "hostile.yaml").write_text(hostile_survey(), encoding="utf-8")
    return Run(folder)


@pytest.fixture(scope="module")
def made(run):
    """Ten codes for the young people, with their slips (the module's one big PDF)."""
    result = run(SURVEY, "--group", "jeunes", "--count", "10", "--pdf", str(run.folder / "slips.pdf"), "--url", BASE)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(for_people(result.stdout))))
    reader = pypdf.PdfReader(run.folder / "slips.pdf")
    return result, rows, reader, text_of(reader)


@pytest.fixture(scope="module")
def hostile(run):
    """One slip of the hostile survey, with every URL WeasyPrint asked for."""
    fetched = []
    fetch = StaticFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return fetch(self, url, headers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFetcher, "fetch", recording)
        result = run("hostile", "--group", "aines", "--pdf", str(run.folder / "hostile.pdf"), "--url", BASE)
    assert result.exit_code == 0, result.output
    return pypdf.PdfReader(run.folder / "hostile.pdf"), fetched


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """Text without any white space: a title wrapped over two lines still matches."""
    return re.sub(r"\s+", "", text)


def test_csv_output_is_the_same_with_slips(run, made):
    result, rows, _, _ = made
    assert rows[0] == ["code", "group"]
    assert len(rows) == 11
    assert all(CODE.match(code) and group == "jeunes" for code, group in rows[1:])
    plain = run(SURVEY, "--group", "jeunes", "--count", "10")
    assert plain.exit_code == 0
    assert CODE.sub("X", _lines(result.stdout)) == CODE.sub("X", _lines(plain.stdout))
    assert "10 code(s) made for quartier-bien-vivre / jeunes." in result.stderr
    assert "10 slip(s) on 2 page(s) written to" in result.stderr


def _lines(text: str) -> str:
    return "\n".join(CODE.sub("X", line.split(",")[0]) + "," + line.split(",", 1)[1] for line in text.splitlines())


def test_every_code_is_on_exactly_one_slip(made):
    _, rows, _, text = made
    for code, _ in rows[1:]:
        assert text.count(code) == 1, code


def test_eight_slips_to_a_page(made):
    _, rows, reader, _ = made
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert sum(code in first for code, _ in rows[1:]) == 8
    assert sum(code in second for code, _ in rows[1:]) == 2
    width, height = (float(value) for value in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_slip_says_everything_in_both_languages(made):
    _, _, _, text = made
    for expected in [
        "Bien vivre dans le quartier",
        "Living well in the neighbourhood",
        "Vous êtes invité·e à répondre à cette enquête anonyme",
        "jusqu’au 18 décembre 2026, à l’adresse\u00a0:",
        "You are invited to answer this anonymous survey until",
        "December 18, 2026, at this address:",
        "https://enquetes.example.org/quartier/fr/quartier-bien-vivre/",
        "https://enquetes.example.org/quartier/en/quartier-bien-vivre/",
        "Code d’invitation · Invitation code",
        "Groupe\u00a0: Jeunes (15-25 ans) · Group: Young people (15-25)",
    ]:
        assert text.count(expected) == 10, expected


def test_fonts_are_embedded(made):
    _, _, reader, _ = made
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for described in font.get("/DescendantFonts", [font]):
                descriptor = described.get_object()["/FontDescriptor"].get_object()
                fonts[font["/BaseFont"]] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert any("Mono" in name for name in fonts)  # the code's face
    assert fonts and all(fonts.values()), fonts


def test_hostile_title_is_printed_as_text_and_fetches_nothing(hostile):
    reader, fetched = hostile
    text = text_of(reader)
    assert squeezed(HOSTILE_FR) in squeezed(text)
    assert squeezed(HOSTILE_EN) in squeezed(text)
    assert "root:" not in text
    assert [url.rsplit("/", 1)[-1] for url in fetched] == ["slips.css"]
    objects = [item.get_object() for page in reader.pages for item in page["/Resources"].get("/XObject", {}).values()]
    assert not [item for item in objects if item.get("/Subtype") == "/Image"]


def test_slips_of_a_public_survey_are_refused(run):
    pdf = run.folder / "public.pdf"
    result = run("college-bien-etre", "--group", "eleves", "--pdf", str(pdf), "--url", BASE)
    assert result.exit_code == 1
    assert "is public" in result.stderr
    assert not pdf.exists()
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--pdf needs --url"),
        (["--url", "enquetes.example.org"], "Invalid value for --url"),
        (["--url", "ftp://enquetes.example.org"], "Invalid value for --url"),
        (["--url", "https://enquetes.example.org/?code=1"], "Invalid value for --url"),
    ],
)
def test_slips_without_a_usable_address_make_no_code(run, args, message):
    before = run.codes_in_database()
    pdf = run.folder / "refused.pdf"
    result = run(SURVEY, "--group", "adultes", "--count", "3", "--pdf", str(pdf), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert run.codes_in_database() == before
    assert not pdf.exists()


@pytest.mark.parametrize(
    ("base", "address"),
    [
        ("https://example.org", "https://example.org/fr/s/"),
        ("https://example.org/", "https://example.org/fr/s/"),
        (" http://example.org/forms// ", "http://example.org/forms/fr/s/"),
    ],
)
def test_survey_address(base, address):
    assert slips.survey_address(base, "fr", "s") == address


def test_slip_without_a_closing_date_only_invites(app):
    survey = app.extensions["surveys"]["coded"]
    with app.app_context():
        french = slips.wording(survey, survey.group("young"), "https://example.org", "fr")
        english = slips.wording(survey, None, "https://example.org", "en")
    assert french.invitation == "Vous êtes invité·e à répondre à cette enquête anonyme à l’adresse\u00a0:"
    assert french.group == "Groupe\u00a0: Jeunes"
    assert english.invitation == "You are invited to answer this anonymous survey at this address:"
    assert english.group is None
