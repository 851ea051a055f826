"""XLSForm's ``relevant`` syntax: read into the same trees as ``show_if``, written back from them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey.survey import conditions
from coresp_survey.survey import relevant
from coresp_survey.survey.conditions import ConditionError

KINDS = {"q": "single", "m": "multiple", "s": "scale", "n": "number", "t": "text", "group": "group"}


@pytest.mark.parametrize(
    ("source", "show_if"),
    [
        ("${q} = 'a'", "q == 'a'"),
        ("${q} != 'a'", "q != 'a'"),
        ('${q} = "l\'eau"', "q == 'l\\'eau'"),
        ("'a' = ${q}", "'a' == q"),
        ("${n} >= 18 and ${n} < 65.5", "n >= 18 and n < 65.5"),
        ("${n} > -1", "n > -1"),
        ("selected(${m}, 'bus')", "'bus' in m"),
        ("selected(${q}, 'a')", "q == 'a'"),
        ("selected(${s}, '4')", "s == 4"),
        ("${s} = '4'", "s == 4"),
        ("${s} >= 4", "s >= 4"),
        ("${q} = 1", "q == '1'"),
        ("${t} != ''", "answered(t)"),
        ("'' != ${t}", "answered(t)"),
        ("${t} = ''", "not answered(t)"),
        ("not(${q} = 'a')", "not q == 'a'"),
        ("not (selected(${m}, 'x') or ${group} = 'g1')", "not ('x' in m or group == 'g1')"),
        ("${q} = 'a' or ${q} = 'b' and ${n} > 2", "q == 'a' or q == 'b' and n > 2"),
        ("(${q} = 'a' or ${q} = 'b') and ${n} > 2", "(q == 'a' or q == 'b') and n > 2"),
        ("${a} = ${b}", "a == b"),
        ("${q}='a'\nand\t${n}>1", "q == 'a' and n > 1"),
        ("${unknown} = 1", "unknown == 1"),
        ("selected(${unknown}, 'x')", "'x' in unknown"),
    ],
)
def test_relevant_means_what_show_if_means(source, show_if):
    assert relevant.parse(source, KINDS).to_data() == conditions.parse(show_if).to_data()


def test_a_relevant_keeps_its_text_and_is_called_relevant_in_problems():
    parsed = relevant.parse("${q} = 'a'", KINDS)
    assert (parsed.source, parsed.keyword, conditions.parse("q == 'a'").keyword) == (
        "${q} = 'a'",
        "relevant",
        "show_if",
    )
    assert parsed.evaluate({"q": "a"}, None) and not parsed.evaluate({}, None)


def test_columns_point_into_the_cell_text():
    parsed = relevant.parse("${n} > 1 and ${zz} = 'a'", KINDS)
    errors = parsed.check({"n": conditions.NameInfo("number")})
    assert [(e.message, e.column) for e in errors] == [("unknown name 'zz'", 14)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty condition"),
        ("   ", "empty condition"),
        ("${q} == 'a'", "'==' at column 6: XLSForm compares with a single '='"),
        ("q = 'a'", "'q' at column 1: write a question as ${q} and a text in quotes"),
        ("${q = 'a'", "'${' at column 1 is not closed by '}'"),
        ("${} = 'a'", "empty ${} at column 1: write the question's name inside"),
        ("${q} = 'a", "unterminated string starting at column 8"),
        ("not ${q} = 'a'", "expected '(' after not: XLSForm writes not(…) at column 5, found the question ${q}"),
        ("${q} = 'a' AND ${n} > 1", "expected 'and', 'or' or the end of the condition at column 12, found 'AND'"),
        ("AND", "'AND' at column 1: write it and"),
        (
            "count-selected(${m}) > 1",
            "the function count-selected() at column 1 is not supported (supported:"
            " selected(), not(), and, or, comparisons)",
        ),
        ("${n} > ''", "'>' with '' at column 6: compare with '' only by = or != (answered or not)"),
        ("selected(${m})", "expected ',' between the question and the choice at column 14, found ')'"),
        ("${n} >", "expected a question, a text or a number after '>' at column 7, found the end of the condition"),
        ("${n} ~ 2", "unexpected character '~' at column 6"),
        ("(${n} > 1", "expected ')' at column 10, found the end of the condition"),
        ("${n}", "expected a comparison (= != < <= > >=) at column 5, found the end of the condition"),
    ],
)
def test_a_relevant_that_cannot_be_read_says_where(source, message):
    with pytest.raises(ConditionError) as raised:
        relevant.parse(source, KINDS)
    assert raised.value.message == message


def test_nesting_and_length_are_bounded():
    with pytest.raises(ConditionError, match="too deeply nested"):
        relevant.parse("not(" * 40 + "${q} = 'a'" + ")" * 40, KINDS)
    with pytest.raises(ConditionError, match="condition too long"):
        relevant.parse("${q} = 'a' or " * 100 + "${q} = 'b'", KINDS)


@pytest.mark.parametrize("show_if", ["t == 'a\\'\"b'", "t == ''", "'' != t"])
def test_what_xlsform_cannot_say_as_it_is_is_refused(show_if):
    with pytest.raises(relevant.NotWritable):
        relevant.to_relevant(conditions.parse(show_if))


@given(st.text(max_size=40))
def test_any_text_is_a_condition_or_a_condition_error(source):
    try:
        relevant.parse(source, KINDS)
    except ConditionError:
        pass


# -- written back: the same tree ------------------------------------------------------------------

TEXTS = st.sampled_from(["a", "b", "l'eau", 'dit "oui"', "", "é", "x y", "\\"])
NUMBERS = st.one_of(st.integers(-5, 10**12), st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 5)))


@st.composite
def atoms(draw) -> str:
    name = draw(st.sampled_from(sorted(KINDS)))
    kind = KINDS[name]
    if kind == "multiple":
        return draw(st.sampled_from([f"{conditions._quote(draw(TEXTS))} in m", "answered(m)"]))
    op = draw(
        st.sampled_from(["==", "!="] if kind in ("single", "text", "group") else ["==", "!=", "<", "<=", ">", ">="])
    )
    if kind in ("single", "text", "group"):
        literal = conditions._quote(draw(TEXTS))
    else:
        value = draw(NUMBERS)
        literal = relevant.number_text(value)
    pair = [name, literal] if draw(st.booleans()) else [literal, name]
    return draw(st.sampled_from([f"{pair[0]} {op} {pair[1]}", f"answered({name})"]))


def expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        atoms(),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
            inner.map(lambda x: f"not {x}" if x.startswith("(") else f"not ({x})"),
        ),
        max_leaves=8,
    )


@settings(max_examples=300)
@given(expressions())
def test_every_condition_is_written_back_as_the_same_tree(show_if):
    try:
        condition = conditions.parse(show_if)
    except ConditionError:  # a text with both quotes in a literal, too long: not what this test is about
        return
    try:
        written = relevant.to_relevant(condition)
    except relevant.NotWritable:
        assert ("'" in show_if and '"' in show_if) or "''" in show_if
        return
    assert relevant.parse(written, KINDS).to_data() == condition.to_data(), written
    assert conditions.parse(conditions.to_source(condition)).to_data() == condition.to_data()


def test_numbers_are_written_without_exponents():
    assert [relevant.number_text(v) for v in (1e-05, 1e20, 2.0, -0.5, 3)] == [
        "0.00001", "100000000000000000000.0", "2.0", "-0.5", "3"
    ]  # fmt: skip
    assert conditions.to_source(conditions.parse("n > 0.00001")) == "n > 0.00001"
