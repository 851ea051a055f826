"""Each question type is declared once (survey/question_types.py), and everything else asks that declaration."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import TEST_SURVEYS
from werkzeug.datastructures import MultiDict

import coresp_survey
from coresp_survey import i18n
from coresp_survey.answers import forms
from coresp_survey.answers import importing
from coresp_survey.answers import walk as answering
from coresp_survey.answers.exporting import cell
from coresp_survey.survey import question_types
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.model import QUESTION_TYPES
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Text
from coresp_survey.survey.question_types import TYPES
from coresp_survey.survey.question_types import Operand
from coresp_survey.survey.question_types import QuestionType

PACKAGE = Path(coresp_survey.__file__).parent
TEMPLATES = PACKAGE / "templates"
DECLARATIONS = PACKAGE / "survey" / "question_types.py"
"""Where types are named in a table: their declarations (and `model.QUESTION_TYPES`, the list of their names)."""
MINI = TEST_SURVEYS / "mini.yaml"
HOOKS = ("read", "fields", "misfit", "made_up")
"""What each type must say for itself (the others have a default that fits most types)."""


class Someone:
    """A made-up respondent as the demo gives one (`question_types.MadeUpRespondent`), with fixed leanings."""

    def __init__(self, seed: int) -> None:
        import random

        self.rng = random.Random(seed)

    def leaning(self, question):
        return 0.5

    def choice_weights(self, question):
        return [1.0] * len(question.values)

    def typical_number(self):
        return 4.0

    def open_text(self, question, limit):
        return "=1+1 ; une idée"[:limit]

    def other_text(self, limit):
        return "Autre chose"[:limit]


SOME_QUESTION = Question(id="shown", kind=TYPES["note"], label=Text(en="Just read this"))


@pytest.fixture(scope="module")
def mini():
    return load_survey(MINI)


def test_every_type_of_the_model_has_a_whole_declaration():
    assert tuple(TYPES) == QUESTION_TYPES
    macros = set(re.findall(r"{% macro (\w+)\(", (TEMPLATES / "question_types.html").read_text(encoding="utf-8")))
    for name, kind in TYPES.items():
        assert isinstance(kind, QuestionType) and kind.name == name
        if kind.operand is None:  # shown, not answered (a note): no field, nothing a condition could test
            assert kind.fields(SOME_QUESTION, i18n.language("en")) == {} and kind.field_names(SOME_QUESTION) == []
        else:
            assert isinstance(kind.operand, Operand) and kind.operand.value in ("string", "number", "multiple")
            assert kind.operand.member in (None, "choice", "level")
        assert kind.macro in macros, f"{name}: no macro {kind.macro!r} in question_types.html"
        assert isinstance(kind.keys, tuple) and all(isinstance(key, str) for key in kind.keys)
        for hook in HOOKS:
            assert getattr(type(kind), hook) is not getattr(QuestionType, hook), f"{name} does not say how to {hook}"


def test_the_test_survey_asks_every_type(mini):
    assert {question.type for question in mini.questions} == set(QUESTION_TYPES)
    assert all(question.kind is TYPES[question.type] for question in mini.questions)


@pytest.mark.parametrize("seed", range(20))
def test_a_made_up_answer_fits_passes_the_form_and_comes_back_from_its_cell(mini, seed):
    """For each type: the demo's answer is one the type accepts, and an export of it imports back the same."""
    person = Someone(seed)
    for section in mini.sections:
        for question in section.questions:
            made = question.kind.made_up(question, person)
            if not forms.field_names(question):  # a note: nothing is asked, nothing made up
                assert made == {}
                continue
            assert question.kind.misfit(question, made[question.id]) is None, (question.id, made)
            cells = {name: importing.uncell(str(cell(value))) for name, value in made.items()}
            raw = {
                name: question.kind.from_cell(text) if name == question.id else [text] for name, text in cells.items()
            }
            form = forms.section_form(section, "en", MultiDict(raw))
            assert forms.validate_fields(form, forms.field_names(question)), (question.id, form.errors)
            assert forms.typed_answer(form, question) == made
            assert all(question.kind.readable(question, value) for value in raw[question.id])


def test_each_type_becomes_the_fields_named_for_it(mini):
    for question in mini.questions:
        fields = question.kind.fields(question, i18n.language("en"))
        assert list(fields) == forms.field_names(question)


def test_a_draft_keeps_only_what_each_type_can_still_read(mini):
    raw = {"mood": ["4", "9"], "transport": ["bus", "plane"], "favourite": ["art"], "age": ["douze"], "remark": ["x"]}
    assert answering.usable_draft(mini, raw) == {
        "mood": ["4"],
        "transport": ["bus"],
        "favourite": ["art"],
        "age": ["douze"],  # typed: the respondent's to correct
        "remark": ["x"],
    }


# -- no other table of types ------------------------------------------------------------


def per_type_tables(package: Path) -> list[str]:
    """Every place outside the declarations that dispatches on a question's type by itself."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path == package / DECLARATIONS.relative_to(PACKAGE):
            continue
        where = path.relative_to(package.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {id(node.value) for node in ast.walk(tree) if _assigns(node, "QUESTION_TYPES")}
        for node in sorted(ast.walk(tree), key=lambda n: getattr(n, "lineno", 0)):
            if id(node) in names:
                continue
            if isinstance(node, ast.Compare) and any(map(_names_a_type, [node.left, *node.comparators])):
                found.append(f"{where}:{node.lineno}: compares a question's type")
            elif isinstance(node, ast.Subscript) and _names_a_type(node.slice):
                found.append(f"{where}:{node.lineno}: looks a question's type up in a table")
            elif _picks_a_method_by_name(node):
                found.append(f"{where}:{node.lineno}: picks a method by a name made at run time")
            elif isinstance(node, ast.Dict | ast.Tuple | ast.List | ast.Set):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                named = {
                    item.value for item in items if isinstance(item, ast.Constant) and item.value in QUESTION_TYPES
                }
                if len(named) >= 2:
                    found.append(f"{where}:{node.lineno}: a table of question types {sorted(named)}")
    for path in sorted((package / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\b(q|question)\.type\b", line):
                found.append(f"{path.relative_to(package.parent)}:{number}: a template reads a question's type")
    return found


def _assigns(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)


def _names_a_type(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "type"


def _picks_a_method_by_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.JoinedStr)
    )


def test_no_module_or_template_keeps_a_table_of_question_types_of_its_own():
    assert per_type_tables(PACKAGE) == []


def test_the_table_finder_finds_the_tables_there_were(tmp_path):
    """What the consumers held before the declarations (issue 10): the finder names each kind of it."""
    package = tmp_path / "coresp_survey"
    (package / "templates").mkdir(parents=True)
    (package / "forms.py").write_text(
        'FIELD_BUILDERS = {"single": 1, "multiple": 2}\n'
        "def build(question):\n    return FIELD_BUILDERS[question.type]\n"
        'def is_list(question):\n    return question.type == "multiple"\n'
        'TYPED = ("text", "long_text", "number")\n'
        'QUESTION_TYPES = ("single", "multiple")\n'
        'def read(self, data):\n    return getattr(self, f"details_{data}")\n',
        encoding="utf-8",
    )
    (package / "templates" / "questions.html").write_text(
        '{% if q.type in ("single", "multiple") %}\n', encoding="utf-8"
    )
    assert per_type_tables(package) == [
        "coresp_survey/forms.py:1: a table of question types ['multiple', 'single']",
        "coresp_survey/forms.py:3: looks a question's type up in a table",
        "coresp_survey/forms.py:5: compares a question's type",
        "coresp_survey/forms.py:6: a table of question types ['long_text', 'number', 'text']",
        "coresp_survey/forms.py:9: picks a method by a name made at run time",
        "coresp_survey/templates/questions.html:1: a template reads a question's type",
    ]


def test_to_cell_is_the_same_for_every_stored_shape():
    assert question_types.to_cell(["bus", "other"]) == "bus;other"
    assert question_types.to_cell(None) == ""
    assert question_types.to_cell(3) == 3
