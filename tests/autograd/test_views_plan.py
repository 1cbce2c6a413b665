"""autograd.views directly: which groups collapse at each level, and what the plan holds."""

from __future__ import annotations

from autograd import Value, group, topological_order
from autograd.groups import Group, find_groups
from autograd.views import NodeItem, collapsible, plan_view
from nn import Neuron


def made(index: int, kind: str, parent: int | None) -> Group:
    return Group(index, f"{kind}{index}", kind, "", (), (), (), parent, None)


def test_an_own_group_around_a_neuron_is_not_a_box_but_the_neuron_is():
    x = Value(0.5, label="x")
    neuron = Neuron(1, seed=0)
    with group("block") as outer:
        with group("inner") as inner:
            h = inner.output(neuron([x]) * 2.0)
        out = outer.output(h + 1.0)
    groups = find_groups(topological_order(out))
    assert [(g.name, g.kind, g.parent) for g in groups] == [
        ("block", "group", None),
        ("inner", "group", 0),
        ("neuron", "neuron", 1),
    ]
    assert collapsible(groups, "neuron") == [False, False, True]  # holding a neuron, even two levels down
    assert collapsible(groups, "layer") == [False, False, True]
    assert collapsible(groups, None) == [False, False, False]


def test_layers_collapse_only_by_layer_and_make_their_groups_hold_nn():
    # an own group around a layer (made by hand: a layer found in a graph always holds neurons too)
    groups = [made(0, "group", None), made(1, "layer", 0), made(2, "group", None), made(3, "group", 2)]
    assert collapsible(groups, "neuron") == [False, False, True, True]  # group 2 holds only an own group
    assert collapsible(groups, "layer") == [False, True, True, True]
    neurons = [made(0, "layer", None), made(1, "neuron", 0), made(2, "neuron", 0)]
    assert collapsible(neurons, "neuron") == [False, True, True]
    assert collapsible(neurons, "layer") == [True, True, True]
    assert collapsible([], "layer") == []


def test_a_plan_keeps_its_level_and_draws_clusters_unless_told_not_to():
    x = Value(0.5, label="x")
    y = Neuron(1, seed=0)([x])
    order = topological_order(y)
    assert plan_view(order).clusters == [0] and plan_view(order, clusters=False).clusters == []
    assert plan_view(order).collapse is None
    boxed = plan_view(order, "neuron")
    assert boxed.collapse == "neuron" and boxed.boxes == [0] and boxed.clusters == []


def test_a_constant_shared_by_two_inner_groups_sits_in_the_group_around_both():
    x = Value(1.0, label="x")
    with group("outer") as outer:
        c = Value(2.0)  # made in "outer", used by "a" and "b": its frame is the nearest one holding both
        with group("a") as a:
            u = a.output(x * c)
        with group("b") as b:
            w = b.output(x + c)
        out = outer.output(u * w)
    view = plan_view(topological_order(out))
    nodes = [(item.id, item.cluster) for item in view.items if isinstance(item, NodeItem)]
    assert nodes == [("v0", None), ("v1", 0), ("v2", 1), ("op2", 1), ("v3", 2), ("op3", 2), ("v4", 0), ("op4", 0)]
    assert view.clusters == [0, 1, 2] and view.cluster_parent == {0: None, 1: 0, 2: 0}


def test_a_value_made_in_a_group_inside_a_box_but_used_outside_is_drawn_in_the_frame_around_the_box():
    x = Value(1.0, label="x")
    with group("top") as top:  # holds a neuron: a frame, not a box
        n = Neuron(1, seed=0)([x])
        with group("outer") as outer:  # a box, with the group "inner" in it
            with group("inner") as inner:
                h = inner.output(x * 2.0)
            k = outer.output(x + 1.0)  # h leaves "inner" but not through "outer"
        t = top.output(n * k * h)
    view = plan_view(topological_order(t * h), "neuron")
    assert view.boxes == [1, 2] and view.clusters == [0]
    nodes = [(item.id, item.cluster) for item in view.items if isinstance(item, NodeItem)]
    assert ("v8", 0) in nodes and ("op8", 0) in nodes and ("g2", 0) in nodes


def test_a_copy_serving_two_frames_sits_in_the_frame_around_both():
    x = Value(1.0, label="x")
    h = x * 2.0
    z = h
    for _ in range(4):  # far from h: its uses in "a" and "b" get a copy
        z = z.relu()
    with group("outer") as outer:
        with group("a") as a:
            u = a.output(z * h)
        with group("b") as b:
            w = b.output(u + h)
        out = outer.output(w * 1.0)
    view = plan_view(topological_order(out))
    copies = [(item.id, item.cluster) for item in view.items if isinstance(item, NodeItem) and item.kind == "copy"]
    assert copies == [("v3_u1", 0)]


def test_a_leaf_added_again_and_again_is_drawn_again_every_two_steps_after_the_third():
    # a + a + ... : the k-th use is 2 ranks further from a than the one before; a copy serves uses within 4 ranks
    copies = {}
    for n in range(2, 9):
        a = Value(1.0, label="a")
        y = a
        for _ in range(n - 1):
            y = y + a
        view = plan_view(topological_order(y))
        copies[n] = [item.id for item in view.items if isinstance(item, NodeItem) and item.kind == "copy"]
        assert view.copies == len(copies[n])
    assert copies == {
        2: [],
        3: [],
        4: ["v0_u1"],
        5: ["v0_u1"],
        6: ["v0_u1", "v0_u2"],
        7: ["v0_u1", "v0_u2"],
        8: ["v0_u1", "v0_u2", "v0_u3"],
    }
