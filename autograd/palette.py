"""The one colour scheme of every picture and page: roles, gradient sign and size, backward-step highlights.

Built on the Okabe-Ito colours, which stay apart for the common colour-vision
deficiencies, and each colour means one thing everywhere (static images, step
images, the explorer page):

| what | colour | also told by |
| ---- | ------ | ------------ |
| an input (a leaf that is not a parameter) | sky blue | |
| a parameter | yellow | |
| the output (the root) | bluish green | |
| an interior result | white | |
| gradient > 0 (raising the node raises the root) | orange, stronger for larger | |
| gradient < 0 | purple, stronger for larger | |
| gradient exactly 0 | | a dashed border |
| gradient nan | grey | |
| the edge of the current backward step | vermillion | a thick line |
| the node sending the gradient | blue | a thick border (dashed on the page) |
| the node receiving it | vermillion | a thick border (double on the page) |
| a group (a neuron, a layer) | grey frame, a layer's lightly filled | its name |

Roles are fills; with ``color_by_grad`` the fill shows the gradient and the
role moves to the border. Gradients use a symmetric-log scale by default, so
0.0769, 0.0185 and 3.8e-05 all stay visible next to 1.0; a drawing spans
from its largest |grad| down to its smallest non-zero one (6 to 15 decades,
:func:`log_decades`). Static images cannot draw a dashed or double border on
a record beside the dashed "gradient 0" one, so there the step marks are
thick borders of their colour.

Checked in simulation (Machado et al. 2009) by tests/autograd/test_palette.py:
every two role fills differ by a CIELAB distance of at least 12 for normal
vision, protanopia, deuteranopia and tritanopia, role borders by 15, the
step marks from every role border by 10, the two gradient signs by 40, and
the gradient ramp gets darker as |grad| grows under each of them. The step
marks are not meant to differ from the gradient fills (vermillion and orange
are close): they are lines and borders, never fills.
"""

from __future__ import annotations

import math
from typing import Iterable

__all__ = [
    "ROLE_FILL",
    "ROLE_BORDER",
    "OP_FILL",
    "EDGE",
    "POSITIVE",
    "NEGATIVE",
    "NAN_FILL",
    "CURRENT",
    "SENDER",
    "RECEIVER",
    "CLUSTER_BORDER",
    "CLUSTER_FILL",
    "CLUSTER_TEXT",
    "grad_fill",
    "log_decades",
    "grad_strength",
]

# Tints of Okabe-Ito sky blue (35%), yellow (50%) and bluish green (40%) for fills, chosen so that
# every two role fills differ by a CIELAB distance of at least 12 also under simulated protanopia,
# deuteranopia and tritanopia (tests/autograd/test_palette.py); the full colours for borders.
ROLE_FILL = {"leaf": "#c4e5f7", "parameter": "#f8f2a0", "root": "#99d8c7", "interior": "#ffffff"}
ROLE_BORDER = {"leaf": "#56b4e9", "parameter": "#b8a800", "root": "#009e73", "interior": "#4d4d4d"}
OP_FILL = "#f2f2f2"
EDGE = "#808080"

POSITIVE = (230, 97, 1)  # orange (PuOr's end): raising the node raises the root
NEGATIVE = (94, 60, 153)  # purple (PuOr's other end): raising the node lowers the root
NAN_FILL = "#b3b3b3"  # a nan gradient: grey, neither sign

CURRENT = "#d55e00"  # vermillion: the edge (and op) of the current backward step
SENDER = "#0072b2"  # blue: the node whose gradient flows back in this step
RECEIVER = "#d55e00"  # vermillion: the node that receives it

CLUSTER_BORDER = "#999999"  # the frame of a group (a neuron, a layer) drawn around its ops
CLUSTER_FILL = "#f7f7f7"  # a layer's frame is lightly filled, so its neurons' frames stand out
CLUSTER_TEXT = "#4d4d4d"


def log_decades(grads: Iterable[float], least: int = 6, most: int = 15) -> int:
    """How many decades the log scale spans for these gradients: from the largest |grad| down to the
    smallest one that is not 0, at least ``least`` and at most ``most``.

    >>> log_decades([1.0, 0.5]), log_decades([2.76, 3.2e-13]), log_decades([1.0, 1e-30])
    (6, 13, 15)
    """
    sizes = [abs(g) for g in grads if g != 0.0 and math.isfinite(g)]
    if not sizes:
        return least
    span = math.log10(max(sizes) / min(sizes))
    return int(min(max(math.ceil(span - 1e-9), least), most))


def grad_strength(g: float, largest: float, *, log: bool = True, decades: float = 6.0) -> float:
    """How strongly gradient ``g`` is coloured, from 0 (white) to 1 (full), relative to ``largest`` |grad|.

    On the symmetric-log scale (``log=True``) each factor of 10 below ``largest``
    takes off ``1 / (decades + 1)`` of the strength, down to the smallest visible step
    ``decades`` decades below; linear (``log=False``) is ``|g| / largest``.

    >>> [round(grad_strength(g, 1.0), 3) for g in (1.0, 0.1, 3.8e-05, 0.0)]
    [1.0, 0.857, 0.369, 0.0]
    >>> grad_strength(0.5, 1.0, log=False)
    0.5
    """
    if g == 0.0 or largest == 0.0 or math.isnan(g):
        return 0.0
    if math.isinf(g) or math.isinf(largest):
        return 1.0 if math.isinf(g) else 0.0
    ratio = min(abs(g) / largest, 1.0)
    if not log:
        return ratio
    below = -math.log10(ratio)  # decades under the largest
    return max(1.0 - below / (decades + 1.0), 1.0 / (decades + 1.0))


def grad_fill(g: float, largest: float, *, log: bool = True, decades: float = 6.0) -> tuple[str, bool]:
    """The fill colour of gradient ``g`` and whether text on it should be white (see :func:`grad_strength`).

    >>> grad_fill(1.0, 1.0), grad_fill(-1.0, 1.0), grad_fill(0.0, 1.0)
    (('#e66101', False), ('#5e3c99', True), ('#ffffff', False))
    """
    if math.isnan(g):
        return NAN_FILL, False
    t = grad_strength(g, largest, log=log, decades=decades)
    if t == 0.0:
        return "#ffffff", False
    base = POSITIVE if g > 0 else NEGATIVE
    rgb = [round(255 + (c - 255) * t) for c in base]
    return "#{:02x}{:02x}{:02x}".format(*rgb), _white_reads_better(rgb)


def _white_reads_better(rgb: list[int]) -> bool:
    """Whether white text has more contrast than black on this fill (WCAG relative luminance)."""
    lin = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (y + 0.05) > (y + 0.05) / 0.05
