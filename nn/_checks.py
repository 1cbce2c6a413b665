"""The argument checks that ``nn`` shares: what counts as a number, a size, a list; one definition each."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import TypeGuard

__all__ = ["is_number", "is_finite_number", "is_int", "is_list_like", "check_size", "check_number"]


def is_number(x: object) -> TypeGuard[Real]:
    """An int or a float (any ``numbers.Real``), but not a bool.

    >>> is_number(2), is_number(0.5), is_number(True), is_number("1")
    (True, True, False, False)
    """
    return isinstance(x, Real) and not isinstance(x, bool)


def is_finite_number(x: object) -> bool:
    """A number (as :func:`is_number`) whose float is finite: not nan, not inf, and not ``10**400`` (too large).

    >>> is_finite_number(3), is_finite_number(10**400), is_finite_number(float("nan")), is_finite_number(False)
    (True, False, False, False)
    """
    if not is_number(x):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def is_int(x: object) -> TypeGuard[Integral]:
    """An int (any ``numbers.Integral``), but not a bool.

    >>> is_int(3), is_int(3.0), is_int(True)
    (True, False, False)
    """
    return isinstance(x, Integral) and not isinstance(x, bool)


def is_list_like(x: object) -> bool:
    """Iterable as a list of items: not a str, bytes or a dict (whose items would be characters or keys).

    >>> is_list_like([1, 2]), is_list_like((1,)), is_list_like(range(3))
    (True, True, True)
    >>> is_list_like("12"), is_list_like({"a": 1}), is_list_like(3)
    (False, False, False)
    """
    return isinstance(x, Iterable) and not isinstance(x, (str, bytes, Mapping))


def check_size(n: object, who: str, what: str) -> int:
    """``n`` as a positive int, else a TypeError (not an int) or ValueError (< 1) from ``who`` naming ``what``.

    >>> check_size(3, "Layer", "nout")
    3
    >>> check_size(0, "Layer", "nout")
    Traceback (most recent call last):
    ValueError: Layer: nout must be a positive int, got 0
    """
    if not is_int(n):
        raise TypeError(f"{who}: {what} must be a positive int, got {n!r} of type {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{who}: {what} must be a positive int, got {n!r}")
    return int(n)


def check_number(
    x: object,
    name: str,
    who: str,
    low: float = 0.0,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``x`` as a float between ``low`` and ``high`` (each end included unless ``*_open``), else a ValueError.

    The message names ``who``, the setting ``name``, the value and the range.

    >>> check_number(0.9, "beta1", "Adam", 0.0, 1.0, high_open=True)
    0.9
    >>> check_number(0, "eps", "binary_cross_entropy", 0.0, 0.5, low_open=True, high_open=True)
    Traceback (most recent call last):
    ValueError: binary_cross_entropy: invalid eps 0; expected a finite number (0, 0.5)
    """
    if is_finite_number(x):
        value = float(x)  # the bounds are checked on the float that is stored
        above = low < value if low_open else low <= value
        below = value < high if high_open else value <= high
        if above and below:
            return value
    if high == math.inf:
        bound = f"> {low:g}" if low_open else f">= {low:g}"
    else:
        bound = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    raise ValueError(f"{who}: invalid {name} {x!r}; expected a finite number {bound}")
