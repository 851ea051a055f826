"""The published static site: files, links, twins, data downloads, suppression, escaping, atomic rebuilds."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from click.testing import CliRunner
from helpers import BUNDLED_SURVEYS
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey import demo as demo_data
from coresp_survey.answers.database import prepare
from coresp_survey.answers.records import Response
from coresp_survey.answers.responses import import_responses
from coresp_survey.cli import main
from coresp_survey.figures import indicators
from coresp_survey.publish import site as publish
from coresp_survey.survey.catalog import load_catalog

BUNDLED = BUNDLED_SURVEYS
SCHOOL = "college-bien-etre"
HOSTILE = "<script>alert(1)</script>"

TINY_SURVEY = """
id: tiny
round: "2"
languages: [fr, en]
title: {fr: "Petit <script>alert(1)</script>", en: "Tiny <script>alert(1)</script>"}
groups:
  - {id: big, label: {fr: "Grands", en: "Big"}, size: 40}
  - {id: mid, label: {fr: "Moyens", en: "Middle"}}
  - {id: small, label: {fr: "Petits \\"><img src=x onerror=alert(1)>", en: "Small \\"><img src=x onerror=alert(1)>"}}
sections:
  - id: s
    title: {fr: "S", en: "S"}
    questions:
      - id: q
        type: scale
        scale: spiral5
        label: {fr: "Question <b>q</b> ?", en: "Question <b>q</b>?"}
indicators:
  - id: ind
    question: q
    family: B
    label: {fr: "Indicateur <i>x</i>", en: "Indicator <i>x</i>"}
"""

# round "1": big 20 (levels 3-4), mid 8, small 2; round "2": big 30, mid 9, small 3 -> small and mid hidden
TINY_ROWS = (
    [("1", "big", {"q": 3 + i % 2}) for i in range(20)]
    + [("1", "mid", {"q": 2}) for _ in range(8)]
    + [("1", "small", {"q": 1}) for _ in range(2)]
    + [("2", "big", {"q": 4 + i % 2}) for i in range(30)]
    + [("2", "mid", {"q": 1 + i % 5}) for i in range(9)]
    + [("2", "small", {"q": 5}) for _ in range(3)]
)


def make_site(folder: Path, *, base_url: str | None = None, with_tiny: bool = True, empty_quartier: bool = True):
    """Surveys (the bundled ones + `TINY_SURVEY`), a real database with answers, and the built site."""
    surveys = folder / "surveys"
    shutil.copytree(BUNDLED, surveys)
    if with_tiny:
        (surveys / "tiny.yaml").write_text(TINY_SURVEY, encoding="utf-8")
    app = create_app({"SURVEYS_DIR": surveys, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    db = prepare(app.config["DATABASE"])
    school = app.extensions["surveys"][SCHOOL]
    rows = demo_data.synthetic_responses(school, ["2025", "2026"], 300, seed=7)
    import_responses(db, survey=SCHOOL, lang="fr", rows=rows)
    if with_tiny:
        import_responses(db, survey="tiny", lang="fr", rows=TINY_ROWS)
    db.close()
    built = publish.build_site(
        app.extensions["surveys"], app.config["DATABASE"], folder / "site", base_url, with_pdf=False
    )
    return app, built


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("published")
    app, built = make_site(folder)
    return built.out


@pytest.fixture(scope="module")
def surveys():
    return load_catalog(BUNDLED)


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class LinkParser(HTMLParser):
    """Every URL a page names, and its <html lang>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, dict]] = []
        self.lang = None
        self.twins: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.urls.append((tag, attributes[name], attributes))
        if tag in ("a", "link") and attributes.get("hreflang"):
            self.twins.append({"tag": tag, **attributes})


def parse(page: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


# -- the tree ----------------------------------------------------------------------


def test_every_language_has_a_home_methodology_and_every_survey_and_indicator_page(site, surveys):
    assert (site / "index.html").is_file()
    for lang in ("fr", "en"):
        assert (site / lang / "index.html").is_file()
        assert (site / lang / "methodology.html").is_file()
    for survey in surveys.values():
        for lang in survey.languages:
            assert (site / lang / survey.id / "index.html").is_file()
            for indicator in survey.indicators:
                assert (site / lang / survey.id / "indicators" / f"{indicator.id}.html").is_file()
        for name in ("indicators.csv", "indicators.json", "participation.csv", "README.txt"):
            assert (site / "data" / survey.id / name).is_file()
    assert (site / publish.MARKER).is_file()


def test_every_page_has_its_language_and_names_its_existing_twin(site):
    pages = html_pages(site)
    assert len(pages) > 80
    for page in pages:
        relative = page.relative_to(site).as_posix()
        if relative == "index.html":
            continue
        parsed = parse(page)
        lang = relative.split("/")[0]
        assert parsed.lang == lang, relative
        other = "en" if lang == "fr" else "fr"
        twin_path = other + relative[2:]
        alternates = [t for t in parsed.twins if t["tag"] == "link" and t["hreflang"] == other]
        visible = [t for t in parsed.twins if t["tag"] == "a" and t["hreflang"] == other]
        assert alternates and visible, relative
        for twin in alternates + visible:
            assert (page.parent / twin["href"]).resolve() == (site / twin_path).resolve(), relative


def test_every_link_is_relative_and_reaches_a_file(site):
    checked = 0
    for page in html_pages(site):
        for _tag, url, _attributes in parse(page).urls:
            assert not re.match(r"^[a-z]+:|^/", url), f"{page.relative_to(site)}: {url}"
            target, _fragment = urldefrag(url)
            if not target:
                continue
            resolved = (page.parent / target).resolve()
            assert resolved.is_file(), f"{page.relative_to(site)}: {url} is missing"
            assert site.resolve() in resolved.parents, url
            checked += 1
    assert checked > 1000


def test_no_page_or_stylesheet_asks_another_host(site):
    for path in [*html_pages(site), *site.glob("assets/*")]:
        text = path.read_text(encoding="utf-8")
        for found in re.findall(r"(?:src|href)=\"(https?:[^\"]*)\"|url\(([^)]*)\)|@import", text):
            pytest.fail(f"{path.relative_to(site)} names {found}")


def test_assets_carry_a_hash_of_their_content(site):
    assets = sorted((site / "assets").iterdir())
    assert [a.name.split(".")[0] for a in assets] == ["favicon", "site"]
    for asset in assets:
        digest = asset.name.split(".")[1]
        assert hashlib.sha256(asset.read_bytes()).hexdigest().startswith(digest)


def test_without_a_base_url_there_is_no_sitemap_nor_absolute_link(site):
    assert not (site / "sitemap.xml").exists()
    assert 'rel="canonical"' not in read(site, "fr/index.html")


def test_a_base_url_adds_a_sitemap_and_absolute_canonical_and_twin_links(tmp_path):
    _, built = make_site(tmp_path, base_url="https://example.org/results/", with_tiny=False)
    sitemap = read(built.out, "sitemap.xml")
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    pages = [p for p in html_pages(built.out) if p.name != "index.html" or p.parent != built.out]
    assert len(locations) == len(pages)
    assert "https://example.org/results/en/college-bien-etre/indicators/securite.html" in locations
    assert 'hreflang="fr" href="https://example.org/results/fr/college-bien-etre/indicators/securite.html"' in sitemap
    page = read(built.out, "fr/college-bien-etre/index.html")
    assert '<link rel="canonical" href="https://example.org/results/fr/college-bien-etre/index.html">' in page
    assert (
        '<link rel="alternate" hreflang="en" href="https://example.org/results/en/college-bien-etre/index.html">'
        in (page)
    )


# -- the data files ----------------------------------------------------------------


def published_rows(site: Path, survey_id: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read(site, f"data/{survey_id}/indicators.csv"))))


def test_indicators_csv_has_the_contract_columns_and_the_computed_figures(site, surveys, tmp_path):
    text = read(site, f"data/{SCHOOL}/indicators.csv")
    assert text.splitlines()[0] == (
        "survey,round,indicator,family,group,n,mean,score,share_good,share_good_low,share_good_high,suppressed"
    )
    survey = surveys[SCHOOL]
    rows = published_rows(site, SCHOOL)
    assert len(rows) == 2 * len(survey.indicators) * (1 + len(survey.groups))
    answers = demo_data.synthetic_responses(survey, ["2025", "2026"], 300, seed=7)
    responses = [Response(str(k), SCHOOL, r, g, "fr", "2026-01-01", "import", a) for k, (r, g, a) in enumerate(answers)]
    expected = indicators.cell_rows(indicators.compute(survey, responses).cells)
    by_key = {(row["round"], row["indicator"], row["group"]): row for row in rows}
    for cell in expected:
        row = by_key[(cell["round"], cell["indicator"], cell["group"])]
        assert row["suppressed"] == ("true" if cell["suppressed"] else "false")
        assert row["n"] == ("" if cell["n"] is None else str(cell["n"]))
        for name in ("mean", "score", "share_good", "share_good_low", "share_good_high"):
            assert (float(row[name]) if row[name] else None) == cell[name], (row, name)
    assert {row["mean"].split(".")[1].__len__() for row in rows if row["mean"]} == {2}


def test_indicators_json_holds_the_same_rows_typed(site):
    rows = json.loads(read(site, f"data/{SCHOOL}/indicators.json"))
    from_csv = published_rows(site, SCHOOL)
    assert len(rows) == len(from_csv)
    assert list(rows[0]) == list(indicators.CSV_COLUMNS)
    for row, text_row in zip(rows, from_csv, strict=True):
        assert isinstance(row["suppressed"], bool)
        assert row["suppressed"] == (text_row["suppressed"] == "true")
        if row["suppressed"]:
            assert all(row[name] is None for name in ("n", "mean", "score", "share_good"))
        else:
            assert isinstance(row["n"], int) and isinstance(row["mean"], float)
            assert row["mean"] == float(text_row["mean"])


def test_participation_csv_counts_every_round_and_group(site):
    rows = list(csv.DictReader(io.StringIO(read(site, "data/tiny/participation.csv"))))
    assert list(rows[0]) == ["survey", "round", "group", "responses"]
    counts = {(row["round"], row["group"]): int(row["responses"]) for row in rows}
    assert counts == {
        ("1", "all"): 30, ("1", "big"): 20, ("1", "mid"): 8, ("1", "small"): 2,
        ("2", "all"): 42, ("2", "big"): 30, ("2", "mid"): 9, ("2", "small"): 3,
    }  # fmt: skip


def test_data_readme_explains_every_column(site):
    readme = read(site, f"data/{SCHOOL}/README.txt")
    for column in indicators.CSV_COLUMNS:
        assert f"\n  {column} " in readme


# -- small groups ------------------------------------------------------------------


def test_a_small_group_and_the_next_smallest_are_suppressed_in_the_files(site):
    rows = {(row["round"], row["group"]): row for row in published_rows(site, "tiny")}
    for round_name in ("1", "2"):
        for group in ("small", "mid"):
            row = rows[(round_name, group)]
            assert row["suppressed"] == "true"
            assert row["n"] == row["mean"] == row["score"] == row["share_good"] == ""
        assert rows[(round_name, "big")]["suppressed"] == "false"


def table_rows(html: str, label: str) -> list[str]:
    """The text of every table row whose header cell starts with ``label``."""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = re.sub(r"<[^>]+>", " ", row)
        cells = re.sub(r"\s+", " ", cells).strip()
        if cells.startswith(label):
            found.append(cells)
    return found


def test_suppressed_groups_show_no_figure_on_any_page(site):
    for lang, label, too_few in (
        ("en", "Middle", "Too few respondents to publish"),
        ("fr", "Moyens", "Trop peu de répondants pour publier"),
    ):
        page = read(site, f"{lang}/tiny/indicators/ind.html")
        rows = table_rows(page, label)
        assert len(rows) >= 2
        for row in rows:
            assert re.sub(r"\b(not available|non disponible)\b", "", row.replace(too_few, "")).strip() == label, row
        chart_rows = re.findall(r">Middle<|>Moyens<", page)
        assert chart_rows, "the chart names the group, saying it is not published"
        assert page.count(too_few) >= 4


def test_a_survey_without_answers_says_nothing_can_be_published_yet(site):
    page = read(site, "en/quartier-bien-vivre/index.html")
    assert "no figure can be published yet" in page
    assert "Too few respondents to publish" in page


# -- languages and escaping --------------------------------------------------------


def test_numbers_follow_the_page_language(site):
    french = read(site, f"fr/{SCHOOL}/index.html")
    english = read(site, f"en/{SCHOOL}/index.html")
    assert re.search(r">\d+,\d<", french) and not re.search(r">\d+\.\d<", french)
    assert re.search(r">\d+\.\d<", english)
    assert re.search(r"\d+\u00a0%", french) and not re.search(r"\d+\u00a0%", english)
    assert re.search(r"\d+%", english)


def test_pages_use_the_page_language_for_survey_text_and_interface(site):
    french = read(site, f"fr/{SCHOOL}/indicators/securite.html")
    english = read(site, f"en/{SCHOOL}/indicators/securite.html")
    assert "Sentiment de sécurité" in french and "Feeling of safety" in english
    assert "Comment jugez-vous" in french
    assert "Réponses par groupe" in french and "Answers by group" in english


def test_survey_text_is_escaped_in_pages_and_charts(site):
    for page in [*site.glob("*/tiny/**/*.html"), *site.glob("*/index.html")]:
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text, page
        assert "<img src=x" not in text and "<b>q</b>" not in text and "<i>x</i>" not in text, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in read(site, "en/tiny/index.html")
    assert "Question &lt;b&gt;q&lt;/b&gt;" in read(site, "en/tiny/indicators/ind.html")


# -- rebuilding --------------------------------------------------------------------


def test_a_rebuild_replaces_the_whole_site(tmp_path):
    app, built = make_site(tmp_path, with_tiny=False)
    stray = built.out / "fr" / "stray.html"
    stray.write_text("old")
    publish.build_site(app.extensions["surveys"], app.config["DATABASE"], built.out, with_pdf=False)
    assert not stray.exists()
    assert (built.out / "fr" / SCHOOL / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path, monkeypatch):
    app, built = make_site(tmp_path, with_tiny=False)
    before = {p: p.read_bytes() for p in built.out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish, "write_downloads", broken)
    with pytest.raises(OSError, match="disk full"):
        publish.build_site(app.extensions["surveys"], app.config["DATABASE"], built.out, with_pdf=False)
    after = {p: p.read_bytes() for p in built.out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == [".site.lock"]


def test_a_folder_not_made_by_build_is_never_replaced(tmp_path):
    app, _ = make_site(tmp_path, with_tiny=False)
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(publish.SiteError, match="not made by 'coresp-survey build'"):
        publish.build_site(app.extensions["surveys"], app.config["DATABASE"], precious, with_pdf=False)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_a_second_build_at_the_same_time_is_refused(tmp_path):
    app, built = make_site(tmp_path, with_tiny=False)
    with (tmp_path / ".site.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(publish.SiteError, match="another build"):
            publish.build_site(app.extensions["surveys"], app.config["DATABASE"], built.out, with_pdf=False)


def test_build_command_writes_the_site_and_says_where(tmp_path):
    surveys = tmp_path / "surveys"
    shutil.copytree(BUNDLED, surveys)
    result = CliRunner().invoke(
        main,
        [
            "--surveys",
            str(surveys),
            "--db",
            str(tmp_path / "r.db"),
            "build",
            "--out",
            str(tmp_path / "out"),
            "--no-pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Site built in" in result.output and "pages" in result.output
    assert (tmp_path / "out" / "fr" / SCHOOL / "index.html").is_file()


def test_build_command_refuses_a_relative_base_url(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "--surveys",
            str(BUNDLED),
            "--db",
            str(tmp_path / "r.db"),
            "build",
            "--out",
            str(tmp_path / "out"),
            "--base-url",
            "example.org",
            "--no-pdf",
        ],
    )
    assert result.exit_code == 2
    assert "https://" in result.output


@pytest.mark.slow
def test_a_build_with_reports_writes_each_language_s_pdf_and_counts_its_steps(tmp_path):
    """The reports are laid out together at the end (in parallel where there are cores): each still counts a step."""
    from pypdf import PdfReader

    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "tiny.yaml").write_text(TINY_SURVEY, encoding="utf-8")
    catalog = load_catalog(surveys)
    db = prepare(tmp_path / "r.db")
    import_responses(db, survey="tiny", lang="fr", rows=TINY_ROWS)
    db.close()
    steps = []
    built = publish.build_site(catalog, tmp_path / "r.db", tmp_path / "site", progress=steps.append)
    assert built.reports == 2 and built.pdf_seconds > 0
    assert len(steps) == publish.build_steps(catalog)
    assert {"fr/tiny/report.pdf", "en/tiny/report.pdf"} <= set(steps)
    for lang in ("fr", "en"):
        assert PdfReader(built.out / lang / "tiny" / "report.pdf").trailer["/Root"]["/Lang"] == lang
