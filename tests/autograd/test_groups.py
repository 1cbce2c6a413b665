"""Named groups: what nn's neurons and layers record, group() for your own ops, and find_groups."""

from __future__ import annotations

import gc
import inspect

import pytest

from autograd import Value, group, no_grad, topological_order
from autograd import value as value_module
from autograd.groups import GroupInfo, begin_group, find_groups, innermost_groups, mark_outputs
from nn import MLP, Layer, Neuron


def test_ops_never_touch_the_group_slot():
    # recording costs nothing per op: the slot exists but ops leave it unset
    assert "_group" in Value.__slots__
    a, b = Value(1.0), Value(2.0)
    for node in (a, a + b, a * b, a.tanh(), Value.from_op(1.0, (a, b, a), (1.0, 1.0, 1.0), "f"), 2 * a):
        with pytest.raises(AttributeError):
            node._group  # noqa: B018 - unset
    for constructor in (value_module._unary, value_module._binary):
        assert "_group" not in inspect.getsource(constructor)


def test_a_neuron_is_one_group_of_exactly_its_ops():
    neuron = Neuron(3, activation="tanh", seed=0)
    xs = [Value(0.5, label="x0"), Value(-1.0, label="x1"), Value(2.0, label="x2")]
    before = begin_group()
    out = neuron(xs)
    after = begin_group()
    y = out * 2.0
    order = topological_order(y)
    (g,) = find_groups(order)
    assert (g.index, g.name, g.kind, g.note, g.parent, g.parent_name) == (0, "neuron", "neuron", "tanh", None, None)
    # 3 products, 3 sums and the tanh: exactly the ops made between the two clock readings
    assert set(g.members) == {i for i, v in enumerate(order) if v.parents and before < v._seq < after}
    assert len(g.members) == 7 and g.outputs == (order.index(out),)
    assert [order[p] for p in g.params] == [*neuron.w, neuron.b]  # in the neuron's own order
    assert not set(g.params) & set(g.members)  # inputs and parameters are not members
    assert all(order.index(x) not in g.members for x in xs)


def test_float_inputs_become_constants_of_the_neuron():
    neuron = Neuron(2, activation="linear", seed=0)
    out = neuron([0.5, -1.5])
    order = topological_order(out)
    (g,) = find_groups(order)
    constants = [i for i in g.members if not order[i].parents]
    assert sorted(order[i].data for i in constants) == [-1.5, 0.5]  # the two numbers the products made
    assert len(g.members) == 2 + 4  # constants, 2 products, 2 sums; linear: no activation node


def test_names_follow_the_parameters_labels():
    model = MLP(2, [3, 2, 1], seed=0)
    assert [n._group_info.name for n in model.layers[1].neurons] == ["L1.N0", "L1.N1"]
    assert model.layers[1].neurons[1].b.label == "L1.N1.b"
    assert [layer._group_info.name for layer in model.layers] == ["L0", "L1", "L2"]
    layer = Layer(2, 2, seed=0)
    assert [n._group_info.name for n in layer.neurons] == ["N0", "N1"] and layer._group_info.name == "layer"
    assert Neuron(2, seed=0)._group_info.name == "neuron"
    # the names are data of the modules, not parameters: nothing else changes
    assert [name for name, _ in model.named_parameters()][:3] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
    ]
    assert len(model.state_dict()) == len(model.parameters()) == 9 + 8 + 3


def test_an_mlp_gives_layers_holding_their_neurons():
    model = MLP(2, [3, 2, 1], activation="relu", seed=0)
    loss = (model([0.3, -0.7]) - 1.0) ** 2
    order = topological_order(loss)
    groups = find_groups(order)
    assert [(g.name, g.kind, g.parent_name) for g in groups] == [
        ("L0", "layer", None),
        ("L0.N0", "neuron", "L0"),
        ("L0.N1", "neuron", "L0"),
        ("L0.N2", "neuron", "L0"),
        ("L1", "layer", None),
        ("L1.N0", "neuron", "L1"),
        ("L1.N1", "neuron", "L1"),
        ("L2", "layer", None),
        ("L2.N0", "neuron", "L2"),
    ]
    assert [g.note for g in groups[:2]] == ["3 x relu", "relu"] and groups[-1].note == "linear"
    by_name = {g.name: g for g in groups}
    for layer in ("L0", "L1", "L2"):
        neurons = [g for g in groups if g.parent_name == layer]
        assert set(by_name[layer].members) == set().union(*(g.members for g in neurons))  # no op of its own
        assert by_name[layer].outputs == tuple(sorted(g.outputs[0] for g in neurons))
        assert sorted(by_name[layer].params) == sorted(p for g in neurons for p in g.params)
    # members: 2 inputs x (product + sum) + bias-start, relu; L1 neurons read the 3 L0 outputs as Values
    assert [len(by_name[f"L0.N{j}"].members) for j in range(3)] == [2 + 2 + 2 + 1] * 3
    assert [len(by_name[f"L1.N{j}"].members) for j in range(2)] == [3 + 3 + 1] * 2
    assert len(by_name["L2.N0"].members) == 2 + 2  # linear
    # the loss is in no group
    inner = innermost_groups(groups, len(order))
    assert inner[-1] is None and inner[-2] is None
    assert [inner[i] for i in by_name["L1.N1"].members] == [by_name["L1.N1"].index] * 7


def test_the_same_neuron_twice_gives_two_groups_sharing_parameters():
    neuron = Neuron(1, seed=0)
    x = Value(1.0, label="x")
    y = neuron([x]) + neuron([x * 2])
    groups = find_groups(topological_order(y))
    assert [g.name for g in groups] == ["neuron", "neuron"]
    assert groups[0].params == groups[1].params and not set(groups[0].members) & set(groups[1].members)
    assert groups[0].parent is None and groups[1].parent is None


def test_group_as_context_manager_and_decorator():
    x = Value(0.5, label="x")
    w = Value(3.0, label="w")
    with group("softmax-ish", params=[w]) as g:
        exps = [(x * w).exp(), (2 * x).exp()]
        total = exps[0] + exps[1]
        probs = g.output([e / total for e in exps])
    assert isinstance(probs, list) and len(probs) == 2

    @group("square")
    def square(v: Value) -> Value:
        return v * v

    y = square(probs[0]) + probs[1]
    order = topological_order(y)
    groups = find_groups(order)
    assert [(g.name, g.kind, len(g.outputs)) for g in groups] == [("softmax-ish", "group", 2), ("square", "group", 1)]
    soft, sq = groups
    # x*w, 2*x (its constant 2 included), two exps, the sum, two divisions
    assert len(soft.members) == 8 and order[soft.params[0]] is w
    assert len(sq.members) == 1 and sq.parent is None
    # a neuron inside a group of yours is its child
    neuron = Neuron(1, seed=0)
    with group("block") as g:
        out = g.output(neuron([x]).exp())
    block, inner = find_groups(topological_order(out))
    assert (block.name, inner.name, inner.parent, inner.parent_name) == ("block", "neuron", block.index, "block")
    assert set(inner.members) < set(block.members)


def test_group_misuse_is_a_clear_error():
    with (
        pytest.raises(ValueError, match=r"group 'empty': no output was marked; call g.output\(value\)"),
        group("empty"),
    ):
        Value(1.0) * 2
    g = group("outside")
    with pytest.raises(RuntimeError, match="output\\(\\) is called outside its `with` block"):
        g.output(Value(1.0))
    with pytest.raises(TypeError, match=r"group 'bad': an output is 3 of type int; mark Values"), group("bad") as g:
        g.output([Value(1.0) * 2, 3])
    with pytest.raises(TypeError, match=r"^group: name must be a str, got 5 of type int$"):
        group(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^group 'N0': params\[1\] is 2.5, not a Value$"):
        GroupInfo("N0", "neuron", [Value(1.0), 2.5])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="kind must be one of neuron, layer, group, got 'model'"):
        GroupInfo("m", "model")
    with pytest.raises(ZeroDivisionError), group("failing"):  # an error inside the block is not hidden by "no output"
        Value(1.0) / 0


def test_groups_that_made_nothing_recorded_are_left_out():
    x = Value(2.0, label="x")
    with group("identity") as g:
        same = g.output(x)  # made before the group began
    assert find_groups(topological_order(same * 1.0)) == []
    with no_grad():
        out = Neuron(2, seed=0)([1.0, 2.0])  # no graph is recorded
    assert find_groups([out]) == []


def test_a_value_can_be_the_output_of_nested_groups():
    x = Value(1.0, label="x")
    with group("outer") as outer:
        with group("inner") as inner:
            y = inner.output(x.exp())
        outer.output(y)
    groups = find_groups(topological_order(y))
    assert [(g.name, g.parent_name, g.members) for g in groups] == [("outer", None, (1,)), ("inner", "outer", (1,))]
    # mark_outputs keeps earlier marks
    start = begin_group()
    z = y * 3
    mark_outputs(z, start, GroupInfo("first"))
    mark_outputs(z, start - 1, GroupInfo("wider"))
    assert sorted(g.name for g in find_groups(topological_order(z))) == ["first", "inner", "outer", "wider"]


def test_marks_live_and_die_with_the_graph():
    model = MLP(2, [4, 1], seed=0)
    info = model.layers[0].neurons[0]._group_info

    def values_alive() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, Value))

    before = values_alive()
    for k in range(50):
        model([0.1 * k, 0.2]).backward()
    assert values_alive() == before  # no registry keeps a forward pass alive
    assert model.layers[0].neurons[0]._group_info is info  # one description per neuron, reused by every pass


def test_layers_are_put_together_from_their_neurons_calls():
    layer = Layer(2, 3, seed=0)
    x = [Value(1.0, label="a"), Value(2.0, label="b")]
    first = layer(x)
    second = layer(first[:2])  # the same layer again, on its own outputs
    assert all(type(out._group[0]) is int for out in first)  # one mark each: the layer itself marks nothing
    order = topological_order(sum(second))
    groups = find_groups(order)
    # the first call's N2 feeds nothing in this graph, so only N0 and N1 of it are found
    neurons = [("N0", "neuron", "layer"), ("N1", "neuron", "layer"), ("N2", "neuron", "layer")]
    assert [(g.name, g.kind, g.parent_name) for g in groups] == (
        [("layer", "layer", None), *neurons[:2], ("layer", "layer", None), *neurons]
    )
    calls = [g for g in groups if g.kind == "layer"]
    assert [len(g.outputs) for g in calls] == [2, 3] and not set(calls[0].members) & set(calls[1].members)
    assert set(calls[1].members) == set().union(*(g.members for g in groups[4:]))
    one = Layer(1, 1, seed=0)  # one neuron called twice in a row: still two calls
    y = one(one([1.0]))
    assert [g.kind for g in find_groups(topological_order(y))] == ["layer", "neuron", "layer", "neuron"]


def test_a_group_info_shows_its_note_only_when_it_has_one():
    assert repr(GroupInfo("L1.N3", "neuron", note="relu")) == "GroupInfo('L1.N3', 'neuron', note='relu')"
    assert repr(GroupInfo("L1", "layer")) == "GroupInfo('L1', 'layer')"


def test_a_block_that_marks_no_output_says_how_to_mark_one():
    with pytest.raises(ValueError) as info, group("body"):
        Value(1.0) * 2.0
    assert str(info.value) == (
        "group 'body': no output was marked; call g.output(value) inside the `with` block on the Values that "
        "leave the group"
    )


def test_a_member_found_after_one_already_walked_is_kept():
    # y = t · w reads t, already a member (an output), then w, reached through y alone
    x = Value(2.0, label="x")
    with group("g") as g:
        t = x * 3
        w = x + 1
        y = t * w
        g.output([t, y])
    order = topological_order(y)
    assert [v.data for v in order] == [2.0, 1.0, 3.0, 6.0, 3.0, 18.0]  # x, the constants 1 and 3, t, w, y
    (found,) = find_groups(order)
    assert (found.members, found.outputs) == ((1, 2, 3, 4, 5), (3, 5))


def test_a_plain_group_before_a_layer_leaves_the_layer_found():
    with group("scale") as g:
        x = g.output(Value(1.5, label="x") * 2)
    out = Layer(1, 2, seed=0)([x])
    groups = find_groups(topological_order(out[0] + out[1]))
    assert sorted((gr.kind, gr.name) for gr in groups) == [
        ("group", "scale"),
        ("layer", "layer"),
        ("neuron", "N0"),
        ("neuron", "N1"),
    ]
