"""The derivative table in autograd/rules.py against the engine's own float code, bit for bit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value
from autograd.rules import RULES, evaluate, rule_for

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=50.0)
nonzero = finite.filter(lambda x: abs(x) > 1e-3)
exponents = st.sampled_from([-2, -1, 0, 1, 2, 3, 0.5, 1.5, -0.5, 0.123456789])

# Every way the engine makes a node with a built-in op, with inputs inside its domain.
BUILDERS = {
    "+": (lambda a, b: a + b, (finite, finite)),
    "-": (lambda a, b: a - b, (finite, finite)),
    "*": (lambda a, b: a * b, (finite, finite)),
    "/": (lambda a, b: a / b, (finite, nonzero)),
    "**": (lambda a, b: a**b, (positive, st.floats(-3.0, 3.0))),
    "neg": (lambda a: -a, (finite,)),
    "exp": (lambda a: a.exp(), (finite,)),
    "log": (lambda a: a.log(), (positive,)),
    "tanh": (lambda a: a.tanh(), (finite,)),
    "sigmoid": (lambda a: a.sigmoid(), (finite,)),
    "relu": (lambda a: a.relu(), (finite,)),
}


def same(x: float, y: float) -> bool:
    """Equal bit for bit, where two nans count as the same."""
    return (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))


def check_node(node: Value, inputs: list[float]) -> None:
    found = rule_for(node.op)
    assert found is not None, f"op {node.op!r} has no entry in autograd/rules.py"
    rule, constants = found
    names = dict(zip("ab", inputs, strict=False), **constants)  # b only if binary
    assert rule.arity == len(node.parents) == len(inputs)
    y = evaluate(rule.value, **names)
    assert same(node.data, y), f"{node.op}: engine {node.data!r}, table {y!r} at {names}"
    for k, (recorded, code) in enumerate(zip(node.local_grads, rule.grads, strict=True)):
        expected = evaluate(code, y=node.data, **names)
        assert same(recorded, expected), f"{node.op} d/d input {k}: engine {recorded!r}, table {expected!r}"


@pytest.mark.parametrize("op", sorted(BUILDERS))
@given(data=st.data())
def test_engine_ops_match_the_table_bit_for_bit(op, data):
    build, domains = BUILDERS[op]
    inputs = [data.draw(d) for d in domains]
    node = build(*[Value(x) for x in inputs])
    assert node.op == op
    check_node(node, inputs)


@given(a=st.just(0.0) | st.floats(-20.0, 20.0).filter(lambda x: abs(x) > 1e-3), c=exponents)
def test_power_by_a_number_matches_the_table(a, c):
    if (a < 0 and not float(c).is_integer()) or (a == 0 and c < 0):
        return  # outside the domain: a clear error, tested in test_value_errors.py
    node = Value(a) ** c
    assert rule_for(node.op)[1] == {"c": float(c)}  # the op name keeps the exponent exactly
    check_node(node, [a])


def test_kinks_and_edges_match_the_table():
    for a in (0.0, -0.0, 1e-300, -1e-300, 1000.0, -1000.0):
        check_node(Value(a).relu(), [a])
        check_node(Value(a).sigmoid(), [a])
        check_node(Value(a).tanh(), [a])
    for a, c in ((0.0, 0.5), (0.0, 2.0), (0.0, 0.0), (0.0, 1.0)):
        check_node(Value(a) ** c, [a])
    check_node(Value(0.0) ** Value(2.0), [0.0, 2.0])
    check_node(Value(-2.0) ** Value(2.0), [-2.0, 2.0])  # d/d exponent undefined: nan in both


def test_every_rule_is_used_by_the_engine_and_every_op_has_a_rule():
    assert set(RULES) == set(BUILDERS) | {"**c"}


@pytest.mark.parametrize("op", sorted(RULES))
def test_shown_formulas_agree_with_the_exact_ones(op):
    rule = RULES[op]
    points = {"a": 0.7, "b": 1.3, "c": 2.5}
    y = evaluate(rule.value, **points)
    for exact, shown in zip(rule.grads, rule.shown, strict=True):
        assert evaluate(shown, y=y, **points) == pytest.approx(evaluate(exact, y=y, **points), rel=1e-12)


def test_unknown_ops_have_no_rule():
    assert rule_for("softplus") is None and rule_for("**x") is None
    assert rule_for("**") == (RULES["**"], {})  # a power by a Value, no constant bound
    assert rule_for("**-0.5") == (RULES["**c"], {"c": -0.5})
