"""Login throttling in the database: waits that grow per login, the global ceiling, failures recorded before checks."""

from __future__ import annotations

import pytest

from coresp_survey.workspace import logins

NOW = 1_800_000_000.0


def test_the_wait_grows_from_the_third_failure_and_stops_at_fifteen_minutes():
    assert [logins.wait_after(n) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert logins.wait_after(13) == logins.LONGEST_WAIT == logins.wait_after(10_000)


def test_an_attempt_is_a_failure_until_it_succeeds(db):
    first = logins.begin_attempt(db, "ana", NOW)
    assert first.allowed and first.wait == 0
    assert logins.login_failures_since(db, 0) == [NOW]  # recorded before the password is checked
    logins.succeeded(db, "ana", first)
    assert logins.login_failures_since(db, 0) == []
    assert db.execute("SELECT count(*) FROM login_throttle").fetchone()[0] == 0


def test_a_login_waits_then_may_try_again(db):
    attempts = [logins.begin_attempt(db, "ana", NOW) for _ in range(4)]
    assert [a.allowed for a in attempts] == [True, True, True, False]
    assert attempts[2].wait == 1 and attempts[3].wait == pytest.approx(1)
    assert logins.begin_attempt(db, "ana", NOW + 0.5).wait == pytest.approx(0.5)  # a refusal adds no wait
    later = logins.begin_attempt(db, "ana", NOW + 1)
    assert later.allowed and later.wait == 2
    assert logins.begin_attempt(db, "max", NOW + 1).allowed  # another login does not wait


def test_a_day_without_failure_starts_a_login_afresh(db):
    for _ in range(3):
        logins.begin_attempt(db, "ana", NOW)
    fresh = logins.begin_attempt(db, "ana", NOW + logins.FORGOTTEN_AFTER + 1)
    assert fresh.allowed and fresh.wait == 0
    assert logins.login_failures_since(db, 0) == [NOW + logins.FORGOTTEN_AFTER + 1]  # older ones deleted


def test_the_global_ceiling_adds_a_failure_per_step_to_each_login_that_fails(db):
    for number in range(3 * logins.GLOBAL_STEP):
        logins.begin_attempt(db, f"spray{number}", NOW)
    first = logins.begin_attempt(db, "ana", NOW)
    assert first.allowed and first.wait == logins.wait_after(1 + 3)
    assert logins.begin_attempt(db, "max", NOW + logins.GLOBAL_WINDOW + 1).wait == 0  # the flood is over


def test_logins_are_kept_under_a_hash_only(db):
    logins.begin_attempt(db, "my secret password typed as a login", NOW)
    (key,) = db.execute("SELECT login_key FROM login_throttle").fetchone()
    assert "secret" not in key and len(key) == 64
