"""Action plans in the database: stored whole, read back, changed, and every change logged with its time and author."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import pytest
from helpers import FIXTURES

from coresp_survey.answers.database import prepare
from coresp_survey.survey.model import Text
from coresp_survey.workspace import actions as stored
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote

AT = "2026-05-01T10:00:00.000000+00:00"
LATER = "2026-05-02T10:00:00.000000+00:00"
LAST = "2026-05-03T10:00:00.000000+00:00"


@pytest.fixture
def db(tmp_path):
    database = prepare(tmp_path / "responses.db")
    yield database
    database.close()


def plan(action_id: str = "cour", **changes) -> Action:
    action = Action(
        survey="s",
        id=action_id,
        title=Text(fr="Repeindre la cour", en="Repaint the yard"),
        description=Text(fr="D", en="D"),
        indicators=("cour", "securite"),
        starts=date(2026, 1, 15),
        status="under_way",
        commitments=(
            Commitment(does=Text(fr="Repeint", en="Repaints"), party=Text(fr="La ville", en="The city")),
            Commitment(does=Text(fr="Choisissent", en="Choose"), group="eleves"),
        ),
        ends=date(2026, 6, 30),
        baseline="2025",
        updates=(ProgressNote(date(2026, 3, 1), Text(fr="Devis", en="Quote")),),
    )
    return dataclasses.replace(action, **changes)


def test_an_action_is_stored_and_read_back_whole(db):
    stored.create_action(db, plan(), at=AT, author="alice")
    found = stored.get_action(db, "s", "cour")
    assert found == plan()
    assert found.updates[0].id  # a stored note has a key of its own
    assert stored.get_action(db, "s", "nope") is None and stored.get_action(db, "other", "cour") is None
    assert [entry.change for entry in stored.change_log(db, "s", "cour")] == ["created"]
    assert stored.change_log(db, "s", "cour")[0].author == "alice"


def test_an_id_is_taken_once_per_survey(db):
    stored.create_action(db, plan(), at=AT, author=None)
    with pytest.raises(stored.ActionExists):
        stored.create_action(db, plan(title=Text(fr="x", en="x")), at=LATER, author=None)
    stored.create_action(db, plan(survey="other"), at=AT, author=None)  # another survey's plan may use it
    assert stored.get_action(db, "s", "cour").title["fr"] == "Repeindre la cour"


def test_a_plan_lists_actions_under_way_then_planned_then_done_then_dropped(db):
    for action_id, status, starts in [
        ("d", "dropped", date(2026, 1, 1)), ("b", "planned", date(2026, 2, 1)), ("c", "done", date(2026, 1, 1)),
        ("a2", "under_way", date(2026, 3, 1)), ("a1", "under_way", date(2026, 1, 1)),
    ]:  # fmt: skip
        stored.create_action(db, plan(action_id, status=status, starts=starts, ends=None), at=AT, author=None)
    assert [action.id for action in stored.survey_actions(db, "s")] == ["a1", "a2", "b", "c", "d"]


def test_an_edit_logs_the_fields_it_changed_with_old_and_new_values_of_the_short_ones(db):
    stored.create_action(db, plan(), at=AT, author=None)
    changed = stored.update_action(
        db, plan(status="done", title=Text(fr="Cour repeinte", en="Yard repainted"), ends=None), at=LATER, author="bob"
    )
    assert changed == ["title", "ends", "status"]
    latest = stored.change_log(db, "s", "cour")[0]
    assert (latest.at, latest.author, latest.change) == (LATER, "bob", "edited")
    assert latest.detail == {
        "fields": ["title", "ends", "status"],
        "ends": ["2026-06-30", None],
        "status": ["under_way", "done"],
    }
    assert stored.get_action(db, "s", "cour").status == "done"


def test_an_edit_that_changes_nothing_is_not_logged(db):
    stored.create_action(db, plan(), at=AT, author=None)
    assert stored.update_action(db, stored.get_action(db, "s", "cour"), at=LATER, author=None) == []
    assert len(stored.change_log(db, "s", "cour")) == 1


def test_editing_an_action_that_is_gone_fails(db):
    with pytest.raises(KeyError):
        stored.update_action(db, plan(), at=AT, author=None)


def test_an_import_creates_replaces_and_leaves_alone_in_one_transaction(db):
    stored.create_action(db, plan("kept"), at=AT, author=None)
    stored.create_action(db, plan("same"), at=AT, author=None)
    stored.create_action(db, plan("other"), at=AT, author=None)
    result = stored.store_actions(
        db, "s", [plan("same"), plan("kept", status="done"), plan("new")], at=LATER, author=None
    )
    assert result == stored.Stored(created=1, changed=1, unchanged=1)
    assert {action.id for action in stored.survey_actions(db, "s")} == {"kept", "same", "other", "new"}
    assert stored.change_log(db, "s", "kept")[0].change == "imported"
    assert stored.change_log(db, "s", "kept")[0].detail["status"] == ["under_way", "done"]
    assert [entry.change for entry in stored.change_log(db, "s", "same")] == ["created"]


def test_an_import_that_fails_half_way_stores_nothing(db):
    with pytest.raises(ValueError):
        stored.store_actions(db, "s", [plan("first"), plan("second", survey="other")], at=AT, author=None)
    assert stored.survey_actions(db, "s") == []


def test_progress_notes_are_added_in_order_and_removed_with_the_log_keeping_what_they_said(db):
    stored.create_action(db, plan(updates=()), at=AT, author=None)
    late = stored.add_note(db, "s", "cour", ProgressNote(date(2026, 4, 1), Text(fr="Fin", en="End")), at=AT, author="c")
    stored.add_note(db, "s", "cour", ProgressNote(date(2026, 2, 1), Text(fr="Début", en="Start")), at=LATER, author="c")
    assert [note.text["en"] for note in stored.get_action(db, "s", "cour").updates] == ["Start", "End"]
    assert stored.remove_note(db, "s", "cour", late, at=LAST, author="d")
    assert not stored.remove_note(db, "s", "cour", late, at=LAST, author="d")
    assert not stored.remove_note(db, "s", "other", "x", at=LAST, author="d")
    assert [note.text["en"] for note in stored.get_action(db, "s", "cour").updates] == ["Start"]
    removed = stored.change_log(db, "s", "cour")[0]
    assert (removed.change, removed.author, removed.detail) == (
        "note_removed", "d", {"day": "2026-04-01", "text": {"fr": "Fin", "en": "End"}},
    )  # fmt: skip
    with pytest.raises(KeyError):
        stored.add_note(db, "s", "nope", ProgressNote(date(2026, 2, 1), Text(fr="x", en="x")), at=AT, author=None)


def test_an_edit_keeps_each_note_and_its_key(db):
    stored.create_action(db, plan(), at=AT, author=None)
    before = stored.get_action(db, "s", "cour")
    stored.update_action(db, dataclasses.replace(before, status="done"), at=LATER, author=None)
    assert stored.get_action(db, "s", "cour").updates[0].id == before.updates[0].id


def test_a_deleted_action_leaves_no_row_but_its_log(db):
    stored.create_action(db, plan(), at=AT, author=None)
    assert stored.delete_action(db, "s", "cour", at=LATER, author="e")
    assert not stored.delete_action(db, "s", "cour", at=LATER, author="e")
    assert stored.get_action(db, "s", "cour") is None
    for table in ("actions", "action_indicators", "action_commitments", "action_updates"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert [entry.change for entry in stored.change_log(db, "s", "cour")] == ["deleted", "created"]
    stored.create_action(db, plan(), at=LAST, author=None)  # the id may be used again
    assert stored.last_changes(db, "s")["cour"].change == "created"


def test_a_database_from_before_the_action_plans_gets_their_tables_and_keeps_everything(tmp_path):
    """The fixture written just before `m007_action_plans` (tests/fixtures/before-actions) upgrades, then plans."""
    folder = tmp_path / "instance"
    folder.mkdir()
    for file in (FIXTURES / "before-actions").iterdir():
        if file.is_file() and file.suffix != ".py" and file.name != "manifest.json":
            shutil.copyfile(file, folder / file.name)
    database = prepare(folder / "responses.db")
    try:
        assert database.execute("SELECT count(*) FROM responses").fetchone()[0] == 5
        assert stored.survey_actions(database, "open") == []
        stored.create_action(database, plan(survey="open"), at=AT, author=None)
        assert stored.get_action(database, "open", "cour") == plan(survey="open")
    finally:
        database.close()
