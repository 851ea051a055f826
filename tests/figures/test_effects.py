"""An action's effect: the rounds it compares, the change against hand arithmetic, and nothing small revealed."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from coresp_survey.answers.records import Response
from coresp_survey.figures import effects
from coresp_survey.figures.effects import ACTION_COLUMNS
from coresp_survey.figures.indicators import compute
from coresp_survey.survey.loader import parse_survey
from coresp_survey.survey.model import Text
from coresp_survey.workspace.plans import Action

SURVEY_TEXT = """
id: t
round: "3"
languages: [fr, en]
title: {fr: "T", en: "T"}
groups:
  - {id: big, label: {fr: "Grands", en: "Big"}}
  - {id: small, label: {fr: "Petits", en: "Small"}}
sections:
  - id: page
    title: {fr: "P", en: "P"}
    questions:
      - {id: safe, type: scale, scale: spiral5, label: {fr: "S", en: "S"}}
      - {id: calm, type: scale, scale: spiral5, label: {fr: "C", en: "C"}}
indicators:
  - {id: safe, question: safe, family: B, label: {fr: "S", en: "S"}, good_from: 4}
  - {id: calm, question: calm, family: B, label: {fr: "C", en: "C"}, good_from: 4}
"""
SURVEY, _problems = parse_survey(SURVEY_TEXT, "t.yaml")
IDS = itertools.count(1)
DAYS = {"1": "2025-10-15", "2": "2026-10-15", "3": "2027-10-15"}
"""When each round's answers were submitted."""


def answers(round_name: str, good: int, bad: int, group: str = "big", question: str = "safe") -> list[Response]:
    """``good`` answers at level 4 and ``bad`` at level 2, all in one group, on the round's day."""
    levels = [4] * good + [2] * bad
    return [
        Response(f"r{next(IDS)}", "t", round_name, group, "fr", DAYS[round_name], "web", {question: level})
        for level in levels
    ]


def action(starts: str = "2026-01-10", indicators: tuple[str, ...] = ("safe",), **more) -> Action:
    return Action(
        survey="t",
        id="a",
        title=Text(fr="A", en="A"),
        description=Text(fr="D", en="D"),
        indicators=indicators,
        starts=date.fromisoformat(starts),
        status="under_way",
        **more,
    )


def test_the_change_between_baseline_and_latest_round_matches_hand_arithmetic():
    # Round 1: 30 good of 60; round 2: 45 good of 60. Wilson 95%: 30/60 -> [0.377351, 0.622649],
    # 45/60 -> [0.627679, 0.842235]. Newcombe: 0.25 - sqrt(0.122321² + 0.122649²) = 0.0768,
    # 0.25 + sqrt(0.092235² + 0.122649²) = 0.4035.
    figures = compute(SURVEY, answers("1", 30, 30) + answers("2", 45, 15))
    (effect,) = effects.effects(action(), figures)
    assert (effect.round_before, effect.round_after) == ("1", "2")
    assert (effect.share_before, effect.share_after) == (0.5, 0.75)
    assert effect.change.difference == pytest.approx(0.25)
    assert effect.change.low == pytest.approx(0.0768, abs=1e-4)
    assert effect.change.high == pytest.approx(0.4035, abs=1e-4)
    assert effect.change.significant and effect.missing is None
    assert (effect.change.from_round, effect.change.to_round, effect.change.group) == ("1", "2", "all")


def test_a_change_whose_interval_holds_zero_is_not_clear():
    # 22 of 40 then 20 of 40: -0.05, Newcombe [-0.2558, 0.1619]
    figures = compute(SURVEY, answers("1", 22, 18) + answers("2", 20, 20))
    (effect,) = effects.effects(action(), figures)
    assert effect.change.difference == pytest.approx(-0.05)
    assert effect.change.low == pytest.approx(-0.2558, abs=1e-4)
    assert effect.change.high == pytest.approx(0.1619, abs=1e-4)
    assert not effect.change.significant


def test_by_default_the_baseline_is_the_latest_round_collected_before_the_start():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8) + answers("3", 15, 5))
    assert effects.baseline_round(action(starts="2027-01-10"), figures) == "2"
    assert effects.baseline_round(action(starts="2026-01-10"), figures) == "1"
    assert effects.baseline_round(action(starts="2025-10-15"), figures) is None  # collected that very day: not before
    assert effects.baseline_round(action(starts="2025-10-16"), figures) == "1"


def test_a_named_baseline_is_kept_and_the_round_after_is_the_latest_since_the_start():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8) + answers("3", 15, 5))
    named = action(starts="2026-01-10", baseline="1")
    (effect,) = effects.effects(named, figures)
    assert (effect.round_before, effect.round_after) == ("1", "3")
    assert effect.share_before == 0.5 and effect.share_after == 0.75


def test_a_round_collected_entirely_before_the_start_is_never_the_round_after():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8))
    late = action(starts="2026-12-01", baseline="1")  # round 2 ended on 2026-10-15, before the action
    (effect,) = effects.effects(late, figures)
    assert (effect.round_before, effect.round_after, effect.change) == ("1", None, None)
    assert effect.missing == effects.NO_ROUND_AFTER
    assert effect.share_before == 0.5 and effect.share_after is None


def test_a_round_partly_collected_before_the_start_is_flagged():
    spread = answers("2", 12, 8)
    spread[0] = Response("early", "t", "2", "big", "fr", "2026-01-02", "web", {"safe": 4})
    figures = compute(SURVEY, answers("1", 10, 10) + spread)
    (effect,) = effects.effects(action(starts="2026-01-10"), figures)
    assert effect.round_after == "2" and effect.after_overlaps_start
    (plain,) = effects.effects(action(starts="2026-01-01"), figures)
    assert not plain.after_overlaps_start


def test_without_any_round_before_the_start_there_is_no_baseline_but_the_latest_is_shown():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8))
    (effect,) = effects.effects(action(starts="2024-01-01"), figures)
    assert effect.round_before is None and effect.missing == effects.NO_BASELINE
    assert effect.round_after == "2" and effect.share_after == 0.6 and effect.change is None


def test_an_action_not_started_yet_waits_for_the_next_round():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8))
    (effect,) = effects.effects(action(starts="2030-01-01"), figures)
    assert (effect.round_before, effect.round_after, effect.missing) == ("2", None, effects.NO_ROUND_AFTER)


def test_an_indicator_missing_from_the_baseline_round_gives_no_change():
    figures = compute(SURVEY, answers("1", 10, 10) + answers("2", 12, 8))
    (effect,) = effects.effects(action(indicators=("gone",)), figures)
    assert effect.missing == effects.NOT_MEASURED_BEFORE and effect.change is None


def test_a_suppressed_cell_is_never_revealed_by_an_effect():
    # Round 2 has 4 answers in all (below 5): its cell is suppressed, and so is the effect's later share.
    figures = compute(SURVEY, answers("1", 30, 30) + answers("2", 3, 1))
    (effect,) = effects.effects(action(), figures)
    assert effect.after is not None and effect.after.suppressed
    assert effect.share_after is None and effect.change is None and effect.missing == effects.TOO_FEW_AFTER
    (row,) = effects.effect_rows([action()], figures)
    assert row["share_good_after"] is None and row["change"] is None and row["change_low"] is None
    assert row["share_good_before"] == 0.5
    figures = compute(SURVEY, answers("1", 2, 1) + answers("2", 30, 30))
    (effect,) = effects.effects(action(), figures)
    assert effect.missing == effects.TOO_FEW_BEFORE and effect.share_before is None and effect.change is None


def test_a_small_group_hidden_inside_everyone_changes_nothing_of_the_effect():
    """The effect is everyone's: a small group's hidden cell is neither needed nor shown."""
    responses = answers("1", 30, 30) + answers("2", 45, 15) + answers("2", 2, 0, group="small")
    figures = compute(SURVEY, responses)
    small = [c for c in figures.cells if c.group == "small" and c.round == "2" and c.indicator == "safe"]
    assert small[0].suppressed
    (effect,) = effects.effects(action(), figures)
    assert effect.after.group == "all" and effect.after.n == 62


def test_rows_have_exactly_the_published_columns_one_per_action_and_indicator():
    figures = compute(SURVEY, answers("1", 30, 30) + answers("2", 45, 15))
    rows = effects.effect_rows([action(indicators=("safe", "calm"), ends=date(2026, 6, 30))], figures)
    assert [tuple(row) for row in rows] == [ACTION_COLUMNS, ACTION_COLUMNS]
    assert ACTION_COLUMNS == tuple(
        "survey,action,status,starts,ends,indicator,round_before,round_after,share_good_before,share_good_after,"
        "change,change_low,change_high".split(",")
    )
    safe, calm = rows
    assert safe == {
        "survey": "t",
        "action": "a",
        "status": "under_way",
        "starts": "2026-01-10",
        "ends": "2026-06-30",
        "indicator": "safe",
        "round_before": "1",
        "round_after": "2",
        "share_good_before": 0.5,
        "share_good_after": 0.75,
        "change": 0.25,
        "change_low": 0.077,
        "change_high": 0.403,
    }
    assert calm["indicator"] == "calm" and calm["share_good_before"] is None and calm["change"] is None
