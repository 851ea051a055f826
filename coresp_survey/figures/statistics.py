"""Intervals for shares and for changes of shares: the statistics every published uncertainty comes from."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion: unlike the textbook one, it stays in [0, 1] and works for small n."""
    if n <= 0:
        raise ValueError("a proportion needs at least one observation")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(successes1: int, n1: int, successes2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """The difference p1 - p2 of two independent proportions with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998), built from the two Wilson intervals: it keeps
    its coverage with the small groups and extreme shares that surveys produce.
    """
    p1 = successes1 / n1
    p2 = successes2 / n2
    low1, high1 = wilson_interval(successes1, n1, z)
    low2, high2 = wilson_interval(successes2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = difference + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return difference, low, high
