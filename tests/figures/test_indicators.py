"""The numbers layer: figures checked against hand arithmetic and published examples, suppression proved."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey.answers.records import Response
from coresp_survey.figures import indicators
from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.indicators import CSV_COLUMNS
from coresp_survey.figures.indicators import PARTICIPATION_COLUMNS
from coresp_survey.figures.indicators import IndicatorCell
from coresp_survey.survey.loader import parse_survey
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import round_key

HEADER = """
id: t
round: "2026"
languages: [fr, en]
title: {fr: "T", en: "T"}
"""
SECTIONS = """
sections:
  - id: page
    title: {fr: "P", en: "P"}
    questions:
      - id: safe
        type: scale
        scale: spiral5
        label: {fr: "S", en: "S"}
      - id: calm
        type: scale
        scale: spiral5
        label: {fr: "C", en: "C"}
      - id: often
        type: scale
        choices:
          - {value: 1, label: {fr: "1", en: "1"}}
          - {value: 2, label: {fr: "2", en: "2"}}
          - {value: 3, label: {fr: "3", en: "3"}}
          - {value: 4, label: {fr: "4", en: "4"}}
        label: {fr: "O", en: "O"}
      - id: remark
        type: text
        label: {fr: "R", en: "R"}
indicators:
  - {id: safe, question: safe, family: B, label: {fr: "S", en: "S"}, good_from: 4}
  - {id: calm, question: calm, family: B, label: {fr: "C", en: "C"}, good_from: 4}
  - {id: often, question: often, family: F, label: {fr: "O", en: "O"}, good_from: 3}
"""


def make_survey(groups: Sequence[tuple[str, int | None]] = (), min_group_size: int = 5) -> Survey:
    text = HEADER + f"publish: {{min_group_size: {min_group_size}}}\n"
    if groups:
        text += "groups:\n"
        for group_id, size in groups:
            size_text = f", size: {size}" if size is not None else ""
            text += f'  - {{id: {group_id}, label: {{fr: "{group_id}", en: "{group_id}"}}{size_text}}}\n'
    survey, problems = parse_survey(text + SECTIONS, "t.yaml")
    assert not problems, problems
    assert survey is not None
    return survey


IDS = itertools.count(1)  # a fresh id per response; ids play no part in the figures


def answer(answers: dict, group: str | None = None, round_name: str = "2026", survey: str = "t") -> Response:
    return Response(f"r{next(IDS)}", survey, round_name, group, "fr", "2026-10-01", "web", answers)


def safe_answers(levels: Sequence[int], group: str | None = None, round_name: str = "2026") -> list[Response]:
    return [answer({"safe": level}, group, round_name) for level in levels]


def cell(cells: list[IndicatorCell], group: str = ALL, indicator: str = "safe", round_name: str = "2026"):
    (found,) = [c for c in cells if (c.group, c.indicator, c.round) == (group, indicator, round_name)]
    return found


def cells_of(survey: Survey, responses: list[Response]) -> list[IndicatorCell]:
    return indicators.indicator_cells(indicators.tally(survey, responses))


# -- figures of one cell ----------------------------------------------------------


def test_mean_score_share_and_wilson_interval_by_hand():
    found = cell(cells_of(make_survey(), safe_answers([1, 2, 4, 5, 5])))
    assert found.n == 5
    # mean = (1 + 2 + 4 + 5 + 5) / 5 = 17 / 5 = 3.4
    assert found.mean == pytest.approx(3.4)
    # score = (3.4 - 1) / (5 - 1) * 100 = 2.4 / 4 * 100 = 60.0
    assert found.score == pytest.approx(60.0)
    # good_from 4: the answers 4, 5, 5 are good -> 3 / 5 = 0.6
    assert found.share_good == pytest.approx(0.6)
    # Wilson, z = 1.959963984540054, z² = 3.8414588, n = 5, p = 0.6:
    #   denominator = 1 + z²/n = 1.76829176
    #   centre = (p + z²/2n) / denominator = (0.6 + 0.38414588) / 1.76829176 = 0.55655341
    #   half = z * sqrt(p(1-p)/n + z²/4n²) / denominator
    #        = 1.95996398 * sqrt(0.048 + 0.03841459) / 1.76829176 = 0.32582747
    #   -> (0.23072594, 0.88238088)
    assert found.share_good_low == pytest.approx(0.2307243, abs=1e-4)
    assert found.share_good_high == pytest.approx(0.8823792, abs=1e-4)
    assert found.distribution == (1, 1, 0, 1, 2)
    assert found.levels == (1, 2, 3, 4, 5)
    assert found.suppressed is False


def test_score_uses_the_lowest_and_highest_levels_of_the_question_scale():
    responses = [answer({"often": level}) for level in (4, 4, 1, 3, 3)]
    found = cell(cells_of(make_survey(), responses), indicator="often")
    # mean = (4 + 4 + 1 + 3 + 3) / 5 = 3.0; score = (3 - 1) / (4 - 1) * 100 = 66.67
    assert found.mean == pytest.approx(3.0)
    assert found.score == pytest.approx(200 / 3)
    # good_from 3: 4, 4, 3, 3 -> 4 / 5
    assert found.share_good == pytest.approx(0.8)
    assert found.distribution == (1, 0, 2, 2)


def test_n_counts_only_respondents_who_answered_with_a_level():
    responses = safe_answers([1, 2, 4, 5, 5]) + [
        answer({}),  # skipped the question
        answer({"safe": None}),
        answer({"safe": "4"}),  # text is not a level
        answer({"safe": True}),  # neither is a boolean, although True == 1
        answer({"safe": 9}),  # not on the scale
        answer({"calm": 3}),
    ]
    found = cell(cells_of(make_survey(), responses))
    assert found.n == 5
    assert found.mean == pytest.approx(3.4)
    assert cell(cells_of(make_survey(), responses), indicator="calm").n is None  # 1 answer: suppressed


def test_responses_to_other_surveys_are_ignored():
    responses = safe_answers([5] * 5) + [answer({"safe": 1}, survey="other") for _ in range(5)]
    assert cell(cells_of(make_survey(), responses)).mean == pytest.approx(5.0)


# -- primary suppression --------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 4])
def test_cell_below_min_group_size_shows_no_number(count):
    found = cell(cells_of(make_survey(), safe_answers([3] * count)))
    assert found.suppressed is True
    numbers = (found.n, found.mean, found.score, found.share_good, found.share_good_low, found.share_good_high)
    assert numbers == (None,) * 6
    assert found.distribution is None


def test_cell_at_min_group_size_is_published():
    assert cell(cells_of(make_survey(), safe_answers([3] * 5))).n == 5


def test_min_group_size_comes_from_the_survey():
    survey = make_survey(min_group_size=3)
    assert cell(cells_of(survey, safe_answers([3] * 3))).n == 3
    assert cell(cells_of(survey, safe_answers([3] * 2))).suppressed


def test_all_is_suppressed_when_every_group_together_is_small():
    survey = make_survey([("a", None), ("b", None)])
    cells = cells_of(survey, safe_answers([4, 4], "a") + safe_answers([2, 2], "b"))
    assert [cell(cells, g).suppressed for g in (ALL, "a", "b")] == [True, True, True]


def test_every_declared_group_has_a_cell_even_without_respondents():
    survey = make_survey([("a", None), ("b", None), ("c", None)])
    cells = cells_of(survey, safe_answers([4] * 6, "a") + safe_answers([2] * 7, "b"))
    assert [(c.indicator, c.group) for c in cells] == [
        (indicator, group) for indicator in ("safe", "calm", "often") for group in (ALL, "a", "b", "c")
    ]
    assert cell(cells, "c").suppressed


def test_a_survey_without_groups_has_only_all():
    cells = cells_of(make_survey(), safe_answers([4] * 6, group="stray"))
    assert {c.group for c in cells} == {ALL}
    assert cell(cells).n == 6


# -- secondary suppression ----------------------------------------------------------------


def suppressed_groups(cells: list[IndicatorCell], indicator: str = "safe") -> set[str]:
    return {c.group for c in cells if c.indicator == indicator and c.suppressed}


def test_two_groups_one_small_hides_the_other_too():
    survey = make_survey([("a", None), ("b", None)])
    cells = cells_of(survey, safe_answers([1, 1, 1], "a") + safe_answers([5] * 10, "b"))
    # all - b would give a's answers: b is hidden as well, all (13) stays
    assert suppressed_groups(cells) == {"a", "b"}
    assert cell(cells).n == 13


def test_three_groups_one_small_hides_exactly_the_next_smallest():
    survey = make_survey([("a", None), ("b", None), ("c", None)])
    responses = safe_answers([1, 2], "a") + safe_answers([5] * 8, "b") + safe_answers([4] * 6, "c")
    cells = cells_of(survey, responses)
    assert suppressed_groups(cells) == {"a", "c"}  # c (6) is smaller than b (8)
    assert cell(cells, "b").n == 8
    assert cell(cells).n == 16


def test_ties_for_next_smallest_go_to_the_group_declared_first():
    survey = make_survey([("a", None), ("b", None), ("c", None)])
    responses = safe_answers([1], "a") + safe_answers([5] * 6, "b") + safe_answers([4] * 6, "c")
    assert suppressed_groups(cells_of(survey, responses)) == {"a", "b"}


def test_nothing_suppressed_when_no_group_is_small():
    survey = make_survey([("a", None), ("b", None), ("c", None)])
    responses = safe_answers([1] * 5, "a") + safe_answers([5] * 6, "b") + safe_answers([4] * 7, "c")
    assert suppressed_groups(cells_of(survey, responses)) == set()


def test_two_small_groups_need_no_further_suppression():
    survey = make_survey([("a", None), ("b", None), ("c", None)])
    responses = safe_answers([1] * 2, "a") + safe_answers([5] * 3, "b") + safe_answers([4] * 7, "c")
    assert suppressed_groups(cells_of(survey, responses)) == {"a", "b"}


def test_secondary_suppression_is_decided_per_indicator():
    survey = make_survey([("a", None), ("b", None)])
    responses = [answer({"safe": 3, "calm": 3}, "a") for _ in range(5)]
    responses += [answer({"safe": 3, "calm": 3 if k < 2 else None}, "b") for k in range(6)]
    cells = cells_of(survey, responses)
    assert suppressed_groups(cells, "safe") == set()
    assert suppressed_groups(cells, "calm") == {"a", "b"}


def test_few_respondents_without_a_declared_group_are_protected_like_a_small_group():
    # all - a - b would give the two stray respondents' answers: the smallest group is hidden
    survey = make_survey([("a", None), ("b", None)])
    responses = safe_answers([5] * 6, "a") + safe_answers([4] * 7, "b") + safe_answers([1, 1], None)
    cells = cells_of(survey, responses)
    assert suppressed_groups(cells) == {"a"}
    assert cell(cells).n == 15


# -- rows for indicators.csv / indicators.json ----------------------------------------------


def test_rows_have_exactly_the_csv_columns_in_order_and_rounded_numbers():
    survey = make_survey([("a", None), ("b", None)])
    responses = safe_answers([1, 2, 2, 4, 5, 5], "a") + safe_answers([3], "b")
    rows = indicators.cell_rows(cells_of(survey, responses))
    assert all(tuple(row) == CSV_COLUMNS for row in rows)
    everyone = rows[0]
    # n = 7, mean = 22 / 7 = 3.142857 -> 3.14; score = 2.142857 / 4 * 100 = 53.571 -> 53.6
    # share = 3 / 7 = 0.428571 -> 0.429; Wilson (0.158220, 0.749542) -> 0.158, 0.750
    assert everyone == {
        "survey": "t",
        "round": "2026",
        "indicator": "safe",
        "family": "B",
        "group": "all",
        "n": 7,
        "mean": 3.14,
        "score": 53.6,
        "share_good": 0.429,
        "share_good_low": 0.158,
        "share_good_high": 0.75,
        "suppressed": False,
    }
    hidden = rows[1]
    assert hidden["group"] == "a"
    assert {key: hidden[key] for key in CSV_COLUMNS[5:]} == {key: None for key in CSV_COLUMNS[5:-1]} | {
        "suppressed": True
    }


def test_rows_serialise_to_json_with_numbers_booleans_and_nulls():
    rows = indicators.cell_rows(cells_of(make_survey(), safe_answers([4] * 5)))
    text = json.dumps(rows)
    assert '"n": 5' in text and '"mean": 4.0' in text and '"suppressed": false' in text
    assert '"n": null' in text  # the "calm" and "often" cells have no answer


# -- participation -------------------------------------------------------------------------


def test_participation_counts_every_group_and_all_with_rates_where_size_is_known():
    survey = make_survey([("a", 10), ("b", None), ("c", 40)])
    responses = [answer({}, "a") for _ in range(4)] + [answer({}, "b") for _ in range(3)] + [answer({}, None)]
    found = indicators.participation(indicators.tally(survey, responses))
    assert [(p.group, p.responses, p.size) for p in found] == [
        ("all", 8, None),  # b's size is unknown, so everyone's is too
        ("a", 4, 10),
        ("b", 3, None),
        ("c", 0, 40),
    ]
    assert [p.response_rate for p in found] == [None, pytest.approx(0.4), None, 0.0]  # 4 / 10, 0 / 40
    rows = indicators.participation_rows(found)
    assert all(tuple(row) == PARTICIPATION_COLUMNS for row in rows)
    assert rows[1] == {"survey": "t", "round": "2026", "group": "a", "responses": 4}


def test_participation_rate_of_all_when_every_size_is_known():
    survey = make_survey([("a", 10), ("b", 30)])
    responses = [answer({}, "a") for _ in range(4)] + [answer({}, "b") for _ in range(6)]
    (everyone, *_) = indicators.participation(indicators.tally(survey, responses))
    assert (everyone.size, everyone.response_rate) == (40, pytest.approx(0.25))  # 10 / (10 + 30)


# -- family scores ---------------------------------------------------------------------------


def test_family_score_is_the_mean_of_its_indicator_scores():
    responses = [answer({"safe": 5, "calm": 3, "often": 2}) for _ in range(5)]
    scores = indicators.family_scores(make_survey(), cells_of(make_survey(), responses))
    by_family = {(s.family, s.group): s for s in scores}
    # B: safe scores (5-1)/4*100 = 100, calm (3-1)/4*100 = 50 -> 75; F: often (2-1)/3*100 = 33.3
    assert by_family[("B", ALL)].score == pytest.approx(75.0)
    assert by_family[("B", ALL)].indicators == 2
    assert by_family[("F", ALL)].score == pytest.approx(100 / 3)
    assert [s.family for s in scores] == ["B", "F"]  # families in the survey's order


def test_family_score_is_suppressed_when_one_of_its_cells_is():
    responses = [answer({"safe": 5, "calm": 3 if k < 2 else None}) for k in range(5)]
    survey = make_survey()
    scores = indicators.family_scores(survey, cells_of(survey, responses))
    family_b = next(s for s in scores if s.family == "B")
    assert (family_b.suppressed, family_b.score) == (True, None)


# -- change between rounds -----------------------------------------------------------------


def test_change_between_consecutive_rounds_in_natural_order():
    survey = make_survey()
    responses = (
        safe_answers([4] * 48 + [1] * 32, round_name="9")  # 48 / 80 = 0.6
        + safe_answers([4] * 56 + [2] * 14, round_name="10")  # 56 / 70 = 0.8
        + safe_answers([4] * 7, round_name="2026")  # 7 / 7 = 1.0
    )
    found = indicators.changes(cells_of(survey, responses))
    assert [(c.from_round, c.to_round, c.indicator, c.group) for c in found] == [
        ("9", "10", "safe", ALL),
        ("10", "2026", "safe", ALL),
    ]
    first = found[0]
    cells = cells_of(survey, responses)
    shares = [cell(cells, round_name=name).share_good for name in (first.from_round, first.to_round)]
    assert shares == [pytest.approx(0.6), pytest.approx(0.8)]
    # later minus earlier, 56/70 - 48/80: Newcombe's example (a), 0.2 (0.0524, 0.3339)
    assert first.difference == pytest.approx(0.2)
    assert first.low == pytest.approx(0.0524, abs=1e-4)
    assert first.high == pytest.approx(0.3339, abs=1e-4)
    assert first.significant


def test_change_is_not_significant_when_its_interval_contains_zero():
    survey = make_survey()
    responses = safe_answers([4, 4, 4, 1, 1], round_name="2025") + safe_answers([4, 4, 4, 4, 1], round_name="2026")
    (change,) = indicators.changes(cells_of(survey, responses))
    assert change.low < 0 < change.high
    assert not change.significant


def test_no_change_when_either_cell_is_suppressed():
    survey = make_survey()
    responses = safe_answers([4] * 3, round_name="2025") + safe_answers([4] * 9, round_name="2026")
    assert indicators.changes(cells_of(survey, responses)) == []


def test_rounds_include_the_survey_round_and_those_found_in_the_responses():
    counts = indicators.tally(make_survey(), safe_answers([4], round_name="10") + safe_answers([4], round_name="9"))
    assert counts.rounds == ("9", "10", "2026")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["10", "9", "2"], ["2", "9", "10"]),
        (["2026", "2025-b", "2025"], ["2025", "2025-b", "2026"]),
        (["round-10", "round-2", "1"], ["1", "round-2", "round-10"]),
    ],
)
def test_round_names_sort_naturally(names, expected):
    assert sorted(names, key=round_key) == expected


def test_compute_gives_every_figure_from_one_pass():
    survey = make_survey([("a", 20)])
    responses = iter(safe_answers([4] * 6, "a", "2025") + safe_answers([5] * 6, "a"))  # an iterator: read once
    figures = indicators.compute(survey, responses)
    assert len(figures.cells) == 2 * 3 * 2  # rounds × indicators × (all, a)
    assert [p.responses for p in figures.participation] == [6, 6, 6, 6]
    assert {(c.indicator, c.group) for c in figures.changes} == {("safe", ALL), ("safe", "a")}
    assert len(figures.families) == 2 * 2 * 2  # rounds × families × (all, a)


# -- properties ----------------------------------------------------------------------------

GROUPS = ("a", "b", "c")
BASE = make_survey([(g, None) for g in GROUPS])
group_answers = st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=12)


def assert_no_number_leaks(cells: list[IndicatorCell]) -> None:
    for found in cells:
        numbers = (found.n, found.mean, found.score, found.share_good, found.share_good_low, found.share_good_high)
        if found.suppressed:
            assert numbers == (None,) * 6 and found.distribution is None
        else:
            assert None not in numbers and found.distribution is not None
    for row in indicators.cell_rows(cells):
        if row["suppressed"]:
            assert all(row[key] is None for key in CSV_COLUMNS[5:-1])


def hidden_answers(cells: list[IndicatorCell], answers_by_group: dict, round_name: str, indicator: str) -> int:
    """What ``all`` minus the visible groups gives: the hidden groups' answers, plus those of no declared group."""
    hidden = {c.group for c in cells if (c.round, c.indicator) == (round_name, indicator) and c.suppressed}
    return sum(
        1
        for group, levels in answers_by_group.items()
        if group is None or group in hidden
        for v in levels
        if v is not None
    )


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({g: group_answers for g in GROUPS}), st.integers(1, 6))
def test_no_suppressed_cell_exposes_a_number_and_the_hidden_groups_hold_none_or_enough(
    answers_by_group, min_group_size
):
    survey = dataclasses.replace(BASE, min_group_size=min_group_size)
    responses = [answer({"safe": v}, g) for g, levels in answers_by_group.items() for v in levels]
    cells = cells_of(survey, responses)
    assert_no_number_leaks(cells)
    for found in cells:
        if not found.suppressed:
            assert found.n is not None and found.n >= min_group_size
    for round_name in {c.round for c in cells}:
        held = hidden_answers(cells, answers_by_group, round_name, "safe")
        assert held == 0 or held >= min_group_size or cell(cells, round_name=round_name).suppressed


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({g: group_answers for g in (*GROUPS, None)}), st.integers(1, 6))
def test_respondents_outside_the_groups_count_with_the_hidden_groups(answers_by_group, min_group_size):
    survey = dataclasses.replace(BASE, min_group_size=min_group_size)
    responses = [answer({"safe": v}, g) for g, levels in answers_by_group.items() for v in levels]
    cells = [c for c in cells_of(survey, responses) if c.indicator == "safe"]
    assert_no_number_leaks(cells)
    held = hidden_answers(cells, answers_by_group, "2026", "safe")
    assert held == 0 or held >= min_group_size or cell(cells).suppressed
