"""Which new passwords are accepted, and how they are checked."""

from __future__ import annotations

import pytest

from coresp_survey.workspace import passwords


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "saucisson lune vélo parapluie", "Tr0mb0ne-à-coulisse", "x7#Lq!9vR2@mZp"],
)
def test_long_uncommon_passwords_are_accepted(password):
    passwords.check_new_password(password, "ana")


@pytest.mark.parametrize(
    "password",
    ["password", "qwertyuiop12", "1234567890ab", "Motdepasse2026!", "  azertyuiop  ", "soleilsoleil", "ana-2026-ana!"],
)
def test_short_common_dressed_up_repeated_or_login_passwords_are_refused(password):
    with pytest.raises(passwords.PasswordRefused):
        passwords.check_new_password(password, "ana")


def test_the_list_is_shipped_whole():
    common = passwords.common_passwords()
    assert len(common) > 19_000 and {"azerty", "soleil", "motdepasse", "123456"} <= common
    assert passwords.COMMON_PASSWORDS.with_suffix("").with_suffix(".NOTICE").is_file()


def test_a_hash_checks_its_password_only():
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed != passwords.hash_password("correct horse battery staple")  # salted
    assert passwords.check(hashed, "correct horse battery staple").matches
    assert not passwords.check(hashed, "Correct horse battery staple").matches
    assert not passwords.check("not a hash", "anything").matches
    assert not passwords.check_nothing("anything").matches
