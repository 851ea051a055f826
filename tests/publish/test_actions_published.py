"""The action plan on the published site, in the PDF and in the data folder: exact columns, links, escaping, no small cell."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.figures.effects import ACTION_COLUMNS
from coresp_survey.publish import pages
from coresp_survey.publish import site as publish
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.survey.model import Text
from coresp_survey.workspace.actions import create_action
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote

SURVEY = """
id: ecole
round: "2"
languages: [fr, en]
title: {fr: "École", en: "School"}
groups:
  - {id: pupils, label: {fr: "Élèves", en: "Pupils"}}
sections:
  - id: s
    title: {fr: "S", en: "S"}
    questions:
      - {id: yard, type: scale, scale: spiral5, label: {fr: "Cour ?", en: "Yard?"}}
      - {id: meals, type: scale, scale: spiral5, label: {fr: "Repas ?", en: "Meals?"}}
      - {id: calm, type: scale, scale: spiral5, label: {fr: "Calme ?", en: "Calm?"}}
indicators:
  - {id: yard, question: yard, family: B, label: {fr: "La cour", en: "The yard"}, good_from: 4}
  - {id: meals, question: meals, family: A, label: {fr: "Les repas", en: "Meals"}, good_from: 4}
  - {id: calm, question: calm, family: F, label: {fr: "Le calme", en: "Calm"}, good_from: 4}
"""
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> =HYPERLINK("http://x") &amp;'
# Round 1: yard 20 of 40 good, meals 10 of 40; round 2: yard 32 of 40, meals only 3 answers (suppressed).
ROWS = (
    [("1", "pupils", {"yard": 4 if i < 20 else 2, "meals": 4 if i < 10 else 2, "calm": 3}) for i in range(40)]
    + [("2", "pupils", {"yard": 4 if i < 32 else 2, "calm": 3}) for i in range(40)]
    + [("2", "pupils", {"meals": 5}) for _ in range(3)]
)


def hostile(text: str) -> Text:
    return Text(fr=f"{text} (fr)", en=f"{text} (en)")


ACTION = Action(
    survey="ecole",
    id="repeindre",
    title=hostile("Repaint " + HOSTILE),
    description=hostile("Why: " + HOSTILE),
    indicators=("yard", "meals"),
    starts=date(2000, 1, 10),  # the answers are stored today: round 1 is the baseline named below
    status="under_way",
    commitments=(
        Commitment(does=hostile("Does " + HOSTILE), party=hostile("Party " + HOSTILE)),
        Commitment(does=hostile("Pupils do"), group="pupils"),
    ),
    baseline="1",
    updates=(ProgressNote(date(2000, 3, 1), hostile("Note " + HOSTILE)),),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("actions-site")
    (folder / "surveys").mkdir()
    (folder / "surveys" / "ecole.yaml").write_text(SURVEY, encoding="utf-8")
    (folder / "surveys" / "empty.yaml").write_text(SURVEY.replace("id: ecole", "id: empty"), encoding="utf-8")
    db = prepare(folder / "responses.db")
    import_responses(db, survey="ecole", lang="fr", rows=ROWS)
    create_action(db, ACTION, at="2000-01-10T00:00:00+00:00", author=None)
    db.close()
    surveys = load_catalog(folder / "surveys")
    return publish.build_site(surveys, folder / "responses.db", folder / "site", with_pdf=True).out


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_the_plan_and_each_action_have_pages_in_every_language(site):
    for lang in ("fr", "en"):
        plan = read(site, pages.actions(lang, "ecole"))
        page = read(site, pages.action(lang, "ecole", "repeindre"))
        assert 'href="actions/repeindre.html"' in plan
        assert "Repaint &lt;script&gt;alert(1)&lt;/script&gt;" in page and f"({lang})" in page
        other = "en" if lang == "fr" else "fr"
        assert f'hreflang="{other}" href="../../../{other}/ecole/actions/repeindre.html"' in page
    assert "Has it made a difference?" in read(site, pages.action("en", "ecole", "repeindre"))


def test_each_indicator_page_says_what_is_being_done_about_it(site):
    yard = read(site, pages.indicator("en", "ecole", "yard"))
    assert "What is being done about it" in yard
    assert 'href="../actions/repeindre.html"' in yard
    assert "+30 points since 1" in yard and "a clear improvement" in yard
    calm = read(site, pages.indicator("en", "ecole", "calm"))
    assert "No action aimed at this indicator has been published yet." in calm
    assert "repeindre.html" not in calm


def test_the_overview_lists_the_actions_beside_the_indicators_they_aim_at(site):
    overview = read(site, pages.overview("en", "ecole"))
    row = overview[overview.index('href="indicators/yard.html"') :]
    row = row[: row.index("</th>")]
    assert 'href="actions/repeindre.html"' in row
    assert 'href="actions.html"' in overview


def test_actions_csv_and_json_have_exactly_the_published_columns(site):
    text = read(site, pages.data("ecole", "actions.csv"))
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == ACTION_COLUMNS
    # 32/40 - 20/40 = 0.3; Wilson 32/40 [0.652427, 0.895001], 20/40 [0.351995, 0.648005]; Newcombe
    # 0.3 - sqrt(0.147573² + 0.148005²) = 0.091, 0.3 + sqrt(0.095001² + 0.148005²) = 0.476
    assert rows[1:] == [
        [
            "ecole",
            "repeindre",
            "under_way",
            "2000-01-10",
            "",
            "yard",
            "1",
            "2",
            "0.500",
            "0.800",
            "0.300",
            "0.091",
            "0.476",
        ],
        ["ecole", "repeindre", "under_way", "2000-01-10", "", "meals", "1", "2", "0.250", "", "", "", ""],
    ]
    data = json.loads(read(site, pages.data("ecole", "actions.json")))
    assert [tuple(row) for row in data] == [ACTION_COLUMNS, ACTION_COLUMNS]
    assert data[0]["change"] == 0.3 and data[0]["ends"] is None and data[1]["share_good_after"] is None
    assert "actions.csv / actions.json" in read(site, pages.data("ecole", "README.txt"))
    for column in ACTION_COLUMNS:
        assert f"  {column} " in read(site, pages.data("ecole", "README.txt")), column


def test_the_data_package_describes_the_actions_files_and_frictionless_validates_their_rows(site):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(site / pages.data("ecole", "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    tasks = {task.name: task for task in report.tasks}
    assert tasks["actions"].stats["rows"] == tasks["actions-json"].stats["rows"] == 2
    package = frictionless.Package(site / pages.data("ecole", "datapackage.json"))
    rows = [row.to_dict() for row in package.get_resource("actions").read_rows()]
    assert rows[0]["starts"] == date(2000, 1, 10) and rows[0]["ends"] is None
    assert float(rows[0]["change"]) == 0.3 and rows[1]["change"] is None


def test_a_suppressed_cell_gives_no_figure_anywhere_the_effect_is_shown(site):
    page = read(site, pages.action("en", "ecole", "repeindre"))
    meals = page[page.index('href="../indicators/meals.html"') :]
    meals = meals[: meals.index("</tr>")]
    assert "Too few people answered in round 2 for its figures to be published." in meals
    assert "%" not in meals.split("</td>", 2)[1]  # the later round's cell: no share
    indicator = read(site, pages.indicator("en", "ecole", "meals"))
    assert "Too few people answered in round 2" in indicator


def test_hostile_action_texts_are_escaped_on_every_page(site):
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and "<img src=x" not in text, path
    page = read(site, pages.action("fr", "ecole", "repeindre"))
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    assert "&amp;amp;" in page  # an entity typed in a text stays text


def test_the_data_files_hold_no_text_a_spreadsheet_would_run(site):
    for name in ("actions.csv", "actions.json"):
        text = read(site, pages.data("ecole", name))
        assert "HYPERLINK" not in text and "<script>" not in text


def test_the_report_has_a_chapter_on_the_actions_with_their_texts_as_written(site):
    reader = PdfReader(site / pages.report("en", "ecole"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "What is being done" in text
    assert "<script>alert(1)</script>" in text.replace("\n", "")  # printed as text, not run
    assert "Party <script>" in text
    assert "+30 points since 1" in text


def test_a_survey_without_actions_publishes_empty_files_and_says_so(site):
    assert read(site, pages.data("empty", "actions.csv")) == ",".join(ACTION_COLUMNS) + "\n"
    assert json.loads(read(site, pages.data("empty", "actions.json"))) == []
    assert "No action has been published for this survey yet." in read(site, pages.actions("en", "empty"))
    reader = PdfReader(site / pages.report("en", "empty"))
    assert "What is being done" not in "\n".join(page.extract_text() for page in reader.pages)
