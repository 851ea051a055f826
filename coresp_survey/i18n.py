"""Interface languages without a web framework: message catalogs and number and date formats.

Survey text comes from the survey files; these catalogs translate the
interface only. Everything here works outside a request (the command line,
the static site, the PDF): a `Language` is one interface language, with its
messages and its formats, made once per language. It is the one formatter of
the project: the published pages get it as ``fmt``, and the live app's
templates get the request's (`coresp_survey.web.languages`), which reads the
same catalogs through Flask-Babel.

Catalogs are compiled when the package is built (``setup.py``) or set up
(``scripts/setup.sh``), never while the app runs: a missing one is an error
that says so (`CatalogMissing`), not an interface silently left in English.
"""

from __future__ import annotations

import functools
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.dates import format_datetime
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

    def interval(self, low: float | None, high: float | None) -> str:
        """A share's interval: "58 % to 66 %"; "" when either bound is unknown."""
        if low is None or high is None:
            return ""
        return self.gettext("%(low)s to %(high)s", low=self.percent(low), high=self.percent(high))

    def decimal(self, value: float | None, decimals: int = 1) -> str:
        return "" if value is None else format_decimal(value, format=DECIMALS[decimals], locale=self.locale)

    def integer(self, value: int | None) -> str:
        return "" if value is None else format_decimal(value, format="#,##0", locale=self.locale)

    def number(self, value: float | int, decimals: int = 3) -> str:
        """A number as it was given, with at most ``decimals`` decimals: ``3,5`` or ``3.5``."""
        return format_decimal(value, format="#,##0" + ("." + "#" * decimals if decimals else ""), locale=self.locale)

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
        """A time (a datetime or an ISO string, as the database keeps them), shown in UTC as Flask-Babel does.

        A time without a zone is taken to be UTC already (the database stores UTC).
        """
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return format_datetime(moment, "medium", tzinfo=UTC, locale=self.locale)


@functools.cache
def language(code: str) -> Language:
    """The `Language` for ``code``, made once."""
    return Language(code)


class CatalogMissing(RuntimeError):
    """An interface language's compiled catalog (``.mo``) is not where the package looks for it."""


def catalog_path(code: str, directory: Path | None = None) -> Path:
    """Where the compiled catalog of ``code`` lives (in the package's ``translations/`` by default)."""
    return (directory or TRANSLATIONS) / code / "LC_MESSAGES" / f"{DOMAIN}.mo"


def check_catalogs(directory: Path | None = None) -> None:
    """`CatalogMissing` unless every language of `LANGUAGES` has its compiled catalog.

    Babel and Flask-Babel fall back to the English source text without a word
    when a ``.mo`` is missing: the app would serve ``/fr/`` in English under
    ``<html lang="fr">``. Called when the app starts and when a `Language` is made.
    """
    missing = [path for path in (catalog_path(code, directory) for code in LANGUAGES) if not path.is_file()]
    if missing:
        raise CatalogMissing(
            "the interface's compiled catalogs are missing: "
            + ", ".join(str(path) for path in missing)
            + ". In a source checkout run `pybabel compile -d coresp_survey/translations` (scripts/setup.sh does);"
            " a wheel built with `pip wheel .` carries them."
        )


@functools.cache
def _translations(code: str) -> NullTranslations:
    if code not in LANGUAGES:
        return NullTranslations()
    check_catalogs()
    return Translations.load(str(TRANSLATIONS), [code], domain=DOMAIN)
