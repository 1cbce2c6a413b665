"""Losses as plain functions of Values: MSE, binary cross-entropy, hinge and cross-entropy.

Each takes predictions and targets as equal-length lists (a single Value or
number counts as a list of one) and returns one ``Value``, the mean over the
examples. Sums are built left to right from the first term (no constant 0 node).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Sequence, Union

from autograd import Value
from nn._checks import check_number, is_int, is_list_like, is_number
from nn.module import Module, parameter_values

__all__ = ["mse_loss", "binary_cross_entropy", "hinge_loss", "cross_entropy", "BCE_EPS"]

Scalar = Union[Value, float]
Scalars = Union[Scalar, Sequence[Scalar]]

BCE_EPS = 1e-7  # binary_cross_entropy clamps predictions to [BCE_EPS, 1 - BCE_EPS]


def _as_list(x: object, what: str, who: str) -> list[Scalar]:
    """``x`` as a non-empty list of Values and numbers; one Value or number is a list of one."""
    if isinstance(x, Value) or is_number(x):
        return [x]  # type: ignore[list-item]
    if not is_list_like(x):
        raise TypeError(f"{who}: {what} must be a list of Values or numbers, got {x!r}")
    items = list(x)
    if not items:
        raise ValueError(f"{who}: {what} is empty; expected at least one")
    for i, item in enumerate(items):
        if not isinstance(item, Value) and not is_number(item):
            raise TypeError(
                f"{who}: {what}[{i}] is {item!r} of type {type(item).__name__}; expected a Value or a number"
            )
    return items


def _pair(a: object, b: object, who: str, a_name: str, b_name: str) -> tuple[list[Scalar], list[Scalar]]:
    first, second = _as_list(a, a_name, who), _as_list(b, b_name, who)
    if len(first) != len(second):
        raise ValueError(
            f"{who}: got {len(first)} {a_name} but {len(second)} {b_name}; "
            f"expected one {b_name[:-1]} per {a_name[:-1]}"
        )
    return first, second


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _sum(terms: list[Value]) -> Value:
    """``terms[0] + terms[1] + ...`` built left to right: no constant 0 node, unlike ``sum()``."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _mean(terms: list[Value]) -> Value:
    return _sum(terms) / len(terms)


def mse_loss(preds: Scalars, targets: Scalars) -> Value:
    """Mean squared error: ``((p0 - t0)**2 + (p1 - t1)**2 + ...) / n``.

    >>> loss = mse_loss([Value(0.5), Value(-1.0)], [1.0, 2.0])
    >>> loss.data                    # ((0.5-1)^2 + (-1-2)^2) / 2
    4.625
    """
    preds, targets = _pair(preds, targets, "mse_loss", "predictions", "targets")
    return _mean([(_value(p) - t) ** 2 for p, t in zip(preds, targets)])


def _clamp(p: Value, lo: float, hi: float) -> Value:
    # the value is clamped to [lo, hi]; the local gradient stays 1, so a
    # prediction stuck at exactly 0 or 1 still gets a (finite) push back
    return Value.from_op(min(max(p.data, lo), hi), (p,), (1.0,), "clamp")


def binary_cross_entropy(preds: Scalars, targets: Scalars, eps: float = BCE_EPS) -> Value:
    """Mean of ``-(t*log(p) + (1-t)*log(1-p))`` over probabilities ``p`` and targets ``t`` in [0, 1].

    A prediction closer than ``eps`` (default ``1e-7``) to 0 or 1 first goes
    through a ``clamp`` node: its value is moved to ``eps`` or ``1 - eps`` and
    its local gradient is 1. So the loss is at most ``-log(eps)`` (about 16.1)
    per example and its gradient at most about ``1/eps`` in size, even at
    predictions of exactly 0 or 1. Inside ``[eps, 1 - eps]`` no clamp node is
    made and the loss is the exact formula. Predictions outside [0, 1] are an
    error (apply ``sigmoid`` first).

    >>> p = Value(0.8)
    >>> loss = binary_cross_entropy([p], [1.0])
    >>> round(loss.data, 6)          # -log(0.8)
    0.223144
    """
    who = "binary_cross_entropy"
    preds, targets = _pair(preds, targets, who, "predictions", "targets")
    lo = check_number(eps, "eps", who, 0.0, 0.5, low_open=True, high_open=True)
    hi = 1.0 - lo
    terms = []
    for i, (p, t) in enumerate(zip(preds, targets)):
        if not 0.0 <= _data(p) <= 1.0:
            raise ValueError(
                f"{who}: prediction {i} is {_data(p)!r}, outside [0, 1]; "
                "predictions must be probabilities (use a sigmoid output, e.g. output_activation='sigmoid')"
            )
        if not 0.0 <= _data(t) <= 1.0:
            raise ValueError(f"{who}: target {i} is {_data(t)!r}, outside [0, 1]; use 0 or 1 (or a probability)")
        p = _value(p)
        if not lo <= p.data <= hi:
            p = _clamp(p, lo, hi)
        terms.append(t * p.log() + (1 - t) * (1 - p).log())
    return -_mean(terms)


def hinge_loss(
    scores: Scalars,
    labels: Scalars,
    *,
    alpha: float = 0.0,
    params: Module | Iterable[Value] | None = None,
) -> Value:
    """micrograd's max-margin (SVM) loss: mean of ``relu(1 - y*score)``, labels ``y`` in {-1, +1}.

    With ``alpha > 0`` it adds L2 regularisation over ``params`` (a Module or a
    list of Values) as micrograd's demo does: ``+ alpha * (p0*p0 + p1*p1 + ...)``.

    >>> loss = hinge_loss([Value(2.0), Value(0.25)], [1, -1])
    >>> loss.data                    # (relu(1 - 2) + relu(1 + 0.25)) / 2
    0.625
    """
    who = "hinge_loss"
    scores, labels = _pair(scores, labels, who, "scores", "labels")
    for i, y in enumerate(labels):
        if _data(y) not in (-1.0, 1.0):
            raise ValueError(f"{who}: label {i} is {_data(y)!r}; labels must be -1 or +1")
    loss = _mean([(1 - y * _value(s)).relu() for s, y in zip(scores, labels)])
    alpha = check_number(alpha, "alpha", who)
    if alpha == 0.0:
        return loss
    if params is None:
        raise ValueError(f"{who}: alpha={alpha!r} needs the parameters to regularise: pass params=model")
    values = [params] if isinstance(params, Value) else parameter_values(params, who)
    if not values:
        raise ValueError(f"{who}: params is empty; expected the Values to regularise")
    return loss + alpha * _sum([p * p for p in values])


def _class_index(target: object, n: int, who: str) -> int:
    if not is_int(target):
        raise TypeError(
            f"{who}: target_class must be an int class index, got {target!r} of type {type(target).__name__}"
        )
    if not 0 <= target < n:
        raise ValueError(f"{who}: target_class {target!r} is out of range for {n} logits; expected 0 .. {n - 1}")
    return int(target)


def _one_cross_entropy(logits: object, target: object, who: str) -> Value:
    items = _as_list(logits, "logits", who)
    k = _class_index(target, len(items), who)
    data = [_data(z) for z in items]
    for i, z in enumerate(data):
        if not math.isfinite(z):
            raise ValueError(f"{who}: logit {i} is {z!r}; logits must be finite")
    shift = Value(max(data), label="max")  # a constant: the result does not depend on it
    shifted = [_value(z) - shift for z in items]  # every exp(z - max) <= 1: no overflow
    return _sum([z.exp() for z in shifted]).log() - shifted[k]


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]], target_class: int | Sequence[int]) -> Value:
    """``-log softmax(logits)[target_class]``, computed as ``log(sum exp(z - max)) - (z_k - max)``.

    The largest logit is subtracted first (as a constant leaf labelled ``max``),
    so no ``exp`` overflows. The gradient with respect to logit ``j`` is
    ``softmax_j - (1 if j == target_class else 0)``. For a batch, pass a list of
    logit lists and a list of classes: the result is the mean.

    >>> loss = cross_entropy([Value(0.0), Value(0.0)], 1)
    >>> round(loss.data, 6)          # log 2
    0.693147
    >>> cross_entropy([[1000.0, 0.0], [0.0, 0.0]], [0, 1]).data == math.log(2) / 2
    True
    """
    who = "cross_entropy"
    if is_int(target_class):
        return _one_cross_entropy(logits, target_class, who)
    if not is_list_like(target_class):
        raise TypeError(
            f"{who}: target_class must be an int (one example) or a list of ints (a batch), got {target_class!r}"
        )
    classes = list(target_class)
    if not is_list_like(logits):
        raise TypeError(f"{who}: for a batch, logits must be a list of logit lists, got {logits!r}")
    rows = list(logits)
    if not classes:
        raise ValueError(f"{who}: the batch is empty; expected at least one example")
    if len(rows) != len(classes):
        raise ValueError(
            f"{who}: got {len(rows)} rows of logits but {len(classes)} target classes; expected one class per row"
        )
    for i, row in enumerate(rows):
        if isinstance(row, Value) or is_number(row):
            raise TypeError(f"{who}: for a batch, logits[{i}] must be a list of logits, got {row!r}")
    return _mean([_one_cross_entropy(row, k, f"{who} (example {i})") for i, (row, k) in enumerate(zip(rows, classes))])
