"""Bad input fails at the op that meets it, with a typed error naming the op, value and label."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from autograd import Value


@pytest.mark.parametrize(
    "make, error, pattern",
    [
        (lambda: Value(-1.0, label="x").log(), ValueError, r"log: needs a value > 0, got -1\.0 \(label 'x'\)"),
        (lambda: Value(0.0).log(), ValueError, r"log: needs a value > 0, got 0\.0$"),
        (
            lambda: Value(1.0) / Value(0.0, label="d"),
            ZeroDivisionError,
            r"/: division by zero: 1\.0 / 0\.0 \(label 'd'\)",
        ),
        (lambda: Value(1.0, label="n") / 0, ZeroDivisionError, r"division by zero: 1\.0 \(label 'n'\) / 0\.0"),
        (lambda: 3 / Value(0.0, label="z"), ZeroDivisionError, r"3\.0 / 0\.0 \(label 'z'\)"),
        (
            lambda: Value(-8.0, label="b") ** 0.5,
            ValueError,
            r"\*\*0\.5: a negative base -8\.0 \(label 'b'\) has no real power 0\.5",
        ),
        (
            lambda: Value(-8.0) ** Value(1.5, label="e"),
            ValueError,
            r"\*\*: a negative base -8\.0 has no real power 1\.5 \(label 'e'\)",
        ),
        (lambda: (-2) ** Value(0.5), ValueError, r"negative base -2\.0"),
        (
            lambda: Value(0.0, label="z") ** -1,
            ZeroDivisionError,
            r"\*\*-1: zero base 0\.0 \(label 'z'\) with negative exponent -1\.0",
        ),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"zero base 0\.0 with negative exponent -2\.0"),
        (lambda: Value(1000.0, label="big").exp(), OverflowError, r"exp: exp\(1000\.0 \(label 'big'\)\) overflows"),
        (lambda: Value(10.0) ** 400, OverflowError, r"\*\*400: 10\.0 \*\* 400\.0 overflows"),
        (lambda: Value("abc"), TypeError, r"Value\(data\): expected an int or float, got 'abc' of type str"),
        (lambda: Value(None), TypeError, r"got None of type NoneType"),
        (lambda: Value(1 + 2j), TypeError, r"of type complex"),
        (lambda: Value(True), TypeError, r"of type bool"),
        (lambda: Value(1.0, label=3), TypeError, r"Value\(label\): expected a str"),
        (
            lambda: Value(1.0, label="w") + "a",
            TypeError,
            r"\+: unsupported operand 'a' of type str with Value 1\.0 \(label 'w'\)",
        ),
        (lambda: "a" * Value(2.0), TypeError, r"\*: unsupported operand 'a' of type str"),
        (lambda: Value(2.0) ** "x", TypeError, r"\*\* \(exponent of 2\.0\): expected an int or float, got 'x'"),
        (lambda: [1] - Value(2.0), TypeError, r"-: unsupported operand \[1\] of type list"),
        (lambda: Value(2.0) / None, TypeError, r"/: unsupported operand None"),
    ],
)
def test_bad_input_names_op_value_and_label(make, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        make()
    assert "math domain error" not in str(info.value)
    assert "math range error" not in str(info.value)


def test_other_real_numbers_are_accepted():
    assert Value(Fraction(1, 4)).data == 0.25
    assert (Value(1.0) + Fraction(1, 2)).data == 1.5


def test_from_op_checks_its_arguments():
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"from_op\('twice'\): 1 parents but 2 local gradients"):
        Value.from_op(2.0, (x,), (2.0, 1.0), "twice")
    with pytest.raises(TypeError, match=r"from_op\('bad'\): parents\[0\] is 3\.0, not a Value"):
        Value.from_op(2.0, [3.0], [1.0], "bad")
    y = Value.from_op(2, [x], [2], "twice")  # lists and ints are converted
    assert (y.data, y.parents, y.local_grads) == (2.0, (x,), (2.0,))


def test_errors_leave_nothing_behind():
    # A failed op builds no node and changes no gradient.
    x = Value(-1.0)
    with pytest.raises(ValueError):
        x.log()
    assert x.grad == 0.0 and math.isfinite(x.data)


def test_errors_are_raised_without_assert():
    # User errors must survive `python -O`: the engine raises them explicitly.
    import inspect

    import autograd.value as value_module

    source = inspect.getsource(value_module)
    assert not re.search(r"^\s*assert\b", source, re.MULTILINE)


def test_from_op_checks_tuples_too():
    with pytest.raises(TypeError, match=r"from_op\('bad'\): parents\[1\] is 'x', not a Value"):
        Value.from_op(1.0, (Value(1.0), "x"), (1.0, 1.0), "bad")
    with pytest.raises(TypeError, match=r"local_grads: expected an int or float, got 'g'"):
        Value.from_op(1.0, (Value(1.0),), ("g",), "bad")


def test_from_op_with_three_inputs():
    from autograd import gradcheck

    def fma(a: Value, b: Value, c: Value) -> Value:
        # fma = a*b + c;  d fma = b, a, 1
        return Value.from_op(a.data * b.data + c.data, (a, b, c), (b.data, a.data, 1.0), "fma")

    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    y = fma(a, b, a)  # a used twice: d/da = b + 1
    assert y.parents == (a, b, a) and y.local_grads == (-3.0, 2.0, 1.0)
    y.backward()
    assert (a.grad, b.grad) == (-2.0, 2.0)
    assert gradcheck(lambda: fma(a, b, c).tanh() * fma(c, c, b), [a, b, c])


# ------------------------------------------- numbers a float cannot hold
@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: Value(10**400), r"^Value\(data\): 1000000000000000000000000\.\.\.0+ \(401 digits\) is too large"),
        (lambda: Value(-(10**5000)), r"^Value\(data\): an int of about 5000 digits is too large for a float"),
        (lambda: Value(2.0, label="v") ** (10**400), r"^\*\* \(exponent of 2\.0 \(label 'v'\)\): 1000.*\(401 digits\)"),
        (lambda: Value(2.0, label="v") * 10**400, r"^\*: the number operand with Value 2\.0 \(label 'v'\): 1000"),
        (lambda: 10**400 - Value(1.0), r"^-: the number operand with Value 1\.0: 1000.* is too large"),
        (lambda: Value.from_op(10**400, (Value(1.0),), (1.0,), "big"), r"^Value\.from_op\('big'\) data: 1000"),
    ],
)
def test_an_int_too_large_for_a_float_is_named(make, pattern):
    with pytest.raises(OverflowError, match=pattern) as info:
        make()
    assert "int too large to convert to float" not in str(info.value)
    assert "the largest is about 1.8e308" in str(info.value)


# ------------------------------------------- from_op's arguments
def test_from_op_refuses_an_op_name_that_is_not_a_str():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"^Value\.from_op\(op\): the op's display name must be a str, got 5 of type"):
        Value.from_op(2.0, (x,), (1.0,), 5)
    with pytest.raises(TypeError, match=r"got None of type NoneType"):
        Value.from_op(2.0, (x,), (1.0,), None)


def test_from_op_names_a_single_value_given_as_parents():
    x = Value(1.0, label="x")
    with pytest.raises(TypeError) as info:
        Value.from_op(2.0, x, (1.0,), "twice")
    assert str(info.value) == (
        "Value.from_op('twice'): parents must be a sequence of Values, one per input, got the single Value "
        "1.0 (label 'x'); for a single input write a tuple of one: (x,)"
    )
    with pytest.raises(TypeError, match=r"local_grads must be a sequence of numbers, one per input, got 2\.0 of type"):
        Value.from_op(2.0, (x,), 2.0, "twice")
    with pytest.raises(TypeError, match=r"parents must be a sequence of Values, one per input, got 7 of type int"):
        Value.from_op(2.0, 7, (1.0,), "twice")


# ------------------------------------------- fields set to the wrong type later
def test_a_grad_set_to_none_is_named_by_backward():
    # A PyTorch habit (p.grad = None) meets backward's +=.
    w = Value(2.0, label="w")
    y = w * w
    w.grad = None
    with pytest.raises(TypeError) as info:
        y.backward()
    assert str(info.value) == (
        "backward: Value 2.0 (label 'w') has .grad None of type NoneType, not a float; "
        "set it to a number such as 0.0 (zero_grad() zeroes a whole graph)"
    )
    assert info.value.__cause__ is None and info.value.__suppress_context__
    w.grad = 0.0
    y.grad = 0.0
    y.backward()
    assert (w.grad, y.grad) == (4.0, 1.0)


def test_a_grad_of_the_wrong_type_is_named_by_trace_backward_before_anything_changes():
    from autograd import trace_backward

    w, b = Value(2.0, label="w"), Value(1.0, label="b")
    y = w * w + b
    b.grad = "zero"
    with pytest.raises(TypeError, match=r"^trace_backward: Value 1\.0 \(label 'b'\) has \.grad 'zero' of type str"):
        trace_backward(y)
    assert (w.grad, y.grad) == (0.0, 0.0)  # nothing was written


@pytest.mark.parametrize(
    "field, bad, pattern",
    [
        ("data", "x", r"has \.data 'x' of type str, not a float; assign a number: v\.data = 1\.5"),
        ("data", None, r"has \.data None of type NoneType, not a float"),
        ("label", 5, r"has \.label 5 of type int, not a str; assign a string"),
        ("grad", [1.0], r"has \.grad \[1\.0\] of type list, not a float"),
    ],
)
def test_a_field_of_the_wrong_type_is_named_by_drawing(field, bad, pattern):
    from autograd import draw_graph

    a = Value(2.0, label="a")
    y = a * a
    setattr(a, field, bad)
    with pytest.raises(TypeError, match=r"^draw_graph: Value .* \(label .*\) " + pattern):
        draw_graph(y)


def test_topological_order_of_something_else_is_a_type_error():
    from autograd import topological_order

    with pytest.raises(TypeError) as error:
        topological_order(5)
    assert str(error.value) == (
        "topological_order: expected a Value as root, got 5 of type int; "
        "pass the Value whose graph you want, such as the loss"
    )
    with pytest.raises(TypeError, match=r"got \[.*\] of type list"):
        topological_order([Value(1.0)])


# ------------------------------------------- inf and nan
nan, inf = math.nan, math.inf


@pytest.mark.parametrize(
    "make, local",
    [
        (lambda x: x.relu(), nan),
        (lambda x: x.log(), nan),
        (lambda x: x.exp(), nan),
        (lambda x: x.tanh(), nan),
        (lambda x: x.sigmoid(), nan),
        (lambda x: -x, -1.0),
        (lambda x: x + 1.0, 1.0),
        (lambda x: x * 2.0, 2.0),  # d(x * c)/dx = c does not depend on x
        (lambda x: x / 2.0, 0.5),
        (lambda x: x**2, nan),
        (lambda x: x**0.5, nan),
        (lambda x: 2.0**x, nan),
        (lambda x: Value(-8.0) ** x, nan),
    ],
)
def test_nan_passes_through_every_op(make, local):
    x = Value(nan)
    y = make(x)
    assert math.isnan(y.data)
    got = y.local_grads[y.parents.index(x)]
    assert got == local or (math.isnan(local) and math.isnan(got))


def test_relu_of_nan_is_nan_with_a_nan_derivative():
    x = Value(nan)
    y = x.relu()
    y.backward()
    assert math.isnan(y.data) and math.isnan(x.grad)
    assert Value(-0.0).relu().data == 0.0 and Value(-inf).relu().data == 0.0 and Value(inf).relu().data == inf


@pytest.mark.parametrize(
    "make, data, local",
    [
        (lambda: Value(-inf).exp(), 0.0, 0.0),
        (lambda: Value(inf).exp(), inf, inf),
        (lambda: Value(inf).tanh(), 1.0, 0.0),
        (lambda: Value(-inf).tanh(), -1.0, 0.0),
        (lambda: Value(inf).sigmoid(), 1.0, 0.0),
        (lambda: Value(-inf).sigmoid(), 0.0, 0.0),
        (lambda: Value(inf).log(), inf, 0.0),
        (lambda: Value(inf) ** 0.5, inf, 0.0),
        (lambda: Value(-8.0) ** inf, inf, inf),
    ],
)
def test_inf_follows_ieee_arithmetic(make, data, local):
    y = make()
    assert y.data == data
    assert y.local_grads[0] == local or (math.isnan(local) and math.isnan(y.local_grads[0]))


def test_inputs_outside_a_domain_still_raise():
    with pytest.raises(ValueError, match=r"log: needs a value > 0, got -inf"):
        Value(-inf).log()
    with pytest.raises(ValueError, match=r"negative base -8\.0 has no real power 0\.5"):
        Value(-8.0) ** 0.5
    with pytest.raises(ZeroDivisionError):
        Value(nan) / 0.0
