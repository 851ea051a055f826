"""Identical open answers: one row of the moderation queue, compared after normalising case, spaces, punctuation."""

from __future__ import annotations

import pytest

from coresp_survey.workspace.identical import by_frequency
from coresp_survey.workspace.identical import gather
from coresp_survey.workspace.identical import identical_to
from coresp_survey.workspace.identical import normalised
from coresp_survey.workspace.moderation import OpenAnswer


def answer(text: str, response_id: str = "r1", question: str = "why", group: str | None = "pupils") -> OpenAnswer:
    return OpenAnswer(response_id, question, "2026", group, "fr", text, "pending", None, (), None)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Bruyant", "bruyant !"),
        ("Des toilettes propres", "  des   TOILETTES propres. "),
        ("Le bruit, à la cantine", "le bruit à la cantine"),
        ("Plus de calme…", "plus de calme"),
        ("Être écouté", "ÊTRE ÉCOUTÉ"),
        ("cafe\u0301", "café"),  # decomposed and composed accents are the same letters
        ("Tab\tand\nnewline", "tab and newline"),
    ],
)
def test_these_texts_are_identical(one, other):
    assert normalised(one) == normalised(other)


@pytest.mark.parametrize(("one", "other"), [("pêche", "pèche"), ("Calme", "Calmes"), ("où", "ou")])
def test_accents_and_letters_are_kept(one, other):
    assert normalised(one) != normalised(other)


def test_identical_answers_make_one_row_with_their_count_and_groups():
    rows = gather([
        answer("Bruyant", "a", group="pupils"),
        answer("Calme", "b", group="pupils"),
        answer("bruyant !", "c", group="parents"),
        answer("BRUYANT", "d", group="pupils"),
    ])  # fmt: skip
    assert [(row.text, row.count) for row in rows] == [("bruyant", 3), ("calme", 1)]
    assert rows[0].keys == ("a.why", "c.why", "d.why")
    assert rows[0].groups == {"pupils": 2, "parents": 1}
    assert rows[0].first.text == "Bruyant"


def test_the_same_words_to_another_question_are_another_row():
    rows = gather([answer("Bruyant", "a", question="why"), answer("Bruyant", "b", question="word")])
    assert len(rows) == 2


def test_the_queue_can_be_sorted_by_frequency_stably():
    rows = gather([answer("un", "a"), answer("deux", "b"), answer("deux", "c"), answer("trois", "d")])
    assert [row.text for row in by_frequency(rows)] == ["deux", "un", "trois"]


def test_the_row_of_one_answer_starts_with_it():
    chosen = answer("bruyant !", "c")
    row = identical_to(chosen, [answer("Bruyant", "a"), chosen, answer("Calme", "b")])
    assert row.keys == ("c.why", "a.why")
