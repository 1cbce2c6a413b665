"""save_graph with the real Graphviz `dot` program (SVG, PNG, PDF), and without it on PATH."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import graphviz
import pytest

from autograd import GraphvizNotFoundError, Value, draw_graph, save_graph, save_graph_steps, topological_order
from autograd.render import format_field

SVG = "{http://www.w3.org/2000/svg}"


def expression() -> Value:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    y = (e + c).tanh()
    y.label = "y"
    y.backward()
    return y


def mlp_loss() -> tuple[Value, list[Value]]:
    """A 2-4-1 tanh network and its squared error on one example, built from Values by hand."""
    rng = random.Random(7)
    params: list[Value] = []

    def neuron(xs: list[Value], name: str) -> Value:
        ws = [Value(rng.uniform(-1, 1), label=f"{name}.w{k}") for k in range(len(xs))]
        b = Value(rng.uniform(-1, 1), label=f"{name}.b")
        params.extend(ws + [b])
        return sum((w * x for w, x in zip(ws, xs)), b).tanh()

    xs = [Value(0.5, label="x0"), Value(-1.5, label="x1")]
    hidden = [neuron(xs, f"h{j}") for j in range(4)]
    out = neuron(hidden, "out")
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, params


def svg_node_texts(svg: str) -> dict[str, list[str]]:
    """The text lines drawn inside each node or edge group, by the group's id."""
    tree = ET.fromstring(svg)
    return {
        g.get("id"): [
            text for t in g.iter(f"{SVG}text") if (text := "".join(t.itertext()).replace("\xa0", " ")).strip()
        ]
        for g in tree.iter(f"{SVG}g")
        if g.get("class") in ("node", "edge")
    }


@pytest.mark.parametrize("build", [expression, lambda: mlp_loss()[0]], ids=["expression", "mlp"])
def test_svg_shows_every_nodes_data_and_grad(tmp_path, build):
    root = build()
    out = save_graph(root, tmp_path / "graph.svg")
    assert out == tmp_path / "graph.svg"
    texts = svg_node_texts(out.read_text(encoding="utf-8"))
    order = topological_order(root)
    for i, v in enumerate(order):
        fields = [f"data {format_field(v.data, 4)}", f"grad {format_field(v.grad, 4)}"]
        assert texts[f"v{i}"] == ([v.label] if v.label else []) + fields, (i, v)
        if v.parents:
            assert texts[f"op{i}"] == [v.op]
            assert f"o{i}" in texts
            assert all(f"e{i}_{k}" in texts for k in range(len(v.parents)))
    edges = sum(len(v.parents) + 1 for v in order if v.parents)
    assert sum(1 for key in texts if key.startswith(("e", "o")) and key[1].isdigit()) == edges


def test_png_and_pdf_of_an_expression_and_an_mlp(tmp_path):
    loss, params = mlp_loss()
    for name, root in (("expr", expression()), ("mlp", loss)):
        png = save_graph(root, tmp_path / f"{name}.png", params=params)
        pdf = save_graph(root, tmp_path / f"{name}.PDF", color_by_grad=True)
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width > 100 and height > 50
        assert pdf.read_bytes().startswith(b"%PDF-") and b"%%EOF" in pdf.read_bytes()[-1024:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expr.PDF", "expr.png", "mlp.PDF", "mlp.png"]


def test_labels_and_op_names_render_literally(tmp_path):
    label = 'we{i}|rd <x> "q" back\\slash & \\N two  sp'
    v = Value(1.5, label=label)
    y = Value.from_op(2.0, (v,), (1.0,), '<b>"op"\\l</b>')
    texts = svg_node_texts(save_graph(y, tmp_path / "odd.svg").read_text(encoding="utf-8"))
    assert texts["v0"][0] == label  # (dot draws the run of two spaces as space + no-break space)
    assert texts["op1"] == ['<b>"op"\\l</b>']


def test_parent_folders_are_created_and_files_replaced_whole(tmp_path):
    target = tmp_path / "a" / "b" / "graph.svg"
    save_graph(expression(), target)
    first = target.read_text(encoding="utf-8")
    assert first.rstrip().endswith("</svg>")
    small = Value(1.0, label="small")
    save_graph(small, target)
    assert "small" in target.read_text(encoding="utf-8") and target.read_text(encoding="utf-8") != first
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.svg"]  # no temp files, no .gv


def test_dot_source_formats(tmp_path):
    y = expression()
    for suffix in (".dot", ".gv"):
        out = save_graph(y, tmp_path / f"g{suffix}", decimals=2)
        assert out.read_text(encoding="utf-8") == draw_graph(y, decimals=2).source


def test_unknown_suffix_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"save_graph: cannot tell the format .* '\.jpeg'; use one of .svg, .png"):
        save_graph(expression(), tmp_path / "new" / "graph.jpeg")
    with pytest.raises(ValueError, match="suffix ''"):
        save_graph(expression(), tmp_path / "graph")
    assert list(tmp_path.iterdir()) == []


def test_displays_in_jupyter_as_svg():
    bundle = draw_graph(expression())._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "<svg" in bundle["image/svg+xml"] and 'id="v0"' in bundle["image/svg+xml"]


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """PATH without the Graphviz programs, as on a machine that lacks them."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return tmp_path


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_without_dot_images_fail_with_install_hint_and_leave_nothing(no_dot, suffix):
    folder = no_dot / "out"
    folder.mkdir()
    (folder / "old.svg").write_text("old picture")
    target = folder / f"graph{suffix}"
    for path in (target, folder / "old.svg", no_dot / "new" / f"graph{suffix}"):
        with pytest.raises(GraphvizNotFoundError) as info:
            save_graph(expression(), path)
        message = str(info.value)
        assert isinstance(info.value, graphviz.ExecutableNotFound) and isinstance(info.value, RuntimeError)
        assert "`dot` program" in message and repr(str(path)) in message
        for hint in ("apt-get install graphviz", "brew install graphviz", "conda install", "graphviz.org", ".dot"):
            assert hint in message
    assert sorted(p.name for p in folder.iterdir()) == ["old.svg"]
    assert (folder / "old.svg").read_text() == "old picture"
    assert not (no_dot / "new").exists()


def test_without_dot_the_source_still_saves(no_dot):
    y = expression()
    out = save_graph(y, no_dot / "src" / "graph.dot")
    assert out.read_text(encoding="utf-8") == draw_graph(y).source
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.dot"]


def test_without_dot_steps_change_nothing(no_dot):
    a = Value(2.0, label="a")
    y = a * a
    with pytest.raises(GraphvizNotFoundError, match="save_graph_steps: .*brew install graphviz"):
        save_graph_steps(y, no_dot / "steps", format="png")
    assert (a.grad, y.grad) == (0.0, 0.0)  # the backward pass did not run
    assert not (no_dot / "steps").exists()
    assert len(save_graph_steps(y, no_dot / "steps", format="dot")) == 3
    assert a.grad == 4.0
