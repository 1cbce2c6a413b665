"""The engine's contract in the corners that mutation testing found unchecked.

Each test pins one behaviour that API.md fixes (values, parents, gradients,
the op and value that an error names) where the rest of the suite would let
a changed line through: reversed operators' errors, ``from_op`` with two or
with zero inputs, an interrupted ``backward()``, ``repr``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from autograd import Value, is_grad_enabled, no_grad, topological_order

GRAD = Value.__dict__["grad"]  # the slot that holds .grad, for a Value that trips when written


class Tripwire(Value):
    """A Value whose ``.grad`` raises KeyboardInterrupt once when armed: a Ctrl-C in the middle of a pass."""

    __slots__ = ("armed",)

    def __init__(self, data: float, label: str = "") -> None:
        self.armed = None  # None: never trips; "any": on every write; "nonzero": on writing a gradient
        super().__init__(data, label)

    @property
    def grad(self) -> float:  # type: ignore[override]
        return GRAD.__get__(self)

    @grad.setter
    def grad(self, value: float) -> None:
        if self.armed == "any" or (self.armed == "nonzero" and value != 0.0):
            self.armed = None  # once: putting the old gradient back must work
            raise KeyboardInterrupt
        GRAD.__set__(self, value)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_a_bad_operand_on_either_side_names_the_op_the_operand_and_the_value(op):
    v = Value(1.5, label="w")
    apply = {
        "+": (lambda a, b: a + b),
        "-": (lambda a, b: a - b),
        "*": (lambda a, b: a * b),
        "/": (lambda a, b: a / b),
        "**": (lambda a, b: a**b),
    }[op]
    expected = f"{op}: unsupported operand 'x' of type str with Value 1.5 (label 'w'); use a Value, an int or a float"
    if op != "**":  # v ** "x" is an exponent error, tested in test_value_errors.py
        with pytest.raises(TypeError) as right:
            apply(v, "x")
        assert str(right.value) == expected
    with pytest.raises(TypeError) as left:
        apply("x", v)
    assert str(left.value) == expected


def test_a_label_of_another_type_is_named():
    with pytest.raises(TypeError, match=r"^Value\(label\): expected a str, got 3 of type int$"):
        Value(1.0, label=3)


def test_a_negative_base_error_says_what_to_do():
    with pytest.raises(ValueError, match=r"; use an integer exponent or a positive base$"):
        Value(-2.0) ** 0.5


def test_a_power_whose_slope_overflows_names_the_op_and_the_operand():
    with pytest.raises(OverflowError) as info:
        Value(1e-200, label="tiny") ** -1  # 1e200 fits a float; its slope -1e400 does not
    assert str(info.value) == "**-1: 1e-200 (label 'tiny') ** -2.0 overflows a float"


def test_from_op_errors_name_the_op_and_say_what_to_do():
    x = Value(1.0)
    with pytest.raises(ValueError) as info:
        Value.from_op(1.0, (x, x), (1.0,), "f")
    assert str(info.value) == "Value.from_op('f'): 2 parents but 1 local gradients; give one local gradient per parent"
    with pytest.raises(TypeError, match=r"^Value\.from_op\('f'\) data: expected an int or float, got 'a' of type str$"):
        Value.from_op("a", (x,), (1.0,), "f")


# ----------------------------------------------------------------- from_op


def test_from_op_with_two_inputs_records_both_in_order():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = Value.from_op(7, (a, b), (0.5, -4), "mix")
    assert type(y.data) is float and y.data == 7.0
    assert y.op == "mix" and y.parents == (a, b) and y.local_grads == (0.5, -4.0)
    y.backward()
    assert (a.grad, b.grad, y.grad) == (0.5, -4.0, 1.0)


def test_from_op_stores_an_int_result_as_a_float():
    y = Value.from_op(3, (Value(1.0),), (1.0,), "three")
    assert type(y.data) is float and y.data == 3.0


def test_from_op_with_three_inputs_given_as_lists_keeps_a_tuple():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    y = Value.from_op(6.0, [a, b, c], [6.0, 3.0, 2.0], "prod3")
    assert type(y.parents) is tuple and y.parents == (a, b, c)
    assert y.local_grads == (6.0, 3.0, 2.0)


def test_from_op_with_no_inputs_is_a_leaf_that_keeps_its_op():
    y = Value.from_op(2.5, (), (), "const")
    assert (y.data, y.op, y.parents, y.local_grads) == (2.5, "const", (), ())


def test_from_op_under_no_grad_records_no_inputs_whatever_their_number():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    with no_grad():
        assert Value.from_op(6.0, (a, b, c), (6.0, 3.0, 2.0), "prod3").parents == ()
        assert Value.from_op(3.0, (a, b), (1.0, 1.0), "sum2").parents == ()


def test_a_binary_result_made_under_no_grad_is_an_ordinary_leaf_later():
    a, b = Value(2.0), Value(5.0)
    with no_grad():
        frozen = a * b
    y = frozen * a
    order = topological_order(y)
    assert len(order) == 3 and order[-1] is y and {id(v) for v in order[:2]} == {id(frozen), id(a)}
    y.backward()
    assert (frozen.grad, a.grad, b.grad) == (2.0, 10.0, 0.0)


def test_is_grad_enabled_is_a_bool():
    assert is_grad_enabled() is True
    with no_grad():
        assert is_grad_enabled() is False


# ------------------------------------------------------------------- powers


def test_a_power_by_another_real_number_is_named_by_its_float():
    y = Value(4.0) ** Fraction(1, 2)
    assert (y.data, y.op) == (2.0, "**0.5")
    assert (Value(4.0) ** 2).op == "**2"


def test_sigmoid_of_a_non_negative_input_is_exactly_one_over_one_plus_e_to_the_minus_x():
    for x in (0.0, 0.6, 0.9, 3.0):  # 0.6 and 0.9: e^x / (1 + e^x) differs in the last bit
        assert Value(x).sigmoid().data == 1.0 / (1.0 + math.exp(-x))


# -------------------------------------------------------------------- repr


def test_repr_shows_label_and_op_only_when_set():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="w")) == "Value(data=2.0, grad=0.0, label='w')"
    y = Value(2.0) * 3
    y.label = "y"
    assert repr(y) == "Value(data=6.0, grad=0.0, label='y', op='*')"
    assert repr(Value(1.0) + 1) == "Value(data=2.0, grad=0.0, op='+')"


# ------------------------------------------------------- interrupted passes


def graph() -> tuple[Value, list[Value], Tripwire]:
    """y = a*b + c*t with every .grad set to a distinct number first; t trips when armed."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    t = Tripwire(4.0, label="t")
    ab, ct = a * b, c * t
    y = ab + ct
    nodes = [a, b, c, t, ab, ct, y]
    for i, node in enumerate(nodes):
        node.grad = 10.0 * (i + 1)
    return y, nodes, t


def assert_no_node_half_done(y: Value, nodes: list[Value], before: list[float], full: list[float]) -> None:
    """After an interrupted pass each .grad is as it was or has its whole gradient, never a part of it;
    and nothing is left marked: the next pass adds exactly the gradients."""
    after = [n.grad for n in nodes]
    for node, old, new, d in zip(nodes, before, after, full, strict=True):
        assert new in (old, old + d), f"{node.label or node.op}: {old} -> {new}, gradient {d}"
    assert after != [old + d for old, d in zip(before, full, strict=True)], "the pass was not interrupted"
    y.backward()
    assert [n.grad - g for n, g in zip(nodes, after, strict=True)] == full


@pytest.mark.parametrize("when", ["any", "nonzero"])  # while finding the nodes; while sending gradients back
def test_an_interrupted_backward_leaves_no_node_half_done(when):
    y, nodes, t = graph()
    before = [n.grad for n in nodes]
    t.armed = when
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert t.armed is None  # it did trip
    a, b, c, t, _ab, _ct, _ = nodes
    assert_no_node_half_done(y, nodes, before, [b.data, a.data, t.data, c.data, 1.0, 1.0, 1.0])


def test_an_interrupt_between_two_leaves_leaves_each_as_before_or_complete():
    a = Value(2.0, label="a")
    t = Tripwire(3.0, label="t")
    at = a * t
    y = at * a  # a gets its first share (at.data) before t is reached
    nodes = [a, t, at, y]
    a.grad, t.grad = 5.0, 7.0
    t.armed = "nonzero"
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert a.grad in (5.0, 5.0 + 2 * 2.0 * 3.0) and t.grad == 7.0  # a: as before or complete, never a share
    assert_no_node_half_done(y, nodes, [5.0, 7.0, 0.0, 0.0], [2 * 2.0 * 3.0, 2.0 * 2.0, 2.0, 1.0])


# ---------------------------------------------------------- how errors show what they got


class UnprintableData:
    """An operand whose repr refuses, as Python's does for an int of more than 4300 digits."""

    def __repr__(self) -> str:
        raise ValueError("no repr")


def test_an_operand_whose_repr_fails_is_shown_by_its_type_and_address():
    junk = UnprintableData()
    with pytest.raises(TypeError) as info:
        Value(junk)
    assert (
        str(info.value) == f"Value(data): expected an int or float, got {object.__repr__(junk)} of type UnprintableData"
    )


def test_a_repr_of_sixty_characters_is_shown_whole_and_a_longer_one_by_its_ends():
    sixty = "'" + "a" * 58 + "'"
    with pytest.raises(TypeError) as info:
        Value("a" * 58)
    assert str(info.value) == f"Value(data): expected an int or float, got {sixty} of type str"
    with pytest.raises(TypeError) as info:
        Value("a" * 59)  # 61 characters: shortened
    assert str(info.value) == (
        f"Value(data): expected an int or float, got '{'a' * 24}...{'a' * 24}' (61 characters) of type str"
    )
    with pytest.raises(TypeError) as info:
        Value("0123456789" * 7)  # repr: 72 characters with the quotes
    assert str(info.value) == (
        "Value(data): expected an int or float, got '012345678901234567890123...678901234567890123456789' "
        "(72 characters) of type str"
    )


def test_a_long_int_is_shown_by_its_ends_and_its_number_of_digits():
    with pytest.raises(OverflowError) as info:
        Value(10**400 + 12345)
    assert str(info.value) == (
        "Value(data): 1000000000000000000000000...0000000000000000000012345 (401 digits) is too large for a float "
        "(the largest is about 1.8e308); use a smaller number, or rescale"
    )


def test_from_op_with_local_grads_not_a_sequence_shows_a_tuple_of_one_gradient():
    x = Value(2.0)
    with pytest.raises(TypeError) as info:
        Value.from_op(4.0, (x,), 4.0, "square")
    assert str(info.value) == (
        "Value.from_op('square'): local_grads must be a sequence of numbers, one per input, got 4.0 of type float; "
        "for a single input write a tuple of one: (g,)"
    )
