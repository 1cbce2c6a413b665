"""trace_backward: exactly backward()'s gradients, and steps that add up and read as the chain rule."""

from __future__ import annotations

import math
import struct
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import BackwardStep, Value, topological_order, trace_backward
from autograd.testing import Expression, expressions
from autograd.trace import format_number, node_names


def bits(x: float) -> bytes:
    """The float's 8 bytes: equal bits means bit-for-bit the same number (nan and -0.0 included)."""
    return struct.pack("<d", x)


def grads(root: Value) -> list[bytes]:
    return [bits(v.grad) for v in topological_order(root)]


# ------------------------------------------------------------ random graphs
# expressions() draws DAGs that share subexpressions and use one operand twice
# (t0 * t0), with numbers on either side of binary ops. No finite differences
# here, so margin=0 lets relu meet its kink (relu(x0 - x0) at exactly 0).
programs = expressions(max_ops=25, margin=0.0)


def build(program: Expression) -> tuple[Value, list[Value]]:
    """The program's graph on fresh leaves x0, x1, ...: (root, every node it depends on, inputs first)."""
    root = program.build([Value(x, label=f"x{n}") for n, x in enumerate(program.inputs)])
    return root, topological_order(root)


@given(programs)
def test_trace_gives_backwards_gradients_bit_for_bit(program):
    expected, _ = build(program)
    expected.backward()
    traced, _ = build(program)
    trace_backward(traced)
    assert grads(traced) == grads(expected)


@given(programs)
def test_twice_doubles_like_backward_twice(program):
    expected, _ = build(program)
    expected.backward()
    expected.backward()
    traced, _ = build(program)
    trace_backward(traced)
    trace_backward(traced)
    assert grads(traced) == grads(expected)
    mixed, _ = build(program)
    mixed.backward()
    trace_backward(mixed)
    assert grads(mixed) == grads(expected)


@given(programs, st.integers(0, 50))
def test_nodes_reused_by_a_second_root(program, pick):
    """Gradients left by one root's backward are kept and added to, on inner nodes too."""

    def run(backward: Callable[[Value], object]) -> list[bytes]:
        root, nodes = build(program)
        inner = nodes[pick % len(nodes)]
        second = (inner * root).tanh() + inner
        root.backward()
        backward(second)
        return [bits(v.grad) for v in nodes] + grads(second)

    assert run(trace_backward) == run(Value.backward)


@given(programs)
def test_contributions_sum_to_each_gradient(program):
    root, _ = build(program)
    steps = trace_backward(root)
    order = topological_order(root)
    sums = {id(v): 0.0 for v in order}
    sums[id(root)] = 1.0
    for step in steps:
        sums[id(step.parent)] += step.contribution
    for v in order:  # a fresh graph: every gradient is exactly this pass's sum
        assert bits(sums[id(v)]) == bits(v.grad), v


@given(programs)
def test_each_upstream_is_complete_when_used(program):
    root, _ = build(program)
    steps = trace_backward(root)
    received = {id(root): 1.0}
    finished: set[int] = set()  # nodes that have started passing their gradient on
    for step in steps:
        node, parent = step.node, step.parent
        assert id(parent) not in finished, f"{step}: {step.parent_name} received after it passed its gradient on"
        finished.add(id(node))
        assert bits(step.upstream) == bits(received.get(id(node), 0.0))
        assert bits(step.upstream) == bits(node.grad)  # the node's final gradient
        received[id(parent)] = received.get(id(parent), 0.0) + step.contribution
        assert bits(step.grad_after) == bits(received[id(parent)])


@given(programs)
def test_one_step_per_edge_with_consistent_fields(program):
    root, _ = build(program)
    order = topological_order(root)
    steps = trace_backward(root)
    assert len(steps) == sum(len(v.parents) for v in order)
    edges = {(i, k) for i, v in enumerate(order) for k in range(len(v.parents))}
    assert {(s.node_position, s.index) for s in steps} == edges
    for s in steps:
        assert order[s.node_position] is s.node and order[s.parent_position] is s.parent
        assert s.node.parents[s.index] is s.parent
        assert bits(s.local_grad) == bits(s.node.local_grads[s.index])
        assert bits(s.contribution) == bits(s.local_grad * s.upstream)
        assert s.edge_id == f"e{s.node_position}_{s.index}"
    positions = [s.node_position for s in steps]
    assert positions == sorted(positions, reverse=True)  # newest node first, arguments in order


def test_steps_by_hand():
    # y = a * b + a at a = 2, b = -3: dy/da = b + 1 = -2, dy/db = a = 2
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    p = a * b
    p.label = "p"
    y = p + a
    y.label = "y"
    steps = trace_backward(y)
    assert [str(s) for s in steps] == [
        "p.grad += 1.0 * 1.0 = 1.0",
        "a.grad += 1.0 * 1.0 = 1.0",
        "a.grad += -3.0 * 1.0 = -3.0",
        "b.grad += 2.0 * 1.0 = 2.0",
    ]
    assert [(s.node_name, s.parent_name, s.index) for s in steps] == [
        ("y", "p", 0),
        ("y", "a", 1),
        ("p", "a", 0),
        ("p", "b", 1),
    ]
    assert [s.grad_after for s in steps] == [1.0, 1.0, -2.0, 2.0]
    assert (a.grad, b.grad, p.grad, y.grad) == (-2.0, 2.0, 1.0, 1.0)


def test_str_with_stand_in_names_and_rounding():
    # tanh(3x) at x = 0.5: the tanh node is unlabelled, the 3 is an unlabelled leaf
    x = Value(0.5, label="x")
    y = (3 * x).tanh()
    order = topological_order(y)
    assert node_names(order) == ["leaf#0", "x", "mul#2", "tanh#3"]
    steps = trace_backward(y)
    t = math.tanh(1.5)
    local = 1 - t * t  # 0.18071...
    assert [str(s) for s in steps] == [
        f"mul#2.grad += {format_number(local)} * 1.0 = {format_number(local)}",
        f"leaf#0.grad += 0.5 * {format_number(local)} = {format_number(0.5 * local)}",
        f"x.grad += 3.0 * {format_number(local)} = {format_number(3 * local)}",
    ]
    assert str(steps[0]) == "mul#2.grad += 0.1807 * 1.0 = 0.1807"
    assert str(steps[2]) == "x.grad += 3.0 * 0.1807 = 0.5421"


def test_stand_in_names_of_every_op():
    a = Value(2.0)
    b = Value(3.0, label="b")
    y = ((a + b) - (a / b)) ** 2 + (-a) ** b
    assert node_names(topological_order(y)) == [
        "b",
        "leaf#1",
        "add#2",
        "div#3",
        "sub#4",
        "pow#5",
        "neg#6",
        "pow#7",
        "add#8",
    ]


def test_format_number():
    assert [format_number(x) for x in (0.42, 1.0, -3.0, 0.123456, 12345.678, 1e-9, -0.0)] == [
        "0.42",
        "1.0",
        "-3.0",
        "0.1235",
        "12350.0",
        "1e-09",
        "0.0",
    ]
    assert [format_number(x) for x in (math.inf, -math.inf, math.nan)] == ["inf", "-inf", "nan"]


def test_leaf_root_gets_one_and_no_steps():
    a = Value(5.0, label="a")
    assert trace_backward(a) == []
    assert a.grad == 1.0
    trace_backward(a)
    assert a.grad == 2.0


def test_reused_operand_gives_two_steps():
    a = Value(3.0, label="a")
    y = a * a
    steps = trace_backward(y)
    assert [(s.parent is a, s.index, s.contribution) for s in steps] == [(True, 0, 3.0), (True, 1, 3.0)]
    assert [s.grad_after for s in steps] == [3.0, 6.0]
    assert a.grad == 6.0


def test_deep_chain_needs_no_recursion():
    x = Value(0.5, label="x")
    y = x
    for _ in range(3_000):  # 6,000 nodes deep, far beyond the recursion limit
        y = y * 1.0 + 0.0
    expected = Value(0.5)
    z = expected
    for _ in range(3_000):
        z = z * 1.0 + 0.0
    z.backward()
    steps = trace_backward(y)
    assert len(steps) == 12_000
    assert x.grad == expected.grad == 1.0


def test_not_a_value():
    with pytest.raises(TypeError, match=r"trace_backward: expected a Value.*got 3\.0"):
        trace_backward(3.0)  # type: ignore[arg-type]  # wrong on purpose


def test_step_is_read_only():
    a = Value(1.0, label="a")
    (step,) = trace_backward(a.tanh())
    assert isinstance(step, BackwardStep)
    with pytest.raises(AttributeError):
        step.contribution = 2.0  # type: ignore[misc]  # a frozen field, on purpose


def test_data_is_never_read_so_a_reassigned_data_stops_neither_pass():
    # Gradients come from the local derivatives recorded by the forward pass;
    # like backward(), trace_backward checks only the fields it reads (.grad, .label).
    def run(backward: Callable[[Value], object]) -> list[float]:
        a = Value(2.0, label="a")
        y = a * 3
        a.data = None  # type: ignore[assignment]  # wrong on purpose, after the op
        backward(y)
        return [a.grad, y.grad]

    assert run(trace_backward) == run(Value.backward) == [3.0, 1.0]


def test_wrong_grad_or_label_named_before_any_gradient_changes():
    a = Value(1.0, label="a")
    y = a.tanh()
    a.grad = "x"  # type: ignore[assignment]  # wrong on purpose
    with pytest.raises(TypeError) as error:
        trace_backward(y)
    assert str(error.value) == (
        "trace_backward: Value 1.0 (label 'a') has .grad 'x' of type str, not a float; "
        "set it to a number such as 0.0 (zero_grad() zeroes a whole graph)"
    )
    a.grad = 0.0
    a.label = 3  # type: ignore[assignment]  # wrong on purpose
    with pytest.raises(TypeError) as error:
        trace_backward(y)
    assert str(error.value) == (
        'trace_backward: Value 1.0 (label 3) has .label 3 of type int, not a str; assign a string: v.label = "w"'
    )
    assert (a.grad, y.grad) == (0.0, 0.0)
