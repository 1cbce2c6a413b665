"""autograd.testing to the last character: the points it nudges, its messages, its strategies' bounds, hostile_graph."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, is_grad_enabled, topological_order
from autograd.testing import (
    HOSTILE_LABEL,
    SCRIPT_CLOSER_LABEL,
    STEP,
    Expression,
    assert_grads_match,
    check_op,
    expressions,
    hostile_graph,
    points,
)

FLOATS = "allow_nan=False, allow_infinity=False"
ALL_OPS = "+, -, *, /, **, neg, exp, log, tanh, sigmoid, relu"


def recording(log: list[tuple[float, ...]], build):
    """``build``, noting the inputs of every finite-difference evaluation (those run under no_grad)."""

    def recorded(v: list[Value]) -> Value:
        if not is_grad_enabled():
            log.append(tuple(x.data for x in v))
        return build(v)

    return recorded


# -------------------------------------------------------- assert_grads_match
def test_the_step_is_the_cube_root_of_the_machine_epsilon():
    assert sys.float_info.epsilon ** (1.0 / 3.0) == STEP


@pytest.mark.parametrize("x, scale", [(2.0, 2.0), (0.5, 1.0), (-3.0, 3.0), (0.0, 1.0)])
def test_each_input_is_nudged_by_step_times_its_size_and_by_half_that(x, scale):
    log: list[tuple[float, ...]] = []
    assert assert_grads_match(recording(log, lambda v: v[0] * v[1]), [x, 7.0]) == [7.0, x]
    h, k = STEP * scale, STEP * 7.0
    assert log == [
        (x + h, 7.0),
        (x - h, 7.0),
        (x + h / 2, 7.0),
        (x - h / 2, 7.0),
        (x, 7.0 + k),
        (x, 7.0 - k),
        (x, 7.0 + k / 2),
        (x, 7.0 - k / 2),
    ]


def test_a_given_step_is_used():
    log: list[tuple[float, ...]] = []
    assert_grads_match(recording(log, lambda v: v[0] * 2.0), [4.0], step=0.25)
    assert log == [(5.0,), (3.0,), (4.5,), (3.5,)]


def test_the_message_shows_both_gradients_their_ratio_and_the_tolerance():
    def bad_square(v: list[Value]) -> Value:
        return Value.from_op(v[0].data ** 2, (v[0],), (v[0].data,), "bad_square")  # should be 2 * v.data

    with pytest.raises(AssertionError) as info:
        assert_grads_match(bad_square, [3.0])
    assert str(info.value) == (
        "assert_grads_match: backprop and finite differences disagree at xs = [3.0]:\n"
        "  input 0 (x0 = 3.0): backprop 3, finite differences 6, ratio 0.5 (|difference| 3 > tolerance 6e-05)"
    )


def test_the_estimate_is_richardsons_and_the_tolerance_counts_the_spread():
    # x^3 at 1 with step 0.5: D(0.5) = 3.25, D(0.25) = 3.0625; Richardson: 3.0625 + (3.0625 - 3.25) / 3 = 3.0,
    # spread 0.1875; a claimed slope of 2 is 1 off; tolerance = atol + rtol * 3 + 0.1875 + rounding
    def cube_claiming_two(v: list[Value]) -> Value:
        return Value.from_op(v[0].data ** 3, (v[0],), (2.0,), "cube")

    with pytest.raises(AssertionError) as info:
        assert_grads_match(cube_claiming_two, [1.0], step=0.5, rtol=0.1, atol=0.5)
    assert str(info.value).splitlines()[1] == (
        "  input 0 (x0 = 1.0): backprop 2, finite differences 3, ratio 0.666667 (|difference| 1 > tolerance 0.988)"
    )
    # the same slope passes once the tolerance reaches 1: atol 0.5 + 0.3 + 0.1875 + rounding is 0.9875 + 3e-15
    assert assert_grads_match(cube_claiming_two, [1.0], step=0.5, rtol=0.1, atol=0.5126) == [2.0]


def test_the_rounding_allowance_grows_with_the_values_that_cancel():
    # ((x + 1e8) - 1e8) loses 1e8 * eps to rounding; the allowance is 8 eps sum(|value * grad|) / h
    def shifted_claiming_1_01(v: list[Value]) -> Value:
        t = (v[0] + 1e8) - 1e8
        return Value.from_op(t.data, (t,), (1.01,), "shifted")

    with pytest.raises(AssertionError) as info:
        assert_grads_match(shifted_claiming_1_01, [1.0], rtol=0.0, atol=0.0, step=1.0)
    line = str(info.value).splitlines()[1]
    # nodes: x (1 * 1.01), 1e8 (1e8 * 1.01), x + 1e8, 1e8 (-1.01), t (1 * 1.01), the result (1 * 1):
    # sum 3.03e8 + 3.03 + 1; times 8 eps / h (h = 1)
    rounding = 8.0 * sys.float_info.epsilon * math.fsum([1.01, 1e8 * 1.01, (1e8 + 1.0) * 1.01, 1e8 * 1.01, 1.01, 1.0])
    assert line.endswith(f"(|difference| 0.01 > tolerance {rounding:.3g})")


def test_a_shared_parameters_grad_is_left_as_it_was_and_does_not_widen_the_tolerance():
    w = Value(2.0, label="w")
    w.grad = 1e30

    def build(v: list[Value]) -> Value:
        return Value.from_op(v[0].data * w.data, (v[0], w), (w.data * 1.5, v[0].data), "scaled")

    with pytest.raises(AssertionError, match=r"input 0 \(x0 = 3.0\): backprop 3, finite differences 2, ratio 1.5 "):
        assert_grads_match(build, [3.0])
    assert w.grad == 1e30


def test_an_infinite_slope_agrees_only_with_an_infinite_difference():
    def steep(v: list[Value]) -> Value:
        return Value.from_op(v[0].data, (v[0],), (math.inf,), "steep")

    with pytest.raises(AssertionError) as info:
        assert_grads_match(steep, [1.0])  # rtol * inf must not make the tolerance infinite
    assert str(info.value).splitlines()[1] == (
        "  input 0 (x0 = 1.0): backprop inf, finite differences 1, ratio inf (|difference| inf > tolerance inf)"
    )


def test_a_nudge_out_of_the_domain_is_retried_three_times_tenfold_smaller_then_named():
    log: list[tuple[float, ...]] = []
    with pytest.raises(ValueError) as info:
        assert_grads_match(recording(log, lambda v: v[0].log()), [1e-12])
    assert str(info.value) == (
        "assert_grads_match: cannot take finite differences at input 0 (x0 = 1e-12) of [1e-12]: nudging it by "
        "6.06e-09 or less still raised ValueError: log: needs a value > 0, got -6.054454452393343e-09 (label 'x0'); "
        "keep inputs away from the edge of the op's domain (points(low, high, avoid=..., margin=...))"
    )
    assert isinstance(info.value.__cause__, ValueError)
    step, ups = STEP, []
    for _ in range(4):
        ups.append((1e-12 + step,))
        step /= 10.0
    assert [p for p in log if p[0] > 1e-12] == ups  # one try a step: up, then down raises


def test_a_nudge_that_overflows_is_retried_smaller():
    # exp overflows past 709.78: the first nudge up from 709.779 (by 4.3e-3) goes past it, the next does not
    (slope,) = assert_grads_match(lambda v: v[0].exp(), [709.779])
    assert slope == math.exp(709.779)


def first(v: list[Value]) -> Value:
    return v[0]


@pytest.mark.parametrize(
    "build, xs, kwargs, kind, message",
    [
        (3, [1.0], {}, TypeError, "build must be a function of a list of Values, got 3"),
        (first, 1.0, {}, TypeError, "xs must be a list of floats (one per input), got 1.0"),
        (first, "12", {}, TypeError, "xs must be a list of floats (one per input), got '12'"),
        (first, b"12", {}, TypeError, "xs must be a list of floats (one per input), got b'12'"),
        (first, ["a"], {}, TypeError, "xs: expected an int or float, got 'a' of type str"),
        (first, [1.0, math.inf], {}, ValueError, "input 1 is inf; finite differences need finite inputs"),
        (lambda v: 2.0, [1.0], {}, TypeError, "build(values) must return a Value, got 2.0 of type float"),
        (first, [1.0], {"rtol": -1}, ValueError, "rtol must be a finite number >= 0, got -1"),
        (first, [1.0], {"rtol": math.inf}, ValueError, "rtol must be a finite number >= 0, got inf"),
        (first, [1.0], {"atol": -1e-9}, ValueError, "atol must be a finite number >= 0, got -1e-09"),
        (first, [1.0], {"atol": "0"}, TypeError, "(atol): expected an int or float, got '0' of type str"),
        (first, [1.0], {"step": 0}, ValueError, "step must be a finite number > 0, got 0"),
    ],
)
def test_argument_errors_say_what_is_wrong(build, xs, kwargs, kind, message):
    with pytest.raises(kind) as info:
        assert_grads_match(build, xs, **kwargs)
    who = "assert_grads_match" if message.startswith("(") else "assert_grads_match: "
    assert str(info.value) == who + message


def test_zero_tolerances_are_allowed_and_a_positive_step_of_any_size():
    assert assert_grads_match(lambda v: v[0] * 2.0, [1.0], rtol=0, atol=0) == [2.0]
    assert assert_grads_match(lambda v: v[0] * 2.0, [1.0], step=1e-300 * 1e300) == [2.0]


def test_the_result_may_read_inputs_only_through_data():
    # under the finite differences build gets fresh Values made under no_grad, labelled x0, x1, ...
    seen = []

    def build(v: list[Value]) -> Value:
        seen.append([x.label for x in v])
        return v[0] + v[1]

    assert_grads_match(build, [1.0, 2.0])
    assert seen[0] == ["x0", "x1"] and all(labels == ["x0", "x1"] for labels in seen)


# -------------------------------------------------------------------- points
@pytest.mark.parametrize(
    "args, kwargs, pieces",
    [
        ((), {}, ["floats(min_value=-10.0, max_value=10.0, {f})"]),
        ((-1, 1), {"avoid": (0.0,), "margin": 0.25}, [
            "floats(min_value=-1.0, max_value=-0.25, {f})", "floats(min_value=0.25, max_value=1.0, {f})"]),
        ((-1, 1), {"avoid": 0.5}, [
            "floats(min_value=-1.0, max_value=0.499, {f})", "floats(min_value=0.501, max_value=1.0, {f})"]),
        ((-1, 1), {"avoid": (0.0, -1.0), "margin": 0.0}, [
            "floats(min_value=-1.0, max_value=0.0, {f}, exclude_min=True, exclude_max=True)",
            "floats(min_value=0.0, max_value=1.0, {f}, exclude_min=True)"]),
        ((-1, 1), {"avoid": (1.0,), "margin": 0.0}, ["floats(min_value=-1.0, max_value=1.0, {f}, exclude_max=True)"]),
        ((0, 1), {"avoid": (0.5,), "margin": 0.5}, [  # the cut is open: the ends stay
            "floats(min_value=0.0, max_value=0.0, {f})", "floats(min_value=1.0, max_value=1.0, {f})"]),
        ((0, 1), {"avoid": (0.0, 1.0), "margin": 1.0}, []),  # nothing left: an error
        ((0, 2), {"avoid": (-1.0,), "margin": 1.0}, ["floats(min_value=0.0, max_value=2.0, {f})"]),
        ((0, 2), {"avoid": (3.0,), "margin": 1.0}, ["floats(min_value=0.0, max_value=2.0, {f})"]),
        ((0, 2), {"avoid": (-1.0,), "margin": 1.5}, ["floats(min_value=0.5, max_value=2.0, {f})"]),
        ((0, 2), {"avoid": (2.5,), "margin": 1.0}, ["floats(min_value=0.0, max_value=1.5, {f})"]),
        ((0, 2), {"avoid": (-1.0,), "margin": 0.5}, ["floats(min_value=0.0, max_value=2.0, {f})"]),
        ((0, 2), {"avoid": (1.0,), "margin": 1.0}, [
            "floats(min_value=0.0, max_value=0.0, {f})", "floats(min_value=2.0, max_value=2.0, {f})"]),
        ((0, 2), {"avoid": (2.0, 0.0), "margin": 1.0}, ["floats(min_value=1.0, max_value=1.0, {f})"]),
        ((0, 4), {"avoid": (3.0, 1.0), "margin": 1.0}, [
            "floats(min_value=0.0, max_value=0.0, {f})", "floats(min_value=2.0, max_value=2.0, {f})",
            "floats(min_value=4.0, max_value=4.0, {f})"]),
    ],
)  # fmt: skip
def test_points_cut_each_avoided_point_out_with_its_margin(args, kwargs, pieces):
    if not pieces:
        with pytest.raises(ValueError, match="nothing is left of"):
            points(*args, **kwargs)
        return
    shown = [p.format(f=FLOATS) for p in pieces]
    expected = shown[0] if len(shown) == 1 else f"one_of({', '.join(shown)})"
    assert repr(points(*args, **kwargs)) == expected


def test_points_errors_say_what_is_wrong():
    with pytest.raises(ValueError) as info:
        points(1, 1)
    assert str(info.value) == "points: need finite low < high, got low=1.0, high=1.0"
    with pytest.raises(ValueError) as info:
        points(-math.inf, 1)
    assert str(info.value) == "points: need finite low < high, got low=-inf, high=1.0"
    with pytest.raises(ValueError) as info:
        points(0, math.nan)
    assert str(info.value) == "points: need finite low < high, got low=0.0, high=nan"
    with pytest.raises(ValueError) as info:
        points(-1, 1, avoid=(0.0,), margin=2.0)
    assert str(info.value) == (
        "points: nothing is left of [-1.0, 1.0] once [0.0] +- 2.0 are avoided; widen the range or lower the margin"
    )
    with pytest.raises(ValueError) as info:
        points(avoid=(0.0, math.inf))
    assert str(info.value) == "points: avoid holds inf; give finite points"
    with pytest.raises(TypeError) as info:
        points(avoid=("0",))
    assert str(info.value) == "points(avoid): expected an int or float, got '0' of type str"
    with pytest.raises(TypeError) as info:
        points(low="0")
    assert str(info.value) == "points(low): expected an int or float, got '0' of type str"
    with pytest.raises(TypeError) as info:
        points(high=None)
    assert str(info.value) == "points(high): expected an int or float, got None of type NoneType"
    with pytest.raises(ValueError) as info:
        points(margin=-0.5)
    assert str(info.value) == "points: margin must be a finite number >= 0, got -0.5"


# --------------------------------------------------------------- expressions
def test_expressions_defaults_and_choices_reach_the_strategy():
    assert repr(expressions()) == (
        "_draw_expression(ops=('+', '-', '*', '/', '**', 'neg', 'exp', 'log', 'tanh', 'sigmoid', 'relu'), "
        f"n_inputs=(1, 4), max_ops=12, inputs=floats(min_value=-3.0, max_value=3.0, {FLOATS}), "
        "constants=sampled_from((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0)), margin=0.01)"
    )
    assert repr(expressions(["tanh"], n_inputs=2, max_ops=1, inputs=st.just(1.0), constants=False, margin=0)) == (
        "_draw_expression(ops=('tanh',), n_inputs=(2, 2), max_ops=1, inputs=just(1.0), constants=None, margin=0.0)"
    )
    assert repr(expressions(["+"], n_inputs=(1, 1), constants=st.just(2))) == (
        "_draw_expression(ops=('+',), n_inputs=(1, 1), max_ops=12, inputs=floats(min_value=-3.0, max_value=3.0, "
        f"{FLOATS}), constants=just(2).map(float), margin=0.01)"
    )


@pytest.mark.parametrize(
    "kwargs, kind, message",
    [
        ({"ops": []}, ValueError, "unknown ops []; use some of " + ALL_OPS),
        ({"ops": ["tanh", "sin"]}, ValueError, "unknown ops ['sin']; use some of " + ALL_OPS),
        ({"n_inputs": 0}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got (0, 0)"),
        ({"n_inputs": True}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got True"),
        ({"n_inputs": (3, 2)}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got (3, 2)"),
        ({"n_inputs": (1, 2, 3)}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got (1, 2, 3)"),
        ({"n_inputs": (1.0, 2)}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got (1.0, 2)"),
        ({"n_inputs": [1, 2]}, ValueError, "n_inputs must be a count >= 1 or a (min, max) pair, got [1, 2]"),
        ({"max_ops": 0}, ValueError, "max_ops must be an int >= 1, got 0"),
        ({"max_ops": True}, ValueError, "max_ops must be an int >= 1, got True"),
        ({"max_ops": 2.0}, ValueError, "max_ops must be an int >= 1, got 2.0"),
        ({"inputs": (-1, 1)}, TypeError, "inputs must be a hypothesis strategy of floats, got (-1, 1)"),
        ({"constants": 2.0}, TypeError, "constants must be True, False or a hypothesis strategy of floats, got 2.0"),
        ({"margin": -1.0}, ValueError, "margin must be a finite number >= 0, got -1.0"),
    ],
)  # fmt: skip
def test_expressions_argument_errors_say_what_is_wrong(kwargs, kind, message):
    with pytest.raises(kind) as info:
        expressions(**kwargs)
    assert str(info.value) == f"expressions: {message}"


def test_n_inputs_of_one_count_draws_exactly_that_many_inputs():
    @settings(max_examples=20, database=None, derandomize=True)
    @given(expressions(["neg"], n_inputs=1, max_ops=1, constants=False))
    def one(e: Expression) -> None:
        assert len(e.inputs) == 1 and e.steps == [("neg", (0,))]

    one()


def test_an_expression_names_inputs_x_and_steps_t_and_may_end_in_an_input():
    e = Expression([1, 2.5], [("neg", (1,)), ("-", (2, 0)), ("exp", (0,)), ("+", (3, 1))])
    assert e.inputs == [1.0, 2.5] and type(e.inputs[0]) is float
    assert repr(e) == (
        "Expression(inputs=[1.0, 2.5]):\n"
        "    t0 = -x1\n"
        "    t1 = t0 - x0\n"
        "    t2 = exp(x0)\n"
        "    t3 = t1 + x1\n"
        "    return t3"
    )
    assert e.evaluate([1, 2.5]) == -2.5 - 1.0 + 2.5
    assert repr(Expression([4.0], [])) == "Expression(inputs=[4.0]):\n    return x0"
    assert Expression([4.0], []).evaluate([3.0]) == 3.0


def test_every_op_on_floats_matches_the_op_on_values():
    ops = {
        "+": (2.0, -0.5), "-": (2.0, -0.5), "*": (2.0, -0.5), "/": (2.0, -0.5), "**": (2.0, -0.5),
        "neg": (0.75,), "exp": (0.75,), "log": (0.75,), "tanh": (0.75,), "sigmoid": (0.75,), "relu": (0.75,),
    }  # fmt: skip
    for op, xs in ops.items():
        e = Expression(list(xs), [(op, tuple(range(len(xs))))])
        assert e.evaluate(xs) == e.build([Value(x) for x in xs]).data, op
    for x in (-0.75, 0.0):
        e = Expression([x], [("sigmoid", (0,)), ("relu", (0,)), ("+", (1, 2))])
        assert e.evaluate([x]) == e.build([Value(x)]).data


def test_expression_errors_say_what_is_wrong():
    with pytest.raises(ValueError) as info:
        Expression([1.0], [("sin", (0,))])
    assert str(info.value) == "Expression: step 0 'sin' (0,): unknown op or wrong number of operands"
    with pytest.raises(ValueError) as info:
        Expression([1.0], [("neg", (0,)), ("+", (0,))])
    assert str(info.value) == "Expression: step 1 '+' (0,): unknown op or wrong number of operands"
    with pytest.raises(ValueError) as info:
        Expression([1.0, 2.0], [("neg", (0,)), ("+", (0, 3))])
    assert str(info.value) == "Expression: step 1 reads node 3, which is not made yet"
    with pytest.raises(ValueError) as info:
        Expression([1.0], [("neg", (-1,))])
    assert str(info.value) == "Expression: step 0 reads node -1, which is not made yet"
    Expression([1.0], [("neg", (0,)), ("*", (1, 1.0))])  # node 1 is t0, made by step 0


# ------------------------------------------------------------------ check_op
def test_check_op_draws_each_argument_from_its_own_domain_or_all_from_one():
    seen: list[tuple[float, float]] = []

    def plus(a: Value, b: Value) -> Value:
        if is_grad_enabled():
            seen.append((a.data, b.data))
        return a + b

    check_op(plus, arity=2, domain=((0, 1), points(5, 6)), max_examples=30, database=None)
    assert seen and all(0 <= a <= 1 and 5 <= b <= 6 for a, b in seen)
    seen.clear()
    check_op(plus, arity=2, domain=(5, 6), max_examples=30, database=None)  # one (low, high) pair for both
    assert seen and all(5 <= a <= 6 and 5 <= b <= 6 for a, b in seen)
    seen.clear()
    check_op(plus, arity=2, max_examples=30, database=None)
    assert seen and all(-10 <= a <= 10 and -10 <= b <= 10 for a, b in seen)
    assert any(abs(a) > 5 for a, _ in seen)


def test_check_op_messages_show_the_failure_as_raised_or_as_asserted():
    def too_big(x: Value) -> Value:
        if x.data > 5.0:
            raise RuntimeError(f"too big: {x.data}")
        return x * 2.0

    with pytest.raises(AssertionError) as info:
        check_op(too_big, derandomize=True, database=None)
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "check_op(too_big): the op raised RuntimeError inside the domain; give check_op a domain where it is "
        "defined: domain=(low, high) or points(low, high, avoid=...)"
    )
    assert lines[1].startswith("RuntimeError: too big: ")
    assert any(line.startswith("Falsifying example") or line.startswith("Failing test case") for line in lines)

    def tanh_wrong_above_two(x: Value) -> Value:
        t = math.tanh(x.data)
        return Value.from_op(t, (x,), (1.0 - t * t if x.data <= 2.0 else 1.0 - t,), "tanh")

    with pytest.raises(AssertionError) as info:
        check_op(tanh_wrong_above_two, derandomize=True, database=None)
    lines = str(info.value).splitlines()
    assert lines[0] == "check_op(tanh_wrong_above_two): the op's gradient is wrong somewhere in its domain"
    assert lines[1].startswith("assert_grads_match: backprop and finite differences disagree at xs = [")


def test_check_op_argument_errors_say_what_is_wrong():
    with pytest.raises(TypeError) as info:
        check_op(3.0)
    assert str(info.value) == "check_op: op must be a function of Values returning a Value, got 3.0"
    for arity in (0, True, 1.0):
        with pytest.raises(ValueError) as info:
            check_op(lambda x: x, arity=arity)
        assert str(info.value) == f"check_op: arity must be a positive int (how many Values op takes), got {arity!r}"
    with pytest.raises(TypeError) as info:
        check_op(lambda x: x, domain=(0, "1"))
    assert str(info.value) == (
        "check_op: domain must be a hypothesis strategy of floats or a (low, high) pair, got (0, '1')"
    )
    with pytest.raises(TypeError) as info:
        check_op(lambda x: 0.5, database=None)
    assert str(info.value) == "check_op(<lambda>): op must return a Value, got 0.5 of type float"


# --------------------------------------------------------- the hostile graph
def test_hostile_graph_is_tanh_of_a_h_plus_a_a_plus_s_2_with_its_labels():
    y = hostile_graph()
    assert y.data == math.tanh(2.0 * -3.0 + 2.0 * 2.0 + 0.5 * 2) and y.label == "y & <b>" and y.op == "tanh"
    leaves = sorted((v.label, v.data) for v in topological_order(y) if not v.op)
    assert leaves == [
        ("", 2.0),
        ("</script><script>alert(2)</script>", 0.5),
        ("<img src=x onerror=alert(1)>", -3.0),
        ("a", 2.0),
    ]
    assert (leaves[2][0], leaves[1][0]) == (HOSTILE_LABEL, SCRIPT_CLOSER_LABEL)
    assert [v.op for v in topological_order(y) if v.op] == ["*", "*", "+", "*", "+", "tanh"]
    y.backward()
    slope = 1.0 - math.tanh(-1.0) ** 2
    a, h, s = (
        next(v for v in topological_order(y) if v.label == name) for name in ("a", HOSTILE_LABEL, SCRIPT_CLOSER_LABEL)
    )
    assert (a.grad, h.grad, s.grad) == pytest.approx((slope * (-3.0 + 4.0), slope * 2.0, slope * 2.0), rel=1e-15)


def test_check_op_reports_every_distinct_failure_hypothesis_found():
    def raises_high_wrong_low(x: Value) -> Value:
        if x.data > 5.0:
            raise RuntimeError("too big")
        slope = 3.0 if x.data < -5.0 else 2.0  # wrong below -5
        return Value.from_op(2.0 * x.data, (x,), (slope,), "twice")

    with pytest.raises(AssertionError) as info:
        check_op(raises_high_wrong_low, derandomize=True, database=None)
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "check_op(raises_high_wrong_low): the op raised RuntimeError inside the domain; give check_op a domain "
        "where it is defined: domain=(low, high) or points(low, high, avoid=...)"
    )
    assert "RuntimeError: too big" in lines
    assert any(line.startswith("assert_grads_match: backprop and finite differences disagree") for line in lines)
    assert not any(line.startswith(("ExceptionGroup", "AssertionError")) for line in lines)


class Halver:
    """An op that is an object, not a function: it has no ``__name__``."""

    def __call__(self, x: Value) -> float:
        return x.data / 2

    def __repr__(self) -> str:
        return "Halver()"


def test_an_op_without_a_name_is_shown_by_its_repr():
    with pytest.raises(TypeError) as info:
        check_op(Halver(), derandomize=True, database=None)
    assert str(info.value) == "check_op(Halver()): op must return a Value, got 0.0 of type float"


def test_a_domain_per_argument_is_checked_like_one_domain():
    with pytest.raises(TypeError) as info:
        check_op(lambda a, b: a + b, arity=2, domain=((0, 1), "x"))
    assert str(info.value) == (
        "check_op: domain must be a hypothesis strategy of floats or a (low, high) pair, got 'x'"
    )
    with pytest.raises(TypeError) as info:  # one argument: a sequence of one domain is no domain
        check_op(lambda a: a, arity=1, domain=[(0, 1)])
    assert str(info.value) == (
        "check_op: domain must be a hypothesis strategy of floats or a (low, high) pair, got [(0, 1)]"
    )


def test_a_build_that_returns_no_value_is_refused_by_name():
    with pytest.raises(TypeError) as caught:
        assert_grads_match(lambda xs: xs[0].data * 2, [1.5])
    assert str(caught.value) == "assert_grads_match: build(values) must return a Value, got 3.0 of type float"


def test_a_build_that_returns_no_value_at_a_nudged_point_is_refused_by_name():
    def build(xs):
        return xs[0] * 2 if xs[0].data == 1.5 else "no value"  # a Value at 1.5 only, not where it is nudged

    with pytest.raises(TypeError) as caught:
        assert_grads_match(build, [1.5])
    assert str(caught.value) == "assert_grads_match: build(values) must return a Value, got 'no value' of type str"
