"""The action plan as a reader sees it in one language: who does what, since when, and what the indicators did.

The site's pages, the PDF report and the workspace show the same views, so an
action reads the same everywhere. Effects come from `figures.effects` (which
publishes no suppressed cell); here they get their words: the verdict every
change gets (`presenting.change_verdict`), why there is no figure when there
is none, and what a change does not prove.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coresp_survey.figures import effects as measured
from coresp_survey.figures.effects import Effect
from coresp_survey.figures.indicators import Change
from coresp_survey.figures.indicators import Figures
from coresp_survey.i18n import Language
from coresp_survey.i18n import language
from coresp_survey.publish import presenting
from coresp_survey.survey.model import Survey
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment


@dataclass(frozen=True)
class CommitmentView:
    party: str
    """The group's label, or the named party, in the page's language."""
    is_group: bool
    does: str


@dataclass(frozen=True)
class NoteView:
    day: date
    text: str


@dataclass(frozen=True)
class EffectView:
    """One indicator the action aims at, and how its share of good answers moved."""

    indicator: str
    label: str
    published: bool
    """The indicator is in the current survey file, so it has a page to link to."""
    effect: Effect
    explanation: str | None
    """Why there is no change, in words; None when there is one."""
    sentence: str | None
    """The change in words, as every change on the site: "+8 points since 2025 (95% interval …): a clear improvement"."""

    @property
    def change(self) -> Change | None:
        return self.effect.change


@dataclass(frozen=True)
class ActionView:
    action: Action
    title: str
    description: str
    status: str
    status_label: str
    starts: date
    ends: date | None
    commitments: tuple[CommitmentView, ...]
    notes: tuple[NoteView, ...]
    effects: tuple[EffectView, ...]
    period: str
    """When it runs, in words: "From 5 January 2026 to 1 March 2026", "Started on …", "Planned to start on …"."""
    round_before: str | None
    round_after: str | None
    measured_against: str
    """Which rounds are compared, and why those, in words."""
    overlap_note: str | None
    """Said when the later round was partly collected before the action started."""

    @property
    def id(self) -> str:
        return self.action.id

    def effect_on(self, indicator_id: str) -> EffectView | None:
        return next((view for view in self.effects if view.indicator == indicator_id), None)


@dataclass(frozen=True)
class PlansView:
    """Every action of one survey, in the order lists show them (`plans.status_rank`)."""

    actions: tuple[ActionView, ...]

    def aimed_at(self, indicator_id: str) -> tuple[ActionView, ...]:
        return tuple(view for view in self.actions if view.action.aims_at(indicator_id))

    def __bool__(self) -> bool:
        return bool(self.actions)


def status_labels(words: Language) -> dict[str, str]:
    return {
        "planned": words.gettext("Planned"),
        "under_way": words.gettext("Under way"),
        "done": words.gettext("Done"),
        "dropped": words.gettext("Dropped"),
    }


def plans_view(survey: Survey, actions: list[Action], figures: Figures, lang: str) -> PlansView:
    """The survey's actions in ``lang``, each with the effect on each indicator it aims at."""
    return PlansView(tuple(action_view(survey, action, figures, lang) for action in actions))


def action_view(survey: Survey, action: Action, figures: Figures, lang: str) -> ActionView:
    words = language(lang)
    labels = {indicator.id: indicator.label(lang) for indicator in survey.indicators}
    found = measured.effects(action, figures)
    before = measured.baseline_round(action, figures)
    after = measured.round_after(action, before, figures)
    return ActionView(
        action=action,
        title=action.title(lang),
        description=action.description(lang),
        status=action.status,
        status_label=status_labels(words).get(action.status, action.status),
        starts=action.starts,
        ends=action.ends,
        commitments=tuple(_commitment(survey, commitment, lang) for commitment in action.commitments),
        notes=tuple(NoteView(note.day, note.text(lang)) for note in action.updates),
        effects=tuple(
            EffectView(
                indicator=effect.indicator,
                label=labels.get(effect.indicator, effect.indicator),
                published=effect.indicator in labels,
                effect=effect,
                explanation=explanation(effect, words),
                sentence=presenting.change_sentence(effect.change, words) if effect.change else None,
            )
            for effect in found
        ),
        period=period(action, words),
        round_before=before,
        round_after=after,
        measured_against=measured_against(action, before, after, words),
        overlap_note=words.gettext(
            "Round %(round)s was partly collected before the action started: some of its answers describe the"
            " situation before it.",
            round=after,
        )
        if any(effect.after_overlaps_start for effect in found)
        else None,
    )


def period(action: Action, words: Language) -> str:
    """When the action runs, in words."""
    if action.ends is not None:
        return words.gettext("From %(first)s to %(last)s", first=words.day(action.starts), last=words.day(action.ends))
    if action.status == "planned":
        return words.gettext("Planned to start on %(day)s", day=words.day(action.starts))
    return words.gettext("Started on %(day)s", day=words.day(action.starts))


def measured_against(action: Action, before: str | None, after: str | None, words: Language) -> str:
    """Which two rounds the effect compares, and why those."""
    if before is None:
        first = words.gettext("No round was collected before the action started.")
    elif action.baseline is not None:
        first = words.gettext("The action answers to round %(round)s, chosen by the coordination group.", round=before)
    else:
        first = words.gettext(
            "The action answers to round %(round)s, the latest round collected before it started.", round=before
        )
    if after is None:
        second = words.gettext("No round has been collected since it started yet.")
    else:
        second = words.gettext("It is compared with round %(round)s, the latest round since it started.", round=after)
    return f"{first} {second}"


def _commitment(survey: Survey, commitment: Commitment, lang: str) -> CommitmentView:
    group = survey.group(commitment.group) if commitment.group else None
    if group is not None:
        party = group.label(lang)
    elif commitment.party is not None:
        party = commitment.party(lang)
    else:  # a group since removed from the survey file: its id is all that is left
        party = commitment.group or ""
    return CommitmentView(party=party, is_group=commitment.group is not None, does=commitment.does(lang))


def explanation(effect: Effect, words: Language) -> str | None:
    """Why an effect has no change, in a sentence; None when it has one."""
    before, after = effect.round_before, effect.round_after
    reasons = {
        measured.NO_BASELINE: lambda: words.gettext(
            "No round was collected before the action started, so there is nothing to compare with."
        ),
        measured.NOT_MEASURED_BEFORE: lambda: words.gettext(
            "The indicator was not measured in round %(round)s, the round the action answers to.", round=before
        ),
        measured.TOO_FEW_BEFORE: lambda: words.gettext(
            "Too few people answered in round %(round)s for its figures to be published.", round=before
        ),
        measured.NO_ROUND_AFTER: lambda: words.gettext(
            "No round has been collected since the action started: the next round will tell."
        ),
        measured.NOT_MEASURED_AFTER: lambda: words.gettext(
            "The indicator was not measured in round %(round)s.", round=after
        ),
        measured.TOO_FEW_AFTER: lambda: words.gettext(
            "Too few people answered in round %(round)s for its figures to be published.", round=after
        ),
    }
    return reasons[effect.missing]() if effect.missing in reasons else None


def latest_figures(view: presenting.SurveyView, words: Language) -> dict[str, str]:
    """Each indicator's latest figures for everyone in a few words: what a coordinator sees while choosing."""
    found = {}
    for item in view.indicators:
        cell = item.everyone.cell
        if cell.suppressed:
            text = words.gettext("too few answers in round %(round)s to publish", round=view.round)
        else:
            text = words.gettext(
                "%(share)s good answers in round %(round)s", share=words.percent(cell.share_good), round=view.round
            )
        change = item.everyone.change
        if change is not None:
            text += " · " + words.gettext(
                "%(points)s points since round %(round)s: %(verdict)s",
                points=words.points(change.difference),
                round=change.from_round,
                verdict=presenting.change_verdict(change, words),
            )
        found[item.indicator.id] = text
    return found
