"""Finite-difference gradients (the "nudge" method) and ``gradcheck`` against backprop."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd.grad_mode import enable_grad, no_grad
from autograd.topo import topological_order
from autograd.value import Value, _as_float, _check_fields, _describe, _short_repr

__all__ = ["numerical_grad", "gradcheck", "GradcheckError", "Mismatch"]

_METHODS = ("central", "forward")


@dataclass(frozen=True)
class Mismatch:
    """One parameter whose backprop gradient disagrees with finite differences."""

    index: int
    label: str
    analytic: float
    numeric: float

    @property
    def difference(self) -> float:
        return abs(self.analytic - self.numeric)


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when backprop and finite differences disagree.

    ``.mismatches`` holds one :class:`Mismatch` per disagreeing parameter.
    """

    def __init__(self, message: str, mismatches: Sequence[Mismatch]) -> None:
        super().__init__(message)
        self.mismatches = list(mismatches)


def _evaluate(f: Callable[[], Value | float], who: str) -> float:
    out = f()
    if isinstance(out, Value):
        out = out.data
        if type(out) is float:
            return out
        return _as_float(out, f"{who}: f() returned a Value whose .data")
    return _as_float(out, f"{who}: f() must return a Value or a number; it")


def _check_f(f: object, who: str) -> None:
    """``f`` must be callable with no arguments: a TypeError that says so, before anything is nudged."""
    if not callable(f):
        raise TypeError(
            f"{who}: f must be a function of no arguments that recomputes the result, got {_short_repr(f)} "
            f"of type {type(f).__name__}; write for example lambda: model(x)"
        )
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # some builtins have none: let the call tell
        return
    try:
        signature.bind()
    except TypeError:
        raise TypeError(
            f"{who}: f must take no arguments (it reads the parameters' current .data), but {f!r} needs "
            f"some: {signature}; wrap it, for example lambda: f(x)"
        ) from None


def _check_params(params: object, who: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(
            f"{who}: params must be a sequence of Values, got the single Value {_describe(params)}; "
            "write a list of one: [x]"
        )
    if isinstance(params, str) or not hasattr(params, "__iter__"):
        raise TypeError(
            f"{who}: params must be a sequence of Values, got {_short_repr(params)} of type {type(params).__name__}"
        )
    checked = list(params)
    for i, p in enumerate(checked):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params[{i}] is {p!r}, not a Value; pass the Values to differentiate by")
    _check_fields(checked, who, ("data",))  # they are about to be nudged
    return checked


def _check_eps(eps: float, who: str) -> float:
    eps = _as_float(eps, f"{who}(eps)")
    if not (eps > 0.0 and math.isfinite(eps)):
        raise ValueError(f"{who}: eps must be a positive finite number, got {eps!r}")
    return eps


def _check_tolerance(x: float, name: str) -> float:
    x = _as_float(x, f"gradcheck({name})")
    if not x >= 0.0:
        raise ValueError(f"gradcheck: {name} must be a number >= 0, got {x!r}")
    return x


def numerical_grad(
    f: Callable[[], Value | float],
    params: Sequence[Value],
    eps: float = 1e-6,
    method: str = "central",
) -> list[float]:
    """Estimate d f() / d p for each ``p`` in ``params`` by nudging ``p.data``.

    ``f`` recomputes the result from the current ``.data`` of ``params``.
    ``"central"``: (f(p+eps) - f(p-eps)) / 2eps, error O(eps^2).
    ``"forward"``: (f(p+eps) - f(p)) / eps, the beginner's nudge, error O(eps).
    ``f`` runs under ``no_grad()``; every ``.data`` and ``.grad`` is left as found,
    also when ``f`` raises.

    >>> from autograd import Value
    >>> w = Value(3.0)
    >>> [round(g, 6) for g in numerical_grad(lambda: w * w, [w])]
    [6.0]
    """
    _check_f(f, "numerical_grad")
    params = _check_params(params, "numerical_grad")
    eps = _check_eps(eps, "numerical_grad")
    if method not in _METHODS:
        raise ValueError(f"numerical_grad: unknown method {method!r}; use one of {', '.join(_METHODS)}")
    grads = []
    with no_grad():
        base = _evaluate(f, "numerical_grad") if method == "forward" else 0.0
        for p in params:
            original = p.data
            try:
                p.data = original + eps
                up = _evaluate(f, "numerical_grad")
                if method == "central":
                    p.data = original - eps
                    down = _evaluate(f, "numerical_grad")
                    grads.append((up - down) / (2.0 * eps))
                else:
                    grads.append((up - base) / eps)
            finally:
                p.data = original
    return grads


def _analytic_grad(f: Callable[[], Value | float], params: list[Value]) -> list[float]:
    """d f() / d p by backprop, without writing any ``.grad``.

    The chain rule over ``f()``'s graph, newest node first, as ``backward()``
    runs it (the same sums in the same order, so the same numbers), but into a
    table of this call's own: nothing needs putting back afterwards, even when
    interrupted.
    """
    with enable_grad():
        out = f()
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f() must return a Value to backpropagate through, got {_short_repr(out)}")
    grads = {out: 1.0}
    for node in reversed(topological_order(out)):
        upstream = grads[node]  # every node but out is a parent of one before it
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            grads[parent] = grads.get(parent, 0.0) + local * upstream
    return [grads.get(p, 0.0) for p in params]


def _table(mismatches: Sequence[Mismatch]) -> str:
    rows = [("index", "label", "analytic", "numeric", "difference")]
    rows += [
        (str(m.index), m.label or "-", f"{m.analytic:.6g}", f"{m.numeric:.6g}", f"{m.difference:.3g}")
        for m in mismatches
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]

    def line(row: tuple[str, ...]) -> str:  # the label column left-aligned, the numbers right-aligned
        cells = [c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  " + "  ".join(cells)

    return "\n".join(line(r) for r in rows)


def gradcheck(
    f: Callable[[], Value],
    params: Sequence[Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check backprop gradients of ``f()`` against central finite differences.

    A parameter passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
    Returns ``True`` when all pass; otherwise raises :class:`GradcheckError`
    with a table of the mismatches (or returns ``False`` with
    ``raise_exception=False``). Every ``.data`` and ``.grad`` is left as found.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> gradcheck(lambda: (x * x).tanh(), [x])
    True
    """
    _check_f(f, "gradcheck")
    params = _check_params(params, "gradcheck")
    if not params:
        raise ValueError("gradcheck: params is empty, so there is nothing to check; pass the Values f depends on")
    eps = _check_eps(eps, "gradcheck")
    atol, rtol = _check_tolerance(atol, "atol"), _check_tolerance(rtol, "rtol")
    analytic = _analytic_grad(f, params)
    numeric = numerical_grad(f, params, eps=eps, method="central")
    mismatches = [
        Mismatch(i, p.label, a, n)
        for i, (p, a, n) in enumerate(zip(params, analytic, numeric, strict=True))
        if not abs(a - n) <= atol + rtol * abs(n)  # "not <=" also catches nan
    ]
    if not mismatches:
        return True
    if not raise_exception:
        return False
    raise GradcheckError(
        f"gradcheck: {len(mismatches)} of {len(params)} parameters disagree with finite differences "
        f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g}):\n{_table(mismatches)}",
        mismatches,
    )
