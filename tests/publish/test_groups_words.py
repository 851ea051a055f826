"""The groups' own words on the site and in the PDF: "What the groups said" on each indicator page, the criteria
page by kind with identical criteria once, suppression and escaping on every new surface."""

from __future__ import annotations

import pytest
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.publish import site as publish
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.links import link
from coresp_survey.workspace.links import mark_same

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
SECRET_WORDS = "Ce que dit le petit groupe"
SURVEY = """
id: words
round: "2026"
languages: [fr, en]
title: {fr: "Mots", en: "Words"}
groups:
  - {id: big, label: {fr: "Grands", en: "Big"}}
  - {id: other, label: {fr: "Autres", en: "Others"}}
  - {id: small, label: {fr: "Petits", en: "Small"}}
publish: {min_group_size: 5}
families: spiral
sections:
  - id: s
    title: {fr: "S", en: "S"}
    questions:
      - {id: calme, type: scale, scale: spiral5, label: {fr: "Calme ?", en: "Calm?"}}
      - {id: amis, type: scale, scale: spiral5, label: {fr: "Amis ?", en: "Friends?"}}
      - {id: bien_etre, type: long_text, label: {fr: "Le bien-être ?", en: "Well-being?"}}
      - {id: mal_etre, type: long_text, label: {fr: "Le mal-être ?", en: "Ill-being?"}}
      - {id: agir_soi, type: long_text, label: {fr: "Que pouvez-vous faire ?", en: "What can you do?"}}
indicators:
  - {id: calme, question: calme, family: B, label: {fr: "Calme", en: "Calm"}}
  - {id: amis, question: amis, family: D, label: {fr: "Amis", en: "Friends"}}
"""
CRITERIA = [
    # (group, lang, question, text, families, linked to calme)
    ("big", "fr", "bien_etre", "Des toilettes propres", ("B",), True),
    ("big", "fr", "bien_etre", "des toilettes propres !", ("B",), True),
    ("other", "fr", "bien_etre", "DES TOILETTES PROPRES", ("B",), True),
    ("big", "fr", "mal_etre", HOSTILE, ("B",), True),
    ("big", "en", "agir_soi", "I can say hello", ("D",), True),
    ("big", "fr", "bien_etre", "Toilettes nettoyées tous les jours", ("B",), True),
    ("small", "fr", "bien_etre", SECRET_WORDS, ("B",), True),
    ("big", "fr", "bien_etre", "Avoir des amis", ("D",), False),
]


def build(folder, *, with_pdf=False):
    surveys = folder / "surveys"
    surveys.mkdir()
    (surveys / "words.yaml").write_text(SURVEY, encoding="utf-8")
    app = create_app({"SURVEYS_DIR": surveys, "DATABASE": folder / "responses.db", "SECRET_KEY": SECRET})
    db = prepare(app.config["DATABASE"])
    rows = [("2026", "big", {"calme": 3, "amis": 4}) for _ in range(20)]
    rows += [("2026", "other", {"calme": 2, "amis": 3}) for _ in range(10)]
    rows += [("2026", "small", {"calme": 4}) for _ in range(2)]
    rows += [("2026", "other", {"calme": 4}) for _ in range(3)]  # so that the hidden small group is safe
    english = []
    for group, lang, question, text, _families, _linked in CRITERIA:
        (english if lang == "en" else rows).append(("2026", group, {"calme": 3, question: text}))
    import_responses(db, survey="words", lang="fr", rows=rows)
    import_responses(db, survey="words", lang="en", rows=english)
    found = {}
    for response in iter_responses(db, "words"):
        for question in ("bien_etre", "mal_etre", "agir_soi"):
            if question in response.answers:
                found[response.answers[question]] = (response.id, question)
    at = "2026-11-02T10:00:00"
    for _group, _lang, _question, text, families, linked in CRITERIA:
        key = [found[text]]
        decide(db, survey="words", answers=key, status="approved", families=families, at=at, by="mod")
        if linked:
            link(db, survey="words", answers=key, indicators=["calme"], at=at, by="mod")
    mark_same(db, survey="words", answers=[found["Des toilettes propres"], found["Toilettes nettoyées tous les jours"]],
              at=at, by="mod")  # fmt: skip
    db.close()
    return publish.build_site(app.extensions["surveys"], app.config["DATABASE"], folder / "site", with_pdf=with_pdf)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("words")).out


def section(html: str, anchor: str) -> str:
    part = html[html.index(f'id="{anchor}"') :]
    return part[: part.index("</section>")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_indicator_page_says_what_the_groups_said_about_it(site, lang):
    html = (site / lang / "words" / "indicators" / "calme.html").read_text(encoding="utf-8")
    said = section(html, "said")
    assert {"fr": "Ce que les groupes ont dit", "en": "What the groups said"}[lang] in said
    assert said.count("Des toilettes propres") == 1  # five criteria, three identical, one marked the same
    big = {"fr": "Grands", "en": "Big"}[lang]
    assert {"fr": f"{big}, 3 fois", "en": f"{big}, 3 times"}[lang] in said
    assert '<blockquote lang="en">' in said and "I can say hello" in said
    assert "Avoir des amis" not in said  # approved, not linked to this indicator
    assert {"fr": "non publié", "en": "not published"}[lang] in said  # the small group's count
    amis = (site / lang / "words" / "indicators" / "amis.html").read_text(encoding="utf-8")
    assert 'id="said"' not in amis


def test_a_hidden_group_is_never_quoted_anywhere(site):
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".csv", ".json", ".txt", ".xml"):
            assert SECRET_WORDS not in path.read_text(encoding="utf-8"), path


def test_a_hostile_criterion_is_escaped_on_every_new_surface(site):
    for page in ["en/words/indicators/calme.html", "fr/words/indicators/calme.html", "en/words/criteria.html"]:
        html = (site / page).read_text(encoding="utf-8")
        assert HOSTILE not in html and "<img src=x" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


def test_the_criteria_page_separates_kinds_shows_identical_ones_once_and_the_indicators_of_each_family(site):
    html = (site / "en" / "words" / "criteria.html").read_text(encoding="utf-8")
    quotes = section(html, "quotes")
    assert quotes.count("Des toilettes propres") == 1 and "Toilettes nettoyées" not in quotes
    family_b = quotes[quotes.index('id="family-B"') : quotes.index('id="family-D"')]
    assert family_b.index("What makes for well-being") < family_b.index("What makes for ill-being")
    assert 'href="indicators/calme.html">Calm</a>' in family_b
    family_d = quotes[quotes.index('id="family-D"') :]
    assert "What people say they can do" in family_d and "Avoir des amis" in family_d


def test_the_methodology_says_how_criteria_became_indicators(site):
    assert "From criteria to indicators" in (site / "en" / "methodology.html").read_text(encoding="utf-8")
    assert "Des critères aux indicateurs" in (site / "fr" / "methodology.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_pdf_prints_what_the_groups_said_and_never_the_hidden_group(tmp_path):
    from pypdf import PdfReader

    built = build(tmp_path, with_pdf=True).out
    for lang, heading in [("fr", "Ce que les groupes ont dit"), ("en", "What the groups said")]:
        (pdf,) = (built / lang / "words").glob("*.pdf")
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert heading in text and "I can say hello" in text
        assert SECRET_WORDS not in text
        assert "<script>alert(1)</script>" in text  # printed as text, never run
