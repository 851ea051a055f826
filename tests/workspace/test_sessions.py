"""Group sessions: storage (changed or deleted only until moderated), the shared checks, the typed lines, and
``coresp-survey criteria SURVEY --import FILE.csv`` (all rows or none, each bad row named FILE:LINE)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from helpers import SECRET
from helpers import TEST_SURVEYS

from coresp_survey import i18n
from coresp_survey.answers.database import prepare
from coresp_survey.cli import main
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.workspace import session_checks
from coresp_survey.workspace import session_import
from coresp_survey.workspace import sessions
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.moderation import session_answers

TODAY = date(2026, 3, 10)
EN = i18n.language("en")
HEADER = "group,session,date,question,lang,text"


@pytest.fixture(scope="module")
def mini():
    return load_catalog(TEST_SURVEYS)["mini"]


@pytest.fixture
def db(tmp_path):
    database = prepare(tmp_path / "responses.db")
    yield database
    database.close()


def recorded(db, **changes) -> str:
    values = {"survey": "mini", "group": "students", "date": "2026-03-02", "participants": 4,
              "criteria": [("why", "fr", "Trop de bruit"), ("why", "en", "Noise")], "by": "ana", "at": "2026-03-02T10:00"}  # fmt: skip
    return sessions.record_session(db, **{**values, **changes})


# -- storage ----------------------------------------------------------------------------


def test_a_session_is_changed_until_a_criterion_is_moderated_then_neither_changed_nor_deleted(db):
    session_id = recorded(db)
    sessions.change_session(db, session_id, group="parents", date="2026-03-03", participants=6,
                            criteria=[("remark", "fr", "Calme")], label="B", note="n", by="ana", at="2026-03-03T10:00")  # fmt: skip
    session = sessions.get_session(db, session_id)
    assert (session.group, session.date, session.participants, session.label, session.note) == (
        "parents", "2026-03-03", 6, "B", "n"
    )  # fmt: skip
    assert session.recorded == "2026-03-02T10:00" and session.changed == "2026-03-03T10:00"
    assert [(c.question, c.text, c.position) for c in session.criteria] == [("remark", "Calme", 0)]
    criterion = session.criteria[0]
    decide(db, survey="mini", answers=[(criterion.id, "remark")], status="approved", at="2026-03-04", by="max")
    assert sessions.moderated_criteria(db, session_id) == 1
    with pytest.raises(sessions.SessionLocked):
        sessions.change_session(db, session_id, group="parents", date="2026-03-03", participants=6,
                                criteria=[("remark", "fr", "Autre")], by="ana", at="2026-03-05")  # fmt: skip
    with pytest.raises(sessions.SessionLocked):
        sessions.delete_session(db, session_id, by="ana", at="2026-03-05")
    assert sessions.get_session(db, session_id) == session
    other = recorded(db)
    sessions.delete_session(db, other, by="zoe", at="2026-03-06")
    assert sessions.get_session(db, other) is None
    assert db.execute("SELECT count(*) FROM session_criteria WHERE session = ?", [other]).fetchone()[0] == 0
    with pytest.raises(sessions.SessionMissing):
        sessions.delete_session(db, other, by="zoe", at="2026-03-07")
    assert sessions.session_log(db, session_id) == [
        ("2026-03-02T10:00", "recorded", "ana"),
        ("2026-03-03T10:00", "changed", "ana"),
    ]  # the refused change and deletion left no line
    assert [(e.action, e.login) for e in sessions.session_log(db, other)] == [("recorded", "ana"), ("deleted", "zoe")]


def test_session_criteria_are_open_answers_with_their_decision(db):
    session_id = recorded(db)
    session = sessions.get_session(db, session_id)
    first = session.criteria[0]
    decide(db, survey="mini", answers=[(first.id, "why")], status="approved", redacted="Du bruit", at="t", by="max")
    from coresp_survey.workspace.decisions import decisions

    answers = session_answers([session], decisions(db, "mini"))
    assert [(a.source, a.group, a.lang, a.status, a.published_text) for a in answers] == [
        ("session", "students", "fr", "approved", "Du bruit"),
        ("session", "students", "en", "pending", "Noise"),
    ]
    assert answers[0].key == f"{first.id}.why" and answers[0].session == session_id and answers[0].round == ""


def test_participants_are_counted_per_group(db):
    recorded(db, participants=4)
    recorded(db, participants=3)
    recorded(db, participants=7, group="parents")
    assert sessions.participants_by_group(db, "mini") == {"students": (2, 7), "parents": (1, 7)}


# -- typed lines ----------------------------------------------------------------------


def test_marks_change_the_question_and_language_of_the_lines_after_them(mini):
    typed = "Un\n[en]Two\n\n[3 fr] Trois\n[why]\n  Quatre  \n[en 2] Five\r\nSix"
    criteria, problems = session_checks.read_lines(mini, typed, "why", "fr", EN)
    assert problems == []
    assert [(c.question, c.lang, c.text, c.line) for c in criteria] == [
        ("why", "fr", "Un", 1),
        ("why", "en", "Two", 2),
        ("remark", "fr", "Trois", 4),
        ("why", "fr", "Quatre", 6),
        ("bus_line", "en", "Five", 7),
        ("bus_line", "en", "Six", 8),
    ]


def test_a_text_starting_with_brackets_that_name_nothing_is_refused_not_guessed(mini):
    _criteria, problems = session_checks.read_lines(mini, "[note] à lire", "why", "fr", EN)
    assert problems == ["line 1: [note] names no question (1, 2, 3) and no language (fr, en)"]


# -- import -------------------------------------------------------------------------


def write(tmp_path, text: str, encoding="utf-8"):
    path = tmp_path / "sessions.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_are_grouped_into_sessions_by_group_session_and_date(mini):
    text = (
        "\ufeff" + HEADER.replace(",", ";") + "\r\n"
        "students;3B;2026-03-02;why;fr;Trop de bruit\r\n"
        'students;3B;2026-03-02;why;en;"Noise; and more"\r\n'
        "students;3A;2026-03-02;why;fr;Calme\r\n"
        "parents;;2026-03-05;remark;fr;Une remarque\r\n"
    )
    found = session_import.read_sessions(mini, text.encode(), EN, TODAY)
    assert [(s["group"], s["label"], s["date"], s["participants"], s["criteria"]) for s in found] == [
        ("students", "3B", "2026-03-02", 2, [("why", "fr", "Trop de bruit"), ("why", "en", "Noise; and more")]),
        ("students", "3A", "2026-03-02", 1, [("why", "fr", "Calme")]),
        ("parents", "", "2026-03-05", 1, [("remark", "fr", "Une remarque")]),
    ]


def test_the_optional_participants_column_gives_the_session_its_number(mini):
    text = f"{HEADER},participants\nstudents,3B,2026-03-02,why,fr,Un,12\nstudents,3B,2026-03-02,why,fr,Deux,\n"
    (found,) = session_import.read_sessions(mini, text.encode(), EN, TODAY)
    assert found["participants"] == 12


def cli(tmp_path, *args, db_name="responses.db"):
    options = ["--surveys", str(TEST_SURVEYS), "--db", str(tmp_path / db_name), "--secret-key", SECRET]
    return CliRunner().invoke(main, [*options, *args])


def test_the_command_stores_every_session_and_says_so(tmp_path):
    path = write(tmp_path, f"{HEADER}\nstudents,3B,2026-03-02,why,fr,Trop de bruit\nparents,,2026-03-02,why,en,Noise\n")
    result = cli(tmp_path, "criteria", "mini", "--import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 session(s), 2 criteria stored for mini" in result.output
    db = prepare(tmp_path / "responses.db")
    stored = sessions.list_sessions(db, "mini")
    db.close()
    assert sorted((s.group, s.participants, s.recorded_by) for s in stored) == [
        ("parents", 1, None),
        ("students", 1, None),
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["nobody,3B,2026-03-02,why,fr,Un"], [":2: nobody is not a group of this survey (students, parents)"]),
        (["students,3B,2026-13-02,why,fr,Un"], [":2: Give the day of the session as YYYY-MM-DD"]),
        (["students,3B,2099-01-01,why,fr,Un"], [":2: The session cannot be in the future."]),
        (["students,3B,2026-03-02,mood,fr,Un"], [":2: mood is not an open question of this survey"]),
        (["students,3B,2026-03-02,why,de,Un"], [":2: de is not a language of this survey (fr, en)"]),
        (["students,3B,2026-03-02,why,fr,   "], [":2: The criterion is empty."]),
        (["students,3B,2026-03-02,why,fr,Un\u202eDeux"], [":2: This text holds U+202E RIGHT-TO-LEFT OVERRIDE"]),
        (["students,3B,2026-03-02,bus_line,fr," + "x" * 21], [":2: At most 20 characters."]),
        (
            ["students,3B,2026-03-02,why,fr,Un", "students,3B,2026-03-02,why,fr", "parents,,2026-03-02,why,xx,Deux"],
            [":3: 5 cells where the header has 6 columns", ":4: xx is not a language"],
        ),
        (['students,3B,2026-03-02,why,fr,"Un'], [":2: a quote opens a cell in this row and is never closed"]),
    ],
)
def test_each_bad_row_is_named_and_nothing_is_stored(tmp_path, rows, expected):
    path = write(tmp_path, HEADER + "\n" + "\n".join(["parents,,2026-03-01,why,fr,Bon", *rows]) + "\n")
    result = cli(tmp_path, "criteria", "mini", "--import", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert len(lines) == len(expected), result.output
    for line, wanted in zip(lines, expected, strict=True):
        wanted_line, message = wanted[1:].split(":", 1)
        assert line.startswith(f"{path}:{int(wanted_line) + 1}:{message}"), (line, wanted)  # the good row is line 2
    assert "nothing was stored" in result.output
    db = prepare(tmp_path / "responses.db")
    assert sessions.list_sessions(db, "mini") == []
    db.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("group,date,question,lang,text\n", ":1: the header lacks the columns session"),
        (f"{HEADER},round\n", ":1: the header has unknown columns round"),
        (f"{HEADER}\n", ": the file has no criteria"),
        (
            "group,session,date,question,lang,text\nstudents,3B,2026-03-02,why,fr,Été\n".encode("latin-1").decode(
                "latin-1"
            ),
            None,
        ),
    ],
)
def test_whole_file_problems_are_one_line_each(tmp_path, text, expected):
    if expected is None:  # Latin-1 bytes: not UTF-8
        path = write(tmp_path, text, encoding="latin-1")
        expected = ":2: the file is not UTF-8 text"
    else:
        path = write(tmp_path, text)
    result = cli(tmp_path, "criteria", "mini", "--import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}{expected}" in result.output


def test_participants_that_disagree_within_a_session_are_refused(tmp_path):
    path = write(
        tmp_path, f"{HEADER},participants\nstudents,3B,2026-03-02,why,fr,Un,4\nstudents,3B,2026-03-02,why,fr,Deux,5\n"
    )
    result = cli(tmp_path, "criteria", "mini", "--import", str(path))
    assert result.exit_code == 1
    assert (
        f"{path}:2: the rows of this session (lines 2, 3) give different numbers of participants (4, 5)"
        in result.output
    )


def test_a_criterion_of_a_question_since_removed_stays_stored_but_out_of_the_queue(db, mini):
    session_id = recorded(db, criteria=[("why", "fr", "Gardé"), ("gone", "fr", "Question retirée du fichier")])
    session = sessions.get_session(db, session_id)
    assert [c.text for c in session.criteria] == ["Gardé", "Question retirée du fichier"]
    assert [a.text for a in session_answers([session], {}, mini)] == ["Gardé"]
