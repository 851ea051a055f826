"""The workspace's passwords: which are accepted, and how they are kept (a slow salted Argon2id hash, nothing else).

A password is never stored, written or logged in clear: `hash_password` is the
only thing that leaves this module. `HASHER` uses argon2-cffi's default
parameters (RFC 9106's low-memory choice: 3 passes over 64 MiB, 4 lanes); a
stored hash made with weaker ones is made again at the next login
(`Verified.needs_rehash`). An unknown login is checked against a dummy hash
(`check_nothing`), so that it takes as long as a known one.
"""

from __future__ import annotations

import functools
import gzip
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from argon2.exceptions import VerifyMismatchError

HASHER = PasswordHasher()
MIN_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common-passwords.txt.gz"
"""Django's list of 19,640 common passwords (see common-passwords.NOTICE beside it)."""
DECORATION = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$", re.DOTALL)
"""Digits, punctuation and spaces around a word: ``2026-Azerty!`` is ``azerty`` dressed up."""


class PasswordRefused(ValueError):
    """A new password that may not be used; the message says why, in a sentence for the person choosing it."""


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_new_password(password: str, login: str) -> None:
    """Refuse (`PasswordRefused`) a password that is short, common, a common one with digits or signs around it
    or a few characters added, one short pattern repeated, or one that contains the login."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"a password needs at least {MIN_LENGTH} characters (this one has {len(password)})")
    folded = password.strip().casefold()
    core = DECORATION.match(folded).group(1)
    common = common_passwords()
    if folded in common or core in common or _repeats(core) in common or _padded_common(folded, common):
        raise PasswordRefused(
            "this password is in a list of common passwords (or is one with digits or signs added):"
            " choose another, for example four unrelated words"
        )
    if len(set(folded)) <= 3 or _repeats(folded) != folded:
        raise PasswordRefused("this password repeats a short pattern: choose another, for example four unrelated words")
    if len(login) >= 3 and login.casefold() in folded:
        raise PasswordRefused("a password may not contain the login")


PADDING = 4
"""A common password with this many characters or fewer added anywhere is still common (``1234567890ab``)."""


def _padded_common(folded: str, common: frozenset[str]) -> bool:
    return any(
        len(found) >= 6 and len(folded) - len(found) <= PADDING and found in folded
        for found in common
        if len(found) >= len(folded) - PADDING
    )


def _repeats(text: str) -> str:
    """The shortest piece that ``text`` repeats whole (``azertyazerty`` → ``azerty``), else ``text``."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def hash_password(password: str) -> str:
    """A new salted Argon2id hash of ``password`` (a different one each time)."""
    return HASHER.hash(password)


@dataclass(frozen=True)
class Verified:
    matches: bool
    needs_rehash: bool = False
    """The hash was made with other parameters than `HASHER`'s: store a new one (the password is at hand)."""


def check(stored: str, given: str) -> Verified:
    """Whether ``given`` is the password ``stored`` was made from; a hash that cannot be read never matches."""
    try:
        HASHER.verify(stored, given)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verified(matches=False)
    return Verified(matches=True, needs_rehash=HASHER.check_needs_rehash(stored))


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(24))


def check_nothing(given: str) -> Verified:
    """As long as `check` takes, for a login that has no password: an attacker cannot tell known logins by time."""
    check(_dummy_hash(), given)
    return Verified(matches=False)
