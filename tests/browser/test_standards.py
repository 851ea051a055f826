"""Every kind of page a respondent can meet, checked by axe-core (WCAG 2.1 A/AA) in Chromium
and by the W3C HTML checker: survey lists, every page of each survey in both languages,
error states, thanks, already answered, welcome back, closed, 404, CSRF failures, code entry,
and a kiosk's pages (its idle warning shown, its thanks page that starts afresh).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .checks import axe_violations
from .checks import describe_violations
from .checks import enlarged_text_spills
from .checks import html_errors
from .conftest import Watch
from .respondent import Respondent

pytestmark = pytest.mark.slow

WIDE = {"width": 1024, "height": 768}
WIDTHS = (320, 640, 768, 1024)
"""A small phone (or 400% zoom, WCAG 1.4.10), a small tablet, the narrowest screen with scales side by side, a PC."""

SPILLS = """() => {
  const spills = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    spills.push(`the page is ${document.documentElement.scrollWidth} px wide`);
  }
  for (const element of document.body.querySelectorAll("*")) {
    if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1
        && getComputedStyle(element).overflowX === "visible") {
      const text = element.textContent.trim().replace(/\\s+/g, " ").slice(0, 50);
      spills.push(`${element.tagName.toLowerCase()}.${element.className} (${text}) is ${element.scrollWidth} px wide in ${element.clientWidth} px`);
    }
  }
  return spills;
}"""


@dataclass
class Stop:
    name: str
    url: str
    status: int
    html: str
    violations: list[dict]
    spills: list[str]
    """What sticks out at each width: the page itself, or text out of its box."""


class Tour:
    """A respondent going everywhere; at each stop, axe runs and the served HTML is kept."""

    def __init__(self, browser, server) -> None:
        self.browser = browser
        self.server = server
        self.stops: list[Stop] = []
        self.contexts = []
        self.watches: list[Watch] = []

    def respondent(self, script: bool = True) -> Respondent:
        """A browser of its own; without the script, the page stays as sent (every question shown).

        (axe-core needs JavaScript, so "no script" blocks the app's script rather than all of them.)
        """
        context = self.browser.new_context(viewport=WIDE)
        context.set_default_timeout(15_000)
        if not script:
            context.route("**/static/live.js", lambda route: route.abort())
        self.contexts.append(context)
        self.watches.append(Watch(context, self.server, console=False))  # 400 and 404 are logged
        return Respondent(context.new_page(), self.server)

    def stop(self, me: Respondent, name: str, status: int) -> None:
        violations = axe_violations(me.page)
        spills = []
        for width in WIDTHS:
            me.page.set_viewport_size({"width": width, "height": 768})
            spills.extend(f"at {width} px: {spill}" for spill in me.page.evaluate(SPILLS))
        me.page.set_viewport_size(WIDE)
        spills.extend(enlarged_text_spills(me.page))
        self.stops.append(Stop(name, me.path, status, me.html, violations, spills))

    def __iter__(self):
        return iter(self.stops)

    def __len__(self) -> int:
        return len(self.stops)

    @property
    def elsewhere(self) -> list[str]:
        return [url for watch in self.watches for url in watch.elsewhere]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def school_survey(tour: Tour, lang: str, script: bool) -> None:
    """As a teacher, so all seven pages show; with the error states of pages 1 and 3."""
    me = tour.respondent(script)
    status = me.open(f"/{lang}/college-bien-etre/")
    tour.stop(me, f"{lang} school page 1 (group choice)", status)
    tour.stop(me, f"{lang} school page 1, errors", me.next())
    me.choose("group", "enseignants")
    assert me.shown("niveau") == (not script)  # a pupils' question
    me.choose("cantine", "parfois")
    me.type("anciennete", "2")
    answers = {
        3: {"lieux_preferes": ["cdi", "other"]},
        4: {"relations_eleves": [3]},
        5: {"equite": [3]},
        6: {"plaisir_venir": [3], "securite": [1]},
    }
    for number in range(2, 8):
        me.next()
        if number == 3:
            tour.stop(me, f"{lang} school page 3, errors", me.next())
            me.choose("toilettes", 4)
            me.type("lieux_preferes_other", "le préau")
        for name, values in answers.get(number, {}).items():
            me.choose(name, *values)
        tour.stop(me, f"{lang} school page {number}", 200)
    tour.stop(me, f"{lang} school thanks", me.next())
    tour.stop(me, f"{lang} school already answered", me.open(f"/{lang}/college-bien-etre/"))


def neighbourhood_survey(tour: Tour, lang: str) -> None:
    code = tour.server.codes("quartier-bien-vivre", "aines")[0]
    me = tour.respondent()
    tour.stop(me, f"{lang} neighbourhood code entry", me.open(f"/{lang}/quartier-bien-vivre/"))
    me.type("code", "WRONG-CODE1")
    tour.stop(me, f"{lang} neighbourhood code refused", me.next())
    me.type("code", code)
    me.choose("transport", "bus", "other")
    me.type("transport_other", "roller")
    for number in range(2, 5):
        me.next()
        if number == 3:
            me.choose("logement_qualite", 3)
            me.choose("securite_nuit", 3)
        tour.stop(me, f"{lang} neighbourhood page {number}", 200)
    tour.stop(me, f"{lang} neighbourhood thanks", me.next())


def returning_and_refused(tour: Tour) -> None:
    me = tour.respondent()
    me.open("/en/college-bien-etre/")
    me.choose("group", "eleves")
    me.next()
    me.next()
    tour.stop(me, "en school welcome back", me.open("/en/college-bien-etre/"))

    # A page sent with a stale token: shown again with what was typed, and why (400).
    me.page.eval_on_selector("input[name=csrf_token]", "input => input.value = 'stale'")
    tour.stop(me, "en CSRF failure on a form page", me.next())
    # A token refused where there is no form to show again: the error page (400).
    me.open("/en/college-bien-etre/thanks/")
    me.page.eval_on_selector("input[name=csrf_token]", "input => input.value = 'stale'")
    tour.stop(me, "en CSRF failure, error page", me.navigate(lambda: me.page.click("form.again button")))


def kiosk_survey(tour: Tour) -> None:
    """A kiosk (tests/surveys/kiosk.yaml), its timers on the test's clock: the warning before it starts afresh."""
    me = tour.respondent()
    me.page.clock.install()
    tour.stop(me, "en kiosk page 1", me.open("/en/kiosk/?group=pupils"))
    me.choose("mood", 3)
    me.next()
    me.page.clock.run_for(4 * 60 * 1000 + 35 * 1000)  # 25 s before it starts afresh
    assert me.page.is_visible("#idle-warning")
    tour.stop(me, "en kiosk page 2, idle warning", 200)
    tour.stop(me, "en kiosk thanks", me.next())


@pytest.fixture(scope="module")
def tour(browser, server) -> Tour:
    tour = Tour(browser, server)
    try:
        me = tour.respondent()
        for lang in ("fr", "en"):
            tour.stop(me, f"{lang} survey list", me.open(f"/{lang}/"))
        school_survey(tour, "fr", script=True)
        school_survey(tour, "en", script=False)
        neighbourhood_survey(tour, "fr")
        neighbourhood_survey(tour, "en")
        returning_and_refused(tour)
        kiosk_survey(tour)
        tour.stop(me, "en closed survey", me.open("/en/closed/"))
        tour.stop(me, "en page not found", me.open("/en/no-such-survey/"))
        tour.stop(me, "page not found, no language", me.open("/xx/"))
        tour.stop(me, "fr survey not in French", me.open("/fr/closed/"))
        yield tour
    finally:
        tour.close()


def test_the_tour_meets_every_kind_of_page(tour):
    statuses = {stop.name: stop.status for stop in tour}
    assert statuses["en school page 1, errors"] == statuses["en neighbourhood code refused"] == 200
    assert statuses["en CSRF failure on a form page"] == statuses["en CSRF failure, error page"] == 400
    assert statuses["en page not found"] == statuses["page not found, no language"] == 404
    assert statuses["fr survey not in French"] == 404
    assert all(stop.status == 200 for stop in tour if stop.status not in (400, 404))
    assert {stop.url for stop in tour if stop.name.endswith("thanks")} == {
        f"/{lang}/{survey}/thanks/" for lang in ("fr", "en") for survey in ("college-bien-etre", "quartier-bien-vivre")
    } | {"/en/kiosk/thanks/"}
    assert statuses["en kiosk page 1"] == statuses["en kiosk page 2, idle warning"] == 200
    assert len([stop for stop in tour if " school page " in stop.name and "errors" not in stop.name]) == 14


def test_no_page_asks_another_host(tour):
    assert tour.elsewhere == []


def test_axe_finds_no_violation_on_any_page(tour):
    failures = [
        f"== {stop.name} ({stop.url})\n{describe_violations(stop.violations)}" for stop in tour if stop.violations
    ]
    assert not failures, f"axe-core violations on {len(failures)} of {len(tour)} pages:\n" + "\n".join(failures)


def test_every_page_fits_narrow_and_wide_screens(tour):
    """No sideways scrolling at 320 CSS pixels (reflow), nor on a 360 px phone with text at 200% (WCAG 1.4.4), and
    no text out of its box at any width."""
    spilled = [f"== {stop.name} ({stop.url})\n" + "\n".join(stop.spills) for stop in tour if stop.spills]
    assert not spilled, "\n".join(spilled)


def test_the_html_of_every_page_is_valid(tour, tmp_path):
    files = []
    for number, stop in enumerate(tour):
        path = tmp_path / f"{number:02d}-{stop.name.replace(' ', '-').replace(',', '')}.html"
        path.write_text(stop.html, encoding="utf-8")
        files.append(path)
    assert html_errors(files) == []
