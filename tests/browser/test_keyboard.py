"""Keyboard only (Tab, Space, arrows, Enter; never the mouse): a whole survey, the skip link,
a visible focus everywhere, and pages sent with errors that lead straight to the field.
"""

from __future__ import annotations

import uuid

import pytest

from .respondent import Respondent

pytestmark = pytest.mark.slow

JS = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]

FOCUS_STYLE = """() => {
  const element = document.activeElement, style = getComputedStyle(element), box = element.getBoundingClientRect();
  return {
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    shadow: style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
      && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
  };
}"""


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def in_view(page, selector: str) -> bool:
    """Whether the element is wholly inside the window, as scrolled now."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def assert_focus_visible(page, what: str) -> None:
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline"] >= 2 or style["shadow"], f"no visible focus indicator on {what}: {style}"
    assert style["onScreen"], f"{what} has the focus but is not on screen: {style}"


@pytest.mark.parametrize("javascript", JS)
def test_a_whole_survey_with_the_keyboard_only(server, new_page, javascript):
    page = new_page(javascript)
    me = Respondent(page, server)
    word = "kbd-" + uuid.uuid4().hex[:12]
    me.open("/en/")

    # The skip link comes first, shows when focused, and moves the focus to the content.
    page.keyboard.press("Tab")
    assert focused_matches(page, "a.skip-link")
    assert_focus_visible(page, "the skip link")
    page.keyboard.press("Enter")
    assert focused_matches(page, "main#main")
    tab_to(page, "main a[href='/en/college-bien-etre/']")
    assert_focus_visible(page, "a link")
    me.navigate(lambda: page.keyboard.press("Enter"))
    assert me.progress()[0] == 1

    # Page 1: arrows choose within a radio group; Enter in a text field sends the page.
    tab_to(page, "input[name=group]")
    assert_focus_visible(page, "a radio button")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert me.chosen("group") == ["personnels"]
    tab_to(page, "#q-anciennete")
    assert_focus_visible(page, "a text field")
    page.keyboard.type("7")
    tab_to(page, "input[name=cantine]")
    page.keyboard.press("Space")
    assert me.chosen("cantine") == ["chaque_jour"]
    tab_to(page, "#q-un_mot")
    page.keyboard.type(word)
    me.navigate(lambda: page.keyboard.press("Enter"))
    assert me.lang == "en" and me.progress() == (2, 7), "Enter in a text field must mean Next"

    # Page 2: a multi-line answer (Enter is a new line there), then the Next button.
    tab_to(page, "#q-bien_etre")
    page.keyboard.type("Calm.")
    page.keyboard.press("Enter")
    page.keyboard.type("Kind people.")
    tab_to(page, "button[name=_nav][value=next]")
    assert_focus_visible(page, "the Next button")
    me.navigate(lambda: page.keyboard.press("Enter"))
    assert me.progress() == (3, 7)

    # Page 3: a scale with Space and arrows, check boxes with Space; the Previous button too.
    tab_to(page, "input[name=toilettes]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert me.chosen("toilettes") == ["2"]
    tab_to(page, "input[name=lieux_preferes][value=cour]")
    assert_focus_visible(page, "a check box")
    page.keyboard.press("Space")
    tab_to(page, "button[name=_nav][value=back]")
    assert_focus_visible(page, "the Previous button")
    me.navigate(lambda: page.keyboard.press("Space"))
    assert me.progress() == (2, 7) and me.typed("bien_etre") == "Calm.\nKind people."
    tab_to(page, "button[name=_nav][value=next]")
    me.navigate(lambda: page.keyboard.press("Space"))
    assert me.chosen("toilettes") == ["2"] and me.chosen("lieux_preferes") == ["cour"]
    tab_to(page, "button[name=_nav][value=next]")
    me.navigate(lambda: page.keyboard.press("Enter"))

    # Pages 4 and 5: one required scale each.
    for required in ("relations_eleves", "equite"):
        tab_to(page, f"input[name={required}]")
        page.keyboard.press("Space")
        tab_to(page, "button[name=_nav][value=next]")
        me.navigate(lambda: page.keyboard.press("Enter"))
    assert me.progress() == (6, 7)

    # Page 6: a low feeling of safety brings the question that follows it (live with JS).
    tab_to(page, "input[name=plaisir_venir]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=securite]")
    page.keyboard.press("Space")
    tab_to(page, "#q-insecurite_recit")
    page.keyboard.type("At the gate.")
    tab_to(page, "button[name=_nav][value=next]")
    me.navigate(lambda: page.keyboard.press("Enter"))

    # Page 7 (staff only), then the thanks page.
    assert me.progress() == (7, 7)
    tab_to(page, "button[name=_nav][value=next]")
    me.navigate(lambda: page.keyboard.press("Enter"))
    assert me.path == "/en/college-bien-etre/thanks/"
    stored = server.response_with("college-bien-etre", "un_mot", word)
    assert stored["group_id"] == "personnels"
    assert stored["answers"] == {
        "anciennete": 7,
        "cantine": "chaque_jour",
        "un_mot": word,
        "bien_etre": "Calm.\nKind people.",
        "toilettes": 2,
        "lieux_preferes": ["cour"],
        "relations_eleves": 1,
        "equite": 1,
        "plaisir_venir": 1,
        "securite": 1,
        "insecurite_recit": "At the gate.",
    }


@pytest.mark.parametrize("javascript", JS)
def test_errors_are_summed_up_and_lead_to_their_field(server, new_page, javascript):
    page = new_page(javascript, width=360, height=740)  # a phone
    me = Respondent(page, server)
    me.open("/fr/college-bien-etre/")
    me.type("anciennete", "trois")
    me.choose("cantine", "parfois")
    me.type("un_mot", "accueillant")
    assert me.next() == 200

    # The summary says what is wrong, has the focus, and is announced.
    assert page.title().startswith("Erreur")
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.get_attribute("role") == "alert"
    assert focused_matches(page, ".error-summary")
    assert me.errors() == [
        "Merci d’indiquer à quel groupe vous appartenez.",
        "Depuis combien d'années fréquentez-vous ce collège ? — Merci d’indiquer un nombre entier, par exemple 12.",
    ]

    # What was typed is still there, the wrong field is marked and described by its message.
    assert me.typed("anciennete") == "trois" and me.typed("un_mot") == "accueillant"
    assert me.chosen("cantine") == ["parfois"]
    field = page.locator("#q-anciennete")
    assert field.get_attribute("aria-invalid") == "true"
    assert "q-anciennete-error" in field.get_attribute("aria-describedby").split()
    assert page.inner_text("#q-anciennete-error").endswith("Merci d’indiquer un nombre entier, par exemple 12.")
    group_set = page.locator("#q-group-1").locator("xpath=ancestor::fieldset")
    assert "q-group-error" in group_set.get_attribute("aria-describedby").split()

    # Each link of the summary leads to its field, by keyboard or by pointer, the question
    # and its message in view above it.
    page.keyboard.press("Tab")
    assert focused_matches(page, ".error-summary a[href='#q-group-1']")
    assert_focus_visible(page, "a link of the error summary")
    page.keyboard.press("Enter")
    assert focused_matches(page, "#q-group-1")
    assert in_view(page, "fieldset:has(#q-group-1) legend") and in_view(page, "#q-group-error")
    page.click(".error-summary a[href='#q-anciennete']")
    assert focused_matches(page, "#q-anciennete")
    assert in_view(page, "label[for=q-anciennete]") and in_view(page, "#q-anciennete-error")

    # Corrected, the page goes through; a required scale later gets the same treatment.
    me.choose("group", "parents")
    me.type("anciennete", "3")
    me.next()
    assert me.progress()[0] == 2 and page.locator(".error-summary").count() == 0
    me.next()
    me.choose("materiel", 5)
    me.next()
    assert me.progress()[0] == 3 and len(me.errors()) == 1
    assert me.chosen("materiel") == ["5"]
    assert "q-toilettes-error" in page.locator("#q-toilettes-question fieldset").get_attribute("aria-describedby")
    page.click(".error-summary a")
    assert focused_matches(page, "#q-toilettes-1")
    assert in_view(page, "#q-toilettes-question legend") and in_view(page, "#q-toilettes-error")
