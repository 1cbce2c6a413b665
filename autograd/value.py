"""``Value``: a scalar that records how it was computed, and backward through that record."""

from __future__ import annotations

import enum
import itertools
import math
import threading
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any, Final, TypeVar

from autograd.grad_mode import _mode
from autograd.topo import by_creation, topological_order

__all__ = ["Value", "Number"]

Number = int | float
_T = TypeVar("_T")


def _describe(v: Value) -> str:
    """``-1.5`` or ``-1.5 (label 'w')``: how error messages name an operand."""
    return f"{v.data!r} (label {v.label!r})" if v.label else repr(v.data)


def _as_float(x: object, what: str) -> float:
    """``x`` as a float, or a ``TypeError`` that says what was given and what was expected."""
    if type(x) is float:
        return x
    if isinstance(x, Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(
                f"{what}: {_short_repr(x)} is too large for a float (the largest is about 1.8e308); "
                "use a smaller number, or rescale"
            ) from None
    raise TypeError(f"{what}: expected an int or float, got {_short_repr(x)} of type {type(x).__name__}")


def _short_repr(x: object) -> str:
    """``repr(x)``, shortened to its ends when long (an int of 400 digits, a big list)."""
    try:
        text = repr(x)
    except ValueError:  # an int too long to print: Python refuses past 4300 digits
        return f"an int of about {x.bit_length() * 0.30103:.0f} digits" if isinstance(x, int) else object.__repr__(x)
    if len(text) <= 60:
        return text
    return f"{text[:25]}...{text[-25:]} ({len(text)} {'digits' if isinstance(x, int) else 'characters'})"


class Value:
    """A scalar node of a computation graph.

    Every op on Values returns a new Value that remembers its inputs
    (``.parents``, in argument order) and the local derivative of its result
    with respect to each of them. ``backward()`` combines those by the chain rule.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b + a
    >>> y.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)

    ``inf`` and ``nan`` are accepted as data, as in PyTorch, and follow IEEE
    arithmetic: in every op (``relu`` and ``log`` included) a nan operand gives
    a nan result, and nan for each local derivative that depends on it (IEEE's
    one exception: ``x ** 0`` is 1.0); ``exp(-inf)`` is 0.0, ``tanh(inf)`` is
    1.0 with derivative 0.0. The errors are for finite operands outside an
    op's domain: ``log`` of a value <= 0 (``-inf`` too), ``/`` by zero, a negative
    base with a finite non-integer exponent, a zero base with a negative
    exponent, ``exp`` of a finite value above 709.78 (its result would be inf).
    """

    # A node's edges live in its own slots, not in tuples, so a node is one object
    # for the garbage collector to track (three would make it work three times as
    # hard). Four slots hold the parents (_p) and d(self)/d(parent) (_d):
    #
    #   node      _p0                   _p1           _d0                       _d1
    #   leaf      None                  None          0.0                       0.0
    #   unary     the input             None          d self / d input          0.0
    #   binary    the first input       the second    d self / d first          d self / d second
    #   many      tuple of the inputs   _MANY         tuple: d self / d each    0.0
    #
    # "many" is a from_op with three or more inputs; under no_grad() every node is
    # a leaf. _edges() decodes the table for every reader but the two hot loops,
    # backward() and _prepare_backward(), which decode it inline.
    # _seq: creation number of a node made by an op (its parents have smaller
    # ones), _LEAF for leaves. _pass_grad: backward()'s scratch, the gradient of
    # the pass under way; None outside a pass. _group: set only on the output of
    # a named group (see groups.py); ops never set it, so it costs nothing when a
    # node is made: read it with getattr(v, "_group", None).
    __slots__ = ("data", "grad", "label", "op", "_p0", "_p1", "_d0", "_d1", "_seq", "_pass_grad", "_group")  # noqa: RUF023  (reading order: public fields first)

    data: float
    grad: float
    label: str
    op: str
    _p0: Value | tuple[Value, ...] | None
    _p1: Value | _Many | None
    _d0: float | tuple[float, ...]
    _d1: float
    _seq: int
    _pass_grad: Any  # a float during a pass (the sum so far), None outside one
    _group: object

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value(data)")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value(label): expected a str, got {label!r} of type {type(label).__name__}")
        self.label = label
        self.op = ""
        self._p0 = self._p1 = None
        self._d0 = self._d1 = 0.0
        self._seq = _LEAF
        self._pass_grad = None

    # ------------------------------------------------------------------ graph
    @staticmethod
    def from_op(
        data: float,
        parents: tuple[Value, ...],
        local_grads: tuple[float, ...],
        op: str,
    ) -> Value:
        """A new node: the result ``data`` of op ``op`` applied to ``parents``.

        ``local_grads[i]`` is d(data)/d(parents[i]) at this point. Every
        built-in op is written this way (result and local derivatives side by
        side); this is how to add your own primitive:

        >>> import math
        >>> def softplus(x: Value) -> Value:
        ...     # softplus = log(1 + e^x);  d softplus = sigmoid(x)
        ...     s = 1.0 / (1.0 + math.exp(-x.data))
        ...     return Value.from_op(math.log1p(math.exp(x.data)), (x,), (s,), "softplus")
        >>> x = Value(0.0)
        >>> y = softplus(x); y.backward()
        >>> round(y.data, 4), x.grad
        (0.6931, 0.5)

        Inside ``no_grad()`` the node keeps no parents.

        The node is a plain ``Value``, as the result of every built-in op is,
        even when ``from_op`` is called on a subclass: a node's class never
        depends on its inputs' classes (finding it would cost every op a
        lookup, and ``A(1) + B(2)`` would have no obvious answer). Instances of
        a subclass are the leaves its constructor makes.

        >>> class Named(Value): ...
        >>> type(Named(2.0) * Named(3.0)).__name__, type(Named.from_op(1.0, (), (), "one")).__name__
        ('Value', 'Value')
        """
        parents, local_grads = _checked_edges(parents, local_grads, op)
        data = data if type(data) is float else _as_float(data, f"Value.from_op({op!r}) data")
        if len(parents) == 1:
            return _unary(data, parents[0], local_grads[0], op)
        if len(parents) == 2:
            return _binary(data, parents[0], parents[1], local_grads[0], local_grads[1], op)
        out = _unary(data, None, 0.0, op)  # a leaf, unless recording with 3+ parents
        if parents and _mode.enabled:
            out._p0 = parents
            out._p1 = _MANY
            out._d0 = local_grads
            out._seq = _next_seq()
        return out

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this node's op read, in argument order; ``()`` for a leaf."""
        return _edges(self)[0]

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as computed in the forward pass."""
        return _edges(self)[1]

    def backward(self) -> None:
        """Add d(self)/d(node) to ``.grad`` of every node ``self`` depends on.

        ``self.grad`` gets +1.0. Gradients accumulate across calls, as in
        PyTorch: call it twice without zeroing and every ``.grad`` doubles.
        Iterative, so graphs of any depth work.

        Interrupting it (Ctrl-C, or any exception) leaves each node's ``.grad``
        either as it was or with this pass's gradient added in full, never
        half-done, and the next call is exact. A ``.grad`` that is not a number
        (``None``, set by user code) stops the pass the same way, with a
        ``TypeError`` naming the node. One pass runs at a time across threads,
        so threads may share parameters.
        """
        try:
            with _pass_lock:  # no try inside: see _pass_lock
                # 1. Find every node. This pass sums its gradients in ._pass_grad,
                #    not in .grad, so an interrupted pass has nothing to undo.
                interior, leaves = _prepare_backward(self)
                self._pass_grad = 1.0
                # 2. Newest first is a valid order: every consumer of a node was
                #    created after it, so its gradient is complete when it is used,
                #    and is added to .grad (a node is done in one store).
                for node in interior:
                    upstream = node._pass_grad
                    node._pass_grad = None
                    node.grad += upstream
                    # The chain rule, parent by parent in argument order. The slots
                    # are decoded here, not by _edges(), which would make backward()
                    # about twice as slow: each branch is a row of the table in Value
                    # (mypy cannot tie _p0 and _d0 to _p1, hence the ignores).
                    b = node._p1
                    if b is None:  # unary
                        node._p0._pass_grad += node._d0 * upstream  # type: ignore[union-attr]  # a Value
                    elif b is not _MANY:  # binary
                        node._p0._pass_grad += node._d0 * upstream  # type: ignore[union-attr]  # a Value
                        b._pass_grad += node._d1 * upstream
                    else:  # many: two tuples of one length (zip(strict=True) would cost 0.14 us a node)
                        for parent, local in zip(node._p0, node._d0):  # type: ignore[arg-type]  # noqa: B905  (hot loop)
                            parent._pass_grad += local * upstream
                # 3. Leaves pass nothing on.
                for leaf in leaves:
                    leaf.grad += leaf._pass_grad
                    leaf._pass_grad = None
        except TypeError:  # user code set some .grad to None or a str: name it
            _check_fields(topological_order(self), "backward", ("grad",))
            raise

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0 on every node ``self`` depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    # ------------------------------------------------------- the primitive ops
    # Each op: the result, then d(result)/d(input) for each input.

    def __add__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "+", self)
        # d(a + b) = 1, 1
        return _binary(self.data + other.data, self, other, 1.0, 1.0, "+")

    def __mul__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "*", self)
        # d(a * b) = b, a
        return _binary(self.data * other.data, self, other, other.data, self.data, "*")

    def __sub__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "-", self)
        # d(a - b) = 1, -1
        return _binary(self.data - other.data, self, other, 1.0, -1.0, "-")

    def __neg__(self) -> Value:
        # d(-a) = -1
        return _unary(-self.data, self, -1.0, "neg")

    def __truediv__(self, other: Value | Number) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "/", self)
        b = other.data
        if b == 0.0:
            raise ZeroDivisionError(f"/: division by zero: {_describe(self)} / {_describe(other)}")
        q = self.data / b
        # d(a / b) = 1/b, -a/b^2 = -q/b
        return _binary(q, self, other, 1.0 / b, -q / b, "/")

    def __pow__(self, exponent: Value | Number) -> Value:
        if isinstance(exponent, Value):
            return _pow_values(self, exponent)
        c = _as_float(exponent, f"** (exponent of {_describe(self)})")
        op = f"**{exponent!r}" if isinstance(exponent, int) else f"**{c!r}"  # exact: rules.rule_for reads c back
        y, local = _power_and_slope(self, c, op, repr(c))  # d(a^c) = c * a^(c-1)
        return _unary(y, self, local, op)

    def exp(self) -> Value:
        """e ** self."""
        try:
            y = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({_describe(self)}) overflows a float (largest input is about 709.78)"
            ) from None
        # d exp = exp
        return _unary(y, self, y, "exp")

    def log(self) -> Value:
        """Natural logarithm; the value must be > 0."""
        a = self.data
        if a <= 0.0:  # nan passes: log(nan) is nan
            raise ValueError(f"log: needs a value > 0, got {_describe(self)}")
        # d log(a) = 1/a
        return _unary(math.log(a), self, 1.0 / a, "log")

    def tanh(self) -> Value:
        """Hyperbolic tangent, exact and finite for any finite input."""
        t = math.tanh(self.data)
        # d tanh = 1 - tanh^2
        return _unary(t, self, 1.0 - t * t, "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e^-x), computed without overflow for any finite input."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        # d sigmoid = sigmoid * (1 - sigmoid)
        return _unary(s, self, s * (1.0 - s), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); its derivative at exactly 0 is taken as 0, as in PyTorch."""
        a = self.data
        # d relu = 1 where x > 0, else 0
        if a > 0.0:
            return _unary(a, self, 1.0, "relu")
        if a <= 0.0:
            return _unary(0.0, self, 0.0, "relu")
        return _unary(a, self, a, "relu")  # nan: nan, with a nan derivative

    # ------------------------------------------- numbers on the left-hand side
    def __radd__(self, other: Number) -> Value:
        return _constant(other, "+", self) + self

    def __rsub__(self, other: Number) -> Value:
        return _constant(other, "-", self) - self

    def __rmul__(self, other: Number) -> Value:
        return _constant(other, "*", self) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _constant(other, "/", self) / self

    def __rpow__(self, other: Number) -> Value:
        return _pow_values(_constant(other, "**", self), self)

    def __pos__(self) -> Value:
        return self

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"


_new = object.__new__
_next_seq = itertools.count().__next__
_LEAF = -1


class _Many(enum.Enum):
    """The type of ``_MANY``: an enum, so that mypy narrows ``_p1`` by ``is _MANY``."""

    MANY = "many"


_MANY: Final = _Many.MANY  # _p1 of an op with three or more inputs (the table in Value)
# Backward passes take turns: two at once over shared nodes (a model's
# parameters, trained from several threads) would mix their sums. About 0.1 us
# a pass. Reentrant: a pass started from a signal handler in the middle of
# another runs at once (sharing nodes with it would mix their sums; a deadlock
# would be worse).
# The body of `with _pass_lock:` holds no try statement: the NOP that opens a
# try is covered by no exception handler in CPython 3.11, so an exception a
# tracer raises there would skip the with's exit and leave the lock held.
_pass_lock = threading.RLock()


# The two constructors behind from_op. Built-in ops call them directly: the
# same node, without from_op's argument checks and tuple packing, which cost
# about 40% of an op. Each makes a plain Value (see from_op).
def _unary(data: float, a: Value | None, da: float, op: str) -> Value:
    """A node of op ``op`` with result ``data``, one input ``a`` and d(data)/da = ``da``."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._p1 = None
    out._d1 = 0.0
    out._pass_grad = None
    if a is not None and _mode.enabled:
        out._p0 = a
        out._d0 = da
        out._seq = _next_seq()
    else:
        out._p0 = None
        out._d0 = 0.0
        out._seq = _LEAF
    return out


def _binary(data: float, a: Value, b: Value, da: float, db: float, op: str) -> Value:
    """A node of op ``op`` with result ``data``, inputs ``a``, ``b`` and local derivatives ``da``, ``db``."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._pass_grad = None
    if _mode.enabled:
        out._p0 = a
        out._p1 = b
        out._d0 = da
        out._d1 = db
        out._seq = _next_seq()
    else:
        out._p0 = out._p1 = None
        out._d0 = out._d1 = 0.0
        out._seq = _LEAF
    return out


def _edges(node: Value) -> tuple[tuple[Value, ...], tuple[float, ...]]:
    """``node``'s parents and d(node)/d(parent) for each, decoded from its slots (the table in ``Value``).

    The one decoder for every reader but backward()'s two hot loops.
    """
    p0, p1 = node._p0, node._p1
    if p0 is None:  # leaf
        return (), ()
    if p1 is None:  # unary
        return (p0,), (node._d0,)  # type: ignore[return-value]  # a Value and a float in this row
    if p1 is _MANY:  # many
        return p0, node._d0  # type: ignore[return-value]  # both tuples in this row
    return (p0, p1), (node._d0, node._d1)  # type: ignore[return-value]  # binary: a Value and a float each


def _prepare_backward(root: Value) -> tuple[list[Value], list[Value]]:
    """The nodes ``root`` depends on, split into interior nodes (newest first) and leaves.

    Each node found gets ``._pass_grad`` set to this pass's own ``zero``: a
    float 0.0 made for this call, so ``_pass_grad is zero`` means "found by
    this pass" and the sum of the node's gradient starts from 0.0. Whatever an
    interrupted earlier pass left in ``._pass_grad`` is some other object, so
    it is simply overwritten: there is no mark to clean up. ``.grad`` is not
    touched. ``root`` is no one's parent; backward() gives it 1.0.
    """
    zero = float("0.0")  # a new object on each call (CPython), so no live float is this one
    interior: list[Value] = []
    leaves: list[Value] = []
    (leaves if root._p0 is None else interior).append(root)
    stack = [] if root._p0 is None else [root]
    found, leaf, push, pop = interior.append, leaves.append, stack.append, stack.pop
    parent: Value
    while stack:
        node = pop()
        # The parents, decoded inline as in backward(): unary, binary or many (the table in Value,
        # which mypy cannot follow).
        b = node._p1
        for parent in (node._p0,) if b is None else (node._p0, b) if b is not _MANY else node._p0:  # type: ignore[assignment, union-attr]
            if parent._pass_grad is not zero:
                parent._pass_grad = zero
                if parent._p0 is None:
                    leaf(parent)
                else:
                    found(parent)
                    push(parent)
    interior.sort(key=by_creation, reverse=True)  # newest first: see topo.py
    return interior, leaves


_FIELD_HINTS = {
    "data": ("a float", "assign a number: v.data = 1.5"),
    "grad": ("a float", "set it to a number such as 0.0 (zero_grad() zeroes a whole graph)"),
    "label": ("a str", 'assign a string: v.label = "w"'),
}


def _check_fields(nodes: Sequence[Value], who: str, fields: Sequence[str] = ("data", "grad", "label")) -> None:
    """A TypeError naming the first of ``nodes`` whose ``fields`` hold the wrong type, if there is one.

    Ops cannot check what user code assigns to ``.data``, ``.grad`` or
    ``.label`` later without slowing every op down; the functions that read
    many nodes (backward, drawing, tracing) call this on their error path or
    before they write anything, so a wrong assignment is named, not met as a
    bare Python error deep inside.
    """
    for node in nodes:
        for field in fields:
            x = getattr(node, field)
            if field == "label":
                ok = isinstance(x, str)
            else:
                ok = type(x) is float or (isinstance(x, Real) and not isinstance(x, bool))
            if not ok:
                expected, hint = _FIELD_HINTS[field]
                raise TypeError(
                    f"{who}: Value {_describe(node)} has .{field} {_short_repr(x)} of type {type(x).__name__}, "
                    f"not {expected}; {hint}"
                ) from None


def _constant(x: object, op: str, other: Value) -> Value:
    """A leaf Value for a plain number met by ``op``; a clear TypeError for anything else."""
    if type(x) is float or type(x) is int or (isinstance(x, Real) and not isinstance(x, bool)):
        try:
            return _unary(float(x), None, 0.0, "")  # no input: a leaf
        except OverflowError:  # an int beyond a float's range
            _as_float(x, f"{op}: the number operand with Value {_describe(other)}")
    raise TypeError(
        f"{op}: unsupported operand {x!r} of type {type(x).__name__} with Value {_describe(other)}; "
        "use a Value, an int or a float"
    )


def _checked_edges(
    parents: Sequence[Value], local_grads: Sequence[float], op: str
) -> tuple[tuple[Value, ...], tuple[float, ...]]:
    """``from_op``'s arguments checked (one local gradient per parent, parents are Values) and as tuples."""
    if type(op) is not str:
        raise TypeError(
            f"Value.from_op(op): the op's display name must be a str, got {_short_repr(op)} of type "
            f'{type(op).__name__}; pass a name such as "softplus"'
        )
    if type(parents) is not tuple:
        parents = _as_tuple(parents, "parents", "Values", op)
    if type(local_grads) is not tuple:
        local_grads = _as_tuple(local_grads, "local_grads", "numbers", op)
    if len(parents) != len(local_grads):
        raise ValueError(
            f"Value.from_op({op!r}): {len(parents)} parents but {len(local_grads)} local gradients;"
            " give one local gradient per parent"
        )
    for i, p in enumerate(parents):
        if not isinstance(p, Value):
            raise TypeError(f"Value.from_op({op!r}): parents[{i}] is {p!r}, not a Value")
    return parents, tuple(_as_float(g, f"Value.from_op({op!r}) local_grads") for g in local_grads)


def _as_tuple(items: Iterable[_T], name: str, kind: str, op: str) -> tuple[_T, ...]:
    """``from_op``'s ``parents`` or ``local_grads`` as a tuple; a TypeError naming the argument if not a sequence."""
    if isinstance(items, (Value, str)) or not hasattr(items, "__iter__"):
        if isinstance(items, Value):
            given = f"the single Value {_describe(items)}"
        else:
            given = f"{_short_repr(items)} of type {type(items).__name__}"
        one = "(x,)" if name == "parents" else "(g,)"
        raise TypeError(
            f"Value.from_op({op!r}): {name} must be a sequence of {kind}, one per input, got {given}; "
            f"for a single input write a tuple of one: {one}"
        )
    return tuple(items)


def _power(a: float, c: float, op: str, operand: Value) -> float:
    """``a ** c`` as a float, with an overflow error that names the op and the operand."""
    try:
        y: float = a**c  # typeshed: Any, as a negative base may give a complex; the callers checked the domain
    except OverflowError:
        raise OverflowError(f"{op}: {_describe(operand)} ** {c!r} overflows a float") from None
    return y


def _power_and_slope(base: Value, c: float, op: str, exponent_text: str) -> tuple[float, float]:
    """``base.data ** c`` and its derivative with respect to the base, after checking the domain."""
    a = base.data
    if a < 0.0 and not c.is_integer() and math.isfinite(c):  # (-8) ** nan is nan, (-8) ** inf is inf
        raise ValueError(
            f"{op}: a negative base {_describe(base)} has no real power {exponent_text}; "
            "use an integer exponent or a positive base"
        )
    if a == 0.0 and c < 0.0:
        raise ZeroDivisionError(f"{op}: zero base {_describe(base)} with negative exponent {exponent_text}")
    y = _power(a, c, op, base)
    # d(a^c)/da = c * a^(c-1); at a = 0 that is 0 for c > 1 and infinite for 0 < c < 1
    if a == 0.0 and c < 1.0:
        return y, 0.0 if c == 0.0 else math.inf
    return y, c * _power(a, c - 1.0, op, base)


def _pow_values(base: Value, exponent: Value) -> Value:
    """``base ** exponent`` with both sides in the graph."""
    a = base.data
    y, d_base = _power_and_slope(base, exponent.data, "**", _describe(exponent))
    # d(a^b)/db = a^b * ln(a): 0 at a = 0 (b > 0); undefined (nan) for a < 0, as in PyTorch
    if a > 0.0:
        d_exponent = y * math.log(a)
    elif a == 0.0:
        d_exponent = 0.0
    else:
        d_exponent = math.nan
    return _binary(y, base, exponent, d_base, d_exponent, "**")
