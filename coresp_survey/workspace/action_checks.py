"""What a valid action is, said once: the workspace's form and ``actions --import`` both go through these checks.

Both hand in a located tree (`survey.located`): a file's mappings know the
line of each key, the workspace's form knows the field of each value
(`form_mapping`), so every problem is reported where its value was written.
The checks: the id; every text in each of the survey's languages (one line for
titles and parties, no invisible characters); indicators and groups of the
survey; dates, and an end that is not before the start; the status; a
baseline that is a round of the survey; progress notes. Messages are worded
by an `i18n.Language`: English on the command line, the coordinator's
language in the workspace.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from coresp_survey.i18n import LANGUAGE_NAMES
from coresp_survey.i18n import Language
from coresp_survey.survey.located import LocatedDict
from coresp_survey.survey.located import LocatedList
from coresp_survey.survey.model import Survey
from coresp_survey.survey.model import Text
from coresp_survey.survey.shown import clip
from coresp_survey.workspace.plans import ACTION_ID
from coresp_survey.workspace.plans import MAX_ID_LENGTH
from coresp_survey.workspace.plans import STATUSES
from coresp_survey.workspace.plans import Action
from coresp_survey.workspace.plans import Commitment
from coresp_survey.workspace.plans import ProgressNote

ACTION_KEYS = (
    "id", "title", "description", "indicators", "commitments", "baseline", "starts", "ends", "status", "updates",
)  # fmt: skip
"""The keys of an action in a file, in the order `action_files` writes them (PRODUCT.md)."""
REQUIRED_KEYS = ("id", "title", "description", "indicators", "starts")
COMMITMENT_KEYS = ("group", "party", "does")
UPDATE_KEYS = ("date", "text")
LINE_LIMIT = 200
"""Titles and named parties: one line of at most this many characters."""
TEXT_LIMIT = 4000
"""Descriptions, commitments and progress notes."""
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an action, where it was written: a line of a file, or a field of the form."""

    where: Any
    message: str


@dataclass(frozen=True)
class Context:
    """What an action is checked against."""

    survey: Survey
    rounds: tuple[str, ...]
    """The rounds a baseline may name: those the database knows for the survey (`Definitions.rounds`)."""
    words: Language


def check_actions(items: LocatedList, context: Context) -> tuple[list[Action], list[Problem]]:
    """Every action of a file, each id once; the actions only when there is no problem at all."""
    actions: list[Action] = []
    problems: list[Problem] = []
    first: dict[str, Any] = {}
    for index, item in enumerate(items):
        action, found = check_action(item, context, items.line_of(index))
        problems.extend(found)
        if action is None:
            continue
        if action.id in first:
            where = item.line_of("id") if isinstance(item, LocatedDict) else items.line_of(index)
            problems.append(
                Problem(
                    where,
                    context.words.gettext(
                        "id: the action '%(id)s' is already in this file (line %(first)s)",
                        id=action.id,
                        first=first[action.id],
                    ),
                )
            )
            continue
        first[action.id] = item.line_of("id")
        actions.append(action)
    return (actions if not problems else []), problems


def check_action(data: Any, context: Context, where: Any = None) -> tuple[Action | None, list[Problem]]:
    """The action that ``data`` (a located mapping) describes, or None and every problem found in it."""
    checker = _Checker(context)
    action = checker.action(data, where)
    return (action if not checker.problems else None), checker.problems


def check_note(data: Any, context: Context, number: int = 1) -> tuple[ProgressNote | None, list[Problem]]:
    """One progress note (``{date, text}``) added on its own, as the workspace does, checked as in a file."""
    checker = _Checker(context)
    note = checker.note(data, None, number)
    return (note if not checker.problems else None), checker.problems


def form_mapping(values: dict[str, Any], fields: dict[str, str], where: str) -> LocatedDict:
    """A located mapping made from a form: ``fields`` names the form field each key's value came from."""
    mapping = LocatedDict(values)
    mapping.line = where
    mapping.key_lines = {key: fields.get(key, where) for key in values}
    mapping.duplicate_keys = []
    return mapping


def form_list(items: Iterable[Any], fields: list[str], where: str) -> LocatedList:
    """A located list made from a form: ``fields`` names the field of each item."""
    sequence = LocatedList(items)
    sequence.line = where
    sequence.item_lines = list(fields)
    return sequence


class _Checker:
    """Reads one action's tree, collecting every problem instead of stopping at the first."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.survey = context.survey
        self.words = context.words
        self.problems: list[Problem] = []

    def problem(self, where: Any, message: str) -> None:
        """Record a problem; ``message`` is already worded (``self.words.gettext``, so that the catalog finds it)."""
        self.problems.append(Problem(where, message))

    # -- the action -----------------------------------------------------------------

    def action(self, data: Any, where: Any) -> Action | None:
        if not isinstance(data, LocatedDict):
            self.problem(where, self.words.gettext("an action must be a mapping of keys (id:, title:, indicators: …)"))
            return None
        self.keys(data, ACTION_KEYS, self.words.gettext("an action"))
        for key in REQUIRED_KEYS:
            if key not in data:
                self.problem(data.line, self.words.gettext("the action needs '%(key)s'", key=key))
        action_id = self.action_id(data)
        title = self.text(data, "title", self.words.gettext("title"), one_line=True)
        description = self.text(data, "description", self.words.gettext("description"), limit=TEXT_LIMIT)
        indicators = self.indicators(data)
        commitments = self.commitments(data)
        starts = self.day(data, "starts", self.words.gettext("start"))
        ends = self.day(data, "ends", self.words.gettext("end"))
        if starts and ends and ends < starts:
            self.problem(
                data.line_of("ends"),
                self.words.gettext("end: the action cannot end before it starts (%(day)s)", day=starts),
            )
        status = self.status(data)
        baseline = self.baseline(data)
        updates = self.updates(data)
        if self.problems or None in (action_id, title, description, indicators, starts):
            return None
        return Action(
            survey=self.survey.id,
            id=action_id,
            title=title,
            description=description,
            indicators=indicators,
            starts=starts,
            status=status,
            commitments=commitments,
            ends=ends,
            baseline=baseline,
            updates=updates,
        )

    def keys(self, data: LocatedDict, allowed: tuple[str, ...], what: str) -> None:
        for key, line, first in data.duplicate_keys:
            self.problem(
                line,
                self.words.gettext(
                    "'%(key)s' appears twice in %(what)s (first at line %(first)s)", key=key, what=what, first=first
                ),
            )
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            if close:
                self.problem(data.line_of(key), self.words.gettext("unknown key '%(key)s' in %(what)s (did you mean '%(close)s'?)", key=_shown(key), what=what, close=close[0]))  # fmt: skip
            else:
                self.problem(data.line_of(key), self.words.gettext("unknown key '%(key)s' in %(what)s (allowed: %(allowed)s)", key=_shown(key), what=what, allowed=", ".join(allowed)))  # fmt: skip

    def action_id(self, data: LocatedDict) -> str | None:
        if "id" not in data:
            return None
        value = data["id"]
        if not isinstance(value, str) or len(value) > MAX_ID_LENGTH or not ACTION_ID.fullmatch(value):
            self.problem(
                data.line_of("id"),
                self.words.gettext(
                    "id: '%(id)s' must start with a lowercase letter, then lowercase letters, digits, - or _"
                    " (at most %(max)s characters)",
                    id=_shown(value),
                    max=MAX_ID_LENGTH,
                ),
            )
            return None
        return value

    # -- texts in each language --------------------------------------------------------

    def text(
        self, data: LocatedDict, key: str, what: str, *, one_line: bool = False, limit: int = LINE_LIMIT
    ) -> Text | None:
        """A text in each of the survey's languages, stripped; None (and the problems) when one is wrong."""
        if key not in data:
            return None
        value, where = data[key], data.line_of(key)
        languages = self.survey.languages
        if not isinstance(value, LocatedDict):
            self.problem(
                where,
                self.words.gettext(
                    '%(what)s: give a text in each of the survey\'s languages (%(languages)s), e.g. {fr: "…", en: "…"}',
                    what=what,
                    languages=", ".join(languages),
                ),
            )
            return None
        ok = True
        for lang, line, first in value.duplicate_keys:
            self.problem(
                line,
                self.words.gettext(
                    "%(what)s: '%(lang)s' appears twice (first at line %(first)s)", what=what, lang=lang, first=first
                ),
            )
            ok = False
        for lang in value:
            if lang not in languages:
                self.problem(
                    value.line_of(lang),
                    self.words.gettext(
                        "%(what)s: '%(lang)s' is not one of the survey's languages (%(languages)s)",
                        what=what,
                        lang=_shown(lang),
                        languages=", ".join(languages),
                    ),
                )
                ok = False
        texts = {}
        for lang in languages:
            name = LANGUAGE_NAMES.get(lang, lang)
            text = value.get(lang)
            at = value.line_of(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(at, self.words.gettext("%(what)s: no text in %(language)s", what=what, language=name))
                ok = False
                continue
            text = text.replace("\r\n", "\n").strip()
            if len(text) > limit:
                self.problem(at, self.words.gettext("%(what)s in %(language)s: at most %(max)s characters", what=what, language=name, max=self.words.integer(limit)))  # fmt: skip
                ok = False
            elif one_line and "\n" in text:
                self.problem(
                    at, self.words.gettext("%(what)s in %(language)s: one line only", what=what, language=name)
                )
                ok = False
            elif hidden := _hidden_characters(text):
                self.problem(
                    at,
                    self.words.gettext(
                        "%(what)s in %(language)s holds %(characters)s: invisible characters can make two texts look the"
                        " same or show a text in another order; remove them",
                        what=what,
                        language=name,
                        characters=hidden,
                    ),
                )
                ok = False
            texts[lang] = text
        return Text(texts) if ok else None

    # -- what the action aims at, and who does what ------------------------------------

    def indicators(self, data: LocatedDict) -> tuple[str, ...] | None:
        if "indicators" not in data:
            return None
        value, where = data["indicators"], data.line_of("indicators")
        what = self.words.gettext("indicators")
        if not isinstance(value, LocatedList) or not value:
            self.problem(where, self.words.gettext("%(what)s: name at least one of the survey's indicators", what=what))
            return None
        known = [indicator.id for indicator in self.survey.indicators]
        chosen: list[str] = []
        for index, item in enumerate(value):
            at = value.line_of(index)
            if not isinstance(item, str) or item not in known:
                close = difflib.get_close_matches(str(item), known, n=1)
                self.problem(
                    at,
                    self.words.gettext(
                        "%(what)s: '%(id)s' is not an indicator of the survey%(hint)s",
                        what=what,
                        id=_shown(item),
                        hint=self.words.gettext(" (did you mean '%(close)s'?)", close=close[0]) if close else "",
                    ),
                )
            elif item in chosen:
                self.problem(at, self.words.gettext("%(what)s: '%(id)s' is named twice", what=what, id=item))
            else:
                chosen.append(item)
        return tuple(chosen) if len(chosen) == len(value) else None

    def commitments(self, data: LocatedDict) -> tuple[Commitment, ...]:
        value = data.get("commitments")
        if value is None:
            return ()
        if not isinstance(value, LocatedList):
            self.problem(
                data.line_of("commitments"),
                self.words.gettext("commitments: a list of {group: …} or {party: …}, each with does:"),
            )
            return ()
        found = []
        for index, item in enumerate(value):
            commitment = self.commitment(item, value.line_of(index), index + 1)
            if commitment is not None:
                found.append(commitment)
        return tuple(found)

    def commitment(self, data: Any, where: Any, number: int) -> Commitment | None:
        what = self.words.gettext("commitment %(number)s", number=number)
        if not isinstance(data, LocatedDict):
            self.problem(where, self.words.gettext("%(what)s: a mapping with group: or party:, and does:", what=what))
            return None
        self.keys(data, COMMITMENT_KEYS, what)
        group = party = None
        if ("group" in data) == ("party" in data):
            self.problem(
                data.line,
                self.words.gettext(
                    "%(what)s: name either one of the survey's groups (group:) or another party (party:), not both",
                    what=what,
                ),
            )
        elif "group" in data:
            group = self.group(data, what)
        else:
            party = self.text(data, "party", self.words.gettext("%(what)s, party", what=what), one_line=True)
        if "does" not in data:
            self.problem(data.line, self.words.gettext("%(what)s: say what the party commits to do (does:)", what=what))
            return None
        does = self.text(data, "does", self.words.gettext("%(what)s, what it does", what=what), limit=TEXT_LIMIT)
        if does is None or (group is None and party is None):
            return None
        return Commitment(does=does, group=group, party=party)

    def group(self, data: LocatedDict, what: str) -> str | None:
        value = data["group"]
        known = [group.id for group in self.survey.groups]
        if not isinstance(value, str) or value not in known:
            self.problem(
                data.line_of("group"),
                self.words.gettext(
                    "%(what)s: '%(group)s' is not one of the survey's groups (%(known)s)",
                    what=what,
                    group=_shown(value),
                    known=", ".join(known) or self.words.gettext("it has none: name the party instead"),
                ),
            )
            return None
        return value

    # -- when, how far, measured against what ------------------------------------------

    def day(self, data: LocatedDict, key: str, what: str) -> date | None:
        if key not in data:
            return None
        value = data[key]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                pass
        if not isinstance(value, date) or hasattr(value, "hour"):
            self.problem(
                data.line_of(key),
                self.words.gettext("%(what)s: a date written YYYY-MM-DD, such as 2026-03-15", what=what),
            )
            return None
        return value

    def status(self, data: LocatedDict) -> str:
        value = data.get("status", "planned")
        if value not in STATUSES:
            self.problem(
                data.line_of("status"),
                self.words.gettext(
                    "status: '%(status)s' is not one of %(known)s", status=_shown(value), known=", ".join(STATUSES)
                ),
            )
            return "planned"
        return value

    def baseline(self, data: LocatedDict) -> str | None:
        value = data.get("baseline")
        if value is None:
            return None
        rounds = self.context.rounds
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) not in rounds:
            self.problem(
                data.line_of("baseline"),
                self.words.gettext(
                    "baseline: '%(round)s' is not a round of the survey (%(known)s)",
                    round=_shown(value),
                    known=", ".join(rounds),
                ),
            )
            return None
        return str(value)

    def updates(self, data: LocatedDict) -> tuple[ProgressNote, ...]:
        value = data.get("updates")
        if value is None:
            return ()
        if not isinstance(value, LocatedList):
            self.problem(
                data.line_of("updates"),
                self.words.gettext("updates: a list of progress notes, each {date: …, text: …}"),
            )
            return ()
        notes = [self.note(item, value.line_of(index), index + 1) for index, item in enumerate(value)]
        return tuple(sorted((note for note in notes if note is not None), key=lambda note: note.day))

    def note(self, data: Any, where: Any, number: int) -> ProgressNote | None:
        what = self.words.gettext("progress note %(number)s", number=number)
        if not isinstance(data, LocatedDict):
            self.problem(where, self.words.gettext("%(what)s: a mapping with date: and text:", what=what))
            return None
        self.keys(data, UPDATE_KEYS, what)
        for key in UPDATE_KEYS:
            if key not in data:
                self.problem(data.line, self.words.gettext("%(what)s needs '%(key)s'", what=what, key=key))
        day = self.day(data, "date", what)
        text = self.text(data, "text", what, limit=TEXT_LIMIT)
        return ProgressNote(day, text) if day is not None and text is not None else None


def _hidden_characters(text: str) -> str:
    """Direction controls, zero-width and control characters of ``text`` (newlines and tabs aside), named, or ""."""
    found = dict.fromkeys(
        ch
        for ch in text
        if (unicodedata.category(ch) == "Cf" and ch != SOFT_HYPHEN)
        or (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
        or ch in "\u2028\u2029"
    )
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'CONTROL CHARACTER')}" for ch in found)


def _shown(value: Any) -> str:
    """A value from a file or a form quoted in a message: on one line (control characters as spaces), cut short."""
    return clip(" ".join(str(value).split()))
