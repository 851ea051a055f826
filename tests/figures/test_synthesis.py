"""The criteria synthesis: only approved answers, counted by family and group, small groups hidden."""

from __future__ import annotations

import pytest
from helpers import TEST_SURVEYS

from coresp_survey.answers.records import Response
from coresp_survey.figures.synthesis import distinct_criteria
from coresp_survey.figures.synthesis import question_kind
from coresp_survey.figures.synthesis import synthesis
from coresp_survey.survey.loader import load_survey
from coresp_survey.workspace import moderation
from coresp_survey.workspace.moderation import Decision

MINI = load_survey(TEST_SURVEYS / "mini.yaml")  # groups students, parents; open questions why, bus_line…


def response(k: int, group: str | None, why: str | None, lang: str = "fr") -> Response:
    answers = {"mood": 1} | ({"why": why} if why else {})
    return Response(f"r{k}", "mini", "2026", group, lang, "2026-05-01", "web", answers)


def decision(k: int, status: str, families=(), redacted=None) -> tuple[tuple[str, str], Decision]:
    return (f"r{k}", "why"), Decision(f"r{k}", "why", status, redacted, tuple(families), "2026-05-02T10:00:00")


def run(responses, decisions, respondents):
    answers = moderation.open_answers(MINI, responses, dict(decisions))
    return synthesis(MINI, respondents, answers)


def test_only_approved_answers_count_and_are_quoted_with_their_redaction():
    responses = [response(1, "students", "Cour trop petite"), response(2, "students", "Cantine"),
                 response(3, "students", "Un nom propre ici")]  # fmt: skip
    decisions = [decision(1, "approved", ["B"]), decision(2, "rejected", ["A"]),
                 decision(3, "approved", ["B", "D"], redacted="[…] ici")]  # fmt: skip
    found = run(responses, decisions, {"students": 10, "parents": 10})
    assert found.count("B", "students") == 2 and found.count("D", "students") == 1
    assert found.count("A", "students") == 0
    assert found.count("B", "all") == 2
    assert found.approved == 2
    assert [quote.text for quote in found.quotes] == ["Cour trop petite", "[…] ici"]


def test_pending_answers_are_never_published():
    found = run([response(1, "students", "En attente")], [], {"students": 10, "parents": 10})
    assert found.quotes == () and found.approved == 0


def test_a_small_group_and_the_next_smallest_hide_their_counts_and_their_quotes():
    responses = [response(1, "students", "Élèves disent"), response(2, "parents", "Parents disent", lang="en")]
    decisions = [decision(1, "approved", ["B"]), decision(2, "approved", ["B"])]
    found = run(responses, decisions, {"students": 30, "parents": 3})
    assert found.hidden == {"parents", "students"}  # parents < 5; students would give them away
    assert found.count("B", "parents") is None and found.count("B", "students") is None
    assert found.count("B", "all") == 2
    assert found.quotes == ()  # the students' quotes, counted, would give their hidden count, and the parents' with it


def test_quotes_keep_the_language_they_were_written_in_and_unclassified_ones_count_apart():
    responses = [response(1, "students", "Friends", lang="en")]
    found = run(responses, [decision(1, "approved")], {"students": 10, "parents": 10})
    assert found.quotes[0].lang == "en" and found.quotes[0].group == "students"
    assert found.count("", "students") == 1  # approved, not classified yet


def test_too_few_respondents_in_all_publish_nothing():
    found = run([response(1, "students", "Seul")], [decision(1, "approved", ["B"])], {"students": 2, "parents": 1})
    assert "all" in found.hidden and found.quotes == ()
    assert found.count("B", "all") is None


def test_collecting_approved_answers_passes_every_response_through():
    responses = [response(1, "students", "Oui"), response(2, "students", "Non"), response(3, "parents", None)]
    decisions = dict([decision(1, "approved", ["B"]), decision(2, "rejected")])
    sink = []
    passed = list(moderation.collect_approved(MINI, responses, decisions, sink))
    assert passed == responses
    assert [answer.text for answer in sink] == ["Oui"]


# -- links to indicators, kinds of question, identical criteria once ---------------------


@pytest.mark.parametrize(
    ("question", "kind"),
    [("bien_etre", "well_being"), ("mal_etre", "ill_being"), ("agir_soi", "can_do"), ("agir_autres", "can_do"),
     ("well_being", "well_being"), ("ill_being", "ill_being"), ("what_i_can_do", "can_do"),
     ("insecurite_recit", "ill_being"), ("un_mot", "other"), ("why", "other"), ("cantine", "other")],
)  # fmt: skip
def test_the_kind_of_an_open_question_is_read_from_its_id(question, kind):
    assert question_kind(question) == kind


def test_linked_criteria_are_counted_per_indicator_family_and_group_hidden_groups_apart():
    responses = [response(1, "students", "Calme"), response(2, "students", "calme !"),
                 response(3, "parents", "Calme"), response(4, "students", "Autre")]  # fmt: skip
    decisions = [decision(k, "approved", ["B"]) for k in (1, 2, 3, 4)]
    answers = moderation.open_answers(MINI, responses, dict(decisions))
    links = {("r1", "why"): ("mood",), ("r2", "why"): ("mood",), ("r3", "why"): ("mood",)}
    found = synthesis(MINI, {"students": 10, "parents": 2, None: 3}, answers, links)
    assert found.linked_count("mood", "B", "students") == 2
    assert found.linked_count("mood", "B", "parents") is None  # a hidden group
    assert found.linked[("mood", "*", "all")] == 3
    assert [quote.indicators for quote in found.quotes] == [("mood",), ("mood",), ()]
    (calm, other) = distinct_criteria(found.quotes)
    assert calm.said_by == (("students", 2),) and calm.times == 2 and calm.indicators == ("mood",)
    assert other.text == "Autre" and other.indicators == ()


def test_a_criterion_marked_as_the_same_is_published_in_the_words_of_the_other():
    responses = [response(1, "students", "Des toilettes propres"), response(2, "students", "Sanitaires nets")]
    decisions = [decision(1, "approved", ["B"]), decision(2, "approved", ["B"])]
    answers = moderation.open_answers(MINI, responses, dict(decisions))
    found = synthesis(MINI, {"students": 10, "parents": 10}, answers, same={("r2", "why"): ("r1", "why")})
    (only,) = distinct_criteria(found.quotes)
    assert only.text == "Des toilettes propres" and only.times == 2


def session_criterion(k: int, group: str, text: str, lang: str = "fr") -> moderation.OpenAnswer:
    return moderation.OpenAnswer(f"s-{k}", "why", "", group, lang, text, "approved", None, ("B",), "2026-05-02",
                                 source="session", session="g1", session_date="2026-03-02")  # fmt: skip


def test_a_session_of_four_is_a_group_of_four_and_hides_the_next_smallest_with_it():
    online = moderation.open_answers(
        MINI, [response(1, "students", "En ligne")], dict([decision(1, "approved", ["B"])])
    )
    answers = [*online, session_criterion(1, "parents", "En séance")]
    found = synthesis(MINI, {"students": 30, "parents": 0}, answers, session_participants={"parents": 4})
    assert found.respondents == {"all": 34, "students": 30, "parents": 4}
    assert found.hidden == {"parents", "students"}
    assert found.quotes == () and found.count("B", "all") == 2
    assert found.session_participants == {"parents": 4}


def test_a_session_completes_a_small_group_of_online_respondents():
    answers = [session_criterion(1, "parents", "En séance", lang="en")]
    found = synthesis(MINI, {"students": 30, "parents": 2}, answers, session_participants={"parents": 3})
    assert found.hidden == frozenset()
    assert [(q.text, q.lang, q.group) for q in found.quotes] == [("En séance", "en", "parents")]
    assert found.count("B", "parents") == 1


def test_session_rows_count_sessions_and_participants_apart():
    from coresp_survey.figures.synthesis import session_rows

    assert session_rows(MINI, {}) == [{"survey": "mini", "group": "all", "sessions": 0, "participants": 0}]
    assert session_rows(MINI, {"parents": (2, 9), "students": (1, 4)}) == [
        {"survey": "mini", "group": "all", "sessions": 3, "participants": 13},
        {"survey": "mini", "group": "students", "sessions": 1, "participants": 4},
        {"survey": "mini", "group": "parents", "sessions": 2, "participants": 9},
    ]
