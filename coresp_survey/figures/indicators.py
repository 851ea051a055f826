"""The numbers behind the published site: answers in, figures out, small cells suppressed.

Pure functions only (no files, no database, no Flask), so the site, the PDF and
the CSV/JSON downloads all read the same figures and tests need no server.

One pass over the responses (`tally`) counts answers per round, group,
indicator and scale level; every figure is then computed from those counts, so
the work grows linearly with the number of responses.

Suppression (PRODUCT.md, "Complementary suppression"): a cell with fewer than
the survey's ``min_group_size`` answers publishes no number at all; and in each
round × indicator, the hidden groups together, with the respondents of no
declared group, must hold at least ``min_group_size`` answers or none, so that
``all`` minus the visible groups never gives away fewer. `suppression` decides
it, for the criteria (`synthesis`) too; the intervals come from `statistics`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coresp_survey.answers.records import Response
from coresp_survey.figures.statistics import newcombe_interval
from coresp_survey.figures.statistics import wilson_interval
from coresp_survey.figures.suppression import suppressed_groups
from coresp_survey.survey.model import ALL_GROUPS
from coresp_survey.survey.model import Group
from coresp_survey.survey.model import Indicator
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import round_key

ALL = ALL_GROUPS
"""The group id of the cell that counts every respondent of a round."""

CSV_COLUMNS = (
    "survey",
    "round",
    "indicator",
    "family",
    "group",
    "n",
    "mean",
    "score",
    "share_good",
    "share_good_low",
    "share_good_high",
    "suppressed",
)
"""The columns of ``indicators.csv`` and the keys of ``indicators.json``, in order (PRODUCT.md)."""
PARTICIPATION_COLUMNS = ("survey", "round", "group", "responses")
"""The columns of ``participation.csv``, in order (PRODUCT.md)."""

MEAN_DECIMALS = 2
SCORE_DECIMALS = 1
SHARE_DECIMALS = 3


# -- the figures -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorCell:
    """One round × indicator × group, at full precision; `cell_rows` rounds it for publishing.

    When ``suppressed``, every number (and the distribution) is None, so no
    caller can publish a small cell by mistake.
    """

    survey: str
    round: str
    indicator: str
    family: str
    group: str
    levels: tuple[int, ...]
    """The scale's levels in ascending order: what each count of ``distribution`` is about."""
    suppressed: bool
    n: int | None = None
    mean: float | None = None
    score: float | None = None
    share_good: float | None = None
    share_good_low: float | None = None
    share_good_high: float | None = None
    distribution: tuple[int, ...] | None = None
    """Respondents per level, in the order of ``levels``."""


@dataclass(frozen=True)
class Participation:
    """Responses of one round × group (or ``all``), with the response rate when the group's size is known."""

    survey: str
    round: str
    group: str
    responses: int
    size: int | None
    response_rate: float | None


@dataclass(frozen=True)
class FamilyScore:
    """The mean of a family's indicator scores for one round × group; None when suppressed."""

    survey: str
    round: str
    family: str
    group: str
    indicators: int
    """How many indicators the family has in this survey."""
    score: float | None
    suppressed: bool


@dataclass(frozen=True)
class Change:
    """How the share of good answers moved between two consecutive rounds, for one indicator × group.

    ``difference`` is the later share minus the earlier one (positive means
    progress); ``low``/``high`` is Newcombe's hybrid score 95% interval;
    ``significant`` means that interval excludes 0.
    """

    survey: str
    indicator: str
    family: str
    group: str
    from_round: str
    to_round: str
    difference: float
    low: float
    high: float
    significant: bool


@dataclass(frozen=True)
class Tally:
    """Counts from one pass over the responses: everything the figures are computed from.

    Each round is counted with its own definition (the survey file its answers
    were collected with): its indicators, their levels and its groups.
    ``answers[(round, group)][i][j]`` is how many respondents of that round and
    group gave level ``levels[round][i][j]`` to indicator ``i`` of the round's
    definition; ``group`` is None for respondents whose group the definition
    does not declare (or every respondent, when it has no groups).
    """

    survey: Survey
    """The current survey file: its id and its publishing rule (``min_group_size``) hold for every round."""
    rounds: tuple[str, ...]
    definitions: dict[str, Survey]
    """The definition of each round."""
    levels: dict[str, tuple[tuple[int, ...], ...]]
    """Per round, the levels of each indicator of the round's definition."""
    answers: dict[tuple[str, str | None], list[list[int]]]
    responses: dict[tuple[str, str | None], int]
    periods: dict[str, tuple[str, str]]
    """The first and last day (ISO dates) on which each round's responses were submitted."""


@dataclass(frozen=True)
class Figures:
    """Everything published about one survey, computed from one pass over its responses."""

    cells: tuple[IndicatorCell, ...]
    participation: tuple[Participation, ...]
    families: tuple[FamilyScore, ...]
    changes: tuple[Change, ...]
    rounds: tuple[str, ...]
    """Every round, in natural order: the survey's current round and those found in the responses."""
    periods: dict[str, tuple[str, str]]
    """The first and last day each round's responses were submitted (rounds with responses only)."""


# -- one pass over the responses ----------------------------------------------------


def tally(survey: Survey, responses: Iterable[Response], definitions: Mapping[str, Survey] | None = None) -> Tally:
    """Count answers per round, group, indicator and level, in one pass (linear in the responses).

    ``definitions`` gives the survey file each round was collected with; a
    round it lacks is counted with ``survey``, the current file. Responses to
    other surveys are skipped. An answer that is not one of the scale's levels
    (missing, hidden by ``show_if``, or malformed) does not count: ``n`` is the
    number of respondents who answered.

    The pass only gathers each response's indicator answers as a tuple; the
    counting is then done column by column by `collections.Counter` (in C),
    several times faster than counting answer by answer in Python.
    """
    known = definitions or {}
    plans: dict[str, _RoundPlan] = {}
    gathered: dict[tuple[str, str | None], list[tuple]] = {}
    days: dict[str, set[str]] = {}
    for response in responses:
        if response.survey != survey.id:
            continue
        plan = plans.get(response.round)
        if plan is None:
            plan = plans[response.round] = _RoundPlan.of(known.get(response.round, survey))
            days[response.round] = set()
        key = (response.round, response.group if response.group in plan.declared else None)
        rows = gathered.get(key)
        if rows is None:
            rows = gathered[key] = []
        rows.append(tuple(map(response.answers.get, plan.question_ids)))
        days[response.round].add(response.submitted)
    rounds = tuple(sorted({key[0] for key in gathered} | {survey.round}, key=round_key))
    for round_name in rounds:
        if round_name not in plans:
            plans[round_name] = _RoundPlan.of(known.get(round_name, survey))
    answers = {key: _count_levels(rows, plans[key[0]].levels) for key, rows in gathered.items()}
    counts = {key: len(rows) for key, rows in gathered.items()}
    periods = {round_name: (min(seen), max(seen)) for round_name, seen in days.items()}
    round_definitions = {round_name: plans[round_name].definition for round_name in rounds}
    round_levels = {round_name: plans[round_name].levels for round_name in rounds}
    return Tally(survey, rounds, round_definitions, round_levels, answers, counts, periods)


@dataclass(frozen=True)
class _RoundPlan:
    """What one round is counted with: its definition's groups, indicator questions and levels."""

    definition: Survey
    declared: frozenset[str]
    question_ids: tuple[str, ...]
    levels: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, definition: Survey) -> _RoundPlan:
        return cls(
            definition,
            frozenset(group.id for group in definition.groups),  # never "all": the loader refuses it
            tuple(indicator.question for indicator in definition.indicators),
            tuple(_levels(definition, indicator) for indicator in definition.indicators),
        )


def _count_levels(rows: list[tuple], levels: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    """Respondents per level for each indicator (column) of ``rows``."""
    columns = zip(*rows, strict=True) if levels else iter(())
    table = []
    for column, scale in zip(columns, levels, strict=True):
        if set(map(type, column)) <= {int, type(None)}:
            found = Counter(column)
        else:  # only integers are levels: True == 1 and 1.0 == 1, yet neither is level 1
            found = Counter(value for value in column if type(value) is int)
        table.append([found.get(level, 0) for level in scale])
    return table


def _levels(survey: Survey, indicator: Indicator) -> tuple[int, ...]:
    question = survey.question(indicator.question)
    return tuple(sorted(int(choice.value) for choice in question.choices))


# -- indicator cells ----------------------------------------------------------------


def indicator_cells(counts: Tally) -> list[IndicatorCell]:
    """Every round × indicator × group cell, ``all`` first then the survey's groups in their order.

    Every declared group has a cell even with no respondent (suppressed), so the
    table keeps its shape from round to round; a survey without groups has
    only ``all``. Rounds are the survey's current round plus every round found
    in the responses, in natural order.
    """
    cells: list[IndicatorCell] = []
    for round_name in counts.rounds:
        for i, indicator in enumerate(counts.definitions[round_name].indicators):
            cells.extend(_round_indicator_cells(counts, round_name, i, indicator))
    return cells


def _round_indicator_cells(counts: Tally, round_name: str, i: int, indicator: Indicator) -> list[IndicatorCell]:
    survey = counts.survey
    levels = counts.levels[round_name][i]
    groups = counts.definitions[round_name].groups
    distributions = {group.id: _distribution(counts, round_name, group.id, i) for group in groups}
    rest = _distribution(counts, round_name, None, i)
    everyone = [sum(column) for column in zip(rest, *distributions.values(), strict=True)]
    hidden = suppressed_groups(survey.min_group_size, {g: sum(d) for g, d in distributions.items()}, sum(rest))
    cells = [_cell(survey, round_name, indicator, ALL, levels, everyone, sum(everyone) < survey.min_group_size)]
    for group_id, distribution in distributions.items():
        cells.append(_cell(survey, round_name, indicator, group_id, levels, distribution, group_id in hidden))
    return cells


def _distribution(counts: Tally, round_name: str, group: str | None, i: int) -> list[int]:
    table = counts.answers.get((round_name, group))
    return table[i] if table is not None else [0] * len(counts.levels[round_name][i])


def _cell(
    survey: Survey,
    round_name: str,
    indicator: Indicator,
    group: str,
    levels: tuple[int, ...],
    counts: list[int],
    suppressed: bool,
) -> IndicatorCell:
    n = sum(counts)
    where = (survey.id, round_name, indicator.id, indicator.family, group, levels)
    if suppressed or n == 0:
        return IndicatorCell(*where, suppressed=True)
    mean = sum(level * count for level, count in zip(levels, counts, strict=True)) / n
    lowest, highest = levels[0], levels[-1]
    score = (mean - lowest) / (highest - lowest) * 100 if highest > lowest else None
    good = sum(count for level, count in zip(levels, counts, strict=True) if level >= indicator.good_from)
    low, high = wilson_interval(good, n)
    return IndicatorCell(
        *where,
        suppressed=False,
        n=n,
        mean=mean,
        score=score,
        share_good=good / n,
        share_good_low=low,
        share_good_high=high,
        distribution=tuple(counts),
    )


def cell_rows(cells: Iterable[IndicatorCell]) -> list[dict[str, Any]]:
    """The rows of ``indicators.csv``/``indicators.json``: exactly `CSV_COLUMNS`, rounded, None for empty."""
    return [
        {
            "survey": cell.survey,
            "round": cell.round,
            "indicator": cell.indicator,
            "family": cell.family,
            "group": cell.group,
            "n": cell.n,
            "mean": _round(cell.mean, MEAN_DECIMALS),
            "score": _round(cell.score, SCORE_DECIMALS),
            "share_good": _round(cell.share_good, SHARE_DECIMALS),
            "share_good_low": _round(cell.share_good_low, SHARE_DECIMALS),
            "share_good_high": _round(cell.share_good_high, SHARE_DECIMALS),
            "suppressed": cell.suppressed,
        }
        for cell in cells
    ]


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


# -- participation -----------------------------------------------------------------


def participation(counts: Tally) -> list[Participation]:
    """Responses per round × group, ``all`` first, every declared group included.

    Counts are published even below ``min_group_size``: they say how many
    people answered, never what they answered, so they cannot reveal a
    suppressed cell's figures, and readers need them to see why a group's
    indicators are blank. PRODUCT.md's ``participation.csv`` has no
    ``suppressed`` column and its suppression rule is about indicator cells.
    The response rate is not clipped at 1: a rate above 100% means the size
    written in the survey file is wrong, which the coordination group should see.
    """
    survey_id = counts.survey.id
    rows: list[Participation] = []
    for round_name in counts.rounds:
        groups = counts.definitions[round_name].groups  # the groups (and sizes) the round was collected with
        total_size = _total_size(groups)
        everyone = sum(n for (r, _), n in counts.responses.items() if r == round_name)
        rows.append(Participation(survey_id, round_name, ALL, everyone, total_size, _rate(everyone, total_size)))
        for group in groups:
            n = counts.responses.get((round_name, group.id), 0)
            rows.append(Participation(survey_id, round_name, group.id, n, group.size, _rate(n, group.size)))
    return rows


def _total_size(groups: tuple[Group, ...]) -> int | None:
    """Everyone's size: the sum of the groups' sizes when every group has one."""
    sizes = [group.size for group in groups]
    known = [size for size in sizes if size is not None]
    return sum(known) if groups and len(known) == len(sizes) else None


def _rate(responses: int, size: int | None) -> float | None:
    return responses / size if size else None


def participation_rows(rows: Iterable[Participation]) -> list[dict[str, Any]]:
    """The rows of ``participation.csv``: exactly `PARTICIPATION_COLUMNS`."""
    return [{"survey": p.survey, "round": p.round, "group": p.group, "responses": p.responses} for p in rows]


# -- family scores -----------------------------------------------------------------


def family_scores(survey: Survey, cells: Iterable[IndicatorCell]) -> list[FamilyScore]:
    """The mean of each family's indicator scores per round × group, from unsuppressed cells only.

    If any indicator cell of the family is suppressed for a group, that
    group's family score is suppressed too: a mean over the remaining
    indicators would measure something else than the same family for another
    group or round, and readers would compare them as if alike. Families
    without indicators in the survey get no score.
    """
    by_key: dict[tuple[str, str, str], list[IndicatorCell]] = {}
    order: list[tuple[str, str, str]] = []
    for cell in cells:
        key = (cell.round, cell.family, cell.group)
        if key not in by_key:
            by_key[key] = []
            order.append(key)
        by_key[key].append(cell)
    rank = {family.id: k for k, family in enumerate(survey.families)}
    group_rank = {ALL: -1} | {group.id: k for k, group in enumerate(survey.groups)}
    order.sort(
        key=lambda key: (round_key(key[0]), rank.get(key[1], len(rank)), group_rank.get(key[2], len(group_rank)))
    )
    scores = []
    for round_name, family, group in order:
        members = by_key[(round_name, family, group)]
        values = [cell.score for cell in members if not cell.suppressed and cell.score is not None]
        hidden = len(values) < len(members)
        score = None if hidden else sum(values) / len(values)
        scores.append(FamilyScore(survey.id, round_name, family, group, len(members), score, hidden))
    return scores


# -- change between rounds ---------------------------------------------------------


def changes(cells: Iterable[IndicatorCell]) -> list[Change]:
    """The change in share of good answers between consecutive rounds, per indicator × group.

    Rounds are consecutive in natural order among the rounds where the
    indicator exists (has cells: a round's definition may lack it); a change
    is given only when both cells are published.
    """
    cells = list(cells)
    by_key = {(cell.round, cell.indicator, cell.group): cell for cell in cells}
    rounds_of: dict[str, set[str]] = {}
    for cell in cells:
        rounds_of.setdefault(cell.indicator, set()).add(cell.round)
    earlier_of = {}
    for indicator, found in rounds_of.items():
        ordered = sorted(found, key=round_key)
        earlier_of.update({(indicator, later): earlier for earlier, later in zip(ordered, ordered[1:], strict=False)})
    result = []
    for after in sorted(cells, key=lambda cell: round_key(cell.round)):  # stable: the cells' order within a round
        earlier = earlier_of.get((after.indicator, after.round))
        if earlier is None or after.suppressed:
            continue
        before = by_key.get((earlier, after.indicator, after.group))
        if before is not None and not before.suppressed:
            result.append(_change(before, after))
    return result


def _change(before: IndicatorCell, after: IndicatorCell) -> Change:
    """Newcombe's interval needs counts: the cells keep shares, which are exact ratios of them."""
    n1, share1 = _published(after)
    n2, share2 = _published(before)
    difference, low, high = newcombe_interval(round(share1 * n1), n1, round(share2 * n2), n2)
    return Change(
        after.survey,
        after.indicator,
        after.family,
        after.group,
        before.round,
        after.round,
        difference,
        low,
        high,
        low > 0 or high < 0,
    )


def _published(cell: IndicatorCell) -> tuple[int, float]:
    if cell.n is None or cell.share_good is None:
        raise ValueError(f"cell {cell.round}/{cell.indicator}/{cell.group} is suppressed")
    return cell.n, cell.share_good


# -- everything at once ------------------------------------------------------------


def compute(survey: Survey, responses: Iterable[Response], definitions: Mapping[str, Survey] | None = None) -> Figures:
    """Every figure of one survey from one pass over its responses: what the site and the PDF call.

    ``definitions`` gives each round's survey file (see `tally`); the current one by default.
    """
    counts = tally(survey, responses, definitions)
    cells = indicator_cells(counts)
    return Figures(
        cells=tuple(cells),
        participation=tuple(participation(counts)),
        families=tuple(family_scores(survey, cells)),
        changes=tuple(changes(cells)),
        rounds=counts.rounds,
        periods=counts.periods,
    )
