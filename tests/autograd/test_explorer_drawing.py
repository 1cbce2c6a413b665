"""What the explorer page knows of its drawing: the classes the style sheet paints by, the collapsed boxes and the
edges that start at a copy or a box, and the key entries only some drawings need."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

import pytest
from explorer_page_data import page_data

import nn
from autograd import GraphTooLargeError, Value, topological_order
from autograd.explorer import CSS_COLOURS, explorer_html

NODE_CLASSES = re.compile(r'<g id="[^"]*" class="node[^"]*"')
CLUSTER_CLASSES = re.compile(r'<g id="cluster_g\d+" class="[^"]*"')
KEYS = re.compile(r'<span class="key"><i class="sw (?:box|layer|frame)"></i>[^<]*</span>')

BOX_KEY = '<span class="key"><i class="sw box"></i>a neuron (or layer) drawn as one box</span>'
LAYER_KEY = '<span class="key"><i class="sw layer"></i>a layer</span>'
FRAME_KEY = '<span class="key"><i class="sw frame"></i>a neuron\'s ops</span>'


def drawing(page: str) -> dict:
    data = page_data(page)
    return {key: data[key] for key in ("boxes", "boxOf", "tails")}


def relu_network() -> tuple[nn.MLP, Value]:
    """MLP(2, [2, 1]) with relu, seed 0, on x = (1, -2). Hidden neuron 0 has z = 0.84 - 1.26 < 0 (its relu passes
    no gradient back to x); the output reads hidden neuron 1 with weight 0, so that neuron's gradient is 0."""
    model = nn.MLP(2, [2, 1], activation="relu", seed=0)
    model.layers[1].neurons[0].w[1].data = 0.0
    return model, model([Value(1.0, label="x0"), Value(-2.0, label="x1")])


def network_with_loss() -> tuple[nn.MLP, Value]:
    model = nn.MLP(2, [2, 1], seed=0)
    y = model([Value(1.0, label="x0"), Value(-2.0, label="x1")])
    return model, (y - 1.0) ** 2


def test_neuron_boxes_name_their_output_and_their_parameters_by_short_name():
    model, y = relu_network()
    assert drawing(explorer_html(y, params=model, collapse="neuron")) == {
        "boxes": [
            {"id": "g1", "out": [15], "params": [[10, "w0"], [8, "w1"], [9, "b"]]},
            {"id": "g4", "out": [24], "params": [[7, "w0"], [0, "w1"], [6, "b"]]},
            {"id": "g2", "out": [20], "params": [[4, "w0"], [1, "w1"], [3, "b"]]},
        ],
        # the box each Value is drawn in (-1: drawn on its own): the inputs x0, x1 at 2 and 5
        "boxOf": [1, 2, -1, 2, 2, -1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 1, 1, 1, 1],
        # the output neuron's products read the hidden neurons' outputs, which start at their boxes
        "tails": {"e23_1": "g2", "e21_1": "g1"},
    }


def test_layer_boxes_name_each_output_by_its_neuron_and_each_parameter_by_neuron_and_name():
    model, loss = network_with_loss()
    assert drawing(explorer_html(loss, params=model, collapse="layer")) == {
        "boxes": [
            {
                "id": "g0",
                "out": [16, 21],
                "params": [[11, "N0.w0"], [9, "N0.w1"], [10, "N0.b"], [5, "N1.w0"], [2, "N1.w1"], [4, "N1.b"]],
                "names": ["N0", "N1"],
            },
            {"id": "g3", "out": [25], "params": [[8, "N0.w0"], [1, "N0.w1"], [7, "N0.b"]]},
        ],
        "boxOf": [-1, 1, 0, -1, 0, 0, -1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, -1, -1],
        "tails": {"e26_0": "g3", "e22_1": "g0"},
    }


def test_an_uncollapsed_page_has_no_boxes_and_every_edge_starts_at_its_value():
    model, loss = network_with_loss()
    assert drawing(explorer_html(loss, params=model)) == {"boxes": [], "boxOf": None, "tails": {}}


def test_edges_from_a_much_used_leaf_start_at_the_copy_drawn_near_them():
    a = Value(1.0, label="a")
    total = a
    for _ in range(11):
        total = total + a
    page = explorer_html(total)
    assert drawing(page)["tails"] == {
        "e11_1": "v0_u5",
        "e10_1": "v0_u4",
        "e9_1": "v0_u4",
        "e8_1": "v0_u3",
        "e7_1": "v0_u3",
        "e6_1": "v0_u2",
        "e5_1": "v0_u2",
        "e4_1": "v0_u1",
        "e3_1": "v0_u1",
    }
    copies = sorted(c for c in NODE_CLASSES.findall(page) if "copy" in c)
    assert copies == [f'<g id="v0_u{n}" class="node value copy v0 leaf"' for n in range(1, 6)]


def test_boxes_and_values_are_classed_by_role_and_zero_gradient():
    model, y = relu_network()
    page = explorer_html(y, params=model, collapse="neuron")
    assert sorted(set(NODE_CLASSES.findall(page))) == [
        '<g id="g1" class="node box neuron interior"',
        '<g id="g2" class="node box neuron interior zero"',  # its only reader has weight 0
        '<g id="g4" class="node box neuron root"',
        '<g id="v2" class="node value leaf zero"',  # x0 and x1: neuron 0's relu is off, neuron 1 leads nowhere
        '<g id="v5" class="node value leaf zero"',
    ]
    assert CLUSTER_CLASSES.findall(page) == ['<g id="cluster_g0" class="cluster layer"']


def test_ops_constants_interior_values_and_the_root_are_classed():
    model, loss = network_with_loss()
    page = explorer_html(loss, params=model, collapse="layer")
    assert sorted(set(NODE_CLASSES.findall(page))) == [
        '<g id="g0" class="node box layer interior"',
        '<g id="g3" class="node box layer interior"',
        '<g id="op26" class="node op"',
        '<g id="op27" class="node op"',
        '<g id="v0" class="node value constant"',
        '<g id="v26" class="node value interior"',
        '<g id="v27" class="node value root"',
        '<g id="v3" class="node value leaf"',
        '<g id="v6" class="node value leaf"',
    ]


def test_clusters_are_classed_by_kind():
    model, loss = network_with_loss()
    page = explorer_html(loss, params=model)
    assert CLUSTER_CLASSES.findall(page) == [
        '<g id="cluster_g0" class="cluster layer"',
        '<g id="cluster_g1" class="cluster neuron"',
        '<g id="cluster_g2" class="cluster neuron"',
        '<g id="cluster_g4" class="cluster neuron"',
    ]


def test_the_key_explains_boxes_layers_and_neuron_frames_only_where_the_drawing_has_them():
    model, loss = network_with_loss()
    assert KEYS.findall(explorer_html(loss, params=model, collapse="neuron")) == [BOX_KEY, LAYER_KEY]
    assert KEYS.findall(explorer_html(loss, params=model, collapse="layer")) == [BOX_KEY]
    assert KEYS.findall(explorer_html(loss, params=model)) == [LAYER_KEY, FRAME_KEY]
    assert KEYS.findall(explorer_html((Value(2.0) * 3.0).tanh())) == []


def test_the_key_entries_follow_the_fixed_ones_one_per_line():
    fixed_end = "<strong>bold</strong>: just changed</span>"
    assert f"{fixed_end}\n</details>" in explorer_html((Value(2.0) * 3.0).tanh())
    model, loss = network_with_loss()
    page = explorer_html(loss, params=model)
    assert f"{fixed_end}\n  {LAYER_KEY}\n  {FRAME_KEY}\n</details>" in page


def test_the_page_carries_its_policy_style_and_script_inline():
    page = explorer_html((Value(2.0) * 3.0).tanh())
    (script,) = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (
        "default-src 'none'; base-uri 'none'; form-action 'none'; "
        f"script-src 'sha256-{digest}'; style-src 'unsafe-inline'"
    )
    assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in page
    css = (resources.files("autograd") / "explorer_assets" / "explorer.css").read_text(encoding="utf-8")
    variables = "".join(f"  --{name}: {colour};\n" for name, colour in CSS_COLOURS.items())
    assert f"<style>\n:root {{\n{variables}}}\n{css}\n</style>" in page
    js = (resources.files("autograd") / "explorer_assets" / "explorer.js").read_text(encoding="utf-8")
    assert script == js


def test_bad_roots_and_views_are_refused_in_words():
    with pytest.raises(TypeError) as info:
        explorer_html(3.0)
    assert str(info.value) == "save_explorer: expected a Value as root, got 3.0 of type float"
    with pytest.raises(ValueError) as info:
        explorer_html(Value(1.0), collapse="box")
    assert str(info.value) == "save_explorer: collapse must be one of None, 'neuron', 'layer', got 'box'"


def test_the_names_the_page_gives_are_taken_back_afterwards():
    model, loss = network_with_loss()
    order = topological_order(loss)
    before = [(v.label, v.grad) for v in order]
    assert before[0] == ("", 0.0)  # the constant 1.0 has no label of its own
    for collapse in (None, "neuron", "layer"):
        explorer_html(loss, params=model, collapse=collapse)
        assert [(v.label, v.grad) for v in order] == before


@pytest.mark.parametrize("collapse", [None, "neuron", "layer"])
def test_the_drawing_carries_no_legend_of_its_own(collapse):
    # draw_graph adds a legend to drawings with boxes; the page has its key above the drawing instead
    model, y = relu_network()
    page = explorer_html(y, params=model, collapse=collapse)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "legend" not in svg


def test_a_collapsed_drawing_too_large_is_refused_in_the_explorer_s_name():
    model, y = relu_network()
    # collapsed, the drawing has the two inputs and the three neuron boxes: 5 nodes
    with pytest.raises(GraphTooLargeError) as caught:
        explorer_html(y, params=model, collapse="neuron", max_nodes=4)
    assert str(caught.value) == (
        "save_explorer: the graph has 5 nodes (Values and collapsed boxes), more than max_nodes=4; `dot` may take "
        "minutes on it. Draw a smaller part of the computation, pass max_nodes=5 (or max_nodes=None) to draw it "
        "anyway, or draw neurons as boxes: collapse='neuron' draws 5 and collapse='layer' draws 4 nodes."
    )
    assert y.label == "" and all(p.grad == 0.0 for p in model.parameters())  # refused before anything is borrowed
    explorer_html(y, params=model, collapse="neuron", max_nodes=5)  # exactly at the limit: drawn
