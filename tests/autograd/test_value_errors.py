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
        (lambda: Value(1.0) / Value(0.0, label="d"), ZeroDivisionError, r"/: division by zero: 1\.0 / 0\.0 \(label 'd'\)"),
        (lambda: Value(1.0, label="n") / 0, ZeroDivisionError, r"division by zero: 1\.0 \(label 'n'\) / 0\.0"),
        (lambda: 3 / Value(0.0, label="z"), ZeroDivisionError, r"3\.0 / 0\.0 \(label 'z'\)"),
        (lambda: Value(-8.0, label="b") ** 0.5, ValueError, r"\*\*0\.5: a negative base -8\.0 \(label 'b'\) has no real power 0\.5"),
        (lambda: Value(-8.0) ** Value(1.5, label="e"), ValueError, r"\*\*: a negative base -8\.0 has no real power 1\.5 \(label 'e'\)"),
        (lambda: (-2) ** Value(0.5), ValueError, r"negative base -2\.0"),
        (lambda: Value(0.0, label="z") ** -1, ZeroDivisionError, r"\*\*-1: zero base 0\.0 \(label 'z'\) with negative exponent -1\.0"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"zero base 0\.0 with negative exponent -2\.0"),
        (lambda: Value(1000.0, label="big").exp(), OverflowError, r"exp: exp\(1000\.0 \(label 'big'\)\) overflows"),
        (lambda: Value(10.0) ** 400, OverflowError, r"\*\*400: 10\.0 \*\* 400\.0 overflows"),
        (lambda: Value("abc"), TypeError, r"Value\(data\): expected an int or float, got 'abc' of type str"),
        (lambda: Value(None), TypeError, r"got None of type NoneType"),
        (lambda: Value(1 + 2j), TypeError, r"of type complex"),
        (lambda: Value(True), TypeError, r"of type bool"),
        (lambda: Value(1.0, label=3), TypeError, r"Value\(label\): expected a str"),
        (lambda: Value(1.0, label="w") + "a", TypeError, r"\+: unsupported operand 'a' of type str with Value 1\.0 \(label 'w'\)"),
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
