"""The one place that says what a valid action is: every problem with its line, in a file as in the form."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import BUNDLED_SURVEYS

from coresp_survey.i18n import language
from coresp_survey.survey.loader import load_survey
from coresp_survey.workspace.action_checks import Context
from coresp_survey.workspace.action_checks import check_action
from coresp_survey.workspace.action_checks import check_note
from coresp_survey.workspace.action_checks import form_list
from coresp_survey.workspace.action_checks import form_mapping
from coresp_survey.workspace.action_files import read_actions
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote

SCHOOL = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
CONTEXT = Context(SCHOOL, ("2025", "2026"), language("en"))
GOOD = """\
- id: cour
  title: {fr: "Repeindre la cour", en: "Repaint the yard"}
  description: {fr: "La ville repeint la cour.", en: "The city repaints the yard."}
  indicators: [cour, securite]
  commitments:
    - party: {fr: "La ville", en: "The city"}
      does: {fr: "Repeint", en: "Repaints"}
    - group: eleves
      does: {fr: "Proposent des couleurs", en: "Suggest colours"}
  baseline: "2025"
  starts: 2026-01-15
  ends: 2026-06-30
  status: under_way
  updates:
    - {date: 2026-03-01, text: {fr: "Devis signé", en: "Quote signed"}}
"""


def problems_of(text: str) -> list[tuple[int, str]]:
    actions, problems = read_actions(text, CONTEXT)
    assert actions == [] or not problems
    return [(problem.where, problem.message) for problem in problems]


def test_a_valid_file_gives_its_actions():
    (action,), problems = read_actions(GOOD, CONTEXT)
    assert problems == []
    assert action.id == "cour" and action.survey == SCHOOL.id
    assert action.title == {"fr": "Repeindre la cour", "en": "Repaint the yard"}
    assert action.indicators == ("cour", "securite")
    assert action.commitments == (
        Commitment(does={"fr": "Repeint", "en": "Repaints"}, party={"fr": "La ville", "en": "The city"}),
        Commitment(does={"fr": "Proposent des couleurs", "en": "Suggest colours"}, group="eleves"),
    )
    assert (action.starts, action.ends, action.status, action.baseline) == (
        date(2026, 1, 15),
        date(2026, 6, 30),
        "under_way",
        "2025",
    )
    assert action.updates == (ProgressNote(date(2026, 3, 1), {"fr": "Devis signé", "en": "Quote signed"}),)


def test_status_defaults_to_planned_and_optional_keys_may_be_left_out():
    text = """\
- id: plan
  title: {fr: "T", en: "T"}
  description: {fr: "D", en: "D"}
  indicators: [cour]
  starts: 2027-01-01
"""
    (action,), problems = read_actions(text, CONTEXT)
    assert problems == [] and action.status == "planned"
    assert (action.commitments, action.ends, action.baseline, action.updates) == ((), None, None, ())


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("cour, securite]", "cours, securite]"), 4, "indicators: 'cours' is not an indicator of the survey (did you mean 'cour'?)"),
        (("cour, securite]", "cour, cour]"), 4, "indicators: 'cour' is named twice"),
        (("[cour, securite]", "[]"), 4, "indicators: name at least one of the survey's indicators"),
        (("group: eleves", "group: eleve"), 8, "commitment 2: 'eleve' is not one of the survey's groups (eleves, enseignants, personnels, parents)"),
        ((', en: "The city"}', "}"), 6, "commitment 1, party: no text in English"),
        (('en: "Repaint the yard"', 'en: ""'), 2, "title: no text in English"),
        (('en: "Repaint the yard"', 'en: "Repaint\\nthe yard"'), 2, "title in English: one line only"),
        (('en: "Repaint the yard"', 'en: "Yard", de: "Hof"'), 2, "title: 'de' is not one of the survey's languages (fr, en)"),
        (("2026-01-15", "2026-02-30"), 11, "start: a date written YYYY-MM-DD, such as 2026-03-15"),
        (("ends: 2026-06-30", "ends: 2025-06-30"), 12, "end: the action cannot end before it starts (2026-01-15)"),
        (("status: under_way", "status: ongoing"), 13, "status: 'ongoing' is not one of planned, under_way, done, dropped"),
        (('baseline: "2025"', 'baseline: "2024"'), 10, "baseline: '2024' is not a round of the survey (2025, 2026)"),
        (("{date: 2026-03-01,", "{date: tomorrow,"), 15, "progress note 1: a date written YYYY-MM-DD, such as 2026-03-15"),
        (("  status: under_way", "  status: under_way\n  colour: red"), 14, "unknown key 'colour' in an action (allowed: id, title, description, indicators, commitments, baseline, starts, ends, status, updates)"),
        (("  status: under_way", "  statut: done"), 13, "unknown key 'statut' in an action (did you mean 'status'?)"),
        (("- id: cour", "- id: Cour"), 1, "id: 'Cour' must start with a lowercase letter, then lowercase letters, digits, - or _ (at most 64 characters)"),
    ],
)  # fmt: skip
def test_each_problem_is_named_with_its_line(change, line, message):
    old, new = change
    assert old in GOOD
    assert (line, message) in problems_of(GOOD.replace(old, new, 1))


def test_every_problem_of_a_file_is_listed_in_line_order_and_nothing_is_returned():
    text = GOOD.replace("cour, securite]", "cours]").replace("status: under_way", "status: ongoing")
    text += GOOD.replace('en: "Repaint the yard"', 'en: ""')
    found = problems_of(text)
    assert [line for line, _ in found] == sorted(line for line, _ in found)
    assert (4, "indicators: 'cours' is not an indicator of the survey (did you mean 'cour'?)") in found
    assert (13, "status: 'ongoing' is not one of planned, under_way, done, dropped") in found
    assert (17, "title: no text in English") in found
    assert read_actions(text, CONTEXT)[0] == []


def test_an_id_used_twice_in_a_file_is_refused_at_its_second_line():
    assert problems_of(GOOD + GOOD) == [(16, "id: the action 'cour' is already in this file (line 1)")]


def test_a_key_written_twice_is_refused():
    text = GOOD.replace("  status: under_way", "  status: under_way\n  status: done")
    assert (14, "'status' appears twice in an action (first at line 13)") in problems_of(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty: it should be a list of actions (lines starting with '- ')"),
        ("id: cour\n", "the file should be a list of actions (lines starting with '- ')"),
        ("- id: [cour\n", "YAML syntax error"),
        ("- just a text\n", "an action must be a mapping of keys (id:, title:, indicators: …)"),
    ],
)
def test_a_file_that_is_not_a_list_of_actions_is_one_problem(text, message):
    ((line, found),) = problems_of(text)
    assert line == 1 and found.startswith(message)


def test_invisible_characters_are_refused_in_every_text():
    text = GOOD.replace("Quote signed", "Quote\u202esigned")
    assert (15, "progress note 1 in English holds U+202E RIGHT-TO-LEFT OVERRIDE: invisible characters can make two"
            " texts look the same or show a text in another order; remove them") in problems_of(text)  # fmt: skip


def test_texts_are_stripped_and_their_lengths_bounded():
    (action,), _ = read_actions(GOOD.replace('"Repaint the yard"', '"  Repaint the yard  "'), CONTEXT)
    assert action.title["en"] == "Repaint the yard"
    long = GOOD.replace('"Repaint the yard"', '"' + "x" * 201 + '"')
    assert (2, "title in English: at most 200 characters") in problems_of(long)


def test_a_group_commitment_needs_a_group_and_no_party_and_both_need_what_they_do():
    text = GOOD.replace("    - group: eleves\n", "    - group: eleves\n      party: {fr: a, en: b}\n")
    assert (8, "commitment 2: name either one of the survey's groups (group:) or another party (party:), not both") in (
        problems_of(text)
    )
    text = GOOD.replace('      does: {fr: "Repeint", en: "Repaints"}\n', "")
    assert (6, "commitment 1: say what the party commits to do (does:)") in problems_of(text)


def test_messages_are_worded_in_the_language_asked_for():
    french = Context(SCHOOL, ("2025", "2026"), language("fr"))
    _actions, problems = read_actions(GOOD.replace("status: under_way", "status: ongoing"), french)
    assert [problem.message for problem in problems] == [
        "statut\u00a0: «\u00a0ongoing\u00a0» n’est pas l’un de planned, under_way, done, dropped"
    ]


def test_a_form_is_checked_the_same_way_each_problem_at_its_field():
    title = form_mapping({"fr": "Titre", "en": ""}, {"fr": "title-fr", "en": "title-en"}, "title-fr")
    description = form_mapping(
        {"fr": "D", "en": "D"}, {"fr": "description-fr", "en": "description-en"}, "description-fr"
    )
    data = form_mapping(
        {
            "id": "cour",
            "title": title,
            "description": description,
            "indicators": form_list(["nope"], ["indicator-nope"], "indicators"),
            "starts": "15/01/2026",
            "status": "planned",
        },
        {"id": "id", "starts": "starts", "status": "status", "indicators": "indicators"},
        "id",
    )
    action, problems = check_action(data, CONTEXT, "id")
    assert action is None
    assert [(problem.where, problem.message) for problem in problems] == [
        ("title-en", "title: no text in English"),
        ("indicator-nope", "indicators: 'nope' is not an indicator of the survey"),
        ("starts", "start: a date written YYYY-MM-DD, such as 2026-03-15"),
    ]


def test_a_progress_note_alone_is_checked_as_in_a_file():
    text = form_mapping({"fr": "Fait", "en": ""}, {"fr": "note-fr", "en": "note-en"}, "note-fr")
    note, problems = check_note(
        form_mapping({"date": "2026-03-01", "text": text}, {"date": "note-date"}, "note-date"), CONTEXT, 3
    )
    assert note is None and [(p.where, p.message) for p in problems] == [
        ("note-en", "progress note 3: no text in English")
    ]
    text = form_mapping({"fr": "Fait", "en": "Done"}, {"fr": "note-fr", "en": "note-en"}, "note-fr")
    note, problems = check_note(
        form_mapping({"date": "2026-03-01", "text": text}, {"date": "note-date"}, "note-date"), CONTEXT
    )
    assert problems == [] and note == ProgressNote(date(2026, 3, 1), {"fr": "Fait", "en": "Done"})
