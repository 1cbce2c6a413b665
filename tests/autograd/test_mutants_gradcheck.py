"""numerical_grad, gradcheck, trace_backward and the rule table where mutation testing found them unchecked."""

from __future__ import annotations

import math

import pytest

from autograd import GradcheckError, Value, gradcheck, numerical_grad, trace_backward
from autograd.rules import RULES, evaluate, rule_for

# ----------------------------------------------------------- numerical_grad


def test_the_default_eps_is_small():
    x = Value(1.0)
    (slope,) = numerical_grad(lambda: x**3, [x])  # central error eps^2: 3 + 1e-12
    assert slope == pytest.approx(3.0, abs=1e-8)


def test_central_differences_call_f_twice_per_parameter_and_forward_once_more_in_all():
    x, y = Value(1.0), Value(2.0)
    calls = []

    def f():
        calls.append(1)
        return x * y

    numerical_grad(f, [x, y])
    assert len(calls) == 4
    calls.clear()
    numerical_grad(f, [x, y], method="forward")
    assert len(calls) == 3


@pytest.mark.parametrize("who, check", [("numerical_grad", numerical_grad), ("gradcheck", gradcheck)])
def test_a_parameter_that_is_not_a_value_is_named(who, check):
    x = Value(1.0)
    with pytest.raises(TypeError) as info:
        check(lambda: x * x, [x, 2.0])
    assert str(info.value) == f"{who}: params[1] is 2.0, not a Value; pass the Values to differentiate by"


def test_eps_errors_name_numerical_grad():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"^numerical_grad\(eps\): expected an int or float, got 'small' of type str$"):
        numerical_grad(lambda: x, [x], eps="small")
    with pytest.raises(ValueError, match=r"^numerical_grad: eps must be a positive finite number, got 0\.0$"):
        numerical_grad(lambda: x, [x], eps=0)


def returns_junk_on_call(n: int, x: Value):
    """An f whose call number ``n`` (from 1) returns a string instead of a number."""
    calls = []

    def f():
        calls.append(1)
        return "junk" if len(calls) == n else x * 2.0

    return f


@pytest.mark.parametrize("method, n", [("forward", 1), ("forward", 2), ("central", 1), ("central", 2)])
def test_f_returning_junk_is_named_at_every_call(method, n):
    x = Value(1.0)
    junk = r"^numerical_grad: f\(\) must return a Value or a number; it: expected an int or float, got 'junk'"
    with pytest.raises(TypeError, match=junk):
        numerical_grad(returns_junk_on_call(n, x), [x], method=method)
    assert x.data == 1.0


def test_f_returning_a_value_with_junk_data_is_named():
    x, out = Value(1.0), Value(0.0)
    out.data = "junk"
    with pytest.raises(TypeError) as info:
        numerical_grad(lambda: out, [x])
    assert str(info.value) == (
        "numerical_grad: f() returned a Value whose .data: expected an int or float, got 'junk' of type str"
    )


def test_a_parameter_whose_grad_or_label_user_code_broke_is_still_nudged():
    # numerical_grad reads and writes only .data: a .grad of None is no concern of its
    x = Value(3.0)
    x.grad = None
    assert numerical_grad(lambda: x * 2.0, [x], method="forward") == [pytest.approx(2.0)]
    assert x.grad is None


# ---------------------------------------------------------------- gradcheck


def wrong_product(x: Value, y: Value) -> Value:
    """3xy with the derivatives of xy: d/dx claims y, d/dy claims 2x."""
    return Value.from_op(3.0 * x.data * y.data, (x, y), (y.data, 2.0 * x.data), "wrong")


def test_the_mismatch_table_lists_index_label_analytic_numeric_and_difference():
    x, y = Value(0.5, label="x"), Value(-2.0)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda: wrong_product(x, y), [x, y])
    assert str(info.value) == (
        "gradcheck: 2 of 2 parameters disagree with finite differences (eps=1e-06, atol=1e-05, rtol=0.001):\n"
        "  index  label  analytic  numeric  difference\n"
        "      0  x            -2       -6           4\n"
        "      1  -             1      1.5         0.5"
    )


def test_gradcheck_uses_the_eps_it_is_given():
    x = Value(1.0)
    assert gradcheck(lambda: x**3, [x])
    # with eps = 0.5 the central difference of x^3 is 3.25, off by 0.25
    assert gradcheck(lambda: x**3, [x], eps=0.5, raise_exception=False) is False


def test_agreement_exactly_at_the_tolerance_passes():
    x = Value(0.0)
    # numeric: (1e-6 - -1e-6) / 2e-6 is exactly 1.0, as is the analytic slope: |a - n| = 0 <= 0 + 0 * 1
    assert gradcheck(lambda: x * 1.0, [x], atol=0.0, rtol=0.0)


# ------------------------------------------------------ trace and the rules


def test_trace_backward_names_the_type_it_got():
    with pytest.raises(TypeError, match=r"^trace_backward: expected a Value as root, got 'y' of type str$"):
        trace_backward("y")


def test_an_op_that_only_ends_in_digits_has_no_power_rule():
    assert rule_for("lg10") is None  # a user's base-10 log is not **c with c = 10
    assert rule_for("**2.5")[1] == {"c": 2.5}
    assert rule_for("**")[0].op == "**"


def test_the_tables_sigmoid_is_one_over_one_plus_e_to_the_minus_x_for_x_at_least_zero():
    for a in (0.0, 0.6, 0.9, 3.0):  # at 0.6 and 0.9, e^a / (1 + e^a) differs in the last bit
        assert evaluate(RULES["sigmoid"].value, a=a) == 1.0 / (1.0 + math.exp(-a))


def test_the_tables_text_is_evaluated_without_builtins():
    with pytest.raises(NameError, match="abs"):
        evaluate("abs(a)", a=-1.0)


def test_f_must_return_a_value_for_gradcheck_and_the_error_shows_what_it_returned():
    x = Value(1.0)
    with pytest.raises(TypeError) as info:
        gradcheck(lambda: 2.5, [x])
    assert str(info.value) == "gradcheck: f() must return a Value to backpropagate through, got 2.5"


def test_a_parameter_f_does_not_depend_on_has_gradient_zero():
    x, unused = Value(2.0), Value(5.0)
    assert gradcheck(lambda: x * x, [x, unused], atol=0.0, rtol=1e-9)
    # f reads unused.data outside the graph: numerically 0.5, by backprop exactly 0
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda: x * x + 0.5 * unused.data, [x, unused])
    ((mismatch,),) = [info.value.mismatches]
    assert (mismatch.index, mismatch.analytic, mismatch.numeric) == (1, 0.0, pytest.approx(0.5))


def test_gradcheck_with_no_parameters_says_what_to_pass():
    x = Value(1.0)
    with pytest.raises(ValueError) as info:
        gradcheck(lambda: x, [])
    assert str(info.value) == ("gradcheck: params is empty, so there is nothing to check; pass the Values f depends on")
