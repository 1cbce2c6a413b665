"""Collapsed views (a box per neuron or layer) and clusters, from the DOT text and from real images made by `dot`."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import GraphTooLargeError, Value, draw_graph, group, palette, save_graph, save_graph_steps
from autograd import topological_order
from autograd.groups import find_groups
from autograd.render import format_field
from nn import MLP

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


def mlp_loss(sizes: list[int] = [16, 16, 1], seed: int = 0) -> tuple[Value, MLP]:  # noqa: B006 - read only
    model = MLP(2, sizes, activation="relu", seed=seed)
    loss = (model([0.5, -0.2]) - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, model


def svg_texts(svg: str) -> dict[str, list[str]]:
    """The text lines drawn in each node, edge and cluster, by its id."""
    tree = ET.fromstring(svg)
    return {
        g.get("id"): [t for e in g.iter(f"{SVG}text") if (t := "".join(e.itertext()).replace("\xa0", " ")).strip()]
        for g in tree.iter(f"{SVG}g")
        if g.get("class", "").split()[:1] in (["node"], ["edge"], ["cluster"])
    }


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def cluster_block(source: str, index: int) -> str:
    """The lines of the block ``subgraph cluster_g{index} { ... }``, nested blocks included."""
    lines = source.splitlines()
    (start,) = [n for n, ln in enumerate(lines) if ln.strip() == f"subgraph cluster_g{index} {{"]
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    end = next(n for n in range(start + 1, len(lines)) if lines[n] == indent + "}")
    return "\n".join(lines[start:end + 1])


def node_line(source: str, name: str) -> str:
    (line,) = [ln for ln in source.splitlines() if ln.strip().startswith(f"{name} [")]
    return line


def test_collapsed_mlp_png_is_readable_and_svg_shows_each_neurons_name_and_gradient(tmp_path):
    # in a subprocess with a time limit: one forward pass and its loss render in seconds
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.autograd.test_render_collapse import mlp_loss
        from autograd import save_graph
        loss, _ = mlp_loss()
        save_graph(loss, {str(tmp_path / "mlp.png")!r}, collapse="neuron")
        save_graph(loss, {str(tmp_path / "mlp.svg")!r}, collapse="neuron")
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    width, height = png_size((tmp_path / "mlp.png").read_bytes())
    assert max(width, height) <= 2500 and min(width, height) >= 400
    loss, model = mlp_loss()  # the same graph again, here
    order = topological_order(loss)
    groups = find_groups(order)
    texts = svg_texts((tmp_path / "mlp.svg").read_text(encoding="utf-8"))
    neurons = [g for g in groups if g.kind == "neuron"]
    assert len(neurons) == 33
    for g in neurons:
        lines = texts[f"g{g.index}"]
        (out,) = g.outputs
        assert lines[0] == g.name and re.fullmatch(r"L[012]\.N\d+", g.name)  # its name, as its parameters say
        assert lines[1] == ("relu" if g.name[1] != "2" else "linear")
        assert lines[2] == f"data {format_field(order[out].data, 4)}"
        assert lines[3] == f"grad {format_field(order[out].grad, 4)}"  # the output's .grad
        params = [order[p] for p in g.params]
        assert all(p.label.startswith(g.name + ".") for p in params)
        if len(params) <= 3:  # listed one by one
            listed = ", ".join(f"{p.label[len(g.name) + 1:]} {format_field(p.grad, 4)}" for p in params)
            assert lines[4] == f"param grads: {listed}"
        else:  # the largest only
            big = max(params, key=lambda p: abs(p.grad))
            assert lines[4] == (f"{len(params)} params, largest |grad| {format_field(abs(big.grad), 4)} "
                                f"({big.label[len(g.name) + 1:]})")
    # no op of a neuron is drawn on its own; the loss's ops are
    members = {i for g in neurons for i in g.members}
    assert not any(f"v{i}" in texts or f"op{i}" in texts for i in members)
    n = len(order)
    assert texts[f"v{n - 1}"] == ["loss", "data " + format_field(loss.data, 4), "grad 1.0000"]
    assert texts[f"op{n - 1}"] == ["**2"]
    # neuron-to-neuron edges: every L0 neuron feeds every L1 neuron, every L1 neuron the output neuron
    by_name = {g.name: g for g in neurons}
    edges = {key for key in texts if key.startswith("e")}
    source = draw_graph(loss, collapse="neuron").source
    box_edges = re.findall(r"\tg(\d+) -> g(\d+) \[", source)
    pairs = {(groups[int(a)].name, groups[int(b)].name) for a, b in box_edges}
    assert pairs == {(f"L0.N{i}", f"L1.N{j}") for i in range(16) for j in range(16)} | {
        (f"L1.N{i}", "L2.N0") for i in range(16)}
    # plus L2.N0 -> the difference, the constant 1 -> the difference, the difference -> the square
    assert len(box_edges) == len(pairs) == len(edges) - 3
    assert f"g{by_name['L2.N0'].index} -> op" in source


def test_collapsed_box_dot_text_and_colours():
    loss, model = mlp_loss([2, 1])
    order = topological_order(loss)
    groups = find_groups(order)
    source = draw_graph(loss, collapse="neuron").source
    for g in groups:
        if g.kind == "neuron":
            line = node_line(source, f"g{g.index}")
            assert f"<B>{g.name}</B>" in line and f"grad {format_field(order[g.outputs[0]].grad, 4)}" in line
            assert 'class="group neuron"' in line and "shape=box" in line
        elif g.name == "L0":  # a layer of two neurons: a cluster around their boxes
            assert f"subgraph cluster_g{g.index} {{" in source and f"label={g.name}" in source
        else:  # a layer of one neuron: no frame around the one box
            assert f"cluster_g{g.index}" not in source
    # each neuron's box is declared inside its layer's cluster
    block = cluster_block(source, 0)
    assert "\tg1 [" in block and "\tg2 [" in block
    coloured = draw_graph(loss, collapse="neuron", color_by_grad=True).source
    out = groups[1].outputs[0]
    fill, _ = palette.grad_fill(order[out].grad, max(abs(v.grad) for v in order))
    assert f'fillcolor="{fill}"' in node_line(coloured, "g1")


def test_collapse_by_layer():
    loss, _ = mlp_loss([16, 16, 1])
    order = topological_order(loss)
    groups = find_groups(order)
    source = draw_graph(loss, collapse="layer").source
    layers = [g for g in groups if g.kind == "layer"]
    boxes = re.findall(r"\t(g\d+) \[", source)
    assert boxes == [f"g{g.index}" for g in layers]
    assert "subgraph cluster_g" not in source  # nothing left to frame
    (l0_l1,) = [ln for ln in source.splitlines() if ln.strip().startswith(f"g{layers[0].index} -> g{layers[1].index} ")]
    ids = re.search(r'class="([^"]+)"', l0_l1).group(1).split()  # one edge stands for all 256
    assert len(ids) == 256 and re.search(r" id=(e\d+_\d+)", l0_l1).group(1) == ids[0]
    l1 = node_line(source, f"g{layers[1].index}")
    assert "16 outputs, largest |grad|:" in l1 and "272 params, largest |grad|" in l1
    big = max(layers[1].outputs, key=lambda o: abs(order[o].grad))
    assert f"grad {format_field(order[big].grad, 4)}" in l1


def test_full_graph_draws_each_neuron_as_a_labelled_cluster(tmp_path):
    loss, model = mlp_loss([4, 4, 1])
    order = topological_order(loss)
    groups = find_groups(order)
    source = draw_graph(loss).source
    target = next(g for g in groups if g.name == "L1.N3")
    block = cluster_block(source, target.index)
    assert 'label="L1.N3"' in block and f"id=cluster_g{target.index}" in block
    declared = set(re.findall(r"\t(v\d+|op\d+) \[", block))
    params = {f"v{p}" for p in target.params}
    assert declared == {f"v{i}" for i in target.members} | {f"op{i}" for i in target.members} | params
    layer = groups[target.parent]
    outer = cluster_block(source, layer.index)
    assert block in outer and "label=L1 " in outer  # the neuron's frame is inside its layer's
    svg = save_graph(loss, tmp_path / "full.svg").read_text(encoding="utf-8")
    texts = svg_texts(svg)
    assert texts[f"cluster_g{target.index}"] == ["L1.N3"]
    assert not re.search(r"subgraph cluster", draw_graph(loss, clusters=False).source)


def test_own_groups_collapse_to_boxes():
    x = Value(0.5, label="x")
    with group("softmax") as g:
        exps = [x.exp(), (2 * x).exp()]
        total = exps[0] + exps[1]
        probs = g.output([e / total for e in exps])
    y = probs[0] * probs[1]
    y.backward()
    order = topological_order(y)
    source = draw_graph(y, collapse="neuron").source
    line = node_line(source, "g0")
    assert "<B>softmax</B>" in line and "2 outputs, largest |grad|:" in line
    assert re.findall(r"\t(\S+) -> (\S+) \[", source) == [("v0", "g0"), ("g0", f"op{len(order) - 1}"),
                                                           ("g0", f"op{len(order) - 1}"), (f"op{len(order) - 1}",
                                                                                            f"v{len(order) - 1}")]
    assert draw_graph(y, collapse="layer").source == source  # no layer: the same


def test_parameters_used_outside_a_box_are_drawn_again_there():
    model = MLP(2, [2, 1], seed=0)
    loss = model([1.0, 2.0]) ** 2 + sum(p * p for p in model.parameters())  # a weight penalty
    loss.backward()
    order = topological_order(loss)
    source = draw_graph(loss, collapse="neuron").source
    copies = re.findall(r'\t(v(\d+)_u1) \[label="\{([^|]*)\|[^"]*" class="copy v(\d+)"', source)
    assert sorted(order[int(i)].label for _, i, _, _ in copies) == sorted(p.label for p in model.parameters())
    for node, i, label, again in copies:
        assert i == again and label == order[int(i)].label
        assert f"\t{node} -> op" in source and "shape=Mrecord" in node_line(source, node)
    assert not any(f"\tv{order.index(p)} [" in source for p in model.parameters())  # only in their boxes


def test_highlight_and_steps_in_a_collapsed_view(tmp_path):
    loss, model = mlp_loss([2, 1])
    order = topological_order(loss)
    groups = find_groups(order)
    neuron = groups[1]
    inside = max(neuron.members)  # the relu: its edge stays inside the box
    source = draw_graph(loss, collapse="neuron", highlight=(inside, 0)).source
    assert f'color="{palette.CURRENT}"' in node_line(source, f"g{neuron.index}")
    paths = save_graph_steps(loss, tmp_path, format="dot", collapse="neuron")
    assert len(paths) == 1 + sum(len(v.parents) for v in order)
    frames = [p.read_text(encoding="utf-8") for p in paths]
    assert all("<B>L0.N0</B>" in f for f in frames)


def test_size_limit_counts_boxes_and_suggests_collapsing():
    loss, _ = mlp_loss([16, 16, 1])
    count = len(topological_order(loss))
    with pytest.raises(GraphTooLargeError) as info:
        draw_graph(loss)
    message = str(info.value)
    assert f"{count} Values, more than max_nodes=500" in message
    assert "collapse='neuron' draws 36 and collapse='layer' draws 6 nodes" in message
    assert draw_graph(loss, collapse="neuron", max_nodes=36)  # 33 boxes, the constant, the difference, the loss
    with pytest.raises(GraphTooLargeError, match=r"36 nodes \(Values and collapsed boxes\), more than max_nodes=35"):
        draw_graph(loss, collapse="neuron", max_nodes=35)
    with pytest.raises(ValueError, match="collapse must be None, 'neuron' or 'layer', got 'neurons'"):
        draw_graph(loss, collapse="neurons")


def test_inputs_stay_outside_frames_and_lone_frames_are_left_out():
    model = MLP(2, [3, 1], seed=0)
    xs = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    y = model(xs)
    y.backward()
    order = topological_order(y)
    groups = find_groups(order)
    source = draw_graph(y).source
    for x in xs:  # read by every neuron of L0, owned by none
        assert f'\tv{order.index(x)} [label="{{{x.label}|' in source  # at the top level, one tab in
    l0 = cluster_block(source, 0)
    assert not any(f"v{order.index(x)} [" in l0 for x in xs)
    for p in model.layers[0].neurons[1].parameters():  # a neuron's parameters sit in its frame
        neuron = next(g for g in groups if g.name == "L0.N1")
        assert f"\tv{order.index(p)} [" in cluster_block(source, neuron.index)
    # L1 has one neuron: its frame alone is drawn, not a frame around a frame
    assert "label=L1 " not in source and 'label="L1.N0"' in source
    collapsed = draw_graph(y, collapse="neuron").source
    assert 'label="L1.N0"' not in collapsed and "label=L1 " not in collapsed  # one box needs no frame
    assert "label=L0 " in collapsed  # three boxes do
