"""A value from an untrusted file, quoted in a one-line message: cut short enough to read.

A survey file, a condition or an imported row may hold a key, a name or a
value thousands of characters long; a message quotes at most its first
`CLIP` characters. Each message then makes the quote safe for where it goes
(the loader escapes control characters over the whole line; conditions show
them as code points).
"""

from __future__ import annotations

CLIP = 40
"""The longest quote, in characters, the ellipsis included."""


def clip(value: object, limit: int = CLIP) -> str:
    """``value`` as text, cut to ``limit`` characters with "…" when it is longer."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
