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
from helpers import BUNDLED_SURVEYS
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from coresp_survey import demo as demo_data
from coresp_survey.answers.records import Response
from coresp_survey.figures.indicators import compute
from coresp_survey.figures.synthesis import Synthesis
from coresp_survey.figures.synthesis import synthesis
from coresp_survey.i18n import language
from coresp_survey.publish import presenting
from coresp_survey.publish import report
from coresp_survey.publish.renderer import Renderer
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.model import Text
from coresp_survey.workspace import moderation

SCHOOL = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
ROUNDS = ("2025", "2026")
TODAY = date(2026, 11, 30)
SMALL_GROUP = "personnels"
KEPT = 3
"""Respondents the small group keeps in the last round: below the survey's min_group_size of 5."""
KEPT_BEFORE = 1
"""And in the previous round: the criteria pool every round, and the group stays below 5 there too."""
SHOWN = ("materiel", "suivi_scolarite", "travail_equipe", "securite")
"""A few indicators from several families; suivi_scolarite and travail_equipe are asked to some groups only."""
HOSTILE_TITLE = "Well-being <b>bold</b><script>alert(1)</script>"
HOSTILE_GROUP = '<img src="file:///etc/passwd">Parents'
SUPPRESSED = {"fr": "Trop peu de répondants pour publier", "en": "Too few respondents to publish"}


def responses(survey, per_round: int = 300) -> list[Response]:
    """Two rounds of synthetic answers, the small group cut to `KEPT_BEFORE` then `KEPT` respondents."""
    rows = demo_data.synthetic_responses(survey, list(ROUNDS), per_round, seed=5)
    kept = dict.fromkeys(ROUNDS, 0)
    result = []
    for i, (round_name, group, answers) in enumerate(rows):
        if group == SMALL_GROUP:
            kept[round_name] += 1
            if kept[round_name] > (KEPT if round_name == ROUNDS[-1] else KEPT_BEFORE):
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


HOSTILE_QUOTE = "<script>alert('quote')</script><img src=x>"
APPROVED = {
    # text: (group, language, families); "A C" is a criterion in two families, "" one not classified yet
    "Une cour assez grande pour jouer au ballon": ("eleves", "fr", "B"),
    "Teachers who answer our messages within a week": ("parents", "en", "A C"),
    "Du temps pour préparer les cours à plusieurs": ("parents", "fr", ""),
    HOSTILE_QUOTE: ("eleves", "en", "B"),
}
REDACTED = ("Monsieur Durand crie dans la cour", "[…] crie dans la cour, et personne ne dit rien")
"""An approved answer's original text and the redaction that is published instead."""
LONG_QUOTE = (
    "Que chacun puisse dire ce qui ne va pas sans avoir peur d’être moqué. "
    "Que les adultes prennent le temps d’écouter, même quand ils sont pressés.\n\n"
    "Et que les règles soient les mêmes pour tout le monde, élèves comme adultes."
)
NOT_PUBLISHED = {
    "Une réponse que personne n’a encore lue": ("eleves", "pending"),
    "Une réponse écartée par le groupe de coordination": ("parents", "rejected"),
    "Les personnels voudraient une vraie salle de pause": (SMALL_GROUP, "approved"),  # a group below 5
    "Les enseignants voudraient une salle de travail": ("enseignants", "approved"),  # hidden with the group below 5
}
CHAPTER = {"fr": "Ce que le bien-être signifie pour chaque groupe", "en": "What well-being means to each group"}


def open_answer(k: int, text: str, group: str, lang: str = "fr", status="approved", families=(), redacted=None):
    return moderation.OpenAnswer(
        f"q{k}", "bien_etre", ROUNDS[-1], group, lang, text, status, redacted, tuple(families), "2026-11-02T10:00:00"
    )


def open_answers() -> list[moderation.OpenAnswer]:
    """Approved answers in two languages and several families, plus answers that must never be printed."""
    found = [
        open_answer(k, text, group, lang, families=families.split())
        for k, (text, (group, lang, families)) in enumerate(APPROVED.items())
    ]
    found.append(open_answer(10, REDACTED[0], "parents", families=["B"], redacted=REDACTED[1]))
    found.append(open_answer(11, LONG_QUOTE, "eleves", families=["D"]))
    found += [
        open_answer(20 + k, text, group, status=status, families=["B"])
        for k, (text, (group, status)) in enumerate(NOT_PUBLISHED.items())
    ]
    return found


def criteria_of(survey, rows, answers) -> Synthesis:
    """The synthesis `publish` makes: approved answers, with every round's respondents per group."""
    respondents: dict[str | None, int] = {}
    for row in rows:
        respondents[row.group] = respondents.get(row.group, 0) + 1
    return synthesis(survey, respondents, answers)


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def make_view(survey, lang: str, rows=None, answers=None) -> presenting.SurveyView:
    """The view of ``survey``; with ``answers`` (open answers with their decisions), its criteria too."""
    rows = responses(survey) if rows is None else rows
    figures = compute(survey, rows)
    criteria = criteria_of(survey, rows, answers) if answers is not None else None
    return presenting.survey_view(survey, figures, lang, criteria)


def write(renderer, view, path: Path) -> PdfReader:
    report.write_report(renderer, view, path, TODAY)
    return PdfReader(path)


@pytest.fixture(scope="module")
def views():
    return {
        "fr": make_view(cut(SCHOOL), "fr", answers=open_answers()),
        "en": make_view(hostile(cut(SCHOOL)), "en", answers=open_answers()),
    }


@pytest.fixture(scope="module")
def pdfs(renderer, views, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {lang: write(renderer, view, folder / f"report-{lang}.pdf") for lang, view in views.items()}


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


def test_small_group_would_have_had_figures_to_hide():
    """The suppression test above proves something: with no threshold, the small group's cells are published."""
    open_survey = dataclasses.replace(cut(SCHOOL), min_group_size=1)
    view = make_view(open_survey, "en", responses(SCHOOL))
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
    sentence = presenting.change_sentence(views["en"].indicator("materiel").everyone.change, language("en"))
    assert flat(sentence) in text


def test_methodology_explains_privacy_with_the_survey_threshold(texts):
    text = flat(texts["fr"])
    assert "Aucun chiffre n’est jamais publié pour un groupe de moins de 5 répondants" in text
    assert "groupe de coordination" in text


# -- what well-being means to each group --------------------------------------------


def chapter_pages(pages: list[str], lang: str) -> list[str]:
    """The pages of the criteria chapter: its title runs in their header (the contents page aside)."""
    return [page for k, page in enumerate(pages) if k > 1 and CHAPTER[lang] in page]


def group_label(view, group_id: str) -> str:
    return next(label for found, label in view.criteria.groups if found == group_id)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_criteria_chapter_follows_participation_and_is_in_the_contents(pages, lang):
    found = pages[lang]
    start = next(k for k, page in enumerate(found) if k > 1 and CHAPTER[lang] in page)
    participation = {"fr": "Participation", "en": "Participation"}[lang]
    families = {"fr": "Familles de critères", "en": "Families of criteria"}[lang]
    assert participation in found[start - 1]
    assert families in found[start + len(chapter_pages(found, lang))]
    contents = flat(found[1])
    assert re.search(re.escape(CHAPTER[lang]) + rf"[ .]*{start + 1}\b", contents)
    assert contents.index(participation) < contents.index(CHAPTER[lang]) < contents.index(families)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_approved_quotes_are_printed_with_their_group(views, pages, lang):
    view = views[lang]
    text = flat("\n".join(chapter_pages(pages[lang], lang)))
    for quote, (group, _lang, _families) in APPROVED.items():
        assert f"{quote} — {group_label(view, group)}" in text, quote
    in_two_families = next(q for q, (_g, _l, f) in APPROVED.items() if " " in f)
    assert text.count(in_two_families) == 2  # under A and under C
    assert f"{REDACTED[1]} — {group_label(view, 'parents')}" in text
    assert squeezed(LONG_QUOTE) + "—" + squeezed(group_label(view, "eleves")) in squeezed(text)
    unclassified = next(q for q, (_g, _l, f) in APPROVED.items() if not f)
    heading = {"fr": "Pas encore classés", "en": "Not classified yet"}[lang]
    last = text.rindex(heading)  # the heading of the quotes comes after the table's row of that name
    assert text.index(f"{heading} {unclassified} — {group_label(view, 'parents')}") == last
    assert all(text.rindex(flat(quote)) < last for quote in [*APPROVED, LONG_QUOTE] if quote != unclassified)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pending_rejected_redacted_and_small_group_answers_are_never_printed(texts, lang):
    text = squeezed(texts[lang])
    for never in [*NOT_PUBLISHED, REDACTED[0]]:
        assert squeezed(never) not in text, never


def test_hidden_groups_read_not_published_and_are_named(views, pages):
    view = views["en"]
    text = flat("\n".join(chapter_pages(pages["en"], "en")))
    hidden = [group_label(view, "enseignants"), group_label(view, SMALL_GROUP)]
    assert view.criteria.hidden == tuple(hidden)  # the small group, and the next smallest with it
    assert "Groups hidden: " + ", ".join(hidden) + ". Their criteria count in “Everyone”." in text
    assert text.count("not published") == 2 * len(view.criteria.families)


def test_a_hostile_quote_is_printed_literally_and_escaped_in_the_html(renderer, views, pages):
    text = squeezed("\n".join(chapter_pages(pages["en"], "en")))
    assert squeezed(HOSTILE_QUOTE) in text
    html = report.render_html(renderer, views["en"], TODAY)
    assert "<script>alert('quote')" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;&lt;img src=x&gt;" in html


def quote_languages(reader: PdfReader) -> list[str | None]:
    """The ``/Lang`` of every BlockQuote of the PDF's structure tree, in reading order."""
    found = []

    def visit(element):
        element = element.get_object()
        if element.get("/S") == "/BlockQuote":
            found.append(element.get("/Lang"))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, dict) and "/S" in kid:
                visit(kid)

    visit(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_quote_is_tagged_with_the_language_it_was_written_in(renderer, views, pdfs, lang):
    view = views[lang]
    expected = [quote.lang for family in view.criteria.families for quote in family.quotes]
    assert set(expected) == {"fr", "en"}
    assert quote_languages(pdfs[lang]) == expected
    html = report.render_html(renderer, view, TODAY)
    assert html.count('<blockquote lang="en">') == expected.count("en")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_methodology_says_which_open_answers_the_report_holds(texts, lang):
    text = flat(texts[lang])
    assert {
        "fr": "ne figurent dans ce rapport qu’après avoir été lues et approuvées par le groupe de coordination",
        "en": "appear in this report only once the coordination group has read and approved them",
    }[lang] in text
    assert {"fr": "Ce rapport n’en contient pas", "en": "This report contains none"}[lang] not in text


def test_without_an_approved_criterion_the_chapter_says_so(renderer):
    pending = [a for a in open_answers() if a.status != "approved"]
    view = make_view(cut(SCHOOL), "en", answers=pending)
    html = report.render_html(renderer, view, TODAY)
    assert CHAPTER["en"] in html and 'href="#criteria"' in html
    assert "No criterion has been approved for publication yet." in html
    assert "criteria-counts" not in html and "<blockquote" not in html


def test_a_survey_without_open_questions_has_no_criteria_chapter(renderer, tmp_path):
    sections = tuple(
        dataclasses.replace(section, questions=tuple(q for q in section.questions if not q.is_open))
        for section in SCHOOL.sections
    )
    survey = cut(dataclasses.replace(SCHOOL, sections=sections))
    assert not moderation.open_questions(survey)
    view = make_view(survey, "en")  # `publish` reads no open answer for it: criteria None
    assert view.criteria is None
    text = flat(text_of(write(renderer, view, tmp_path / "report.pdf")))
    assert CHAPTER["en"] not in text and "In their own words" not in text
    assert "Open answers" not in text  # nor the methodology's sentence about them


def test_quotes_are_never_split_across_pages(renderer, tmp_path):
    """Enough quotes to fill pages, some of several short paragraphs (the easiest to cut between two pages):
    each one, with its group, is whole on one page, while the list itself runs on from page to page."""
    lines = "\n\n".join(f"Ligne {n} de la citation." for n in range(1, 6))
    texts = [f"Citation {k}. " + (LONG_QUOTE if k % 3 else lines) for k in range(24)]
    many = [open_answer(100 + k, text, "eleves", families=["D"]) for k, text in enumerate(texts)]
    view = make_view(cut(SCHOOL), "fr", answers=many)
    reader = write(renderer, view, tmp_path / "report.pdf")
    found = [squeezed(page) for page in chapter_pages([page.extract_text() for page in reader.pages], "fr")]
    assert len(found) >= 3
    for text in texts:
        whole = squeezed(text) + "—" + squeezed(group_label(view, "eleves"))
        assert sum(whole in page for page in found) == 1, text[:12]


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
    # cover, contents, summary, participation, criteria, families, reading guide, one page per indicator, methodology
    assert len(pdfs["fr"].pages) >= 8 + len(views["fr"].indicators)


# -- hostile survey text -----------------------------------------------------------


def test_hostile_survey_text_is_printed_literally(pdfs, texts):
    text = squeezed(texts["en"])
    assert squeezed(HOSTILE_TITLE) in text
    assert squeezed(HOSTILE_GROUP) in text
    assert pdfs["en"].metadata.title.startswith(HOSTILE_TITLE)


def test_hostile_survey_text_is_escaped_in_the_html(renderer, views):
    html = report.render_html(renderer, views["en"], TODAY)
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


def test_first_round_without_answers_renders(renderer):
    """A survey just opened: no previous round, nobody yet; the report says so instead of failing."""
    view = make_view(cut(SCHOOL), "en", rows=[])
    html = report.render_html(renderer, view, TODAY)
    assert "No answers yet" in html
    assert "clearly improved" not in html
    assert "Too few respondents to publish" in html


def test_highlights_never_name_an_indicator_twice(views):
    found = report.highlights(views["en"])
    names = [item.indicator.id for item in found.best + found.weakest]
    assert len(names) == len(set(names)) > 0
    shares = [item.everyone.cell.share_good for item in found.best]
    assert shares == sorted(shares, reverse=True)


def test_a_single_published_indicator_is_the_best_and_none_is_the_weakest():
    view = make_view(cut(SCHOOL, ("materiel",)), "en")
    found = report.highlights(view)
    assert [item.indicator.id for item in found.best] == ["materiel"] and found.weakest == ()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_survey_without_groups_and_with_one_round_renders(renderer, lang):
    """No group table rows, no previous round: the chapters that need them step aside."""
    survey = dataclasses.replace(cut(SCHOOL), groups=())
    rows = [r for r in responses(SCHOOL) if r.round == ROUNDS[-1]]
    view = make_view(survey, lang, [dataclasses.replace(r, group=None) for r in rows])
    html = report.render_html(renderer, view, TODAY)
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
def test_whole_school_survey_report(renderer, tmp_path):
    """Every indicator of the bundled survey with 1,000 responses a round: the size `build` meets."""
    view = make_view(SCHOOL, "fr", responses(SCHOOL, per_round=1000))
    started = time.perf_counter()
    reader = write(renderer, view, tmp_path / "report.pdf")
    print(f"\nreport of {len(view.indicators)} indicators: {time.perf_counter() - started:.1f} s")
    text = squeezed(text_of(reader))
    assert all(squeezed(item.label) in text for item in view.indicators)
    assert len(reader.pages) >= 7 + len(view.indicators)


# -- the reports of a build, on the machine's cores ---------------------------------


def small_html(text: str) -> str:
    return f'<!doctype html><html lang="fr"><head><title>{text}</title></head><body><h1>{text}</h1></body></html>'


class SpyPool(report.ProcessPoolExecutor):
    """The real pool, remembering how it was made and what it was given."""

    made: list[dict] = []
    submitted: list[tuple] = []

    def __init__(self, max_workers=None, mp_context=None):
        SpyPool.made.append({"workers": max_workers, "start": mp_context.get_start_method()})
        super().__init__(max_workers=max_workers, mp_context=mp_context)

    def submit(self, fn, /, *args, **kwargs):
        SpyPool.submitted.append((fn.__name__, *args))
        return super().submit(fn, *args, **kwargs)


@pytest.mark.parametrize("threads", [1, 2], ids=["one thread: fork", "a web worker's threads: forkserver"])
def test_the_reports_are_laid_out_in_parallel_processes_one_per_core(tmp_path, monkeypatch, threads):
    import threading

    monkeypatch.setattr(report, "available_cores", lambda: 2)
    monkeypatch.setattr(report, "ProcessPoolExecutor", SpyPool)
    SpyPool.made.clear()
    SpyPool.submitted.clear()
    documents = [(small_html("Rapport"), tmp_path / "fr" / "report.pdf"), (small_html("Report"), tmp_path / "en.pdf")]
    done = []
    release = threading.Event()
    others = [threading.Thread(target=release.wait) for _ in range(threads - threading.active_count())]
    for other in others:
        other.start()
    try:
        assert threading.active_count() == threads
        report.write_pdfs(documents, done.append)
    finally:
        release.set()
        for other in others:
            other.join()
    start = "fork" if threads == 1 else "forkserver"  # never a fork of a process with threads holding locks
    assert SpyPool.made == [{"workers": 1, "start": start}]
    assert SpyPool.submitted == [("write_pdf", *documents[1])]  # this process lays out the first one itself
    assert sorted(done) == sorted(path for _, path in documents)
    assert [PdfReader(path).metadata.title for _, path in documents] == ["Rapport", "Report"]


def test_with_one_core_the_reports_are_laid_out_here_one_after_the_other(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "available_cores", lambda: 1)
    monkeypatch.setattr(report, "ProcessPoolExecutor", None)  # any pool would fail
    documents = [(small_html(f"R{k}"), tmp_path / f"{k}.pdf") for k in range(2)]
    report.write_pdfs(documents)
    assert all(path.exists() for _, path in documents)


def test_a_report_that_fails_in_another_process_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "available_cores", lambda: 2)
    (tmp_path / "taken").write_text("a file where a folder should be")
    documents = [(small_html("ok"), tmp_path / "ok.pdf"), (small_html("ko"), tmp_path / "taken" / "report.pdf")]
    with pytest.raises(OSError):
        report.write_pdfs(documents)


# -- for screen readers: what the tags say -----------------------------------------


def struct_elements(reader: PdfReader) -> list[tuple[dict, list]]:
    """Every structure element in reading order, with the chain of its ancestors' types."""
    found = []

    def visit(element, ancestors):
        element = element.get_object()
        found.append((element, ancestors))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, dict) and "/S" in kid:
                visit(kid, [*ancestors, element["/S"]])

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    for kid in root["/K"] if isinstance(root["/K"], list) else [root["/K"]]:
        visit(kid, [])
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_table_headers_are_whole_words_never_hyphenated_fragments(pages, views, lang):
    """A hyphen added by the layout (U+2010) would be read aloud: "Très in- satisfai- sante"."""
    text = "\n".join(pages[lang])
    assert "\u2010" not in text
    words = {word for item in views[lang].indicators for level in item.levels for word in level.label.split()}
    assert "insatisfaisante" in words or "unsatisfactory" in words
    found = set(re.findall(r"\w+", text))
    assert words <= found, words - found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_table_header_runs_out_of_its_cell(renderer, views, lang):
    from weasyprint.formatting_structure import boxes

    html = report.render_html(renderer, views[lang], TODAY)
    document = weasyprint.HTML(string=html, base_url=report.STATIC.as_uri() + "/", url_fetcher=report.StaticFetcher())
    overflowing = []
    for page in document.render().pages:
        for cell in page._page_box.descendants():
            if isinstance(cell, boxes.TableCellBox) and cell.element_tag == "th":
                for text in (box for box in cell.descendants() if isinstance(box, boxes.TextBox)):
                    if text.position_x + text.width > cell.content_box_x() + cell.width + 0.5:
                        overflowing.append(text.text)
    assert overflowing == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_table_header_has_its_scope_columns_in_the_head_rows_in_the_body(pdfs, lang):
    headers = [(element, ancestors) for element, ancestors in struct_elements(pdfs[lang]) if element["/S"] == "/TH"]
    assert len(headers) > 20
    for element, ancestors in headers:
        scope = element["/A"]["/Scope"]
        assert scope == ("/Column" if "/THead" in ancestors else "/Row"), ancestors
        assert element["/A"]["/O"] == "/Table"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_figure_has_an_alternative_and_every_table_a_caption_or_headers(pdfs, lang):
    elements = struct_elements(pdfs[lang])
    figures = [element for element, _ in elements if element["/S"] == "/Figure"]
    assert figures and all(str(figure.get("/Alt", "")).strip() for figure in figures)
    tables = [element for element, _ in elements if element["/S"] == "/Table"]
    assert tables
    for table in tables:
        kinds = [kid.get_object()["/S"] for kid in table["/K"] if isinstance(kid.get_object(), dict)]
        assert "/THead" in kinds and "/TBody" in kinds


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_reading_order_of_headings_is_the_document_s(renderer, views, pdfs, lang):
    html = report.render_html(renderer, views[lang], TODAY)
    in_html = [f"/H{level}" for level in re.findall(r"<h([1-6])\b", html)]
    in_pdf = [element["/S"] for element, _ in struct_elements(pdfs[lang]) if re.fullmatch(r"/H[1-6]", element["/S"])]
    assert in_pdf == in_html
    assert in_pdf[0] == "/H1"
