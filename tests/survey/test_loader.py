"""Survey files: the model a valid file gives, and each mistake named once, at its exact line.

A problem case is a document with ``# <-`` on the line the problem must name
(and ``# first`` on the line a duplicate must point back to): the test checks
that the file gives exactly that one problem, there, with a helpful message.
"""

from __future__ import annotations

import re
import time
from datetime import date
from textwrap import dedent
from textwrap import indent

import pytest
import yaml
from helpers import BUNDLED_SURVEYS
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey.survey.builtins import SCALES
from coresp_survey.survey.loader import Problem
from coresp_survey.survey.loader import SurveyInvalid
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.loader import parse_survey
from coresp_survey.survey.loader import read_survey
from coresp_survey.survey.model import Survey

BUNDLED = sorted((BUNDLED_SURVEYS).glob("*.yaml"))

HEAD = """\
id: demo
languages: [fr, en]
title: {fr: "Titre", en: "Title"}
"""
QUESTIONS = """\
- id: mood
  type: scale
  scale: spiral5
  label: {fr: "Humeur", en: "Mood"}
- id: pick
  type: single
  label: {fr: "Choix", en: "Pick"}
  choices:
    - {value: bus, label: {fr: "Bus", en: "Bus"}}
    - {value: walk, label: {fr: "À pied", en: "On foot"}}
- id: modes
  type: multiple
  label: {fr: "Modes", en: "Modes"}
  choices:
    - {value: bus, label: {fr: "Bus", en: "Bus"}}
    - {value: bike, label: {fr: "Vélo", en: "Bike"}}
    - {value: walk, label: {fr: "À pied", en: "On foot"}}
"""
INDICATOR = '- {id: mood, question: mood, family: G, label: {fr: "Humeur générale", en: "Overall mood"}}\n'


def block(text: str) -> str:
    """``text`` dedented and ending with a line break (unless empty)."""
    text = dedent(text)
    return text if not text or text.endswith("\n") else text + "\n"


def document(
    top: str = "",
    section: str = "",
    questions: str = "",
    sections: str = "",
    indicators: str = INDICATOR,
    base: str = QUESTIONS,
) -> str:
    """A valid survey, plus extra top keys, section keys, questions, sections and indicators."""
    return (
        HEAD
        + block(top)
        + "sections:\n"
        + "  - id: first\n"
        + '    title: {fr: "Page", en: "Page"}\n'
        + indent(block(section), "    ")
        + "    questions:\n"
        + indent(base + block(questions), "      ")
        + indent(block(sections), "  ")
        + ("indicators:\n" + indent(block(indicators), "  ") if indicators else "")
    )


def edited(old: str, new: str, text: str | None = None) -> str:
    text = document() if text is None else text
    assert text.count(old) == 1, f"{old!r} is not once in the document"
    return text.replace(old, new)


def edited_question(old: str, new: str, **parts: str) -> str:
    """The document with a change in its first three questions (``old`` and ``new`` written unindented)."""
    return document(base=edited(old, new, QUESTIONS), **parts)


def parse(text: str) -> tuple[Survey | None, list[Problem]]:
    return parse_survey(text, "s.yaml")


def valid(text: str) -> Survey:
    survey, problems = parse(text)
    assert problems == [], "\n".join(map(str, problems))
    assert survey is not None
    return survey


def editor_lines(text: str) -> list[str]:
    """Lines as an editor shows them (not str.splitlines, which also breaks at U+2028, U+0085, form feeds…)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines[-1] == "" else lines


def line_of(marker: str, text: str) -> int:
    lines = [number for number, line in enumerate(editor_lines(text), start=1) if line.endswith(marker)]
    assert len(lines) == 1, f"{marker!r} must end exactly one line"
    return lines[0]


def only_problem(text: str) -> Problem:
    survey, problems = parse(text)
    assert survey is None
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_problem(text: str, *fragments: str) -> Problem:
    """Exactly one problem, on the ``# <-`` line, its message holding every fragment."""
    problem = only_problem(text)
    assert problem.line == line_of("# <-", text), str(problem)
    if "# first" in text:
        fragments = (*fragments, f"first at line {line_of('# first', text)}")
    for fragment in fragments:
        assert fragment in problem.message, str(problem)
    assert str(problem) == f"s.yaml:{problem.line}: {problem.message}"
    return problem


def question(body: str) -> str:
    """A document with one more question (the text is a YAML list item)."""
    return document(questions=body)


# ---------------------------------------------------------------- the model


def test_the_base_document_is_valid():
    survey = valid(document())
    assert [q.id for q in survey.questions] == ["mood", "pick", "modes"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_surveys_load(path):
    survey = load_survey(path)
    assert survey.path == path
    assert survey.id == path.stem
    assert survey.languages == ("fr", "en")
    assert survey.questions and survey.indicators


def test_a_minimal_survey_gets_the_contract_defaults():
    survey = valid(
        HEAD
        + "sections:\n"
        + '  - {id: only, title: {fr: "P", en: "P"}, questions: [{id: q, type: text, label: {fr: "Q", en: "Q"}}]}\n'
    )
    assert survey.id == "demo"
    assert survey.languages == ("fr", "en") and survey.default_language == "fr"
    assert survey.title("en") == "Title"
    assert survey.round == "1"
    assert survey.access == "public"
    assert survey.min_group_size == 5
    assert survey.groups == () and survey.indicators == ()
    assert survey.intro is None and survey.thanks is None
    assert survey.opens is None and survey.closes is None
    assert [f.id for f in survey.families] == list("ABCDEFGH")
    assert all(f.label("fr") and f.label("en") for f in survey.families)
    assert {"spiral5", "agree5"} <= set(survey.scales)
    assert survey.question("q").required is False and survey.question("q").show_if is None


def test_languages_keep_their_order_and_the_first_is_the_default():
    text = edited("languages: [fr, en]", "languages: [en, fr]")
    assert valid(text).default_language == "en"


def test_a_survey_in_one_language_needs_texts_in_that_language_only():
    text = (
        "id: solo\nlanguages: [fr]\ntitle: {fr: Titre}\n"
        "sections:\n  - {id: p, title: {fr: P}, questions: [{id: q, type: text, label: {fr: Q}}]}\n"
    )
    assert valid(text).languages == ("fr",)


@pytest.mark.parametrize(("written", "kept"), [('"2026"', "2026"), ("2026", "2026"), ("'2026-b'", "2026-b")])
def test_round_is_always_a_string(written, kept):
    assert valid(document(top=f"round: {written}\n")).round == kept


def test_the_header_keys_are_read():
    survey = valid(
        document(
            top="""\
            round: "2026"
            intro: {fr: "  Bonjour  ", en: "Hello"}
            thanks: {fr: "Merci", en: "Thanks"}
            opens: 2026-09-01
            closes: "2026-12-31"
            access: code
            groups:
              - {id: students, label: {fr: "Élèves", en: "Students"}, size: 1000}
              - {id: teachers, label: {fr: "Profs", en: "Teachers"}}
            publish: {min_group_size: 10}
            """
        )
    )
    assert survey.intro("fr") == "Bonjour"
    assert survey.thanks("en") == "Thanks"
    assert (survey.opens, survey.closes) == (date(2026, 9, 1), date(2026, 12, 31))
    assert survey.access == "code"
    assert [(g.id, g.size) for g in survey.groups] == [("students", 1000), ("teachers", None)]
    assert survey.min_group_size == 10


def test_a_scale_question_gets_the_levels_of_its_scale():
    mood = valid(document()).question("mood")
    assert mood.scale == "spiral5"
    assert mood.choices == SCALES["spiral5"].levels
    assert [c.value for c in mood.choices] == [1, 2, 3, 4, 5]
    assert mood.choices[0].label("en") == "Very unsatisfactory" and mood.choices[4].label("fr") == "Idéale"
    agree = valid(question("- {id: agree, type: scale, scale: agree5, label: {fr: A, en: A}}")).question("agree")
    assert agree.choices[0].label("en") == "Strongly disagree"


def test_custom_scales_and_inline_levels_are_sorted_and_the_default_good_from_is_the_second_highest():
    survey = valid(
        document(
            top="""\
            scales:
              freq4:
                - {value: 4, label: {fr: "Toujours", en: "Always"}}
                - {value: 1, label: {fr: "Jamais", en: "Never"}}
                - {value: 2, label: {fr: "Parfois", en: "Sometimes"}}
                - {value: 3, label: {fr: "Souvent", en: "Often"}}
            """,
            questions="""\
            - {id: often, type: scale, scale: freq4, label: {fr: F, en: F}}
            - id: inline
              type: scale
              label: {fr: I, en: I}
              choices:
                - {value: 10, label: {fr: Dix, en: Ten}}
                - {value: 0, label: {fr: Zéro, en: Zero}}
            """,
            indicators=INDICATOR
            + dedent(
                """\
            - {id: often, question: often, family: A, label: {fr: F, en: F}}
            - {id: inline, question: inline, family: B, label: {fr: I, en: I}}
            - {id: strict, question: mood, family: G, label: {fr: S, en: S}, good_from: 5}
            """
            ),
        )
    )
    assert [c.value for c in survey.question("often").choices] == [1, 2, 3, 4]
    assert [c.value for c in survey.question("inline").choices] == [0, 10]
    assert {i.id: i.good_from for i in survey.indicators} == {"mood": 4, "often": 3, "inline": 0, "strict": 5}
    indicator = survey.indicators[0]
    assert (indicator.question, indicator.family, indicator.label("en")) == ("mood", "G", "Overall mood")


def test_other_adds_the_value_other_and_its_text_field():
    survey = valid(
        question(
            """\
            - id: fav
              type: single
              other: true
              label: {fr: F, en: F}
              choices: [{value: maths, label: {fr: M, en: M}}]
            """
        )
    )
    fav = survey.question("fav")
    assert fav.other is True
    assert [c.value for c in fav.choices] == ["maths"]
    assert fav.values == ("maths", "other")
    assert fav.other_field == "fav_other"
    assert survey.question("pick").values == ("bus", "walk")


def test_choice_values_may_be_written_as_numbers_and_are_kept_as_strings():
    assert valid(with_choice("6")).question("q").values == ("a", "6")


def test_text_lengths_default_to_200_and_4000():
    survey = valid(
        question(
            """\
            - {id: short, type: text, label: {fr: S, en: S}}
            - {id: long, type: long_text, label: {fr: L, en: L}}
            - {id: capped, type: text, max_length: 20, label: {fr: C, en: C}}
            """
        )
    )
    assert survey.question("short").max_length == 200
    assert survey.question("long").max_length == 4000
    assert survey.question("capped").max_length == 20
    assert survey.question("long").is_open


def test_number_and_multiple_bounds_are_read():
    survey = valid(
        question(
            """\
            - {id: age, type: number, integer: true, min: 5, max: 99, label: {fr: A, en: A}}
            - {id: temp, type: number, min: -10.5, label: {fr: T, en: T}}
            - id: two
              type: multiple
              min: 1
              max: 2
              other: true
              label: {fr: D, en: T}
              choices: [{value: a, label: {fr: A, en: A}}, {value: b, label: {fr: B, en: B}}]
            """
        )
    )
    age, temp, two = survey.question("age"), survey.question("temp"), survey.question("two")
    assert (age.integer, age.min, age.max) == (True, 5, 99)
    assert (temp.integer, temp.min, temp.max) == (False, -10.5, None)
    assert (two.min, two.max, two.values) == (1, 2, ("a", "b", "other"))


def test_custom_families_replace_the_built_in_ones():
    survey = valid(
        document(
            top="families:\n  - {id: safety, label: {fr: Sécurité, en: Safety}}\n",
            indicators='- {id: mood, question: mood, family: safety, label: {fr: "H", en: "M"}}\n',
        )
    )
    assert [f.id for f in survey.families] == ["safety"]


def test_show_if_is_parsed_and_questions_remember_their_line():
    text = question(
        """\
        - id: why  # the line
          type: long_text
          show_if: "mood <= 2 and 'bike' in modes"
          label: {fr: P, en: W}
        """
    )
    why = valid(text).question("why")
    assert why.show_if is not None and why.show_if.source == "mood <= 2 and 'bike' in modes"
    assert why.show_if.evaluate({"mood": 1, "modes": ["bike"]}, None) is True
    assert why.line == line_of("# the line", text)


def test_section_show_if_may_use_group_and_earlier_sections():
    survey = valid(
        document(
            top="groups: [{id: pupils, label: {fr: É, en: P}}, {id: staff, label: {fr: P, en: S}}]\n",
            sections="""\
            - id: second
              title: {fr: D, en: S}
              show_if: "group == 'staff' or mood > 3"
              questions: [{id: q, type: text, label: {fr: Q, en: Q}}]
            """,
        )
    )
    assert survey.sections[1].show_if.evaluate({"mood": 5}, None) is True


def test_a_file_is_read_as_utf8_with_any_line_ending(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_bytes(("\ufeff" + document()).replace("\n", "\r\n").encode("utf-8"))
    survey, problems = read_survey(path)
    assert problems == [] and survey is not None and survey.question("pick").choices[1].label("fr") == "À pied"


def test_load_survey_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(edited("type: single", "type: singel"), encoding="utf-8")
    with pytest.raises(SurveyInvalid) as raised:
        load_survey(path)
    assert [str(p) for p in raised.value.problems] == [str(p) for p in read_survey(path)[1]]
    assert f"{path}:" in str(raised.value)


# ---------------------------------------------------------------- YAML itself


def test_a_yaml_syntax_error_names_its_line():
    assert_problem(document(top="intro: fr: x  # <-\n"), "YAML syntax error", "mapping values are not allowed")


def test_a_tab_in_the_indentation_is_a_syntax_error_on_its_line():
    assert_problem(document(top="intro:\n\tfr: x  # <-\n"), "YAML syntax error", "'\\t'")


@pytest.mark.parametrize("opening", ['intro: "Bonjour  # <-\n', "intro: [fr, en  # <-\n"])
def test_an_unclosed_quote_or_bracket_is_reported_where_it_opens(opening):
    assert_problem(document() + "\n" + opening + "\n\n", "YAML syntax error")


def test_a_block_mistake_names_the_line_where_the_block_began():
    problem = assert_problem(HEAD + "- sections  # <-\n", "YAML syntax error")
    assert "at line 1" in problem.message


def test_the_line_of_a_syntax_error_at_the_very_end_exists():
    text = document() + "intro: [1, 2"
    assert only_problem(text).line <= len(text.splitlines())


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_file_is_one_problem_on_line_1(text):
    problem = only_problem(text)
    assert problem.line == 1 and "empty" in problem.message


@pytest.mark.parametrize("text", ["- id: demo\n- languages: [fr]\n", "just a sentence\n", "42\n"])
def test_a_file_that_is_not_a_mapping_is_one_problem(text):
    problem = only_problem(text)
    assert problem.line == 1 and "must be a mapping" in problem.message


def test_two_documents_in_one_file_are_refused():
    assert_problem(document() + "---  # <-\nid: other\n", "YAML syntax error")


def test_a_control_character_is_a_syntax_error_on_its_line():
    assert_problem(document(top='intro: {fr: a, en: "b\x07"}  # <-\n'), "U+0007")


def test_line_separators_inside_a_text_do_not_shift_line_numbers():
    text = edited('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Ti\u2028tre\x85", en: "Title"}')
    text = edited("type: single", "type: singel  # <-", text)
    assert_problem(text, "unknown question type")


def test_a_merge_key_is_refused_clearly():
    text = edited('title: {fr: "Titre", en: "Title"}', 'title:\n  <<: {fr: "Titre"}  # <-\n  en: "Title"')
    assert_problem(text, "merge keys (<<) are not supported")


def test_a_mapping_as_a_key_is_refused():
    assert_problem(document(top="? {a: 1}  # <-\n: x\n"), "a key must be a plain value")


def test_an_unknown_tag_is_refused_on_its_line():
    assert_problem(document(top="intro: !!python/name:os.system x  # <-\n"), "cannot read this value")


def test_a_billion_laughs_alias_bomb_is_reported_without_expanding():
    bomb = 'lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        bomb += f"{name}{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    started = time.perf_counter()
    survey, problems = parse(document(top=bomb))
    assert time.perf_counter() - started < 5
    assert survey is None
    assert any("more than 100,000 values" in p.message for p in problems)


def test_an_alias_inside_its_own_anchor_is_reported():
    assert_problem(document(top="loop: &x [1, *x]  # <-\n"), "alias", "its own anchor")


@pytest.mark.parametrize(
    "deep",
    [
        "nest: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "nest: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
        "nest:\n" + "".join(" " * depth + "- \n" for depth in range(1, 3_000)),
    ],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_very_deep_nesting_is_reported_quickly(deep):
    started = time.perf_counter()
    survey, problems = parse(document(top=deep))
    assert time.perf_counter() - started < 5
    assert survey is None and len(problems) == 1
    assert "nested more than" in problems[0].message


def test_a_duplicate_key_is_reported_at_its_second_occurrence():
    text = edited_question(
        '  label: {fr: "Choix", en: "Pick"}\n',
        '  label: {fr: "Choix", en: "Pick"}  # first\n  label: {fr: "Choix 2", en: "Pick 2"}  # <-\n',
    )
    assert_problem(text, "'label' appears twice")


def test_a_duplicate_top_key_is_reported():
    assert_problem(document(top="id: again  # <-\n").replace("id: demo", "id: demo  # first"), "'id' appears twice")


def test_a_duplicate_language_in_a_text_is_reported():
    text = edited('title: {fr: "Titre", en: "Title"}', 'title:\n  fr: "Titre"  # first\n  en: "Title"\n  fr: "T"  # <-')
    assert_problem(text, "'fr' appears twice in 'title'")


# ---------------------------------------------------------------- problems, one per case

TYPO_CASES = [
    pytest.param(
        edited('title: {fr: "Titre", en: "Title"}', 'titel: {fr: "Titre", en: "Title"}  # <-'),
        ("unknown key 'titel' in the survey", "did you mean 'title'?"),
        id="survey titel",
    ),
    pytest.param(
        edited('    title: {fr: "Page", en: "Page"}', '    titel: {fr: "Page", en: "Page"}  # <-'),
        ("unknown key 'titel' in a section", "did you mean 'title'?"),
        id="section titel",
    ),
    pytest.param(
        edited('label: {fr: "Choix", en: "Pick"}', 'lable: {fr: "Choix", en: "Pick"}  # <-'),
        ("unknown key 'lable' in a single question", "did you mean 'label'?"),
        id="question lable",
    ),
    pytest.param(
        question("- id: q\n  type: text\n  requierd: true  # <-\n  label: {fr: Q, en: Q}\n"),
        ("unknown key 'requierd' in a text question", "did you mean 'required'?"),
        id="question requierd",
    ),
    pytest.param(
        question(
            "- id: q\n  type: single\n  label: {fr: Q, en: Q}\n  choices:\n    - {value: a, label: {fr: A, en: A}}\n"
            "    - {value: b, lable: {fr: B, en: B}}  # <-\n"
        ),
        ("unknown key 'lable' in a choice", "did you mean 'label'?"),
        id="choice lable",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mood, family: G, label: {fr: H, en: M}, good_form: 4}  # <-\n"),
        ("unknown key 'good_form' in an indicator", "did you mean 'good_from'?"),
        id="indicator good_form",
    ),
    pytest.param(
        document(top="groups: [{id: a, lable: {fr: A, en: A}}]  # <-\n"),
        ("unknown key 'lable' in a group", "did you mean 'label'?"),
        id="group lable",
    ),
    pytest.param(
        document(top="publish: {min_group: 5}  # <-\n"),
        ("unknown key 'min_group' in publish", "did you mean 'min_group_size'?"),
        id="publish min_group",
    ),
    pytest.param(
        document(top="colour: blue  # <-\n"),
        ("unknown key 'colour' in the survey", "allowed: id, round, languages"),
        id="survey key with no close match",
    ),
]


@pytest.mark.parametrize(("text", "fragments"), TYPO_CASES)
def test_an_unknown_key_is_named_with_a_suggestion(text, fragments):
    assert_problem(text, *fragments)


MISSING_CASES = [
    pytest.param(
        edited("id: demo\nlanguages: [fr, en]\n", "languages: [fr, en]  # <-\n"),
        "the survey needs 'id'",
        id="survey id",
    ),
    pytest.param(
        edited("languages: [fr, en]\n", "").replace("id: demo", "id: demo  # <-"), "needs 'languages'", id="languages"
    ),
    pytest.param(
        edited('  - id: first\n    title: {fr: "Page", en: "Page"}\n', '  - title: {fr: "Page", en: "Page"}  # <-\n'),
        "a section needs 'id'",
        id="section id",
    ),
    pytest.param(question("- {id: q, type: text}  # <-\n"), "a text question needs 'label'", id="label"),
    pytest.param(question("- {id: q, label: {fr: Q, en: Q}}  # <-\n"), "needs 'type' (one of: single", id="type"),
    pytest.param(
        question("- {type: text, label: {fr: Q, en: Q}}  # <-\n"), "a text question needs 'id'", id="question id"
    ),
    pytest.param(
        question(
            "- id: q\n  type: single\n  label: {fr: Q, en: Q}\n  choices:\n    - {value: a, label: {fr: A, en: A}}\n"
            "    - {value: b}  # <-\n"
        ),
        "a choice needs 'label'",
        id="choice label",
    ),
    pytest.param(question("- {id: q, type: single, label: {fr: Q, en: Q}}  # <-\n"), "needs 'choices'", id="choices"),
    pytest.param(
        question("- {id: q, type: scale, label: {fr: Q, en: Q}}  # <-\n"), "needs 'scale' (e.g. spiral5)", id="scale"
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mood, label: {fr: H, en: M}}  # <-\n"),
        "an indicator needs 'family'",
        id="indicator family",
    ),
    pytest.param(HEAD.replace("id: demo", "id: demo  # <-"), "the survey needs 'sections'", id="sections"),
]


@pytest.mark.parametrize(("text", "fragment"), MISSING_CASES)
def test_a_missing_required_key_is_named_at_its_mapping(text, fragment):
    assert_problem(text, fragment)


TEXT_CASES = [
    pytest.param(
        edited('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre"}  # <-'),
        "'title' is missing its 'en' translation",
        id="missing en",
    ),
    pytest.param(
        edited('title: {fr: "Titre", en: "Title"}', 'title: {fr: "Titre", en: "Title", es: "Título"}  # <-'),
        "'title' has a text in 'es', which is not one of the survey's languages (fr, en)",
        id="extra language",
    ),
    pytest.param(
        edited('label: {fr: "Humeur", en: "Mood"}', 'label: {fr: "Humeur", en: 12}  # <-'),
        "'label' in 'en' must be a non-empty text",
        id="number as text",
    ),
    pytest.param(
        edited('label: {fr: "Humeur", en: "Mood"}', 'label: {fr: "Humeur", en: "  "}  # <-'),
        "'label' in 'en' must be a non-empty text",
        id="blank text",
    ),
    pytest.param(
        edited('label: {fr: "Humeur", en: "Mood"}', 'label: {fr: "Humeur", en: [a, b]}  # <-'),
        "'label' in 'en' must be a non-empty text",
        id="list as text",
    ),
    pytest.param(
        edited('title: {fr: "Titre", en: "Title"}', 'title: "Titre"  # <-'),
        "'title' must give a text for each language (fr, en)",
        id="plain string",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), TEXT_CASES)
def test_every_text_has_exactly_the_survey_languages(text, fragment):
    assert_problem(text, fragment)


def test_a_survey_in_french_only_refuses_an_english_text():
    text = (
        "id: solo\nlanguages: [fr]\ntitle: {fr: Titre}\n"
        "sections:\n  - id: p\n    title: {fr: P, en: P}  # <-\n    questions: [{id: q, type: text, label: {fr: Q}}]\n"
    )
    assert_problem(text, "'title' has a text in 'en'", "(fr)")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param(
            edited("[fr, en]", "[fr, de]  # <-"), "language 'de' is not supported (supported: fr, en)", id="de"
        ),
        pytest.param(edited("[fr, en]", "[fr, fr]  # <-"), "language 'fr' is listed twice", id="twice"),
        pytest.param(edited("[fr, en]", "fr  # <-"), "languages must be a list, not 'fr'", id="not a list"),
        pytest.param(edited("[fr, en]", "[]  # <-"), "languages must not be empty", id="empty"),
    ],
)
def test_languages_are_checked_once_not_in_every_text(text, fragment):
    assert_problem(text, fragment)


def test_an_unsupported_language_with_its_own_texts_is_one_problem():
    text = document().replace('en: "', 'de: "').replace("[fr, en]", "[fr, de]  # <-")
    assert_problem(text, "language 'de' is not supported")


ID_CASES = [
    pytest.param(edited("id: demo", "id: Demo Survey  # <-"), "the survey id 'Demo Survey' must match", id="survey"),
    pytest.param(
        edited_question("- id: mood", "- id: Mood  # <-", indicators=""),
        "a question id 'Mood' must match [a-z][a-z0-9_]*",
        id="upper",
    ),
    pytest.param(
        edited_question("- id: mood", "- id: 1mood  # <-", indicators=""),
        "a question id '1mood' must match",
        id="digit first",
    ),
    pytest.param(
        edited_question("- id: mood", "- id: my mood  # <-", indicators=""),
        "a question id 'my mood' must match",
        id="space",
    ),
    pytest.param(
        edited_question("- id: mood", "- id: humeur-du-jour  # <-", indicators=""),
        "'humeur-du-jour' must match",
        id="dash",
    ),
    pytest.param(
        edited_question("- id: mood", "- id: [mood]  # <-", indicators=""),
        "must be a plain identifier, not a list",
        id="list",
    ),
    pytest.param(
        edited_question("- id: mood", "- id: " + "m" * 65 + "  # <-", indicators=""),
        "at most 64 characters",
        id="too long",
    ),
    pytest.param(edited("  - id: first", "  - id: First  # <-"), "a section id 'First' must match", id="section"),
    pytest.param(
        document(top="groups: [{id: Pupils, label: {fr: É, en: P}}]  # <-\n"), "a group id 'Pupils'", id="group"
    ),
    pytest.param(
        document(indicators='- {id: Mood, question: mood, family: G, label: {fr: "H", en: "M"}}  # <-\n'),
        "an indicator id 'Mood'",
        id="indicator",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), ID_CASES)
def test_a_bad_id_is_named(text, fragment):
    assert_problem(text, fragment)


DUPLICATE_CASES = [
    pytest.param(
        edited("- id: pick", "- id: mood  # <-").replace("- id: mood\n", "- id: mood  # first\n"),
        "duplicate question id 'mood'",
        id="question in one section",
    ),
    pytest.param(
        document(
            sections="- id: second\n  title: {fr: D, en: S}\n  questions:\n    - {id: mood, type: text, label: {fr: Q, en: Q}}  # <-\n"
        ).replace("- id: mood\n", "- id: mood  # first\n"),
        "duplicate question id 'mood'",
        id="question in another section",
    ),
    pytest.param(
        document(
            sections="- id: first  # <-\n  title: {fr: D, en: S}\n  questions: [{id: q, type: text, label: {fr: Q, en: Q}}]\n"
        ).replace("  - id: first\n", "  - id: first  # first\n"),
        "duplicate section id 'first'",
        id="section",
    ),
    pytest.param(
        document(indicators=INDICATOR.rstrip() + "  # first\n" + INDICATOR.rstrip() + "  # <-\n"),
        "duplicate indicator id 'mood'",
        id="indicator",
    ),
    pytest.param(
        document(
            top="groups:\n  - {id: a, label: {fr: A, en: A}}  # first\n  - {id: a, label: {fr: B, en: B}}  # <-\n"
        ),
        "duplicate group id 'a'",
        id="group",
    ),
    pytest.param(
        question(
            """\
            - id: q
              type: single
              label: {fr: Q, en: Q}
              choices:
                - {value: a, label: {fr: A, en: A}}  # first
                - {value: a, label: {fr: B, en: B}}  # <-
            """
        ),
        "duplicate choice value 'a'",
        id="choice value",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), DUPLICATE_CASES)
def test_a_duplicate_id_is_reported_at_the_second_occurrence_naming_the_first(text, fragment):
    assert_problem(text, fragment)


@pytest.mark.parametrize("reserved", ["group", "code", "csrf_token", "round", "submitted"])
def test_reserved_question_ids_are_refused(reserved):
    assert_problem(edited("- id: pick", f"- id: {reserved}  # <-"), f"'{reserved}' is reserved")


def test_a_question_id_ending_in_other_is_refused():
    assert_problem(edited("- id: pick", "- id: pick_other  # <-"), "may not end in '_other'")


def test_the_same_id_may_name_a_section_a_question_and_an_indicator():
    valid(edited("  - id: first", "  - id: mood"))


TYPE_CASES = [
    pytest.param(
        edited("type: single", "type: singel  # <-"),
        "unknown question type 'singel' (did you mean 'single'?)",
        id="typo",
    ),
    pytest.param(
        edited("type: single", "type: radio  # <-"),
        "unknown question type 'radio' (one of: single, multiple",
        id="unknown",
    ),
    pytest.param(edited("type: single", "type: [single]  # <-"), "unknown question type", id="list"),
    pytest.param(edited("type: single", "type: {a: 1}  # <-"), "unknown question type", id="mapping"),
    pytest.param(
        question("- {id: q, type: text, label: {fr: Q, en: Q}, choices: [a, b]}  # <-\n"),
        "'choices' does not apply to a text question",
        id="choices on text",
    ),
    pytest.param(
        edited_question("  scale: spiral5\n", "  scale: spiral5\n  max_length: 10  # <-\n"),
        "'max_length' does not apply to a scale question",
        id="max_length on scale",
    ),
    pytest.param(
        edited_question("  type: single\n", "  type: single\n  min: 1  # <-\n"),
        "'min' does not apply to a single question",
        id="min on single",
    ),
    pytest.param(
        edited_question("  scale: spiral5\n", "  scale: spiral5\n  other: true  # <-\n"),
        "'other' does not apply to a scale question",
        id="other on scale",
    ),
    pytest.param(
        edited_question("  scale: spiral5\n", "  scale: spiral5\n  required: yes please  # <-\n"),
        "'required' must be true or false",
        id="required not a boolean",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), TYPE_CASES)
def test_question_types_and_their_keys_are_checked(text, fragment):
    assert_problem(text, fragment)


def with_choice(value: str, other: bool = False) -> str:
    """A single question whose second choice has ``value``, marked as the problem line."""
    return question(
        f"- id: q\n  type: single\n  other: {str(other).lower()}\n  label: {{fr: Q, en: Q}}\n  choices:\n"
        f"    - {{value: a, label: {{fr: A, en: A}}}}\n    - {{value: {value}, label: {{fr: B, en: B}}}}  # <-\n"
    )


CHOICE_CASES = [
    pytest.param(
        question(
            "- id: q\n  type: single\n  label: {fr: Q, en: Q}\n  choices:  # <-\n    - {value: a, label: {fr: A, en: A}}\n"
        ),
        "needs at least two choices",
        id="single with one choice",
    ),
    pytest.param(
        question(
            "- id: q\n  type: multiple\n  label: {fr: Q, en: Q}\n  choices:  # <-\n    - {value: a, label: {fr: A, en: A}}\n"
        ),
        "needs at least two choices",
        id="multiple with one choice",
    ),
    pytest.param(
        question("- {id: q, type: multiple, label: {fr: Q, en: Q}, choices: []}  # <-\n"),
        "choices must not be empty",
        id="no choices",
    ),
    pytest.param(
        with_choice("other", other=True),
        "the value 'other' is kept for the choice that other: true adds",
        id="other twice",
    ),
    pytest.param(with_choice("yes"), "YAML reads yes/no/on/off as true/false: put the value in quotes", id="yes"),
    pytest.param(with_choice("no"), "put the value in quotes", id="no"),
    pytest.param(with_choice("off"), "put the value in quotes", id="off"),
    pytest.param(with_choice("On Foot"), "a choice value 'On Foot' must match [a-z0-9_-]+", id="capitals and a space"),
    pytest.param(with_choice("1.5"), "a choice value '1.5' must match", id="float"),
    pytest.param(with_choice("[a]"), "must match", id="list"),
    pytest.param(
        question(
            "- {id: q, type: single, label: {fr: Q, en: Q}, choices: [{value: a, label: {fr: A, en: A}}, b]}  # <-\n"
        ),
        "choice must be a mapping of keys, not 'b'",
        id="plain string",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), CHOICE_CASES)
def test_choice_problems_are_named(text, fragment):
    assert_problem(text, fragment)


def test_other_true_counts_as_a_second_choice():
    valid(
        with_choice("b").replace("    - {value: a, label: {fr: A, en: A}}\n", "").replace("other: false", "other: true")
    )


def test_other_as_a_value_is_fine_without_other_true():
    assert valid(with_choice("other")).question("q").values == ("a", "other")


SCALE_CASES = [
    pytest.param(
        question(
            """\
            - id: q
              type: scale
              label: {fr: Q, en: Q}
              choices:
                - {value: 1, label: {fr: A, en: A}}
                - {value: 2.5, label: {fr: B, en: B}}  # <-
            """
        ),
        "a scale level needs a whole-number value, not the number 2.5",
        id="fractional level",
    ),
    pytest.param(
        question(
            """\
            - id: q
              type: scale
              label: {fr: Q, en: Q}
              choices:
                - {value: 1, label: {fr: A, en: A}}
                - {value: "2", label: {fr: B, en: B}}  # <-
            """
        ),
        "a scale level needs a whole-number value, not '2'",
        id="level in quotes",
    ),
    pytest.param(
        question("- {id: q, type: scale, label: {fr: Q, en: Q}, choices: [{value: 1, label: {fr: A, en: A}}]}  # <-\n"),
        "the choices needs at least two levels",
        id="one level",
    ),
    pytest.param(
        edited("scale: spiral5", "scale: spiral4  # <-"),
        "unknown scale 'spiral4' (did you mean 'spiral5'?)",
        id="unknown",
    ),
    pytest.param(edited("scale: spiral5", "scale: [1, 5]  # <-"), "unknown scale '[1, 5]'", id="list"),
    pytest.param(
        edited_question(
            "  scale: spiral5\n", "  scale: spiral5\n  choices: [{value: 1, label: {fr: A, en: A}}]  # <-\n"
        ),
        "'scale' (a scale's name) or 'choices', not both",
        id="both",
    ),
    pytest.param(
        document(
            top="scales:\n  spiral5:  # <-\n    - {value: 1, label: {fr: A, en: A}}\n    - {value: 2, label: {fr: B, en: B}}\n"
        ),
        "scale 'spiral5' is built in",
        id="overriding spiral5",
    ),
    pytest.param(
        document(
            top="scales:\n  freq:\n    - {value: 1, label: {fr: A, en: A}}  # first\n    - {value: 1, label: {fr: B, en: B}}  # <-\n"
        ),
        "duplicate level",
        id="duplicate level",
    ),
    pytest.param(
        document(top="scales:\n  freq:  # <-\n    - {value: 1, label: {fr: A, en: A}}\n"),
        "scale 'freq' needs at least two levels",
        id="custom scale with one level",
    ),
    pytest.param(
        document(
            top="scales:\n  Freq:  # <-\n    - {value: 1, label: {fr: A, en: A}}\n    - {value: 2, label: {fr: B, en: B}}\n"
        ),
        "a scale name 'Freq' must match",
        id="bad scale name",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), SCALE_CASES)
def test_scale_problems_are_named(text, fragment):
    assert_problem(text, fragment)


BOUND_CASES = [
    pytest.param(
        edited_question("  type: multiple\n", "  type: multiple\n  min: 3  # <-\n  max: 2\n"),
        "min (3) is larger than max (2)",
        id="multiple min > max",
    ),
    pytest.param(
        edited_question("  type: multiple\n", "  type: multiple\n  max: 4  # <-\n"),
        "'max' must be a whole number from 1 to 3",
        id="multiple max above the choices",
    ),
    pytest.param(
        edited_question("  type: multiple\n", "  type: multiple\n  min: one  # <-\n"),
        "'min' must be a whole number, not 'one'",
        id="multiple min not a number",
    ),
    pytest.param(
        question("- id: n\n  type: number\n  min: 10  # <-\n  max: 1\n  label: {fr: N, en: N}\n"),
        "min (10) is larger than max (1)",
        id="number min > max",
    ),
    pytest.param(
        question("- id: n\n  type: number\n  max: .nan  # <-\n  label: {fr: N, en: N}\n"),
        "'max' must be a number",
        id="number max not a number",
    ),
    pytest.param(
        question("- id: n\n  type: number\n  integer: 1  # <-\n  label: {fr: N, en: N}\n"),
        "'integer' must be true or false",
        id="integer not a boolean",
    ),
    pytest.param(
        question("- {id: t, type: text, max_length: 0, label: {fr: T, en: T}}  # <-\n"),
        "'max_length' must be a whole number from 1",
        id="max_length zero",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), BOUND_CASES)
def test_bounds_are_checked(text, fragment):
    assert_problem(text, fragment)


HEADER_CASES = [
    pytest.param(
        document(top="opens: 2026-09-01\ncloses: 2026-08-31  # <-\n"),
        "closes (2026-08-31) comes before opens (2026-09-01)",
        id="opens after closes",
    ),
    pytest.param(
        document(top="opens: 2026-02-30  # <-\n"), "'opens' must be a date written YYYY-MM-DD", id="30 February"
    ),
    pytest.param(document(top="opens: 2026-13-01  # <-\n"), "'opens' must be a date", id="month 13"),
    pytest.param(document(top="closes: '2026-9-1'  # <-\n"), "'closes' must be a date", id="short date"),
    pytest.param(document(top="closes: soon  # <-\n"), "'closes' must be a date", id="word"),
    pytest.param(document(top="closes: 2026-09-01 10:00:00  # <-\n"), "'closes' must be a date", id="date and time"),
    pytest.param(
        document(top="access: private  # <-\n"),
        "access must be one of public, code, not 'private'",
        id="access private",
    ),
    pytest.param(document(top="round: 1.5  # <-\n"), "round must be a short name", id="round as a float"),
    pytest.param(document(top="round: ''  # <-\n"), "round must be a short name", id="empty round"),
    pytest.param(
        document(top="publish: {min_group_size: 0}  # <-\n"),
        "'min_group_size' must be a whole number from 3",
        id="min_group_size 0",
    ),
    pytest.param(
        document(top="publish: {min_group_size: 2}  # <-\n"),
        "'min_group_size' must be a whole number from 3 to 1000",
        id="min_group_size 2",
    ),
    pytest.param(
        document(top="publish: 5  # <-\n"),
        "publish must be a mapping of keys, not the number 5",
        id="publish not a mapping",
    ),
    pytest.param(
        document(top="groups: [{id: a, label: {fr: A, en: A}, size: -3}]  # <-\n"),
        "'size' must be a whole number from 1",
        id="group size",
    ),
    pytest.param(document(top="groups: []  # <-\n"), "groups must not be empty", id="no groups"),
    pytest.param(
        document(top="families: seven  # <-\n"),
        "families must be spiral or a list of {id, label}, not 'seven'",
        id="families",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), HEADER_CASES)
def test_header_problems_are_named(text, fragment):
    assert_problem(text, fragment)


INDICATOR_CASES = [
    pytest.param(
        document(indicators="- {id: pick, question: pick, family: A, label: {fr: C, en: P}}  # <-\n"),
        "an indicator needs a scale question; 'pick' is single",
        id="non-scale question",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mod, family: G, label: {fr: H, en: M}}  # <-\n"),
        "unknown question 'mod' (did you mean 'mood'?)",
        id="unknown question",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: [mood], family: G, label: {fr: H, en: M}}  # <-\n"),
        "unknown question",
        id="question as a list",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mood, family: Z, label: {fr: H, en: M}}  # <-\n"),
        "unknown family 'Z' (known: A, B, C, D, E, F, G, H)",
        id="unknown family",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mood, family: G, label: {fr: H, en: M}, good_from: 6}  # <-\n"),
        "good_from must be one of the scale's levels (1, 2, 3, 4, 5)",
        id="good_from not a level",
    ),
    pytest.param(
        document(indicators="- {id: mood, question: mood, family: G, label: {fr: H, en: M}, good_from: high}  # <-\n"),
        "'good_from' must be a whole number",
        id="good_from not a number",
    ),
    pytest.param(
        document(indicators="").rstrip() + "\nindicators: {mood: mood}  # <-\n",
        "indicators must be a list",
        id="not a list",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), INDICATOR_CASES)
def test_indicator_problems_are_named(text, fragment):
    assert_problem(text, fragment)


def with_show_if(condition: str, groups: bool = False) -> str:
    return document(
        top="groups: [{id: pupils, label: {fr: É, en: P}}]\n" if groups else "",
        questions=f"- id: later_q\n  type: text\n  show_if: {condition}  # <-\n  label: {{fr: Q, en: Q}}\n",
    )


SHOW_IF_CASES = [
    pytest.param(with_show_if("\"later_q == 'x'\""), "'later_q' is asked at line", id="the question itself"),
    pytest.param(with_show_if('"mod > 2"'), "show_if: unknown name 'mod' (did you mean 'mood'?)", id="unknown name"),
    pytest.param(with_show_if("\"'bus' in pick\""), "'in' needs a multiple-choice question", id="in on a single"),
    pytest.param(with_show_if('"mood >= "'), "show_if: expected", id="syntax error"),
    pytest.param(with_show_if('"mood = 3"'), "use '==' to compare", id="single equals"),
    pytest.param(with_show_if("3"), "show_if must be an expression in quotes, not the number 3", id="not a string"),
    pytest.param(with_show_if("\"group == 'pupils'\""), "unknown name 'group'", id="group without groups"),
    pytest.param(with_show_if("\"group == 'staff'\"", groups=True), "staff", id="unknown group"),
    pytest.param(
        edited(
            '    title: {fr: "Page", en: "Page"}\n',
            '    title: {fr: "Page", en: "Page"}\n    show_if: "mood > 2"  # <-\n',
        ),
        "'mood' is asked at line",
        id="section on its own question",
    ),
]


@pytest.mark.parametrize(("text", "fragment"), SHOW_IF_CASES)
def test_show_if_problems_carry_the_line_of_the_show_if_key(text, fragment):
    assert_problem(text, fragment)


def test_show_if_naming_a_later_question_says_where_it_is():
    text = edited_question("  scale: spiral5\n", '  scale: spiral5\n  show_if: "answered(pick)"  # <-\n')
    assert_problem(text, f"show_if: 'pick' is asked at line {line_of('- id: pick', text)}", "questions asked before")


# ---------------------------------------------------------------- one mistake, one problem


def test_a_question_with_a_problem_is_not_reported_again_where_it_is_used():
    text = document(questions='- {id: why, type: text, show_if: "mood < 3", label: {fr: P, en: W}}\n')
    text = edited('label: {fr: "Humeur", en: "Mood"}', 'label: {fr: "Humeur"}  # <-', text)
    assert_problem(text, "missing its 'en' translation")  # not again in show_if, nor in the indicator


def test_a_misspelt_required_key_is_one_problem_not_two():
    text = edited_question('  label: {fr: "Humeur", en: "Mood"}', '  lable: {fr: "Humeur", en: "Mood"}  # <-')
    problem = assert_problem(text, "unknown key 'lable' in a scale question (did you mean 'label'?)")
    assert "needs" not in problem.message


def test_all_problems_of_a_file_are_reported_at_once_sorted_by_line():
    text = document(
        top="acces: code  # 1\n",
        questions="- {id: q, type: text, max_length: -1, label: {fr: Q, en: Q}}  # 4\n",
        indicators="- {id: mood, question: mood, family: Z, label: {fr: H, en: M}}  # 5\n",
    )
    text = edited('title: {fr: "Page", en: "Page"}', 'title: {fr: "Page"}  # 2', text)
    text = edited("type: single", "type: singel  # 3", text)
    survey, problems = parse(text)
    assert survey is None
    assert [p.line for p in problems] == [line_of(f"# {n}", text) for n in range(1, 6)]
    expected = ["did you mean 'access'", "missing its 'en'", "did you mean 'single'", "max_length", "unknown family"]
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem.message


# ---------------------------------------------------------------- files


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(document().replace("À pied", "\u00c0 pied").encode("latin-1"))
    survey, problems = read_survey(path)
    assert survey is None and len(problems) == 1
    expected = next(n for n, line in enumerate(document().splitlines(), 1) if "À pied" in line)
    assert problems[0].line == expected
    assert "not UTF-8" in problems[0].message and str(problems[0]).startswith(f"{path}:{expected}: ")


def test_a_missing_file_is_a_problem(tmp_path):
    survey, problems = read_survey(tmp_path / "nope.yaml")
    assert survey is None and [str(p) for p in problems] == [f"{tmp_path / 'nope.yaml'}:1: no such file or folder"]


# ---------------------------------------------------------------- properties


def lines_of(text: str) -> int:
    return len(editor_lines(text))


def assert_well_formed(text: str, survey: Survey | None, problems: list[Problem]) -> None:
    assert (survey is None) == bool(problems)
    for problem in problems:
        assert problem.path == "s.yaml"
        assert 1 <= problem.line <= max(1, lines_of(text)), (str(problem), text)
        assert problem.message and "\n" not in problem.message
    assert problems == sorted(problems, key=lambda p: p.line)


YAML_PIECES = st.sampled_from(
    [
        "id: demo\n", "languages: [fr, en]\n", "title: {fr: a, en: b}\n", "sections:\n", "  - id: s\n",
        "    questions:\n", "      - {id: q, type: text, label: {fr: a, en: b}}\n", "- ", ": ", "[", "]", "{",
        "}", "&a ", "*a ", "!!str ", "!!binary ", "? ", "---\n", "...\n", "\t", "'", '"', "#", "|\n", ">\n",
        "<<: ", "\x00", "\u2028", "\ufeff", "2026-02-30", "yes", "~", ".nan", "1e999", "0x1F", "\n", "  ",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(st.text(max_size=300), st.lists(st.one_of(YAML_PIECES, st.text(max_size=5)), max_size=40).map("".join))
)
def test_parse_survey_never_raises_on_arbitrary_text(text):
    survey, problems = parse(text)
    for problem in problems:
        assert problem.line >= 1 and problem.message


BASE_TREE = yaml.safe_load(
    document(
        top="""\
        round: "2026"
        intro: {fr: "Bonjour", en: "Hello"}
        opens: 2026-09-01
        closes: 2026-12-31
        groups:
          - {id: pupils, label: {fr: "Élèves", en: "Pupils"}, size: 100}
          - {id: staff, label: {fr: "Personnels", en: "Staff"}}
        publish: {min_group_size: 5}
        scales:
          freq:
            - {value: 1, label: {fr: "Jamais", en: "Never"}}
            - {value: 2, label: {fr: "Toujours", en: "Always"}}
        """,
        questions="""\
        - {id: often, type: scale, scale: freq, label: {fr: F, en: F}}
        - {id: age, type: number, integer: true, min: 5, max: 99, label: {fr: A, en: A}}
        - {id: why, type: long_text, show_if: "mood <= 2 and group == 'pupils'", label: {fr: P, en: W}}
        - id: fav
          type: single
          other: true
          help: {fr: Aide, en: Help}
          required: true
          label: {fr: M, en: F}
          choices: [{value: maths, label: {fr: M, en: M}}]
        """,
        sections="""\
        - id: second
          title: {fr: D, en: S}
          show_if: "'bike' in modes"
          questions: [{id: note, type: text, max_length: 50, label: {fr: N, en: N}}]
        """,
        indicators=INDICATOR + "- {id: often, question: often, family: A, label: {fr: F, en: F}, good_from: 2}\n",
    )
)

YAML_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(["spiral5", "mood", "pick", "fr", "en", "text", "scale", "single", "other", "G", "group"]),
        st.dates(),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def places(tree: object, path: tuple = ()) -> list[tuple]:
    """Every (path to a container, key or index) in ``tree``."""
    found = []
    if isinstance(tree, dict):
        items = list(tree.items())
    elif isinstance(tree, list):
        items = list(enumerate(tree))
    else:
        return found
    for key, value in items:
        found.append((path, key))
        found.extend(places(value, (*path, key)))
    return found


def container(tree: object, path: tuple) -> object:
    for key in path:
        tree = tree[key]
    return tree


@st.composite
def mutated_documents(draw) -> str:
    tree = yaml.safe_load(yaml.safe_dump(BASE_TREE))
    for _ in range(draw(st.integers(1, 3))):
        path, key = draw(st.sampled_from(places(tree) or [((), "id")]))
        parent = container(tree, path)
        action = draw(st.sampled_from(["drop", "replace", "rename", "duplicate"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(YAML_VALUES)
        elif action == "rename" and isinstance(parent, dict):
            new_key = draw(st.one_of(st.text(max_size=10), st.sampled_from(["titel", "lable", "requierd", "id"])))
            parent[new_key] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, yaml.safe_load(yaml.safe_dump(parent[key])))
    text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    lines = text.splitlines(keepends=True)
    if draw(st.booleans()) and lines:  # and a line-level slip: a line written twice, or lost
        index = draw(st.integers(0, len(lines) - 1))
        lines[index : index + 1] = draw(st.sampled_from([[], [lines[index]] * 2]))
    return "".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_a_mutated_survey_gives_a_survey_or_problems_on_existing_lines(text):
    survey, problems = parse(text)
    assert_well_formed(text, survey, problems)


def test_the_unmutated_tree_is_a_valid_survey():
    text = yaml.safe_dump(BASE_TREE, sort_keys=False, allow_unicode=True)
    assert valid(text).question("fav").values == ("maths", "other")


def test_problems_never_name_a_line_past_the_end():
    for text in [document() + "intro: [", document() + 'intro: "', "id: demo\n\n\n"]:
        survey, problems = parse(text)
        assert_well_formed(text, survey, problems)


def test_a_problem_message_is_always_one_line():
    problem = assert_problem(document(top='"two\\nlines\\u2028": x  # <-\n'), "unknown key 'two\\nlines\\u2028'")
    assert "\n" not in str(problem)


def test_a_problem_prints_as_path_line_message():
    assert str(Problem("surveys/x.yaml", 7, "oops")) == "surveys/x.yaml:7: oops"
    assert re.fullmatch(r"s\.yaml:\d+: .+", str(only_problem(edited("type: single", "type: singel"))))


def test_group_named_all_is_refused():
    text = document(top='groups:\n  - {id: all, label: {fr: "Tous", en: "All"}}\n')
    survey, problems = parse(text)
    assert survey is None
    assert [p.message for p in problems] == [
        "'all' is reserved for every respondent together; name the group otherwise"
    ]
    assert problems[0].line == text.splitlines().index('  - {id: all, label: {fr: "Tous", en: "All"}}') + 1


# ---------------------------------------------------------------- texts that look alike


def test_a_min_group_size_of_three_is_the_smallest_accepted():
    assert valid(document(top="publish: {min_group_size: 3}\n")).min_group_size == 3


PICK_BUS = (
    '    - {value: bus, label: {fr: "Bus", en: "Bus"}}\n    - {value: walk, label: {fr: "À pied", en: "On foot"}}\n'
)
"""The two choices of the question ``pick`` (``modes`` has three)."""
INVISIBLE = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
    ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ("\u061c", "U+061C ARABIC LETTER MARK"),
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u200c", "U+200C ZERO WIDTH NON-JOINER"),
    ("\u200d", "U+200D ZERO WIDTH JOINER"),
    ("\u2060", "U+2060 WORD JOINER"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("\u2064", "U+2064 INVISIBLE PLUS"),
    ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
]


@pytest.mark.parametrize(("character", "name"), INVISIBLE, ids=[name for _, name in INVISIBLE])
@pytest.mark.parametrize("written", ["raw", "escaped"])
def test_bidi_controls_and_invisible_characters_are_refused_in_every_text_naming_the_code_point(
    character, name, written
):
    shown = character if written == "raw" else character.encode("unicode_escape").decode("ascii")
    for text in [
        document(top=f'title: {{fr: "Titre", en: "Ti{shown}tle"}}  # <-\n').replace(
            'title: {fr: "Titre", en: "Title"}\n', "", 1
        ),
        edited_question(PICK_BUS, PICK_BUS.replace('fr: "Bus"', f'fr: "B{shown}us"').replace("}}\n", "}}  # <-\n", 1)),
        document(top=f'groups:\n  - {{id: a, label: {{fr: "A{shown}", en: "A"}}}}  # <-\n'),
    ]:
        problem = assert_problem(text, name, "invisible")
        assert character not in str(problem)  # the message itself stays plain to read


def test_a_soft_hyphen_is_an_ordinary_character():
    assert valid(document(top='intro: {fr: "Bien-\u00eatre au col\u00adl\u00e8ge", en: "Well-being"}\n'))


LOOKALIKES = [
    pytest.param('"Élèves"', '"ÉLÈVES"', id="case"),
    pytest.param('"Élèves du lycée"', '" Élèves  du\tlycée "', id="spaces"),
    pytest.param('"Ｅｌèves"', '"Elèves"', id="fullwidth letters"),
    pytest.param('"ﬁlles"', '"filles"', id="ligature"),
    pytest.param('"E\u0301lèves"', '"Élèves"', id="combining accent"),
]


@pytest.mark.parametrize(("first", "second"), LOOKALIKES)
def test_two_groups_whose_labels_look_the_same_in_one_language_are_refused(first, second):
    text = document(
        top=f"groups:\n  - {{id: a, label: {{fr: {first}, en: One}}}}  # first\n"
        f"  - {{id: b, label: {{fr: {second}, en: Two}}}}  # <-\n"
    )
    assert_problem(text, "group 'b'", "group 'a'", "in 'fr'", "cannot tell them apart")


def test_two_choices_of_one_question_whose_labels_look_the_same_are_refused():
    lookalike = '    - {value: bus, label: {fr: "Bus", en: "Bus"}}  # first\n    - {value: walk, label: {fr: "bus ", en: "On foot"}}  # <-\n'
    assert_problem(edited_question(PICK_BUS, lookalike), "choice 'walk'", "choice 'bus'", "in 'fr'")


def test_two_levels_of_a_scale_whose_labels_look_the_same_are_refused():
    text = document(
        top="scales:\n  freq:\n    - {value: 1, label: {fr: Jamais, en: Never}}\n"
        "    - {value: 2, label: {fr: Souvent, en: Often}}  # first\n"
        "    - {value: 3, label: {fr: souvent, en: Very often}}  # <-\n"
    )
    assert_problem(text, "level 3", "level 2", "in 'fr'")


def test_the_same_label_in_two_questions_or_for_a_group_and_a_choice_is_fine():
    valid(edited_question('{fr: "Modes", en: "Modes"}', '{fr: "Choix", en: "Pick"}'))
    valid(document(top='groups:\n  - {id: a, label: {fr: "Bus", en: "Bus"}}\n'))


def test_the_loader_and_conditions_cut_a_long_value_the_same_way():
    """One clipping rule (`shown.clip`) for the loader's messages and the show_if checker's."""
    long_key, long_value = "k" * 100, "v" * 100
    unknown = only_problem(document(top=f"{long_key}: 1  # <-\n"))
    assert f"unknown key '{'k' * 39}…'" in unknown.message
    mismatched = only_problem(
        question(
            f"""\
            - id: why
              type: text
              show_if: "mood == '{long_value}'"  # <-
              label: {{fr: P, en: W}}
            """
        )
    )
    assert f"string '{'v' * 39}…'" in mismatched.message


# ---------------------------------------------------------------- notes


def test_a_note_is_a_text_shown_with_no_answer():
    survey = valid(question('- id: welcome\n  type: note\n  label: {fr: "Bienvenue", en: "Welcome"}\n'))
    note = survey.question("welcome")
    assert note.type == "note" and note.label("en") == "Welcome" and not note.required


def test_a_note_cannot_be_required():
    text = question('- id: welcome\n  type: note\n  required: true  # <-\n  label: {fr: "Bienvenue", en: "Welcome"}\n')
    assert_problem(text, "a note has no answer, so it cannot be required")


def test_a_note_takes_no_choices():
    text = question(
        '- id: welcome\n  type: note\n  label: {fr: "Bienvenue", en: "Welcome"}\n'
        '  choices: [{value: a, label: {fr: "A", en: "A"}}]  # <-\n'
    )
    assert_problem(text, "choices")


def test_a_condition_cannot_test_a_note():
    text = question(
        '- id: welcome\n  type: note\n  label: {fr: "Bienvenue", en: "Welcome"}\n'
        '- id: after\n  type: text\n  show_if: "answered(welcome)"  # <-\n  label: {fr: "Après", en: "After"}\n'
    )
    assert_problem(text, "'welcome' is a note: it has no answer to test")
