"""``coresp-survey convert``, and workbooks as surveys for every command: the same survey either way.

Every bundled and test survey is converted to a workbook and back and stays
the same survey (`workbooks.signature`: questions, choices, conditions,
groups, indicators; not where things were written). A workbook survey is
served, imported into, exported and read back from the versions saved per
round in its own format.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import BUNDLED_SURVEYS
from helpers import ROOT
from helpers import SECRET
from helpers import TEST_SURVEYS
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from workbooks import FR
from workbooks import signature
from workbooks import small_survey
from workbooks import write_workbook

from coresp_survey import create_app
from coresp_survey.answers import database
from coresp_survey.answers import definitions
from coresp_survey.answers import versions
from coresp_survey.cli import main
from coresp_survey.survey import as_xlsform
from coresp_survey.survey import as_yaml
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.loader import parse_survey
from coresp_survey.survey.loader import read_survey
from coresp_survey.survey.workbook import read_workbook

EXAMPLES = ROOT / "examples"
EVERY_SURVEY = sorted(BUNDLED_SURVEYS.glob("*.yaml")) + sorted(TEST_SURVEYS.glob("*.yaml"))


def convert(*args: str):
    return CliRunner().invoke(main, ["convert", *map(str, args)])


@pytest.mark.parametrize("path", EVERY_SURVEY, ids=lambda p: p.name)
def test_a_survey_converted_to_a_workbook_and_back_is_the_same_survey(tmp_path, path):
    original = load_survey(path)
    workbook = tmp_path / f"{original.id}.xlsx"
    result = convert(path, "--out", workbook)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "written as an XLSForm workbook" in result.stderr
    from_workbook = load_survey(workbook)
    assert signature(from_workbook) == signature(original)
    assert from_workbook.source.format == "xlsx"
    back = convert(workbook)  # a workbook becomes YAML, on standard output
    assert back.exit_code == 0, back.output
    again, problems = parse_survey(back.stdout, "back.yaml")
    assert problems == [] and signature(again) == signature(original)


def test_the_workbook_has_one_column_per_language_side_by_side_and_the_others_to_fill(tmp_path):
    french_only = (TEST_SURVEYS / "mini.yaml").read_text().replace("languages: [fr, en]", "languages: [fr]")
    french_only = "\n".join(_without_english(line) for line in french_only.splitlines())
    source = tmp_path / "mini.yaml"
    source.write_text(french_only)
    assert read_survey(source)[1] == []
    workbook = tmp_path / "mini.xlsx"
    assert convert(source, "--to", "xlsx", "--out", workbook).exit_code == 0
    sheets = {sheet.name: sheet.rows for sheet in read_workbook(workbook.read_bytes())}
    header = sheets["survey"][0]
    assert header[:4] == ["type", "name", "label::Français (fr)", "label::English (en)"]
    english = header.index("label::English (en)")
    assert all(row[english] == "" for row in sheets["survey"][1:])  # a translation to come
    assert load_survey(workbook).languages == ("fr",)  # an empty column is no language yet

    from openpyxl import load_workbook

    book = load_workbook(workbook)
    rules = [rule for ranges in book["survey"].conditional_formatting for rule in ranges.rules]
    assert any("D2" in formula for rule in rules for formula in rule.formula)  # empty English labels are coloured
    assert book["survey"].freeze_panes == "C2"


def _without_english(line: str) -> str:
    """mini.yaml's texts are {fr: "…", en: "…"} on one line: keep the French."""
    return line.split(', en: "')[0] + "}" + line.split('"}', 1)[1] if ', en: "' in line else line


def test_a_translator_filling_a_language_in_part_is_told_each_cell_left(tmp_path):
    sheets = small_survey()
    for row in sheets["survey"][1:]:
        if len(row) > 3 and row[1] != "habite":
            row[3] = ""
    found = [str(p.where) for p in read_survey(write_workbook(tmp_path / "half.xlsx", sheets))[1]]
    assert found == ["survey!D2", "survey!D4", "survey!D5", "survey!D6", "survey!D8", "survey!D9", "survey!D10",
                     "survey!D11", "survey!D12"]  # fmt: skip


def test_a_text_that_looks_like_a_formula_stays_a_text(tmp_path):
    text = (TEST_SURVEYS / "mini.yaml").read_text()
    label = next(line for line in text.splitlines() if "label:" in line and "fr:" in line)
    start = label.index('fr: "') + len('fr: "')
    source = tmp_path / "formula.yaml"
    source.write_text(text.replace(label, label[:start] + "=1+1 @SUM(A1) " + label[start:]))
    original = load_survey(source)
    workbook = tmp_path / "formula.xlsx"
    assert convert(source, "--out", workbook).exit_code == 0
    assert signature(load_survey(workbook)) == signature(original)
    cells = [cell for sheet in read_workbook(workbook.read_bytes()) for row in sheet.rows for cell in row]
    assert "=1+1 @SUM(A1) Élèves" in cells


def test_convert_writes_yaml_to_a_file_or_standard_output(tmp_path):
    workbook = write_workbook(tmp_path / "quartier.ods", small_survey())
    result = convert(workbook)
    assert result.exit_code == 0 and result.stdout.startswith("id: quartier-xls\n")
    out = tmp_path / "quartier.yaml"
    assert convert(workbook, "--out", out).exit_code == 0
    assert out.read_text() == result.stdout
    assert signature(load_survey(out)) == signature(load_survey(workbook))


def test_convert_needs_a_file_for_a_workbook_and_a_valid_survey(tmp_path):
    result = convert(TEST_SURVEYS / "mini.yaml")
    assert result.exit_code == 1 and result.stderr == "Error: --to xlsx needs --out FILE.xlsx\n"
    bad = write_workbook(tmp_path / "bad.xlsx", {"survey": [["type", "name", FR], ["integr", "age", "Âge"]]})
    result = convert(bad, "--out", tmp_path / "bad.yaml")
    assert result.exit_code == 1 and not (tmp_path / "bad.yaml").exists()
    assert f"{bad}:survey!A2: unknown type 'integr' (did you mean 'integer'?)\n" in result.stdout
    assert "nothing was converted" in result.stderr and "Traceback" not in result.output


def test_convert_never_writes_into_the_surveys_folder(tmp_path):
    folder = tmp_path / "surveys"
    shutil.copytree(TEST_SURVEYS, folder)
    result = CliRunner().invoke(
        main, ["--surveys", str(folder), "--db", str(tmp_path / "r.db"), "convert", str(folder / "mini.yaml"),
               "--out", str(folder / "mini.xlsx")]
    )  # fmt: skip
    assert result.exit_code == 1 and not (folder / "mini.xlsx").exists()
    assert "surveys folder" in result.stderr


def test_the_template_workbook_is_valid_and_is_its_yaml_twin():
    """examples/modele-enquete.xlsx: a small bilingual survey to start from, with everything the README shows."""
    workbook, twin = load_survey(EXAMPLES / "modele-enquete.xlsx"), load_survey(EXAMPLES / "modele-enquete.yaml")
    assert signature(workbook) == signature(twin)
    assert len(workbook.sections) >= 2 and workbook.groups
    assert any(q.type == "long_text" for q in workbook.questions)
    assert any(q.show_if or s.show_if for s in workbook.sections for q in s.questions)
    assert workbook.indicators and workbook.question(workbook.indicators[0].question).type == "scale"


# -- a workbook survey in every command -----------------------------------------------------------


@pytest.fixture
def workbook_folder(tmp_path) -> Path:
    folder = tmp_path / "surveys"
    folder.mkdir()
    write_workbook(folder / "quartier.xlsx", small_survey())
    return folder


def test_the_web_app_serves_a_workbook_survey(tmp_path, workbook_folder):
    app = create_app({"SURVEYS_DIR": workbook_folder, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET})
    client = app.test_client()
    page = client.get("/en/quartier-xls/")
    assert page.status_code == 200 and "Do you live here?" in page.text
    assert client.get("/fr/quartier-xls/").status_code == 200
    db = database.connect(tmp_path / "r.db")
    [version] = versions.survey_versions(db, "quartier-xls")
    assert (version.round, version.format, version.source) == (
        "2026", "xlsx", (workbook_folder / "quartier.xlsx").read_bytes()
    )  # fmt: skip


def test_import_export_and_codes_take_a_workbook_survey(tmp_path, workbook_folder):
    settings = ["--surveys", str(workbook_folder), "--db", str(tmp_path / "r.db")]
    rows = tmp_path / "paper.csv"
    rows.write_text("group,habite,annees,transports,securite,calme\nadultes,oui,12,bus;velo,4,2\nenfants,non,,,2,\n")
    result = CliRunner().invoke(main, [*settings, "import", "quartier-xls", str(rows)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, [*settings, "export", "quartier-xls"])
    assert result.exit_code == 0, result.output
    exported = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert sorted((r["group"], r["habite"], r["transports"], r["securite"]) for r in exported) == [
        ("adultes", "oui", "bus;velo", "4"), ("enfants", "non", "", "")  # the page is not for children
    ]  # fmt: skip
    code_survey = small_survey()
    code_survey["settings"][1][5] = "code"
    write_workbook(workbook_folder / "quartier.xlsx", code_survey)
    result = CliRunner().invoke(main, [*settings, "codes", "quartier-xls", "--group", "adultes", "--count", "2"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 3


def test_a_round_saved_as_a_workbook_is_read_back_as_one(tmp_path, workbook_folder):
    create_app(
        {"SURVEYS_DIR": workbook_folder, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET}
    )  # saves round 2026
    next_round = small_survey()
    next_round["settings"][1][4] = "2027"
    next_round["survey"][3][2] = "Depuis combien de temps ?"
    write_workbook(workbook_folder / "quartier.xlsx", next_round)
    current = load_survey(workbook_folder / "quartier.xlsx")
    db = database.connect(tmp_path / "r.db")
    known = definitions.load_definitions(db, current)
    earlier = known.of("2026")
    assert earlier is not current and known.problems == []
    assert earlier.question("annees").label["fr"] == "Depuis combien d'années ?"
    assert current.question("annees").label["fr"] == "Depuis combien de temps ?"


def test_a_saved_workbook_that_no_longer_loads_is_one_warning(tmp_path, workbook_folder):
    create_app({"SURVEYS_DIR": workbook_folder, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET})
    db = database.connect(tmp_path / "r.db")
    db.execute("UPDATE survey_versions SET source = ?", [b"PK\x03\x04 damaged"])
    db.conn.commit()
    moved = small_survey()
    moved["settings"][1][4] = "2027"
    write_workbook(workbook_folder / "quartier.xlsx", moved)
    known = definitions.load_definitions(db, load_survey(workbook_folder / "quartier.xlsx"))
    with create_app(
        {"SURVEYS_DIR": workbook_folder, "DATABASE": tmp_path / "r2.db", "SECRET_KEY": SECRET}
    ).app_context():
        known.of("2026")
    assert len(known.problems) == 1 and "(the file is not a workbook (.xlsx or .ods))" in known.problems[0]


# -- generated surveys: converted and back, the same survey ------------------------------------------

LABEL_WORDS = st.text(st.sampled_from("abcdéèàçôœ ÉÀ'’?!:;-«»\"=@+&<>"), min_size=1, max_size=12).filter(str.strip)


@st.composite
def labels(draw, languages: list[str], used: set) -> dict:
    """A text in each language, numbered so that it is unlike any other label of its list (``used`` counts them)."""
    text = {}
    for lang in languages:
        used.add(len(used))
        text[lang] = f"{draw(LABEL_WORDS)} {len(used)}"
    return text


@st.composite
def well_typed(draw, earlier: list[dict], groups: bool) -> str | None:
    """A show_if over earlier questions (and the group) that the loader accepts."""
    atoms = ["group == 'g1'", "group != 'g2'"] if groups else []
    for question in earlier:
        qid, kind = question["id"], question["type"]
        if kind == "single":
            atoms += [f"{qid} == '{question['choices'][0]['value']}'", f"answered({qid})"]
        elif kind == "multiple":
            atoms += [f"'{question['choices'][-1]['value']}' in {qid}", f"not answered({qid})"]
        elif kind == "scale":
            levels = [c["value"] for c in question["choices"]] if "choices" in question else [1, 2, 3]
            atoms += [f"{qid} >= {draw(st.sampled_from(levels))}", f"{qid} != {levels[0]}"]
        elif kind == "number":
            atoms += [f"{qid} >= {draw(st.integers(-3, 5))}", f"{qid} < 2.5"]
        else:
            atoms += [f"answered({qid})"]
    if not atoms:
        return None
    chosen = draw(st.lists(st.sampled_from(atoms), min_size=1, max_size=3))
    joined = draw(st.sampled_from([" and ", " or "])).join(chosen)
    return draw(
        st.sampled_from([joined, f"not ({joined})", f"({joined}) or {chosen[0]}", f"{chosen[0]} and ({joined})"])
    )


@st.composite
def valid_surveys(draw) -> dict:
    languages = draw(st.sampled_from([["fr", "en"], ["en", "fr"], ["fr"]]))
    used: set = set()
    tree: dict = {"id": "gen", "round": draw(st.sampled_from(["1", "2026", "R 2"])), "languages": languages,
                  "title": draw(labels(languages, used))}  # fmt: skip
    if draw(st.booleans()):
        group_labels: set = set()
        tree["groups"] = [{"id": g, "label": draw(labels(languages, group_labels)), "size": draw(st.integers(5, 99))}
                          for g in ("g1", "g2")]  # fmt: skip
    if draw(st.booleans()):
        tree["access"], tree["kiosk"] = "code", draw(st.booleans())
    freq_labels: set = set()
    tree["scales"] = {"freq": [{"value": v, "label": draw(labels(languages, freq_labels))} for v in (1, 2, 3)]}
    earlier: list[dict] = []
    tree["sections"] = []
    for number in range(draw(st.integers(1, 3))):
        section = {"id": f"p{number}", "title": draw(labels(languages, used)), "questions": []}
        if earlier and draw(st.booleans()) and (show_if := draw(well_typed(earlier, "groups" in tree))):
            section["show_if"] = show_if
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["single", "multiple", "scale", "text", "long_text", "number"]))
            question = {"id": f"q{len(earlier)}", "type": kind, "label": draw(labels(languages, used))}
            if kind in ("single", "multiple"):
                choice_labels: set = set()
                values = draw(st.lists(st.sampled_from(["a", "b", "bus", "1", "x-y", "z_9"]), min_size=2, max_size=4,
                                       unique=True))  # fmt: skip
                question["choices"] = [{"value": v, "label": draw(labels(languages, choice_labels))} for v in values]
                question["other"] = draw(st.booleans())
            if kind == "multiple" and draw(st.booleans()):
                question["min"], question["max"] = 1, 2
            if kind == "scale":
                how = draw(st.sampled_from(["spiral5", "agree5", "freq", "inline"]))
                if how == "inline":
                    level_labels: set = set()
                    question["choices"] = [{"value": v, "label": draw(labels(languages, level_labels))}
                                           for v in sorted(draw(st.sets(st.integers(0, 9), min_size=2, max_size=4)))]  # fmt: skip
                else:
                    question["scale"] = how
            if kind in ("text", "long_text") and draw(st.booleans()):
                question["max_length"] = draw(st.integers(1, 20_000))
            if kind == "number":
                low = draw(st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5).map(lambda f: round(f, 3))))
                high = draw(st.one_of(st.none(), st.integers(6, 10**6), st.just(7.25)))
                question.update({k: v for k, v in (("min", low), ("max", high)) if v is not None})
                question["integer"] = draw(st.booleans()) and not isinstance(low, float)
            if draw(st.booleans()):
                question["help"] = draw(labels(languages, used))
            question["required"] = draw(st.booleans())
            if earlier and draw(st.booleans()) and (show_if := draw(well_typed(earlier, "groups" in tree))):
                question["show_if"] = show_if
            section["questions"].append(question)
            earlier.append(question)
        tree["sections"].append(section)
    scales = [q["id"] for q in earlier if q["type"] == "scale"]
    if scales:
        tree["indicators"] = [{"id": f"i{n}", "question": q, "family": draw(st.sampled_from("ABCDEFGH")),
                               "label": draw(labels(languages, set()))} for n, q in enumerate(scales)]  # fmt: skip
    return tree


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=valid_surveys(), suffix=st.sampled_from([".xlsx", ".ods"]))
def test_a_generated_survey_converted_and_back_is_the_same_survey(tree, suffix):
    original, problems = parse_survey(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "gen.yaml")
    assert problems == [], [str(p) for p in problems]
    folder = Path(tempfile.mkdtemp(prefix="convert-"))
    try:
        workbook = folder / "gen.xlsx"
        as_xlsform.write_workbook(original, workbook)
        if suffix == ".ods":  # the same cells in LibreOffice's format, written by the tests' writer
            sheets = {sheet.name: sheet.rows for sheet in read_workbook(workbook.read_bytes())}
            workbook = write_workbook(folder / "gen.ods", sheets)
        from_workbook, problems = read_survey(workbook)
        assert problems == [], [str(p) for p in problems]
        assert signature(from_workbook) == signature(original)
        again, problems = parse_survey(as_yaml.survey_yaml(from_workbook), "again.yaml")
        assert problems == [] and signature(again) == signature(original)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_build_publishes_a_workbook_survey(tmp_path, workbook_folder):
    settings = ["--surveys", str(workbook_folder), "--db", str(tmp_path / "r.db")]
    rows = tmp_path / "paper.csv"
    rows.write_text("group,habite,securite\n" + "adultes,oui,4\n" * 6)
    assert CliRunner().invoke(main, [*settings, "import", "quartier-xls", str(rows)]).exit_code == 0
    result = CliRunner().invoke(main, [*settings, "build", "--out", str(tmp_path / "site"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "en" / "quartier-xls" / "index.html").read_text()
    assert "The neighbourhood" in page and "Feeling of safety" in page
