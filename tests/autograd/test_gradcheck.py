"""numerical_grad and gradcheck: right numbers, untouched state, and failures that are caught."""

from __future__ import annotations

import math

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
    with pytest.raises(ValueError, match="eps must be a positive finite number, got 0.0"):
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
    f = lambda: good * 3 + wrong_square(bad)  # noqa: E731
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
    off_by = lambda v: Value.from_op(v.data * v.data, (v,), (2 * v.data + 0.01,), "sq")  # noqa: E731
    # |20.01 - 20| = 0.01 <= 1e-5 + 1e-3 * 20 = 0.02: accepted by the defaults
    assert gradcheck(lambda: off_by(x), [x])
    assert not gradcheck(lambda: off_by(x), [x], rtol=1e-4, raise_exception=False)


def test_gradcheck_treats_nan_as_a_mismatch():
    x = Value(1.0)
    nan_grad = lambda v: Value.from_op(v.data, (v,), (math.nan,), "nan")  # noqa: E731
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
