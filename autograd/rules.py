"""The derivative table: every built-in op's result and local derivatives, one line each.

This is the one written source of each op's maths. ``value.py`` computes each
op with plain float code on the hot path (a table lookup there would cost
8-12% per node); ``tests/autograd/test_rules.py`` checks that code against this
table bit for bit, and everything that explains or replays an op reads it from
here: the explorer's "local derivative" text, the traces, the recorded tape.

Each rule is written as Python expressions over these names:

| name | meaning |
| ---- | ------- |
| ``a`` | the first input's value |
| ``b`` | the second input's value (binary ops) |
| ``c`` | the constant exponent of ``**c`` (``x ** 2`` is op ``**2``, so ``c = 2.0``) |
| ``y`` | the op's result (rules may reuse it: d tanh = 1 - y**2) |

``value`` and ``grads`` are the exact float code the engine runs (same
operations, same order, so the same bits); ``shown`` is each local derivative
as a textbook writes it, for people: evaluable too, and equal to ``grads`` up to
rounding. ``maths`` is the result in the same notation.

>>> rule = RULES["tanh"]
>>> rule.maths, rule.shown
('tanh(a)', ('1 - y**2',))
>>> evaluate(rule.grads[0], a=0.5, y=math.tanh(0.5)) == 1.0 - math.tanh(0.5) ** 2
True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Rule", "RULES", "NAMESPACE", "numpy_namespace", "rule_for", "evaluate"]


@dataclass(frozen=True)
class Rule:
    """An op's result and its local derivatives, as Python expressions over ``a``, ``b``, ``c`` and ``y``."""

    op: str
    arity: int
    value: str
    grads: tuple[str, ...]
    shown: tuple[str, ...]
    maths: str


def _pow_slope(a: float, c: float) -> float:
    """d(a^c)/da = c * a^(c-1); at a = 0 that is 0 for c > 1 (or c = 0) and infinite for 0 < c < 1."""
    if a == 0.0 and c < 1.0:
        return 0.0 if c == 0.0 else math.inf
    slope: float = c * a ** (c - 1.0)  # typeshed: Any (a negative base may give a complex); ops check the domain
    return slope


def _pow_exponent_slope(a: float, y: float) -> float:
    """d(a^b)/db = a^b * ln(a); 0 at a = 0 (b > 0); undefined (nan) for a < 0, as in PyTorch."""
    if a > 0.0:
        return y * math.log(a)
    return 0.0 if a == 0.0 else math.nan


def _sigmoid(a: float) -> float:
    """1 / (1 + e^-a) without overflow: for a < 0 it is written e^a / (1 + e^a)."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


# The names a rule's expressions may use besides a, b, c and y.
NAMESPACE: dict[str, object] = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    "sigmoid": _sigmoid,
    "pow_slope": _pow_slope,
    "pow_exponent_slope": _pow_exponent_slope,
}


@functools.cache
def numpy_namespace() -> dict[str, Any]:
    """The same names for NumPy arrays, element by element: what a batched tape evaluates the table with.

    Each helper is its scalar namesake above with ``if`` turned into ``where``
    (both branches are computed, then one is kept per element), so the maths
    stays the table's. NumPy is imported on the first call, never by ``import autograd``.

    >>> import numpy as np
    >>> numpy_namespace()["sigmoid"](np.array([-1000.0, 0.0, 1000.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    import numpy as np

    def sigmoid(a: Any) -> Any:
        e = np.exp(-np.abs(a))  # e^-a where a >= 0, e^a where a < 0: never overflows
        return np.where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    def pow_slope(a: Any, c: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):  # only where a = 0 and c < 1, replaced below
            general = c * a ** (c - 1.0)
        return np.where((a == 0.0) & (c < 1.0), np.where(c == 0.0, 0.0, np.inf), general)

    def pow_exponent_slope(a: Any, y: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):  # only where a <= 0, replaced below
            general = y * np.log(a)
        return np.where(a > 0.0, general, np.where(a == 0.0, 0.0, np.nan))

    return {
        "exp": np.exp,
        "log": np.log,
        "tanh": np.tanh,
        "inf": np.inf,
        "nan": np.nan,
        "sigmoid": sigmoid,
        "pow_slope": pow_slope,
        "pow_exponent_slope": pow_exponent_slope,
    }


_TABLE = (
    #    op       arity value           grads (exact)            shown (textbook)          maths
    Rule("+",       2,  "a + b",        ("1.0", "1.0"),          ("1", "1"),               "a + b"),
    Rule("-",       2,  "a - b",        ("1.0", "-1.0"),         ("1", "-1"),              "a - b"),
    Rule("*",       2,  "a * b",        ("b", "a"),              ("b", "a"),               "a * b"),
    Rule("/",       2,  "a / b",        ("1.0 / b", "-y / b"),   ("1 / b", "-a / b**2"),   "a / b"),
    Rule("**",      2,  "a ** b",       ("pow_slope(a, b)", "pow_exponent_slope(a, y)"),
                                                                 ("b * a**(b - 1)", "y * log(a)"), "a**b"),
    Rule("**c",     1,  "a ** c",       ("pow_slope(a, c)",),    ("c * a**(c - 1)",),      "a**c"),
    Rule("neg",     1,  "-a",           ("-1.0",),               ("-1",),                  "-a"),
    Rule("exp",     1,  "exp(a)",       ("y",),                  ("y",),                   "exp(a)"),
    Rule("log",     1,  "log(a)",       ("1.0 / a",),            ("1 / a",),               "log(a)"),
    Rule("tanh",    1,  "tanh(a)",      ("1.0 - y * y",),        ("1 - y**2",),            "tanh(a)"),
    Rule("sigmoid", 1,  "sigmoid(a)",   ("y * (1.0 - y)",),      ("y * (1 - y)",),         "sigmoid(a)"),
    Rule("relu",    1,  "0.0 if a <= 0.0 else a",
                                        ("0.0 if a <= 0.0 else 1.0 if a > 0.0 else nan",),
                                                                 ("1 if a > 0 else 0",),   "relu(a)"),
)  # fmt: skip

RULES: dict[str, Rule] = {rule.op: rule for rule in _TABLE}


def rule_for(op: str) -> tuple[Rule, dict[str, float]] | None:
    """The rule of a node's ``.op`` and the constants it binds, or ``None`` for an op not in the table.

    A power by a number is recorded as ``**2``, ``**0.5``, ``**-1``: the rule
    ``**c`` with ``c`` bound. Ops made with ``Value.from_op`` under other names
    have no rule here (their derivative is whatever the user recorded).

    >>> rule_for("**2")[0].op, rule_for("**2")[1]
    ('**c', {'c': 2.0})
    >>> rule_for("tanh")[1], rule_for("softplus")
    ({}, None)
    """
    rule = RULES.get(op)
    if rule is not None:
        return rule, {}
    if op.startswith("**"):  # "**" itself is in RULES: the op of a power by a Value
        try:
            c = float(op[2:])
        except ValueError:
            return None
        return RULES["**c"], {"c": c}
    return None


def evaluate(expression: str, **names: float) -> float:
    """The float value of one of a rule's expressions with ``a``, ``b``, ``c``, ``y`` bound by ``names``.

    >>> evaluate(RULES["*"].grads[0], a=2.0, b=-3.0)
    -3.0
    """
    return float(eval(expression, {"__builtins__": {}, **NAMESPACE}, names))  # only our own table's text
