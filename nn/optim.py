"""Optimizers ``SGD`` and ``Adam``: PyTorch's hyper-parameter names and update rules, on Values.

Each keeps a list of parameters, reads their ``.grad`` in ``step()`` and
changes their ``.data``; ``zero_grad()`` sets every ``.grad`` back to 0.0.
Hyper-parameters are attributes that check what they are given, at
construction and later alike (``opt.lr = 0.01`` between steps works;
``opt.lr = "x"`` is a ``ValueError`` naming ``lr`` at once, not a puzzle at the
next ``step()``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import overload

from autograd import Value
from nn._checks import check_number
from nn.module import Module, parameter_values

__all__ = ["Optimizer", "SGD", "Adam"]


class _Hyper:
    """A hyper-parameter attribute: each value set is checked by :func:`nn._checks.check_number`, stored as a float."""

    def __init__(
        self, low: float = 0.0, high: float = math.inf, *, low_open: bool = False, high_open: bool = False
    ) -> None:
        self.bounds = (low, high, low_open, high_open)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = "_" + name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Hyper: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> float: ...

    def __get__(self, obj: object, owner: type | None = None) -> _Hyper | float:
        if obj is None:
            return self
        value: float = obj.__dict__[self.slot]
        return value

    def __set__(self, obj: object, value: object) -> None:
        low, high, low_open, high_open = self.bounds
        obj.__dict__[self.slot] = check_number(
            value, self.name, type(obj).__name__, low, high, low_open=low_open, high_open=high_open
        )


class _Betas:
    """Adam's ``betas``: a pair, each in [0, 1), checked whenever it is set; stored as a tuple of floats."""

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Betas: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> tuple[float, float]: ...

    def __get__(self, obj: object, owner: type | None = None) -> _Betas | tuple[float, float]:
        if obj is None:
            return self
        betas: tuple[float, float] = obj.__dict__["_betas"]
        return betas

    def __set__(self, obj: object, betas: object) -> None:
        who = type(obj).__name__
        if isinstance(betas, (str, bytes)) or not isinstance(betas, Iterable) or len(tuple(betas)) != 2:
            raise ValueError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
        b1, b2 = tuple(betas)
        obj.__dict__["_betas"] = (
            check_number(b1, "beta1 (betas[0])", who, 0.0, 1.0, high_open=True),
            check_number(b2, "beta2 (betas[1])", who, 0.0, 1.0, high_open=True),
        )


class Optimizer:
    """What every optimizer shares: the parameter list and ``zero_grad()``.

    ``params``: a Module (its ``parameters()``) or any iterable of Values. A
    Value listed twice is kept once, so it is never updated twice per step.
    """

    def __init__(self, params: Module | Iterable[Value], who: str) -> None:
        unique: list[Value] = []
        seen: set[int] = set()
        for p in parameter_values(params, who):
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise ValueError(f"{who}: got an empty parameter list; pass model.parameters()")
        self.params = unique

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} defines no step()")


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, exactly as ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``g``, per ``step()``::

        g = g + weight_decay * p                  (if weight_decay)
        b = g                                     (first step, if momentum)
        b = momentum * b + (1 - dampening) * g    (later steps)
        g = g + momentum * b if nesterov else b
        p = p - lr * g

    >>> w = Value(1.0); w.grad = 0.5
    >>> opt = SGD([w], lr=0.1)
    >>> opt.step(); w.data           # 1 - 0.1 * 0.5
    0.95
    >>> opt.lr = "0.1"
    Traceback (most recent call last):
    ...
    ValueError: SGD: invalid lr '0.1'; expected a finite number >= 0
    """

    lr = _Hyper()
    momentum = _Hyper()
    dampening = _Hyper()
    weight_decay = _Hyper()

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, "SGD")
        self.lr = lr  # each checked as it is set (see _Hyper)
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        if nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        self.nesterov = bool(nesterov)
        self.buffers: list[float | None] = [None] * len(self.params)  # momentum buffers

    def step(self) -> None:
        """One update of every parameter (see the class docstring for the rule)."""
        lr, momentum, dampening, weight_decay = self.lr, self.momentum, self.dampening, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad
            if weight_decay != 0.0:
                g = g + weight_decay * p.data
            if momentum != 0.0:
                b = self.buffers[i]
                b = g if b is None else momentum * b + (1.0 - dampening) * g
                self.buffers[i] = b
                g = g + momentum * b if self.nesterov else b
            p.data = p.data - lr * g

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam with bias correction, exactly as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``g``, at step ``t = 1, 2, ...``::

        g = g + weight_decay * p              (if weight_decay: L2, not AdamW)
        m = beta1 * m + (1 - beta1) * g       (m, v start at 0)
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    ``eps`` must be > 0: it keeps ``m_hat / sqrt(v_hat)`` finite when a gradient is 0.

    >>> w = Value(1.0); w.grad = 0.5
    >>> opt = Adam([w], lr=0.1)
    >>> opt.step(); round(w.data, 6)  # the first step moves by lr * g / (|g| + eps), about lr
    0.9
    """

    lr = _Hyper()
    betas = _Betas()
    eps = _Hyper(low_open=True)
    weight_decay = _Hyper()

    def __init__(
        self,
        params: Module | Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, "Adam")
        self.lr = lr  # each checked as it is set (see _Hyper and _Betas)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self.t = 0  # steps taken
        self.m = [0.0] * len(self.params)  # first moments
        self.v = [0.0] * len(self.params)  # second moments

    def step(self) -> None:
        """One update of every parameter (see the class docstring for the rule)."""
        self.t += 1
        (beta1, beta2), lr, eps, weight_decay = self.betas, self.lr, self.eps, self.weight_decay
        correction1 = 1.0 - beta1**self.t
        correction2 = 1.0 - beta2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad
            if weight_decay != 0.0:
                g = g + weight_decay * p.data
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat = m[i] / correction1
            v_hat = v[i] / correction2
            p.data = p.data - lr * m_hat / (math.sqrt(v_hat) + eps)

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r})"
