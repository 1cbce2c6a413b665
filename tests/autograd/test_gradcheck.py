"""numerical_grad and gradcheck: right numbers, untouched state, and failures that are caught."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import GradcheckError, Value, gradcheck, no_grad, numerical_grad


def test_numerical_grad_central_and_forward_against_hand_numbers():
    w = Value(3.0)
    # f = w^3: f' = 27; central error eps^2, forward error 3*w*eps = 9 eps
    central = numerical_grad(lambda: w**3, [w], eps=1e-3)
    forward = numerical_grad(lambda: w**3, [w], eps=1e-3, method="forward")
    assert central[0] == pytest.approx(27.0 + 1e-6, abs=1e-8)
    assert forward[0] == pytest.approx(27.0 + 9e-3, abs=1e-5)


def test_numerical_grad_accepts_functions_returning_floats():
    a, b = Value(2.0), Value(5.0)
    grads = numerical_grad(lambda: a.data * b.data, [a, b])
    assert grads == pytest.approx([5.0, 2.0], abs=1e-6)


@given(st.floats(-3, 3), st.floats(-3, 3), st.sampled_from(["central", "forward"]))
def test_numerical_grad_leaves_data_and_grad_exactly_as_found(x, y, method):
    a, b = Value(x), Value(y)
    a.grad, b.grad = 0.125, -7.0
    numerical_grad(lambda: (a * b + a).tanh(), [a, b], method=method)
    assert (a.data, b.data, a.grad, b.grad) == (x, y, 0.125, -7.0)


def test_numerical_grad_restores_data_when_f_raises():
    a = Value(1.0)

    def f() -> Value:
        if a.data != 1.0:
            raise RuntimeError("boom")
        return a * 2

    with pytest.raises(RuntimeError, match="boom"):
        numerical_grad(f, [a])
    assert a.data == 1.0


def test_numerical_grad_runs_f_without_recording():
    a = Value(1.0)
    seen = []
    numerical_grad(lambda: seen.append((a * 2).parents) or a * 2, [a])
    assert seen and all(p == () for p in seen)


def test_numerical_grad_rejects_bad_arguments():
    a = Value(1.0)
    with pytest.raises(ValueError, match="unknown method 'backward'; use one of central, forward"):
        numerical_grad(lambda: a, [a], method="backward")
    with pytest.raises(ValueError, match=re.escape("eps must be a positive finite number, got 0.0")):
        numerical_grad(lambda: a, [a], eps=0)
    with pytest.raises(TypeError, match=r"params\[1\] is 2.0, not a Value"):
        numerical_grad(lambda: a, [a, 2.0])
    with pytest.raises(TypeError, match="f\\(\\) must return a Value or a number"):
        numerical_grad(lambda: "x", [a])


def test_gradcheck_passes_and_leaves_state_as_found():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    const = Value(2.0, label="c")  # used by f but not checked: its grad must survive too
    x.grad, const.grad = 5.0, 9.0
    assert gradcheck(lambda: (x * y + const).tanh() * x.exp() / (1 + y * y), [x, y]) is True
    assert (x.data, y.data, x.grad, y.grad, const.grad) == (0.7, -1.3, 5.0, 0.0, 9.0)


def wrong_square(v: Value) -> Value:
    # A primitive with a deliberately wrong derivative: d(v^2) is 2v, not v.
    return Value.from_op(v.data * v.data, (v,), (v.data,), "wrong_square")


def test_gradcheck_catches_a_wrong_derivative():
    good, bad = Value(1.5, label="good"), Value(2.0, label="bad")

    def f():
        return good * 3 + wrong_square(bad)

    with pytest.raises(GradcheckError) as info:
        gradcheck(f, [good, bad])
    message = str(info.value)
    assert "1 of 2 parameters disagree" in message
    lines = message.splitlines()
    assert lines[1].split() == ["index", "label", "analytic", "numeric", "difference"]
    assert lines[2].split() == ["1", "bad", "2", "4", "2"]
    [mismatch] = info.value.mismatches
    assert (mismatch.index, mismatch.label, mismatch.analytic) == (1, "bad", 2.0)
    assert mismatch.numeric == pytest.approx(4.0)
    assert gradcheck(f, [good, bad], raise_exception=False) is False
    assert (good.grad, bad.grad) == (0.0, 0.0)


def test_gradcheck_tolerances_follow_atol_plus_rtol():
    x = Value(10.0)

    def off_by(v):
        return Value.from_op(v.data * v.data, (v,), (2 * v.data + 0.01,), "sq")

    # |20.01 - 20| = 0.01 <= 1e-5 + 1e-3 * 20 = 0.02: accepted by the defaults
    assert gradcheck(lambda: off_by(x), [x])
    assert not gradcheck(lambda: off_by(x), [x], rtol=1e-4, raise_exception=False)


def test_gradcheck_treats_nan_as_a_mismatch():
    x = Value(1.0)

    def nan_grad(v):
        return Value.from_op(v.data, (v,), (math.nan,), "nan")

    assert not gradcheck(lambda: nan_grad(x), [x], raise_exception=False)


def test_gradcheck_needs_a_value_and_records_even_inside_no_grad():
    x = Value(1.0)
    with pytest.raises(TypeError, match="f\\(\\) must return a Value"):
        gradcheck(lambda: 3.0, [x])
    with no_grad():
        assert gradcheck(lambda: x * x, [x])


def softplus(x: Value) -> Value:
    # softplus = log(1 + e^x); d softplus = sigmoid(x)
    return Value.from_op(math.log1p(math.exp(x.data)), (x,), (1 / (1 + math.exp(-x.data)),), "softplus")


@given(st.floats(-20, 20))
def test_a_user_written_primitive(x):
    v = Value(x, label="x")
    assert gradcheck(lambda: softplus(v * 2) * v, [v])


# ------------------------------------------------------------ bad arguments
def test_gradcheck_with_no_params_is_an_error():
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"^gradcheck: params is empty, so there is nothing to check"):
        gradcheck(lambda: x * x, [])
    assert numerical_grad(lambda: x * x, []) == []  # no parameters, no estimates: nothing wrong


@pytest.mark.parametrize("who", [gradcheck, numerical_grad])
def test_a_single_value_as_params_is_named(who):
    x = Value(1.0, label="x")
    with pytest.raises(TypeError) as info:
        who(lambda: x * x, x)
    assert str(info.value) == (
        f"{who.__name__}: params must be a sequence of Values, got the single Value 1.0 (label 'x'); "
        "write a list of one: [x]"
    )
    with pytest.raises(TypeError, match=rf"^{who.__name__}: params must be a sequence of Values, got 3 of type int"):
        who(lambda: x * x, 3)


@pytest.mark.parametrize("who", [gradcheck, numerical_grad])
def test_f_that_is_not_callable_or_takes_arguments_is_named(who):
    x = Value(1.0)
    with pytest.raises(TypeError, match=rf"^{who.__name__}: f must be a function of no arguments .* got 5 of type int"):
        who(5, [x])
    with pytest.raises(TypeError, match=rf"^{who.__name__}: f must take no arguments .* needs some: \(v\); wrap it"):
        who(lambda v: v * v, [x])
    assert who(lambda *args, scale=2.0: x * scale, [x])  # optional arguments are fine


def test_bad_tolerances_and_eps_are_named():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"^gradcheck\(atol\): expected an int or float, got 'x' of type str"):
        gradcheck(lambda: x * x, [x], atol="x")
    with pytest.raises(ValueError, match=r"^gradcheck: rtol must be a number >= 0, got -1\.0"):
        gradcheck(lambda: x * x, [x], rtol=-1)
    with pytest.raises(ValueError, match=r"^gradcheck: atol must be a number >= 0, got nan"):
        gradcheck(lambda: x * x, [x], atol=math.nan)
    with pytest.raises(ValueError, match=r"^gradcheck: eps must be a positive finite number, got inf"):
        gradcheck(lambda: x * x, [x], eps=math.inf)
    with pytest.raises(TypeError, match=r"^numerical_grad\(eps\): expected an int or float, got None"):
        numerical_grad(lambda: x * x, [x], eps=None)
    with pytest.raises(ValueError, match=r"unknown method 5; use one of central, forward"):
        numerical_grad(lambda: x * x, [x], method=5)


def test_a_param_whose_data_is_not_a_number_is_named_before_it_is_nudged():
    x = Value(1.0, label="x")
    x.data = "1.0"
    with pytest.raises(TypeError, match=r"^numerical_grad: Value '1\.0' \(label 'x'\) has \.data '1\.0' of type str"):
        numerical_grad(lambda: x * x, [x])
    assert x.data == "1.0"


def test_f_returning_a_value_with_bad_data_is_named():
    x = Value(1.0)
    bad = Value(0.0)
    bad.data = "oops"
    with pytest.raises(TypeError, match=r"^numerical_grad: f\(\) returned a Value whose \.data: expected an int or"):
        numerical_grad(lambda: bad, [x])


# ------------------------------------------------------------ analytic side
@given(st.floats(-2, 2), st.floats(-2, 2))
def test_gradcheck_analytic_gradients_are_backwards_bit_for_bit(x, y):
    # gradcheck computes backprop gradients without writing .grad; they must be
    # exactly what backward() adds to a zero .grad.
    from autograd.gradcheck import _analytic_grad

    a, b = Value(x), Value(y)

    def f():
        return ((a * b + a).tanh() * (b * b + 1.0).log() + a.sigmoid() * b).relu() + a * a

    analytic = _analytic_grad(f, [a, b])
    assert (a.grad, b.grad) == (0.0, 0.0)
    f().backward()
    assert analytic == [a.grad, b.grad]
