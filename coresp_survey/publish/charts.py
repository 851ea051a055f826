"""Figures in, accessible SVG out: the charts of the static site and the PDF report.

Pure functions returning inline SVG as `markupsafe.Markup`, with no JavaScript
and no external resource, so the same markup works in a browser opened from
disk and in WeasyPrint. Every chart has ``role="img"`` with a ``<title>`` and a
``<desc>``, scales with its container (a viewBox 600 units wide and
``width="100%"``), writes its values as text (colour is never the only
carrier of meaning) and uses ColorBrewer's colour-blind-safe RdBu scheme with
text colours picked for WCAG AA contrast.

Everything that comes from outside (labels, titles, descriptions, the text of
suppressed rows) is untrusted: it reaches the markup only through
`markupsafe`'s escaping, after characters that XML cannot carry are dropped.
Coordinates are written with two decimals at most, so the same figures always
give the same bytes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

from coresp_survey.i18n import language

WIDTH = 600
"""The viewBox width: at 600 px on screen, one unit is one pixel, so font sizes read as pixels."""
PAD = 8
FONT = 14
"""Group labels and legend text."""
SMALL = 13
"""Values and axis ticks: still above 12 px when the chart is shown 600 px wide."""
CHAR_WIDTH = 0.6
"""A generous average glyph width, in ems, to decide whether a text fits (no font metrics at build time)."""
ROW_LABEL = 22
"""Group labels sit on their own line above the bar, so long names need no narrow column on phones."""
BAR_HEIGHT = 26
ROW_STEP = ROW_LABEL + BAR_HEIGHT + 14
TICKS_HEIGHT = 24
MIN_SEGMENT_SHARE = 0.06
"""Segments below this share carry no written percentage: the text would not fit."""

BASELINE = 0.35
"""Texts are placed by their vertical middle: the baseline sits this many ems lower (dominant-baseline is not rendered everywhere)."""

INK = "#1a1a1a"
"""Text and lines: 17.4:1 on white."""
MUTED = "#595959"
"""Suppressed-row text and tick labels: 7.0:1 on white."""
GRID = "#d9d9d9"
BAR = "#2166ac"
"""Bars and dots of the one-colour charts (RdBu's darkest blue): 5.9:1 on white."""
WHITE = "#ffffff"
NEUTRAL = "#c8c8c8"
"""The middle level: RdBu's near-white #f7f7f7 would vanish on a white page, so a mid grey replaces it."""

RDBU = {
    2: ("#ef8a62", "#67a9cf"),
    3: ("#ef8a62", "#f7f7f7", "#67a9cf"),
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
    8: ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
    9: ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
    10: (
        "#67001f",
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
        "#d1e5f0",
        "#92c5de",
        "#4393c3",
        "#2166ac",
        "#053061",
    ),
    11: (
        "#67001f",
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
        "#f7f7f7",
        "#d1e5f0",
        "#92c5de",
        "#4393c3",
        "#2166ac",
        "#053061",
    ),
}
"""ColorBrewer RdBu by number of classes (2 is the 3-class scheme without its middle): red for the low levels."""

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# -- colours -----------------------------------------------------------------------


def palette(levels: int) -> tuple[str, ...]:
    """The fill of each level, low to high, with a visible grey for the middle level of an odd scale."""
    if levels not in RDBU:
        raise ValueError(f"a diverging chart needs 2 to 11 levels, not {levels}")
    colours = list(RDBU[levels])
    if levels % 2:
        colours[levels // 2] = NEUTRAL
    return tuple(colours)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21; AA asks 4.5 for text)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@functools.cache
def text_colour(fill: str) -> str:
    """Near-black or white, whichever contrasts more with ``fill``: values written on segments stay readable."""
    return max((INK, WHITE), key=lambda ink: contrast_ratio(ink, fill))


# -- the three charts --------------------------------------------------------------


def diverging_bars(
    rows: Sequence[tuple[str, Sequence[int] | None]],
    level_labels: Sequence[str],
    title: str,
    description: str,
    lang: str,
    *,
    id_prefix: str,
    suppressed_label: str,
) -> Markup:
    """One diverging stacked bar per group: low levels left of the centre line, high levels right.

    ``rows`` are (group label, respondents per level, low to high) or (label,
    None) for a suppressed cell, drawn as ``suppressed_label`` instead of a
    bar. The middle level of an odd scale straddles the centre line, so
    groups are compared by where their bars balance. The scale's extent comes
    from the longest left and right halves, so no width is wasted.
    """
    colours = palette(len(level_labels))
    shares = [(label, _shares(counts, len(level_labels))) for label, counts in rows]
    left, right = _extent([s for _, s in shares if s is not None])
    scale = (WIDTH - 2 * PAD) / (left + right)
    centre = PAD + left * scale
    legend, y = _legend(level_labels, colours, PAD)
    y += 8
    body = []
    for label, row in shares:
        body.append(_row_label(label, y))
        if row is None:
            body.append(_suppressed(suppressed_label, y + ROW_LABEL + BAR_HEIGHT / 2))
        else:
            # The centre mark beside each bar only (never through a label); drawn first, so the bar covers it.
            top, bottom = y + ROW_LABEL - 4, y + ROW_LABEL + BAR_HEIGHT + 4
            body.append(_line("centre", centre, top, centre, bottom, INK, 1.5))
            body.append(_diverging_row(row, colours, level_labels, centre, scale, y + ROW_LABEL, lang))
        y += ROW_STEP
    return _svg(id_prefix, title, description, y, [legend, *body])


def interval_dots(
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    title: str,
    description: str,
    lang: str,
    axis_max: float = 1.0,
    *,
    id_prefix: str,
    suppressed_label: str,
) -> Markup:
    """A dot per group with its 95% interval as a whisker, the value written beside it.

    ``rows`` are (group label, value, interval low, interval high), drawn in
    the order given; a None value marks a suppressed cell, None bounds draw no
    whisker. ``axis_max`` 1 shows shares as percentages; 100 shows scores.
    """
    axis = _Axis(axis_max, lang)
    y = TICKS_HEIGHT
    body = []
    for label, value, low, high in rows:
        body.append(_row_label(label, y))
        middle = y + ROW_LABEL + BAR_HEIGHT / 2
        if value is None:
            body.append(_suppressed(suppressed_label, middle))
        else:
            body.append(_dot_row(axis, value, low, high, middle))
        y += ROW_STEP
    body.insert(0, axis.ticks(TICKS_HEIGHT, y))
    return _svg(id_prefix, title, description, y, body)


def family_bars(
    rows: Sequence[tuple[str, float | None]],
    title: str,
    description: str,
    lang: str,
    *,
    id_prefix: str,
    suppressed_label: str,
) -> Markup:
    """A horizontal bar per family score (0 to 100), the score written at the bar's end.

    ``rows`` are (family label, score) with None for a suppressed score.
    """
    axis = _Axis(100, lang)
    y = TICKS_HEIGHT
    body = []
    for label, score in rows:
        body.append(_row_label(label, y))
        if score is None:
            body.append(_suppressed(suppressed_label, y + ROW_LABEL + BAR_HEIGHT / 2))
        else:
            body.append(_family_bar(axis, score, y + ROW_LABEL))
        y += ROW_STEP
    body.insert(0, axis.ticks(TICKS_HEIGHT, y))
    return _svg(id_prefix, title, description, y, body)


# -- rows --------------------------------------------------------------------------


def _shares(counts: Sequence[int] | None, levels: int) -> list[float] | None:
    """Counts to shares; no counts or no respondent means nothing may be drawn."""
    if counts is None:
        return None
    if len(counts) != levels or any(count < 0 for count in counts):
        raise ValueError(f"a distribution needs {levels} counts of at least 0, not {list(counts)}")
    total = sum(counts)
    return [count / total for count in counts] if total else None


def _halves(shares: Sequence[float]) -> tuple[float, float]:
    """The part of a bar left and right of the centre: the middle level of an odd scale counts half each side."""
    half = len(shares) // 2
    middle = shares[half] / 2 if len(shares) % 2 else 0.0
    return sum(shares[:half]) + middle, sum(shares[-half:]) + middle


def _extent(rows: Sequence[Sequence[float]]) -> tuple[float, float]:
    """The longest left and longest right half over all bars (half and half when nothing is drawn)."""
    if not rows:
        return 0.5, 0.5
    halves = [_halves(row) for row in rows]
    return max(h[0] for h in halves), max(h[1] for h in halves)


def _diverging_row(
    shares: Sequence[float],
    colours: Sequence[str],
    level_labels: Sequence[str],
    centre: float,
    scale: float,
    top: float,
    lang: str,
) -> Markup:
    x = centre - _halves(shares)[0] * scale
    formats = language(lang)
    parts = []
    for share, colour, level in zip(shares, colours, level_labels, strict=True):
        width = share * scale
        text = formats.percent(share)
        parts.append(
            Markup(
                f'<rect class="segment" x="{_n(x)}" y="{_n(top)}" width="{_n(width)}" height="{BAR_HEIGHT}"'
                f' fill="{colour}" stroke="#ffffff" stroke-width="0.5"><title>{escape(_clean(f"{level}: {text}"))}'
                "</title></rect>"
            )
        )
        if share >= MIN_SEGMENT_SHARE and width >= _text_width(text, SMALL) + 4:
            parts.append(
                _text("value", x + width / 2, top + BAR_HEIGHT / 2, text, SMALL, text_colour(colour), "middle")
            )
        x += width
    return Markup("").join(parts)


def _dot_row(axis: _Axis, value: float, low: float | None, high: float | None, middle: float) -> Markup:
    parts = []
    if low is not None and high is not None:
        x1, x2 = axis.x(low), axis.x(high)
        parts.append(_line("whisker", x1, middle, x2, middle, INK, 1.5))
        parts.append(_line("whisker-cap", x1, middle - 6, x1, middle + 6, INK, 1.5))
        parts.append(_line("whisker-cap", x2, middle - 6, x2, middle + 6, INK, 1.5))
    x = axis.x(value)
    parts.append(
        Markup(
            f'<circle class="dot" cx="{_n(x)}" cy="{_n(middle)}" r="6" fill="{BAR}" stroke="{WHITE}" stroke-width="1.5"/>'
        )
    )
    beside = max(x, axis.x(high) if high is not None else x) + 10
    parts.append(_text("value", beside, middle, axis.label(value), SMALL, INK, "start"))
    return Markup("").join(parts)


def _family_bar(axis: _Axis, score: float, top: float) -> Markup:
    end = axis.x(score)
    bar = Markup('<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>').format(
        _n(axis.left), _n(top), _n(end - axis.left), BAR_HEIGHT, BAR
    )
    value = axis.formats.decimal(score)
    return bar + _text("value", end + 6, top + BAR_HEIGHT / 2, value, SMALL, INK, "start")


class _Axis:
    """A horizontal 0..maximum scale with room on the right for the value written beside the last mark."""

    def __init__(self, maximum: float, lang: str) -> None:
        if maximum <= 0:
            raise ValueError(f"an axis needs a positive maximum, not {maximum}")
        self.maximum = maximum
        self.formats = language(lang)
        self.left = PAD + 16
        self.right = WIDTH - PAD - 64

    def x(self, value: float) -> float:
        return self.left + min(max(value, 0.0), self.maximum) / self.maximum * (self.right - self.left)

    def label(self, value: float) -> str:
        """Shares (axis 1) as locale percentages, scores (any other axis) with one decimal."""
        if self.maximum == 1:
            return self.formats.percent(value)
        return self.formats.decimal(value)

    def tick_label(self, value: float) -> str:
        if self.maximum == 1:
            return self.formats.percent(value)
        return self.formats.number(value, decimals=2)

    def ticks(self, top: float, bottom: float) -> Markup:
        """Five ticks with light gridlines from ``top`` down to ``bottom``."""
        parts = []
        for i in range(5):
            value = self.maximum * i / 4
            x = self.x(value)
            parts.append(_line("grid", x, top, x, max(bottom, top), GRID, 1))
            parts.append(_text("tick", x, top - 10, self.tick_label(value), SMALL, MUTED, "middle"))
        return Markup("").join(parts)


# -- shared pieces -----------------------------------------------------------------


def _legend(level_labels: Sequence[str], colours: Sequence[str], top: float) -> tuple[Markup, float]:
    """Swatch and label per level, low to high, wrapping to new lines; returns the markup and the y below it."""
    x, y = PAD, top
    parts = []
    for label, colour in zip(level_labels, colours, strict=True):
        width = 14 + 6 + _text_width(_clean(label), SMALL)
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + 22
        parts.append(
            Markup('<rect class="swatch" x="{}" y="{}" width="14" height="14" fill="{}" stroke="{}"/>').format(
                _n(x), _n(y), colour, INK
            )
        )
        parts.append(_text("legend", x + 20, y + 7, label, SMALL, INK, "start"))
        x += width + 16
    return Markup("").join(parts), y + 22


def _row_label(label: str, top: float) -> Markup:
    return _text("label", PAD, top + ROW_LABEL / 2, label, FONT, INK, "start", weight="600")


def _suppressed(text: str, middle: float) -> Markup:
    return _text("suppressed", PAD, middle, text, SMALL, MUTED, "start", style="italic")


def _svg(id_prefix: str, title: str, description: str, height: float, body: Sequence[Markup]) -> Markup:
    """The root element: an image to assistive technology, named by its own title and description."""
    if not _ID.match(id_prefix):
        raise ValueError(f"id_prefix must be a letter then letters, digits, '-' or '_', not {id_prefix!r}")
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{} {}" viewBox="0 0 {} {}"'
        ' width="100%" font-family="Arial, Helvetica, sans-serif">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>'
    ).format(title_id, desc_id, WIDTH, _n(height), title_id, _clean(title), desc_id, _clean(description))
    return head + Markup("").join(body) + Markup("</svg>")


def _text(
    css_class: str,
    x: float,
    y: float,
    text: str,
    size: int,
    fill: str,
    anchor: str,
    *,
    weight: str = "400",
    style: str = "normal",
) -> Markup:
    """Built with an f-string (``text`` escaped): charts write thousands of these and `Markup.format` is slow."""
    return Markup(
        f'<text class="{css_class}" x="{_n(x)}" y="{_n(y + size * BASELINE)}" font-size="{size}"'
        f' font-weight="{weight}" font-style="{style}" fill="{fill}" text-anchor="{anchor}">'
        f"{escape(_clean(text))}</text>"
    )


def _line(css_class: str, x1: float, y1: float, x2: float, y2: float, colour: str, width: float) -> Markup:
    return Markup(
        f'<line class="{css_class}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"'
        f' stroke-width="{_n(width)}"/>'
    )


def _clean(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (NUL, most controls): one would make the whole page unreadable.

    Escaping happens later, in `Markup.format`.
    """
    return _NOT_XML.sub("", str(text))


def _text_width(text: str, size: int) -> float:
    return len(text) * size * CHAR_WIDTH


def _n(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: stable bytes for the same figures."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
