"""save_graph_steps: one picture per backward step, the step's edge marked, gradients as they stand."""

from __future__ import annotations

import re

import pytest

from autograd import Value, draw_graph, palette, save_graph_steps, topological_order, trace_backward

HIGHLIGHT = f'color="{palette.CURRENT}"'


def shown_grads(source: str) -> dict[int, str]:
    """The grad text of each node v{i} in a DOT source."""
    return {int(i): g for i, g in re.findall(r'\tv(\d+) \[label="\{[^|]*\|data [^|]*\|grad ([^}]*)\}"', source)}


def highlighted_edges(source: str) -> list[str]:
    return re.findall(rf"-> op\d+ \[{HIGHLIGHT} id=(e\d+_\d+) penwidth=3\]", source)


def test_frames_of_a_square_by_hand(tmp_path):
    # y = a * a + a at a = 2: steps y->(a*a), y->a, (a*a)->a twice; a.grad goes 1, 3, 5
    a = Value(2.0, label="a")
    sq = a * a
    sq.label = "sq"
    y = sq + a
    y.label = "y"
    paths = save_graph_steps(y, tmp_path / "frames", format="dot", prefix="f")
    assert [p.name for p in paths] == [f"f_00{n}.dot" for n in range(5)]
    sources = [p.read_text(encoding="utf-8") for p in paths]
    order = topological_order(y)
    assert [v.label for v in order] == ["a", "sq", "y"]
    assert [shown_grads(s) for s in sources] == [
        {0: "0.0000", 1: "0.0000", 2: "1.0000"},
        {0: "0.0000", 1: "1.0000", 2: "1.0000"},
        {0: "1.0000", 1: "1.0000", 2: "1.0000"},
        {0: "3.0000", 1: "1.0000", 2: "1.0000"},
        {0: "5.0000", 1: "1.0000", 2: "1.0000"},
    ]
    assert [highlighted_edges(s) for s in sources] == [[], ["e2_0"], ["e2_1"], ["e1_0"], ["e1_1"]]
    assert 'label="start: y.grad += 1.0"' in sources[0]
    assert 'label="step 3/4: a.grad += 2.0 * 1.0 = 2.0   (d sq / d a = 2.0)"' in sources[3]
    assert (a.grad, sq.grad, y.grad) == (5.0, 1.0, 1.0)  # the pass really ran, once


def test_last_frame_shows_the_final_gradients_and_earlier_ones_count(tmp_path):
    x, w = Value(0.7, label="x"), Value(-1.3, label="w")
    y = (x * w).tanh() * x + w
    y.backward()  # an earlier pass: the frames start from these gradients
    before = [v.grad for v in topological_order(y)]
    paths = save_graph_steps(y, tmp_path, format="gv", decimals=6)
    order = topological_order(y)
    final = shown_grads(paths[-1].read_text(encoding="utf-8"))
    assert final == {i: f"{v.grad:.6f}" for i, v in enumerate(order)}
    assert [v.grad for v in order] == [2 * g for g in before]  # like a second backward()
    first = shown_grads(paths[0].read_text(encoding="utf-8"))
    assert first == {i: f"{g + (1.0 if i == len(order) - 1 else 0.0):.6f}" for i, g in enumerate(before)}
    assert len(paths) == 1 + sum(len(v.parents) for v in order)


def test_each_frame_matches_draw_graph_of_that_moment(tmp_path):
    a, b = Value(1.5, label="a"), Value(-0.5, label="b")
    y = (a * b + a).sigmoid()
    paths = save_graph_steps(y, tmp_path, format="dot", color_by_grad=True)
    a2, b2 = Value(1.5, label="a"), Value(-0.5, label="b")
    y2 = (a2 * b2 + a2).sigmoid()
    order = topological_order(y2)
    shown = [0.0] * (len(order) - 1) + [1.0]
    steps = trace_backward(y2)
    for n, step in enumerate(steps, 1):
        shown[step.parent_position] = step.grad_after
        expected = draw_graph(y2, grads=shown, highlight=step, color_by_grad=True, title="TITLE").source
        got = paths[n].read_text(encoding="utf-8")
        assert re.sub(r'\tfontsize=13 label=".*" labeljust', "\tfontsize=13 label=TITLE labeljust", got) == expected


def test_svg_frames_with_the_real_dot(tmp_path):
    a = Value(3.0, label="a")
    y = a.tanh()
    paths = save_graph_steps(y, tmp_path / "svg")
    assert [p.name for p in paths] == ["step_000.svg", "step_001.svg"]
    last = paths[-1].read_text(encoding="utf-8")
    assert last.lstrip().startswith("<?xml") and 'id="e1_0"' in last and palette.CURRENT in last
    assert "step 1/1: a.grad += 0.009866 * 1.0 = 0.009866" in last


def test_bad_arguments(tmp_path):
    y = Value(1.0, label="a").exp()
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf, dot, gv, got 'jpg'"):
        save_graph_steps(y, tmp_path, format="jpg")
    with pytest.raises(TypeError, match="highlight is set for each step"):
        save_graph_steps(y, tmp_path, highlight=(1, 0))
    with pytest.raises(TypeError, match="expected a Value as root"):
        save_graph_steps([y], tmp_path)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    assert y.grad == 0.0
