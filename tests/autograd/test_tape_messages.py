"""What a tape says about itself: its repr, and every error message in full (who, which node, what to do)."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest

from autograd import Value, record
from autograd.rules import numpy_namespace
from autograd.tape import TapeError, TapeMismatchError

MISMATCH_TAIL = (
    ". A tape replays only the path it recorded (a Python `if` on .data, a constant computed from "
    "the data, a changed parameter list); record again at these inputs, or use the plain path"
)


def raises_exactly(error: type[Exception], message: str):
    """``pytest.raises`` for this whole message, word for word."""
    return pytest.raises(error, match="^" + re.escape(message) + "$")


def mismatch(difference: str):
    return raises_exactly(
        TapeMismatchError,
        f"Tape.check: fn builds another graph at these inputs than the one recorded ({difference})" + MISMATCH_TAIL,
    )


# ------------------------------------------------------------------ repr
def test_repr_counts_each_part_in_the_singular_or_plural():
    w = Value(1.0)
    assert repr(record(lambda x: x * w, [1.0], [w])) == "Tape(1 input, 1 parameter, 1 op, 1 output)"
    tape = record(lambda x, y: [x * y, x + y], [1.0, 2.0])
    assert repr(tape) == "Tape(2 inputs, 0 parameters, 2 ops, 2 outputs)"
    assert repr(tape.batched()) == "BatchedTape(Tape(2 inputs, 0 parameters, 2 ops, 2 outputs))"
    a, b = Value(1.0), Value(2.0)
    assert repr(record(lambda: a * b + a, [], [a, b])) == "Tape(0 inputs, 2 parameters, 2 ops, 1 output)"


# ------------------------------------------------------------------ check
def test_check_names_the_first_node_that_differs_with_its_kind_and_label():
    model = {"w": Value(2.0)}  # no label: none is shown
    tape = record(lambda x: model["w"] * x, [1.0], [model["w"]])
    model["w"] = Value(5.0, label="k")
    with mismatch("recorded node 0, parameter 0; now node 0, constant 5.0 (label 'k')"):
        tape.check([1.0])
    model["w"] = Value(5.0)
    with mismatch("recorded node 0, parameter 0; now node 0, constant 5.0"):
        tape.check([1.0])


def test_check_names_a_different_input_and_a_different_op():
    tape = record(lambda x, y: x * y if x.data > 0 else y * x, [1.0, 2.0])
    tape.check([3.0, 4.0])
    with mismatch("recorded node 0, input 0; now node 0, input 1"):
        tape.check([-1.0, 2.0])  # leaves are numbered as the graph reaches them: the op's first operand first
    tape = record(lambda x: x * x if x.data > 0 else x + x, [1.0])
    with mismatch("recorded node 1, op '*' of nodes 0, 0; now node 1, op '+' of nodes 0, 0"):
        tape.check([-1.0])


def test_check_finds_more_nodes_reordered_outputs_and_a_list_for_a_value():
    grows = record(lambda x: x * 2.0 if x.data > 0 else (x * 2.0).tanh(), [1.0])
    with mismatch("the graph had 3 nodes when recorded and has 4 now"):
        grows.check([-1.0])

    def swapped(x):
        a, b = x * x, x + x
        return [a, b] if x.data > 0 else [b, a]

    with mismatch("the outputs were nodes [1, 2] when recorded and are nodes [2, 1] now"):
        record(swapped, [1.0]).check([-1.0])

    def wrapped(x):
        a = x * 2.0
        return a if x.data > 0 else [a]

    tape = record(wrapped, [1.0])
    tape.check([2.0])
    with mismatch("the outputs were nodes [2] when recorded and are nodes [2] now"):
        tape.check([-1.0])


def test_check_says_who_when_the_inputs_or_the_result_are_wrong():
    tape = record(lambda x: x * 2.0 if x.data > 0 else 3.0, [1.0])
    with raises_exactly(TapeError, "Tape.check: expected 1 inputs, got 2"):
        tape.check([1.0, 2.0])
    with raises_exactly(TypeError, "Tape.check: inputs must be a list of numbers, got 'ab'"):
        tape.check("ab")
    with raises_exactly(TapeError, "Tape.check: inputs[0] is nan; a tape replays finite numbers only"):
        tape.check([math.nan])
    with raises_exactly(TapeError, "Tape.check: fn must return a Value or a non-empty list of Values, got 3.0"):
        tape.check([-1.0])


# ------------------------------------------------------------------ a failed replay
def test_a_failed_replay_names_the_node_and_the_operand_with_its_label():
    w = Value(2.0, label="w")
    tape = record(lambda x: w.log() * x, [1.0], [w])
    w.data = -1.0
    for who in ("Tape.forward", "Tape.gradient"):
        with raises_exactly(ValueError, f"{who}: at node 2 of the tape: log: needs a value > 0, got -1.0 (label 'w')"):
            getattr(tape, who.split(".")[1])([1.0])
    v = Value(2.0)
    tape = record(lambda x: v.log() * x, [1.0], [v])
    v.data = -1.0
    with raises_exactly(ValueError, "Tape.forward: at node 2 of the tape: log: needs a value > 0, got -1.0"):
        tape.forward([1.0])
    message = "Tape.forward: at node 1 of the tape: log: needs a value > 0, got -1.0 (label 'x0')"
    with raises_exactly(ValueError, message):
        record(lambda x: x.log(), [1.0]).forward([-1.0])


def test_a_failed_replay_names_a_constant_with_its_label():
    c = Value(-2.0, label="c")
    with raises_exactly(
        ValueError,
        "Tape.forward: at node 2 of the tape: **: a negative base -2.0 (label 'c') has no real power 0.5 "
        "(label 'x0'); use an integer exponent or a positive base",
    ):
        record(lambda x: c**x, [1.0]).forward([0.5])


def test_a_replay_that_fails_where_values_do_not_says_so():
    # (-0.5) ** inf: the replay's guard refuses a negative base with a power that is not an integer,
    # while Values give 0.0 (an infinite power counts as neither)
    tape = record(lambda x, y: x ** (y * 1e300 * 1e300), [0.5, 0.0])
    for who in ("Tape.forward", "Tape.gradient"):
        with raises_exactly(
            TapeError, f"{who}: the replay failed with _DomainError() where the same ops on Values do not"
        ) as caught:
            getattr(tape, who.split(".")[1])([-0.5, 1.0])
        assert type(caught.value.__cause__).__name__ == "_DomainError"
    with raises_exactly(TapeError, "record: the replay failed with _DomainError() where the same ops on Values do not"):
        record(lambda x, y: x ** (y * 1e300 * 1e300), [-0.5, 1.0])  # at the recording point itself


# ------------------------------------------------------------------ a primitive under a built-in name
ODD = (
    "record: node {i} (op {op!r}) does not compute what autograd/rules.py says {rule!r} computes; "
    "give a Value.from_op primitive an op name of its own (it then cannot be recorded)"
)


def primitive(op, value, grads):
    """An op made with Value.from_op: ``value`` and ``grads`` of the parents' numbers."""
    return lambda *vs: Value.from_op(value(*(v.data for v in vs)), vs, grads(*(v.data for v in vs)), op)


def test_a_primitive_whose_value_alone_is_wrong_is_caught():
    shifted = primitive("*", lambda a, b: a * b + 1.0, lambda a, b: (b, a))  # the right slopes, a wrong value
    with raises_exactly(TapeError, ODD.format(i=2, op="*", rule="*")):
        record(lambda x, y: shifted(x, y), [0.5, 2.0])


def test_a_primitive_whose_slope_alone_is_wrong_is_caught_when_a_parameter_needs_it():
    w = Value(0.5)
    bad_b = primitive("*", lambda a, b: a * b, lambda a, b: (b, a + 1.0))  # d/db wrong
    with raises_exactly(TapeError, ODD.format(i=2, op="*", rule="*")):
        record(lambda x: bad_b(x, w), [2.0], [w])
    square = primitive("**2", lambda a: a * a, lambda a: (3.0 * a,))  # the rule **c with c = 2 says 2a
    with raises_exactly(TapeError, ODD.format(i=2, op="**2", rule="**c")):
        record(lambda x: square(w) * x, [2.0], [w])
    right = primitive("**2", lambda a: a * a, lambda a: (2.0 * a,))  # agrees with the rule: recorded as **c
    tape = record(lambda x: right(w) * x, [2.0], [w])
    assert tape.gradient([3.0]) == (0.75, [0.25], [3.0])
    bad_tanh = primitive("tanh", math.tanh, lambda a: (5.0,))
    with raises_exactly(TapeError, ODD.format(i=2, op="tanh", rule="tanh")):
        record(lambda x: bad_tanh(w) * x, [2.0], [w])


def test_when_no_node_is_odd_the_message_says_the_tape_is_at_fault():
    from autograd.tape import _odd_node, _trace

    tape = record(lambda x: (x * 2.0).tanh(), [1.0])
    _, nodes = _trace(tape._fn, [1.0], (), "test")
    assert _odd_node(nodes, tape._plan) == (
        "the replay disagrees with the plain path at the recording point; this is a bug in autograd/tape.py"
    )


# ------------------------------------------------------------------ outputs that share nodes
def test_an_output_listed_twice_or_read_by_another_output_is_one_node():
    def twice(x):
        y = x * 2.0
        return [y, y]

    tape = record(twice, [1.0])
    assert (tape.size, tape._graph.outputs) == (1, [2, 2])
    assert tape.gradient([3.0], [1.0, 10.0]) == ([6.0, 6.0], [22.0], [])

    def chained(x):
        y = x * 2.0
        return [y, y * 3.0]

    tape = record(chained, [1.0])
    assert (tape.size, tape._graph.outputs) == (2, [3, 4])
    assert tape.gradient([3.0], [1.0, 10.0]) == ([6.0, 18.0], [62.0], [])


# ------------------------------------------------------------------ the batch, redone row by row
def test_a_batch_redone_row_by_row_sums_the_weighted_parameter_gradients():
    w = Value(2.0)
    fn = lambda x: x * 1e300 * x + w * x  # noqa: E731  (inf, with no error, for x = 1e10: the batch overflows)
    rows, weights = [[1.0], [3.0], [1e10]], [1.0, 2.0, 0.5]
    for input_grads in (True, False):
        tape = record(fn, [1.0], [w], input_grads=input_grads)
        out = tape.batched().gradient(rows, weights)
        each = [tape.gradient(row, [s]) for row, s in zip(rows, weights, strict=True)]
        assert out.value.tolist() == [e.value for e in each] == [1e300, 3.0 * 1e300 * 3.0, math.inf]
        forward = tape.batched().forward(rows)
        assert forward.tolist() == out.value.tolist() and forward.dtype == float
        assert out.params.tolist() == [1.0 + 6.0 + 5e9]
        assert out.params.dtype == float and out.value.dtype == float
        if input_grads:
            assert out.inputs.tolist() == [e.inputs for e in each]
            assert out.inputs[0, 0] == 2e300 + 2.0
        else:
            assert out.inputs is None


def test_batched_backward_weights_the_rows_by_output_grads():
    w = Value(2.0)
    batch = record(lambda x: w * x, [1.0], [w]).batched()
    w.grad = 1.0
    assert batch.backward([[1.0], [2.0], [3.0]], [0.5, 0.25, 2.0]).tolist() == [2.0, 4.0, 6.0]
    assert w.grad == 1.0 + 0.5 + 0.5 + 6.0


# ------------------------------------------------------------------ recording and replaying: bad arguments
def test_record_refuses_each_bad_argument_in_full():
    w = Value(2.0, label="w")
    with raises_exactly(TypeError, "record: fn must be a function of Values, got 3"):
        record(3, [1.0])  # type: ignore[arg-type]  # wrong on purpose
    with raises_exactly(TypeError, "record: params must be a list of Values (e.g. model.parameters()), got 3"):
        record(lambda x: x, [1.0], 3)  # type: ignore[arg-type]  # wrong on purpose
    with raises_exactly(TypeError, "record: params[1] is 1.0 of type float, not a Value"):
        record(lambda x: x, [1.0], [w, 1.0])  # type: ignore[list-item]  # wrong on purpose
    with raises_exactly(
        TapeError,
        "record: params[0] Value(data=2.0, grad=0.0, op='*') is the result of op '*'; parameters must be leaves",
    ):
        record(lambda x: x, [1.0], [Value(1.0) * 2.0])
    with raises_exactly(TapeError, "record: params[2] is the same Value as params[0]; list each once"):
        record(lambda x: x, [1.0], [w, Value(1.0), w])
    for every in (-1, True, 1.5, "1"):
        with raises_exactly(ValueError, f"record: check_every must be an int >= 0 (0: never), got {every!r}"):
            record(lambda x: x, [1.0], check_every=every)  # type: ignore[arg-type]  # wrong on purpose
    with raises_exactly(TapeError, "record: inputs[1] is nan; a tape replays finite numbers only"):
        record(lambda x, y: x, [1.0, math.nan])
    for inputs in ("ab", b"ab", 3, [1.0, None]):
        with raises_exactly(TypeError, f"record: inputs must be a list of numbers, got {inputs!r}"):
            record(lambda x: x, inputs)  # type: ignore[arg-type]  # wrong on purpose
    assert repr(record(lambda x: x * w, [1.0], w)) == "Tape(1 input, 1 parameter, 1 op, 1 output)"  # one Value


def test_the_function_runs_on_inputs_labelled_by_position():
    seen = []
    record(lambda x, y: seen.append((x.label, y.label)) or x * y, [1.0, 2.0])
    assert seen == [("x0", "x1")]
    with raises_exactly(ValueError, "log: needs a value > 0, got -1.0 (label 'x0')"):  # the engine's own error
        record(lambda x: x.log(), [-1.0])


def test_an_op_without_a_rule_is_named_in_full():
    def softplus(v: Value) -> Value:
        out = Value.from_op(math.log1p(math.exp(v.data)), (v,), (1 / (1 + math.exp(-v.data)),), "softplus")
        out.label = "s"
        return out

    cannot = (
        "has no rule in autograd/rules.py (a Value.from_op primitive), so it cannot be replayed; "
        "write it with built-in ops (+, *, exp, log, ...) or use the plain path"
    )
    value = math.log1p(math.exp(0.5))
    message = f"record: node 2 is op 'softplus' (label 's') with value {value!r}, and 'softplus' {cannot}"
    with raises_exactly(TapeError, message):
        record(lambda x: softplus(x) * 2.0, [0.5])
    # a built-in name with the wrong number of operands has no rule either
    with raises_exactly(TapeError, f"record: node 2 is op '+' with value 0.5, and '+' {cannot}"):
        record(lambda x: Value.from_op(x.data, (x,), (1.0,), "+") * 2.0, [0.5])


def test_replays_refuse_bad_numbers_in_full_and_accept_sums_that_overflow():
    tape = record(lambda x, y: [x * y, x + y], [1.0, 2.0])
    with raises_exactly(TapeError, "Tape.gradient: expected 2 output_grads, got 1"):
        tape.gradient([1.0, 2.0], [1.0])
    with raises_exactly(TapeError, "Tape.gradient: output_grads[1] is nan; a tape replays finite numbers only"):
        tape.gradient([1.0, 2.0], [1.0, math.nan])
    with raises_exactly(TapeError, "Tape.gradient: the tape has 2 outputs; give output_grads, one number per output"):
        tape.gradient([1.0, 2.0])
    with raises_exactly(TypeError, "Tape.gradient: output_grads must be a list of numbers, got 'ab'"):
        tape.gradient([1.0, 2.0], "ab")
    with raises_exactly(TapeError, "Tape.forward: expected 2 inputs, got 3"):
        tape.forward([1.0, 2.0, 3.0])
    with raises_exactly(TapeError, "Tape.gradient: expected 2 inputs, got 1"):
        tape.backward([1.0], [1.0, 1.0])  # backward is gradient, then the parameters' .grad
    assert tape.gradient([1e308, 1e308], [1.0, 0.0]).value == [math.inf, math.inf]  # the inputs' sum overflows
    a, b = Value(1e308), Value(1e308)
    tape = record(lambda x: a * 0.5 + b * 0.5 + x, [1.0], [a, b])
    assert tape.forward([1.0]) == 1e308  # so does the parameters'
    a.data = math.nan
    with raises_exactly(
        TapeError,
        "Tape.forward: parameter 0 is nan; a tape replays finite numbers only "
        "(if training diverged, lower the learning rate)",
    ):
        tape.forward([1.0])
    a.data, b.data = 1.0, -math.inf
    b.label = "b"
    with raises_exactly(
        TapeError,
        "BatchedTape.forward: parameter 1 (label 'b') is -inf; a tape replays finite numbers only "
        "(if training diverged, lower the learning rate)",
    ):
        tape.batched().forward([[1.0]])
    with raises_exactly(
        TapeError,
        "BatchedTape.gradient: parameter 1 (label 'b') is -inf; a tape replays finite numbers only "
        "(if training diverged, lower the learning rate)",
    ):
        tape.batched().gradient([[1.0]])


def test_a_batch_refuses_bad_rows_and_output_grads_in_full():
    batch = record(lambda x, y: [x * y, x + y], [1.0, 2.0]).batched()
    with raises_exactly(
        TypeError, "BatchedTape.forward: rows must be an array of numbers of shape (batch, 2), got [['a', 'b']]"
    ):
        batch.forward([["a", "b"]])
    for rows, shape in ((np.zeros((0, 2)), "(0, 2)"), ([[1.0, 2.0, 3.0]], "(1, 3)"), ([1.0, 2.0], "(2,)")):
        with raises_exactly(
            TapeError, f"BatchedTape.forward: rows must have shape (batch, 2) with at least one row; got {shape}"
        ):
            batch.forward(rows)
    with raises_exactly(TapeError, "BatchedTape.gradient: rows[1, 0] is inf; a tape replays finite numbers only"):
        batch.gradient([[1.0, 2.0], [math.inf, 1.0]], [[1.0, 1.0]] * 2)
    with raises_exactly(
        TapeError, "BatchedTape.gradient: the tape has 2 outputs; give output_grads of shape (batch, 2)"
    ):
        batch.gradient([[1.0, 2.0]])
    with raises_exactly(TypeError, "BatchedTape.gradient: output_grads must be an array of numbers, got [['a', 'b']]"):
        batch.gradient([[1.0, 2.0]], [["a", "b"]])
    with raises_exactly(TapeError, "BatchedTape.gradient: output_grads must have shape (1, 2) (or (1,)); got (2,)"):
        batch.gradient([[1.0, 2.0]], [1.0, 1.0])
    with raises_exactly(TapeError, "BatchedTape.gradient: output_grads has a value that is not finite"):
        batch.gradient([[1.0, 2.0]], [[1.0, math.nan]])
    out = batch.gradient([[1.0, 2.0]], [[1.0, 2.0]])
    assert (out.value.tolist(), out.inputs.tolist(), out.params.tolist()) == ([[2.0, 3.0]], [[4.0, 3.0]], [])
    single = record(lambda x: x * x, [1.0]).batched()
    out = single.gradient([[1.0], [2.0]], [1.0, 3.0])  # one weight per row, for one output
    assert (out.value.tolist(), out.inputs.tolist()) == ([1.0, 4.0], [[2.0], [12.0]])
    out = single.gradient([[1.0], [2.0]])  # ones
    assert (out.value.tolist(), out.inputs.tolist()) == ([1.0, 4.0], [[2.0], [4.0]])
    with raises_exactly(TapeError, "BatchedTape.gradient: output_grads must have shape (2, 1) (or (2,)); got (3, 1)"):
        single.gradient([[1.0], [2.0]], [1.0, 3.0, 4.0])


def test_a_batch_checks_every_row_on_every_kth_call():
    def fn(x):
        return x * 2.0 if x.data > 0 else x * 3.0

    batch = record(fn, [1.0], check_every=2).batched()
    assert batch.forward([[1.0], [-1.0]]).tolist() == [2.0, -2.0]  # first call: not checked
    difference = r"\(recorded node 1, constant 2\.0; now node 1, constant 3\.0\)"
    with pytest.raises(TapeMismatchError, match=r"^Tape\.check: .*" + difference):
        batch.gradient([[1.0], [-1.0]])  # second: every row is checked, the second row differs
    assert batch.forward([[-1.0]]).tolist() == [-2.0]  # third: not checked
    with pytest.raises(TapeMismatchError):
        batch.forward([[1.0], [2.0], [-3.0]])
    assert record(fn, [1.0]).batched().forward([[-1.0]]).tolist() == [-2.0]  # check_every=0: never


def test_a_batch_without_numpy_says_how_to_install_it(monkeypatch):
    tape = record(lambda x: x * 2.0, [1.0])
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now raises ImportError
    with raises_exactly(
        ImportError, "the batched tape needs NumPy: pip install 'gradtrace[fast]' (or pip install numpy)"
    ):
        tape.batched()
    assert tape.forward([3.0]) == 6.0  # the pure Python tape needs none


# ------------------------------------------------------------------ recording touches nothing
def test_recording_leaves_every_grad_as_it_was_and_an_unused_parameter_gets_zero():
    w, unused = Value(2.0), Value(5.0)
    w.grad, unused.grad = 7.0, -1.0
    tape = record(lambda x: (w * x).tanh(), [0.5], [w, unused])
    assert (w.grad, unused.grad) == (7.0, -1.0)
    out = tape.gradient([0.5])
    assert out.params == [0.5 * (1.0 - math.tanh(1.0) ** 2), 0.0]
    tape.backward([0.5])
    assert (w.grad, unused.grad) == (7.0 + out.params[0], -1.0)


def test_a_batch_is_numpys_arithmetic_even_where_a_value_underflows():
    # NumPy's exp may differ from math.exp in the last bit: the batch gives NumPy's numbers, so it did
    # not fall back to the rows one by one (which an underflow, exp(-800) = 0.0, must not cause)
    rows = np.array([[-800.0], [-4.9925], [-4.9835], [1.5], [3.641]])
    with np.errstate(under="ignore"):
        expected = numpy_namespace()["exp"](np.ascontiguousarray(rows.T)[0]).tolist()
    batch = record(lambda x: x.exp(), [0.0]).batched()
    assert batch.forward(rows).tolist() == expected
    out = batch.gradient(rows)
    assert out.value.tolist() == expected and out.inputs[:, 0].tolist() == expected  # d exp(x) / dx = exp(x)
