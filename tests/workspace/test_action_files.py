"""Files of actions: what is exported imports back as the same actions, however hostile their texts."""

from __future__ import annotations

from datetime import date

import yaml
from helpers import BUNDLED_SURVEYS

from coresp_survey.i18n import language
from coresp_survey.survey.loader import load_survey
from coresp_survey.survey.model import Text
from coresp_survey.workspace.action_checks import Context
from coresp_survey.workspace.action_files import dump_actions
from coresp_survey.workspace.action_files import read_actions
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote

SCHOOL = load_survey(BUNDLED_SURVEYS / "college-bien-etre.yaml")
CONTEXT = Context(SCHOOL, ("2025", "2026"), language("en"))
HOSTILE = (
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "- not a list: {nor: a mapping} # nor a comment",
    "'quotes' \"and\" back\\slashes",
    "line one\n\nline three: with a colon",
    "2026-01-15",
    "null",
    "yes",
    "&anchor *alias !tag %directive @at `tick`",
)


def texts(english: str, french: str = "Texte") -> Text:
    return Text(fr=french, en=english)


def hostile_action(k: int, text: str) -> Action:
    return Action(
        survey=SCHOOL.id,
        id=f"a{k}-x_y",
        title=texts(text.replace("\n", " ")),
        description=texts(text, french=text),
        indicators=("cour", "securite"),
        starts=date(2026, 1, 15),
        status="done",
        commitments=(
            Commitment(does=texts(text), party=texts(text.replace("\n", " "))),
            Commitment(does=texts(text), group="eleves"),
        ),
        ends=date(2026, 6, 30),
        baseline="2025" if k % 2 else None,
        updates=(ProgressNote(date(2026, 2, 1), texts(text)), ProgressNote(date(2026, 3, 1), texts("later"))),
    )


def test_export_then_import_gives_the_same_actions_whatever_their_texts():
    actions = [hostile_action(k, text) for k, text in enumerate(HOSTILE)]
    again, problems = read_actions(dump_actions(actions), CONTEXT)
    assert problems == []
    assert again == actions


def test_the_export_is_plain_yaml_in_the_published_shape():
    (document,) = yaml.safe_load(dump_actions([hostile_action(1, "Texte")]))
    assert list(document) == [
        "id", "title", "description", "indicators", "commitments", "baseline", "starts", "ends", "status", "updates",
    ]  # fmt: skip
    assert document["baseline"] == "2025" and document["starts"] == date(2026, 1, 15)
    assert document["commitments"][0] == {
        "party": {"fr": "Texte", "en": "Texte"},
        "does": {"fr": "Texte", "en": "Texte"},
    }
    assert document["commitments"][1] == {"group": "eleves", "does": {"fr": "Texte", "en": "Texte"}}
    assert document["updates"][0] == {"date": date(2026, 2, 1), "text": {"fr": "Texte", "en": "Texte"}}


def test_optional_keys_are_left_out_when_empty_and_an_empty_plan_is_an_empty_list():
    bare = Action(SCHOOL.id, "bare", texts("T"), texts("D"), ("cour",), date(2027, 1, 1))
    (document,) = yaml.safe_load(dump_actions([bare]))
    assert list(document) == ["id", "title", "description", "indicators", "starts", "status"]
    assert dump_actions([]) == "[]\n"
    assert read_actions("[]\n", CONTEXT) == ([], [])


def test_texts_of_several_lines_are_written_as_blocks():
    text = dump_actions([hostile_action(0, "line one\nline two")])
    assert "fr: |-\n" in text or "en: |-\n" in text
