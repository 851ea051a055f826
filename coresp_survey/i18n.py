"""Interface languages without a web framework: message catalogs and number and date formats.

Survey text comes from the survey files; these catalogs translate the
interface only. Everything here works outside a request (the command line,
the static site, the PDF): a `Language` is one interface language, with its
messages and its formats, made once per language. The live app reads the
same catalogs through Flask-Babel (`coresp_survey.web.languages`).
"""

from __future__ import annotations

import functools
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.numbers import format_percent
from babel.support import NullTranslations
from babel.support import Translations

LANGUAGES = ("fr", "en")
"""Languages the interface is translated into; a survey may use any of them."""
DEFAULT_LANGUAGE = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
"""The catalogs live inside the package, so that an installed wheel has them."""
DOMAIN = "messages"
DECIMALS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00", 3: "#,##0.000"}
MINUS = "\u2212"
"""The typographic minus sign: a hyphen before a number is easy to miss."""


class Language:
    """One interface language: its messages (gettext) and its formats for numbers and dates.

    French numbers use a decimal comma and narrow no-break spaces
    (``1 234,5``); the locale is parsed once, and shares, which recur on
    every page, are formatted once each.
    """

    def __init__(self, code: str) -> None:
        self.code = code
        self.locale = Locale.parse(code)
        self.translations = _translations(code)
        self._percents: dict[float, str] = {}

    def gettext(self, message: str, **variables: Any) -> str:
        """``message`` translated, then filled with ``variables`` (``%(name)s``), as Flask-Babel does."""
        text = self.translations.gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """The singular or plural form for ``num``; ``%(num)s`` is filled with it, formatted."""
        variables.setdefault("num", self.integer(num))
        return self.translations.ngettext(singular, plural, num) % variables

    def percent(self, share: float | None) -> str:
        """A share as a whole percentage: "62 %" in French, "62%" in English; "" for None."""
        if share is None:
            return ""
        text = self._percents.get(share)
        if text is None:
            if len(self._percents) > 10_000:  # a long-running server builds many sites: stay small
                self._percents.clear()
            text = self._percents[share] = format_percent(share, locale=self.locale)
        return text

    def decimal(self, value: float | None, decimals: int = 1) -> str:
        return "" if value is None else format_decimal(value, format=DECIMALS[decimals], locale=self.locale)

    def integer(self, value: int | None) -> str:
        return "" if value is None else format_decimal(value, format="#,##0", locale=self.locale)

    def number(self, value: float | int) -> str:
        """A number as it was given (no fixed decimals): ``3,5`` or ``3.5``."""
        return format_decimal(value, locale=self.locale)

    def points(self, difference: float) -> str:
        """A difference of shares in percentage points, always signed: "+8", "−3", "0"."""
        value = round(difference * 100)
        if value == 0:
            return "0"
        return ("+" if value > 0 else MINUS) + format_decimal(abs(value), format="#,##0", locale=self.locale)

    def day(self, day: date) -> str:
        """A day in full: "3 mars 2026", "March 3, 2026"."""
        return format_date(day, "long", locale=self.locale)

    def moment(self, moment: datetime | str) -> str:
        """A time (a datetime or an ISO string, as the database keeps them)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return format_datetime(moment, "medium", locale=self.locale)


@functools.cache
def language(code: str) -> Language:
    """The `Language` for ``code``, made once."""
    return Language(code)


@functools.cache
def _translations(code: str) -> NullTranslations:
    if code not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [code], domain=DOMAIN)


def compile_catalogs(directory: Path = TRANSLATIONS) -> None:
    """Compile each ``.po`` whose ``.mo`` is missing or older, so no manual step is needed."""
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(f".mo.{id(catalog)}")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)
