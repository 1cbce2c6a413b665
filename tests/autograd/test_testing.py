"""autograd.testing: check_op catches a planted wrong derivative, expressions() draws valid graphs, clear messages."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, is_grad_enabled, topological_order
from autograd.testing import (
    HOSTILE_LABEL,
    OPS,
    SCRIPT_CLOSER_LABEL,
    STEP,
    Expression,
    assert_grads_match,
    check_op,
    expressions,
    hostile_graph,
    points,
)


def softplus(x: Value) -> Value:
    # softplus = log(1 + e^x);  d softplus = sigmoid(x)
    return Value.from_op(math.log1p(math.exp(x.data)), (x,), (1.0 / (1.0 + math.exp(-x.data)),), "softplus")


def tanh_wrong_above_two(x: Value) -> Value:
    """tanh with its derivative right everywhere except x > 2, where a typo drops a square."""
    t = math.tanh(x.data)
    return Value.from_op(t, (x,), (1.0 - t * t if x.data <= 2.0 else 1.0 - t,), "tanh")


def softplus_slightly_wrong_above_two(x: Value) -> Value:
    """softplus whose derivative is 0.1% too large for x > 2 only."""
    s = 1.0 / (1.0 + math.exp(-x.data))
    return Value.from_op(math.log1p(math.exp(x.data)), (x,), (s * (1.001 if x.data > 2.0 else 1.0),), "softplus")


def shrunk_input(message: str) -> float:
    """The input named by assert_grads_match's message: ``input 0 (x0 = 3.0)``."""
    return float(re.search(r"input 0 \(x0 = ([^)]+)\)", message).group(1))


# ------------------------------------------------------------------ check_op
@pytest.mark.parametrize("op", [tanh_wrong_above_two, softplus_slightly_wrong_above_two])
def test_check_op_with_default_settings_catches_a_derivative_wrong_only_above_two(op):
    with pytest.raises(AssertionError) as info:
        check_op(op)
    message = str(info.value)
    assert message.startswith(f"check_op({op.__name__}): the op's gradient is wrong somewhere in its domain")
    x = shrunk_input(message)
    assert 2.0 < x <= 10.0
    t = Value(x)
    op(t).backward()
    assert f"backprop {t.grad:.10g}" in message  # the op's (wrong) slope at the shrunk input
    assert "finite differences " in message and "ratio " in message
    assert "xs=(" in message  # hypothesis's own report of the shrunk example


def test_check_op_catches_it_derandomized_too_and_says_the_same_each_time():
    messages = []
    for _ in range(2):
        with pytest.raises(AssertionError) as info:
            check_op(tanh_wrong_above_two, derandomize=True, database=None)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert shrunk_input(messages[0]) > 2.0


def test_check_op_passes_correct_ops():
    check_op(softplus)  # the default domain, -10 .. 10
    check_op(softplus, domain=(-700, 700))  # steep and flat, where finite differences need care
    check_op(lambda x: x.tanh() * 3.0 + x.exp(), domain=points(-20, 20))

    def hypot(a: Value, b: Value) -> Value:
        # sqrt(a^2 + b^2);  d/da = a / hypot, d/db = b / hypot
        h = math.hypot(a.data, b.data)
        return Value.from_op(h, (a, b), (a.data / h, b.data / h), "hypot")

    check_op(hypot, arity=2, domain=points(-5, 5, avoid=(0.0,), margin=0.1))  # its kink is only at (0, 0)

    def fused(a: Value, b: Value, c: Value) -> Value:
        # a * b + c;  d = b, a, 1
        return Value.from_op(a.data * b.data + c.data, (a, b, c), (b.data, a.data, 1.0), "fma")

    check_op(fused, arity=3)


def test_check_op_takes_a_domain_per_argument():
    def divide(a: Value, b: Value) -> Value:
        # a / b;  d = 1/b, -a/b^2
        return Value.from_op(a.data / b.data, (a, b), (1.0 / b.data, -a.data / b.data**2), "div")

    check_op(divide, arity=2, domain=((-10, 10), points(0.5, 10)))
    with pytest.raises(AssertionError, match="raised ZeroDivisionError inside the domain"):
        check_op(divide, arity=2, domain=(-1, 1), database=None)


def test_check_op_passes_settings_to_hypothesis():
    examples = []

    def tanh(x: Value) -> Value:
        if is_grad_enabled():  # the backprop call; finite differences run under no_grad
            examples.append(x.data)
        return x.tanh()

    check_op(tanh, max_examples=7, database=None)
    assert 1 <= len(examples) <= 7


def test_an_op_that_fails_inside_the_domain_is_reported_with_where():
    with pytest.raises(AssertionError) as info:
        check_op(lambda x: x.log(), database=None)  # default domain -10 .. 10
    message = str(info.value)
    assert "raised ValueError inside the domain; give check_op a domain" in message
    assert "log: needs a value > 0" in message and "xs=(" in message
    check_op(lambda x: x.log(), domain=(1e-3, 1e3))


def test_check_op_argument_errors():
    with pytest.raises(TypeError, match="check_op: op must be a function"):
        check_op(3.0)  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValueError, match="arity must be a positive int"):
        check_op(softplus, arity=0)
    with pytest.raises(TypeError, match=r"domain must be a hypothesis strategy of floats or a \(low, high\) pair"):
        check_op(softplus, domain="positive")  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValueError, match="points: need finite low < high"):
        check_op(softplus, domain=(1, -1))
    with pytest.raises(TypeError, match=r"check_op\(<lambda>\): op must return a Value, got 0.5"):
        check_op(lambda x: 0.5, database=None)  # type: ignore[arg-type,return-value]  # wrong on purpose


# -------------------------------------------------------- assert_grads_match
def bad_square(v: list[Value]) -> Value:
    return Value.from_op(v[0].data ** 2, (v[0],), (v[0].data,), "bad_square")  # should be 2 * v.data


def test_failure_message_names_the_input_both_gradients_and_the_ratio():
    with pytest.raises(AssertionError) as info:
        assert_grads_match(bad_square, [3.0])
    message = str(info.value)
    assert message.startswith("assert_grads_match: backprop and finite differences disagree at xs = [3.0]:")
    assert "input 0 (x0 = 3.0): backprop 3, finite differences 6, ratio 0.5 (|difference| 3 > tolerance" in message


def test_only_the_disagreeing_inputs_are_listed():
    def build(v: list[Value]) -> Value:
        return v[0] * 2.0 + bad_square([v[1]]) + v[2].tanh()

    with pytest.raises(AssertionError) as info:
        assert_grads_match(build, [1.5, -2.0, 0.25])
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("  input 1 (x1 = -2.0): backprop -2, finite differences -4, ratio 0.5 ")


def test_a_zero_finite_difference_has_no_ratio():
    def build(v: list[Value]) -> Value:
        return Value.from_op(1.0, (v[0],), (0.5,), "const")  # constant, yet claims a slope

    with pytest.raises(AssertionError, match=r"backprop 0.5, finite differences 0, ratio undefined"):
        assert_grads_match(build, [1.0])


def test_returns_the_backprop_gradients():
    assert assert_grads_match(lambda v: v[0] * v[1] + v[1], [2.0, 3.0]) == [3.0, 3.0]
    assert assert_grads_match(lambda v: v[0], [5.0]) == [1.0]  # a leaf as the result


@pytest.mark.parametrize(
    "build, x",
    [
        (lambda v: 1.0 / v[0], 1e-3),  # near a pole: third derivative 6e12
        (lambda v: v[0].log(), 1e-4),
        (lambda v: v[0].exp(), 30.0),  # values of 1e13
        (lambda v: v[0] ** 3, 1e6),  # the step scales with |x|
        (lambda v: (v[0] * 1e-8).tanh(), 0.5),  # a tiny slope
        (lambda v: (v[0] * 50.0).tanh(), 0.02),  # a sharp bend
        (lambda v: (v[0] - 1e8) + 1e8, 0.25),  # rounding in the function's own values
    ],
)
def test_tolerances_scale_with_the_function(build, x):
    assert_grads_match(build, [x])


@pytest.mark.parametrize(
    "slope, x",
    [
        (lambda x: 3 * x * x * (1 + 1e-4), 1e3),  # 0.01% off at a large input
        (lambda x: math.exp(x) * (1 + 1e-4), 30.0),  # 0.01% off at a huge value
        (lambda x: 1e-8 * (1 + 1e-3), 0.5),  # a tiny slope, 0.1% off
    ],
)
def test_small_relative_errors_are_caught(slope, x):
    def f(v: list[Value]) -> Value:
        a = v[0].data
        data = a**3 if x == 1e3 else math.exp(a) if x == 30.0 else 1e-8 * a
        return Value.from_op(data, (v[0],), (slope(a),), "planted")

    with pytest.raises(AssertionError, match=re.escape("ratio 1.00")):
        assert_grads_match(f, [x])


def test_a_nudge_that_leaves_the_domain_is_retried_smaller_then_reported():
    assert assert_grads_match(lambda v: v[0].log(), [1e-7]) == [1e7]  # x - h < 0 at the first step
    with pytest.raises(ValueError, match=r"cannot take finite differences at input 0 \(x0 = 1e-12\).*log: needs"):
        assert_grads_match(lambda v: v[0].log(), [1e-12])


def test_nan_gradients_fail():
    with pytest.raises(AssertionError, match="backprop nan"):
        assert_grads_match(lambda v: Value.from_op(v[0].data, (v[0],), (math.nan,), "nan"), [1.0])


def test_assert_grads_match_argument_errors():
    with pytest.raises(TypeError, match="build must be a function"):
        assert_grads_match(3, [1.0])  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(TypeError, match="xs must be a list of floats"):
        assert_grads_match(lambda v: v[0], 1.0)  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValueError, match="input 0 is nan"):
        assert_grads_match(lambda v: v[0], [math.nan])
    with pytest.raises(TypeError, match=r"build\(values\) must return a Value, got 2.0"):
        assert_grads_match(lambda v: 2.0, [1.0])  # type: ignore[arg-type,return-value]  # wrong on purpose
    with pytest.raises(ValueError, match="rtol must be a finite number >= 0"):
        assert_grads_match(lambda v: v[0], [1.0], rtol=-1)
    with pytest.raises(ValueError, match="step must be a finite number > 0"):
        assert_grads_match(lambda v: v[0], [1.0], step=0.0)


# ------------------------------------------------------------------- points
@given(points(-1, 1, avoid=(0.0, 0.5), margin=0.125))
def test_points_keep_their_margin(x):
    assert -1 <= x <= 1 and abs(x) >= 0.125 and abs(x - 0.5) >= 0.125


@given(points(-1, 1, avoid=(0.0, -1.0), margin=0.0))
def test_points_with_no_margin_leave_out_the_points_themselves(x):
    assert -1 < x <= 1 and x != 0.0


def test_points_errors():
    with pytest.raises(ValueError, match=re.escape("points: need finite low < high, got low=1.0, high=1.0")):
        points(1, 1)
    with pytest.raises(ValueError, match=r"nothing is left of \[-1.0, 1.0\] once \[0.0\] \+- 2.0 are avoided"):
        points(-1, 1, avoid=(0.0,), margin=2.0)
    with pytest.raises(ValueError, match="margin must be a finite number >= 0"):
        points(margin=-0.1)
    with pytest.raises(ValueError, match="avoid holds inf"):
        points(avoid=(math.inf,))


# -------------------------------------------------------------- expressions
def test_500_random_graphs_evaluate_in_their_domain_and_match_finite_differences():
    seen: list[Expression] = []

    @settings(max_examples=500, database=None)
    @given(expressions())
    def each(e: Expression) -> None:
        seen.append(e)
        value = e.evaluate(e.inputs)  # plain floats: a domain error would raise here
        assert math.isfinite(value)
        assert math.isclose(e.build([Value(x) for x in e.inputs]).data, value, rel_tol=1e-12, abs_tol=1e-12)
        for i, x in enumerate(e.inputs):  # and at every nudge assert_grads_match takes
            for moved in (x + STEP * max(1.0, abs(x)), x - STEP * max(1.0, abs(x))):
                assert math.isfinite(e.evaluate([*e.inputs[:i], moved, *e.inputs[i + 1 :]]))
        assert_grads_match(e.build, e.inputs)

    each()
    assert len(seen) >= 500
    # the graphs are varied: every op, reused operands, shared nodes, numbers on both sides
    ops = Counter(op for e in seen for op, _ in e.steps)
    assert set(ops) == set(OPS)
    steps = [(e, args) for e in seen for _, args in e.steps]
    assert any(len(args) == 2 and args[0] == args[1] and type(args[0]) is int for _, args in steps)
    assert any(type(args[0]) is float for _, args in steps if len(args) == 2)
    assert any(type(args[1]) is float for _, args in steps if len(args) == 2)
    assert any(
        max(Counter(a for _, args in e.steps for a in args if type(a) is int).values(), default=0) >= 3 for e in seen
    )
    assert max(len(e.steps) for e in seen) >= 12 and max(len(e.inputs) for e in seen) == 4


def test_random_graphs_catch_a_planted_wrong_derivative_in_the_engine(monkeypatch):
    def sigmoid_slightly_wrong(self: Value) -> Value:
        s = 1.0 / (1.0 + math.exp(-self.data))
        return Value.from_op(s, (self,), (s * (1.0 - s) * 1.001,), "sigmoid")  # 0.1% too steep

    @settings(database=None)
    @given(expressions(["+", "*", "sigmoid"]))
    def gradients_match(e: Expression) -> None:
        assert_grads_match(e.build, e.inputs)

    gradients_match()  # the real sigmoid passes
    monkeypatch.setattr(Value, "sigmoid", sigmoid_slightly_wrong)
    with pytest.raises(AssertionError, match=re.escape("ratio 1.00")):
        gradients_match()


@given(expressions(["log", "/", "relu", "**"], max_ops=10))
def test_domain_ops_only_meet_operands_inside_their_domain_and_away_from_kinks(e):
    out = e.build([Value(x) for x in e.inputs])
    for node in topological_order(out):
        if node.op in ("log", "**"):  # log's operand; the base of a power whose exponent is a Value
            assert node.parents[0].data >= 0.01, e
        if node.op in ("relu", "/"):  # relu's kink and division's pole at 0
            assert abs(node.parents[-1].data) >= 0.01, e
    assert_grads_match(e.build, e.inputs)


def test_expression_repr_reads_as_a_program_and_build_matches_evaluate():
    e = Expression([0.5, 2.0], [("*", (0, 0)), ("/", (3.0, 2)), ("**", (1, 0.5)), ("+", (3, 4))])
    assert repr(e) == (
        "Expression(inputs=[0.5, 2.0]):\n"
        "    t0 = x0 * x0\n"
        "    t1 = 3.0 / t0\n"
        "    t2 = x1 ** 0.5\n"
        "    t3 = t1 + t2\n"
        "    return t3"
    )
    x0, x1 = Value(0.5), Value(2.0)
    out = e.build([x0, x1])
    assert out.data == e.evaluate([0.5, 2.0]) == 3.0 / 0.25 + 2.0**0.5
    out.backward()
    assert (x0.grad, x1.grad) == (-3.0 / 0.25**2 * 2 * 0.5, 0.5 * 2.0**-0.5)
    assert [v.op for v in topological_order(out) if v.op] == ["*", "/", "**0.5", "+"]


def test_expression_errors():
    with pytest.raises(ValueError, match="step 0 'sin'"):
        Expression([1.0], [("sin", (0,))])
    with pytest.raises(ValueError, match="step 1 reads node 3, which is not made yet"):
        Expression([1.0, 2.0], [("neg", (0,)), ("+", (0, 3))])
    e = Expression([1.0, 2.0], [("+", (0, 1))])
    with pytest.raises(ValueError, match=re.escape("Expression.build: expected 2 values, got 1")):
        e.build([Value(1.0)])
    with pytest.raises(ValueError, match=re.escape("Expression.evaluate: expected 2 floats, got 3")):
        e.evaluate([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"unknown ops \['sin'\]"):
        expressions(["tanh", "sin"])
    with pytest.raises(ValueError, match="n_inputs must be a count >= 1"):
        expressions(n_inputs=(3, 2))
    with pytest.raises(ValueError, match="max_ops must be an int >= 1"):
        expressions(max_ops=0)
    with pytest.raises(TypeError, match="inputs must be a hypothesis strategy"):
        expressions(inputs=(-1, 1))  # type: ignore[arg-type]  # wrong on purpose


@given(expressions(["+", "*"], n_inputs=2, constants=st.just(7.0), inputs=st.just(1.0), max_ops=6))
def test_expressions_use_the_given_inputs_and_constants(e):
    assert e.inputs == [1.0, 1.0]
    assert {a for _, args in e.steps for a in args if type(a) is float} <= {7.0}


# --------------------------------------------------------- the hostile graph
def test_hostile_graph():
    y = hostile_graph()
    labels = [v.label for v in topological_order(y)]
    assert HOSTILE_LABEL in labels and SCRIPT_CLOSER_LABEL in labels and y.label == "y & <b>"
    assert any(v.op == "*" and v.parents[0] is v.parents[1] for v in topological_order(y))  # a * a
    assert any(not v.op and not v.label and v.data == 2.0 for v in topological_order(y))  # the constant 2
    assert hostile_graph(root_label="out").label == "out"


# ------------------------------------------------------------------ imports
def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_import_autograd_imports_neither_hypothesis_nor_this_module():
    done = run_python("import sys, autograd; print('hypothesis' in sys.modules, 'autograd.testing' in sys.modules)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_without_hypothesis_the_import_error_says_what_to_install():
    done = run_python(
        "import sys; sys.modules['hypothesis'] = None\n"  # as if it were not installed
        "try:\n    import autograd.testing\nexcept ImportError as e:\n    print(e)\n"
        "import autograd; print(autograd.Value(2.0) * 3)"
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith(
        "autograd.testing needs hypothesis, which is not installed: pip install 'gradtrace[testing]'"
    )
    assert second.startswith("Value(data=6.0")
