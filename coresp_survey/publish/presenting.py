"""The figures as a reader sees them in one language: labels, formatted numbers, verdicts and charts.

The site pages and the PDF report show the same things; shaping them here once
keeps the two in step, and keeps the templates free of arithmetic. Labels and
numbers are worded by the page's `i18n.Language` (its catalog and formats),
so a view is made the same way by the command line and by the live app.

Nothing here decides what may be published: `indicators` has already emptied
every suppressed cell, and a view only shows what a cell holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from markupsafe import Markup

from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.indicators import Change
from coresp_survey.figures.indicators import Figures
from coresp_survey.figures.indicators import IndicatorCell
from coresp_survey.figures.indicators import Participation
from coresp_survey.figures.synthesis import Synthesis
from coresp_survey.i18n import Language
from coresp_survey.i18n import language
from coresp_survey.publish import charts
from coresp_survey.publish import groups_words
from coresp_survey.survey.model import Family
from coresp_survey.survey.model import Indicator
from coresp_survey.survey.model import Question
from coresp_survey.survey.model import Survey

CONFIDENCE = 0.95
"""The level of every interval the pages show (`statistics.Z95`)."""


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    good: bool
    """Whether answers at this level count as good for the indicator."""


@dataclass(frozen=True)
class GroupFigures:
    """One group's (or everyone's) figures for one indicator in the shown round."""

    id: str
    label: str
    cell: IndicatorCell
    shares: tuple[float, ...] | None
    """The share of respondents at each level, low to high; None when suppressed."""
    change: Change | None
    """The change since the previous round, when both rounds are published."""


@dataclass(frozen=True)
class RoundFigures:
    """Everyone's figures for one indicator in one round: the indicator's history."""

    round: str
    cell: IndicatorCell


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    label: str
    family: Family
    family_label: str
    question: Question
    question_label: str
    question_help: str | None
    levels: tuple[Level, ...]
    good_from_label: str
    asked_to_some: bool
    """The question has a ``show_if`` (or its page has): not every respondent saw it."""
    everyone: GroupFigures
    groups: tuple[GroupFigures, ...]
    """Every declared group, in the survey's order (everyone excluded)."""
    history: tuple[RoundFigures, ...]
    distribution_chart: Markup
    share_chart: Markup
    history_chart: Markup | None
    """Everyone's share of good answers round by round; None with a single round."""


@dataclass(frozen=True)
class ParticipationRow:
    id: str
    label: str
    responses: int
    size: int | None
    rate: float | None
    previous: int | None
    """Responses in the previous round, when there is one."""
    published: bool
    """At least ``min_group_size`` respondents in the round; below, none of the group's figures appears.

    Enough respondents is necessary, not sufficient: an indicator may still
    hide a large group's cell, when fewer than ``min_group_size`` answered the
    question in it or to protect a smaller group (`suppression.suppressed_groups`).
    The cells say what is shown; this flag only explains why a group never is.
    """


@dataclass(frozen=True)
class FamilyView:
    family: Family
    label: str
    score: float | None
    previous_score: float | None
    suppressed: bool
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class QuoteView:
    text: str
    lang: str
    """The language the respondent wrote in: quotes are published as written."""
    group_label: str | None


@dataclass(frozen=True)
class CriteriaFamily:
    id: str
    """'' for approved criteria not classified yet."""
    label: str
    counts: tuple[int | None, ...]
    """Approved criteria per group, in the order of `CriteriaView.groups`; None when the group is hidden."""
    quotes: tuple[QuoteView, ...]
    kinds: tuple[groups_words.KindView, ...] = ()
    """The same quotes by kind (well-being, ill-being, what people can do), identical ones once."""
    indicators: tuple[tuple[str, str], ...] = ()
    """(id, label) of the indicators that measure the family."""


@dataclass(frozen=True)
class CriteriaView:
    """What the groups said well-being means: approved open answers, counted by family and quoted."""

    groups: tuple[tuple[str, str], ...]
    """(id, label): everyone first, then each group."""
    families: tuple[CriteriaFamily, ...]
    approved: int
    hidden: tuple[str, ...]
    """Labels of the groups whose counts and quotes are not published."""
    said: dict[str, groups_words.SaidView] = field(default_factory=dict)
    """Indicator id → what the groups said about it: the approved criteria linked to it."""
    sessions: tuple[tuple[str, int], ...] = ()
    """(group label, participants) of the groups that held group sessions: they took part apart from online."""

    sessions_list: str = ""
    """The same in words: "Pupils: 12, Parents: 7"."""

    @property
    def session_participants(self) -> int:
        return sum(n for _label, n in self.sessions)


@dataclass(frozen=True)
class SurveyView:
    survey: Survey
    lang: str
    title: str
    intro: str | None
    round: str
    """The round shown: the most recent one."""
    previous_round: str | None
    rounds: tuple[str, ...]
    period: tuple[date, date] | None
    """The first and last day answers of the shown round were submitted."""
    respondents: int
    participation: tuple[ParticipationRow, ...]
    """Everyone first, then each group."""
    families: tuple[FamilyView, ...]
    """Families that have indicators in this survey, in the survey's order."""
    indicators: tuple[IndicatorView, ...]
    family_chart: Markup | None
    ranking_chart: Markup | None
    """Every indicator's share of good answers for everyone, highest first."""
    improved: int
    """Indicators whose share of good answers rose by more than the uncertainty since the previous round."""
    worsened: int
    criteria: CriteriaView | None = None
    """None when the survey asks no open question."""

    @property
    def min_group_size(self) -> int:
        return self.survey.min_group_size

    def indicator(self, indicator_id: str) -> IndicatorView:
        return next(view for view in self.indicators if view.indicator.id == indicator_id)


# -- changes in words ---------------------------------------------------------------


def change_verdict(change: Change, lang: Language) -> str:
    """Whether a change is larger than its uncertainty, in words a reader can act on."""
    if not change.significant:
        return lang.gettext("no clear change (within the uncertainty)")
    if change.difference > 0:
        return lang.gettext("a clear improvement")
    return lang.gettext("a clear decline")


def change_sentence(change: Change, lang: Language) -> str:
    """ "+8 points since 2025 (95% interval +2 to +14): a clear improvement"."""
    return lang.gettext(
        "%(points)s points since %(round)s (%(confidence)s interval %(low)s to %(high)s): %(verdict)s",
        confidence=lang.percent(CONFIDENCE),
        points=lang.points(change.difference),
        round=change.from_round,
        low=lang.points(change.low),
        high=lang.points(change.high),
        verdict=change_verdict(change, lang),
    )


# -- the views ---------------------------------------------------------------------


def survey_view(survey: Survey, figures: Figures, lang: str, criteria: Synthesis | None = None) -> SurveyView:
    """Everything the pages and the report show about one survey, in one language."""
    words = language(lang)
    rounds = figures.rounds
    shown = rounds[-1]
    previous = rounds[-2] if len(rounds) > 1 else None
    group_labels = {ALL: words.gettext("Everyone")} | {group.id: group.label(lang) for group in survey.groups}
    indicators = tuple(
        _indicator_view(survey, figures, lang, indicator, shown, group_labels) for indicator in survey.indicators
    )
    families = _family_views(survey, figures, lang, indicators, shown, previous)
    period = figures.periods.get(shown)
    everyone = next(p for p in figures.participation if p.round == shown and p.group == ALL)
    changes = [view.everyone.change for view in indicators if view.everyone.change is not None]
    return SurveyView(
        survey=survey,
        lang=lang,
        title=survey.title(lang),
        intro=survey.intro(lang) if survey.intro else None,
        round=shown,
        previous_round=previous,
        rounds=rounds,
        period=(date.fromisoformat(period[0]), date.fromisoformat(period[1])) if period else None,
        respondents=everyone.responses,
        participation=_participation_rows(survey, figures.participation, shown, previous, group_labels),
        families=families,
        indicators=indicators,
        family_chart=_family_chart(families, lang),
        ranking_chart=_ranking_chart(indicators, lang),
        improved=sum(1 for change in changes if change.significant and change.difference > 0),
        worsened=sum(1 for change in changes if change.significant and change.difference < 0),
        criteria=_criteria_view(survey, criteria, lang, group_labels) if criteria is not None else None,
    )


def _criteria_view(survey: Survey, found: Synthesis, lang: str, labels: dict[str, str]) -> CriteriaView:
    words = language(lang)
    families = [(family.id, family.label(lang)) for family in survey.families] + [
        ("", words.gettext("Not classified yet"))
    ]
    views = []
    for family_id, label in families:
        quotes = tuple(
            QuoteView(quote.text, quote.lang, labels.get(quote.group) if quote.group else None)
            for quote in found.quotes
            if family_id in quote.families or (not family_id and not quote.families)
        )
        counts = tuple(found.count(family_id, group) for group in found.groups)
        if family_id == "" and not quotes and not any(counts):
            continue
        kinds = groups_words.family_kinds(found, family_id, labels, lang)
        measured = groups_words.measured_by(survey, family_id, lang)
        views.append(CriteriaFamily(family_id, label, counts, quotes, kinds, measured))
    return CriteriaView(
        groups=tuple((group, labels[group]) for group in found.groups),
        families=tuple(views),
        approved=found.approved,
        hidden=tuple(labels[group] for group in found.groups if group in found.hidden),
        said=groups_words.said_views(survey, found, labels, lang),
        sessions=tuple((labels[group], n) for group, n in found.session_participants.items()),
        sessions_list=", ".join(
            words.gettext("%(group)s: %(num)s", group=labels[group], num=words.integer(n))
            for group, n in found.session_participants.items()
        ),
    )


def _participation_rows(
    survey: Survey,
    rows: tuple[Participation, ...],
    shown: str,
    previous: str | None,
    labels: dict[str, str],
) -> tuple[ParticipationRow, ...]:
    before = {p.group: p.responses for p in rows if p.round == previous}
    return tuple(
        ParticipationRow(
            id=p.group,
            label=labels.get(p.group, p.group),
            responses=p.responses,
            size=p.size,
            rate=p.response_rate,
            previous=before.get(p.group),
            published=p.responses >= survey.min_group_size,
        )
        for p in rows
        if p.round == shown
    )


def _indicator_view(
    survey: Survey,
    figures: Figures,
    lang: str,
    indicator: Indicator,
    shown: str,
    labels: dict[str, str],
) -> IndicatorView:
    question = survey.question(indicator.question)
    family = survey.family(indicator.family)
    levels = tuple(
        Level(int(choice.value), choice.label(lang), int(choice.value) >= indicator.good_from)
        for choice in sorted(question.choices, key=lambda choice: int(choice.value))
    )
    cells = [cell for cell in figures.cells if cell.indicator == indicator.id]
    changes = {c.group: c for c in figures.changes if c.indicator == indicator.id and c.to_round == shown}
    values = tuple(level.value for level in levels)
    shown_cells = [cell for cell in cells if cell.round == shown and cell.levels == values]
    if not shown_cells:
        shown_cells, changes = _not_asked(survey, indicator, shown, values), {}
    rows = tuple(
        _group_figures(cell, labels.get(cell.group, cell.group), changes.get(cell.group)) for cell in shown_cells
    )
    history = tuple(RoundFigures(cell.round, cell) for cell in cells if cell.group == ALL)
    label = indicator.label(lang)
    good_from_label = next((level.label for level in levels if level.good), "")
    return IndicatorView(
        indicator=indicator,
        label=label,
        family=family,
        family_label=family.label(lang),
        question=question,
        question_label=question.label(lang),
        question_help=question.help(lang) if question.help else None,
        levels=levels,
        good_from_label=good_from_label,
        asked_to_some=_asked_to_some(survey, question),
        everyone=rows[0],
        groups=rows[1:],
        history=history,
        distribution_chart=_distribution_chart(indicator, label, levels, rows, shown, lang),
        share_chart=_share_chart(indicator, label, good_from_label, rows, shown, lang),
        history_chart=_history_chart(indicator, label, good_from_label, history, lang),
    )


def _not_asked(survey: Survey, indicator: Indicator, shown: str, levels: tuple[int, ...]) -> list[IndicatorCell]:
    """Empty cells when the shown round's survey file lacked the indicator or measured it on other levels.

    The shown round is the latest; it is the current file's unless a round was
    named to sort after it. Its figures stay in the data files and the history.
    """
    return [
        IndicatorCell(survey.id, shown, indicator.id, indicator.family, group, levels, suppressed=True)
        for group in (ALL, *(g.id for g in survey.groups))
    ]


def _group_figures(cell: IndicatorCell, label: str, change: Change | None) -> GroupFigures:
    shares = None
    if cell.distribution is not None and cell.n:
        shares = tuple(count / cell.n for count in cell.distribution)
    return GroupFigures(cell.group, label, cell, shares, change)


def _asked_to_some(survey: Survey, question: Question) -> bool:
    section = next(s for s in survey.sections if question in s.questions)
    return question.show_if is not None or section.show_if is not None


def _family_views(
    survey: Survey,
    figures: Figures,
    lang: str,
    indicators: tuple[IndicatorView, ...],
    shown: str,
    previous: str | None,
) -> tuple[FamilyView, ...]:
    scores = {(f.round, f.family): f for f in figures.families if f.group == ALL}
    views = []
    for family in survey.families:
        members = tuple(view for view in indicators if view.indicator.family == family.id)
        if not members:
            continue
        now = scores.get((shown, family.id))
        before = scores.get((previous, family.id))
        views.append(
            FamilyView(
                family=family,
                label=family.label(lang),
                score=now.score if now else None,
                previous_score=before.score if before else None,
                suppressed=now is None or now.suppressed,
                indicators=members,
            )
        )
    return tuple(views)


# -- charts ------------------------------------------------------------------------


def _suppressed_label(lang: str) -> str:
    return language(lang).gettext("Too few respondents to publish")


def _distribution_chart(
    indicator: Indicator,
    label: str,
    levels: tuple[Level, ...],
    rows: tuple[GroupFigures, ...],
    shown: str,
    lang: str,
) -> Markup:
    words = language(lang)
    shown_parts = [
        words.gettext("%(group)s: %(share)s good or better", group=row.label, share=words.percent(row.cell.share_good))
        for row in rows
        if not row.cell.suppressed
    ]
    return charts.diverging_bars(
        [(row.label, row.cell.distribution) for row in rows],
        [level.label for level in levels],
        words.gettext("%(indicator)s: answers by group, round %(round)s", indicator=label, round=shown),
        words.gettext("Share of respondents at each level of the scale, by group.") + " " + "; ".join(shown_parts),
        lang,
        id_prefix=f"distribution-{indicator.id}",
        suppressed_label=_suppressed_label(lang),
    )


def _share_chart(
    indicator: Indicator,
    label: str,
    good_from_label: str,
    rows: tuple[GroupFigures, ...],
    shown: str,
    lang: str,
) -> Markup:
    words = language(lang)
    return _share_dots(
        [(row.label, row.cell) for row in rows],
        words.gettext(
            "%(indicator)s: share of answers “%(level)s” or better, round %(round)s",
            indicator=label,
            level=good_from_label,
            round=shown,
        ),
        words.gettext(
            "Each dot is a group's share; the line around it is its %(confidence)s interval.",
            confidence=words.percent(CONFIDENCE),
        ),
        lang,
        f"share-{indicator.id}",
    )


def _history_chart(
    indicator: Indicator,
    label: str,
    good_from_label: str,
    history: tuple[RoundFigures, ...],
    lang: str,
) -> Markup | None:
    if len(history) < 2:
        return None
    words = language(lang)
    return _share_dots(
        [(words.gettext("Round %(round)s", round=item.round), item.cell) for item in history],
        words.gettext(
            "%(indicator)s: share of answers “%(level)s” or better, round by round",
            indicator=label,
            level=good_from_label,
        ),
        words.gettext(
            "Everyone's share in each round, with its %(confidence)s interval.", confidence=words.percent(CONFIDENCE)
        ),
        lang,
        f"history-{indicator.id}",
    )


def _share_dots(
    rows: list[tuple[str, IndicatorCell]], title: str, description: str, lang: str, id_prefix: str
) -> Markup:
    """Each row's share of good answers with its interval: the chart of groups, of rounds and of indicators."""
    return charts.interval_dots(
        [(label, cell.share_good, cell.share_good_low, cell.share_good_high) for label, cell in rows],
        title,
        description,
        lang,
        id_prefix=id_prefix,
        suppressed_label=_suppressed_label(lang),
    )


def _family_chart(families: tuple[FamilyView, ...], lang: str) -> Markup | None:
    if not families:
        return None
    words = language(lang)
    return charts.family_bars(
        [(f"{view.family.id} – {view.label}", view.score) for view in families],
        words.gettext("Score of each family of criteria, everyone"),
        words.gettext(
            "The mean score (0 to 100) of the family's indicators; 100 means every answer at the top of the scale."
        ),
        lang,
        id_prefix="families",
        suppressed_label=_suppressed_label(lang),
    )


def _ranking_chart(indicators: tuple[IndicatorView, ...], lang: str) -> Markup | None:
    if not indicators:
        return None
    words = language(lang)
    ranked = sorted(
        indicators,
        key=lambda view: (view.everyone.cell.share_good is None, -(view.everyone.cell.share_good or 0)),
    )
    return _share_dots(
        [(view.label, view.everyone.cell) for view in ranked],
        words.gettext("Share of good answers for each indicator, everyone, highest first"),
        words.gettext(
            "Each dot is the share of answers at or above the indicator's “good” level; the line is its %(confidence)s"
            " interval.",
            confidence=words.percent(CONFIDENCE),
        ),
        lang,
        "ranking",
    )
