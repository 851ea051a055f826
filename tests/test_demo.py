"""Synthetic demo answers: believable, deterministic, and valid by the form's own rules."""

from __future__ import annotations

import os
import random
import sys
import urllib.request
from collections import Counter
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from statistics import mean

import pytest
from flask_babel import force_locale
from helpers import BUNDLED_SURVEYS
from helpers import TEST_SURVEYS
from serving import Server
from serving import free_port
from serving import running

from coresp_survey import demo as demo_data
from coresp_survey.answers import walk as answering
from coresp_survey.answers.codes import code_counts
from coresp_survey.answers.database import connect_codes
from coresp_survey.answers.database import prepare
from coresp_survey.answers.definitions import load_definitions
from coresp_survey.answers.responses import count_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.figures.effects import effects
from coresp_survey.figures.indicators import compute
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.model import OTHER_VALUE
from coresp_survey.workspace.actions import survey_actions

SCHOOL = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
ROUNDS = ["2025", "2026"]
WORK_QUESTIONS = {q.id for s in SCHOOL.sections if s.id == "travail" for q in s.questions}


@pytest.fixture(scope="module")
def rows():
    return demo_data.synthetic_responses(SCHOOL, ROUNDS, demo_data.typical_turnout(SCHOOL), seed=7)


def answers_of(rows, group, question, survey_round=None):
    return [a[question] for r, g, a in rows if g == group and question in a and survey_round in (None, r)]


def test_same_seed_same_rows_other_seed_other_rows():
    first = demo_data.synthetic_responses(SCHOOL, ROUNDS, 50, seed=1)
    assert first == demo_data.synthetic_responses(SCHOOL, ROUNDS, 50, seed=1)
    assert first != demo_data.synthetic_responses(SCHOOL, ROUNDS, 50, seed=2)


def test_each_round_has_per_round_respondents_in_every_group(rows):
    per_round = demo_data.typical_turnout(SCHOOL)
    assert 150 <= per_round <= 750
    counts = Counter(r for r, _, _ in rows)
    assert counts == {"2025": per_round, "2026": per_round}
    assert {g for _, g, _ in rows} == {g.id for g in SCHOOL.groups}


def test_groups_answer_in_proportion_to_size_and_plausible_response_rates(rows):
    sizes = {g.id: g.size for g in SCHOOL.groups}
    counts = Counter(g for r, g, _ in rows if r == "2026")
    rates = {gid: counts[gid] / sizes[gid] for gid in sizes}
    assert 0.3 <= rates["eleves"] <= 0.6
    assert rates["parents"] < rates["eleves"]
    assert counts["eleves"] > counts["parents"] > counts["enseignants"] > counts["personnels"]
    shares = demo_data.expected_share(SCHOOL)
    for gid, share in shares.items():
        assert counts[gid] / sum(counts.values()) == pytest.approx(share, rel=0.25)


def test_required_questions_are_always_answered_when_shown(rows):
    required = [q.id for q in SCHOOL.questions if q.required]
    assert required
    for _, _, answers in rows:
        assert all(qid in answers for qid in required)


def test_optional_questions_are_sometimes_skipped(rows):
    answered = Counter(qid for _, g, a in rows if g == "eleves" for qid in a)
    pupils = sum(1 for _, g, _ in rows if g == "eleves")
    skipped = 1 - answered["materiel"] / pupils
    assert 0.05 <= skipped <= 0.25


def test_hidden_questions_are_never_answered(rows):
    for _, group, answers in rows:
        if group != "eleves":
            assert "niveau" not in answers and "charge_devoirs" not in answers
        if group in ("eleves", "parents"):
            assert not WORK_QUESTIONS & answers.keys()
        if group == "parents":
            assert "lieux_preferes" not in answers
        if answers.get("cantine") == "jamais":  # unanswered, "not (cantine == 'jamais')" holds
            assert "repas" not in answers
        if answers["securite"] > 2:
            assert "insecurite_recit" not in answers
        if OTHER_VALUE not in answers.get("lieux_preferes", []):
            assert "lieux_preferes_other" not in answers
    teachers_work = [a for _, g, a in rows if g == "enseignants" and WORK_QUESTIONS & a.keys()]
    assert teachers_work, "teachers do answer the working-conditions page"


def test_groups_lean_their_own_way(rows):
    assert mean(answers_of(rows, "eleves", "repas")) < mean(answers_of(rows, "parents", "repas")) - 0.5
    assert mean(answers_of(rows, "enseignants", "equilibre_pro", "2025")) < 3
    assert mean(answers_of(rows, "parents", "information")) > mean(answers_of(rows, "enseignants", "information"))


def test_a_later_round_is_better_on_some_indicator(rows):
    gains = {
        indicator.question: mean(a[indicator.question] for r, _, a in rows if r == "2026" and indicator.question in a)
        - mean(a[indicator.question] for r, _, a in rows if r == "2025" and indicator.question in a)
        for indicator in SCHOOL.indicators
    }
    assert max(gains.values()) >= 0.3
    assert sum(1 for gain in gains.values() if gain >= 0.3) < len(gains) / 2, "only a few indicators improve"


def test_open_answers_are_short_sentences_in_the_default_language(rows):
    texts = answers_of(rows, "eleves", "bien_etre") + answers_of(rows, "parents", "agir_autres")
    assert texts and all(isinstance(t, str) and 3 <= len(t) <= 80 for t in texts)
    assert any(t in demo_data.OPEN_POOLS["fr"]["good"] for t in texts)
    assert all(len(word) <= 60 for word in answers_of(rows, "eleves", "un_mot"))


def to_raw(answers: dict) -> dict[str, list[str]]:
    """Form data as a browser would send these answers."""
    return {
        name: [str(v) for v in value] if isinstance(value, list) else [str(value)] for name, value in answers.items()
    }


def assert_passes_the_form(app, survey, rows):
    with app.test_request_context(), force_locale(survey.default_language):
        for _, group, answers in rows:
            walk = answering.walk(survey, survey.default_language, to_raw(answers), group)
            invalid = [page.section.id for page in walk.pages if not answering.validate_page(page)]
            assert not invalid, (group, answers, invalid)
            assert walk.answers == answers


def test_sampled_rows_pass_the_form_rules_and_read_back_identically(app, rows):
    assert_passes_the_form(app, SCHOOL, random.Random(3).sample(rows, 80))


@pytest.mark.parametrize("path", sorted(TEST_SURVEYS.glob("*.yaml")) + sorted(BUNDLED_SURVEYS.glob("*.yaml")))
def test_any_survey_gets_valid_answers(app, path):
    survey = load_survey(path)
    made = demo_data.synthetic_responses(survey, demo_data.demo_rounds(survey), 40, seed=11)
    assert len(made) == 40 * len(demo_data.demo_rounds(survey))
    assert_passes_the_form(app, survey, made)


def test_demo_rounds_are_the_one_before_and_the_survey_round():
    assert demo_data.demo_rounds(SCHOOL) == ["2025", "2026"]


def test_filling_stores_public_surveys_once(tmp_path):
    db = prepare(tmp_path / "demo.db")
    surveys = load_catalog(BUNDLED_SURVEYS)
    filled = demo_data.fill_empty_surveys(db, surveys)
    assert [(f.survey, f.rounds) for f in filled] == [("college-bien-etre", ["2025", "2026"])]
    assert 300 <= filled[0].count <= 1500
    assert count_responses(db, "college-bien-etre") == filled[0].count
    assert count_responses(db, "quartier-bien-vivre") == 0  # a code survey is answered with codes
    assert demo_data.fill_empty_surveys(db, surveys) == []
    assert count_responses(db, "college-bien-etre") == filled[0].count


def test_the_school_demo_shows_a_whole_cycle_actions_that_moved_their_indicators_and_others_that_did_not(tmp_path):
    """Criteria, indicators, actions, re-measure: the demo's plan is stored once, and its effects tell both stories."""
    db = prepare(tmp_path / "demo.db")
    surveys = load_catalog(BUNDLED_SURVEYS)
    demo_data.fill_empty_surveys(db, surveys)
    assert demo_data.plan_demo_actions(db, SCHOOL, "2026-12-01T00:00:00+00:00") == 5
    assert demo_data.plan_demo_actions(db, SCHOOL, "2026-12-01T00:00:00+00:00") == 0  # once
    assert demo_data.plan_demo_actions(db, surveys["quartier-bien-vivre"], "2026-12-01T00:00:00+00:00") == 0
    plan = survey_actions(db, SCHOOL.id)
    assert {action.status for action in plan} == {"planned", "under_way", "done"}
    assert all(action.starts < date(2026, 9, 1) for action in plan if action.status != "planned")
    known = load_definitions(db, SCHOOL)
    figures = compute(SCHOOL, iter_responses(db, SCHOOL.id), known.by_round())
    verdicts = {}
    for action in plan:
        for effect in effects(action, figures):
            verdicts[(action.id, effect.indicator)] = None if effect.change is None else effect.change.significant
    assert verdicts[("salles-chauffees", "confort_salles")] is True  # the demo's answers improve these
    assert verdicts[("adulte-referent", "relations_adultes")] is True
    assert verdicts[("semaine-respect", "harcelement")] is False  # and leave these as they were
    assert verdicts[("repas-sur-place", "repas")] is False
    assert verdicts[("aide-devoirs", "charge_devoirs")] is None  # planned: the next round will tell


def test_the_school_survey_gets_two_recorded_group_sessions_once_some_of_their_criteria_approved(tmp_path):
    from coresp_survey.i18n import language
    from coresp_survey.workspace.decisions import decisions
    from coresp_survey.workspace.session_checks import TypedCriterion
    from coresp_survey.workspace.session_checks import check_criterion
    from coresp_survey.workspace.sessions import list_sessions

    db = prepare(tmp_path / "demo.db")
    school = load_catalog(BUNDLED_SURVEYS)["college-bien-etre"]
    assert demo_data.record_demo_sessions(db, school, "2026-03-01T10:00:00") == (2, 16)
    held = list_sessions(db, school.id)
    assert sorted(s.group for s in held) == ["eleves", "parents"] and all(s.participants >= 5 for s in held)
    criteria = [c for s in held for c in s.criteria]
    assert {c.lang for c in criteria} == {"fr", "en"}
    assert {"bien_etre", "mal_etre", "agir_soi", "agir_autres"} <= {c.question for c in criteria}
    assert len({c.text for c in criteria}) == len(criteria)  # varied wording, no repeats
    assert all(check_criterion(school, TypedCriterion(c.question, c.lang, c.text, 1), language("en")) is None
               for c in criteria)  # fmt: skip
    decided = decisions(db, school.id)
    approved = [
        c for c in criteria if decided.get((c.id, c.question)) and decided[(c.id, c.question)].status == "approved"
    ]
    assert 0 < len(approved) < len(criteria) and all(decided[(c.id, c.question)].families for c in approved)
    from coresp_survey.workspace.links import links

    linked = links(db, school.id)  # what "What the groups said" shows beside each indicator
    assert all(linked.get((c.id, c.question)) for c in approved)
    assert set().union(*linked.values()) <= {indicator.id for indicator in school.indicators}
    assert demo_data.record_demo_sessions(db, school, "2026-03-02T10:00:00") == (0, 0)
    assert len(list_sessions(db, school.id)) == 2
    db.close()


def test_the_demo_criteria_read_like_real_ones_and_are_linked_to_indicators(tmp_path):
    from coresp_survey.answers.responses import iter_responses
    from coresp_survey.figures.synthesis import question_kind
    from coresp_survey.workspace.decisions import decisions
    from coresp_survey.workspace.identical import normalised
    from coresp_survey.workspace.links import links
    from coresp_survey.workspace.moderation import open_answers

    db = prepare(tmp_path / "demo.db")
    surveys = load_catalog(BUNDLED_SURVEYS)
    demo_data.fill_empty_surveys(db, surveys)
    school = surveys["college-bien-etre"]
    demo_data.moderate_demo(db, school, "2026-10-01T09:00:00+00:00")
    answers = open_answers(school, iter_responses(db, school.id), decisions(db, school.id))
    approved = [answer for answer in answers if answer.status == "approved"]
    linked = links(db, school.id)
    assert approved and all((a.response_id, a.question) in linked for a in approved)
    per_indicator = Counter(indicator for found in linked.values() for indicator in found)
    assert len(per_indicator) >= 10 and set(per_indicator) <= {i.id for i in school.indicators}
    assert any(a.lang == "en" for a in approved), "some criteria in English"
    assert {question_kind(a.question) for a in approved} >= {"well_being", "ill_being", "can_do"}
    toilets = {a.text for a in answers if "toilettes propres" in normalised(a.text)}
    assert len(toilets) >= 3, "varied wording"
    by_group = {a.group for a in answers if normalised(a.text) == "des toilettes propres"}
    assert len(by_group) >= 2


def demo(tmp_path: Path, port: int, ready: str, log: str) -> AbstractContextManager[Server]:
    """``coresp-survey demo`` on ``port`` until the block ends, once ``ready`` answers (it fills and builds first)."""
    env = {**os.environ, "CORESP_SURVEYS": str(BUNDLED_SURVEYS), "CORESP_DB": str(tmp_path / "demo.db"), "CI": "true"}
    command = [Path(sys.executable).with_name("coresp-survey"), "demo", "--port", str(port), "--out", tmp_path / "site"]
    return running(command, port, tmp_path / log, ready, env=env, cwd=tmp_path, timeout=120)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read()


@pytest.mark.slow
def test_demo_fills_builds_and_serves_the_forms_and_the_site_then_adds_nothing_the_second_time(tmp_path):
    port = free_port()
    with demo(tmp_path, port, "/fr/", "first.log") as first:
        home = fetch(f"http://127.0.0.1:{port}/fr/").decode()
        site = fetch(f"http://127.0.0.1:{port}/site/fr/college-bien-etre/index.html").decode()
        report = fetch(f"http://127.0.0.1:{port}/site/en/college-bien-etre/report.pdf")
        toilets = fetch(f"http://127.0.0.1:{port}/site/fr/college-bien-etre/indicators/toilettes.html").decode()
    said = first.log.read_text()
    # the whole cycle on one page: the figure, what the groups said (a pupils' session card among them), the actions
    assert "Ce que les groupes ont dit" in toilets
    assert "Les toilettes fermées à clé" in toilets
    assert "Le bien-être au collège" in home
    assert "Le bien-être au collège" in site and "Tour 2026" in site
    assert report.startswith(b"%PDF-")
    count = count_responses(prepare(tmp_path / "demo.db"), "college-bien-etre")
    assert f"Filled college-bien-etre with {count:,} synthetic responses (rounds 2025, 2026)" in said
    assert "stored its action plan: 5 actions decided after round 2025, measured again since" in said
    assert "Invitation codes for quartier-bien-vivre" in said
    issued = code_counts(connect_codes(tmp_path / "demo.db"))  # in the codes file beside demo.db
    assert issued and all(survey == "quartier-bien-vivre" and n == (3, 0) for (survey, _g), n in issued.items())
    assert f"Published site: http://127.0.0.1:{port}/site/index.html" in said
    assert (tmp_path / "site" / "fr" / "college-bien-etre" / "report.pdf").is_file()

    with demo(tmp_path, port, "/site/index.html", "again.log") as again:
        pass
    said = again.log.read_text()
    assert "Filled" not in said
    assert count_responses(prepare(tmp_path / "demo.db"), "college-bien-etre") == count
