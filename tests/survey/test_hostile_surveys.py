"""Generated survey files: ``validate`` and the loader never crash, and a valid file is served without a 500.

test_loader.py mutates one fixed survey and feeds arbitrary text. Here whole
surveys are built from the real keys (ids, types, choices, scales, groups,
indicators, ``show_if`` strings from the condition grammar, sections inside
sections' lists), then spoiled now and then (odd scalars, unicode, wrong
types, unknown or dropped keys), and go through the command an author runs,
``coresp-survey validate FILE``. When the file is valid, the app starts with it
and every page answers a GET, an empty POST and a random one without a server
error.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import CSRF
from helpers import SECRET
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey import create_app
from coresp_survey.answers.forms import field_names
from coresp_survey.cli import main
from coresp_survey.survey.catalog import load_catalog

TYPES = ("single", "multiple", "scale", "text", "long_text", "number")
LANGUAGE_SETS = (("fr", "en"), ("en", "fr"), ("fr",), ("en",))
LETTERS = "abcdéÀЖ中<>&\"'\\:#-{}[]*!|%@`=+\u202e\u00a0\u2028\U0001d518"

WORDS = st.builds(str.__add__, st.sampled_from(LETTERS), st.text(st.sampled_from(LETTERS + " \t"), max_size=8))
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(),
    st.dates(),
    WORDS,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["fr", "en", "de", "id", "value"]), st.integers(), max_size=2),
    st.sampled_from(
        ["yes", "no", "~", "0x1F", "1e999", ".nan", "2026-02-30", "<script>alert(1)</script>", "=1+1", "\u202e",
         "𝔘𝔫𝔦", "\u2028", "a: b", "- x", "{", "*a", "!!python/object:os.system", "group", "code", "csrf_token",
         "x_other", "Bad", "1a", "", "singel", "spiral6", "other", "all"]
    ),
)  # fmt: skip
"""Values of the wrong kind, or of the right kind with a wrong value, for a spoiled key."""


def texts(languages: list[str]) -> st.SearchStrategy:
    return st.fixed_dictionaries({lang: WORDS for lang in languages})


def atoms(question: dict, draw) -> tuple[list[str], list[str]]:
    """Conditions on one earlier question: well typed, and ill typed (for the checker to refuse)."""
    qid, kind = question["id"], question["type"]
    values = [choice["value"] for choice in question.get("choices", [])] or ["zz"]
    value = draw(st.sampled_from(values))
    if kind in ("scale", "number"):
        return [f"{qid} <= {draw(st.integers(-2, 6))}", f"{qid} > 2.5", f"answered({qid})"], [f"{qid} == 'x'"]
    if kind == "single":
        return [f"{qid} == '{value}'", f"{qid} != '{value}'", f"answered({qid})"], [f"{qid} < 3", f"{qid} == 'zz'"]
    if kind == "multiple":
        return [f"'{value}' in {qid}", f"not answered({qid})"], [f"{qid} == '{value}'", f"'zz' in {qid}"]
    return [f"answered({qid})"], [f"'x' in {qid}", f"{qid} > 1"]


GARBAGE = st.lists(
    st.sampled_from(["(", ")", "'", "==", " in ", "answered(", "and", "1e999", "--1", "é", "\\", "<>", "group", "'a"]),
    min_size=1,
    max_size=6,
).map(" ".join)


@st.composite
def conditions(draw, earlier: list[dict]) -> str:
    """A ``show_if`` from the grammar over earlier questions and ``group``; now and then ill typed or garbage."""
    good, bad = ["group == 'g1'", "group != 'g2'"], ["answered(nope)", "1 == 1", "group == 'zz'"]
    for question in earlier:
        well, ill = atoms(question, draw)
        good += well
        bad += ill
    pool = draw(st.sampled_from(["good", "good", "good", "bad", "garbage"]))
    if pool == "garbage":
        return draw(st.one_of(GARBAGE, st.text(max_size=12)))
    chosen = draw(st.lists(st.sampled_from(good if pool == "good" else good + bad), min_size=1, max_size=3))
    joined = draw(st.sampled_from([" and ", " or ", " and not "])).join(chosen)
    return draw(st.sampled_from([joined, f"not ({joined})", f"({joined}) or group == 'g1'"]))


@st.composite
def choices(draw, languages: list[str], numeric: bool = False) -> list:
    value = st.integers(1, 7) if numeric else st.sampled_from(["a", "b", "bus", "bike", "-x", "0", "x_1", "other"])
    values = draw(st.lists(value, min_size=2, max_size=4, unique=True))
    return [{"value": value, "label": draw(texts(languages))} for value in values]


@st.composite
def questions(draw, languages: list[str], earlier: list[dict]) -> dict:
    kind = draw(st.sampled_from(TYPES))
    qid = f"{draw(st.sampled_from(['q', 'mood', 'other_', 'x_other_']))}{len(earlier)}"
    question = {"id": qid, "type": kind, "label": draw(texts(languages))}
    if kind in ("single", "multiple"):
        question["choices"] = draw(choices(languages))
        if draw(st.booleans()):
            question["other"] = draw(st.booleans())
    if kind == "multiple" and draw(st.booleans()):
        question.update(min=draw(st.integers(0, 1)), max=draw(st.integers(2, 4)))
    if kind == "scale":
        if draw(st.booleans()):
            question["scale"] = draw(st.sampled_from(["spiral5", "agree5", "freq"]))
        else:
            question["choices"] = draw(choices(languages, numeric=True))
    if kind in ("text", "long_text") and draw(st.booleans()):
        question["max_length"] = draw(st.integers(1, 20_000))
    if kind == "number":
        bounds = sorted(draw(st.lists(st.one_of(st.integers(-5, 100), st.floats(-5, 100)), min_size=2, max_size=2)))
        for key, value in [("min", bounds[0]), ("max", bounds[1]), ("integer", draw(st.booleans()))]:
            if draw(st.booleans()):
                question[key] = value
    if draw(st.integers(0, 3)) == 0:
        question["help"] = draw(texts(languages))
    if draw(st.booleans()):
        question["required"] = draw(st.booleans())
    if earlier and draw(st.integers(0, 2)) == 0:
        question["show_if"] = draw(conditions(earlier))
    return question


@st.composite
def surveys(draw) -> dict:
    """A survey built from the real keys, right more often than not, then maybe spoiled."""
    languages = list(draw(st.sampled_from(LANGUAGE_SETS)))
    survey: dict = {"id": draw(st.sampled_from(["gen", "gen-2", "9"])), "languages": languages}
    survey["title"] = draw(texts(languages))
    if draw(st.booleans()):
        survey["groups"] = [{"id": gid, "label": draw(texts(languages))} for gid in ("g1", "g2")]
    survey["scales"] = {"freq": [{"value": v, "label": draw(texts(languages))} for v in (1, 2, 3)]}
    for key, value in [
        ("round", st.sampled_from(["2026", "2026-b", "R 1"])),
        ("intro", texts(languages)),
        ("thanks", texts(languages)),
        ("access", st.sampled_from(["public", "code"])),
        ("opens", st.just(date(2000, 1, 1))),
        ("publish", st.fixed_dictionaries({"min_group_size": st.integers(1, 20)})),
        ("families", st.just("spiral")),
    ]:
        if draw(st.integers(0, 3)) == 0:
            survey[key] = draw(value)
    survey["sections"], earlier = [], []
    for section_id in draw(st.sampled_from([["s"], ["s", "t"], ["s", "t", "u"], ["p1", "p2"]])):
        section = {"id": section_id, "title": draw(texts(languages)), "questions": []}
        if earlier and draw(st.integers(0, 3)) == 0:
            section["show_if"] = draw(conditions(earlier))
        for _ in range(draw(st.integers(1, 3))):
            question = draw(questions(languages, earlier))
            section["questions"].append(question)
            earlier.append(question)
        survey["sections"].append(section)
    scale_ids = [q["id"] for q in earlier if q["type"] == "scale"]
    if scale_ids and draw(st.booleans()):
        label = draw(texts(languages))
        survey["indicators"] = [
            {"id": "ind", "question": draw(st.sampled_from(scale_ids)), "family": "A", "label": label}
        ]
    return draw(spoiled(survey))


@st.composite
def spoiled(draw, tree: dict) -> dict:
    """Now and then the slips an author makes: a value of the wrong kind, an unknown or a dropped key."""
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        parent = tree
        while True:
            keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = parent[key]
            if isinstance(child, dict | list) and child and draw(st.integers(0, 3)) > 0:
                parent = child
                continue
            action = draw(st.sampled_from(["replace", "replace", "drop", "unknown", "duplicate"]))
            if action == "replace":
                parent[key] = draw(ODD)
            elif action == "drop":
                del parent[key]
            elif action == "unknown" and isinstance(parent, dict):
                parent[draw(st.sampled_from(["titel", "lable", "requierd", "é", "show-if", "other_"]))] = draw(ODD)
            elif action == "duplicate" and isinstance(parent, list):
                parent.insert(key, yaml.safe_load(yaml.safe_dump(parent[key])))
            break
    return tree


def dumped(tree: dict, flow: bool | None, unicode: bool) -> str:
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=unicode, default_flow_style=flow)


LINE = re.compile(r"(?P<path>.+):(?P<line>\d+): (?P<message>.+)")


def validate(path: Path, lines: int) -> bool:
    """Run ``coresp-survey validate FILE``; check its output is only well-formed problem lines."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for printed in result.stdout.splitlines():
        match = LINE.fullmatch(printed)
        assert match, printed
        assert match["path"] == str(path) and 1 <= int(match["line"]) <= max(lines, 1), printed
    assert (result.exit_code == 0) == (result.stdout == "")
    return result.exit_code == 0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One app for every generated survey: each valid one is put in its catalog in turn (start-up is slow)."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "surveys").mkdir()
    return create_app({"SURVEYS_DIR": folder / "surveys", "DATABASE": folder / "r.db", "SECRET_KEY": SECRET})


def serve_every_page(app, folder: Path, data: st.DataObject) -> None:
    """A valid survey is served: every page answers a GET, an empty POST and a random one without a 500."""
    app.extensions["surveys"] = load_catalog(folder)  # what create_app does at start, with the same file
    survey = next(iter(app.extensions["surveys"].values()))
    client = app.test_client()
    names = [name for q in survey.questions for name in field_names(q)] + ["group", "code", "_nav"]
    values = ["", "1", "3", "-2.5", "a", "other", "back", "x" * 300, "<script>"]
    values += [str(v) for q in survey.questions for v in q.values]
    for lang in survey.languages:
        first = f"/{lang}/{survey.id}/"
        page = client.get(first)
        assert page.status_code == 200, page.text
        token = CSRF.search(page.text)
        for url in [first] + [f"{first}page/{section.id}/" for section in survey.sections[1:]]:
            assert client.get(url).status_code < 500, url
            if token is None:  # a survey not open yet, or closed
                continue
            sent = data.draw(st.dictionaries(st.sampled_from(names), st.lists(st.sampled_from(values), max_size=3)))
            for form in ({}, sent):
                reply = client.post(url, data={"csrf_token": token.group(1), "_nav": "next", **form})
                assert reply.status_code < 500, (url, form, reply.text)
        assert client.get(f"{first}thanks/").status_code == 200


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tree=surveys(), flow=st.sampled_from([False, None, True]), unicode=st.booleans(), data=st.data())
def test_generated_surveys_give_problem_lines_or_a_survey_that_is_served(server, tree, flow, unicode, data):
    folder = Path(tempfile.mkdtemp(prefix="gen-survey-"))
    try:
        text = dumped(tree, flow, unicode)
        path = folder / "gen.yaml"
        path.write_text(text, encoding="utf-8")
        valid = validate(path, len(text.splitlines()))
        event("valid" if valid else "problems")
        if valid:
            serve_every_page(server, folder, data)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
