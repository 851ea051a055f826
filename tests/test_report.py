"""The PDF report, read back from the PDF: content, number formats, suppression, fonts, metadata, tags, hostile text.

Rendering takes a few seconds, so each language is rendered once per module,
from the school survey cut to four indicators (one of them asked to two groups
only); a slow test renders the whole survey.
"""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import date
from pathlib import Path

import pytest
import weasyprint
from conftest import BUNDLED_SURVEYS
from flask_babel import force_locale
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from coresp_survey import create_app
from coresp_survey import demo_data
from coresp_survey import presenting
from coresp_survey import report
from coresp_survey.indicators import compute
from coresp_survey.storage import Response
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.model import Text

SCHOOL = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
ROUNDS = ("2025", "2026")
TODAY = date(2026, 11, 30)
SMALL_GROUP = "personnels"
KEPT = 3
"""Respondents the small group keeps in the last round: below the survey's min_group_size of 5."""
SHOWN = ("materiel", "suivi_scolarite", "travail_equipe", "securite")
"""A few indicators from several families; suivi_scolarite and travail_equipe are asked to some groups only."""
HOSTILE_TITLE = "Well-being <b>bold</b><script>alert(1)</script>"
HOSTILE_GROUP = '<img src="file:///etc/passwd">Parents'
SUPPRESSED = {"fr": "Trop peu de répondants pour publier", "en": "Too few respondents to publish"}


def responses(survey, per_round: int = 300) -> list[Response]:
    """Two rounds of synthetic answers, the small group cut to `KEPT` respondents in the last round."""
    rows = demo_data.synthetic_responses(survey, list(ROUNDS), per_round, seed=5)
    kept = 0
    result = []
    for i, (round_name, group, answers) in enumerate(rows):
        if round_name == ROUNDS[-1] and group == SMALL_GROUP:
            kept += 1
            if kept > KEPT:
                continue
        day = f"{round_name}-10-{i % 20 + 1:02d}"
        result.append(Response(f"r{i}", survey.id, round_name, group, "fr", day, "web", answers))
    return result


def cut(survey, indicator_ids=SHOWN):
    return dataclasses.replace(survey, indicators=tuple(i for i in survey.indicators if i.id in indicator_ids))


def hostile(survey):
    """The English title and a group label written to break out of the markup."""
    groups = tuple(
        dataclasses.replace(g, label=Text({**g.label, "en": HOSTILE_GROUP})) if g.id == "parents" else g
        for g in survey.groups
    )
    return dataclasses.replace(survey, title=Text({**survey.title, "en": HOSTILE_TITLE}), groups=groups)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    return create_app({"SURVEYS_DIR": BUNDLED_SURVEYS, "DATABASE": folder / "db" / "r.db", "SECRET_KEY": "test"})


def make_view(app, survey, lang: str, rows=None) -> presenting.SurveyView:
    figures = compute(survey, responses(survey) if rows is None else rows)
    with app.app_context(), force_locale(lang):
        return presenting.survey_view(survey, figures, lang)


def write(app, view, path: Path) -> PdfReader:
    with app.app_context(), force_locale(view.lang):
        report.write_report(app, view, path, TODAY)
    return PdfReader(path)


@pytest.fixture(scope="module")
def views(app):
    return {"fr": make_view(app, cut(SCHOOL), "fr"), "en": make_view(app, hostile(cut(SCHOOL)), "en")}


@pytest.fixture(scope="module")
def pdfs(app, views, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {lang: write(app, view, folder / f"report-{lang}.pdf") for lang, view in views.items()}


@pytest.fixture(scope="module")
def pages(pdfs):
    """The text of each page, extracted once (pypdf takes a while)."""
    return {lang: [page.extract_text() for page in reader.pages] for lang, reader in pdfs.items()}


@pytest.fixture(scope="module")
def texts(pages):
    return {lang: "\n".join(found) for lang, found in pages.items()}


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """Without any whitespace: a label that wraps across lines still matches."""
    return re.sub(r"\s+", "", text)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# -- content -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_names_the_survey_its_round_and_every_indicator(views, lang, texts):
    view = views[lang]
    text = texts[lang]
    assert squeezed(view.title) in squeezed(text)
    assert {"fr": "Tour 2026", "en": "Round 2026"}[lang] in text
    for item in view.indicators:
        assert squeezed(item.label) in squeezed(text)
        assert squeezed(item.question_label) in squeezed(text)
    for chapter in {
        "fr": ("Sommaire", "Synthèse", "Participation", "Méthode"),
        "en": ("Contents", "Summary", "Participation", "Methodology"),
    }[lang]:
        assert chapter in text


def test_cover_gives_period_respondents_and_publication_day(views, pages):
    cover = flat(pages["en"][0])
    assert "October 1, 2026 to October 20, 2026" in cover
    assert f"RESPONDENTS {views['en'].respondents:,}" in cover  # labels are in capitals (CSS)
    assert "PUBLISHED ON November 30, 2026" in cover


def test_french_report_uses_french_number_formats(texts):
    text = texts["fr"]
    assert re.search(r"\b\d,\d\d\b", text), "a mean with a decimal comma"
    assert not re.search(r"\b\d\.\d\d\b", text)
    assert re.search(r"\d\u00a0%", text), "a percentage with a no-break space"
    assert "30 novembre 2026" in text


def test_english_report_uses_english_number_formats(texts):
    text = texts["en"]
    assert re.search(r"\b\d\.\d\d\b", text)
    assert not re.search(r"\b\d,\d\d(?!\d)", text)
    assert re.search(r"\b\d+%", text)
    assert "\u00a0%" not in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_small_group_shows_no_figure_on_any_indicator_page(views, lang, pages):
    view = views[lang]
    labels = [squeezed(row.label) for row in view.participation[1:]]
    small = labels[[g.id for g in SCHOOL.groups].index(SMALL_GROUP)]
    after = labels[labels.index(small) + 1]
    pages = [squeezed(page) for page in pages[lang]]
    for item in view.indicators:
        page = next(p for p in pages if squeezed(item.question_label) in p and small in p)
        start = page.index(small) + len(small)
        row = page[start : page.index(after, start)]  # the table comes first in the page's text
        assert row == squeezed(SUPPRESSED[lang]), f"{item.indicator.id}: {row!r}"


def test_small_group_would_have_had_figures_to_hide(app):
    """The suppression test above proves something: with no threshold, the small group's cells are published."""
    open_survey = dataclasses.replace(cut(SCHOOL), min_group_size=1)
    view = make_view(app, open_survey, "en", responses(SCHOOL))
    small = next(row for row in view.indicator("materiel").groups if row.id == SMALL_GROUP)
    assert 0 < small.cell.n <= KEPT and small.cell.mean is not None


def test_participation_counts_the_small_group_and_marks_it(views, texts):
    text = flat(texts["en"])
    small = next(row for row in views["en"].participation if row.id == SMALL_GROUP)
    assert re.search(re.escape(small.label) + rf" ?\* {KEPT} 25 12%", text)
    assert "Fewer than 5 respondents" in text


def test_summary_names_improved_and_declined_counts(views, pages):
    view = views["en"]
    summary = flat(next(p for p in pages["en"] if "Best indicators" in p))
    # the big number sits on its own line above its label; pypdf joins them without a space
    assert re.search(rf"\b{view.improved} ?indicators clearly improved since round 2025", summary)
    assert re.search(rf"\b{view.worsened} ?indicators clearly declined since round 2025", summary)


def test_indicator_pages_give_the_change_sentence(views, texts):
    text = flat(texts["en"])
    with force_locale("en"):
        sentence = presenting.change_sentence(views["en"].indicator("materiel").everyone.change)
    assert flat(sentence) in text


def test_methodology_explains_privacy_with_the_survey_threshold(texts):
    text = flat(texts["fr"])
    assert "Aucun chiffre n’est jamais publié pour un groupe de moins de 5 répondants" in text
    assert "groupe de coordination" in text


# -- the PDF as a file -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pdf_has_title_language_and_structure_tags(pdfs, views, lang):
    reader = pdfs[lang]
    root = reader.trailer["/Root"]
    assert reader.metadata.title.startswith(views[lang].title)
    assert root["/Lang"] == lang
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


def test_pdf_pages_are_numbered_with_a_running_header(views, pages):
    found = pages["en"]
    total = len(found)
    last = flat(found[-1])
    assert f"{total} / {total}" in last
    assert "Methodology" in last  # the chapter, in the header
    assert f"2 / {total}" in found[1]
    assert f"1 / {total}" not in found[0]  # no header or footer on the cover


def test_table_of_contents_gives_page_numbers(views, pages):
    contents = pages["en"][1]
    for item in views["en"].indicators:
        page = next(k + 1 for k, p in enumerate(pages["en"]) if k > 1 and flat(item.question_label) in flat(p))
        assert re.search(re.escape(item.label) + r"[ .]*" + str(page) + r"\b", contents), item.label


def fonts(reader: PdfReader):
    """Every font dictionary used by the pages, including inside form XObjects (the charts)."""
    seen = {}

    def visit(resources):
        resources = resources.get_object() if isinstance(resources, IndirectObject) else resources
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            seen[font.indirect_reference.idnum if font.indirect_reference else id(font)] = font
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                visit(xobject["/Resources"])

    for page in reader.pages:
        visit(page.get("/Resources"))
    return list(seen.values())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_font_is_dejavu_and_embedded(pdfs, lang):
    found = fonts(pdfs[lang])
    assert found
    for font in found:
        assert "DejaVu" in font["/BaseFont"]
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/DescendantFonts" in font
            else font["/FontDescriptor"]
        )
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]


def test_pdf_has_enough_pages(pdfs, views):
    # cover, contents, summary, participation, families, reading guide, one page per indicator, methodology
    assert len(pdfs["fr"].pages) >= 7 + len(views["fr"].indicators)


# -- hostile survey text -----------------------------------------------------------


def test_hostile_survey_text_is_printed_literally(pdfs, texts):
    text = squeezed(texts["en"])
    assert squeezed(HOSTILE_TITLE) in text
    assert squeezed(HOSTILE_GROUP) in text
    assert pdfs["en"].metadata.title.startswith(HOSTILE_TITLE)


def test_hostile_survey_text_is_escaped_in_the_html(app, views):
    with app.app_context(), force_locale("en"):
        html = report.render_html(app, views["en"], TODAY)
    assert "<script>" not in html and "<b>bold" not in html
    assert '<img src="file' not in html
    assert "&lt;script&gt;" in html


def test_pdf_holds_no_image(pdfs):
    """The only pictures are the vector charts: no `<img>` from survey text became an image."""
    for reader in pdfs.values():
        for page in reader.pages:
            xobjects = (page["/Resources"].get("/XObject") or {}).values()
            assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects)


# -- the fetcher -------------------------------------------------------------------


def test_fetcher_serves_the_stylesheet():
    response = report.StaticFetcher().fetch((report.STATIC / "report.css").as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/report.css",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file://evil.example/share/report.css",
        report.STATIC.as_uri() + "/../report.py",
        report.STATIC.as_uri() + "/%2e%2e/report.py",
        report.STATIC.as_uri() + "/missing.css",
        report.STATIC.as_uri(),
    ],
)
def test_fetcher_refuses_anything_outside_the_static_folder(url):
    with pytest.raises(report.FetchRefused):
        report.StaticFetcher().fetch(url)


def test_fetcher_refuses_a_symbolic_link_out_of_its_folder(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (folder / "link.css").symlink_to(secret)
    with pytest.raises(report.FetchRefused):
        report.StaticFetcher(folder).fetch((folder / "link.css").as_uri())


class Spy(report.StaticFetcher):
    def __init__(self):
        super().__init__()
        self.asked = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        return super().fetch(url, headers)


def test_weasyprint_with_the_fetcher_reads_nothing_outside(tmp_path):
    spy = Spy()
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><link rel="stylesheet" href="report.css">'
        '<img src="file:///etc/passwd"><img src="../report.py"><p style="background: url(https://example.org/x.png)">x'
    )
    weasyprint.HTML(string=html, base_url=report.STATIC.as_uri() + "/", url_fetcher=spy).write_pdf(tmp_path / "x.pdf")
    assert "http://127.0.0.1:9/x.css" in spy.asked and "file:///etc/passwd" in spy.asked
    for page in PdfReader(tmp_path / "x.pdf").pages:
        xobjects = (page["/Resources"].get("/XObject") or {}).values()
        assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects)


# -- without history ---------------------------------------------------------------


def test_first_round_without_answers_renders(app):
    """A survey just opened: no previous round, nobody yet; the report says so instead of failing."""
    view = make_view(app, cut(SCHOOL), "en", rows=[])
    with app.app_context(), force_locale("en"):
        html = report.render_html(app, view, TODAY)
    assert "No answers yet" in html
    assert "clearly improved" not in html
    assert "Too few respondents to publish" in html


def test_highlights_never_name_an_indicator_twice(views):
    found = report.highlights(views["en"])
    names = [item.indicator.id for item in found.best + found.weakest]
    assert len(names) == len(set(names)) > 0
    shares = [item.everyone.cell.share_good for item in found.best]
    assert shares == sorted(shares, reverse=True)


def test_a_single_published_indicator_is_the_best_and_none_is_the_weakest(app):
    view = make_view(app, cut(SCHOOL, ("materiel",)), "en")
    found = report.highlights(view)
    assert [item.indicator.id for item in found.best] == ["materiel"] and found.weakest == ()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_survey_without_groups_and_with_one_round_renders(app, lang):
    """No group table rows, no previous round: the chapters that need them step aside."""
    survey = dataclasses.replace(cut(SCHOOL), groups=())
    rows = [r for r in responses(SCHOOL) if r.round == ROUNDS[-1]]
    view = make_view(app, survey, lang, [dataclasses.replace(r, group=None) for r in rows])
    with app.app_context(), force_locale(lang):
        html = report.render_html(app, view, TODAY)
    assert {"fr": "Évolution des bonnes réponses", "en": "Change in good answers"}[lang] not in html
    assert {"fr": "Ensemble", "en": "Everyone"}[lang] in html


def test_charts_are_printed_in_the_embedded_typeface(views):
    chart = report.print_chart(views["en"].indicators[0].distribution_chart)
    assert 'font-family="DejaVu Sans"' in chart and "Arial" not in chart
    assert report.print_chart(None) is None


def test_methodology_lists_each_scale_once(views):
    found = report.scales(views["en"])
    assert [level.label for level in found[0]] == ["Very unsatisfactory", "Unsatisfactory", "Average", "Good", "Ideal"]
    assert len(found) == 1


# -- the whole survey --------------------------------------------------------------


@pytest.mark.slow
def test_whole_school_survey_report(app, tmp_path):
    """Every indicator of the bundled survey with 1,000 responses a round: the size `build` meets."""
    view = make_view(app, SCHOOL, "fr", responses(SCHOOL, per_round=1000))
    started = time.perf_counter()
    reader = write(app, view, tmp_path / "report.pdf")
    print(f"\nreport of {len(view.indicators)} indicators: {time.perf_counter() - started:.1f} s")
    text = squeezed(text_of(reader))
    assert all(squeezed(item.label) in text for item in view.indicators)
    assert len(reader.pages) >= 7 + len(view.indicators)
