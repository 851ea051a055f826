"""What an action's indicators did between the round it answers to and the latest round since it started.

For each action × indicator: the share of good answers of everyone (``all``)
in the action's baseline round (the round named, or by default the latest
round collected before the action starts), the same share in the latest round
after the baseline (in the order the site shows rounds) whose answers were not
all collected before the start, and the change with Newcombe's 95% interval,
called clear only when that interval excludes 0 (as every change the site
shows: `indicators.Change`, worded by `presenting.change_verdict`).

It measures whether the indicator moved, not what moved it: other causes
play, and the respondents of two rounds are not the same people. The pages
say so.

Nothing here can reveal a suppressed cell: the shares are the published
cells' (`indicators` has already emptied every small one), and a change is
given only between two published cells, which the site publishes anyway.
When a round is missing or a cell suppressed, the figure is None and
`Effect.missing` says why (`MISSING`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.indicators import SHARE_DECIMALS
from coresp_survey.figures.indicators import Change
from coresp_survey.figures.indicators import Figures
from coresp_survey.figures.indicators import IndicatorCell
from coresp_survey.figures.statistics import newcombe_interval
from coresp_survey.survey.model import round_key
from coresp_survey.workspace.plans import Action

ACTION_COLUMNS = (
    "survey",
    "action",
    "status",
    "starts",
    "ends",
    "indicator",
    "round_before",
    "round_after",
    "share_good_before",
    "share_good_after",
    "change",
    "change_low",
    "change_high",
)
"""The columns of ``actions.csv`` and the keys of ``actions.json``, in order (PRODUCT.md)."""
CHANGE_DECIMALS = 3

NO_BASELINE = "no_baseline"
"""No baseline was named and no round had been collected before the action started."""
NOT_MEASURED_BEFORE = "not_measured_before"
"""The baseline round's survey file did not have the indicator."""
TOO_FEW_BEFORE = "too_few_before"
"""The baseline round's cell for everyone is suppressed (too few answers)."""
NO_ROUND_AFTER = "no_round_after"
"""No round after the baseline has been collected since the action started (yet)."""
NOT_MEASURED_AFTER = "not_measured_after"
TOO_FEW_AFTER = "too_few_after"
MISSING = (NO_BASELINE, NOT_MEASURED_BEFORE, TOO_FEW_BEFORE, NO_ROUND_AFTER, NOT_MEASURED_AFTER, TOO_FEW_AFTER)
"""Why an effect has no change, in the order they are looked for."""


@dataclass(frozen=True)
class Effect:
    """One action × indicator: the two rounds compared, everyone's cell in each, and the change between them."""

    survey: str
    action: str
    indicator: str
    round_before: str | None
    round_after: str | None
    before: IndicatorCell | None
    """Everyone's cell in the baseline round (None when it is unknown or lacked the indicator); may be suppressed."""
    after: IndicatorCell | None
    change: Change | None
    """None when a round is missing or a cell suppressed: `missing` says which."""
    missing: str | None
    """One of `MISSING` when there is no change, else None."""
    after_overlaps_start: bool = False
    """The later round was partly collected before the action started: part of it measures the time before."""

    @property
    def share_before(self) -> float | None:
        return self.before.share_good if self.before is not None else None

    @property
    def share_after(self) -> float | None:
        return self.after.share_good if self.after is not None else None


def baseline_round(action: Action, figures: Figures) -> str | None:
    """The round the action answers to: the one named, else the latest round collected before it starts.

    A round is collected before the start when its last answer was submitted
    on an earlier day (`Figures.periods`); a round without answers has no
    period and is never a baseline by default.
    """
    if action.baseline is not None:
        return action.baseline
    starts = action.starts.isoformat()
    before = [name for name in figures.rounds if name in figures.periods and figures.periods[name][1] < starts]
    return before[-1] if before else None


def round_after(action: Action, baseline: str | None, figures: Figures) -> str | None:
    """The latest round, in the site's order, after ``baseline`` with answers not all collected before the start."""
    starts = action.starts.isoformat()
    after = [
        name
        for name in figures.rounds
        if name in figures.periods
        and figures.periods[name][1] >= starts
        and (baseline is None or round_key(name) > round_key(baseline))
    ]
    return after[-1] if after else None


def effects(action: Action, figures: Figures) -> list[Effect]:
    """One `Effect` per indicator the action aims at, in the action's order."""
    everyone = {(cell.round, cell.indicator): cell for cell in figures.cells if cell.group == ALL}
    before_round = baseline_round(action, figures)
    after_round = round_after(action, before_round, figures)
    overlaps = after_round is not None and figures.periods[after_round][0] < action.starts.isoformat()
    found = []
    for indicator in action.indicators:
        before = everyone.get((before_round, indicator)) if before_round is not None else None
        after = everyone.get((after_round, indicator)) if after_round is not None else None
        missing = _missing(before_round, before, after_round, after)
        found.append(
            Effect(
                survey=action.survey,
                action=action.id,
                indicator=indicator,
                round_before=before_round,
                round_after=after_round,
                before=before,
                after=after,
                change=_change(before, after) if missing is None else None,
                missing=missing,
                after_overlaps_start=overlaps,
            )
        )
    return found


def _missing(
    before_round: str | None, before: IndicatorCell | None, after_round: str | None, after: IndicatorCell | None
) -> str | None:
    if before_round is None:
        return NO_BASELINE
    if before is None:
        return NOT_MEASURED_BEFORE
    if before.suppressed:
        return TOO_FEW_BEFORE
    if after_round is None:
        return NO_ROUND_AFTER
    if after is None:
        return NOT_MEASURED_AFTER
    if after.suppressed:
        return TOO_FEW_AFTER
    return None


def _change(before: IndicatorCell, after: IndicatorCell) -> Change:
    """Newcombe's interval needs counts: a published cell's share is an exact ratio of its n."""
    n_after, n_before = _n(after), _n(before)
    good_after = round(_share(after) * n_after)
    good_before = round(_share(before) * n_before)
    difference, low, high = newcombe_interval(good_after, n_after, good_before, n_before)
    return Change(
        survey=after.survey,
        indicator=after.indicator,
        family=after.family,
        group=ALL,
        from_round=before.round,
        to_round=after.round,
        difference=difference,
        low=low,
        high=high,
        significant=low > 0 or high < 0,
    )


def _n(cell: IndicatorCell) -> int:
    if cell.n is None:
        raise ValueError(f"cell {cell.round}/{cell.indicator}/{cell.group} is suppressed")
    return cell.n


def _share(cell: IndicatorCell) -> float:
    if cell.share_good is None:
        raise ValueError(f"cell {cell.round}/{cell.indicator}/{cell.group} is suppressed")
    return cell.share_good


def effect_rows(actions: Iterable[Action], figures: Figures) -> list[dict[str, Any]]:
    """The rows of ``actions.csv``/``actions.json``: one per action × indicator, exactly `ACTION_COLUMNS`."""
    rows = []
    for action in actions:
        for effect in effects(action, figures):
            change = effect.change
            rows.append(
                {
                    "survey": action.survey,
                    "action": action.id,
                    "status": action.status,
                    "starts": action.starts.isoformat(),
                    "ends": action.ends.isoformat() if action.ends else None,
                    "indicator": effect.indicator,
                    "round_before": effect.round_before,
                    "round_after": effect.round_after,
                    "share_good_before": _rounded(effect.share_before, SHARE_DECIMALS),
                    "share_good_after": _rounded(effect.share_after, SHARE_DECIMALS),
                    "change": _rounded(change.difference if change else None, CHANGE_DECIMALS),
                    "change_low": _rounded(change.low if change else None, CHANGE_DECIMALS),
                    "change_high": _rounded(change.high if change else None, CHANGE_DECIMALS),
                }
            )
    return rows


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)
