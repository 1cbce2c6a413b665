"""``CompiledLoss``: a model's loss over a batch, recorded once as a tape and replayed at every step.

The plain way to train builds a graph of Values for every example at every
step. ``CompiledLoss`` records that graph once (``autograd.record``) and then
replays it: the same numbers as the plain path (to about 1e-16), no Values made.
Two ways to replay:

- ``batched=False``: the whole batch's loss as one tape of straight-line
  Python, one line per op. It gives the plain path's numbers bit for bit, for
  any loss. One tape per batch size; recording a large one takes a second or two.
- ``batched=True`` (needs NumPy): one example's loss as a tape, replayed for
  every row at once with one NumPy array per node. The loss must be the mean
  of a term per example, as ``mse_loss``, ``binary_cross_entropy`` and
  ``hinge_loss`` are (checked at the first call). Any batch size, one tape.

Targets are inputs of the tape, so a loss's checks on them (hinge's labels
must be -1 or +1) run when the tape is recorded, not at every replay. A loss
whose graph depends on the data (``binary_cross_entropy`` adds a clamp node
for predictions within 1e-7 of 0 or 1; ``cross_entropy``'s target picks a
logit) is not replayable: recording or ``check_every`` says so.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from autograd import Value, no_grad, record
from autograd.tape import INSTALL_NUMPY, BatchedTape, Tape, TapeError
from nn.losses import _sum
from nn.module import Module

__all__ = ["CompiledLoss"]

Loss = Callable[[list[Value], list[Value]], Value]


def _numpy_available() -> bool:
    try:
        import numpy  # noqa: F401  (only whether it imports)
    except ImportError:
        return False
    return True


class CompiledLoss:
    """``loss([model(x) for x in inputs], targets) + alpha * (p0*p0 + p1*p1 + ...)``, replayed from a tape.

    ``model``: a Module with one output per example (a score or a probability).
    ``loss``: ``mse_loss``, ``binary_cross_entropy``, ``hinge_loss`` or any
    ``loss(predictions, targets) -> Value``. ``alpha``: L2 strength over
    ``model.parameters()``, built as ``hinge_loss(..., alpha=alpha, params=model)``
    builds it. ``batched``: True for NumPy, False for pure Python, None for NumPy
    when it is installed. ``check_every=k``: every k-th call also runs the model
    on Values and checks that the graph is still the recorded one.

    Calling it gives the loss; ``backward(inputs, targets)`` also adds the gradients
    to every parameter's ``.grad``, as ``loss.backward()`` would, so any
    optimizer works. ``predictions``: the model's outputs at the last call.

    >>> from nn import MLP, SGD, hinge_loss
    >>> model = MLP(2, [4, 1], activation="relu", seed=0, init="uniform")
    >>> X, y = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1, -1, 1]
    >>> plain = hinge_loss([model(x) for x in X], y, alpha=1e-4, params=model)
    >>> compiled = CompiledLoss(model, hinge_loss, alpha=1e-4, batched=False)
    >>> compiled(X, y) == plain.data
    True
    >>> optimizer = SGD(model, lr=0.1)
    >>> optimizer.zero_grad(); loss = compiled.backward(X, y); optimizer.step()
    """

    def __init__(
        self,
        model: Module,
        loss: Loss,
        *,
        alpha: float = 0.0,
        batched: bool | None = None,
        check_every: int = 0,
    ) -> None:
        who = "CompiledLoss"
        if not isinstance(model, Module):
            raise TypeError(f"{who}: model must be a Module such as an MLP, got {model!r}")
        if not callable(loss):
            raise TypeError(f"{who}: loss must be a function loss(predictions, targets) -> Value, got {loss!r}")
        if not isinstance(alpha, Real) or isinstance(alpha, bool) or not (alpha >= 0.0 and math.isfinite(alpha)):
            raise ValueError(f"{who}: alpha must be a finite number >= 0, got {alpha!r}")
        if batched is None:
            batched = _numpy_available()
        elif batched and not _numpy_available():
            raise ImportError(f"{who}(batched=True): {INSTALL_NUMPY}; or pass batched=False")
        self.model: Module = model
        self.loss: Loss = loss
        self.alpha: float = float(alpha)
        self.batched: bool = bool(batched)
        self.check_every: int = check_every
        self.params: list[Value] = model.parameters()
        self.predictions: list[float] = []
        self._tapes: dict[tuple[int, ...], Tape] = {}  # by (batch size, width); (width,) for the batched one
        self._penalty: Tape | None = None
        self._checked_mean: bool = False

    def __repr__(self) -> str:
        kind = "NumPy, batched" if self.batched else "pure Python"
        return f"CompiledLoss({self.model!r}, {getattr(self.loss, '__name__', self.loss)!r}, {kind})"

    def __call__(self, inputs: Any, targets: Any) -> float:
        """The loss at ``inputs`` (one row of numbers per example) and ``targets`` (one per example).

        >>> from nn import MLP, mse_loss
        >>> model = MLP(1, [1], activation="linear", seed=0)
        >>> plain = mse_loss([model([1.0]), model([2.0])], [0.0, 0.0])
        >>> CompiledLoss(model, mse_loss)([[1.0], [2.0]], [0.0, 0.0]) == plain.data
        True
        """
        return self._run(inputs, targets, "CompiledLoss", gradient=False)

    def backward(self, inputs: Any, targets: Any) -> float:
        """The loss, and its gradient added to every parameter's ``.grad`` (zero them first, as usual).

        >>> from nn import MLP, mse_loss
        >>> model = MLP(1, [1], activation="linear", seed=0)
        >>> model.layers[0].neurons[0].w[0].data, model.layers[0].neurons[0].b.data = 2.0, 0.0
        >>> CompiledLoss(model, mse_loss).backward([[1.0], [3.0]], [0.0, 0.0])   # ((2*1)^2 + (2*3)^2) / 2
        20.0
        >>> [p.grad for p in model.parameters()]                                  # d/dw = (2*2*1 + 2*6*3) / 2
        [20.0, 8.0]
        """
        return self._run(inputs, targets, "CompiledLoss.backward", gradient=True)

    # ------------------------------------------------------------------ inside
    def _run(self, inputs: Any, targets: Any, who: str, gradient: bool) -> float:
        rows, labels = _batch(inputs, targets, who)
        self._check_parameters(who)
        if self.batched:
            return self._run_batched(rows, labels, who, gradient)
        width = len(rows[0])
        key = (len(rows), width)
        flat = [x for row in rows for x in row] + labels
        tape = self._tapes.get(key)
        if tape is None:
            tape = self._tapes[key] = self._record_whole(flat, len(rows), width)
        seeds = [1.0] + [0.0] * len(rows)
        values = tape.backward(flat, seeds) if gradient else tape.forward(flat)
        assert isinstance(values, list)  # the tape has the loss and each prediction as outputs
        self.predictions = values[1:]
        return values[0]

    def _predict(self, row: list[Value]) -> Value:
        out = self.model(row)
        if not isinstance(out, Value):
            raise TapeError(
                f"CompiledLoss: the model returns {out!r} for one example; it needs one output Value per "
                "example (a score or a probability), as MLP(..., [..., 1]) gives"
            )
        return out

    def _penalty_term(self) -> Value:
        return self.alpha * _sum([p * p for p in self.params])  # as hinge_loss(alpha=, params=) builds it

    def _record_whole(self, flat: list[float], batch: int, width: int) -> Tape:
        """The whole batch's loss as one tape; its outputs are the loss and every prediction."""

        def whole(*inputs: Value) -> list[Value]:
            preds = [self._predict(list(inputs[r * width : (r + 1) * width])) for r in range(batch)]
            total = self.loss(preds, list(inputs[batch * width :]))
            if self.alpha:
                total = total + self._penalty_term()
            return [total, *preds]

        return record(whole, flat, self.params, input_grads=False, check_every=self.check_every)

    def _run_batched(self, rows: list[list[float]], labels: list[float], who: str, gradient: bool) -> float:
        import numpy as np

        width = len(rows[0])
        table = np.column_stack((np.asarray(rows, dtype=float), np.asarray(labels, dtype=float)))
        tape = self._tapes.get((width,))
        if tape is None:

            def example(*inputs: Value) -> list[Value]:
                pred = self._predict(list(inputs[:width]))
                return [self.loss([pred], [inputs[width]]), pred]

            tape = self._tapes[(width,)] = record(
                example, table[0].tolist(), self.params, input_grads=False, check_every=self.check_every
            )
            if self.alpha:
                self._penalty = record(self._penalty_term, [], self.params, input_grads=False)
        batch = tape.batched()
        n = len(rows)
        if not self._checked_mean and n >= 2:  # (for one row, a mean and a sum agree)
            self._check_mean(batch, table[:4], who)
        if gradient:
            # every example's term gets d loss / d term = 1 / n, as the mean's division gives it
            seeds = np.zeros((n, 2))
            seeds[:, 0] = 1.0 / n
            result = batch.gradient(table, seeds)
            values, grads = result.value, result.params.tolist()
        else:
            values = batch.forward(table)
        # the mean as the plain path computes it: a sum left to right, then one division
        loss = functools.reduce(operator.add, values[:, 0].tolist()) / n
        if self._penalty is not None:
            if gradient:
                penalty = self._penalty.gradient([])
                grads = [g + r for g, r in zip(grads, penalty.params, strict=True)]
                loss = loss + penalty.value
            else:
                loss = loss + self._penalty.forward([])
        if gradient:
            for p, g in zip(self.params, grads, strict=True):
                p.grad += g
        self.predictions = values[:, 1].tolist()
        return float(loss)

    def _check_mean(self, batch: BatchedTape, table: Any, who: str) -> None:
        """Once, on a few rows: the batched loss must be the plain path's, as it is for a mean of per-example terms."""
        rows = table.tolist()
        width = len(rows[0]) - 1
        batched = functools.reduce(operator.add, batch.forward(table)[:, 0].tolist()) / len(rows)
        with no_grad():
            preds = [self._predict([Value(x) for x in row[:width]]) for row in rows]
            plain = self.loss(preds, [Value(row[width]) for row in rows]).data
        if not abs(plain - batched) <= 1e-12 * max(1.0, abs(plain)):
            raise TapeError(
                f"{who}: on the first {len(rows)} rows the batched loss is {batched!r} and the plain path's "
                f"{plain!r}: {getattr(self.loss, '__name__', self.loss)!r} is not the mean of a term per example; "
                "use CompiledLoss(..., batched=False), which records it whole"
            )
        self._checked_mean = True

    def _check_parameters(self, who: str) -> None:
        """The tapes read the parameters found when this was made: the model must still have exactly those."""
        now = self.model.parameters()
        if len(now) != len(self.params) or any(a is not b for a, b in zip(now, self.params, strict=True)):
            raise TapeError(
                f"{who}: the model's parameters changed since this CompiledLoss was made ({len(self.params)} "
                f"then, {len(now)} now, or other Values); make a new CompiledLoss for the model as it is"
            )


def _batch(inputs: Any, targets: Any, who: str) -> tuple[list[list[float]], list[float]]:
    """``inputs`` as rows of floats of one width and ``targets`` as one float per row, or a clear error."""
    if hasattr(inputs, "tolist"):  # NumPy arrays
        inputs = inputs.tolist()
    if hasattr(targets, "tolist"):
        targets = targets.tolist()
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence) or not inputs:
        raise TypeError(f"{who}: inputs must be a non-empty list of rows of numbers, got {inputs!r}")
    if isinstance(targets, (Value, Real, str, bytes)) or not isinstance(targets, Sequence):
        raise TypeError(f"{who}: targets must be a list of numbers, one per row of inputs, got {targets!r}")
    try:
        rows = [[float(x) for x in row] for row in inputs]
        labels = [float(t) for t in targets]
    except (TypeError, ValueError):
        raise TypeError(
            f"{who}: inputs must be rows of numbers and targets numbers; got {inputs!r}, {targets!r}"
        ) from None
    width = len(rows[0])
    total = sum(map(sum, rows)) + sum(labels)
    if total - total != 0.0:  # not finite somewhere (or an overflowing sum): say where
        for r, row in enumerate(rows):
            for k, x in enumerate(row):
                if not math.isfinite(x):
                    raise ValueError(f"{who}: inputs[{r}][{k}] is {x!r}; the inputs must be finite numbers")
        for r, t in enumerate(labels):
            if not math.isfinite(t):
                raise ValueError(f"{who}: targets[{r}] is {t!r}; the targets must be finite numbers")
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{who}: row {r} of inputs has {len(row)} numbers, row 0 has {width}; rows must match")
    if len(labels) != len(rows):
        raise ValueError(f"{who}: got {len(rows)} rows of inputs but {len(labels)} targets; give one target per row")
    return rows, labels
