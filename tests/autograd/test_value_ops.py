"""Every op's value and derivative: hypothesis over its valid domain against finite differences."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Value, no_grad
from autograd.testing import assert_grads_match, points


def reals(lo: float = -50.0, hi: float = 50.0) -> st.SearchStrategy[float]:
    return points(lo, hi)


def away_from_zero(limit: float = 50.0, gap: float = 0.1) -> st.SearchStrategy[float]:
    return points(-limit, limit, avoid=(0.0,), margin=gap)


# (name, build from leaves, strategy of leaf tuples, the same function on floats)
BINARY = [
    ("a + b", lambda v: v[0] + v[1], lambda a, b: a + b),
    ("a - b", lambda v: v[0] - v[1], lambda a, b: a - b),
    ("a * b", lambda v: v[0] * v[1], lambda a, b: a * b),
]


@pytest.mark.parametrize("name, build, plain", BINARY, ids=[b[0] for b in BINARY])
@given(a=reals(), b=reals())
def test_binary_ops_match_finite_differences(name, build, plain, a, b):
    assert build([Value(a), Value(b)]).data == plain(a, b)
    assert_grads_match(build, [a, b])


@given(a=reals(), b=away_from_zero())
def test_division(a, b):
    assert (Value(a) / Value(b)).data == a / b
    assert_grads_match(lambda v: v[0] / v[1], [a, b])


@given(a=reals(0.05, 10.0), c=reals(-3.0, 3.0))
def test_power_by_number_positive_base(a, c):
    assert (Value(a) ** c).data == a**c
    assert_grads_match(lambda v: v[0] ** c, [a])


@given(a=away_from_zero(5.0, 0.05), n=st.integers(-3, 4))
def test_power_by_integer_any_sign_base(a, n):
    y = Value(a) ** n
    assert y.data == a**n and y.op == f"**{n}"
    assert_grads_match(lambda v: v[0] ** n, [a])


@given(a=reals(0.05, 5.0), b=reals(-3.0, 3.0))
def test_power_value_by_value(a, b):
    assert_grads_match(lambda v: v[0] ** v[1], [a, b])


@given(c=reals(0.1, 5.0), b=reals(-3.0, 3.0))
def test_number_to_the_power_of_value(c, b):
    assert (c ** Value(b)).data == c**b
    assert_grads_match(lambda v: c ** v[0], [b])


@given(a=reals(-20.0, 20.0))
def test_exp(a):
    assert Value(a).exp().data == math.exp(a)
    assert_grads_match(lambda v: v[0].exp(), [a])


@given(a=reals(1e-3, 1e3))
def test_log(a):
    assert Value(a).log().data == math.log(a)
    assert_grads_match(lambda v: v[0].log(), [a])


@given(a=reals(-20.0, 20.0))
def test_tanh(a):
    assert Value(a).tanh().data == math.tanh(a)
    assert_grads_match(lambda v: v[0].tanh(), [a])


@given(a=reals(-30.0, 30.0))
def test_sigmoid(a):
    assert math.isclose(Value(a).sigmoid().data, 1 / (1 + math.exp(-a)), rel_tol=1e-12)
    assert_grads_match(lambda v: v[0].sigmoid(), [a])


@given(a=away_from_zero(50.0, 1e-3))
def test_relu_away_from_its_kink(a):
    assert Value(a).relu().data == max(a, 0.0)
    assert_grads_match(lambda v: v[0].relu(), [a])


def test_relu_at_its_kink_by_hand():
    # max(0, x) has no derivative at 0; like PyTorch we take 0 there.
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


@given(a=reals(), c=reals(-10.0, 10.0))
def test_numbers_on_either_side(a, c):
    assert_grads_match(lambda v: c + v[0], [a])
    assert_grads_match(lambda v: c - v[0], [a])
    assert_grads_match(lambda v: c * v[0], [a])
    assert_grads_match(lambda v: -v[0], [a])
    assume(abs(a) > 0.1)
    assert_grads_match(lambda v: c / v[0], [a])


def test_hand_computed_example():
    # y = tanh(a*b + c) at a=2, b=-3, c=10: y = tanh(4); dy/da = (1 - tanh(4)^2) * b
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    y = (a * b + c).tanh()
    y.backward()
    d = 1 - math.tanh(4.0) ** 2
    assert y.data == math.tanh(4.0)
    assert (a.grad, b.grad, c.grad) == (d * -3.0, d * 2.0, d)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_tanh_and_sigmoid_are_finite_for_huge_inputs(x):
    for y in (Value(x).tanh(), Value(x).sigmoid()):
        assert math.isfinite(y.data)
        v = Value(x)
        out = v.tanh() if y.op == "tanh" else v.sigmoid()
        out.backward()
        assert v.grad == 0.0
    assert Value(x).sigmoid().data == (1.0 if x > 0 else 0.0)


def test_sqrt_at_zero_has_infinite_slope():
    x = Value(0.0)
    y = x**0.5
    y.backward()
    assert y.data == 0.0 and x.grad == math.inf


def test_power_special_cases():
    x = Value(0.0)
    (x**2).backward()
    assert x.grad == 0.0
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    base, expo = Value(-2.0), Value(3.0)
    y = base**expo
    y.backward()
    assert y.data == -8.0 and base.grad == 12.0 and math.isnan(expo.grad)  # as in PyTorch


def test_op_names_and_parents_in_argument_order():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    for y, op in [(a + b, "+"), (a * b, "*"), (a - b, "-"), (a / b, "/"), (a**b, "**")]:
        assert y.op == op and y.parents == (a, b)
    for y, op in [(a.exp(), "exp"), (a.log(), "log"), (a.tanh(), "tanh"), (a.sigmoid(), "sigmoid"), (a.relu(), "relu")]:
        assert y.op == op and y.parents == (a,)
    assert (a**2).op == "**2" and (a**0.5).op == "**0.5" and (a**2).parents == (a,)
    assert (-a).op == "neg"
    const = (2 * a).parents[0]
    assert (const.data, const.op, const.parents, (2 * a).parents[1]) == (2.0, "", (), a)
    assert a.op == "" and a.parents == () and a.label == "a"


def test_value_construction():
    assert Value(3).data == 3.0 and type(Value(3).data) is float
    v = Value(1.5)
    assert (v.grad, v.label, v.op, v.parents) == (0.0, "", "", ())
    assert sum([Value(1.0), Value(2.0), Value(3.5)]).data == 6.5
    assert "label='w'" in repr(Value(1.0, label="w"))


class Named(Value):
    """A user's subclass: its instances are the leaves it makes, every op's result is a plain Value."""

    def describe(self) -> str:
        return f"{self.label} = {self.data}"


def test_every_op_on_a_subclass_gives_a_plain_value_and_backward_reaches_its_leaves():
    a, b = Named(2.0, label="a"), Named(0.5, label="b")
    assert type(a) is Named and a.describe() == "a = 2.0"
    results = [a + b, a - b, a * b, a / b, a**b, a + 1, 1 + a, 2 - a, 3 * a, 1 / a, 2**a, a**2, -a]
    results += [a.exp(), a.log(), a.tanh(), a.sigmoid(), a.relu()]
    assert [type(y) for y in results] == [Value] * 18
    assert +a is a  # unary plus makes no node
    for parents in [(a,), (a, b), (a, b, a)]:
        y = Named.from_op(1.0, parents, (1.0,) * len(parents), "f")
        assert type(y) is Value and y.parents == parents
        with no_grad():
            assert type(Named.from_op(1.0, parents, (1.0,) * len(parents), "f")) is Value
    assert type(Named.from_op(1.0, (), (), "constant")) is Value
    y = a * b + a.tanh()
    y.backward()
    t = math.tanh(2.0)
    assert (a.grad, b.grad) == (0.5 + (1.0 - t * t), 2.0)


def test_every_row_of_the_slot_table_reads_back_as_parents_and_local_grads():
    a, b, c = Value(2.0), Value(3.0), Value(5.0)
    t = math.tanh(2.0)
    rows = {
        "leaf": (a, (), ()),
        "unary": (a.tanh(), (a,), (1.0 - t * t,)),
        "binary": (a * b, (a, b), (3.0, 2.0)),
        "many": (Value.from_op(30.0, [a, b, c], [15.0, 10.0, 6.0], "abc"), (a, b, c), (15.0, 10.0, 6.0)),
        "many, a repeated input": (Value.from_op(8.0, (a, a, a), (4, 4, 4), "cube"), (a, a, a), (4.0, 4.0, 4.0)),
    }
    for row, (node, parents, local_grads) in rows.items():
        assert node.parents == parents and node.local_grads == local_grads, row
        assert type(node.parents) is tuple and type(node.local_grads) is tuple, row
    with no_grad():  # every node a leaf
        for node in (a.tanh(), a * b, Value.from_op(1.0, (a, b, c), (1.0, 1.0, 1.0), "abc")):
            assert node.parents == () and node.local_grads == () and node.op != ""
