"""Suggestions in the moderation queue: families from the most similar classified answers, indicators by family."""

from __future__ import annotations

from helpers import BUNDLED_SURVEYS

from coresp_survey.survey.loader import load_survey
from coresp_survey.workspace.moderation import OpenAnswer
from coresp_survey.workspace.suggestions import FamilySuggester
from coresp_survey.workspace.suggestions import indicators_for


def classified(text: str, families: tuple[str, ...], status: str = "approved") -> OpenAnswer:
    return OpenAnswer(text, "why", "2026", None, "fr", text, status, None, families, "2026-01-01")


SUGGESTER = FamilySuggester([
    classified("Des toilettes propres", ("A", "B")),
    classified("Les toilettes sont sales", ("B",)),
    classified("Avoir des amis", ("D",)),
    classified("Le bruit à la cantine", ("B",)),
    classified("Des insultes tous les jours", ("E",), status="rejected"),
    classified("Pas encore classé", ()),
])  # fmt: skip


def test_the_families_of_the_most_similar_classified_answers_come_first():
    assert set(SUGGESTER.families_for("des toilettes plus propres !")) == {"A", "B"}
    assert SUGGESTER.families_for("le bruit dans la cantine") == ("B",)


def test_an_identical_classified_text_suggests_its_families():
    assert set(SUGGESTER.families_for("avoir des amis")) == {"D"}


def test_nothing_is_suggested_when_nothing_is_close():
    assert SUGGESTER.families_for("xyzzy quux") == ()
    assert FamilySuggester([]).families_for("Des toilettes propres") == ()


def test_rejected_answers_suggest_nothing():
    assert "E" not in SUGGESTER.families_for("Des insultes tous les jours")


def test_the_indicators_of_the_suggested_families_come_first():
    survey = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
    ordered = indicators_for(survey, ["D", "B"])
    assert [indicator.id for indicator in ordered[:7]] == [
        "relations_eleves", "relations_adultes", "travail_equipe",
        "toilettes", "cour", "confort_salles", "conditions_travail",
    ]  # fmt: skip
    assert sorted(i.id for i in ordered) == sorted(i.id for i in survey.indicators)
