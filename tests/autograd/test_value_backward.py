"""backward(): reuse, accumulation across calls, depth, memory, and random graphs."""

from __future__ import annotations

import copy
import gc
import math
import pickle
import sys

from hypothesis import given

from autograd import Value, topological_order
from autograd.testing import Expression, assert_grads_match, expressions

# ------------------------------------------------------------ random graphs
# expressions() draws DAGs over every op, with reused operands, shared
# subexpressions and numbers on either side, each with a point inside every
# op's domain and away from its kinks (see autograd/testing.py).
graphs = expressions(max_ops=12)


@given(graphs)
def test_random_graphs_match_finite_differences(e: Expression):
    assert_grads_match(e.build, e.inputs)


@given(graphs)
def test_backward_twice_gives_exactly_twice_everywhere(e: Expression):
    out = e.build([Value(x) for x in e.inputs])
    nodes = topological_order(out)
    out.backward()
    first = [n.grad for n in nodes]
    out.backward()
    assert [n.grad for n in nodes] == [2 * g for g in first]


@given(graphs)
def test_topological_order_puts_inputs_first(e: Expression):
    out = e.build([Value(x) for x in e.inputs])
    order = topological_order(out)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order) and order[-1] is out
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert [id(n) for n in topological_order(out)] == [id(n) for n in order]  # deterministic


# ------------------------------------------------------------ targeted cases
def test_reused_operand_counts_every_use():
    a = Value(3.0, label="a")
    y = a * a
    assert y.parents == (a, a)
    y.backward()
    assert a.grad == 6.0

    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0


def test_a_plus_a_then_b_plus_b():
    # b = 2a, c = 2b = 4a: dc/da = 4, dc/db = 2. A naive "call backward on each
    # parent" recursion would visit b twice and give a 8.
    a = Value(1.5, label="a")
    b = a + a
    c = b + b
    c.backward()
    assert (c.grad, b.grad, a.grad) == (1.0, 2.0, 4.0)


def test_second_backward_does_not_repush_old_intermediate_gradients():
    a = Value(2.0)
    b = a * 3.0
    c = b * b  # dc/da = 2b * 3 = 36
    c.backward()
    assert (a.grad, b.grad, c.grad) == (36.0, 12.0, 1.0)
    c.backward()
    assert (a.grad, b.grad, c.grad) == (72.0, 24.0, 2.0)


def test_gradients_accumulate_until_zeroed():
    x = Value(2.0)
    (x * x).backward()
    (x * 5.0).backward()
    assert x.grad == 4.0 + 5.0
    y = x * x
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_backward_of_a_leaf():
    x = Value(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_a_million_op_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-7
    assert sys.getrecursionlimit() == limit
    y.backward()
    assert x.grad == 1.0
    assert math.isclose(y.data, 0.6, rel_tol=1e-9)
    del y  # freeing a deep chain must not overflow the C stack either


def test_graph_is_freed_by_reference_counting_alone():
    # No node sits in a reference cycle, so dropping the root frees the whole
    # graph at once, without waiting for the garbage collector.
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, Value) for o in gc.get_objects())
        x = Value(1.0)
        y = x
        for _ in range(1000):
            y = (y * 1.0001 + 0.001).tanh()
        y.backward()
        during = sum(isinstance(o, Value) for o in gc.get_objects())
        del y
        after = sum(isinstance(o, Value) for o in gc.get_objects())
    finally:
        gc.enable()
    assert during - before == 5001
    assert after - before == 1  # only x is left, and no collection ran


def test_a_copied_or_pickled_graph_backpropagates_like_the_original():
    # The marker of a node with three or more inputs survives copying: an enum member stays itself.
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    y = Value.from_op(6.0, (a, b, c), (6.0, 3.0, 2.0), "abc") * a.tanh()
    y.backward()
    expected = [a.grad, b.grad, c.grad]
    for z in (copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        for node in topological_order(z):  # the copies' gradients start from y's
            node.grad = 0.0
        z.backward()
        leaves = z.parents[0].parents
        assert [v.grad for v in leaves] == expected and leaves[0] is z.parents[1].parents[0]
