"""The explorer's neuron-by-neuron steps: each nn neuron's textbook lines, checked against hand-worked numbers.

The networks below have weights chosen so that every number is exact in four decimals (relu and linear
neurons); the comments work each line out by hand. ``delta`` is ``f'(z) · Σ w·δ_next``, ``sum`` the
``Σ w·δ_next`` (what reached the neuron's output), ``fz``/``fzc`` its forward sum ``b + w0·x0 + ...``.
"""

from __future__ import annotations

import math

import pytest
from explorer_page_data import page_data

from autograd import Value
from autograd.explorer import explorer_html
from autograd.explorer_units import units
from autograd.groups import GroupInfo, begin_group, mark_outputs
from nn import MLP, Neuron

RELU_IF = " > 0, else 0"


def explored(root: Value, **options) -> dict:
    return page_data(explorer_html(root, **options))


def with_weights(model, weights: list[float]):
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    return model


def node_names(data: dict) -> list[str]:
    return [n["name"] for n in data["nodes"]]


def test_a_relu_network_with_a_linear_output_neuron_by_neuron():
    # x = (1, 2); L0.N0: z = 0.25 + 0.5·1 + 1·2 = 2.75, relu -> 2.75; L0.N1: z = -0.5 + 2·1 + (-1.5)·2 = -1.5 -> 0
    # L1.N0 (linear): y = 0.5 + 1.5·2.75 + (-2)·0 = 4.625; loss = (y - 1)² = 13.140625, dloss/dy = 2·3.625 = 7.25
    # δ(L0.N0) = 1 · (1.5 · 7.25) = 10.875; δ(L0.N1) = 0 · (-2 · 7.25) = 0
    model = with_weights(MLP(2, [2, 1], activation="relu", seed=0), [0.5, 1.0, 0.25, 2.0, -1.5, -0.5, 1.5, -2.0, 0.5])
    y = model([Value(1.0, label="x0"), Value(2.0, label="x1")])
    loss = (y - 1.0) ** 2
    loss.label = "loss"
    data = explored(loss, params=model)
    names = node_names(data)
    at = {name: names.index(name) for name in names}
    roles = {n["name"]: n["role"] for n in data["nodes"]}
    assert [name for name in names if roles[name] == "parameter"] == [
        "L1.N0.w1", "L0.N1.w1", "L0.N1.b", "L0.N1.w0", "L1.N0.b", "L1.N0.w0", "L0.N0.w1", "L0.N0.b", "L0.N0.w0"
    ]  # fmt: skip
    assert (roles["x0"], roles["1"], roles["L0.N0"], roles["loss"]) == ("leaf", "constant", "interior", "root")
    tol = 5.05e-05  # half a unit of the 4th decimal (the hand answer is the box's), rounded up by 1%
    assert data["neurons"] == [
        {
            "name": "L0.N0",
            "note": "relu",
            "z": at["L0.N0.z"],
            "h": at["L0.N0"],
            "first": 20,
            "end": 29,
            "fp": ["1 if ", at["L0.N0.z"], RELU_IF],
            "fpc": "1.0000",
            "delta": "1.0000 \u00d7 10.8750 = 10.8750",
            "tol": tol,
            "sum": "1.5000 \u00d7 7.2500 = 10.8750",
            "next": 1,
            "grad": "10.8750",
            "params": [[at["L0.N0.w1"], 23], [at["L0.N0.b"], 25], [at["L0.N0.w0"], 27]],
            "fz": [
                at["L0.N0.b"],
                " + ",
                at["L0.N0.w0"],
                " \u00b7 ",
                at["x0"],
                " + ",
                at["L0.N0.w1"],
                " \u00b7 ",
                at["x1"],
            ],
            "fzc": "0.2500 + 0.5000 \u00d7 1.0000 + 1.0000 \u00d7 2.0000 = 2.7500",
            "read": sorted([at["L1.N0.w0"], at["L0.N0.z"]]),  # the weight of Σ w·δ_next, and what f'(z) reads
        },
        {
            "name": "L0.N1",
            "note": "relu",
            "z": at["L0.N1.z"],
            "h": at["L0.N1"],
            "first": 11,
            "end": 20,
            "fp": ["1 if ", at["L0.N1.z"], RELU_IF],
            "fpc": "0.0000",
            "delta": "0.0000 \u00d7 (-14.5000) = 0.0000",
            "tol": tol,
            "sum": "(-2.0000) \u00d7 7.2500 = -14.5000",
            "next": 1,
            "grad": "0.0000",
            "params": [[at["L0.N1.w1"], 14], [at["L0.N1.b"], 16], [at["L0.N1.w0"], 18]],
            "fz": [
                at["L0.N1.b"],
                " + ",
                at["L0.N1.w0"],
                " \u00b7 ",
                at["x0"],
                " + ",
                at["L0.N1.w1"],
                " \u00b7 ",
                at["x1"],
            ],
            "fzc": "-0.5000 + 2.0000 \u00d7 1.0000 + (-1.5000) \u00d7 2.0000 = -1.5000",
            "read": sorted([at["L1.N0.w1"], at["L0.N1.z"]]),
        },
        {
            "name": "L1.N0",
            "note": "linear",
            "z": at["L1.N0"],  # no activation: z is h
            "h": at["L1.N0"],
            "first": 3,
            "end": 11,
            "fp": None,
            "fpc": "1.0000",  # f'(z) = 1
            "delta": "7.2500",
            "tol": tol,
            "sum": "1.0000 \u00d7 7.2500 = 7.2500",  # d(y - 1)/dy times dloss/d(y - 1)
            "next": 0,  # from the loss, not from neurons of a next layer
            "grad": "7.2500",
            "params": [[at["L1.N0.w1"], 5], [at["L1.N0.b"], 7], [at["L1.N0.w0"], 9]],
            "fz": [
                at["L1.N0.b"],
                " + ",
                at["L1.N0.w0"],
                " \u00b7 ",
                at["L0.N0"],
                " + ",
                at["L1.N0.w1"],
                " \u00b7 ",
                at["L0.N1"],
            ],
            "fzc": "0.5000 + 1.5000 \u00d7 2.7500 + (-2.0000) \u00d7 0.0000 = 4.6250",
            "read": [],  # the loss's step reads y, but that is no weight of a next layer
        },
    ]
    # the loss's three steps edge by edge (the one into the constant 1 folded), then one unit per neuron
    assert data["neuronUnits"] == [[0, 1, 0, -1], [1, 3, 1, -1], [3, 11, -1, 2], [11, 20, -1, 1], [20, 29, -1, 0]]
    assert data["units"] == [[0, 1, 0, -1], [1, 3, 1, -1], *([n, n + 1, n, -1] for n in range(3, 29))]


def two_outputs(decimals: int = 4) -> tuple[dict, dict[str, int]]:
    # x = 1.5; L0.N0: z = -1 + 2·1.5 = 2, relu -> 2; L1.N0 = 0.25 + 0.5·2 = 1.25; L1.N1 = 1 + (-1.5)·2 = -2
    # loss = L1.N0 · L1.N1 = -2.5: dloss/dL1.N0 = -2, dloss/dL1.N1 = 1.25
    # Σ w·δ_next of L0.N0 = (-1.5)·1.25 + 0.5·(-2) = -1.875 - 1 = -2.875
    model = with_weights(MLP(1, [1, 2], activation="relu", seed=0), [2.0, -1.0, 0.5, 0.25, -1.5, 1.0])
    out0, out1 = model([Value(1.5, label="x")])
    loss = out0 * out1
    loss.label = "loss"
    data = explored(loss, params=model, decimals=decimals)
    names = node_names(data)
    return data, {name: names.index(name) for name in names}


def test_a_hidden_neuron_read_by_two_neurons_sums_both_weights_times_their_deltas():
    data, at = two_outputs()
    hidden, out0, out1 = data["neurons"]
    assert (hidden["name"], out0["name"], out1["name"]) == ("L0.N0", "L1.N0", "L1.N1")
    assert hidden["sum"] == "(-1.5000) \u00d7 1.2500 + 0.5000 \u00d7 (-2.0000) = -2.8750"
    assert hidden["delta"] == "1.0000 \u00d7 (-2.8750) = -2.8750" and hidden["grad"] == "-2.8750"
    assert hidden["next"] == 1 and hidden["read"] == sorted([at["L1.N1.w0"], at["L1.N0.w0"], at["L0.N0.z"]])
    assert hidden["fz"] == [at["L0.N0.b"], " + ", at["L0.N0.w0"], " \u00b7 ", at["x"]]
    assert hidden["fzc"] == "-1.0000 + 2.0000 \u00d7 1.5000 = 2.0000"
    # the outputs' gradients come through the loss's product, which is no neuron's weight: next = 0, nothing read
    assert (out0["sum"], out0["delta"], out0["next"], out0["read"]) == (
        "(-2.0000) \u00d7 1.0000 = -2.0000",
        "-2.0000",
        0,
        [],
    )
    assert (out1["sum"], out1["delta"], out1["next"], out1["read"]) == (
        "1.2500 \u00d7 1.0000 = 1.2500",
        "1.2500",
        0,
        [],
    )
    assert out0["fzc"] == "0.2500 + 0.5000 \u00d7 2.0000 = 1.2500"
    assert out1["fzc"] == "1.0000 + (-1.5000) \u00d7 2.0000 = -2.0000"


def test_neuron_lines_use_the_pages_decimals():
    data, _ = two_outputs(decimals=2)
    hidden, out0, out1 = data["neurons"]
    # -2.875 is a tie at two decimals: the box shows -2.88, and the sum holds either way
    assert hidden["sum"] == "(-1.50) \u00d7 1.25 + 0.50 \u00d7 (-2.00) = -2.88"
    assert hidden["delta"] == "1.00 \u00d7 (-2.88) = -2.88" and hidden["fpc"] == "1.00"
    assert hidden["fzc"] == "-1.00 + 2.00 \u00d7 1.50 = 2.00"
    assert hidden["tol"] == pytest.approx(0.00505, rel=1e-12)  # half a unit of the 2nd decimal, plus 1%
    assert (out0["fpc"], out0["delta"], out0["grad"]) == ("1.00", "-2.00", "-2.00")
    assert out1["fzc"] == "1.00 + (-1.50) \u00d7 2.00 = -2.00"


def test_a_linear_neuron_that_is_the_root_starts_from_one():
    # z = 0.125 + 0.5·2 + (-0.25)·(-4) = 2.125; nothing reaches the root: its gradient is 1 by definition
    neuron = with_weights(Neuron(2, activation="linear", seed=0), [0.5, -0.25, 0.125])
    data = explored(neuron([Value(2.0, label="x0"), Value(-4.0, label="x1")]))
    names = node_names(data)
    # the output is named after the neuron; with no activation there is no z to name
    assert names == ["w1", "x1", "b", "w0", "x0", "mul#5", "add#6", "mul#7", "neuron"]
    at = {name: n for n, name in enumerate(names)}
    assert data["neurons"] == [
        {
            "name": "neuron",
            "note": "linear",
            "z": at["neuron"],
            "h": at["neuron"],
            "first": 0,
            "end": 8,
            "fp": None,
            "fpc": "1.0000",
            "delta": "1.0000",
            "tol": 5.05e-05,
            "sum": "1.0000",  # no terms: just the root's 1
            "next": 0,
            "grad": "1.0000",
            "params": [[at["w1"], 2], [at["b"], 4], [at["w0"], 6]],
            "fz": [at["b"], " + ", at["w0"], " \u00b7 ", at["x0"], " + ", at["w1"], " \u00b7 ", at["x1"]],
            "fzc": "0.1250 + 0.5000 \u00d7 2.0000 + (-0.2500) \u00d7 (-4.0000) = 2.1250",
            "read": [],
        }
    ]
    assert data["neuronUnits"] == [[0, 8, -1, 0]]


def test_a_tanh_neuron_that_is_the_root_at_two_decimals():
    # z = 0.25 + 0.5·1 = 0.75, tanh(0.75) = 0.6351 -> 0.64; f'(z) = 1 - tanh² = 0.5966 -> 0.60,
    # but 1 - 0.64² = 0.5904 shows as 0.59: "≈"; δ = 0.60 · 1.00 = 0.60
    neuron = with_weights(Neuron(1, activation="tanh", seed=0), [0.5, 0.25])
    data = explored(neuron([Value(1.0, label="x")]), decimals=2)
    at = {name: n for n, name in enumerate(node_names(data))}
    assert data["neurons"] == [
        {
            "name": "neuron",
            "note": "tanh",
            "z": at["neuron.z"],
            "h": at["neuron"],
            "first": 0,
            "end": 5,
            "fp": ["1 \u2212 ", at["neuron"], "\u00b2"],
            "fpc": "1 \u2212 0.64\u00b2 \u2248 0.60",
            "delta": "0.60 \u00d7 1.00 = 0.60",
            "tol": pytest.approx(0.00505, rel=1e-12),
            "sum": "1.00",
            "next": 0,
            "grad": "0.60",
            "params": [[at["b"], 1], [at["w0"], 3]],
            "fz": [at["b"], " + ", at["w0"], " \u00b7 ", at["x"]],
            "fzc": "0.25 + 0.50 \u00d7 1.00 = 0.75",
            "read": [at["neuron"]],  # f'(z) reads h
        }
    ]


def test_a_delta_that_holds_only_nearly_gets_a_wider_practice_tolerance():
    model = with_weights(MLP(2, [2, 1], seed=0), [0.5, -1.0, 0.25, 2.0, 1.5, -0.5, 1.0, -2.0, 0.5])
    y = model([Value(1.0, label="x0"), Value(2.0, label="x1")])
    loss = (y - 1.0) ** 2
    data = explored(loss, params=model)
    first = data["neurons"][0]
    assert first["name"] == "L0.N0" and first["fpc"] == "1 \u2212 (-0.8483)\u00b2 = 0.2804"
    # 0.2804 · (-6.6956) = -1.87744624 by hand, the box says -1.8775: 0.00005376 apart
    assert first["delta"] == "0.2804 \u00d7 (-6.6956) \u2248 -1.8775"
    # half a unit (0.00005) + 0.00005376 = 1.0376e-4, written with 3 digits (1.04e-4), then 1% more
    assert first["tol"] == pytest.approx(1.04e-4 * 1.01, rel=1e-12)


def test_a_nan_weight_makes_the_lines_nan_without_breaking_them():
    # L0.N0: z = 0.25 + 0.5·2 = 1.25, tanh -> 0.8483; L1.N0 = 1 + nan·0.8483 = nan
    model = with_weights(MLP(1, [1, 1], seed=0), [0.5, 0.25, math.nan, 1.0])
    data = explored(model([Value(2.0, label="x")]), params=model)
    hidden, out = data["neurons"]
    assert hidden["sum"] == "nan \u00d7 1.0000 = nan"  # the weight nan times the root's 1
    assert hidden["delta"] == "0.2804 \u00d7 nan = nan" and hidden["tol"] is None and hidden["grad"] == "nan"
    assert hidden["fzc"] == "0.2500 + 0.5000 \u00d7 2.0000 = 1.2500"
    assert out["fzc"] == "1.0000 + nan \u00d7 0.8483 = nan"
    assert (out["delta"], out["tol"]) == ("1.0000", 5.05e-05)


def custom_neuron(build, params: list[Value]) -> Value:
    start = begin_group()
    h = build()
    mark_outputs(h, start, GroupInfo("n", "neuron", params, "tanh"))
    return h


W, B, X = 0.5, 0.25, 2.0


@pytest.mark.parametrize(
    "build, params, forward",
    [
        # b + x·w: the weight is found on either side of the product
        (
            lambda w, b, x: (b + x * w).tanh(),
            "wb",
            (["b", " + ", "w", " \u00b7 ", "x"], "0.2500 + 0.5000 \u00d7 2.0000 = 1.2500"),
        ),
        # no weighted sum: a sum of non-products, a sum with no parameter as bias, a lone parameter, exp(w·x)
        (lambda w, b, x: (b + (w + x)).tanh(), "wb", None),
        (lambda w, b, x: (x + w * x).tanh(), "w", None),
        (lambda w, b, x: b.tanh(), "b", None),
        (lambda w, b, x: (w * x).exp().tanh(), "w", None),
    ],
)
def test_the_forward_sum_is_written_only_for_a_bias_plus_weights_times_inputs(build, params, forward):
    w, b, x = Value(W, label="w"), Value(B, label="b"), Value(X, label="x")
    chosen = {"w": w, "b": b}
    data = explored(custom_neuron(lambda: build(w, b, x), [chosen[p] for p in params]))
    names = node_names(data)
    (neuron,) = data["neurons"]
    if forward is None:
        assert "fz" not in neuron and "fzc" not in neuron
    else:
        assert ([names[t] if isinstance(t, int) else t for t in neuron["fz"]], neuron["fzc"]) == forward


def test_a_product_made_before_the_neuron_began_is_not_part_of_its_sum():
    w, b, x = Value(W, label="w"), Value(B, label="b"), Value(X, label="x")
    product = w * x
    (neuron,) = explored(custom_neuron(lambda: (b + product).tanh(), [w, b]))["neurons"]
    assert "fz" not in neuron and (neuron["first"], neuron["end"]) == (0, 3)  # tanh, then the sum's two steps


def test_an_outer_neuron_whose_activation_belongs_to_an_inner_one_is_shown_as_linear():
    w, x = Value(W, label="w"), Value(X, label="x")
    outer = begin_group()
    product = w * x
    inner = begin_group()
    h = product.tanh()
    mark_outputs(h, inner, GroupInfo("inner", "neuron", [], "tanh"))
    mark_outputs(h, outer, GroupInfo("outer", "neuron", [w], "tanh"))
    data = explored(h)
    names = node_names(data)
    outer_entry, inner_entry = data["neurons"]
    # the tanh step is the inner neuron's (the innermost wins): the outer one has the product's two steps only
    assert (outer_entry["name"], outer_entry["first"], outer_entry["end"]) == ("outer", 1, 3)
    assert (outer_entry["fp"], outer_entry["fpc"], outer_entry["delta"]) == (None, "1.0000", "1.0000")
    assert names[outer_entry["z"]] == names[outer_entry["h"]] == "inner"
    assert (inner_entry["name"], inner_entry["first"], inner_entry["end"]) == ("inner", 0, 1)
    assert inner_entry["fpc"] == "1 \u2212 0.7616\u00b2 = 0.4200"  # tanh(1) = 0.76159, 1 - 0.76159² = 0.41998


@pytest.mark.parametrize(
    "nodes, constants, block_of, expected",
    [
        # a step into a constant goes with the next step when that is of the same node, else with the one before
        ([3, 2, 2], [1], None, [[0, 1, 0, -1], [1, 3, 2, -1]]),
        ([3, 3, 2], [1], None, [[0, 2, 0, -1], [2, 3, 2, -1]]),
        ([3, 2, 1], [1], None, [[0, 2, 0, -1], [2, 3, 2, -1]]),
        # at the very start there is none before: the one after, of whatever node
        ([5, 4], [0], None, [[0, 2, 1, -1]]),
        ([5, 4, 3], [0], None, [[0, 2, 1, -1], [2, 3, 2, -1]]),
        ([5, 5, 4], [0, 1], None, [[0, 3, 2, -1]]),
        ([4, 4], [0, 1], None, None),  # nothing to fold into
        ([], [], None, None),
        # neurons: each run of one block is one unit, whatever its steps are
        ([3, 3, 2, 1, 1], [1], [-1, -1, 0, 0, 0], [[0, 2, 0, -1], [2, 5, -1, 0]]),
        ([5, 4, 4, 3], [], [0, 0, 1, 1], [[0, 2, -1, 0], [2, 4, -1, 1]]),
        ([5, 5, 4], [2], [0, 0, -1], [[0, 3, -1, 0]]),  # a constant step after a neuron folds into it
        ([5, 4, 4], [], [0, 0, -1], [[0, 2, -1, 0], [2, 3, 2, -1]]),
        # a constant step before a neuron of the same node does not join the neuron: it stays with the one before
        ([3, 2, 2], [1], [-1, -1, 0], [[0, 2, 0, -1], [2, 3, -1, 0]]),
        ([7, 6, 5], [], [1, -1, 0], [[0, 1, -1, 1], [1, 2, 1, -1], [2, 3, -1, 0]]),
    ],
)
def test_units_group_the_steps_by_edge_and_by_neuron(nodes, constants, block_of, expected):
    steps = [{"node": node, **({"k": 1} if n in constants else {})} for n, node in enumerate(nodes)]
    assert units(steps, block_of) == expected


def test_a_neuron_group_with_two_outputs_or_no_steps_is_stepped_edge_by_edge():
    x = Value(2.0, label="x")
    start = begin_group()
    pair = [x * 2, x * 3]
    mark_outputs(pair, start, GroupInfo("n", "neuron", [], "tanh"))
    data = explored(pair[0] + pair[1])
    assert (data["neurons"], data["neuronUnits"]) == ([], None)
    assert data["units"] == [[0, 1, 0, -1], [1, 2, 1, -1], [2, 4, 2, -1], [4, 6, 4, -1]]  # 2 and 3 folded
    outer = begin_group()  # two neuron groups around the same op: its steps are the inner one's
    inner = begin_group()
    h = x * 4
    mark_outputs(h, inner, GroupInfo("inner", "neuron", [], ""))
    mark_outputs(h, outer, GroupInfo("outer", "neuron", [], ""))
    data = explored(h)
    assert [n["name"] for n in data["neurons"]] == ["inner"]  # the outer one has no step of its own
    assert data["neuronUnits"] == [[0, 2, -1, 0]]


def test_a_collapsed_page_keeps_only_what_a_neurons_list_needs_of_its_steps():
    model = MLP(2, [2, 1], seed=0)
    data = explored(model([1.0, -1.0]), params=model, collapse="neuron")
    assert data["units"] is None  # neuron by neuron only
    assert data["neuronUnits"] == [[0, 8, -1, 2], [8, 17, -1, 1], [17, 26, -1, 0]]
    assert [n["name"] for n in data["neurons"]] == ["L0.N0", "L0.N1", "L1.N0"]
    for step in data["steps"]:  # every step is inside a neuron here, the first neuron's included
        assert set(step) - {"k"} == {"node", "parent", "arg", "grad", "trace"}
    assert [n for n, s in enumerate(data["steps"]) if "k" in s] == [12, 16, 21, 25]  # into the inputs 1 and -1
