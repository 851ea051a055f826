"""Which groups a published figure hides: the small ones, and enough others that no subtraction reveals them.

PRODUCT.md, "Complementary suppression". The indicators (`indicators`) and the
criteria synthesis (`synthesis`) both ask this one function.
"""

from __future__ import annotations


def suppressed_groups(min_size: int, sizes: dict[str, int], rest: int) -> set[str]:
    """The groups to hide in one round × indicator: those below ``min_size``, then enough others to protect them.

    ``all`` minus the visible groups gives exactly what the hidden groups hold
    together, plus the ``rest`` (respondents in ``all`` who belong to no
    declared group, so to no group cell). That residue must be empty or hold
    at least ``min_size`` answers: while 0 < residue < ``min_size``, the
    visible group with the next smallest ``n`` (ties: the first declared) is
    hidden too. A group with no answer is hidden but protects nothing: it adds
    0 to the residue, which is why counting hidden groups (the rule's first
    version) was not enough. When every group is hidden and the residue is
    still small, ``all`` itself is small and the caller hides it.
    """
    hidden = {group for group, n in sizes.items() if n < min_size}
    residue = rest + sum(sizes[group] for group in hidden)
    candidates = sorted((n, k, group) for k, (group, n) in enumerate(sizes.items()) if group not in hidden)
    for n, _order, group in candidates:
        if not 0 < residue < min_size:
            break
        hidden.add(group)
        residue += n
    return hidden
