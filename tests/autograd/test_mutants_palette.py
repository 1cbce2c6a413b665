"""The gradient colour scale of autograd.palette, number by number (its doctests alone left it unchecked)."""

from __future__ import annotations

import math

import pytest

from autograd.palette import NAN_FILL, NEGATIVE, POSITIVE, _white_reads_better, grad_fill, grad_strength, log_decades

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    "g, largest, strength",
    [
        (1.0, 1.0, 1.0),
        (-1.0, 1.0, 1.0),  # the sign does not matter
        (2.0, 1.0, 1.0),  # above the largest: full
        (0.1, 1.0, 1 - 1 / 7),  # each decade below takes 1 / (decades + 1) off
        (-0.001, 1.0, 1 - 3 / 7),
        (1e-6, 1.0, 1 / 7),  # six decades below: the faintest step
        (1e-9, 1.0, 1 / 7),  # further below: still visible
        (0.5, 5.0, 1 - 1 / 7),  # relative to the largest
        (0.0, 1.0, 0.0),
        (3.0, 0.0, 0.0),  # no scale: nothing to colour
        (NAN, 1.0, 0.0),
        (INF, 1.0, 1.0),
        (-INF, 1.0, 1.0),
        (1.0, INF, 0.0),  # finite next to an infinite largest
    ],
)
def test_strength_on_the_symmetric_log_scale(g, largest, strength):
    assert grad_strength(g, largest) == pytest.approx(strength, abs=1e-15)


def test_strength_with_fewer_decades_and_on_a_linear_scale():
    assert grad_strength(0.1, 1.0, decades=2.0) == pytest.approx(2 / 3, abs=1e-15)
    assert grad_strength(0.001, 1.0, decades=2.0) == pytest.approx(1 / 3, abs=1e-15)
    assert grad_strength(0.25, 1.0, log=False) == 0.25
    assert grad_strength(-3.0, 4.0, log=False) == 0.75
    assert grad_strength(8.0, 4.0, log=False) == 1.0


def hex_of(rgb: tuple[int, int, int], t: float) -> str:
    """White blended towards ``rgb`` by ``t``, as the palette's docstring describes."""
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in rgb)


def white_reads_better(fill: str) -> bool:
    """WCAG 2: white text has a higher contrast ratio on ``fill`` than black text."""
    channels = [int(fill[k : k + 2], 16) / 255 for k in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (1.0 + 0.05) / (luminance + 0.05) > (luminance + 0.05) / (0.0 + 0.05)


def test_fill_colours_run_from_white_to_orange_or_purple():
    assert grad_fill(1.0, 1.0) == ("#e66101", False)  # Okabe-Ito / PuOr orange: black text reads better
    assert grad_fill(-1.0, 1.0) == ("#5e3c99", True)  # purple: white text
    assert grad_fill(0.0, 1.0) == ("#ffffff", False)
    assert grad_fill(NAN, 1.0) == (NAN_FILL, False)
    assert grad_fill(INF, 1.0) == grad_fill(1.0, 1.0)
    assert grad_fill(-INF, 1.0) == grad_fill(-1.0, 1.0)
    assert grad_fill(0.5, 1.0, log=False)[0] == "#f2b080"  # halfway: (242.5, 176, 128) rounded
    assert grad_fill(0.5, 1.0, log=False)[0] == hex_of(POSITIVE, 0.5)
    assert grad_fill(-0.1, 1.0)[0] == hex_of(NEGATIVE, 1 - 1 / 7)
    assert grad_fill(1e-9, 1.0)[0] == hex_of(POSITIVE, 1 / 7)


@pytest.mark.parametrize("g", [1.0, 0.7, 0.5, 0.1, 1e-3, 1e-9, -1.0, -0.7, -0.5, -0.1, -1e-3, -1e-9])
def test_text_is_white_exactly_where_white_has_more_contrast(g):
    for log in (True, False):
        fill, white = grad_fill(g, 1.0, log=log)
        assert white is white_reads_better(fill), (g, log, fill)
    assert grad_fill(-1.0, 1.0)[1] and not grad_fill(1e-9, 1.0)[1]  # strong purple: white; faint tint: black


def test_fewer_decades_reach_the_fill_colour():
    assert grad_fill(1e-3, 1.0, decades=2.0) == (hex_of(POSITIVE, 1 / 3), False)
    assert grad_fill(-0.1, 1.0, decades=1.0) == (hex_of(NEGATIVE, 1 / 2), False)
    assert grad_fill(1e-3, 1.0)[0] == hex_of(POSITIVE, 4 / 7)


@pytest.mark.parametrize(
    "rgb, white",
    # colours next to the WCAG boundary (luminance 0.1791), some with a dark channel (<= 10 of 255, where the
    # luminance is linear in the channel) that tips the balance
    [
        ((0, 0, 1), True),
        ((0, 3, 253), True),
        ((0, 86, 255), True),
        ((0, 109, 251), True),
        ((0, 108, 255), False),
        ((0, 137, 10), False),
        ((157, 108, 9), False),
        ((214, 11, 182), False),
    ],
)
def test_white_text_on_colours_near_the_boundary(rgb, white):
    assert _white_reads_better(list(rgb)) is white
    assert white_reads_better("#{:02x}{:02x}{:02x}".format(*rgb)) is white  # the WCAG formula, written out


@pytest.mark.parametrize(
    "grads, decades",
    [
        ([], 6),  # nothing to span: the least
        ([0.0, NAN, INF, -INF], 6),  # zeros and non-finite numbers do not count
        ([1.0], 6),
        ([1.0, 1e-7], 7),
        ([-1.0, 0.0, 1e-7, INF], 7),  # sizes, not signs
        ([1.0, 1e-16], 15),  # at most 15
        ([2.76, 3.2e-13], 13),  # 12.94 decades, rounded up
        ([1.000000000001, 1e-8], 8),  # a hair over 8 decades: still 8
        ([1.0, 1e-8], 8),
        ([0.5, 4e-9], 9),  # 8.1 decades: 9
    ],
)
def test_log_decades_spans_the_largest_to_the_smallest_nonzero(grads, decades):
    assert log_decades(grads) == decades


def test_log_decades_bounds_can_be_set():
    assert log_decades([1.0, 1e-3], least=2) == 3
    assert log_decades([1.0, 1e-3], least=4) == 4
    assert log_decades([1.0, 1e-9], most=8) == 8
    assert log_decades([1.0, 1e-9], most=10) == 9
    assert log_decades(iter([1.0, 1e-7])) == 7  # any iterable, read once
