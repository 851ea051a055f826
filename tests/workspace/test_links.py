"""Criteria linked to indicators and marked as the same: stored, read back, each change logged with its login."""

from __future__ import annotations

import pytest

from coresp_survey.answers.database import prepare
from coresp_survey.workspace import links
from coresp_survey.workspace.decisions import decision_log

AT = "2026-10-01T10:00:00+00:00"
LATER = "2026-10-01T11:00:00+00:00"


@pytest.fixture
def db(tmp_path):
    database = prepare(tmp_path / "responses.db")
    yield database
    database.close()


def test_one_criterion_linked_to_two_indicators(db):
    assert links.link(db, survey="s", answers=[("r1", "why")], indicators=["toilettes", "cour"], at=AT, by="mod") == 2
    assert links.links(db, "s") == {("r1", "why"): ("cour", "toilettes")}
    log = decision_log(db, response_id="r1", question="why")
    assert sorted((entry.action, entry.detail["indicator"], entry.login) for entry in log) == [
        ("linked", "cour", "mod"),
        ("linked", "toilettes", "mod"),
    ]


def test_links_in_bulk_and_again_change_nothing(db):
    chosen = [("r1", "why"), ("r2", "why"), ("r3", "bad")]
    assert links.link(db, survey="s", answers=chosen, indicators=["cour"], at=AT, by="mod") == 3
    assert links.link(db, survey="s", answers=chosen, indicators=["cour"], at=AT, by="mod") == 0
    assert set(links.links(db, "s")) == set(chosen)
    assert links.links(db, "other") == {}


def test_unlinking(db):
    links.link(db, survey="s", answers=[("r1", "why")], indicators=["cour", "repas"], at=AT, by="mod")
    assert links.unlink(db, survey="s", answers=[("r1", "why")], indicators=["cour"], at=LATER, by="mod2") == 1
    assert links.links(db, "s") == {("r1", "why"): ("repas",)}
    assert decision_log(db, response_id="r1", question="why")[-1].login == "mod2"


def test_marks_point_to_the_first_and_never_chain(db):
    assert links.mark_same(db, survey="s", answers=[("b", "q"), ("c", "q")], at=AT, by="mod") == 1
    assert links.mark_same(db, survey="s", answers=[("a", "q"), ("b", "q")], at=AT, by="mod") == 2
    assert links.same_marks(db, "s") == {("b", "q"): ("a", "q"), ("c", "q"): ("a", "q")}
    assert links.mark_same(db, survey="s", answers=[("c", "q"), ("a", "q")], at=AT, by="mod") >= 1
    marks = links.same_marks(db, "s")
    assert ("c", "q") not in marks and marks[("a", "q")] == ("c", "q") and marks[("b", "q")] == ("c", "q")
    assert links.unmark_same(db, survey="s", answers=[("b", "q")], at=LATER, by="mod") == 1
    assert ("b", "q") not in links.same_marks(db, "s")
    assert decision_log(db, response_id="b", question="q")[-1].action == "not_same"
