"""The groups' own words as a reader sees them: criteria by kind, identical ones once, and beside each indicator.

The criteria page (and its PDF chapter) shows, in each family, what makes for
well-being, for ill-being and what people say they can do, each criterion once
with the groups that said it and how many times, and which indicators measure
the family. Each indicator page shows "What the groups said": the approved
criteria linked to it, with their counts per family and group. Everything
comes from `synthesis.Synthesis`, so the suppression rule is the criteria
page's: a hidden group is neither counted nor quoted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from coresp_survey.figures.indicators import ALL
from coresp_survey.figures.synthesis import KINDS
from coresp_survey.figures.synthesis import Criterion
from coresp_survey.figures.synthesis import Synthesis
from coresp_survey.figures.synthesis import distinct_criteria
from coresp_survey.i18n import language
from coresp_survey.survey.model import Survey


@dataclass(frozen=True)
class CriterionView:
    text: str
    lang: str
    """The language it was written in: published as written, marked with ``lang``."""
    said_by: tuple[tuple[str, int], ...]
    """(group label, times); respondents of no declared group carry no label ('')."""
    times: int


@dataclass(frozen=True)
class KindView:
    kind: str
    label: str
    criteria: tuple[CriterionView, ...]


@dataclass(frozen=True)
class SaidView:
    """What the groups said about one indicator: the approved criteria linked to it."""

    kinds: tuple[KindView, ...]
    counts: tuple[tuple[str, str, tuple[int | None, ...]], ...]
    """(family id, family label, linked criteria per group in `CriteriaView.groups` order; None: hidden)."""
    approved: int
    """Linked approved criteria of everyone (hidden groups included): 0 shows nothing."""


def kind_labels(lang: str) -> dict[str, str]:
    words = language(lang)
    return {
        "well_being": words.gettext("What makes for well-being"),
        "ill_being": words.gettext("What makes for ill-being"),
        "can_do": words.gettext("What people say they can do"),
        "other": words.gettext("Other words"),
    }


def kind_views(criteria: Iterable[Criterion], labels: dict[str, str], lang: str) -> tuple[KindView, ...]:
    """The criteria by kind, in `KINDS` order, the most often said first; kinds without a criterion left out.

    When none says what it is (a survey without the method's questions), one kind without a label holds them all.
    """
    names = kind_labels(lang)
    chosen = list(criteria)
    if all(c.kind == "other" for c in chosen):
        names["other"] = ""
    views = []
    for kind in KINDS:
        mine = sorted((c for c in chosen if c.kind == kind), key=lambda c: -c.times)
        if mine:
            views.append(KindView(kind, names[kind], tuple(_criterion_view(c, labels) for c in mine)))
    return tuple(views)


def _criterion_view(criterion: Criterion, labels: dict[str, str]) -> CriterionView:
    said = tuple((labels.get(group, group) if group else "", times) for group, times in criterion.said_by)
    return CriterionView(criterion.text, criterion.lang, said, criterion.times)


def family_kinds(found: Synthesis, family_id: str, labels: dict[str, str], lang: str) -> tuple[KindView, ...]:
    """One family's criteria by kind ('' : those not classified yet)."""
    quotes = [q for q in found.quotes if family_id in q.families or (not family_id and not q.families)]
    return kind_views(distinct_criteria(quotes), labels, lang)


def measured_by(survey: Survey, family_id: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(indicator id, label) of the indicators that measure the family."""
    return tuple((i.id, i.label(lang)) for i in survey.indicators if family_id and i.family == family_id)


def said_views(survey: Survey, found: Synthesis, labels: dict[str, str], lang: str) -> dict[str, SaidView]:
    """Indicator id → what the groups said about it (every indicator, empty ones with ``approved`` 0)."""
    families = [(family.id, family.label(lang)) for family in survey.families]
    families.append(("", language(lang).gettext("Not classified yet")))
    views = {}
    for indicator in survey.indicators:
        quotes = [quote for quote in found.quotes if indicator.id in quote.indicators]
        counts = tuple(
            (family_id, label, tuple(found.linked_count(indicator.id, family_id, group) for group in found.groups))
            for family_id, label in families
            if any(found.linked.get((indicator.id, family_id, group)) for group in found.groups)
        )
        approved = found.linked.get((indicator.id, "*", ALL), 0)
        views[indicator.id] = SaidView(kind_views(distinct_criteria(quotes), labels, lang), counts, approved)
    return views
