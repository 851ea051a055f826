"""The intervals, against published values and their edges."""

from __future__ import annotations

import pytest

from coresp_survey.figures import statistics


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998), Table II, method 10; the same values are in m-Py/propint's
        # tests/testthat/test_Two_Independent_Props_CI.R
        ((56, 70, 48, 80), (0.2, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6, 0.1705, 0.8090)),
        ((6, 7, 2, 7), (4 / 7, 0.0582, 0.8062)),
        ((5, 56, 0, 29), (5 / 56, -0.0381, 0.1926)),
    ],
)
def test_newcombe_interval_matches_the_published_examples(counts, expected):
    difference, low, high = statistics.newcombe_interval(*counts)
    assert difference == pytest.approx(expected[0])
    assert low == pytest.approx(expected[1], abs=1e-4)
    assert high == pytest.approx(expected[2], abs=1e-4)


def test_wilson_interval_at_the_edges_stays_within_zero_and_one():
    # p = 0, n = 5: low 0, high = z²/n / (1 + z²/n) = 0.76829 / 1.76829 = 0.434482
    assert statistics.wilson_interval(0, 5) == (0.0, pytest.approx(0.434482, abs=1e-6))
    assert statistics.wilson_interval(5, 5) == (pytest.approx(0.565518, abs=1e-6), 1.0)
