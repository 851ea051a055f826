"""Answering every bundled survey to the end in a real browser, in French and English,
with JavaScript on and off: going back and forth, switching language half-way,
questions appearing and disappearing with show_if, and the response really stored.
"""

from __future__ import annotations

import uuid

import pytest

from .respondent import Respondent

pytestmark = pytest.mark.slow

THANKS = {"fr": "Merci\u202f!", "en": "Thank you!"}
OTHER = {"fr": "en", "en": "fr"}
JS = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]
LANGS = ["fr", "en"]


def marker() -> str:
    return "mark-" + uuid.uuid4().hex[:12]


def start_survey(me: Respondent, lang: str, title_part: str) -> None:
    """From the list of surveys, follow the survey's link like a person would."""
    assert me.open(f"/{lang}/") == 200
    me.navigate(lambda: me.page.get_by_role("link", name=title_part).click())


# -- the school survey: public, with groups ---------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("javascript", JS)
def test_school_survey_to_the_end(server, new_page, javascript, lang):
    """Pupils (French runs) and teachers (English runs) see different questions and pages."""
    me = Respondent(new_page(javascript), server)
    group = "eleves" if lang == "fr" else "enseignants"
    pupil = group == "eleves"
    word = marker()
    start_survey(me, lang, {"fr": "Le bien-être au collège", "en": "Well-being at school"}[lang])
    assert me.path == f"/{lang}/college-bien-etre/" and me.lang == lang

    # Page 1: the year-group question concerns pupils only, and depends on the group chosen here.
    if javascript:
        assert me.present("niveau") and not me.shown("niveau")
        me.choose("group", "eleves")
        assert me.shown("niveau")
        me.choose("group", "parents")
        assert not me.shown("niveau")
        me.choose("group", "eleves")
        me.choose("niveau", "5e")  # answered, then hidden again for a teacher: must not be stored
        me.choose("group", group)
        assert me.shown("niveau") == pupil
    else:
        assert me.shown("niveau")  # judged when the page is sent
        me.choose("group", group)
        me.choose("niveau", "5e")
    me.type("anciennete", "3")
    me.choose("cantine", "chaque_jour" if pupil else "jamais")
    me.type("un_mot", word)
    me.next()
    pages = 6 if pupil else 7  # the working-conditions page is for teachers and staff
    assert me.progress() == (2, pages)

    # Page 2: open answers, several lines.
    me.type("bien_etre", "Des amis.\nDes profs à l'écoute.")
    me.next()

    # The browser's own Back and Forward buttons: pages fetched anew, answers there.
    me.page.go_back()
    assert me.progress() == (2, pages) and me.typed("bien_etre") == "Des amis.\nDes profs à l'écoute."
    me.page.go_back()
    assert me.progress() == (1, pages) and me.typed("un_mot") == word
    me.page.go_forward()
    me.page.go_forward()

    # Page 3: the canteen meals question only for those who eat there (answered on page 1).
    assert me.progress() == (3, pages)
    assert me.shown("repas") == pupil and me.shown("lieux_preferes")
    me.choose("materiel", 4)
    me.choose("toilettes", 2)
    me.choose("lieux_preferes", "cdi", "other")
    me.type("lieux_preferes_other", "le jardin")
    if pupil:
        me.choose("repas", 3)

    # Back and forth: nothing typed is lost either way.
    me.back()
    assert me.progress() == (2, pages)
    assert me.typed("bien_etre") == "Des amis.\nDes profs à l'écoute."
    me.next()
    assert me.progress() == (3, pages)
    assert me.chosen("materiel") == ["4"] and me.chosen("toilettes") == ["2"]
    assert me.chosen("lieux_preferes") == ["cdi", "other"]
    assert me.typed("lieux_preferes_other") == "le jardin"
    me.next()

    # Page 4: switch language before sending the page: same page, answers kept, even unsent ones.
    assert me.progress() == (4, pages)
    assert me.shown("relations_familles") == (not pupil) and not me.present("suivi_scolarite")
    me.choose("relations_eleves", 4)
    if not pupil:
        me.choose("relations_familles", 2)
    heading = me.heading()
    me.switch_language()
    lang = OTHER[lang]
    assert me.lang == lang and me.path.startswith(f"/{lang}/college-bien-etre/page/relations/")
    assert me.heading() != heading and me.progress() == (4, pages)
    assert me.chosen("relations_eleves") == ["4"]
    me.back()  # earlier pages read in the new language, with their answers
    assert me.lang == lang and me.chosen("materiel") == ["4"] and me.typed("lieux_preferes_other") == "le jardin"
    me.next()
    assert me.chosen("relations_eleves") == ["4"]
    me.next()

    # Page 5: the workload question for pupils only.
    assert me.progress() == (5, pages)
    assert me.shown("charge_devoirs") == pupil
    me.choose("equite", 3)
    me.next()

    # Page 6: the story of feeling unsafe shows only for a low safety level.
    assert me.progress() == (6, pages)
    if javascript:
        assert me.present("insecurite_recit") and not me.shown("insecurite_recit")
        me.choose("securite", 1)
        assert me.shown("insecurite_recit")
    else:
        assert me.shown("insecurite_recit")
    me.type("insecurite_recit", "Dans le bus.")
    me.choose("securite", 2 if pupil else 5)  # a teacher feels safe: the story is not kept
    if javascript:
        assert me.shown("insecurite_recit") == pupil
    me.choose("plaisir_venir", 4)
    if not pupil:  # the working-conditions page
        me.next()
        assert me.progress() == (7, 7)
        me.choose("conditions_travail", 3)
    # a double click: one response
    me.double_click_to(".navigation button[name=_nav][value=next]", f"/{lang}/college-bien-etre/thanks/")

    assert me.path == f"/{lang}/college-bien-etre/thanks/"
    assert me.heading() == THANKS[lang]
    cookies = me.page.context.cookies()
    assert len(cookies) == 1 and cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Lax"
    stored = server.response_with("college-bien-etre", "un_mot", word)
    assert stored["group_id"] == group and stored["lang"] == lang and stored["round"] == "2026"
    answers = stored["answers"]
    expected = {
        "anciennete": 3,
        "cantine": "chaque_jour" if pupil else "jamais",
        "un_mot": word,
        "bien_etre": "Des amis.\nDes profs à l'écoute.",
        "materiel": 4,
        "toilettes": 2,
        "lieux_preferes": ["cdi", "other"],
        "lieux_preferes_other": "le jardin",
        "relations_eleves": 4,
        "equite": 3,
        "securite": 2 if pupil else 5,
        "plaisir_venir": 4,
    }
    if pupil:
        expected |= {"niveau": "5e", "repas": 3, "insecurite_recit": "Dans le bus."}
    else:
        expected |= {"relations_familles": 2, "conditions_travail": 3}
    assert answers == expected

    # The browser's Back after sending: no form to send twice, only "already answered".
    me.page.go_back()
    assert me.page.locator("#answers").count() == 0
    assert me.page.locator("form button.secondary").count() == 1
    server.response_with("college-bien-etre", "un_mot", word)  # still exactly one


# -- the neighbourhood survey: by invitation code -------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("javascript", JS)
def test_neighbourhood_survey_with_a_code(server, new_page, javascript, lang):
    """The code sets the group (older residents in French runs, young people in English runs)."""
    group = "aines" if lang == "fr" else "jeunes"
    code = server.codes("quartier-bien-vivre", group)[0]
    me = Respondent(new_page(javascript), server)
    words = marker()
    start_survey(me, lang, {"fr": "Bien vivre dans le quartier", "en": "Living well in the neighbourhood"}[lang])

    # Page 1 asks for the code; a wrong one is refused, and what was typed stays.
    assert me.page.is_visible("#q-code")
    me.type("annees_quartier", "12")
    me.choose("transport", "bus", "other")
    me.type("transport_other", "roller")
    me.type("code", "ABCDE-FGHJK")
    assert me.next() == 200
    assert me.progress()[0] == 1 and len(me.errors()) == 1
    assert me.page.get_attribute("#q-code", "aria-invalid") == "true"
    assert me.typed("annees_quartier") == "12" and me.chosen("transport") == ["bus", "other"]
    assert me.typed("transport_other") == "roller"
    me.type("code", code.lower())  # as typed from the slip, in any case
    me.next()
    assert me.progress() == (2, 4)

    me.type("bien_vivre", words)
    me.next()

    # Page 3: the bus question for bus users, decided on page 1.
    assert me.shown("frequence_bus")
    me.choose("logement_qualite", 4)
    me.choose("securite_nuit", 2)
    me.choose("frequence_bus", 1)
    me.back()
    me.back()
    assert me.progress() == (1, 4) and not me.present("code")  # accepted once: not asked again
    me.unchoose("transport", "bus")
    me.next()
    assert me.typed("bien_vivre") == words
    me.next()
    assert not me.present("frequence_bus")
    assert me.chosen("logement_qualite") == ["4"] and me.chosen("securite_nuit") == ["2"]
    me.next()

    # Page 4: support for ageing at home, for older residents only; then the other language.
    assert me.progress() == (4, 4)
    assert me.shown("aide_domicile") == (group == "aines")
    me.choose("voisins", 5)
    me.choose("compter_sur", 3)
    me.switch_language()
    lang = OTHER[lang]
    assert me.lang == lang and me.chosen("voisins") == ["5"] and me.chosen("compter_sur") == ["3"]
    me.next()

    assert me.path == f"/{lang}/quartier-bien-vivre/thanks/"
    assert me.heading() == THANKS[lang]
    stored = server.response_with("quartier-bien-vivre", "bien_vivre", words)
    assert stored["group_id"] == group and stored["lang"] == lang
    assert stored["answers"] == {
        "annees_quartier": 12,
        "transport": ["other"],
        "transport_other": "roller",
        "bien_vivre": words,
        "logement_qualite": 4,
        "securite_nuit": 2,
        "voisins": 5,
        "compter_sur": 3,
    }

    # The same browser coming back is told it has answered; the code cannot be used again.
    me.open(f"/{lang}/quartier-bien-vivre/")
    assert not me.present("code") and me.page.locator("form button.secondary").count() == 1
    other = Respondent(new_page(javascript), server)
    other.open(f"/{lang}/quartier-bien-vivre/")
    other.type("code", code)
    other.next()
    assert other.progress()[0] == 1 and len(other.errors()) == 1
