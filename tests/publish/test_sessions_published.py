"""Group sessions on every published surface: a session's participants count as respondents of its group, so a
group whose only contributors are a session of 4 is hidden when groups need 5 (with the complementary rule), on
the criteria page, in the PDF and in the data files; its participants are published apart (sessions.csv)."""

from __future__ import annotations

import csv
import re
import shutil

import pytest
from helpers import TEST_SURVEYS
from pypdf import PdfReader

from coresp_survey.answers.database import prepare
from coresp_survey.answers.responses import import_responses
from coresp_survey.answers.responses import iter_responses
from coresp_survey.publish import pages
from coresp_survey.publish.site import build_site
from coresp_survey.survey.catalog import load_catalog
from coresp_survey.workspace import sessions
from coresp_survey.workspace.decisions import decide
from coresp_survey.workspace.moderation import open_answers

STUDENTS_SAID = "Les élèves en ligne disent"
PARENTS_SAID = "Parents in their session said"


def publish(tmp_path, parents: int, with_pdf: bool = False, parents_said: str = PARENTS_SAID):
    """mini with 10 students online and one session of ``parents`` parents, each group with an approved criterion."""
    surveys_dir = tmp_path / "surveys"
    surveys_dir.mkdir(parents=True)
    shutil.copy(TEST_SURVEYS / "mini.yaml", surveys_dir)
    surveys = load_catalog(surveys_dir)
    db = prepare(tmp_path / "responses.db")
    rows = [("2026", "students", {"mood": 1, "why": STUDENTS_SAID if k == 0 else ""}) for k in range(10)]
    import_responses(db, survey="mini", lang="fr", rows=rows)
    session_id = sessions.record_session(db, survey="mini", group="parents", date="2026-03-02", participants=parents,
                                         criteria=[("why", "en", parents_said)], by="ana", at="2026-03-02")  # fmt: skip
    criterion = sessions.get_session(db, session_id).criteria[0]
    online = next(iter(open_answers(surveys["mini"], iter_responses(db, "mini"), {})))
    chosen = [(criterion.id, "why"), (online.response_id, "why")]
    decide(db, survey="mini", answers=chosen, status="approved", families=("B",), at="2026-03-03", by="max")
    db.close()
    return build_site(surveys, tmp_path / "responses.db", tmp_path / "site", with_pdf=with_pdf).out


def page(site, lang: str) -> str:
    return re.sub(r"\s+", " ", (site / pages.criteria(lang, "mini")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_session_of_four_is_a_group_of_four_on_the_criteria_page(tmp_path, lang):
    site = publish(tmp_path, parents=4)
    text = page(site, lang)
    assert PARENTS_SAID not in text  # the parents are 4: hidden
    assert STUDENTS_SAID not in text  # and the students with them, or "all" minus students would give them away
    hidden = re.search(r'<p class="notice">[^<]*</p>', text).group()
    assert ("Parents" in hidden) and ("Élèves" in hidden or "Students" in hidden)


def test_a_session_of_five_publishes_its_criteria_in_their_language(tmp_path):
    site = publish(tmp_path, parents=5)
    text = page(site, "en")
    assert f'<blockquote lang="en"><p>{PARENTS_SAID}</p>' in text and STUDENTS_SAID in text
    assert "by 5 participants" in text
    overview = re.sub(r"\s+", " ", (site / pages.overview("en", "mini")).read_text(encoding="utf-8"))
    assert "Besides them, 5 people took part in group sessions (Parents: 5)" in overview


def test_the_data_files_hold_no_criterion_and_count_the_sessions_apart(tmp_path):
    site = publish(tmp_path, parents=4)
    folder = site / pages.data("mini", "")
    for path in folder.iterdir():
        if path.suffix in (".csv", ".json", ".txt"):
            content = path.read_text(encoding="utf-8")
            assert PARENTS_SAID not in content and STUDENTS_SAID not in content, path
    with (folder / "participation.csv").open(encoding="utf-8") as file:
        participation = list(csv.DictReader(file))
    assert list(participation[0]) == ["survey", "round", "group", "responses"]
    assert {row["group"]: row["responses"] for row in participation}["parents"] == "0"  # online only
    with (folder / "sessions.csv").open(encoding="utf-8") as file:
        assert list(csv.reader(file)) == [
            ["survey", "group", "sessions", "participants"],
            ["mini", "all", "1", "4"],
            ["mini", "parents", "1", "4"],
        ]
    assert "sessions.csv" in (folder / "README.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_pdf_hides_a_session_of_four_and_prints_a_session_of_five(tmp_path):
    for parents, shown in ((4, False), (5, True)):
        site = publish(tmp_path / str(parents), parents=parents, with_pdf=True)
        text = re.sub(
            r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(site / pages.report("en", "mini")).pages)
        )
        assert (PARENTS_SAID in text) is shown, parents
        assert (STUDENTS_SAID in text) is shown, parents


def test_a_hostile_session_criterion_is_published_as_text(tmp_path):
    site = publish(tmp_path, parents=5, parents_said='<script>alert(1)</script><img src=x onerror="alert(2)">')
    text = page(site, "en")
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
