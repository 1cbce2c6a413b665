"""The legend drawn into a picture: roles, the gradient colour scale, shapes; rendered by the real `dot`."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from autograd import Value, draw_graph, palette, save_graph, topological_order
from autograd.trace import format_number
from nn import MLP

SVG = "{http://www.w3.org/2000/svg}"


def net() -> Value:
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(0.5, label="b")
    y = (x * w + b).tanh() * 0.001
    y.label = "y"
    y.backward()
    return y


def legend_texts(svg: str) -> list[str]:
    """The texts of the legend: the label of the frameless cluster around the drawing."""
    tree = ET.fromstring(svg)
    (frame,) = [g for g in tree.iter(f"{SVG}g") if g.get("id") == "legend" and g.get("class") == "cluster"]
    return ["".join(t.itertext()).replace("\xa0", " ") for t in frame.findall(f"{SVG}text")]


def swatches(source: str) -> list[str]:
    return re.findall(r'<TD BGCOLOR="(#[0-9a-f]{6})"', source)


def test_no_legend_on_a_plain_graph_unless_asked():
    y = net()
    assert "<TABLE" not in draw_graph(y).source
    source = draw_graph(y, legend=True).source
    assert "subgraph cluster_legend {" in source and "labelloc=b" in source and "peripheries=0" in source
    assert ">output<" in source and ">input<" in source and ">result<" in source
    assert ">parameter<" not in source  # no parameter in this drawing
    w = next(v for v in topological_order(y) if v.label == "w")
    assert "cluster_legend" not in draw_graph(y, params=[w]).source
    assert ">parameter<" in draw_graph(y, params=[w], legend=True).source


def test_log_scale_legend_in_the_svg(tmp_path):
    y = net()
    grads = [v.grad for v in topological_order(y)]
    largest = max(abs(g) for g in grads)
    smallest = min(abs(g) for g in grads if g != 0.0)
    decades = palette.log_decades(grads)  # the scale reaches down to the smallest gradient
    assert decades == max(6, math.ceil(math.log10(largest / smallest)))
    source = draw_graph(y, color_by_grad=True).source
    steps = [10.0 ** -round(decades * k / 3) for k in range(4)]  # the largest, then thirds of the decades
    values = [-largest * r for r in steps] + [0.0] + [largest * r for r in reversed(steps)]
    fills = [palette.grad_fill(v, largest, decades=decades)[0] for v in values]
    assert swatches(source)[-9:] == fills
    svg = save_graph(y, tmp_path / "legend.svg", color_by_grad=True).read_text(encoding="utf-8")
    texts = legend_texts(svg)
    for words in ("border: output", "border: input", "border: result", "dashed: grad exactly 0", "grad (log scale):"):
        assert words in texts, words
    assert texts[-9:] == [format_number(v) for v in values]
    polygon_fills = re.findall(r'<polygon fill="(#[0-9a-f]{6})"', svg)
    assert all(fill in polygon_fills for fill in fills if fill != "#ffffff")
    # the colours strengthen outward from 0 on both sides: lightness falls as |grad| grows
    strength = [sum(int(f[k:k + 2], 16) for k in (1, 3, 5)) for f in fills]
    assert strength[:5] == sorted(strength[:5]) and strength[4:] == sorted(strength[4:], reverse=True)
    linear = draw_graph(y, color_by_grad=True, color_scale="linear").source
    assert ">grad (linear scale):<" in linear and len(swatches(linear)) == len(swatches(source)) - 4
    assert "<TABLE" not in draw_graph(y, color_by_grad=True, legend=False).source


def test_legend_explains_boxes_copies_and_steps(tmp_path):
    model = MLP(2, [2, 1], seed=0)
    loss = (model([1.0, 0.5]) - 1.0) ** 2
    loss.backward()
    collapsed = draw_graph(loss, collapse="neuron").source  # on by default: boxes need explaining
    assert ">box: a neuron, collapsed<" in collapsed.replace("</FONT>", "<")
    a = Value(1.0, label="a")
    s = a
    for _ in range(10):
        s = s + a
    assert "a Value drawn again" in draw_graph(s, legend=True).source
    titled = draw_graph(s, legend=True, highlight=(3, 1), title="step 3").source
    assert '\tfontsize=13 label="step 3" labeljust=l labelloc=t\n' in titled  # the title on top, as always
    assert "this step&#x27;s edge" in titled and "sends its grad" in titled and "receives it" in titled
    png = save_graph(loss, tmp_path / "legend.png", collapse="neuron").read_bytes()
    assert png.startswith(b"\x89PNG")
