"""Pieces of autograd.render one by one: the step files' dot runs, the checks of grads= and highlight=,
the gradient key of the legend, the name of a box's output, and the bounds given to dot on large graphs."""

from __future__ import annotations

import re

import pytest

from autograd import (
    GraphTooLargeError,
    GraphvizNotFoundError,
    Value,
    draw_graph,
    group,
    palette,
    render,
    save_graph_steps,
    topological_order,
)
from autograd.dot import INSTALL_HINT
from autograd.views import plan_view
from nn import MLP, Neuron


def square() -> Value:
    a = Value(2.0, label="a")
    y = a * a
    y.label = "y"
    return y


# ------------------------------------------------------------------ save_graph_steps
def test_each_step_is_rendered_with_its_name_and_time_limit(monkeypatch, tmp_path):
    calls = []

    def fake_dot(source, fmt, *, timeout, who, target):
        calls.append((fmt, timeout, who, target))
        return source.encode()

    monkeypatch.setattr(render, "run_dot", fake_dot)
    paths = save_graph_steps(square(), tmp_path, format=".SVG", prefix="f", timeout=7)
    assert [p.name for p in paths] == ["f_000.svg", "f_001.svg", "f_002.svg"]
    assert calls == [("svg", 7, "save_graph_steps", str(tmp_path / f"f_00{n}.svg")) for n in range(3)]
    assert paths[1].read_text().startswith("digraph {")


def test_a_dotted_or_upper_case_format_is_read_as_its_suffix(tmp_path):
    paths = save_graph_steps(square(), tmp_path, format=".DOT")
    assert [p.name for p in paths] == ["step_000.dot", "step_001.dot", "step_002.dot"]


def test_unknown_options_are_named():
    with pytest.raises(TypeError) as info:
        save_graph_steps(square(), "unused", colour=True, max_node=3, decimals=2)
    assert str(info.value) == "save_graph_steps: unknown option colour, max_node; see draw_graph for the options"


def test_the_first_frame_adds_the_seed_to_a_gradient_already_there(tmp_path):
    y = square()
    y.backward()  # a.grad 4, y.grad 1: a second pass adds to them
    first, *_, last = save_graph_steps(y, tmp_path, format="dot")
    assert '\tv1 [label="{y|data 4.0000|grad 2.0000}"' in first.read_text()
    assert '\tv0 [label="{a|data 2.0000|grad 4.0000}"' in first.read_text()
    assert '\tv0 [label="{a|data 2.0000|grad 8.0000}"' in last.read_text()


def test_the_jupyter_picture_names_draw_graph(monkeypatch):
    monkeypatch.setattr("autograd.dot.shutil.which", lambda name: None)
    with pytest.raises(GraphvizNotFoundError) as info:
        draw_graph(square())._repr_image_svg_xml()
    assert str(info.value) == (
        "draw_graph: drawing an image needs the Graphviz `dot` program, which is not on PATH. " + INSTALL_HINT
    )


# ------------------------------------------------------------------ grads= and highlight=
def test_a_wrong_number_of_grads_says_what_to_give():
    with pytest.raises(ValueError) as info:
        draw_graph(square(), grads=[1.0, 2.0, 3.0])
    assert str(info.value) == (
        "draw_graph: grads has 3 numbers but the graph has 2 Values; give one per Value of topological_order(root)"
    )


@pytest.mark.parametrize("bad", [[1, 0], (1, 0, 0), (1.0, 0), (1, True), (1,)])
def test_a_highlight_must_be_a_pair_of_ints(bad):
    with pytest.raises(TypeError) as info:
        draw_graph(square(), highlight=bad)
    assert str(info.value) == f"draw_graph: highlight must be a BackwardStep or an (i, k) tuple, got {bad!r}"


@pytest.mark.parametrize("edge", [(2, 0), (1, 2), (0, 0), (-1, 0), (1, -1)])
def test_a_highlight_must_be_an_edge_of_the_graph(edge):
    with pytest.raises(ValueError) as info:
        draw_graph(square(), highlight=edge)
    i, k = edge
    assert str(info.value) == (
        f"draw_graph: highlight {edge} is not an edge of this graph (no argument {k} of node v{i})"
    )


# ------------------------------------------------------------------ the gradient key
def key_row(source: str) -> str:
    (row,) = re.findall(r"<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\">grad[^<]*</FONT></TD>.*?</TR>", source)
    return row


def test_no_gradient_to_scale_by_is_said_in_the_key():
    a = Value(2.0, label="a")
    y = a * 3.0
    words = '<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">grad colour: no gradient other than 0 to scale by</FONT></TD>'
    for grads in ([0.0, 0.0, 0.0], [float("inf"), float("-inf"), float("nan")]):  # nothing finite and not 0
        source = draw_graph(y, color_by_grad=True, grads=grads).source
        assert words + "</TR>" in source and "log scale" not in source


def test_the_log_key_spans_the_decades_of_the_drawing():
    a = Value(2.0, label="a")
    y = a * 3.0
    source = draw_graph(y, color_by_grad=True, grads=[-4.0, 1e-9, 1.0]).source  # 9.6 decades: 10
    cells = re.findall(
        r'<TD BGCOLOR="(#\w+)" COLOR="#4d4d4d" BORDER="1" HEIGHT="12">'
        r'<FONT POINT-SIZE="8" COLOR="(white|black)">([^<]*)</FONT></TD>',
        key_row(source),
    )
    assert [number for _, _, number in cells] == [
        "-4.0",
        "-0.004",
        "-4e-07",
        "-4e-10",
        "0.0",
        "4e-10",
        "4e-07",
        "0.004",
        "4.0",
    ]  # the largest, then 10 * k / 3 decades below it, rounded: 3, 7 and 10
    assert [white for _, white, _ in cells] == ["white"] + ["black"] * 8
    assert cells[4][0] == "#ffffff" and cells[0][0] == "#5e3c99" and cells[-1][0] == "#e66101"
    assert cells[1][0] == palette.grad_fill(-0.004, 4.0, decades=10)[0] == "#8a71b5"
    assert cells[-2][0] == palette.grad_fill(0.004, 4.0, decades=10)[0]


def test_the_linear_key_has_the_largest_and_half_of_it():
    a = Value(2.0, label="a")
    y = a * 3.0
    source = draw_graph(y, color_by_grad=True, color_scale="linear", grads=[-0.5, 0.25, 1e-9]).source
    cells = re.findall(
        r'<TD BGCOLOR="(#\w+)" COLOR="#4d4d4d" BORDER="1" HEIGHT="12">'
        r'<FONT POINT-SIZE="8" COLOR="(white|black)">([^<]*)</FONT></TD>',
        key_row(source),
    )
    assert cells == [
        ("#5e3c99", "white", "-0.5"),
        ("#ae9ecc", "black", "-0.25"),
        ("#ffffff", "black", "0.0"),
        ("#f2b080", "black", "0.25"),
        ("#e66101", "black", "0.5"),
    ]
    assert "grad (linear scale):</FONT></TD><TD BGCOLOR" in source


# ------------------------------------------------------------------ a box's outputs
def nested() -> tuple[Value, list[Value]]:
    """A group "outer" of two groups "a" and "b", "b" holding a group "deep": three outputs, no labels."""
    x = Value(0.5, label="x")
    with group("outer") as outer:
        with group("a") as a:
            u = a.output(x * 2.0)
        with group("b") as b:
            with group("deep") as deep:
                w = deep.output(x * 3.0)
            w2 = b.output(w + 1.0)
        v = x * 5.0
        outs = outer.output([u, w2, v])
    y = outs[0] * outs[1] * outs[2]
    y.label = "y"
    return y, outs


@pytest.mark.parametrize("biggest, name", [(0, "a"), (1, "b"), (2, "output 2")])
def test_a_box_names_its_largest_output_by_the_group_that_makes_it(biggest, name):
    y, outs = nested()
    order = topological_order(y)
    grads = [0.0] * len(order)
    for n, out in enumerate(outs):
        grads[order.index(out)] = 3.0 if n == biggest else 1.0 + n / 10
    source = draw_graph(y, collapse="neuron", grads=grads).source
    assert f'3 outputs, largest |grad|:</TD></TR><TR><TD ALIGN="LEFT">grad 3.0000 ({name})</TD>' in source
    assert "<B>outer</B>" in source and "<B>deep</B>" not in source  # the outermost group is the box


# ------------------------------------------------------------------ bounds for dot
def chain(binary: int, unary: int) -> Value:
    """A leaf, ``binary`` squarings by multiplication and ``unary`` relus: 1 + 5 * binary + 4 * unary items."""
    y = Value(1.5, label="a")
    for _ in range(binary):
        y = y * y
    for _ in range(unary):
        y = y.relu()
    return y


def test_dot_gets_bounded_iterations_from_301_nodes_and_edges():
    small, large = chain(3, 71), chain(0, 75)
    assert [len(plan_view(topological_order(y)).items) for y in (small, large)] == [300, 301]
    graph_line = "\tgraph [fontname=Helvetica nodesep=0.25 rankdir=LR ranksep=0.35]\n"
    assert graph_line in draw_graph(small).source
    assert (
        "\tgraph [fontname=Helvetica mclimit=0.5 nodesep=0.25 nslimit=3 nslimit1=3 rankdir=LR ranksep=0.35 "
        "searchsize=10]\n" in draw_graph(large).source
    )


def test_steps_have_the_same_size_limit_as_draw_graph(tmp_path):
    y = chain(0, 500)  # 501 Values
    with pytest.raises(
        GraphTooLargeError, match=r"^save_graph_steps: the graph has 501 Values, more than max_nodes=500;"
    ):
        save_graph_steps(y, tmp_path, format="dot")
    assert list(tmp_path.iterdir()) == [] and y.grad == 0.0


# ------------------------------------------------------------------ boxes
def box_line(source: str, node: str) -> str:
    (line,) = [ln.strip() for ln in source.splitlines() if ln.strip().startswith(f"{node} [")]
    return line


def test_four_parameters_are_summed_up_and_three_listed():
    neuron = Neuron(3, seed=0)  # w0, w1, w2, b
    y = neuron([1.0, 2.0, 3.0])
    y.backward()
    label = box_line(draw_graph(y, collapse="neuron").source, "g0")
    assert '<FONT POINT-SIZE="9">4 params, largest |grad| 0.5193 (w2)</FONT>' in label
    assert '<B>neuron</B> <FONT POINT-SIZE="10">tanh</FONT>' in label


def test_unlabelled_parameters_are_numbered_and_a_box_of_zero_gradients_is_dashed():
    w, u, x = Value(0.5), Value(-1.5), Value(2.0, label="x")
    with group("pair", params=[w, u]) as g:
        out = g.output(x * w + u)
    out.backward()
    source = draw_graph(out, collapse="neuron", rankdir="RL").source
    assert box_line(source, "v1") == (
        'v1 [label="{x|data 2.0000|grad 0.5000}" color="#56b4e9" fillcolor="#c4e5f7" id=v1 style=filled]'
    )  # RL is horizontal too: the fields in one row
    assert '<FONT POINT-SIZE="9">param grads: p0 2.0000, p1 1.0000</FONT>' in box_line(source, "g0")
    assert box_line(source, "g0").endswith(
        ' class="group group" color="#009e73" fillcolor="#99d8c7" id=g0 '
        'margin="0.08,0.04" penwidth=1.5 shape=box style="rounded,filled"]'
    )
    zero = box_line(draw_graph(out, collapse="neuron", grads=[0.0] * 5).source, "g0")
    assert 'style="rounded,filled,dashed"]' in zero and "<B>pair</B></TD>" in zero
    assert box_line(draw_graph(out, collapse="neuron", grads=[0.0, 0.0, 0.0, 0.0, 1e-300]).source, "g0").endswith(
        'style="rounded,filled"]'
    )


def test_a_box_that_receives_the_step_gradient_is_marked():
    model = MLP(2, [2, 1], seed=0)
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.backward()
    source = draw_graph(loss, collapse="layer", highlight=(28, 0)).source  # g3 -> op28: the last layer's output
    assert box_line(source, "g3").endswith(
        'class="group layer" color="#d55e00" fillcolor="#ffffff" id=g3 margin="0.08,0.04" penwidth=3 shape=box '
        'style="rounded,filled"]'
    )
    assert 'color="#0072b2"' in box_line(source, "v28") and 'color="#d55e00"' in box_line(source, "op28")
    inside = draw_graph(loss, collapse="layer", highlight=(27, 0)).source  # within the box: current, receiver, sender
    assert 'color="#d55e00" fillcolor="#99d8c7" id=g3' not in inside
    assert box_line(inside, "g3").count('color="#d55e00"') == 1 and "penwidth=3" in box_line(inside, "g3")


def test_steps_draw_clusters_and_four_decimals_by_default(tmp_path):
    y = Neuron(1, seed=0)([Value(0.5, label="x")])
    first = save_graph_steps(y, tmp_path, format="dot")[0].read_text()
    assert "\tsubgraph cluster_g0 {\n" in first and "|data 0.5000|" in first
    assert (
        "subgraph cluster_g0" not in save_graph_steps(y, tmp_path / "flat", format="dot", clusters=False)[0].read_text()
    )


def test_a_collapsed_drawing_over_the_limit_gives_the_sizes_of_both_levels():
    y = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    with pytest.raises(GraphTooLargeError) as info:
        draw_graph(y, collapse="neuron", max_nodes=3)
    assert str(info.value) == (
        "draw_graph: the graph has 4 nodes (Values and collapsed boxes), more than max_nodes=3; `dot` may take "
        "minutes on it. Draw a smaller part of the computation, pass max_nodes=4 (or max_nodes=None) to draw it "
        "anyway, or draw neurons as boxes: collapse='neuron' draws 4 and collapse='layer' draws 2 nodes."
    )


def test_numbers_switch_to_scientific_below_0_001_and_from_a_million():
    assert [render.format_field(x, 4) for x in (0.001, -0.001, 0.00099, 999999.0, 1e6, -1e6)] == [
        "0.001000",
        "-0.001000",
        "9.900e-04",
        "999999.0000",
        "1.000e+06",
        "-1.000e+06",
    ]
    assert (
        render.format_field(3.8e-5, 0) == "4e-05"
        and render.format_field(3.8e-5, 1) == "4e-05"
        and render.format_field(3.8e-5, 2) == "3.8e-05"
    )


def test_numbers_under_1_keep_their_significant_digits():
    assert [render.format_field(x, 0) for x in (0.05, 0.5, 123.456)] == ["0.05", "0.5", "123"]
    assert [render.format_field(x, 4) for x in (0.0769231, 0.5, 12.5)] == ["0.07692", "0.5000", "12.5000"]
