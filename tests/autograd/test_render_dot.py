"""draw_graph's DOT source: exact structure, ids, labels, escaping, colours, limits. No `dot` needed."""

from __future__ import annotations

import math
import re

import pytest

from autograd import GraphTooLargeError, Value, draw_graph, palette, topological_order, trace_backward

HEADER = (
    "digraph {\n"
    "\tgraph [fontname=Helvetica nodesep=0.25 rankdir=LR ranksep=0.35]\n"
    "\tnode [fontname=Helvetica fontsize=11 shape=record]\n"
    f'\tedge [arrowsize=0.7 color="{palette.EDGE}"]\n'
)
OP = (f'fillcolor="{palette.OP_FILL}" fontsize=10 height=0 id=op{{i}} margin="0.06,0.02" shape=ellipse '
      "style=filled width=0")


def role(name: str) -> str:
    return f'color="{palette.ROLE_BORDER[name]}" fillcolor="{palette.ROLE_FILL[name]}"'


LEAF, ROOT, PARAM, INNER = role("leaf"), role("root"), role("parameter"), role("interior")


def node_line(source: str, name: str) -> str:
    (line,) = [ln for ln in source.splitlines() if ln.lstrip("\t").startswith(f"{name} [")]
    return line


def attr(line: str, key: str) -> str:
    match = re.search(rf' {key}=("(?:[^"\\]|\\.)*"|\S+?)[\] ]', line)
    assert match, f"no {key} in {line}"
    return match.group(1).strip('"')


def test_exact_source_of_a_product():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = a * b
    y.label = "y"
    y.backward()
    assert draw_graph(y).source == HEADER + (
        f'\tv0 [label="{{a|data 2.0000|grad -3.0000}}" {LEAF} id=v0 style=filled]\n'
        f'\tv1 [label="{{b|data -3.0000|grad 2.0000}}" {LEAF} id=v1 style=filled]\n'
        f'\tv2 [label="{{y|data -6.0000|grad 1.0000}}" {ROOT} id=v2 style=filled]\n'
        f'\top2 [label="*" {OP.format(i=2)}]\n'
        "\tv0 -> op2 [id=e2_0]\n"
        "\tv1 -> op2 [id=e2_1]\n"
        "\top2 -> v2 [id=o2]\n"
        "}\n"
    )


def test_exact_source_of_a_reused_operand_before_backward():
    # a * a + 1: two edges from a into the *, a number leaf, every grad 0 (dashed)
    a = Value(3.0, label="a")
    y = a * a + 1
    assert draw_graph(y).source == HEADER + (
        f'\tv0 [label="{{|data 1.0000|grad 0.0000}}" {LEAF} id=v0 style="filled,dashed"]\n'
        f'\tv1 [label="{{a|data 3.0000|grad 0.0000}}" {LEAF} id=v1 style="filled,dashed"]\n'
        f'\tv2 [label="{{|data 9.0000|grad 0.0000}}" {INNER} id=v2 style="filled,dashed"]\n'
        f'\top2 [label="*" {OP.format(i=2)}]\n'
        "\tv1 -> op2 [id=e2_0]\n"
        "\tv1 -> op2 [id=e2_1]\n"
        "\top2 -> v2 [id=o2]\n"
        f'\tv3 [label="{{|data 10.0000|grad 0.0000}}" {ROOT} id=v3 style="filled,dashed"]\n'
        f'\top3 [label="+" {OP.format(i=3)}]\n'
        "\tv2 -> op3 [id=e3_0]\n"
        "\tv0 -> op3 [id=e3_1]\n"
        "\top3 -> v3 [id=o3]\n"
        "}\n"
    )


def neuron(x1: float = 2.0, x2: float = 0.0) -> tuple[Value, list[Value]]:
    xs = [Value(x1, label="x1"), Value(x2, label="x2")]
    ws = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    b = Value(6.8813735870195432, label="b")
    n = xs[0] * ws[0] + xs[1] * ws[1] + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, ws + [b]


def test_same_graph_same_source_byte_for_byte():
    first, _ = neuron()
    second, _ = neuron()
    first.backward()
    second.backward()
    one = draw_graph(first, color_by_grad=True)
    assert one.source == draw_graph(second, color_by_grad=True).source
    assert one.source == draw_graph(first, color_by_grad=True).source
    assert "0x" not in one.source  # nothing taken from id()


def test_every_value_is_node_v_i_of_the_topological_order():
    o, params = neuron()
    o.backward()
    source = draw_graph(o, params=params).source
    order = topological_order(o)
    for i, v in enumerate(order):
        line = node_line(source, f"v{i}")
        assert f"|data {v.data:.4f}|grad {v.grad:.4f}" in line
        assert f"id=v{i} " in line
        if v.parents:
            assert f"id=op{i} " in node_line(source, f"op{i}")
            assert f"\top{i} -> v{i} [id=o{i}]" in source
            for k, parent in enumerate(v.parents):
                assert f"\tv{order.index(parent)} -> op{i} [id=e{i}_{k}]" in source
        else:
            assert f"\top{i} " not in source
    assert source.count(" -> ") == sum(len(v.parents) + 1 for v in order if v.parents)


def test_roles_have_distinct_colours():
    o, params = neuron()
    o.backward()
    order = topological_order(o)
    for given in (params, type("Model", (), {"parameters": lambda self: params})(), iter(params)):
        source = draw_graph(o, params=given).source
        for i, v in enumerate(order):
            line = node_line(source, f"v{i}")
            expected = ROOT if v is o else PARAM if v in params else INNER if v.parents else LEAF
            assert expected in line, (v, line)
    assert PARAM not in draw_graph(o).source  # without params nothing is a parameter


def test_params_must_be_values():
    o, _ = neuron()
    with pytest.raises(TypeError, match=r"draw_graph: params\[1\] is 2.5, not a Value"):
        draw_graph(o, params=[Value(1.0), 2.5])
    with pytest.raises(TypeError, match="params must be Values or a module"):
        draw_graph(o, params=3)


def test_zero_gradient_is_dashed_and_only_that():
    o, _ = neuron(x2=0.0)  # x2 = 0 gives w2 a gradient of exactly 0
    o.backward()
    source = draw_graph(o).source
    order = topological_order(o)
    for i, v in enumerate(order):
        style = attr(node_line(source, f"v{i}"), "style")
        assert style == ("filled,dashed" if v.grad == 0.0 else "filled"), (v, style)
    assert [v.label for v in order if v.grad == 0.0] == ["w2"]


def test_numbers_decimals_tiny_huge_and_special():
    a = Value(1.23456789, label="a")
    y = a * 1e-9
    y.backward()
    source = draw_graph(y, decimals=2).source
    assert "{a|data 1.23|grad 1.0e-09}" in source  # tiny but not zero: not shown as 0.00
    assert "{|data 1.2e-09|grad 1.00}" in source
    assert "{a|data 1.2346|grad 1.000e-09}" in draw_graph(y).source
    big = Value(-2.5e7, label="big")
    assert "data -2.500e+07" in draw_graph(big).source
    for x, text in ((math.nan, "nan"), (math.inf, "inf"), (-math.inf, "-inf"), (-0.0, "0.0000")):
        v = Value(x, label="v")
        assert f"{{v|data {text}|grad 0.0000}}" in draw_graph(v).source
    with pytest.raises(ValueError, match="decimals must be an int"):
        draw_graph(a, decimals=-1)


def test_labels_with_metacharacters_are_escaped():
    label = 'we{i}|rd <x> "q" back\\slash & two  sp'
    v = Value(1.0, label=label)
    line = node_line(draw_graph(v).source, "v0")
    expected = r'we\{i\}\|rd\ \<x\>\ \"q\"\ back\\slash\ &amp;\ two\ \ sp'
    assert line.startswith(f'\tv0 [label="{{{expected}|data 1.0000|grad 0.0000}}"')
    newline = Value(1.0, label="two\nlines\x01")
    assert r'label="{two\nlines\\x01|' in draw_graph(newline).source


def test_op_names_and_titles_are_escaped():
    a = Value(2.0, label="a")
    y = Value.from_op(4.0, (a,), (4.0,), '<b>"sq"\\</b>')
    source = draw_graph(y, title='a & "b"').source
    assert r'op1 [label="<b>\"sq\"\\</b>" ' in source
    assert '\tfontsize=13 label="a &amp; \\"b\\"" labeljust=l labelloc=t\n' in source


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def toward(base: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """The colour a fraction ``t`` of the way from white to ``base``."""
    return tuple(round(255 + (c - 255) * t) for c in base)  # type: ignore[return-value]


def labelled_fills(source: str, order: list[Value]) -> dict[str, tuple[int, int, int]]:
    return {v.label: rgb(attr(node_line(source, f"v{i}"), "fillcolor")) for i, v in enumerate(order) if v.label}


def test_color_by_grad_hue_is_sign_and_intensity_is_relative_magnitude():
    a, b, c = Value(1.0, label="a"), Value(1.0, label="b"), Value(1.0, label="c")
    y = 4 * a - 2 * b + 0 * c  # grads 4, -2, 0
    y.backward()
    order = topological_order(y)
    linear = draw_graph(y, color_by_grad=True, color_scale="linear").source
    fills = labelled_fills(linear, order)
    assert fills["a"] == palette.POSITIVE == (230, 97, 1)  # the largest |grad|: full orange
    assert fills["c"] == (255, 255, 255)  # zero: white
    # half the largest magnitude: half-way between white and full purple (94, 60, 153)
    assert fills["b"] == toward(palette.NEGATIVE, 0.5) == (174, 158, 204)
    # log scale (the default): each decade under the largest takes 1/7 of the strength
    logged = labelled_fills(draw_graph(y, color_by_grad=True).source, order)
    assert logged["a"] == fills["a"] and logged["c"] == fills["c"]
    assert logged["b"] == toward(palette.NEGATIVE, 1 - math.log10(2) / 7)
    # text stays readable: black on full orange (it is light), white on full purple
    assert "fontcolor" not in node_line(linear, f"v{[v.label for v in order].index('a')}")
    d = Value(1.0, label="d")
    y2 = -4 * d
    y2.backward()
    assert "fontcolor=white" in node_line(draw_graph(y2, color_by_grad=True).source, "v1")
    # the role is still visible, in the border
    assert f'color="{palette.ROLE_BORDER["leaf"]}"' in node_line(linear, f"v{[v.label for v in order].index('c')}")
    with pytest.raises(ValueError, match="color_scale must be 'log' or 'linear', got 'sqrt'"):
        draw_graph(y, color_by_grad=True, color_scale="sqrt")


def test_log_scale_orders_colours_by_size_of_gradient_and_keeps_tiny_ones_visible():
    # a chain of tanh at 3.0: each step multiplies the gradient by about 0.01 (1 - tanh(6)^2 ...)
    x = Value(3.0, label="x")
    h = x
    for _ in range(4):
        h = (h * 2.0).tanh()
    h.backward()
    order = topological_order(h)
    grads = [v.grad for v in order]
    for scale in ("log", "linear"):
        source = draw_graph(h, color_by_grad=True, color_scale=scale).source
        ranked = sorted((i for i, v in enumerate(order) if v.grad != 0.0), key=lambda i: abs(grads[i]))
        whiteness = [sum(rgb(attr(node_line(source, f"v{i}"), "fillcolor"))) for i in ranked]
        assert whiteness == sorted(whiteness, reverse=True), scale  # larger |grad|, stronger colour
    smallest = min(abs(g) for g in grads if g != 0.0)
    assert smallest / max(abs(g) for g in grads) < 1e-6  # a vanishing gradient ...
    source = draw_graph(h, color_by_grad=True).source
    faint = attr(node_line(source, f"v{[abs(g) for g in grads].index(smallest)}"), "fillcolor")
    assert faint != "#ffffff"  # ... still coloured on the log scale
    linear = draw_graph(h, color_by_grad=True, color_scale="linear").source
    assert attr(node_line(linear, f"v{[abs(g) for g in grads].index(smallest)}"), "fillcolor") == "#ffffff"


def test_nan_gradient_has_its_own_colour():
    v = Value(1.0, label="v")
    source = draw_graph(v, grads=[math.nan], color_by_grad=True).source
    assert f'fillcolor="{palette.NAN_FILL}"' in source and "grad nan" in source


def test_too_many_nodes_is_a_clear_error():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y.tanh()
    with pytest.raises(GraphTooLargeError, match=r"31 Values, more than max_nodes=30.*max_nodes=31"):
        draw_graph(y, max_nodes=30)
    assert isinstance(GraphTooLargeError("x"), ValueError)
    assert draw_graph(y, max_nodes=31).source.count("tanh") == 30
    assert draw_graph(y, max_nodes=None).source.count("tanh") == 30
    with pytest.raises(ValueError, match="max_nodes must be a positive int or None"):
        draw_graph(y, max_nodes=0)
    big = sum(Value(float(n)) for n in range(400))  # 401 leaves plus 400 sums: over the default
    with pytest.raises(GraphTooLargeError, match="801 Values, more than max_nodes=500"):
        draw_graph(big)


def test_rankdir_top_to_bottom_keeps_fields_in_a_row():
    a = Value(2.0, label="a")
    source = draw_graph(a.exp(), rankdir="TB").source
    assert "rankdir=TB" in source and 'label="a|data 2.0000|grad 0.0000"' in source
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT, got 'XY'"):
        draw_graph(a, rankdir="XY")


def test_grads_override_and_highlight():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    steps = trace_backward(y)
    source = draw_graph(y, grads=[2.0, 1.0], highlight=steps[1], title="half way").source
    assert '{a|data 3.0000|grad 2.0000}' in source and '{y|data 9.0000|grad 1.0000}' in source
    assert "\tv0 -> op1 [id=e1_0]\n" in source
    assert f'\tv0 -> op1 [color="{palette.CURRENT}" id=e1_1 penwidth=3]\n' in source
    assert f'color="{palette.CURRENT}"' in node_line(source, "op1")
    assert f'color="{palette.RECEIVER}"' in node_line(source, "v0")  # receives the gradient
    assert f'color="{palette.SENDER}"' in node_line(source, "v1")  # sends it
    assert draw_graph(y, highlight=(1, 1)).source == draw_graph(y, highlight=steps[1]).source
    with pytest.raises(ValueError, match="grads has 1 numbers but the graph has 2 Values"):
        draw_graph(y, grads=[1.0])
    with pytest.raises(ValueError, match=r"highlight \(1, 2\) is not an edge"):
        draw_graph(y, highlight=(1, 2))
    with pytest.raises(TypeError, match="highlight must be a BackwardStep or an"):
        draw_graph(y, highlight="e1_0")


def test_not_a_value():
    with pytest.raises(TypeError, match="draw_graph: expected a Value as root, got 1.5"):
        draw_graph(1.5)  # type: ignore[arg-type]
