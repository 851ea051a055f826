"""The app as a whole: start-up, configuration, error pages, limits, translations."""

from __future__ import annotations

import multiprocessing

import pytest
from babel.messages.pofile import read_po
from helpers import ROOT
from helpers import SECRET

from coresp_survey import config
from coresp_survey import create_app
from coresp_survey.survey.loader import SurveyInvalid

ROOT = ROOT


def test_app_refuses_to_start_with_an_invalid_survey(tmp_path, surveys_dir):
    (surveys_dir / "broken.yaml").write_text("id: broken\nlanguages: [fr]\ntitel: {fr: x}\n")
    with pytest.raises(SurveyInvalid) as refused:
        create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "r.db", "SECRET_KEY": SECRET})
    lines = str(refused.value).splitlines()
    assert f"{surveys_dir / 'broken.yaml'}:3: unknown key 'titel' in the survey (did you mean 'title'?)" in lines


def test_secret_key_is_made_once_and_shared(tmp_path):
    folder = tmp_path / "instance"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        keys = pool.map(config.secret_key, [folder] * 8)
    assert len(set(keys)) == 1
    assert len(keys[0]) == 64
    assert (folder / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config.secret_key(folder) == keys[0]


def test_app_without_secret_key_keeps_one_beside_the_database(tmp_path, surveys_dir, monkeypatch):
    monkeypatch.delenv("CORESP_SECRET_KEY", raising=False)
    settings = {"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "data" / "r.db"}
    first = create_app(dict(settings))
    second = create_app(dict(settings))
    assert first.secret_key == second.secret_key == (tmp_path / "data" / "secret_key").read_text().strip()


def test_closed_survey_says_so_politely(client):
    page = client.get("/en/closed/")
    assert page.status_code == 200
    assert "This survey closed on January 31, 2020" in page.text
    assert "<form" not in page.text.split("<main")[1].split("</main>")[0]
    assert "An old survey" not in client.get("/en/").text


def test_closed_survey_stores_nothing_on_post(client, db):
    client.post("/en/closed/", data={"note": "late"})
    assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0


def test_a_survey_is_only_served_in_its_languages(client):
    assert client.get("/fr/closed/").status_code == 404
    assert client.get("/en/closed/").status_code == 200


def test_oversized_post_is_refused_with_413(client):
    page = client.post("/en/mini/", data={"remark": "x" * (2 * 1024 * 1024)})
    assert page.status_code == 413
    assert "too large" in page.text


def test_error_pages_are_in_the_language_of_the_address(client):
    assert "Page introuvable" in client.get("/fr/nope/").text
    assert "Page not found" in client.get("/en/nope/").text


def catalog(lang):
    with (ROOT / "coresp_survey" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def test_every_interface_string_has_a_french_translation():
    with (ROOT / "coresp_survey" / "translations" / "messages.pot").open("rb") as pot:
        template_ids = {message.id for message in read_po(pot) if message.id}
    french = catalog("fr")
    missing = [m.id for m in french if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []
    assert template_ids <= {m.id for m in french if m.id}
    assert not [m.id for m in french if m.id and m.fuzzy]


def test_catalog_template_is_up_to_date(tmp_path):
    """Every string in the code is in messages.pot (run pybabel extract when this fails)."""
    from babel.messages.extract import extract_from_dir

    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
    method_map = [("coresp_survey/**.py", "python"), ("coresp_survey/templates/**.html", "jinja2")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(ROOT, method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    with (ROOT / "coresp_survey" / "translations" / "messages.pot").open("rb") as pot:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    assert len(found) > 50
    assert found - known == set()


def test_drafts_abandoned_long_ago_are_forgotten_at_start(app, db):
    from coresp_survey.answers.drafts import save_draft

    save_draft(db, key="old", survey="mini", answers={"mood": ["3"]}, group=None)
    save_draft(db, key="recent", survey="mini", answers={"mood": ["4"]}, group=None)
    db.execute("UPDATE drafts SET updated = '2000-01-01' WHERE key = 'old'")
    create_app(dict(app.config))
    assert [row[0] for row in db.execute("SELECT key FROM drafts")] == ["recent"]
