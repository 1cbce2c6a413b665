"""Property-based gradient tests for your own ops and models: hypothesis strategies and a finite-difference check.

Needs hypothesis, an optional extra: ``pip install 'gradtrace[testing]'``. ``import autograd``
never imports this module or hypothesis.

- ``assert_grads_match(build, xs)``: backprop through ``build`` against central finite differences.
- ``check_op(op)``: hypothesis tries ``op`` (say a primitive made with ``Value.from_op``) all over
  its domain and shrinks any point where its derivative is wrong.
- ``points(low, high, avoid=...)``: input floats that keep away from an op's kinks and poles.
- ``expressions()``: random computation graphs, each with a point inside every op's domain.
- ``hostile_graph()``: a small graph whose labels are markup, for testing what renders labels.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple, Union

try:
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException
except ModuleNotFoundError as error:  # pragma: no cover - exercised in a subprocess by the tests
    if error.name != "hypothesis" and not (error.name or "").startswith("hypothesis."):
        raise
    raise ImportError(
        "autograd.testing needs hypothesis, which is not installed: pip install 'gradtrace[testing]' "
        "(or pip install hypothesis)"
    ) from error

from autograd.grad_mode import no_grad
from autograd.topo import topological_order
from autograd.value import Value, _as_float

__all__ = [
    "STEP",
    "points",
    "assert_grads_match",
    "check_op",
    "expressions",
    "Expression",
    "hostile_graph",
    "HOSTILE_LABEL",
    "SCRIPT_CLOSER_LABEL",
]

Domain = Union["st.SearchStrategy[float]", tuple[float, float]]

# ------------------------------------------------------------ finite differences
# A central difference (f(x + h) - f(x - h)) / 2h is off by about h^2 f'''/6
# (truncation) plus eps |f| / h (rounding). A step of eps^(1/3) * max(1, |x|)
# balances the two. Taking it at h and h/2 gives two estimates: their
# Richardson combination (4 D(h/2) - D(h)) / 3 cancels the h^2 term, and their
# difference measures what is left (curvature and rounding) at this very point,
# so the tolerance grows where the function is hard to difference and stays
# tight where it is smooth. Rounding is also bounded directly: each node's value
# is off by about eps * |value|, which moves the result by that times
# d(result)/d(node), its .grad after backward; summed over the graph, that is
# what one evaluation can be off by (large when big values cancel).
_EPS = sys.float_info.epsilon
STEP = _EPS ** (1.0 / 3.0)  # about 6.06e-6: the relative nudge assert_grads_match takes
_ROUNDING = 8.0  # error of the Richardson estimate, in units of eps * sum(|value * grad|) / h
_RETRIES = 3  # how often the step is cut tenfold when a nudge leaves the domain


def _nudged(x: float, step: float) -> list[tuple[float, float]]:
    """The points assert_grads_match evaluates around ``x``: (x + h, x - h) and (x + h/2, x - h/2)."""
    h = step * max(1.0, abs(x))
    return [(x + h, x - h), (x + h / 2, x - h / 2)]


def _check_point(xs: object, who: str) -> list[float]:
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{who}: xs must be a list of floats (one per input), got {xs!r}")
    point = [_as_float(x, f"{who}: xs") for x in xs]
    for i, x in enumerate(point):
        if not math.isfinite(x):
            raise ValueError(f"{who}: input {i} is {x!r}; finite differences need finite inputs")
    return point


def _check_tolerance(value: object, name: str, who: str, positive: bool = False) -> float:
    x = _as_float(value, f"{who}({name})")
    if not (math.isfinite(x) and (x > 0.0 if positive else x >= 0.0)):
        raise ValueError(f"{who}: {name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
    return x


def _inputs(point: Sequence[float]) -> list[Value]:
    """The leaves x0, x1, ... that ``build`` is called with."""
    return [Value(x, label=f"x{i}") for i, x in enumerate(point)]


def _output(build: Callable[[list[Value]], Value], leaves: list[Value], who: str) -> Value:
    """``build(leaves)``, refused unless it is a Value."""
    out = build(leaves)
    if not isinstance(out, Value):
        raise TypeError(f"{who}: build(values) must return a Value, got {out!r} of type {type(out).__name__}")
    return out


def _central(f: Callable[[list[float]], float], xs: list[float], i: int, step: float) -> tuple[float, float, float]:
    """d f / d x_i by central differences: (Richardson estimate, spread of the two estimates, step used)."""
    failure: Exception | None = None
    for _ in range(_RETRIES + 1):
        try:
            estimates = []
            for up, down in _nudged(xs[i], step):
                above, below = list(xs), list(xs)
                above[i], below[i] = up, down
                estimates.append((f(above) - f(below)) / (up - down))  # the true distance, not 2h
            coarse, fine = estimates
            return fine + (fine - coarse) / 3.0, abs(coarse - fine), step * max(1.0, abs(xs[i]))
        except (ArithmeticError, ValueError) as error:  # a nudge left the domain: nudge less
            failure = error
            step /= 10.0
    raise ValueError(
        f"assert_grads_match: cannot take finite differences at input {i} (x{i} = {xs[i]!r}) of {xs!r}: "
        f"nudging it by {step * 10 * max(1.0, abs(xs[i])):.3g} or less still raised "
        f"{type(failure).__name__}: {failure}; keep inputs away from the edge of the op's domain "
        "(points(low, high, avoid=..., margin=...))"
    ) from failure


def _ratio(analytic: float, numeric: float) -> str:
    if numeric == 0.0:
        return "undefined (finite differences give 0)"
    return f"{analytic / numeric:.6g}"


def assert_grads_match(
    build: Callable[[list[Value]], Value],
    xs: Sequence[float],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-12,
    step: float = STEP,
) -> list[float]:
    """Backprop through ``build`` at ``xs`` and compare each input's gradient with finite differences.

    ``build`` takes a list of Values (fresh leaves ``x0, x1, ...`` made from ``xs``) and
    returns a Value. Backprop runs once through ``build(leaves)``; the finite
    differences evaluate ``build`` again on fresh Values at nudged points (under
    ``no_grad()``, so only ``.data`` matters), sharing nothing with the backward pass.
    Input ``i`` is nudged by ``step * max(1, |x_i|)`` and by half that; an input passes when

        |backprop - fd| <= atol + rtol * max(|backprop|, |fd|) + spread + rounding

    where ``spread`` is how far the two finite-difference estimates differ (large
    only where the function curves sharply) and ``rounding`` bounds the float error
    of the graph's values, each weighted by how much it moves the result. Every
    ``.grad`` outside the fresh leaves (a model's parameters, say) is left as it
    was. Returns the backprop gradients; raises ``AssertionError`` naming each
    disagreeing input, both gradients and their ratio.

    >>> assert_grads_match(lambda v: v[0] * v[1] + v[0].exp(), [2.0, 3.0])
    [10.38905609893065, 2.0]
    >>> assert_grads_match(lambda v: Value.from_op(v[0].data ** 2, v, (v[0].data,), "sq"), [3.0])
    Traceback (most recent call last):
        ...
    AssertionError: assert_grads_match: backprop and finite differences disagree at xs = [3.0]:
      input 0 (x0 = 3.0): backprop 3, finite differences 6, ratio 0.5 (|difference| 3 > tolerance 6e-05)
    """
    who = "assert_grads_match"
    if not callable(build):
        raise TypeError(f"{who}: build must be a function of a list of Values, got {build!r}")
    point = _check_point(xs, who)
    rtol = _check_tolerance(rtol, "rtol", who)
    atol = _check_tolerance(atol, "atol", who)
    step = _check_tolerance(step, "step", who, positive=True)
    leaves = _inputs(point)
    out = _output(build, leaves, who)
    nodes = topological_order(out)
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        out.backward()
        analytic = [leaf.grad for leaf in leaves]
        sensitivity = math.fsum(abs(node.data * node.grad) for node in nodes if math.isfinite(node.data * node.grad))
    finally:
        for node, grad in zip(nodes, saved, strict=True):
            node.grad = grad

    def value_at(p: list[float]) -> float:
        with no_grad():
            return _output(build, _inputs(p), who).data

    problems = []
    for i, (x, a) in enumerate(zip(point, analytic, strict=True)):
        numeric, spread, h = _central(value_at, point, i, step)
        tolerance = atol + rtol * max(abs(a), abs(numeric)) + spread + _ROUNDING * _EPS * sensitivity / h
        finite = math.isfinite(a) and math.isfinite(numeric)  # rtol * inf would let any slope pass
        if abs(a - numeric) <= tolerance if finite else a == numeric:
            continue
        problems.append(
            f"  input {i} (x{i} = {x!r}): backprop {a:.10g}, finite differences {numeric:.10g}, "
            f"ratio {_ratio(a, numeric)} (|difference| {abs(a - numeric):.3g} > tolerance {tolerance:.3g})"
        )
    if problems:
        raise AssertionError(
            f"{who}: backprop and finite differences disagree at xs = {point!r}:\n" + "\n".join(problems)
        )
    return analytic


# -------------------------------------------------------------------- points
def points(
    low: float = -10.0,
    high: float = 10.0,
    *,
    avoid: Iterable[float] = (),
    margin: float = 1e-3,
) -> st.SearchStrategy[float]:
    """A hypothesis strategy of floats in ``[low, high]``, at least ``margin`` from each point in ``avoid``.

    Tell it where an op has a kink or a pole (relu and abs at 0, 1/x at 0, a
    log's edge) and no input lands close enough for a finite difference to
    straddle it. With ``margin=0`` only the points themselves are left out.

    >>> from hypothesis import given
    >>> @given(points(-1, 1, avoid=(0.0,), margin=0.25))
    ... def test_far_from_zero(x):
    ...     assert 0.25 <= abs(x) <= 1
    >>> test_far_from_zero()
    """
    who = "points"
    low = _as_float(low, f"{who}(low)")
    high = _as_float(high, f"{who}(high)")
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{who}: need finite low < high, got low={low!r}, high={high!r}")
    margin = _check_tolerance(margin, "margin", who)
    if isinstance(avoid, (int, float)):
        avoid = (avoid,)
    centres = sorted(_as_float(a, f"{who}(avoid)") for a in avoid)
    # pieces of [low, high] left after cutting (a - margin, a + margin) out; with margin 0, a itself
    pieces: list[tuple[float, float, bool, bool]] = [(low, high, False, False)]
    for a in centres:
        if not math.isfinite(a):
            raise ValueError(f"{who}: avoid holds {a!r}; give finite points")
        kept = []
        for lo, hi, open_lo, open_hi in pieces:
            left, right = a - margin, a + margin
            if lo < left or (lo == left and margin > 0 and not open_lo):
                kept.append((lo, min(hi, left), open_lo, margin == 0 if left <= hi else open_hi))
            if right < hi or (right == hi and margin > 0 and not open_hi):
                kept.append((max(lo, right), hi, margin == 0 if right >= lo else open_lo, open_hi))
        pieces = [(lo, hi, ol, oh) for lo, hi, ol, oh in kept if lo < hi or (lo == hi and not ol and not oh)]
    if not pieces:
        raise ValueError(
            f"{who}: nothing is left of [{low!r}, {high!r}] once {centres!r} +- {margin!r} are avoided; "
            "widen the range or lower the margin"
        )
    return st.one_of(
        [
            st.floats(lo, hi, exclude_min=ol, exclude_max=oh, allow_nan=False, allow_infinity=False)
            for lo, hi, ol, oh in pieces
        ]
    )


# ------------------------------------------------------------------ check_op
def _domain_strategy(domain: object, who: str) -> st.SearchStrategy[float]:
    if domain is None:
        return points(-10.0, 10.0)
    if isinstance(domain, st.SearchStrategy):
        return domain
    if isinstance(domain, tuple) and len(domain) == 2 and all(isinstance(d, (int, float)) for d in domain):
        return points(domain[0], domain[1])
    raise TypeError(f"{who}: domain must be a hypothesis strategy of floats or a (low, high) pair, got {domain!r}")


def _domains(domain: object, arity: int, who: str) -> list[st.SearchStrategy[float]]:
    """One strategy per argument: ``domain`` for each, or a sequence of ``arity`` domains."""
    if (
        isinstance(domain, (list, tuple))
        and len(domain) == arity
        and arity > 1
        and not all(isinstance(d, (int, float)) for d in domain)
    ):
        return [_domain_strategy(d, who) for d in domain]
    return [_domain_strategy(domain, who)] * arity


class _NotAValueError(TypeError):
    """check_op's op returned something other than a Value: the caller's mistake, not a failed property."""


def _name(op: Callable[..., object]) -> str:
    return getattr(op, "__name__", None) or repr(op)


def _digest(op: Callable[..., object], arity: int, domain: object) -> bytes:
    """What tells one op's property from another's in hypothesis's example database."""
    try:
        source = inspect.getsource(op)
    except (OSError, TypeError):
        source = ""
    name = getattr(op, "__qualname__", None) or _name(op)
    text = f"{getattr(op, '__module__', '')}.{name}|{arity}|{domain!r}|{source}"
    return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def _leaves(error: BaseException) -> list[BaseException]:
    """The failures in ``error``: itself, or those in an ExceptionGroup (hypothesis found several)."""
    group = getattr(error, "exceptions", None)
    if isinstance(group, tuple):
        return [leaf for sub in group for leaf in _leaves(sub)]
    return [error]


def _messages(error: BaseException) -> list[str]:
    group = getattr(error, "exceptions", None)
    if isinstance(group, tuple):
        return [line for sub in group for line in _messages(sub)]
    lines = [f"{type(error).__name__}: {error}" if not isinstance(error, AssertionError) else str(error)]
    return lines + [str(note) for note in getattr(error, "__notes__", [])]


def check_op(
    op: Callable[..., Value],
    arity: int = 1,
    domain: Domain | Sequence[Domain] | None = None,
    **settings: object,
) -> None:
    """Property-test a primitive: backprop through ``op`` matches finite differences all over ``domain``.

    ``op`` takes ``arity`` Values and returns a Value (typically made with
    ``Value.from_op``). ``domain``: a hypothesis strategy of floats, a
    ``(low, high)`` pair, or one of those per argument; by default ``points(-10, 10)``.
    ``settings`` are hypothesis settings (``max_examples=500``, ``derandomize=True``,
    ...); the rest come from the active profile (100 examples by default), except
    the deadline, which is off unless given.
    Returns ``None`` when every example passes; otherwise raises
    ``AssertionError`` with hypothesis's shrunk counterexample: the input, both
    gradients and their ratio.

    >>> import math
    >>> def softplus(x: Value) -> Value:
    ...     # softplus = log(1 + e^x);  d softplus = sigmoid(x)
    ...     return Value.from_op(math.log1p(math.exp(x.data)), (x,), (1 / (1 + math.exp(-x.data)),), "softplus")
    >>> check_op(softplus, domain=(-30, 30))
    """
    who = "check_op"
    if not callable(op):
        raise TypeError(f"{who}: op must be a function of Values returning a Value, got {op!r}")
    if not isinstance(arity, int) or isinstance(arity, bool) or arity < 1:
        raise ValueError(f"{who}: arity must be a positive int (how many Values op takes), got {arity!r}")
    name = _name(op)
    strategies = _domains(domain, arity, who)

    def build(values: list[Value]) -> Value:
        out = op(*values)
        if not isinstance(out, Value):
            raise _NotAValueError(f"{who}({name}): op must return a Value, got {out!r} of type {type(out).__name__}")
        return out

    def gradients_match(xs: tuple[float, ...]) -> None:
        assert_grads_match(build, list(xs))

    # Tell hypothesis's example database this op's property apart from another op's
    # (hypothesis reads this attribute as it does for pytest's parametrised tests).
    gradients_match._hypothesis_internal_add_digest = _digest(op, arity, domain)  # type: ignore[attr-defined]  # hypothesis's own
    test = given(st.tuples(*strategies))(gradients_match)
    # No deadline unless asked for: a slow op is not a wrong one, and a busy machine is not a failure.
    options: dict[str, Any] = {"deadline": None, **settings}
    test = hypothesis_settings(**options)(test)
    try:
        test()
    except HypothesisException:
        raise  # a health check or a bad setting: hypothesis's own message says what to do
    except _NotAValueError as error:
        raise TypeError(str(error)) from None
    except Exception as error:  # hypothesis has shrunk the failure; say so in one message
        detail = "\n".join(_messages(error))
        raised = sorted({type(e).__name__ for e in _leaves(error) if not isinstance(e, AssertionError)})
        if not raised:
            headline = "the op's gradient is wrong somewhere in its domain"
        else:
            headline = (
                f"the op raised {' and '.join(raised)} inside the domain; give check_op a domain where it is "
                "defined: domain=(low, high) or points(low, high, avoid=...)"
            )
        raise AssertionError(f"{who}({name}): {headline}\n{detail}") from error


# --------------------------------------------------------------- expressions
# Each op: arity, what it does to Values (constants may stand on either side of
# a binary op), what it does to floats, and how a program line shows it.
class _Op(NamedTuple):
    arity: int
    on_values: Callable[..., Value]
    on_floats: Callable[..., float]
    text: str


def _sigmoid(a: float) -> float:
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


_OPS: dict[str, _Op] = {
    "+": _Op(2, lambda a, b: a + b, lambda a, b: a + b, "{0} + {1}"),
    "-": _Op(2, lambda a, b: a - b, lambda a, b: a - b, "{0} - {1}"),
    "*": _Op(2, lambda a, b: a * b, lambda a, b: a * b, "{0} * {1}"),
    "/": _Op(2, lambda a, b: a / b, lambda a, b: a / b, "{0} / {1}"),
    "**": _Op(2, lambda a, b: a**b, lambda a, b: a**b, "{0} ** {1}"),
    "neg": _Op(1, lambda a: -a, lambda a: -a, "-{0}"),
    "exp": _Op(1, lambda a: a.exp(), math.exp, "exp({0})"),
    "log": _Op(1, lambda a: a.log(), math.log, "log({0})"),
    "tanh": _Op(1, lambda a: a.tanh(), math.tanh, "tanh({0})"),
    "sigmoid": _Op(1, lambda a: a.sigmoid(), _sigmoid, "sigmoid({0})"),
    "relu": _Op(1, lambda a: a.relu(), lambda a: a if a > 0.0 else 0.0, "relu({0})"),
}
OPS = tuple(_OPS)
_CONSTANTS = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0)
_EXPONENTS = (2.0, 3.0, -1.0, -2.0, 0.5, 1.5, -0.5)  # of v ** c: integers allow a negative base
_BASES = (0.5, 2.0, math.e, 3.0)  # of c ** v: positive
_BOUND = 1e3  # no node's value grows past this, so finite differences stay precise

Step = tuple[str, tuple[int | float, ...]]  # (op, operands): an int is a node, a float a constant


class Expression:
    """A computation graph drawn by :func:`expressions`, and the point ``inputs`` it was drawn with.

    Nodes ``x0 .. x{n-1}`` are the inputs; each step applies one op to earlier
    nodes or constants and makes the next node ``t0, t1, ...``; the last one is
    the result. At ``inputs``, and at every point ``assert_grads_match`` nudges
    them to, every node lies inside its op's domain and away from its kinks.

    >>> e = Expression([2.0, -1.0], [("*", (0, 1)), ("tanh", (2,)), ("+", (3, 0.5))])
    >>> e
    Expression(inputs=[2.0, -1.0]):
        t0 = x0 * x1
        t1 = tanh(t0)
        t2 = t1 + 0.5
        return t2
    >>> round(e.evaluate(e.inputs), 6), round(e.build([Value(2.0), Value(-1.0)]).data, 6)
    (-0.464028, -0.464028)
    """

    __slots__ = ("inputs", "steps")

    def __init__(self, inputs: Sequence[float], steps: Sequence[Step]) -> None:
        self.inputs = [float(x) for x in inputs]
        self.steps = [(op, tuple(args)) for op, args in steps]
        n = len(self.inputs)
        for k, (op, args) in enumerate(self.steps):
            if op not in _OPS or len(args) != _OPS[op].arity:
                raise ValueError(f"Expression: step {k} {op!r} {args!r}: unknown op or wrong number of operands")
            for a in args:
                if type(a) is int and not 0 <= a < n + k:
                    raise ValueError(f"Expression: step {k} reads node {a}, which is not made yet")

    def _run(self, leaves: Sequence[Any], on_floats: bool) -> Any:
        nodes = list(leaves)
        for op, args in self.steps:
            rule = _OPS[op]
            apply = rule.on_floats if on_floats else rule.on_values
            nodes.append(apply(*(nodes[a] if type(a) is int else a for a in args)))
        return nodes[-1]

    def build(self, values: Sequence[Value]) -> Value:
        """The graph on ``values`` (one Value per input), using Value's operators: ``2.0 - x`` and all."""
        if len(values) != len(self.inputs):
            raise ValueError(f"Expression.build: expected {len(self.inputs)} values, got {len(values)}")
        out: Value = self._run(values, on_floats=False)
        return out

    def evaluate(self, xs: Sequence[float]) -> float:
        """The same function on plain floats, with the ``math`` module: no Value involved."""
        if len(xs) != len(self.inputs):
            raise ValueError(f"Expression.evaluate: expected {len(self.inputs)} floats, got {len(xs)}")
        out: float = self._run([float(x) for x in xs], on_floats=True)
        return out

    def _name(self, a: int | float) -> str:
        if type(a) is not int:
            return repr(a)
        n = len(self.inputs)
        return f"x{a}" if a < n else f"t{a - n}"

    def __repr__(self) -> str:
        n = len(self.inputs)
        lines = [f"Expression(inputs={self.inputs!r}):"]
        for k, (op, args) in enumerate(self.steps):
            lines.append(f"    t{k} = " + _OPS[op].text.format(*(self._name(a) for a in args)))
        lines.append(f"    return {self._name(n + len(self.steps) - 1)}")
        return "\n".join(lines)


def _lanes(xs: list[float]) -> list[list[float]]:
    """The points where assert_grads_match evaluates: ``xs`` itself, then each input nudged both ways."""
    lanes = [list(xs)]
    for i, x in enumerate(xs):
        for up, down in _nudged(x, STEP):
            for moved in (up, down):
                lane = list(xs)
                lane[i] = moved
                lanes.append(lane)
    return lanes


def _away(values: list[float], margin: float, positive: bool = False) -> bool:
    """All lanes on one side of 0 (the positive side if asked), at least ``margin`` from it."""
    if all(v >= margin for v in values):
        return True
    return not positive and all(v <= -margin for v in values)


def _operand_ok(op: str, role: int, values: list[float], other: object, margin: float) -> bool:
    """May a node with these lane values be operand ``role`` of ``op`` (``other``: the other operand)?"""
    if op == "log" or (op == "**" and role == 0 and not isinstance(other, float)):
        return _away(values, margin, positive=True)  # log's edge; a base whose exponent varies
    if op == "relu" or (op == "/" and role == 1):
        return _away(values, margin)  # relu's kink at 0, division's pole at 0
    if op == "**" and role == 0 and isinstance(other, float):  # v ** c
        if not other.is_integer():
            return _away(values, margin, positive=True)
        return other >= 0 or _away(values, margin)
    return True


def _result(op: str, operands: list[list[float] | float], lanes: int) -> list[float] | None:
    """The op's value in every lane, or None when it fails or leaves (-_BOUND, _BOUND)."""
    f = _OPS[op].on_floats
    out = []
    try:
        for j in range(lanes):
            y = f(*(o if isinstance(o, float) else o[j] for o in operands))
            if not (isinstance(y, float) and abs(y) <= _BOUND):  # also rules out nan and complex
                return None
            out.append(y)
    except (ArithmeticError, ValueError):
        return None
    return out


@st.composite
def _draw_expression(
    draw: st.DrawFn,
    ops: tuple[str, ...],
    n_inputs: tuple[int, int],
    max_ops: int,
    inputs: st.SearchStrategy[float],
    constants: st.SearchStrategy[float] | None,
    margin: float,
) -> Expression:
    n = draw(st.integers(*n_inputs))
    xs = [draw(inputs) for _ in range(n)]
    lanes = _lanes(xs)
    values = [[lane[i] for lane in lanes] for i in range(n)]  # per node, its value in every lane
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(ops))
        args: list[int | float | None] = [None] * _OPS[op].arity  # None: a node, still to choose
        if len(args) == 2:
            form = (
                draw(st.sampled_from(("nodes", "constant first", "constant second")))
                if constants is not None
                else "nodes"
            )
            if form != "nodes":
                side = 0 if form == "constant first" else 1
                if op == "**":
                    args[side] = draw(st.sampled_from(_BASES if side == 0 else _EXPONENTS))
                else:
                    assert constants is not None  # without constants, every form is "nodes"
                    constant = args[side] = draw(constants)
                    if op == "/" and side == 1 and not abs(constant) >= max(margin, 0.25):
                        continue
        for role, a in enumerate(args):
            if a is not None:
                continue
            other = args[1 - role] if len(args) == 2 else None
            fits = [k for k, v in enumerate(values) if _operand_ok(op, role, v, other, margin)]
            if not fits:
                break
            args[role] = draw(st.sampled_from(fits))
        else:  # every argument chosen
            chosen = tuple(a for a in args if a is not None)
            result = _result(op, [a if isinstance(a, float) else values[a] for a in chosen], len(lanes))
            if result is not None:
                steps.append((op, chosen))
                values.append(result)
    # Every node should reach the result: add up the ones no later step reads.
    used = {a for _, args in steps for a in args if type(a) is int}
    sinks = [k for k in range(n, n + len(steps) - 1) if k not in used]
    for k in sinks:
        out = n + len(steps) - 1
        total = _result("+", [values[out], values[k]], len(lanes))
        if total is not None:
            steps.append(("+", (out, k)))
            values.append(total)
    return Expression(xs, steps)


def expressions(
    ops: Iterable[str] = OPS,
    *,
    n_inputs: int | tuple[int, int] = (1, 4),
    max_ops: int = 12,
    inputs: st.SearchStrategy[float] | None = None,
    constants: st.SearchStrategy[float] | bool = True,
    margin: float = 0.01,
) -> st.SearchStrategy[Expression]:
    """A hypothesis strategy of random computation graphs over ``ops``, each with a point to evaluate it at.

    Each draw is an :class:`Expression`: ``.inputs`` (the point), ``.build(values)``
    (the graph on Values), ``.evaluate(floats)`` (the same function on plain
    floats) and a repr that reads as a short program. Operands are reused
    freely, so graphs share subexpressions and use one node twice (``t0 * t0``);
    numbers stand on either side of binary ops (``2.0 / t1``, ``t1 ** 0.5``).
    The graph is drawn together with the point: an op only reads nodes whose
    values, at the point and at every nudge ``assert_grads_match`` takes, lie in
    its domain and at least ``margin`` from its kinks and poles (log's operand
    positive, relu's and a divisor's away from 0); every value stays within
    +-1000. Nodes no later op reads are added into the result.

    ``ops``: names from ``OPS`` (``+ - * / ** neg exp log tanh sigmoid relu``);
    ``n_inputs``: a count or a (min, max) range; ``max_ops``: how many ops to draw;
    ``inputs``: a strategy for each input (default ``points(-3, 3)``);
    ``constants``: a strategy of numbers, ``True`` for small round ones, ``False`` for none.

    >>> from hypothesis import given
    >>> @given(expressions(["*", "tanh", "log"]))
    ... def test_backprop(e):
    ...     assert_grads_match(e.build, e.inputs)
    >>> test_backprop()
    """
    who = "expressions"
    ops = tuple(ops)
    unknown = [op for op in ops if op not in _OPS]
    if not ops or unknown:
        raise ValueError(f"{who}: unknown ops {unknown!r}; use some of {', '.join(OPS)}")
    if isinstance(n_inputs, int) and not isinstance(n_inputs, bool):
        n_inputs = (n_inputs, n_inputs)
    if not (
        isinstance(n_inputs, tuple)
        and len(n_inputs) == 2
        and all(isinstance(k, int) for k in n_inputs)
        and 1 <= n_inputs[0] <= n_inputs[1]
    ):
        raise ValueError(f"{who}: n_inputs must be a count >= 1 or a (min, max) pair, got {n_inputs!r}")
    if not isinstance(max_ops, int) or isinstance(max_ops, bool) or max_ops < 1:
        raise ValueError(f"{who}: max_ops must be an int >= 1, got {max_ops!r}")
    if inputs is None:
        inputs = points(-3.0, 3.0)
    elif not isinstance(inputs, st.SearchStrategy):
        raise TypeError(f"{who}: inputs must be a hypothesis strategy of floats, got {inputs!r}")
    pool: st.SearchStrategy[float] | None
    if constants is True:
        pool = st.sampled_from(_CONSTANTS)
    elif constants is False:
        pool = None
    elif isinstance(constants, st.SearchStrategy):
        pool = constants.map(float)
    else:
        raise TypeError(f"{who}: constants must be True, False or a hypothesis strategy of floats, got {constants!r}")
    margin = _check_tolerance(margin, "margin", who)
    return _draw_expression(ops, n_inputs, max_ops, inputs, pool, margin)


# ------------------------------------------------------------- hostile graph
HOSTILE_LABEL = "<img src=x onerror=alert(1)>"  # markup that runs script if a page inserts it as HTML
SCRIPT_CLOSER_LABEL = "</script><script>alert(2)</script>"  # ends an inline <script> it is pasted into


def hostile_graph(root_label: str = "y & <b>") -> Value:
    """``y = tanh(a*h + a*a + s*2)`` with labels that are markup: for testing what shows labels.

    ``h`` is labelled :data:`HOSTILE_LABEL`, ``s`` :data:`SCRIPT_CLOSER_LABEL`,
    ``y`` ``root_label``; ``a`` is used three times (twice by one op) and ``2`` is a
    number constant. A renderer or page should show every label as text and run nothing.

    >>> y = hostile_graph()
    >>> sorted(v.label for v in topological_order(y) if v.label)[:2]
    ['</script><script>alert(2)</script>', '<img src=x onerror=alert(1)>']
    >>> round(y.data, 4)                  # tanh(2 * -3 + 2 * 2 + 0.5 * 2)
    -0.7616
    """
    a = Value(2.0, label="a")
    h = Value(-3.0, label=HOSTILE_LABEL)
    s = Value(0.5, label=SCRIPT_CLOSER_LABEL)
    y = (a * h + a * a + s * 2).tanh()
    y.label = root_label
    return y
