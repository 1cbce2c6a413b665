"""Finite-difference assertion shared by the engine tests, written independently of gradcheck."""

from __future__ import annotations

import math
from typing import Callable, Sequence

from autograd import Value


def central_difference(f: Callable[[Sequence[float]], float], xs: Sequence[float], i: int, eps: float) -> float:
    """(f(x + eps e_i) - f(x - eps e_i)) / 2eps on plain floats, no Values involved."""
    up = list(xs)
    down = list(xs)
    up[i] += eps
    down[i] -= eps
    return (f(up) - f(down)) / (2 * eps)


def assert_grads_match(
    build: Callable[[Sequence[Value]], Value],
    xs: Sequence[float],
    eps: float = 1e-6,
    rel: float = 1e-4,
    abs_tol: float = 1e-6,
) -> list[float]:
    """Backprop through ``build(leaves)`` and compare every leaf's grad with central differences.

    The finite differences evaluate ``build`` on fresh leaves each time, so they
    share nothing with the backward pass under test.
    """
    leaves = [Value(x) for x in xs]
    out = build(leaves)
    out.backward()

    def value_at(point: Sequence[float]) -> float:
        return build([Value(p) for p in point]).data

    for i, leaf in enumerate(leaves):
        numeric = central_difference(value_at, xs, i, eps)
        scale = max(1.0, abs(numeric), abs(out.data))
        assert math.isclose(leaf.grad, numeric, rel_tol=rel, abs_tol=abs_tol * scale), (
            f"input {i} at {list(xs)}: backprop {leaf.grad!r} vs finite differences {numeric!r}"
        )
    return [leaf.grad for leaf in leaves]
