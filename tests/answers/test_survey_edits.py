"""An edited survey never hides stored answers: each round is read with the survey file it was collected with.

Each test stores answers with a first version of a survey file, edits the file
(a question removed, a choice renamed, a scale's levels changed, each in the
same round or together with a new round), then runs the real commands on the
real database: export, import into a fresh database of the same instance,
build, and the warnings of validate, serve and build.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import SECRET

from coresp_survey import create_app
from coresp_survey import demo as demo_data
from coresp_survey.answers import exporting
from coresp_survey.answers.database import prepare
from coresp_survey.answers.records import Response
from coresp_survey.answers.responses import count_responses
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.answers.versions import save_survey_versions
from coresp_survey.answers.versions import survey_versions
from coresp_survey.cli import main
from coresp_survey.figures import indicators
from coresp_survey.publish import pages
from coresp_survey.survey.loader import parse_survey

SURVEY_ID = "edits"


def survey_text(round_name: str = "2026", *, remove: bool = False, rename: bool = False, levels: bool = False) -> str:
    """The survey file, as first written or after one kind of edit."""
    bike = "cycle" if rename else "bike"
    mood_scale = (
        """        choices:
          - {value: 1, label: {fr: "Jamais", en: "Never"}}
          - {value: 2, label: {fr: "Parfois", en: "Sometimes"}}
          - {value: 3, label: {fr: "Souvent", en: "Often"}}
          - {value: 4, label: {fr: "Toujours", en: "Always"}}
"""
        if levels
        else "        scale: spiral5\n"
    )
    calm = """      - id: calm
        type: scale
        scale: spiral5
        label: {fr: "Calme ?", en: "Calm?"}
"""
    transport = f"""  - id: travel
    title: {{fr: "Trajet", en: "Travel"}}
    questions:
      - id: transport
        type: multiple
        other: true
        choices:
          - {{value: bus, label: {{fr: "Bus", en: "Bus"}}}}
          - {{value: {bike}, label: {{fr: "Vélo", en: "Bike"}}}}
          - {{value: walk, label: {{fr: "À pied", en: "On foot"}}}}
        label: {{fr: "Comment venez-vous ?", en: "How do you come?"}}
"""
    good_from = ", good_from: 3" if levels else ""
    return f"""id: {SURVEY_ID}
round: "{round_name}"
languages: [fr, en]
title: {{fr: "Enquête modifiée", en: "Edited survey"}}
groups:
  - {{id: students, label: {{fr: "Élèves", en: "Students"}}}}
  - {{id: parents, label: {{fr: "Parents", en: "Parents"}}}}
sections:
  - id: feelings
    title: {{fr: "Ressenti", en: "Feelings"}}
    questions:
      - id: mood
        type: scale
{mood_scale}        required: true
        label: {{fr: "Humeur ?", en: "Mood?"}}
{"" if remove else calm}{"" if remove else transport}  - id: last
    title: {{fr: "Fin", en: "End"}}
    questions:
      - id: remark
        type: text
        label: {{fr: "Une remarque ?", en: "Any remark?"}}
indicators:
  - {{id: mood, question: mood, family: G, label: {{fr: "Humeur", en: "Mood"}}{good_from}}}
{"" if remove else '  - {id: calm, question: calm, family: B, label: {fr: "Calme", en: "Calm"}}'}
"""


STUDENT_MOODS = [5, 5, 4, 3, 2, 5, 4, 1, 5, 4, 3, 5]
PARENT_MOODS = [5, 4, 4, 3, 5, 2, 4, 5]
TRAVELS = [("bus", ""), ("bike", ""), ("walk;bike", ""), ("other", "roller"), ("", "")]
"""Student i travels as TRAVELS[i % 5]; parents answer no travel question."""
# By hand, over the 20 responses of the first round:
#   mood: 20 answers, 8 of them 5 (5 students, 3 parents); >= 4 (good, spiral5's two highest): 8 + 6 = 14 -> 0.700
#   calm: students 3, parents 4: 20 answers, 8 good -> 0.400
#   transport: 10 answers (students 4 and 9 skip it), 5 with bike (students 1, 2, 6, 7, 11), 2 "other" texts
FIRST_ROUND_CSV = "group,mood,calm,transport,transport_other,remark\n" + "".join(
    [
        f"students,{mood},3,{TRAVELS[i % 5][0]},{TRAVELS[i % 5][1]},{'Très bien' if i == 0 else ''}\n"
        for i, mood in enumerate(STUDENT_MOODS)
    ]
    + [f"parents,{mood},4,,,{'=SUM(A1)' if i == 0 else ''}\n" for i, mood in enumerate(PARENT_MOODS)]
)

EDITS = {"remove": {"remove": True}, "rename": {"rename": True}, "levels": {"levels": True}}
WARNINGS = {
    "remove": [
        "edits: round 2026: question 'calm': 20 stored answers to a question no longer in the survey file;"
        " kept and exported",
        "edits: round 2026: question 'transport': 10 stored answers to a question no longer in the survey file;"
        " kept and exported",
    ],
    "rename": [
        "edits: round 2026: question 'transport': 5 stored answers are not among its choices (bike);"
        " they are kept and exported, not counted"
    ],
    "levels": [
        "edits: round 2026: question 'mood': 8 stored values are not levels of its scale (5);"
        " they are kept and exported, not counted"
    ],
}
"""What validate, serve and build print after each edit made in the round of the stored answers."""


class Instance:
    """A surveys folder and a database, used by the web app and the command line as in production."""

    def __init__(self, root: Path, database: Path | None = None) -> None:
        self.root = root
        self.surveys = root / "surveys"
        self.surveys.mkdir(parents=True, exist_ok=True)
        self.database = database or root / "instance" / "responses.db"

    def write(self, text: str) -> None:
        (self.surveys / f"{SURVEY_ID}.yaml").write_text(text, encoding="utf-8")

    def start(self):
        """The web app starting (a gunicorn worker): it saves the survey file for its current round."""
        return create_app({"SURVEYS_DIR": self.surveys, "DATABASE": self.database, "SECRET_KEY": SECRET})

    def run(self, *args: str):
        env = {"CORESP_SURVEYS": str(self.surveys), "CORESP_DB": str(self.database)}
        return CliRunner().invoke(main, list(args), env=env)

    def responses(self) -> list[Response]:
        db = prepare(self.database)
        try:
            return list(iter_responses(db, SURVEY_ID))
        finally:
            db.close()


def collected(instance: Instance, first_round: str) -> None:
    """The first version of the file served, and the first round's answers stored (typed from paper)."""
    instance.write(survey_text(first_round))
    instance.start()
    paper = instance.root / "paper.csv"
    paper.write_text(FIRST_ROUND_CSV, encoding="utf-8")
    result = instance.run("import", SURVEY_ID, str(paper))
    assert result.exit_code == 0, result.output


def edited(tmp_path: Path, edit: str, same_round: bool) -> Instance:
    """Answers stored with the first file, then the file edited (with a new round unless ``same_round``)."""
    instance = Instance(tmp_path / "instance")
    collected(instance, "2026" if same_round else "2025")
    instance.write(survey_text("2026", **EDITS[edit]))
    instance.start()
    return instance


def stored_rows(responses: list[Response]) -> list[tuple]:
    return sorted((r.round, r.group, json.dumps(r.answers, sort_keys=True)) for r in responses)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def figures(site: Path, round_name: str, indicator: str, group: str = "all") -> dict[str, str]:
    rows = read_csv((site / pages.data(SURVEY_ID, "indicators.csv")).read_text(encoding="utf-8"))
    (row,) = [r for r in rows if (r["round"], r["indicator"], r["group"]) == (round_name, indicator, group)]
    return row


# -- export and import back --------------------------------------------------------


@pytest.mark.parametrize("same_round", [True, False], ids=["same-round", "new-round"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_export_has_every_stored_answer_and_imports_back_into_a_fresh_database(tmp_path, edit, same_round):
    instance = edited(tmp_path, edit, same_round)
    stored = instance.responses()
    exported = tmp_path / "export.csv"
    assert instance.run("export", SURVEY_ID, "--out", str(exported)).exit_code == 0
    rows = read_csv(exported.read_text(encoding="utf-8"))
    header = list(rows[0])
    assert {key for response in stored for key in response.answers} <= set(header)
    if edit == "remove":  # the current file's columns first, then the stored keys it no longer has, sorted
        assert header[-3:] == ["calm", "transport", "transport_other"]
    expected = sorted(sorted((key, str(exporting.cell(value))) for key, value in r.answers.items()) for r in stored)
    found = sorted(
        sorted((key, value) for key, value in row.items() if key not in exporting.FIXED_COLUMNS and value)
        for row in rows
    )
    assert found == expected  # every stored value, exactly (formula-safe)
    assert sum(row["transport"] == "walk;bike" for row in rows) == 2
    assert [row["remark"] for row in rows if row["group"] == "parents" and row["remark"]] == ["'=SUM(A1)"]

    fresh = Instance(instance.root, tmp_path / "fresh" / "responses.db")  # the same files, served in the same order
    fresh.write(survey_text("2026" if same_round else "2025"))
    fresh.start()
    fresh.write(survey_text("2026", **EDITS[edit]))
    result = fresh.run("import", SURVEY_ID, str(exported))
    assert result.exit_code == 0, result.output
    assert "20 response(s) stored" in result.stderr
    assert stored_rows(fresh.responses()) == stored_rows(stored)


def test_import_refuses_an_unknown_round_naming_the_line_and_accepts_it_with_round(tmp_path):
    instance = Instance(tmp_path)
    instance.write(survey_text("2026"))
    paper = tmp_path / "paper.csv"
    paper.write_text("group,round,mood\nstudents,2026,4\nparents,1999,3\nparents,,5\n", encoding="utf-8")
    refused = instance.run("import", SURVEY_ID, str(paper))
    assert refused.exit_code == 1
    assert (
        f"{paper}: line 3: round '1999' is not a round of survey 'edits' (its rounds: 2026); to store it as a new"
        " round, run the import again with --round 1999"
    ) in refused.stderr
    assert "line 2" not in refused.stderr and "line 4" not in refused.stderr
    assert instance.responses() == []
    accepted = instance.run("import", SURVEY_ID, str(paper), "--round", "1999")
    assert accepted.exit_code == 0, accepted.output
    assert Counter(r.round for r in instance.responses()) == {"2026": 1, "1999": 2}  # the empty round is stamped
    again = instance.run("import", SURVEY_ID, str(paper))  # 1999 is a round of the survey now
    assert again.exit_code == 0, again.output


def test_import_refuses_a_malformed_round_cell_without_echoing_control_characters(tmp_path):
    instance = Instance(tmp_path)
    instance.write(survey_text("2026"))
    paper = tmp_path / "paper.csv"
    paper.write_text('group,round,mood\nstudents,"20\x1b[31m26",4\n', encoding="utf-8")
    result = instance.run("import", SURVEY_ID, str(paper))
    assert result.exit_code == 1
    assert "line 2: round '20\\x1b[31m26' is not a round name" in result.stderr
    assert "\x1b" not in result.stderr
    assert instance.responses() == []


def test_import_refuses_a_malformed_round_option(tmp_path):
    instance = Instance(tmp_path)
    instance.write(survey_text("2026"))
    paper = tmp_path / "paper.csv"
    paper.write_text("group,mood\nstudents,4\n", encoding="utf-8")
    result = instance.run("import", SURVEY_ID, str(paper), "--round", "=1+1")
    assert result.exit_code == 2
    assert "a round is a short name" in result.stderr
    assert "Traceback" not in result.output


def test_a_show_if_added_mid_round_drops_nothing_on_reimport(tmp_path):
    """Answers given before a page got a condition fit only the earlier version: an export of them imports whole."""
    instance = Instance(tmp_path / "instance")
    collected(instance, "2026")
    instance.write(survey_text("2026").replace("  - id: travel\n", '  - id: travel\n    show_if: "mood <= 2"\n'))
    instance.start()
    exported = tmp_path / "export.csv"
    assert instance.run("export", SURVEY_ID, "--out", str(exported)).exit_code == 0
    fresh = Instance(instance.root, tmp_path / "fresh" / "responses.db")
    fresh.write(survey_text("2026"))
    fresh.start()
    fresh.write(survey_text("2026").replace("  - id: travel\n", '  - id: travel\n    show_if: "mood <= 2"\n'))
    result = fresh.run("import", SURVEY_ID, str(exported))
    assert result.exit_code == 0, result.output
    assert stored_rows(fresh.responses()) == stored_rows(instance.responses())
    assert sum("transport" in r.answers for r in fresh.responses()) == 10


def test_import_refuses_a_column_no_version_of_the_survey_knows(tmp_path):
    instance = edited(tmp_path, "remove", same_round=True)
    paper = tmp_path / "paper.csv"
    paper.write_text("group,mood,calm,colour\nstudents,4,3,red\n", encoding="utf-8")
    result = instance.run("import", SURVEY_ID, str(paper))
    assert result.exit_code == 1
    assert "unknown column 'colour'" in result.stderr
    assert "unknown column 'calm'" not in result.stderr


def test_an_import_row_is_checked_with_the_file_of_its_round(tmp_path):
    """Round 2025 had 'bike', the current file has 'cycle': each round's rows take only their own choices."""
    instance = edited(tmp_path, "rename", same_round=False)
    paper = tmp_path / "paper.csv"
    paper.write_text("group,round,mood,transport\nstudents,2025,4,cycle\nstudents,2026,4,bike\n", encoding="utf-8")
    result = instance.run("import", SURVEY_ID, str(paper))
    assert result.exit_code == 1
    assert "line 2: transport: Please choose among the options." in result.stderr
    assert "line 3: transport: Please choose among the options." in result.stderr
    paper.write_text("group,round,mood,transport\nstudents,2025,4,bike\nstudents,2026,4,cycle\n", encoding="utf-8")
    assert instance.run("import", SURVEY_ID, str(paper)).exit_code == 0


# -- build -------------------------------------------------------------------------


@pytest.mark.parametrize("edit", ["levels", "remove"])  # a renamed choice of a multiple question is in no figure
def test_build_publishes_the_earlier_round_with_its_own_definition(tmp_path, edit):
    instance = edited(tmp_path, edit, same_round=False)
    site = tmp_path / "site"
    result = instance.run("build", "--no-pdf", "--out", str(site))
    assert result.exit_code == 0, result.output
    mood = figures(site, "2025", "mood")
    assert (mood["n"], mood["share_good"], mood["mean"], mood["suppressed"]) == ("20", "0.700", "3.90", "false")
    students = figures(site, "2025", "mood", "students")
    assert (students["n"], students["share_good"]) == ("12", "0.667")
    calm = figures(site, "2025", "calm")
    assert (calm["n"], calm["share_good"], calm["suppressed"]) == ("20", "0.400", "false")
    rows = read_csv((site / pages.data(SURVEY_ID, "indicators.csv")).read_text(encoding="utf-8"))
    current = {row["indicator"] for row in rows if row["round"] == "2026"}
    assert current == ({"mood"} if edit == "remove" else {"mood", "calm"})
    page = (site / pages.indicator("en", SURVEY_ID, "mood")).read_text(encoding="utf-8")
    history = page[page.index('id="history"') :]
    assert re.search(r'<th scope="row">2025</th>\s*<td class="num">20</td>\s*<td class="num">70%</td>', history)
    assert "Round 2025" in history
    assert "edits:" not in result.stderr  # every answer fits the file of its round


def test_changes_are_computed_only_between_rounds_where_the_indicator_exists():
    with_calm, _ = parse_survey(survey_text("2026"), "v1.yaml")
    without_calm, _ = parse_survey(survey_text("2026", remove=True), "v2.yaml")
    assert with_calm is not None and without_calm is not None
    responses = [
        Response(f"r{round_name}{i}", SURVEY_ID, round_name, "students", "fr", "2026-01-01", "web", answers)
        for round_name, answers in [
            ("2024", {"mood": 2, "calm": 2}),
            ("2025", {"mood": 4}),
            ("2026", {"mood": 5, "calm": 5}),
        ]
        for i in range(10)
    ]
    found = indicators.compute(with_calm, responses, {"2024": with_calm, "2025": without_calm})
    calm = {(c.from_round, c.to_round) for c in found.changes if c.indicator == "calm" and c.group == "all"}
    mood = {(c.from_round, c.to_round) for c in found.changes if c.indicator == "mood" and c.group == "all"}
    assert calm == {("2024", "2026")}
    assert mood == {("2024", "2025"), ("2025", "2026")}
    assert {c.round for c in found.cells if c.indicator == "calm"} == {"2024", "2026"}


# -- warnings ----------------------------------------------------------------------


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{SURVEY_ID}: round")]


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_validate_serve_and_build_warn_about_answers_that_no_longer_fit(tmp_path, edit, monkeypatch):
    instance = edited(tmp_path, edit, same_round=True)
    validated = instance.run("validate")
    assert validated.exit_code == 0, validated.output
    assert warning_lines(validated.stderr) == WARNINGS[edit]
    started = []
    monkeypatch.setattr("coresp_survey.web.server.run", lambda *args, **kwargs: started.append(args))
    served = instance.run("serve")
    assert served.exit_code == 0, served.output
    assert started, "gunicorn was not started"
    assert warning_lines(served.stderr) == WARNINGS[edit]
    built = instance.run("build", "--no-pdf", "--out", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    assert warning_lines(built.stderr) == WARNINGS[edit]


def test_answers_of_a_survey_renamed_in_its_file_are_named_by_validate_serve_and_build(tmp_path, monkeypatch):
    instance = Instance(tmp_path / "instance")
    collected(instance, "2026")
    instance.write(survey_text("2026").replace(f"id: {SURVEY_ID}", "id: renamed", 1))
    said = (
        f"{SURVEY_ID}: 20 stored responses to a survey no file defines (renamed or removed?); kept: a survey file"
        f" with the id '{SURVEY_ID}' exports and publishes them again"
    )
    validated = instance.run("validate")
    assert validated.exit_code == 0, validated.output
    assert said in validated.stderr.splitlines()
    assert said not in instance.run("validate", str(instance.surveys / f"{SURVEY_ID}.yaml")).stderr  # one file only
    monkeypatch.setattr("coresp_survey.web.server.run", lambda *args, **kwargs: None)
    assert said in instance.run("serve").stderr.splitlines()
    built = instance.run("build", "--no-pdf", "--out", str(tmp_path / "site"))
    assert built.exit_code == 0, built.output
    assert said in built.stderr.splitlines()
    instance.write(survey_text("2026"))  # the file back under its id: nothing to say
    assert "no file defines" not in instance.run("validate").stderr


def test_validate_without_a_database_prints_no_warning_and_creates_no_file(tmp_path):
    instance = edited(tmp_path, "levels", same_round=True)
    assert warning_lines(instance.run("validate").stderr) == WARNINGS["levels"]
    elsewhere = Instance(instance.root, tmp_path / "nowhere" / "responses.db")
    result = elsewhere.run("validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == "1 survey(s) valid: edits.\n"
    assert not (tmp_path / "nowhere").exists()


def test_validate_changes_nothing_in_the_database(tmp_path):
    instance = edited(tmp_path, "levels", same_round=True)
    gc.collect()  # the commands run above leave their connections to the garbage collector
    before = {path.name: path.read_bytes() for path in instance.database.parent.iterdir()}
    assert warning_lines(instance.run("validate").stderr) == WARNINGS["levels"]
    assert {path.name: path.read_bytes() for path in instance.database.parent.iterdir()} == before


def test_a_database_from_before_saved_versions_reads_every_round_with_the_current_file(tmp_path):
    """The version that landed kept no survey file: its answers are read with the current one, and said so."""
    instance = edited(tmp_path, "levels", same_round=True)
    db = prepare(instance.database)
    db.execute("DROP TABLE survey_versions")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_survey_versions'")
    db.close()
    assert warning_lines(instance.run("validate").stderr) == WARNINGS["levels"]
    db = prepare(instance.database)  # the new code migrates it, keeping every response
    assert count_responses(db, SURVEY_ID) == 20
    db.close()


def test_a_saved_version_that_no_longer_loads_falls_back_to_the_current_file_with_a_warning(tmp_path):
    instance = edited(tmp_path, "rename", same_round=False)
    db = prepare(instance.database)
    save_survey_versions(db, [(SURVEY_ID, "2025", "yaml", b"id: edits\nlanguages: [fr]\nkiosque: 1\n")])
    db.close()
    site = tmp_path / "site"
    result = instance.run("build", "--no-pdf", "--out", str(site))
    assert result.exit_code == 0, result.output
    (line, *others) = warning_lines(result.stderr)
    assert line.startswith("edits: round 2025: the survey file saved on ")
    assert line.endswith("its answers are read with the current file")
    assert others == [
        "edits: round 2025: question 'transport': 5 stored answers are not among its choices (bike);"
        " they are kept and exported, not counted"
    ]
    assert figures(site, "2025", "mood")["n"] == "20"


# -- the versions kept -------------------------------------------------------------


def test_the_app_saves_each_file_once_per_round_and_the_latest_is_the_round_definition(tmp_path):
    instance = Instance(tmp_path)
    first, second = survey_text("2026"), survey_text("2026", rename=True)
    for text in (first, first, second, first):  # a restart saves nothing; an edit back to the first text does
        instance.write(text)
        instance.start()
    db = prepare(instance.database)
    versions = survey_versions(db, SURVEY_ID)
    assert [(v.round, v.version, v.format, v.source) for v in versions] == [
        ("2026", 3, "yaml", first.encode()),
        ("2026", 2, "yaml", second.encode()),
        ("2026", 1, "yaml", first.encode()),
    ]
    assert len(versions[0].saved) == 10
    instance.write(survey_text("2027", rename=True))
    survey = instance.start().extensions["surveys"][SURVEY_ID]
    from coresp_survey.answers import definitions

    rounds = definitions.load_definitions(db, survey)
    assert rounds.rounds == ["2026", "2027"]
    assert "bike" in rounds.of("2026").question("transport").values
    assert "cycle" in rounds.of("2027").question("transport").values
    db.close()


def test_the_demo_saves_the_file_its_rounds_were_made_with(tmp_path):
    instance = Instance(tmp_path)
    instance.write(survey_text("2026"))
    survey = instance.start().extensions["surveys"][SURVEY_ID]
    db = prepare(instance.database)
    (filled,) = demo_data.fill_empty_surveys(db, [survey])
    saved = {(v.round, v.source) for v in survey_versions(db, SURVEY_ID)}
    assert saved == {(round_name, survey_text("2026").encode()) for round_name in filled.rounds}
    assert filled.rounds == ["2025", "2026"]
    db.close()


def test_the_warnings_are_translated_for_the_workspace(tmp_path):
    from coresp_survey import i18n
    from coresp_survey.answers import definitions

    instance = edited(tmp_path, "rename", same_round=True)
    app = instance.start()
    db = prepare(instance.database)
    (line,) = definitions.survey_warnings(db, app.extensions["surveys"].values(), i18n.language("fr"))
    db.close()
    assert line == (
        "edits : tour 2026 : question « transport » : 5 réponses enregistrées ne font pas partie de ses choix (bike) ;"
        " elles sont gardées et exportées, pas comptées"
    )


def test_a_later_round_without_an_indicator_of_the_current_file_builds(tmp_path):
    """The pages show the latest round; where its file lacked an indicator or had other levels, they show no figure."""
    instance = edited(tmp_path, "levels", same_round=False)
    db = prepare(instance.database)
    import_responses(
        db, survey=SURVEY_ID, lang="fr", rows=[("2027", "students", {"mood": 4})] * 6,
        versions=[("2027", "yaml", survey_text("2027", remove=True).encode())],
    )  # fmt: skip
    db.close()
    site = tmp_path / "site"
    result = instance.run("build", "--no-pdf", "--out", str(site))
    assert result.exit_code == 0, result.output
    assert figures(site, "2027", "mood")["n"] == "6"
    rows = read_csv((site / pages.data(SURVEY_ID, "indicators.csv")).read_text(encoding="utf-8"))
    assert {row["indicator"] for row in rows if row["round"] == "2027"} == {"mood"}
    assert "Round 2025" in (site / pages.indicator("en", SURVEY_ID, "calm")).read_text(encoding="utf-8")
    mood = (site / pages.indicator("en", SURVEY_ID, "mood")).read_text(encoding="utf-8")
    assert re.search(r'<th scope="row">2027</th>\s*<td class="num">6</td>', mood)  # in the history
