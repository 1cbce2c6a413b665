"""The colour scheme stays readable with colour-vision deficiencies: simulated (Machado et al. 2009, severity 1)
and compared as CIELAB distances; the gradient ramp is ordered by lightness, so size reads without hue."""

from __future__ import annotations

import itertools
import math

import pytest

from autograd import palette

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
SIMULATIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def rgb(colour: str | tuple[int, int, int]) -> tuple[int, int, int]:
    if isinstance(colour, tuple):
        return colour
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def lab(colour: str | tuple[int, int, int], seen_by: str) -> tuple[float, float, float]:
    """CIELAB (D65) of ``colour`` as simulated for ``seen_by``."""

    def linear(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lin = [linear(c) for c in rgb(colour)]
    r, g, b = (min(max(sum(m * c for m, c in zip(row, lin)), 0.0), 1.0) for row in SIMULATIONS[seen_by])
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (
        0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a: str | tuple[int, int, int], b: str | tuple[int, int, int], seen_by: str) -> float:
    return math.dist(lab(a, seen_by), lab(b, seen_by))


def test_the_simulation_is_right_on_known_colours():
    # pure red and green look alike to a deuteranope; black and white stay apart for everyone
    assert distance("#ff0000", "#00ff00", "normal") > 150
    assert distance("#ff0000", "#00ff00", "deuteranopia") < 0.3 * distance("#ff0000", "#00ff00", "normal")
    assert all(distance("#000000", "#ffffff", s) > 99 for s in SIMULATIONS)


@pytest.mark.parametrize("seen_by", list(SIMULATIONS))
def test_role_fills_stay_apart(seen_by):
    for (r1, c1), (r2, c2) in itertools.combinations(palette.ROLE_FILL.items(), 2):
        assert distance(c1, c2, seen_by) >= 12, (r1, r2)


@pytest.mark.parametrize("seen_by", list(SIMULATIONS))
def test_role_borders_and_highlights_stay_apart(seen_by):
    # with color_by_grad the role is the border; a backward step's marks never look like a role
    borders = dict(palette.ROLE_BORDER)
    for (r1, c1), (r2, c2) in itertools.combinations(borders.items(), 2):
        assert distance(c1, c2, seen_by) >= 15, (r1, r2)
    for mark in (palette.CURRENT, palette.SENDER, palette.RECEIVER):
        for role, colour in borders.items():
            assert colour != mark and distance(colour, mark, seen_by) >= 10, (role, mark)
    assert distance(palette.SENDER, palette.RECEIVER, seen_by) >= 30


@pytest.mark.parametrize("seen_by", list(SIMULATIONS))
def test_gradient_signs_differ_and_size_reads_as_lightness(seen_by):
    assert distance(palette.POSITIVE, palette.NEGATIVE, seen_by) >= 40
    for sign in (1.0, -1.0):
        ladder = [palette.grad_fill(sign * 10.0**-k, 1.0)[0] for k in range(7)]  # 1, 0.1, ..., 1e-6
        lightness = [lab(c, seen_by)[0] for c in ladder]
        assert lightness == sorted(lightness) and lightness[-1] - lightness[0] > 25  # smaller is lighter
        assert lab(ladder[-1], seen_by)[0] < lab("#ffffff", seen_by)[0] - 1  # 1e-6 of the largest: still tinted


def test_text_colour_keeps_contrast_on_every_fill():
    for g in [k / 20 for k in range(-20, 21)]:
        fill, white = palette.grad_fill(g, 1.0)
        l_fill = lab(fill, "normal")[0]
        assert (100 - l_fill if white else l_fill) > 40, (g, fill, white)  # white text on dark, black on light
