"""Untrusted survey text and answers: escaped everywhere, odd posts never a 500 or a wrong value."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from helpers import SECRET
from helpers import for_people
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from coresp_survey import create_app
from coresp_survey.answers.database import connect
from coresp_survey.answers.drafts import get_draft
from coresp_survey.answers.responses import iter_responses

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')

HOSTILE = "<script>alert(1)</script>"

HOSTILE_SURVEY = f"""
id: hostile
languages: [en]
title: {{en: "{HOSTILE} title"}}
intro: {{en: "<img src=x onerror=alert(1)> intro"}}
thanks: {{en: "{HOSTILE} thanks"}}
groups:
  - {{id: g, label: {{en: "\\" onmouseover=\\"alert(1)"}}}}
sections:
  - id: only
    title: {{en: "{HOSTILE} section"}}
    questions:
      - id: pick
        type: single
        label: {{en: "{HOSTILE} label"}}
        help: {{en: "{HOSTILE} help"}}
        choices:
          - {{value: a, label: {{en: "{HOSTILE} choice"}}}}
          - {{value: b, label: {{en: "javascript:alert(1)"}}}}
      - id: note
        type: text
        label: {{en: "Note"}}
"""


@pytest.fixture
def hostile_client(tmp_path, surveys_dir):
    (surveys_dir / "hostile.yaml").write_text(HOSTILE_SURVEY, encoding="utf-8")
    app = create_app({"SURVEYS_DIR": surveys_dir, "DATABASE": tmp_path / "h.db", "SECRET_KEY": SECRET})
    return app.test_client()


def test_survey_text_is_escaped_on_every_page(hostile_client):
    from helpers import Respondent

    respondent = Respondent(hostile_client)
    for url in ["/en/", "/en/hostile/"]:
        page = hostile_client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert 'onmouseover="alert' not in page
    page = respondent.post("/en/hostile/", {"group": "g", "pick": "a", "note": HOSTILE})
    assert page.status_code == 303
    thanks = hostile_client.get("/en/hostile/thanks/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thanks" in thanks


def test_typed_script_is_shown_back_escaped(respondent):
    page = respondent.post("/en/mini/", {"group": "students", "mood": "", "age": HOSTILE})
    assert HOSTILE not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    "data",
    [
        {"group": ["students", "parents"], "mood": ["4", "1"]},
        {"group": "students", "mood": "4", "unknown": "x", "mood_other": "y"},
        {"group": "students", "mood": "4.0"},
        {"group": "students", "mood": "4", "age": "12.5"},
        {"group": "students", "mood": "4", "age": "1e3"},
        {"group": "students", "mood": "4", "age": "٣"},
        {"group": "students", "mood": "4", "why": "x" * 5000},
        {"group": "", "mood": ""},
        {"group": "students\x00", "mood": "4\x00"},
    ],
)
def test_odd_posts_are_handled_without_a_server_error(respondent, db, data):
    page = respondent.post("/en/mini/", data)
    assert page.status_code in (200, 303)
    for response in iter_responses(db, "mini"):
        pytest.fail(f"a first page never stores a response, got {response}")


def test_repeated_values_count_once_and_as_typed(respondent, db):
    respondent.post("/en/mini/", {"group": ["parents", "students"], "mood": ["4", "1"], "age": "12"})
    respondent.post("/en/mini/page/last/", {})
    (stored,) = iter_responses(db, "mini")
    assert stored.group == "parents" and stored.answers["mood"] == 4


def test_invalid_utf8_is_refused_clearly_storing_nothing(respondent, client, db):
    """Werkzeug drops a form body that is not UTF-8, token included: the CSRF page explains."""
    token = respondent.token("/en/mini/")
    body = b"csrf_token=" + token.encode() + b"&group=students&mood=4&age=\xff\xfe"
    page = client.post("/en/mini/", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "could not be sent" in page.text
    assert db.execute("SELECT count(*) FROM drafts WHERE answers != '{}'").fetchone()[0] == 0


def test_answer_to_a_hidden_question_is_never_stored(respondent, db):
    respondent.post("/en/mini/", {"group": "parents", "mood": "4", "why": "should vanish"})
    respondent.client.post(
        "/en/mini/page/second/", data={"csrf_token": respondent.token("/en/mini/"), "transport": "bus"}
    )
    respondent.post("/en/mini/page/last/", {})
    (stored,) = iter_responses(db, "mini")
    assert "why" not in stored.answers and "transport" not in stored.answers


# -- every kind of odd answer, against a survey made for it ----------------------------------------

ODD_SURVEY = """
id: odd
languages: [en, fr]
title: {en: "Odd answers", fr: "Réponses bizarres"}
sections:
  - id: first
    title: {en: "First", fr: "Première"}
    questions:
      - {id: name, type: text, max_length: 10, label: {en: "Name", fr: "Nom"}}
      - {id: story, type: long_text, max_length: 50, label: {en: "Story", fr: "Histoire"}}
      - {id: count, type: number, integer: true, min: 0, max: 10, label: {en: "Count", fr: "Nombre"}}
      - {id: ratio, type: number, label: {en: "Ratio", fr: "Ratio"}}
      - {id: level, type: scale, scale: agree5, required: true, label: {en: "Level", fr: "Niveau"}}
      - id: pick
        type: single
        other: true
        label: {en: "Pick", fr: "Choix"}
        choices:
          - {value: a, label: {en: "A", fr: "A"}}
          - {value: b, label: {en: "B", fr: "B"}}
      - id: picks
        type: multiple
        other: true
        max: 2
        label: {en: "Picks", fr: "Choix multiples"}
        choices:
          - {value: x, label: {en: "X", fr: "X"}}
          - {value: y, label: {en: "Y", fr: "Y"}}
          - {value: z, label: {en: "Z", fr: "Z"}}
  - id: last
    title: {en: "Last", fr: "Dernière"}
    questions:
      - {id: secret, type: text, required: true, show_if: "pick == 'b'", label: {en: "Secret", fr: "Secret"}}
      - {id: more, type: text, show_if: "'x' in picks", label: {en: "More", fr: "Plus"}}
      - id: sure
        type: single
        label: {en: "Sure?", fr: "Sûr ?"}
        choices:
          - {value: ok, label: {en: "OK", fr: "OK"}}
          - {value: ko, label: {en: "KO", fr: "KO"}}
      - {id: why, type: long_text, show_if: "answered(name) and sure == 'ok'", label: {en: "Why?", fr: "Pourquoi ?"}}
"""


@pytest.fixture(scope="module")
def odd_app(tmp_path_factory):
    """One app for many generated respondents (each with a fresh browser): start-up is the slow part."""
    folder = tmp_path_factory.mktemp("odd")
    (folder / "surveys").mkdir()
    (folder / "surveys" / "odd.yaml").write_text(ODD_SURVEY, encoding="utf-8")
    return create_app({"SURVEYS_DIR": folder / "surveys", "DATABASE": folder / "odd.db", "SECRET_KEY": SECRET})


INVALID = object()
"""What the model expects when an answer must be refused."""

NUMBERS = {  # typed → (as an integer question, as a decimal question)
    "3": (3, 3), " 7 ": (7, 7), "10": (10, 10), "11": (INVALID, 11), "-0": (0, 0), "3,5": (INVALID, 3.5),
    ".5": (INVALID, 0.5), "1 234": (INVALID, 1234), "12.0": (INVALID, 12), "٣": (3, 3), "-1": (INVALID, -1),
    "twelve": (INVALID, INVALID), "1e3": (INVALID, INVALID), "NaN": (INVALID, INVALID), "0x1F": (INVALID, INVALID),
    "1" * 31: (INVALID, INVALID), "": (None, None), "  ": (None, None), "<b>": (INVALID, INVALID),
}  # fmt: skip
LEVELS = {"1": 1, "5": 5, " 2 ": 2, "0": INVALID, "6": INVALID, "4.0": INVALID, "two": INVALID, "": None}
CHOICE_VALUES = ["a", "b", "other", "", "x", "y", "z", "ok", "ko", "A", " a", "a\x00", "<script>"]
TEXTS = st.one_of(
    st.sampled_from(
        ["", "  ", "ok", "é" * 10, "é" * 11, "x" * 50, "x" * 51, "x" * 201, " lead", "a\r\nb", "a\rb", "\t=1+1",
         "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</textarea><b>", "=HYPERLINK(\"x\")",
         "a\x00b", "\x1b[31m", "\u202eevil", "\u2028", "😀" * 10, "😀" * 11, "'><i>"]
    ),
    st.text(max_size=12),
)  # fmt: skip
HONEST_TEXTS = st.sampled_from(["", "ok", " lead ", "a\r\nb", "<script>", "=1+1", "\t@SUM(1)", "é" * 10, "😀" * 10])
HONEST = {
    "name": HONEST_TEXTS, "story": HONEST_TEXTS, "count": st.sampled_from(["", "3", " 7 ", "٣", "-0"]),
    "ratio": st.sampled_from(["", "3,5", "1 234", ".5", "-1"]), "level": st.sampled_from(["1", "5", " 2 "]),
    "pick": st.sampled_from(["a", "b", ""]), "pick_other": HONEST_TEXTS, "picks": st.sampled_from(["x", "y", "z"]),
    "picks_other": HONEST_TEXTS, "secret": HONEST_TEXTS, "more": HONEST_TEXTS, "sure": st.sampled_from(["ok", "ko", ""]),
    "why": HONEST_TEXTS,
}  # fmt: skip
ANY = {
    "name": TEXTS, "story": TEXTS, "count": st.sampled_from(sorted(NUMBERS)), "ratio": st.sampled_from(sorted(NUMBERS)),
    "level": st.sampled_from(sorted(LEVELS)), "pick": st.sampled_from(CHOICE_VALUES), "pick_other": TEXTS,
    "picks": st.sampled_from(CHOICE_VALUES), "picks_other": TEXTS, "secret": TEXTS, "more": TEXTS,
    "sure": st.sampled_from(CHOICE_VALUES), "why": TEXTS, "group": st.sampled_from(CHOICE_VALUES),
    "unknown": TEXTS, "_reached": st.just("last"),
}  # fmt: skip
FIRST_FIELDS = ["name", "story", "count", "ratio", "level", "pick", "pick_other", "picks", "picks_other"]
LAST_FIELDS = ["secret", "more", "sure", "why"]


@st.composite
def page_posts(draw, fields: list[str]) -> dict[str, list[str]]:
    """A page as a browser may send it: mostly honest, but any field missing, repeated, odd, or a stray."""
    sent = {}
    for name in [*fields, "group", "unknown", "_reached"]:
        if draw(st.sampled_from(["absent", *["sent"] * (5 if name in fields else 1)])) == "absent":
            continue
        honest = name in HONEST and draw(st.sampled_from([True] * 12 + [False]))
        values = HONEST[name] if honest else ANY[name]
        sent[name] = draw(st.lists(values, min_size=1, max_size=2 if honest else 3))
    return sent


def clean(text: str) -> str:
    """The stored form of a typed text, as the contract gives it: trimmed, one kind of line end, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def expected_answers(first: dict, last: dict) -> dict | object:
    """What must be stored for these two pages, or INVALID when the response must be refused."""
    sent = {**first, **last}
    answers: dict = {}

    def one(name: str) -> str | None:
        return sent[name][0] if name in sent else None

    def text(name: str, limit: int, required: bool = False) -> None:
        value = clean(one(name) or "")
        if len(value) > limit or (required and not value):
            raise Refused
        if value:
            answers[name] = value

    def number(name: str, integer: bool) -> None:
        value = NUMBERS[one(name) or ""][0 if integer else 1]
        if value is INVALID:
            raise Refused
        if value is not None:
            answers[name] = value

    def other_text(name: str, chosen: list) -> None:
        typed = clean(one(f"{name}_other") or "")
        if chosen and len(typed) > 200 or "other" in chosen and not typed:
            raise Refused
        if "other" in chosen:
            answers[f"{name}_other"] = typed

    try:
        text("name", 10)
        text("story", 50)
        number("count", integer=True)
        number("ratio", integer=False)
        level = LEVELS.get(one("level") or "", INVALID)
        if level is None or level is INVALID:
            raise Refused  # required
        answers["level"] = level
        pick = one("pick") or None
        if pick is None and clean(one("pick_other") or ""):
            pick = "other"  # text typed in the "Other" box counts as choosing it
        if pick is not None and pick not in ("a", "b", "other"):
            raise Refused
        if pick is not None:
            answers["pick"] = pick
        other_text("pick", [pick] if pick else [])
        picks = list(dict.fromkeys(sent.get("picks", [])))
        if clean(one("picks_other") or "") and "other" not in picks:
            picks.append("other")
        if any(value not in ("x", "y", "z", "other") for value in picks) or len(picks) > 2:
            raise Refused
        if picks:
            answers["picks"] = picks
        other_text("picks", picks)
        if pick == "b":
            text("secret", 200, required=True)
        if "x" in picks:
            text("more", 200)
        sure = one("sure") or None
        if sure is not None and sure not in ("ok", "ko"):
            raise Refused
        if sure is not None:
            answers["sure"] = sure
        if "name" in answers and sure == "ok":
            text("why", 4000)
    except Refused:
        return INVALID
    return answers


class Refused(Exception):
    pass


def odd_responses(db_path) -> dict[str, dict]:
    db = connect(db_path)
    try:
        return {response.id: response.answers for response in iter_responses(db, "odd")}
    finally:
        db.close()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rehearsal=st.one_of(st.none(), page_posts(LAST_FIELDS)),
    first=page_posts(FIRST_FIELDS),
    last=page_posts(LAST_FIELDS),
)
def test_any_post_stores_exactly_what_the_rules_allow_or_nothing(odd_app, rehearsal, first, last):
    """Missing, repeated, oversized, wrongly typed, unknown and hidden answers: never a 500, never a wrong value.

    A model of the contract says, for what the two pages last sent, which
    response must be stored, or that none may be; the app must agree exactly.
    """
    from helpers import CSRF

    before = odd_responses(odd_app.config["DATABASE"])
    browser = odd_app.test_client()
    token = CSRF.search(browser.get("/en/odd/").text).group(1)
    replies = []
    for url, data in [("/en/odd/page/last/", rehearsal), ("/en/odd/", first), ("/en/odd/page/last/", last)]:
        if data is not None:
            replies.append(browser.post(url, data={**data, "csrf_token": token, "_nav": "next"}))
    assert all(reply.status_code in (200, 303) for reply in replies), [reply.status_code for reply in replies]
    stored = {k: v for k, v in odd_responses(odd_app.config["DATABASE"]).items() if k not in before}
    expected = expected_answers(first, last)
    event("refused" if expected is INVALID else "stored")
    if expected is INVALID:
        assert stored == {}
        assert replies[-1].location != "/en/odd/thanks/"
    else:
        assert replies[-1].location == "/en/odd/thanks/"
        assert list(stored.values()) == [expected]


def odd_client(odd_app):
    from helpers import Respondent

    return Respondent(odd_app.test_client())


def test_a_flood_of_repeated_values_costs_no_more_than_an_honest_post(odd_app):
    """60,000 check-box values in one post (just under 1 MiB) took 27 s of CPU before: one worker blocked per post."""
    import time

    browser = odd_client(odd_app)
    token = browser.token("/en/odd/")
    body = f"csrf_token={token}&level=3&name=" + "n" * 5 + "&" + "&".join(f"picks=v{i}" for i in range(60_000))
    body += "&" + "&".join("pick=a" for _ in range(30_000))
    started = time.perf_counter()
    page = browser.client.post("/en/odd/", data=body, content_type="application/x-www-form-urlencoded")
    assert time.perf_counter() - started < 3
    assert page.status_code == 200 and "Please choose among the options." in page.text
    odd_db = connect(odd_app.config["DATABASE"])
    kept = get_draft(odd_db, _drafts(browser.client)["odd"]).answers
    odd_db.close()
    assert kept["picks"] == ["v0", "v1", "v2", "v3", "v4"]  # one more than the four choices: still refused
    assert kept["pick"] == ["a"] and kept["name"] == ["nnnnn"]


def _drafts(client) -> dict:
    with client.session_transaction() as session:
        return session["drafts"]


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("é" * 10, "é" * 10),
        ("😀" * 10, "😀" * 10),
        (" " + "x" * 10 + "\n", "x" * 10),
        ("é" * 11, None),
        ("x" * 11, None),
    ],
)
def test_max_length_counts_characters_after_trimming(odd_app, name, stored):
    browser = odd_client(odd_app)
    before = set(odd_responses(odd_app.config["DATABASE"]))
    first = browser.post("/en/odd/", {"level": "3", "name": name})
    if stored is None:
        assert first.status_code == 200 and "Please shorten your answer to 10 characters (it has 11)." in first.text
    assert browser.post("/en/odd/page/last/", {}).status_code == 303
    new = [a for k, a in odd_responses(odd_app.config["DATABASE"]).items() if k not in before]
    assert new == ([] if stored is None else [{"level": 3, "name": stored}])


TYPED_HOSTILE = ["</textarea><script>alert(1)</script>", '"><script>alert(1)</script>', "'><svg onload=alert(1)>"]


@pytest.mark.parametrize("typed", TYPED_HOSTILE)
def test_typed_markup_comes_back_escaped_in_every_kind_of_field(odd_app, typed):
    """In a text input, a textarea and an "Other" box, when a page is shown again with errors and from the draft."""
    browser = odd_client(odd_app)
    fields = {"name": typed[:10], "story": typed, "pick": "other", "pick_other": typed, "picks": "x", "count": typed}
    shown_again = browser.post("/en/odd/", {**fields, "level": "3"})
    assert shown_again.status_code == 200  # the count is not a number: the page comes back with the answers
    from_draft = browser.client.get("/en/odd/")
    for page in (shown_again, from_draft):
        assert "<script>" not in page.text and "<svg" not in page.text
        assert "&lt;script&gt;" in page.text or "&lt;svg" in page.text


def test_an_earlier_text_answer_read_by_a_live_condition_is_escaped_in_the_page(odd_app):
    """``why`` depends on ``name`` (page one) and ``sure`` (its own page): the page carries name's answer as JSON."""
    browser = odd_client(odd_app)
    assert browser.post("/en/odd/", {"level": "3", "name": "'><i>x</i>"}).status_code == 303
    page = browser.client.get("/en/odd/page/last/").text
    known = re.search(r"data-known='([^']*)'", page)
    assert known, "the last page should carry the answers its live conditions read"
    assert "<i>" not in page
    assert json.loads(html.unescape(known.group(1))) == {"name": "'><i>x</i>"}


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1"]


def test_formulas_typed_anywhere_are_inert_in_csv_and_xlsx(odd_app, tmp_path):
    """Every text a respondent types (open answers and "Other" boxes) comes out as text, read back as a spreadsheet would."""
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from coresp_survey.cli import main

    for formula in FORMULAS:
        browser = odd_client(odd_app)
        first = {"level": "3", "name": formula[:10], "story": formula, "pick": "other", "pick_other": formula}
        assert browser.post("/en/odd/", first).status_code == 303
        assert browser.post("/en/odd/page/last/", {"sure": "ok", "why": formula}).location == "/en/odd/thanks/"
    settings = ["--surveys", str(odd_app.config["SURVEYS_DIR"]), "--db", str(odd_app.config["DATABASE"])]
    out = tmp_path / "odd.xlsx"
    runner = CliRunner()
    as_csv = runner.invoke(main, [*settings, "export", "odd"])
    assert runner.invoke(main, [*settings, "export", "odd", "--format", "xlsx", "--out", str(out)]).exit_code == 0
    sheet = load_workbook(out).active
    csv_rows = list(csv.reader(io.StringIO(for_people(as_csv.stdout))))
    xlsx_rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert csv_rows[0] == xlsx_rows[0] and len(csv_rows) == len(xlsx_rows) > len(FORMULAS)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    typed = [csv_rows[0].index(name) for name in ("name", "story", "pick_other", "picks_other", "why", "more")]
    texts = [row[i] for row in csv_rows[1:] for i in typed if row[i]]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert '\'=HYPERLINK("http://evil","x")' in texts and "'=1+1" in texts and "'+1+1" in texts
    # In XLSX, a text cell holds exactly the text typed; the quote-prefix style keeps a formula-like one inert.
    cells = [row[i] for row in sheet.iter_rows(min_row=2) for i in typed if row[i].value not in (None, "")]
    assert {cell.value for cell in cells} >= {*FORMULAS[:4], "=1+1"}  # stored stripped of leading blanks
    assert all(cell.data_type == "s" for cell in cells)
    assert all(cell.quotePrefix for cell in cells if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")))


def test_a_wrong_or_foreign_csrf_token_on_the_last_page_stores_nothing(odd_app):
    browser = odd_client(odd_app)
    before = odd_responses(odd_app.config["DATABASE"])
    assert browser.post("/en/odd/", {"level": "3"}).status_code == 303
    token = browser.token("/en/odd/page/last/")
    foreign = odd_client(odd_app).token("/en/odd/")
    for wrong in [token[:-4] + "AAAA", foreign, "", "x" * 5000]:
        page = browser.client.post("/en/odd/page/last/", data={"csrf_token": wrong, "_nav": "next", "sure": "ok"})
        assert page.status_code == 400 and "could not be sent" in page.text
    assert odd_responses(odd_app.config["DATABASE"]) == before
    assert browser.client.post("/en/odd/again/", data={}).status_code == 400
    assert browser.post("/en/odd/page/last/", {"sure": "ok"}).location == "/en/odd/thanks/"


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_one_cookie_with_safe_flags_over_a_whole_visit(odd_app, base_url):
    """Every Set-Cookie of every answer, error pages included, is the session, HttpOnly, Lax, Secure over HTTPS."""
    client = odd_app.test_client()
    seen = []

    def visit(method: str, url: str, **kwargs):
        reply = client.open(url, method=method, base_url=base_url, **kwargs)
        seen.extend(reply.headers.getlist("Set-Cookie"))
        return reply

    visit("GET", "/en/odd/?group=zz")
    token = CSRF_INPUT.search(visit("GET", "/en/odd/").text).group(1)
    visit("POST", "/en/odd/", data={"csrf_token": "wrong", "level": "3"})
    visit("POST", "/en/odd/", data={"csrf_token": token, "level": "3", "_nav": "switch"})
    visit("POST", "/en/odd/", data={"csrf_token": token, "level": "3"})
    visit("GET", "/en/nope/")
    visit("POST", "/en/odd/page/last/", data={"csrf_token": token, "sure": "ko"})
    visit("GET", "/en/odd/thanks/")
    visit("POST", "/en/odd/again/", data={"csrf_token": token})
    visit("GET", "/en/odd/")
    assert seen
    for cookie in seen:
        assert cookie.startswith("coresp_session=")
        flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/"} <= flags, cookie
        assert ("secure" in flags) == base_url.startswith("https"), cookie


def test_every_kind_of_answer_carries_the_security_headers(app):
    """Pages, redirects, error pages (400, 404, 405, 413, 500) and static files alike."""
    app.add_url_rule("/boom/", "boom", lambda: 1 / 0)  # a bug anywhere must still get the headers
    client = app.test_client()
    answers = {
        "page": client.get("/en/mini/"),
        "redirect": client.get("/"),
        "csrf": client.post("/en/mini/", data={"mood": "3"}),
        "not found": client.get("/en/nope/"),
        "method": client.delete("/en/mini/"),
        "too large": client.post("/en/mini/", data={"why": "x" * (2 * 1024 * 1024)}),
        "server error": client.get("/boom/"),
        "static": client.get("/static/live.js"),
    }
    statuses = {name: reply.status_code for name, reply in answers.items()}
    assert statuses == {
        "page": 200, "redirect": 302, "csrf": 400, "not found": 404, "method": 405, "too large": 413,
        "server error": 500, "static": 200,
    }  # fmt: skip
    for name, reply in answers.items():
        policy = reply.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, name
        assert reply.headers.get("X-Content-Type-Options") == "nosniff", name
        assert reply.headers.get("Referrer-Policy") == "same-origin", name
        assert reply.headers.get("X-Frame-Options") == "DENY", name
    for reply in answers.values():
        reply.close()  # the static file is sent straight from disk
    assert "Too much data" in answers["too large"].text
    assert "Traceback" not in answers["server error"].text and "ZeroDivisionError" not in answers["server error"].text
