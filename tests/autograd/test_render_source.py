"""Whole DOT sources of four drawings, compared byte for byte with files in tests/autograd/golden/.

Each drawing uses many of draw_graph's features at once: a layer view with gradient colours, a
highlighted step and a title; a neuron view in role colours; every op in nested clusters; copies of a
much-used Value top to bottom on a linear scale. The files were read line by line against the
documentation (ids, colours of autograd.palette, legend rows); a change in any attribute shows here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd import Value, draw_graph, topological_order
from nn import MLP

GOLDEN = Path(__file__).parent / "golden"


def layer_view() -> str:
    model = MLP(2, [2, 1], seed=0)
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    last = len(topological_order(loss)) - 1
    return draw_graph(loss, collapse="layer", color_by_grad=True, highlight=(last, 0), title="layer view").source


def relu_net() -> Value:
    model = MLP(1, [2, 1], activation="relu", seed=1)  # its first neuron is dead: zero gradients, dashed
    y = model([0.5])
    y.label = "y"
    y.backward()
    return y


def neuron_view() -> str:
    return draw_graph(relu_net(), collapse="neuron").source


def clusters() -> str:
    return draw_graph(relu_net(), legend=False).source


def copies_top_down() -> str:
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    y = a * b
    for _ in range(4):  # a is used five times, far apart: drawn again twice
        y = y + a
    y = y.relu()
    y.label = "y"
    y.backward()
    return draw_graph(
        y,
        rankdir="TB",
        legend=True,
        color_by_grad=True,
        color_scale="linear",
        decimals=2,
        params=[b],
        title='a "quoted" title',
    ).source


DRAWINGS = {"layer_view": layer_view, "neuron_view": neuron_view, "clusters": clusters, "copies": copies_top_down}


@pytest.mark.parametrize("name", DRAWINGS)
def test_source_in_full(name):
    assert DRAWINGS[name]() == (GOLDEN / f"{name}.dot").read_text(encoding="utf-8")
