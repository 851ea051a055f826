"""Tests for the show_if language: parsing, evaluation, type checking, robustness."""

from __future__ import annotations

import operator
from collections.abc import Callable
from collections.abc import Mapping

import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey.survey.conditions import KEYWORDS
from coresp_survey.survey.conditions import MAX_DEPTH
from coresp_survey.survey.conditions import MAX_LENGTH
from coresp_survey.survey.conditions import Condition
from coresp_survey.survey.conditions import ConditionError
from coresp_survey.survey.conditions import NameInfo
from coresp_survey.survey.conditions import parse

KNOWN: dict[str, NameInfo] = {
    "group": NameInfo("group", frozenset({"parents", "students", "staff"})),
    "age": NameInfo("number"),
    "limit": NameInfo("number"),
    "note": NameInfo("scale", frozenset({1, 2, 3, 4, 5})),
    "transport": NameInfo("multiple", frozenset({"bus", "car", "walk"})),
    "modes": NameInfo("multiple", frozenset({"bike", "other"})),
    "mode": NameInfo("single", frozenset({"bus", "car", "walk"})),
    "other_mode": NameInfo("single", frozenset({"bus", "train"})),
    "city": NameInfo("text"),
    "commentaire": NameInfo("long_text"),
}


def holds(source: str, answers: Mapping[str, object] | None = None, group=None) -> bool:
    return parse(source).evaluate(answers or {}, group)


def problems(source: str, known: Mapping[str, NameInfo] = KNOWN) -> list[tuple]:
    return [(error.message, error.column) for error in parse(source).check(known)]


def parse_error(source: str) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        parse(source)
    return caught.value


# ------------------------------------------------------------ the contract's examples


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("group != 'parents'", {"group"}),
        ("age >= 18 and 'bus' in transport", {"age", "transport"}),
        ("not answered(commentaire) or (note <= 2)", {"commentaire", "note"}),
        ("'other' in modes", {"modes"}),
    ],
)
def test_contract_examples_parse_check_cleanly_and_list_their_names(source, names):
    condition = parse(source)
    assert isinstance(condition, Condition)
    assert condition.source == source
    assert condition.names() == names
    assert condition.check(KNOWN) == []


def test_names_lists_every_name_once_and_no_literals():
    condition = parse("age > limit or age == 3 or city == 'age' or answered(group)")
    assert condition.names() == {"age", "limit", "city", "group"}
    assert parse("'a' == 'b'").names() == frozenset()


@pytest.mark.parametrize(
    "source",
    ["android == 'x'", "order == 1", "notes == 1", "inside == 1", "answered_at == 1"],
)
def test_names_that_start_with_a_keyword_are_names(source):
    assert parse(source).names() == {source.split()[0]}


@pytest.mark.parametrize("source", ["age\t>=\n18", "  age >= 18  ", "age>=18", "(age>=18)"])
def test_whitespace_between_tokens_is_optional(source):
    assert holds(source, {"age": 18})


# ---------------------------------------------------------------- evaluation


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("age == 18", {"age": 18}, True),
        ("age == 18", {"age": 17}, False),
        ("age != 18", {"age": 17}, True),
        ("age != 18", {"age": 18}, False),
        ("age < 18", {"age": 17}, True),
        ("age < 18", {"age": 18}, False),
        ("age <= 18", {"age": 18}, True),
        ("age <= 18", {"age": 19}, False),
        ("age > 18", {"age": 19}, True),
        ("age > 18", {"age": 18}, False),
        ("age >= 18", {"age": 18}, True),
        ("age >= 18", {"age": 17}, False),
        ("18 <= age", {"age": 18}, True),
        ("18 > age", {"age": 18}, False),
        ("mode == 'bus'", {"mode": "bus"}, True),
        ("mode == 'bus'", {"mode": "car"}, False),
        ("mode != 'bus'", {"mode": "car"}, True),
        ("mode != 'bus'", {"mode": "bus"}, False),
        ("age > limit", {"age": 3, "limit": 2}, True),
        ("age > limit", {"age": 2, "limit": 2}, False),
        ("mode == other_mode", {"mode": "bus", "other_mode": "bus"}, True),
    ],
)
def test_every_comparison_operator(source, answers, expected):
    assert holds(source, answers) is expected


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("age >= 17.5", 17.5, True),
        ("age >= 17.5", 17.4, False),
        ("age < 17.5", 17, True),
        ("age == 2", 2.0, True),
        ("age == 2.0", 2, True),
        ("age > -1", 0, True),
        ("age > -1", -1, False),
        ("age == -2.5", -2.5, True),
        ("age == 007", 7, True),
    ],
)
def test_numbers_compare_as_numbers_ints_and_floats_alike(source, value, expected):
    assert holds(source, {"age": value}) is expected


@pytest.mark.parametrize(
    ("source", "level", "expected"),
    [
        ("note <= 2", 2, True),
        ("note <= 2", 3, False),
        ("note == 5", 5, True),
        ("note > 2.5", 3, True),
        ("note != 1", 2, True),
    ],
)
def test_scale_levels_compare_as_numbers(source, level, expected):
    assert holds(source, {"note": level}) is expected


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r"city == 'l\'isle'", "l'isle"),
        (r"city == 'a\\b'", "a\\b"),
        (r"city == '\\\''", "\\'"),
        ("city == 'é 漢 \"x\"'", 'é 漢 "x"'),
    ],
)
def test_string_escapes_decode_to_the_answer_text(source, value):
    assert holds(source, {"city": value})


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (["bus", "car"], True),
        (("bus",), True),
        ({"bus"}, True),
        (frozenset({"walk", "bus"}), True),
        (["car"], False),
        ([1, None, "bus"], True),
        ([1, None], False),
        ("bus", False),  # a plain string is not a multiple-choice answer
        ({"bus": 1}, False),
    ],
)
def test_in_looks_for_the_value_in_a_multiple_choice_answer(answer, expected):
    assert holds("'bus' in transport", {"transport": answer}) is expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, False),
        ({"age": None}, False),
        ({"city": ""}, False),
        ({"transport": []}, False),
        ({"transport": ()}, False),
        ({"transport": set()}, False),
        ({"age": 0}, True),  # zero is an answer
        ({"city": " "}, True),
        ({"transport": ["bus"]}, True),
        ({"age": False}, True),
    ],
)
def test_answered_is_true_for_any_non_empty_answer(answers, expected):
    name = next(iter(answers), "age")
    assert holds(f"answered({name})", answers) is expected


@pytest.mark.parametrize("answers", [{}, {"age": None}, {"age": ""}, {"age": []}])
@pytest.mark.parametrize("source", ["age == 18", "age != 18", "age < 18", "18 >= age", "age != limit"])
def test_any_comparison_with_an_unanswered_question_is_false(source, answers):
    assert holds(source, {**answers, "limit": 3}) is False


@pytest.mark.parametrize("source", ["not age == 18", "not age != 18", "not age < 1"])
def test_not_of_a_comparison_with_an_unanswered_question_is_true(source):
    assert holds(source, {}) is True


@pytest.mark.parametrize("answer", [None, [], ""])
def test_in_with_an_unanswered_question_is_false_and_its_negation_true(answer):
    assert holds("'bus' in transport", {"transport": answer}) is False
    assert holds("not 'bus' in transport", {"transport": answer}) is True


def test_a_literal_empty_string_is_a_value_not_a_missing_answer():
    assert holds("city != ''", {"city": "Lyon"}) is True
    assert holds("city == ''", {"city": ""}) is False  # '' is "unanswered"


@pytest.mark.parametrize(
    ("source", "group", "expected"),
    [
        ("group == 'parents'", "parents", True),
        ("group == 'parents'", "staff", False),
        ("group != 'parents'", "staff", True),
        ("group != 'parents'", "parents", False),
        ("group != 'parents'", None, False),
        ("group == 'parents'", None, False),
        ("not group == 'parents'", None, True),
        ("answered(group)", "staff", True),
        ("answered(group)", None, False),
    ],
)
def test_group_is_the_respondents_group_and_none_means_unanswered(source, group, expected):
    assert holds(source, {"group": "parents"}, group) is expected


@pytest.mark.parametrize(
    ("source", "answers"),
    [
        ("age == 18", {"age": "18"}),
        ("age != 18", {"age": "18"}),
        ("mode == 'bus'", {"mode": ["bus"]}),
        ("mode != 'bus'", {"mode": ["car"]}),
        ("age > 0", {"age": True}),
        ("age == 1", {"age": True}),
        ("city == 'x'", {"city": {"x": 1}}),
        ("city < 'x'", {"city": "a"}),
        ("age < 3", {"age": float("nan")}),
        ("age == limit", {"age": 1, "limit": "1"}),
        ("age == 1", {"age": object()}),
    ],
)
def test_values_of_the_wrong_type_make_comparisons_false(source, answers):
    assert holds(source, answers) is False


def test_nan_is_only_unequal():
    assert holds("age != 3", {"age": float("nan")}) is True


def test_comparing_two_constants_still_evaluates():
    assert holds("1 < 2") is True
    assert holds("'a' == 'b'") is False


# ---------------------------------------------------------------- precedence

T, F = "answered(t)", "answered(f)"  # true and false, given answers {t: 'yes'}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("T or F and F", True),  # or binds looser than and
        ("F and F or T", True),
        ("(T or F) and F", False),  # parentheses override
        ("not F and F", False),  # not binds tighter than and
        ("not T or T", True),  # ... and than or
        ("not (F and F)", True),
        ("not not T", True),
        ("T and T and F", False),
        ("F or F or T", True),
        ("((T))", True),
    ],
)
def test_precedence_not_over_and_over_or(source, expected):
    source = source.replace("T", T).replace("F", F)
    assert holds(source, {"t": "yes"}) is expected


def test_comparisons_bind_tighter_than_not():
    assert holds("not age == 18", {"age": 18}) is False
    assert holds("not age == 18 and age > 1", {"age": 17}) is True


def test_long_chains_of_or_are_kept_flat():
    source = " or ".join(["age == 1"] * 80)
    condition = parse(source)
    assert len(condition.tree.operands) == 80
    assert condition.evaluate({"age": 1}, None) is True


# ---------------------------------------------------------------- check()


@pytest.mark.parametrize(
    "source",
    [
        "age >= 18",
        "age == 17.5",
        "age > note",  # number and scale are both numbers
        "age > limit",
        "note <= 2",
        "mode == 'bus'",
        "'walk' == mode",
        "mode == other_mode",
        "'bus' in transport",
        "city == 'Lyon'",
        "commentaire != ''",
        "answered(group) and answered(transport)",
        "group == 'staff'",
    ],
)
def test_check_accepts_well_typed_conditions(source):
    assert problems(source) == []


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("agee >= 18", "unknown name 'agee' (did you mean 'age'?)", 1),
        ("answered(agee)", "unknown name 'agee' (did you mean 'age'?)", 10),
        (
            "'bus' in transprt",
            "unknown name 'transprt' (did you mean 'transport'?)",
            10,
        ),
        ("zzz == 1", "unknown name 'zzz'", 1),
        ("1 < xyzzy", "unknown name 'xyzzy'", 5),
    ],
)
def test_check_reports_unknown_names_with_a_suggestion(source, message, column):
    assert problems(source) == [(message, column)]


def test_check_treats_group_as_unknown_when_the_survey_has_no_groups():
    assert problems("group == 'x'", {"age": NameInfo("number")}) == [("unknown name 'group'", 1)]


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        (
            "'bus' in mode",
            "'in' needs a multiple-choice question, but mode is a single-choice question (use mode == 'bus')",
            10,
        ),
        (
            "'x' in group",
            "'in' needs a multiple-choice question, but group is the respondent group (use group == 'x')",
            8,
        ),
        (
            "'x' in city",
            "'in' needs a multiple-choice question, but city is a text question (use city == 'x')",
            8,
        ),
        (
            "'x' in age",
            "'in' needs a multiple-choice question, but age is a number question",
            8,
        ),
        (
            "'x' in note",
            "'in' needs a multiple-choice question, but note is a scale question",
            8,
        ),
    ],
)
def test_check_rejects_in_on_a_question_that_is_not_multiple(source, message, column):
    assert problems(source) == [(message, column)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "transport == 'bus'",
            "transport is a multiple-choice question: use 'bus' in transport",
        ),
        (
            "'bus' == transport",
            "transport is a multiple-choice question: use 'bus' in transport",
        ),
        (
            "transport != 'bus'",
            "transport is a multiple-choice question: use not 'bus' in transport",
        ),
        (
            "transport == 1",
            "transport is a multiple-choice question: use 'value' in transport",
        ),
        (
            "transport == mode",
            "transport is a multiple-choice question: use 'value' in transport",
        ),
        (
            "modes == transport",
            "modes is a multiple-choice question: use 'value' in modes",
        ),
    ],
)
def test_check_points_comparisons_of_multiple_choice_questions_to_in(source, message):
    assert problems(source) == [(message, 1)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("age == '18'", "cannot compare age (a number question) with string '18'"),
        ("note > 'high'", "cannot compare note (a scale question) with string 'high'"),
        ("'3' <= note", "cannot compare string '3' with note (a scale question)"),
        ("mode == 1", "cannot compare mode (a single-choice question) with number 1"),
        ("city != 2.5", "cannot compare city (a text question) with number 2.5"),
        (
            "commentaire == -1",
            "cannot compare commentaire (a long text question) with number -1",
        ),
        ("group == 3", "cannot compare group (the respondent group) with number 3"),
        (
            "age == city",
            "cannot compare age (a number question) with city (a text question)",
        ),
        (
            r"age == 'it\'s'",
            r"cannot compare age (a number question) with string 'it\'s'",
        ),
    ],
)
def test_check_rejects_comparing_numbers_with_strings(source, message):
    assert problems(source) == [(message, 1)]


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("city < 'm'", 6),
        ("commentaire >= 'a'", 13),
        ("city > mode", 6),
        ("group <= 'staff'", 7),
    ],
)
def test_check_rejects_ordering_strings(source, column):
    assert problems(source) == [("cannot use '" + source.split()[1] + "' on strings; use == or !=", column)]


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        (
            "mode == 'taxi'",
            "'taxi' is not a choice of mode (choices: bus, car, walk)",
            9,
        ),
        (
            "'taxi' != mode",
            "'taxi' is not a choice of mode (choices: bus, car, walk)",
            1,
        ),
        (
            "'taxi' in transport",
            "'taxi' is not a choice of transport (choices: bus, car, walk)",
            1,
        ),
        (
            "group != 'teachers'",
            "'teachers' is not a choice of group (choices: parents, staff, students)",
            10,
        ),
        ("note == 6", "6 is not a level of note (levels: 1, 2, 3, 4, 5)", 9),
        ("note >= 2.5", "2.5 is not a level of note (levels: 1, 2, 3, 4, 5)", 9),
        ("note < -1", "-1 is not a level of note (levels: 1, 2, 3, 4, 5)", 8),
    ],
)
def test_check_rejects_values_that_are_not_choices_or_levels(source, message, column):
    assert problems(source) == [(message, column)]


def test_check_lists_at_most_a_dozen_choices():
    known = {"country": NameInfo("single", frozenset(f"c{i:02d}" for i in range(20)))}
    [(message, _)] = problems("country == 'zz'", known)
    assert message.startswith("'zz' is not a choice of country (choices: c00, c01, ")
    assert message.endswith(", c11, ... (8 more))")


def test_check_shows_choices_with_control_characters_on_one_line():
    known = {"q": NameInfo("single", frozenset({"a\nb"}))}
    [(message, _)] = problems("q == 'x'", known)
    assert message == "'x' is not a choice of q (choices: a<U+000A>b)"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "'\x1f' in mode",
            "'in' needs a multiple-choice question, but mode is a single-choice question (use mode == '<U+001F>')",
        ),
        (
            "transport == 'a\nb'",
            "transport is a multiple-choice question: use 'a<U+000A>b' in transport",
        ),
        ("age == '\t'", "cannot compare age (a number question) with string '<U+0009>'"),
    ],
)
def test_check_messages_show_control_characters_as_code_points(source, message):
    [(found, _)] = problems(source)
    assert found == message


def test_check_skips_choice_and_level_checks_when_values_are_unknown():
    known = {"q": NameInfo("single"), "s": NameInfo("scale"), "n": NameInfo("number")}
    assert problems("q == 'anything' and s == 99 and n == 1.5", known) == []


def test_check_does_not_type_check_kinds_it_does_not_know():
    known = {"d": NameInfo("date")}
    assert problems("d == 1 or d == 'x' or 'x' in d or d < 'y'", known) == []


@pytest.mark.parametrize("source", ["'a' == 'b'", "1 < 2", "'a' == 1", "-1.5 != 3"])
def test_check_rejects_comparing_two_constants(source):
    assert problems(source) == [("compares two constants", 1)]


def test_check_reports_every_problem_in_source_order():
    source = "agee > 1 or (mode == 'taxi' and not transport == 'bus') or 'x' in city"
    assert problems(source) == [
        ("unknown name 'agee' (did you mean 'age'?)", 1),
        ("'taxi' is not a choice of mode (choices: bus, car, walk)", 22),
        ("transport is a multiple-choice question: use 'bus' in transport", 37),
        (
            "'in' needs a multiple-choice question, but city is a text question (use city == 'x')",
            67,
        ),
    ]


def test_check_reports_an_ordering_and_a_choice_problem_together():
    assert problems("mode < 'taxi'") == [
        ("cannot use '<' on strings; use == or !=", 6),
        ("'taxi' is not a choice of mode (choices: bus, car, walk)", 8),
    ]


def test_check_returns_condition_errors_that_are_value_errors():
    [error] = parse("agee > 1").check(KNOWN)
    assert isinstance(error, ConditionError)
    assert isinstance(error, ValueError)
    assert str(error) == error.message


# ---------------------------------------------------------------- parse errors


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        (
            "age >= 18 and",
            "expected a condition at column 14, found end of condition",
            14,
        ),
        ("age >= 18 or or", "expected a condition at column 14, found 'or'", 14),
        ("(age > 1", "expected ')' at column 9, found end of condition", 9),
        (
            "age > 1)",
            "expected 'and', 'or' or end of condition at column 8, found ')'",
            8,
        ),
        (
            "age > 1 age",
            "expected 'and', 'or' or end of condition at column 9, found name 'age'",
            9,
        ),
        (
            "age < 1 < 2",
            "expected 'and', 'or' or end of condition at column 9, found '<'",
            9,
        ),
        (
            "age",
            "expected a comparison operator (== != < <= > >=) at column 4, found end of condition",
            4,
        ),
        (
            "age 18",
            "expected a comparison operator (== != < <= > >=) at column 5, found number 18",
            5,
        ),
        (
            "transport in 'bus'",
            "expected a comparison operator (== != < <= > >=) at column 11, found 'in'"
            " ('in' needs a string on its left: 'value' in question)",
            11,
        ),
        (
            "age >",
            "expected a name, string or number after '>' at column 6, found end of condition",
            6,
        ),
        (
            "age == (1)",
            "expected a name, string or number after '==' at column 8, found '('",
            8,
        ),
        ("age = 18", "unexpected '=' at column 5 (use '==' to compare)", 5),
        ("!answered(age)", "unexpected '!' at column 1 (use '!=' or 'not')", 1),
        ("age ! 1", "unexpected '!' at column 5 (use '!=' or 'not')", 5),
        ("city == 'abc", "unterminated string starting at column 9", 9),
        ("city == 'abc\\", "unterminated string starting at column 9", 9),
        ("city == 'a\\'", "unterminated string starting at column 9", 9),
        (
            "city == 'a\\nb'",
            "invalid escape '\\n' in string at column 11 (only \\' and \\\\ are allowed)",
            11,
        ),
        (
            "city == 'a\\\tb'",
            "invalid escape '\\' followed by U+0009 in string at column 11 (only \\' and \\\\ are allowed)",
            11,
        ),
        ("age > 1.", "expected a digit after '.' at column 9", 9),
        ("age > 1.x", "expected a digit after '.' at column 9", 9),
        ("age > 1.2.3", "malformed number at column 7", 7),
        ("age > 18abc", "malformed number at column 7", 7),
        ("age > 1e5", "malformed number at column 7", 7),
        ("age > 1_000", "malformed number at column 7", 7),
        ("age > - 1", "expected a digit after '-' at column 8", 8),
        ("age > -", "expected a digit after '-' at column 8", 8),
        ("age > .5", "unexpected character '.' at column 7", 7),
        ("age > ٣", "unexpected character '٣' at column 7", 7),
        ("age > ５", "unexpected character '５' at column 7", 7),
        ("Age > 1", "unexpected character 'A' at column 1 (names are lowercase)", 1),
        (
            'city == "x"',
            "unexpected character '\"' at column 9 (strings use single quotes)",
            9,
        ),
        ("age > 1 \x00", "unexpected character U+0000 at column 9", 9),
        ("age\u00a0> 1", "unexpected character U+00A0 at column 4", 4),
        ("__import__('os')", "unexpected character '_' at column 1", 1),
        ("and == 1", "expected a condition at column 1, found 'and'", 1),
        ("not", "expected a condition at column 4, found end of condition", 4),
        ("()", "expected a condition at column 2, found ')'", 2),
        ("answered == 1", "expected '(' after 'answered' at column 10, found '=='", 10),
        ("answered(and)", "expected a question name at column 10, found 'and'", 10),
        (
            "answered('x')",
            "expected a question name at column 10, found string 'x'",
            10,
        ),
        ("answered(age", "expected ')' at column 13, found end of condition", 13),
        (
            "'bus' in 'x'",
            "expected a question name after 'in' at column 10, found string 'x'",
            10,
        ),
        (
            "len(city) > 3",
            "unknown function 'len' at column 1 (the only function is answered)",
            1,
        ),
        (
            "city == 'a\nb' c",
            "expected 'and', 'or' or end of condition at column 15, found name 'c'",
            15,
        ),
        (
            "'a\nb' c",
            "expected a comparison operator (== != < <= > >=) at column 7, found name 'c'",
            7,
        ),
    ],
)
def test_parse_errors_say_what_was_expected_and_where(source, message, column):
    error = parse_error(source)
    assert (error.message, error.column) == (message, column)
    assert f"column {column}" in error.message
    assert str(error) == error.message


def test_parse_error_shows_control_characters_in_found_strings_as_code_points():
    error = parse_error("age == 1 'x\ny'")
    assert "found string 'x<U+000A>y'" in error.message
    assert error.message.isprintable()


@pytest.mark.parametrize("source", ["", " ", "   \t\n", "\u00a0"])
def test_empty_or_blank_source_is_an_empty_condition(source):
    error = parse_error(source)
    assert (error.message, error.column) == ("empty condition", None)


def test_a_source_longer_than_the_limit_is_refused():
    error = parse_error("age > 1 or " * 100)
    assert error.message == f"condition too long (1100 characters, at most {MAX_LENGTH})"
    assert error.column == MAX_LENGTH + 1


def test_a_source_exactly_at_the_length_limit_is_accepted():
    source = "age > 1".ljust(MAX_LENGTH)
    assert holds(source, {"age": 2})


@pytest.mark.parametrize("depth", [1, MAX_DEPTH])
def test_nesting_up_to_the_depth_limit_is_accepted(depth):
    assert holds("(" * depth + "age > 1" + ")" * depth, {"age": 2})
    assert holds("not " * depth + "age > 1", {"age": 2}) is (depth % 2 == 0)
    assert holds("not (" * (depth // 2) + "age > 1" + ")" * (depth // 2), {"age": 2}) is (depth // 2 % 2 == 0)


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("(" * (MAX_DEPTH + 1) + "age > 1" + ")" * (MAX_DEPTH + 1), MAX_DEPTH + 1),
        ("not " * (MAX_DEPTH + 1) + "age > 1", 4 * MAX_DEPTH + 1),
        ("(" * 500, MAX_DEPTH + 1),
        ("not " * 250, 4 * MAX_DEPTH + 1),
        ("not (" * 200, 5 * (MAX_DEPTH // 2) + 1),
    ],
)
def test_nesting_beyond_the_depth_limit_is_refused_without_recursion_error(source, column):
    error = parse_error(source)
    assert error.message == (
        f"too deeply nested at column {column} (at most {MAX_DEPTH} levels of parentheses and 'not')"
    )
    assert error.column == column


@pytest.mark.parametrize("source", [None, 18, b"age > 1", ["age > 1"]])
def test_parse_refuses_non_text_with_a_condition_error(source):
    error = parse_error(source)  # type: ignore[arg-type]
    assert error.message == f"a condition must be text, not {type(source).__name__}"
    assert error.column is None


def test_condition_error_repr_shows_message_and_column():
    assert repr(ConditionError("oops", 3)) == "ConditionError('oops', column=3)"


def test_evaluate_does_not_reach_python_names():
    # 'self', 'os' or '__class__' are just question ids (or not even tokens).
    assert holds("os == 'x' or self == 'y'", {"os": "nope"}) is False
    with pytest.raises(ConditionError):
        parse("age.__class__ == 1")


# ---------------------------------------------------------------- property-based tests

PROPERTY = settings(max_examples=200, deadline=None)

LANGUAGE_PIECES = [
    "age", "note", "transport", "group", "mode", "x", "and", "or", "not", "in",
    "answered", "(", ")", "==", "!=", "<", "<=", ">", ">=", "=", "!", "'bus'",
    "'", "\\", "\\'", "18", "-1", "2.5", "-", ".", "0", "'a\\'b'", " ", "\t",
    "\n", "\x00", "٣", "A", "_", '"', "é",
]  # fmt: skip

token_soup = st.builds(
    lambda pieces, separator: separator.join(pieces),
    st.lists(st.sampled_from(LANGUAGE_PIECES), max_size=40),
    st.sampled_from(["", " "]),
)


def assert_parses_or_raises_condition_error(source: str) -> Condition | None:
    try:
        condition = parse(source)
    except ConditionError as error:
        assert error.message and error.message.isprintable()
        assert error.column is None or 1 <= error.column <= len(source) + 1
        return None
    assert condition.source == source
    return condition


@PROPERTY
@given(st.text(max_size=300))
def test_parse_of_any_text_raises_nothing_but_condition_error(source):
    assert_parses_or_raises_condition_error(source)


@PROPERTY
@given(token_soup)
def test_parse_of_shuffled_language_tokens_raises_nothing_but_condition_error(source):
    assert_parses_or_raises_condition_error(source)


@PROPERTY
@given(st.sampled_from(["(", "not ", "not(", "((", "'"]), st.integers(0, 600))
def test_parse_of_long_or_deep_text_raises_nothing_but_condition_error(piece, count):
    assert_parses_or_raises_condition_error(piece * count)
    assert_parses_or_raises_condition_error(piece * count + "age > 1" + ")" * count)


# A random syntax tree (nested tuples) is rendered to text with as few
# parentheses as precedence allows, and evaluated by a reference
# implementation written independently here.

OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
POOL_NAMES = ["age", "note", "transport", "mode", "city", "group", "q1", "x_2"]
POOL_STRINGS = ["bus", "car", "", "l'isle", "a\\b", "walk"]

names = st.one_of(
    st.sampled_from(POOL_NAMES),
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in KEYWORDS),
)
strings = st.one_of(st.sampled_from(POOL_STRINGS), st.text(max_size=6))


@st.composite
def numbers(draw) -> tuple[str, int | float]:
    sign = draw(st.sampled_from(["", "-"]))
    whole = draw(st.integers(0, 10**6))
    fraction = draw(st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,4}", fullmatch=True)))
    text = f"{sign}{whole}{fraction}"
    return text, float(text) if fraction else int(text)


def quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


operands = st.one_of(
    names.map(lambda n: ("name", n, n)),
    strings.map(lambda s: ("literal", quote(s), s)),
    numbers().map(lambda number: ("literal", number[0], number[1])),
)
leaves = st.one_of(
    st.tuples(st.just("cmp"), operands, st.sampled_from(sorted(OPERATORS)), operands),
    st.tuples(st.just("in"), strings, names),
    st.tuples(st.just("answered"), names),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(st.just("not"), children),
        st.tuples(st.just("paren"), children),
        st.tuples(st.just("and"), children, children),
        st.tuples(st.just("or"), children, children),
    ),
    max_leaves=12,
)

PRECEDENCE = {"or": 1, "and": 2, "not": 3}  # everything else is 4: an atom


def render(tree) -> tuple[str, int, int]:
    """(text, precedence, nesting depth) of a tree, parenthesised only where needed."""

    def wrapped(child, minimum: int) -> tuple[str, int]:
        text, precedence, depth = render(child)
        return (text, depth) if precedence >= minimum else (f"({text})", depth + 1)

    kind = tree[0]
    if kind == "cmp":
        return f"{tree[1][1]} {tree[2]} {tree[3][1]}", 4, 0
    if kind == "in":
        return f"{quote(tree[1])} in {tree[2]}", 4, 0
    if kind == "answered":
        return f"answered({tree[1]})", 4, 0
    if kind == "paren":
        text, _, depth = render(tree[1])
        return f"({text})", 4, depth + 1
    if kind == "not":
        text, depth = wrapped(tree[1], 3)
        return f"not {text}", 3, depth + 1
    (left, left_depth), (right, right_depth) = (
        wrapped(tree[1], PRECEDENCE[kind]),
        wrapped(tree[2], PRECEDENCE[kind]),
    )
    return f"{left} {kind} {right}", PRECEDENCE[kind], max(left_depth, right_depth)


def tree_names(tree) -> set[str]:
    kind = tree[0]
    if kind == "cmp":
        return {side[2] for side in (tree[1], tree[3]) if side[0] == "name"}
    if kind == "in":
        return {tree[2]}
    if kind == "answered":
        return {tree[1]}
    return set().union(*(tree_names(child) for child in tree[1:]))


def is_answered(value: object) -> bool:
    if value is None:
        return False
    return not (isinstance(value, (str, list, tuple, set, frozenset, dict)) and not value)


def is_number(value: object) -> bool:
    return type(value) in (int, float)


def reference(tree, answers: Mapping[str, object], group: str | None) -> bool:
    """What the contract says a tree means."""

    def value(name: str) -> object:
        return group if name == "group" else answers.get(name)

    kind = tree[0]
    if kind == "cmp":
        (left_kind, _, left), (right_kind, _, right) = tree[1], tree[3]
        left = value(left) if left_kind == "name" else left
        right = value(right) if right_kind == "name" else right
        if (left_kind == "name" and not is_answered(left)) or (right_kind == "name" and not is_answered(right)):
            return False
        if isinstance(left, str) and isinstance(right, str):
            return tree[2] in ("==", "!=") and OPERATORS[tree[2]](left, right)
        if is_number(left) and is_number(right):
            return OPERATORS[tree[2]](left, right)
        return False
    if kind == "in":
        answer = value(tree[2])
        return isinstance(answer, (list, tuple, set, frozenset)) and tree[1] in [
            item for item in answer if isinstance(item, str)
        ]
    if kind == "answered":
        return is_answered(value(tree[1]))
    if kind == "paren":
        return reference(tree[1], answers, group)
    if kind == "not":
        return not reference(tree[1], answers, group)
    results = [reference(child, answers, group) for child in tree[1:]]
    return all(results) if kind == "and" else any(results)


answer_values = st.one_of(
    st.none(),
    st.sampled_from(POOL_STRINGS),
    st.text(max_size=4),
    st.integers(-3, 3),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(
        st.one_of(st.sampled_from(POOL_STRINGS), st.text(max_size=3), st.integers(), st.none()),
        max_size=4,
    ),
    st.tuples(st.sampled_from(POOL_STRINGS)),
    st.frozensets(st.sampled_from(POOL_STRINGS), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.builds(object),
)
groups = st.one_of(st.none(), st.sampled_from(["parents", "staff", "", "bus"]), st.text(max_size=3))


@PROPERTY
@given(trees, st.data())
def test_generated_conditions_parse_name_and_evaluate_like_the_reference(tree, data):
    source, _, depth = render(tree)
    assume(len(source) <= MAX_LENGTH and depth <= MAX_DEPTH)
    condition = parse(source)
    assert condition.names() == tree_names(tree)
    keys = st.sampled_from(sorted(tree_names(tree) | {"unrelated"}))
    answers = data.draw(st.dictionaries(keys, answer_values, max_size=6), label="answers")
    group = data.draw(groups, label="group")
    result = condition.evaluate(answers, group)
    assert result is reference(tree, answers, group)


name_infos = st.builds(
    NameInfo,
    st.sampled_from(
        [
            "single",
            "multiple",
            "scale",
            "text",
            "long_text",
            "number",
            "group",
            "date",
            "",
        ]
    ),
    st.one_of(
        st.none(),
        st.frozensets(st.sampled_from(POOL_STRINGS), max_size=4),
        st.frozensets(st.integers(-2, 7), max_size=5),
        st.frozensets(st.one_of(st.text(max_size=3), st.integers(), st.floats()), max_size=4),
    ),
)
knowns = st.dictionaries(st.one_of(st.sampled_from(POOL_NAMES), names), name_infos, max_size=8)


def assert_check_problems_are_well_formed(condition: Condition, known) -> None:
    found = condition.check(known)
    assert isinstance(found, list)
    for problem in found:
        assert isinstance(problem, ConditionError)
        assert problem.message and problem.message.isprintable()
        assert problem.column is not None and 1 <= problem.column <= len(condition.source)


@st.composite
def near_misses(draw) -> str:
    """A well-formed condition with a few characters replaced by a random piece."""
    source = render(draw(trees))[0]
    start = draw(st.integers(0, len(source)))
    end = draw(st.integers(start, min(len(source), start + 3)))
    return source[:start] + draw(st.sampled_from([*LANGUAGE_PIECES, ""])) + source[end:]


@PROPERTY
@given(near_misses())
def test_parse_of_almost_valid_conditions_raises_nothing_but_condition_error(source):
    assert_parses_or_raises_condition_error(source)


@PROPERTY
@given(trees, knowns)
def test_check_of_generated_conditions_never_raises(tree, known):
    source, _, depth = render(tree)
    assume(len(source) <= MAX_LENGTH and depth <= MAX_DEPTH)
    assert_check_problems_are_well_formed(parse(source), known)


@PROPERTY
@given(st.one_of(token_soup, st.text(max_size=100), near_misses()), knowns)
def test_check_and_evaluate_of_anything_that_parses_never_raise(source, known):
    condition = assert_parses_or_raises_condition_error(source)
    if condition is not None:
        assert_check_problems_are_well_formed(condition, known)
        assert condition.evaluate({name: None for name in known}, None) in (True, False)


def test_to_data_gives_the_tree_as_json_ready_lists():
    condition = parse("not answered(a) or (b >= 2 and 'x' in c) or group == 'p'")
    assert condition.to_data() == [
        "or",
        ["not", ["answered", "a"]],
        ["and", ["compare", ">=", ["name", "b"], ["value", 2]], ["in", "x", "c"]],
        ["compare", "==", ["name", "group"], ["value", "p"]],
    ]
