"""CompiledLoss in detail: its repr, every error message in full, and the loss it returns with a penalty."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest

from autograd import TapeError, Value
from nn import MLP, CompiledLoss, Module, hinge_loss, mse_loss


def raises_exactly(error: type[Exception], message: str):
    """``pytest.raises`` for this whole message, word for word."""
    return pytest.raises(error, match="^" + re.escape(message) + "$")


def test_repr_names_the_model_the_loss_and_the_way_it_replays():
    model = MLP(2, [3, 1], seed=0)
    text = "MLP(2, [3, 1], activation='tanh', output_activation='linear')"
    assert repr(CompiledLoss(model, mse_loss, batched=False)) == f"CompiledLoss({text}, 'mse_loss', pure Python)"
    assert repr(CompiledLoss(model, hinge_loss, batched=True)) == f"CompiledLoss({text}, 'hinge_loss', NumPy, batched)"

    class Loss:  # a callable without a __name__: shown as itself
        def __call__(self, preds, targets):
            return mse_loss(preds, targets)

        def __repr__(self):
            return "Loss()"

    assert repr(CompiledLoss(model, Loss(), batched=False)) == f"CompiledLoss({text}, Loss(), pure Python)"


@pytest.mark.parametrize("batched", [False, True])
def test_every_bad_batch_is_named_in_full(batched):
    compiled = CompiledLoss(MLP(2, [3, 1], seed=0), mse_loss, batched=batched)
    finite_in, finite_t = "; the inputs must be finite numbers", "; the targets must be finite numbers"
    not_numbers = "inputs must be rows of numbers and targets numbers; got "
    cases = [
        (([[1.0, 2.0], [3.0, 4.0]], [1.0]), ValueError, "got 2 rows of inputs but 1 targets; give one target per row"),
        (([[1.0, 2.0], [3.0]], [1.0, 2.0]), ValueError, "row 1 of inputs has 1 numbers, row 0 has 2; rows must match"),
        (
            ([[1.0, 2.0], [math.nan, 1.0]], [1.0, 2.0]),
            ValueError,
            "inputs[1][0] is nan" + finite_in,
        ),
        (
            ([[1.0, 2.0], [1.0, -math.inf]], [1.0, 2.0]),
            ValueError,
            "inputs[1][1] is -inf" + finite_in,
        ),
        (([[1.0, 2.0]], [math.inf]), ValueError, "targets[0] is inf" + finite_t),
        (
            ([[1.0, 2.0], [1.0, 2.0]], [1.0, math.nan]),
            ValueError,
            "targets[1] is nan" + finite_t,
        ),
        (([], []), TypeError, "inputs must be a non-empty list of rows of numbers, got []"),
        (("ab", []), TypeError, "inputs must be a non-empty list of rows of numbers, got 'ab'"),
        ((b"ab", []), TypeError, "inputs must be a non-empty list of rows of numbers, got b'ab'"),
        ((3.0, []), TypeError, "inputs must be a non-empty list of rows of numbers, got 3.0"),
        (([[1.0, 2.0]], 1.0), TypeError, "targets must be a list of numbers, one per row of inputs, got 1.0"),
        (([[1.0, 2.0]], "a"), TypeError, "targets must be a list of numbers, one per row of inputs, got 'a'"),
        (([[1.0, 2.0]], b"a"), TypeError, "targets must be a list of numbers, one per row of inputs, got b'a'"),
        (([[1.0, 2.0]], {1.0}), TypeError, "targets must be a list of numbers, one per row of inputs, got {1.0}"),
        (
            ([[1.0, 2.0]], Value(1.0)),
            TypeError,
            "targets must be a list of numbers, one per row of inputs, got Value(data=1.0, grad=0.0)",
        ),
        (
            ([[1.0, "a"]], [1.0]),
            TypeError,
            not_numbers + "[[1.0, 'a']], [1.0]",
        ),
        (
            ([[1.0, 2.0]], [None]),
            TypeError,
            not_numbers + "[[1.0, 2.0]], [None]",
        ),
    ]
    for (inputs, targets), error, message in cases:
        for who, call in (("CompiledLoss", compiled), ("CompiledLoss.backward", compiled.backward)):
            with raises_exactly(error, f"{who}: {message}"):
                call(inputs, targets)


def test_numpy_arrays_and_sums_that_overflow_are_fine():
    model = MLP(2, [3, 1], seed=0)
    plain = mse_loss([model([1e308, 1e308]), model([1.0, 2.0])], [0.5, 0.0]).data
    for batched in (False, True):
        compiled = CompiledLoss(model, mse_loss, batched=batched)
        got = compiled(np.array([[1e308, 1e308], [1.0, 2.0]]), np.array([0.5, 0.0]))  # the sums overflow
        assert got == pytest.approx(plain, rel=1e-12)


def test_construction_errors_in_full():
    model = MLP(2, [1], seed=0)
    for alpha in (-1.0, math.inf, math.nan, True, "1"):
        with raises_exactly(ValueError, f"CompiledLoss: alpha must be a finite number >= 0, got {alpha!r}"):
            CompiledLoss(model, mse_loss, alpha=alpha)  # type: ignore[arg-type]  # wrong on purpose
    with raises_exactly(TypeError, "CompiledLoss: model must be a Module such as an MLP, got 'mlp'"):
        CompiledLoss("mlp", mse_loss)  # type: ignore[arg-type]  # wrong on purpose
    with raises_exactly(
        TypeError, "CompiledLoss: loss must be a function loss(predictions, targets) -> Value, got 'mse'"
    ):
        CompiledLoss(model, "mse")  # type: ignore[arg-type]  # wrong on purpose
    compiled = CompiledLoss(model, mse_loss, alpha=1)  # an int is a number
    assert (compiled.alpha, type(compiled.alpha), compiled.check_every, compiled.predictions) == (1.0, float, 0, [])
    assert compiled.params == model.parameters()


@pytest.mark.parametrize("batched", [False, True])
def test_a_model_with_two_outputs_is_refused_in_full(batched):
    model = MLP(2, [3, 2], seed=0)
    outputs = model([1.0, 2.0])
    with raises_exactly(
        TapeError,
        f"CompiledLoss: the model returns {outputs!r} for one example; it needs one output Value per example "
        "(a score or a probability), as MLP(..., [..., 1]) gives",
    ):
        CompiledLoss(model, mse_loss, batched=batched)([[1.0, 2.0]], [1.0])


@pytest.mark.parametrize("batched", [False, True])
def test_a_changed_parameter_list_is_refused_in_full(batched):
    model = MLP(2, [1], seed=0)
    compiled = CompiledLoss(model, mse_loss, batched=batched)
    compiled([[1.0, 2.0]], [0.0])
    model.layers[0].neurons[0].b = Value(0.0)  # same count, another Value
    message = (
        "the model's parameters changed since this CompiledLoss was made (3 then, 3 now, or other Values); "
        "make a new CompiledLoss for the model as it is"
    )
    with raises_exactly(TapeError, f"CompiledLoss.backward: {message}"):
        compiled.backward([[1.0, 2.0]], [0.0])

    class Growing(Module):
        def __init__(self):
            self.ws = [Value(0.5)]

        def forward(self, x):
            return self.ws[0] * x[0]

        def parameters(self):
            return list(self.ws)

    model = Growing()
    compiled = CompiledLoss(model, mse_loss, batched=batched)
    compiled([[1.0]], [0.0])
    model.ws.append(Value(1.0))  # one more: the ones before are the same Values
    with raises_exactly(TapeError, "CompiledLoss: " + message.replace("(3 then, 3 now", "(1 then, 2 now")):
        compiled([[1.0]], [0.0])


def test_a_loss_that_is_not_a_mean_is_refused_in_full():
    def summed(preds, targets):
        total = (preds[0] - targets[0]) ** 2
        for p, t in zip(preds[1:], targets[1:], strict=True):
            total = total + (p - t) ** 2
        return total

    model = MLP(1, [1], activation="linear", seed=0)
    model.layers[0].neurons[0].w[0].data, model.layers[0].neurons[0].b.data = 1.0, 0.0
    compiled = CompiledLoss(model, summed, batched=True)
    assert compiled([[3.0]], [0.0]) == 9.0  # one row: a sum and a mean agree, nothing to check yet
    rows = [[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]]
    with raises_exactly(
        TapeError,
        "CompiledLoss.backward: on the first 4 rows the batched loss is 7.5 and the plain path's 30.0: "
        "'summed' is not the mean of a term per example; use CompiledLoss(..., batched=False), which records it whole",
    ):
        compiled.backward(rows, [0.0] * 6)
    assert [p.grad for p in model.parameters()] == [0.0, 0.0]
    assert CompiledLoss(model, summed, batched=False)(rows, [0.0] * 6) == 91.0
    with raises_exactly(
        TapeError,
        "CompiledLoss: on the first 2 rows the batched loss is 2.5 and the plain path's 5.0: "
        "'summed' is not the mean of a term per example; use CompiledLoss(..., batched=False), which records it whole",
    ):
        CompiledLoss(model, summed, batched=True)(rows[:2], [0.0] * 2)  # two rows are enough to tell


@pytest.mark.parametrize("batched", [False, True])
def test_the_loss_with_a_penalty_is_the_plain_paths_and_predictions_are_kept(batched):
    model = MLP(2, [3, 1], activation="relu", seed=5, init="uniform")
    xs, ys = [[0.5, -1.0], [1.5, 2.0], [-0.5, 0.25]], [1.0, -1.0, 1.0]
    compiled = CompiledLoss(model, hinge_loss, alpha=0.01, batched=batched)
    plain = hinge_loss([model(x) for x in xs], ys, alpha=0.01, params=model)
    tol = 1e-12 if batched else 0.0
    for p in model.parameters():
        p.grad = 0.5
    assert compiled(xs, ys) == pytest.approx(plain.data, rel=tol, abs=tol)
    assert all(p.grad == 0.5 for p in model.parameters())  # calling it computes no gradient
    assert compiled.predictions == pytest.approx([model(x).data for x in xs], rel=tol, abs=tol)
    for p in model.parameters():
        p.grad = 0.0
    plain.backward()
    expected = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.grad = 0.0
    assert compiled.backward(xs, ys) == pytest.approx(plain.data, rel=tol, abs=tol)
    assert [p.grad for p in model.parameters()] == pytest.approx(expected, rel=tol, abs=tol)
    compiled.backward(xs[:1], ys[:1])  # a batch of one: its own tape (pure Python), the same one batched
    # training needs no gradient with respect to the inputs: no tape works one out
    tapes = [*compiled._tapes.values(), *([compiled._penalty] if batched else [])]
    assert len(tapes) == 2 and [t.input_grads for t in tapes] == [False, False]
    assert compiled.predictions == pytest.approx([model(xs[0]).data], rel=tol, abs=tol)


def test_the_default_is_numpy_when_it_imports_and_pure_python_when_it_does_not(monkeypatch):
    model = MLP(2, [1], seed=0)
    compiled = CompiledLoss(model, mse_loss)
    assert compiled.batched is True
    assert repr(compiled).endswith(", 'mse_loss', NumPy, batched)")
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now raises ImportError
    assert CompiledLoss(model, mse_loss).batched is False
    with raises_exactly(
        ImportError,
        "CompiledLoss(batched=True): the batched tape needs NumPy: pip install 'gradtrace[fast]' "
        "(or pip install numpy); or pass batched=False",
    ):
        CompiledLoss(model, mse_loss, batched=True)


def test_batched_the_loss_runs_on_values_twice_only_to_record_and_to_check_the_mean():
    calls = []

    def counted(preds, targets):
        calls.append(len(preds))
        return mse_loss(preds, targets)

    model = MLP(2, [3, 1], seed=0)
    compiled = CompiledLoss(model, counted, batched=True)
    xs, ys = [[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [1.0, 1.0], [0.0, 3.0]], [0.5, -0.5, 1.0, 0.0, 0.25]
    compiled(xs[:1], ys[:1])  # one row: recorded, nothing to check
    assert calls == [1]
    for _ in range(3):
        compiled.backward(xs, ys)
        compiled(xs, ys)
    assert calls == [1, 4]  # checked once, on the first 4 rows
    assert compiled(xs, ys) == pytest.approx(mse_loss([model(x) for x in xs], ys).data, rel=1e-12)
