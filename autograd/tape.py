"""Record once, replay many: a function of Values compiled to straight-line code, one line per op.

``record(fn, inputs, params)`` calls ``fn`` once on Values and keeps the graph it
built: the *tape*, a list of ops in topological order, each with the indices of
the nodes it read. From the tape it writes the source of one Python function,
one line per op for the forward pass and one per edge for the backward pass,
each line filled in from the op's rule in ``autograd/rules.py``, and compiles it
once. Replaying the tape for new numbers makes no Values, walks no graph and
sorts nothing: it is the same arithmetic as ``Value`` and ``backward()``, in the
same order, so it gives the same bits, tens of nanoseconds per op.

Every leaf of the recorded graph is one of three things:

- an **input**: the Values ``record`` passes to ``fn`` (``fn(*inputs)``), one per
  number in ``inputs``; each replay gets new numbers for them;
- a **parameter**: the Values in ``params``; each replay reads their current
  ``.data`` (so an optimizer can change them) and gradients go to their ``.grad``;
- a **constant**: every other leaf (``2.0`` in ``x * 2.0``, a label, a Value
  ``fn`` reads from outside without listing it) keeps the value it had when
  recorded. Ops on constants only are worked out once, at recording.

A tape is the path ``fn`` took at the recorded inputs. Data-dependent maths
inside an op is fine (relu's kink, sigmoid's two formulas: the rules handle
them), but a Python ``if x.data > 0`` in ``fn`` is invisible to the tape, which
always replays the branch it saw. ``check(inputs)`` (or ``check_every=k``, every
k-th replay) calls ``fn`` again on Values and raises ``TapeMismatchError`` if
the graph is not the recorded one.

>>> from autograd import Value, record
>>> w = Value(-3.0, label="w")
>>> tape = record(lambda x, y: (x * y + w).tanh(), [1.0, 2.0], params=[w])
>>> tape
Tape(2 inputs, 1 parameter, 3 ops, 1 output)
>>> tape.forward([1.0, 2.0]) == (Value(1.0) * Value(2.0) + w).tanh().data
True
>>> out = tape.gradient([0.5, 4.0])     # new inputs: no Values made, no graph walked
>>> round(out.value, 6), [round(g, 6) for g in out.inputs], [round(g, 6) for g in out.params]
(-0.761594, [1.679897, 0.209987], [0.419974])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, cast

from autograd.grad_mode import enable_grad, no_grad
from autograd.rules import NAMESPACE, Rule, evaluate, numpy_namespace, rule_for
from autograd.topo import by_creation
from autograd.value import Value

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

__all__ = [
    "record",
    "Tape",
    "BatchedTape",
    "Gradient",
    "BatchedGradient",
    "TapeError",
    "TapeMismatchError",
]

Outputs = float | list[float]

INSTALL_NUMPY = "the batched tape needs NumPy: pip install 'gradtrace[fast]' (or pip install numpy)"


class TapeError(ValueError):
    """A tape cannot be recorded or replayed as asked: an op without a rule, wrong or non-finite inputs."""


class TapeMismatchError(TapeError):
    """The function builds a different graph now than when it was recorded: replaying would be wrong."""


class _DomainError(ArithmeticError):
    """Raised by a guard in generated code where Python would quietly make a complex number."""


class Gradient(NamedTuple):
    """A replay's outputs and gradients: ``value`` (a float, or a list for several outputs),
    ``inputs`` (d out / d input for each input; ``None`` when recorded with ``input_grads=False``)
    and ``params`` (d out / d parameter for each parameter)."""

    value: Outputs
    inputs: list[float] | None
    params: list[float]


class BatchedGradient(NamedTuple):
    """A batched replay: ``value`` (B,) or (B, outputs); ``inputs`` (B, inputs) or ``None``;
    ``params`` (P,), each summed over the batch (weighted by ``output_grads``)."""

    value: Array
    inputs: Array | None
    params: Array


# ------------------------------------------------------------------ recording
_INPUT, _PARAM, _CONST, _OP = "input", "parameter", "constant", "op"


class _Graph(NamedTuple):
    """The recorded graph as plain lists, one entry per node in topological order."""

    kinds: list[str]  # _INPUT, _PARAM, _CONST (other leaves) or _OP
    slots: list[int]  # which input / parameter a leaf is; -1 for the others
    ops: list[str]
    parents: list[tuple[int, ...]]
    data: list[float]  # each node's value when recorded
    labels: list[str]
    outputs: list[int]
    single: bool  # fn returned one Value, not a list

    def entry(self, i: int) -> tuple[object, ...]:
        """What ``check`` compares for node ``i``: its op and inputs, or what kind of leaf it is."""
        kind = self.kinds[i]
        if kind == _OP:
            return (self.ops[i], self.parents[i])
        if kind == _CONST:
            return (kind, self.data[i].hex())  # exact, and nan equals nan
        return (kind, self.slots[i])

    def describe(self, i: int, params: Sequence[Value]) -> str:
        """Node ``i`` in words, for error messages."""
        kind = self.kinds[i]
        if kind == _OP:
            return f"node {i}, op {self.ops[i]!r} of nodes {', '.join(map(str, self.parents[i]))}"
        if kind == _INPUT:
            return f"node {i}, input {self.slots[i]}"
        if kind == _PARAM:
            label = params[self.slots[i]].label
            return f"node {i}, parameter {self.slots[i]}" + (f" (label {label!r})" if label else "")
        label = f" (label {self.labels[i]!r})" if self.labels[i] else ""
        return f"node {i}, constant {self.data[i]!r}{label}"


def _roots(result: object, who: str) -> tuple[list[Value], bool]:
    """The output Values of ``fn``'s result and whether it was a single Value."""
    if isinstance(result, Value):
        return [result], True
    if isinstance(result, (list, tuple)) and result and all(isinstance(r, Value) for r in result):
        return list(result), False
    raise TapeError(f"{who}: fn must return a Value or a non-empty list of Values, got {result!r}")


def _walk(roots: list[Value]) -> list[Value]:
    """Every Value the roots depend on, inputs before outputs (topo.py's order, for several roots)."""
    found: list[Value] = []
    seen: set[int] = set()
    for root in roots:
        if id(root) not in seen:
            seen.add(id(root))
            found.append(root)
    stack = list(found)
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                found.append(parent)
                stack.append(parent)
    found.sort(key=by_creation)
    return found


def _trace(fn: Callable[..., object], xs: list[float], params: Sequence[Value], who: str) -> tuple[_Graph, list[Value]]:
    """Call ``fn`` on new input Values and describe the graph it returns; also its nodes, in the same order."""
    inputs = [Value(x, label=f"x{k}") for k, x in enumerate(xs)]
    with enable_grad():
        result = fn(*inputs)
    roots, single = _roots(result, who)
    nodes = _walk(roots)
    index = {id(n): i for i, n in enumerate(nodes)}
    input_slot = {id(v): k for k, v in enumerate(inputs)}
    param_slot = {id(p): k for k, p in enumerate(params)}
    graph = _Graph([], [], [], [], [], [], [index[id(r)] for r in roots], single)
    for node in nodes:
        parents = node.parents
        if parents:
            kind, slot = _OP, -1
        elif id(node) in input_slot:
            kind, slot = _INPUT, input_slot[id(node)]
        elif id(node) in param_slot:
            kind, slot = _PARAM, param_slot[id(node)]
        else:
            kind, slot = _CONST, -1
        graph.kinds.append(kind)
        graph.slots.append(slot)
        graph.ops.append(node.op)
        graph.parents.append(tuple(index[id(p)] for p in parents))
        graph.data.append(node.data)
        graph.labels.append(node.label)
    return graph, nodes


def _first_difference(old: _Graph, new: _Graph, params: Sequence[Value]) -> str | None:
    """Where two recordings of the same function differ, in words; ``None`` when they are the same graph."""
    for i in range(min(len(old.kinds), len(new.kinds))):
        if old.entry(i) != new.entry(i):
            return f"recorded {old.describe(i, params)}; now {new.describe(i, params)}"
    if len(old.kinds) != len(new.kinds):
        return f"the graph had {len(old.kinds)} nodes when recorded and has {len(new.kinds)} now"
    if old.outputs != new.outputs or old.single != new.single:
        return f"the outputs were nodes {old.outputs} when recorded and are nodes {new.outputs} now"
    return None


# ------------------------------------------------------------ writing the code
_OPERANDS = ("a", "b", "c", "y")


@functools.cache
def _template(expression: str, numpy: bool) -> tuple[str, frozenset[str]]:
    """A rule's expression as a format string over ``{a}``, ``{b}``, ``{c}``, ``{y}``, and the names it uses.

    For NumPy, ``x if test else z`` becomes ``where(test, x, z)`` and the helpers
    are renamed ``_np_exp`` etc. (the batched code also runs scalar lines).
    """
    import ast

    used: set[str] = set()

    class Rewrite(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.Name:
            if node.id in _OPERANDS:
                used.add(node.id)
                return ast.Name(id=f"__{node.id}__", ctx=ast.Load())
            return ast.Name(id=f"_np_{node.id}" if numpy else node.id, ctx=ast.Load())

        def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
            self.generic_visit(node)
            if not numpy:
                return node
            where = ast.Name(id="_np_where", ctx=ast.Load())
            return ast.Call(func=where, args=[node.test, node.body, node.orelse], keywords=[])

    tree = Rewrite().visit(ast.parse(expression, mode="eval"))
    text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")
    for name in used:
        text = text.replace(f"__{name}__", "{" + name + "}")
    return text, frozenset(used)


def _literal(x: float) -> str:
    """A float as Python source that reads back exactly, safe to put in any expression."""
    if x != x:
        return "nan"
    text = repr(x)  # repr(inf) is 'inf', the namespace's name for it
    return f"({text})" if text.startswith("-") else text


_ATOM = re.compile(r"[A-Za-z_]\w*|\d+\.\d*(e[-+]\d+)?|\(-[\w.+-]+\)")  # a name, or what _literal writes


def _atom(text: str) -> str:
    """``text`` in parentheses unless it is a name or a literal already."""
    return text if _ATOM.fullmatch(text) else f"({text})"


_MAX_DEPTH = 24  # ops nested in one expression before a value gets a name (the parser allows ~200 parentheses)
_MAX_TERMS = 64  # gradient contributions summed on one line (longer sums strain the compiler's recursion)


class _Plan:
    """What the code writer needs to know about each node, worked out once per tape."""

    def __init__(self, graph: _Graph, n_inputs: int, n_params: int, input_grads: bool, who: str) -> None:
        n = len(graph.kinds)
        self.graph = graph
        self.rules: list[tuple[Rule, dict[str, float]] | None] = [None] * n
        live = self.live = [False] * n  # depends on an input or a parameter: computed at every replay
        batched = self.batched = [False] * n  # depends on an input: an array over the batch, batched
        want = self.want = [False] * n  # needs a gradient: leads to a parameter (or an input, with input_grads)
        self.input_node = [-1] * n_inputs  # the node of each input (-1: fn does not use it)
        self.param_node = [-1] * n_params
        for i, kind in enumerate(graph.kinds):
            if kind == _OP:
                for j in graph.parents[i]:
                    live[i] = live[i] or live[j]
                    batched[i] = batched[i] or batched[j]
                    want[i] = want[i] or want[j]
                if live[i]:
                    self.rules[i] = _rule(graph, i, who)
            elif kind == _INPUT:
                live[i] = batched[i] = True
                want[i] = input_grads
                self.input_node[graph.slots[i]] = i
            elif kind == _PARAM:
                live[i] = want[i] = True
                self.param_node[graph.slots[i]] = i
        self.ops = [i for i in range(n) if live[i] and graph.kinds[i] == _OP]
        self.text = [f"v{i}" if live[i] else _literal(graph.data[i]) for i in range(n)]

    def rule_of(self, i: int) -> tuple[Rule, dict[str, float]]:
        """The rule and constants of node ``i``, a live op: ``__init__`` found one for each (or raised)."""
        found = self.rules[i]
        assert found is not None, f"node {i} is not a live op"
        return found

    def source(self, gradient: bool, numpy: bool, input_grads: bool) -> str:
        """The replay function ``replay(x, p[, s])``: x the inputs, p the parameters, s the output gradients.

        Forward, a value read once and not needed by the backward pass is written
        inside the expression that reads it (``v9 = (v1 * v2) + v0``), not given
        a line of its own: fewer lines to compile and to run, the same operations
        in the same order. Backward, a node's gradient is the sum of its
        contributions, in the order ``backward()`` adds them, written when the node
        is reached. With ``numpy``, every node that depends on an input is an
        array over the batch, and a gradient that flows from such a node into one
        the whole batch shares (a parameter) is summed over the batch on the way.
        """
        graph, rule_of, want, batched = self.graph, self.rule_of, self.want, self.batched
        lines = [f"def replay(x, p{', s' if gradient else ''}):"]
        emit = lines.append
        if self.input_node:
            emit("    " + ", ".join(f"v{i}" if i >= 0 else "_" for i in self.input_node) + ", = x")
        if self.param_node:
            emit("    " + ", ".join(f"v{i}" if i >= 0 else "_" for i in self.param_node) + ", = p")

        named = self._named(gradient)
        code = list(self.text)  # how each node is written where it is read
        depth = [0] * len(code)
        for i in self.ops:  # forward
            rule, constants = rule_of(i)
            ps = graph.parents[i]
            names = self._operands(i, code)
            array = numpy and batched[i]
            guard = "" if array else _guard(rule, constants, names)
            if guard:
                emit(guard)
            expression = _template(rule.value, array)[0].format(**names)
            nested = 1 + max(depth[j] for j in ps)
            if named[i] or nested > _MAX_DEPTH:
                emit(f"    v{i} = {expression}")
                code[i] = f"v{i}"
            else:
                code[i] = f"({expression})"
                depth[i] = nested
        outputs = "[" + ", ".join(code[o] for o in graph.outputs) + "]"
        if not gradient:
            emit(f"    return {outputs}")
            return "\n".join(lines) + "\n"

        terms: dict[int, list[str]] = {}  # the contributions to each node's gradient so far, in order

        def total(j: int) -> str:
            """Node ``j``'s gradient as a name: the sum of its contributions, left to right."""
            parts = terms.pop(j)
            if len(parts) == 1 and parts[0].isidentifier():  # the same number: share its name
                return parts[0]
            for start in range(0, len(parts), _MAX_TERMS):
                so_far = f"g{j} + " if start else ""
                emit(f"    g{j} = {so_far}{' + '.join(parts[start : start + _MAX_TERMS])}")
            return f"g{j}"

        emit("    " + ", ".join(f"s{k}" for k in range(len(graph.outputs))) + ", = s")
        for k, o in enumerate(graph.outputs):
            if want[o]:
                terms.setdefault(o, []).append(f"s{k}" if not numpy or batched[o] else f"s{k}.sum()")
        for i in reversed(self.ops):  # backward: newest node first, inputs in argument order, as backward() does
            if not want[i] or i not in terms:
                continue
            upstream = total(i)
            rule, _ = rule_of(i)
            ps = graph.parents[i]
            names = self._operands(i, code)
            array = numpy and batched[i]
            for k, j in enumerate(ps):
                if want[j]:
                    summed = array and not batched[j]  # into a node the whole batch shares
                    terms.setdefault(j, []).append(self._contribution(i, k, names, upstream, array, summed))
        zero = "0.0"
        inputs = [total(i) if i in terms else zero for i in self.input_node]
        params = [total(i) if i in terms else zero for i in self.param_node]
        grads = f"[{', '.join(inputs)}]" if input_grads else "None"
        emit(f"    return {outputs}, {grads}, [{', '.join(params)}]")
        return "\n".join(lines) + "\n"

    def _named(self, gradient: bool) -> list[bool]:
        """Which values get a line and a name: read more than once, read by the backward pass, or an output."""
        graph = self.graph
        named = [False] * len(graph.kinds)
        reads = [0] * len(graph.kinds)
        for i in self.ops:
            rule = self.rule_of(i)[0]
            ps = graph.parents[i]
            for j in ps:
                reads[j] += 1
            if rule.op in _GUARDED:
                for j in ps:
                    named[j] = True
            if gradient and self.want[i]:
                for k, j in enumerate(ps):
                    if self.want[j]:
                        for name in _template(rule.grads[k], False)[1]:
                            if name == "y":
                                named[i] = True
                            elif name != "c":
                                named[ps[_OPERANDS.index(name)]] = True
        for i in self.ops:
            named[i] = named[i] or reads[i] != 1
        for o in graph.outputs:
            named[o] = True
        return named

    def _operands(self, i: int, code: list[str]) -> dict[str, str]:
        """The code for ``a``, ``b``, ``c`` and ``y`` in op node ``i``'s rule."""
        rule, constants = self.rule_of(i)
        ps = self.graph.parents[i]
        names = {"a": code[ps[0]], "y": f"v{i}"}
        if rule.arity == 2:
            names["b"] = code[ps[1]]
        if "c" in constants:
            names["c"] = _literal(constants["c"])
        return names

    def _contribution(self, i: int, k: int, names: dict[str, str], upstream: str, array: bool, summed: bool) -> str:
        """What node ``i`` adds to its ``k``-th input's gradient: local derivative times ``upstream``."""
        exact = self.rule_of(i)[0].grads[k]
        if exact == "1.0":  # 1.0 * g is g, bit for bit
            return f"{upstream}.sum()" if summed else upstream
        if exact == "-1.0":
            return f"-{upstream}.sum()" if summed else f"-{upstream}"
        code, used = _template(exact, array)
        local = _atom(code.format(**names))
        if not summed:
            return f"{local} * {upstream}"
        ps = self.graph.parents[i]
        if any(self.batched[i if n == "y" else ps[_OPERANDS.index(n)]] for n in used if n != "c"):
            return f"_np_dot({local}, {upstream})"  # sum over the batch of local * upstream
        return f"{local} * {upstream}.sum()"


_rule_for = functools.cache(rule_for)  # a graph repeats a few op names many times; never mutated


def _rule(graph: _Graph, i: int, who: str) -> tuple[Rule, dict[str, float]]:
    """The rule of op node ``i``, or a TapeError naming the op when it has none."""
    found = _rule_for(graph.ops[i])
    if found is None or found[0].arity != len(graph.parents[i]):
        label = f" (label {graph.labels[i]!r})" if graph.labels[i] else ""
        raise TapeError(
            f"{who}: node {i} is op {graph.ops[i]!r}{label} with value {graph.data[i]!r}, and "
            f"{graph.ops[i]!r} has no rule in autograd/rules.py (a Value.from_op primitive), so it "
            "cannot be replayed; write it with built-in ops (+, *, exp, log, ...) or use the plain path"
        )
    return found


_GUARDED = ("**", "**c")


def _guard(rule: Rule, constants: dict[str, float], names: dict[str, str]) -> str:
    """A line that stops the replay where Python's ``**`` would return a complex number
    (a negative base, a fractional power), so the engine's own error can be raised instead."""
    if rule.op == "**c" and not constants["c"].is_integer():
        return f"    if {names['a']} < 0.0: raise _DomainError"
    if rule.op == "**":
        return f"    if {names['a']} < 0.0 and not ({names['b']}).is_integer(): raise _DomainError"
    return ""


def _compile(source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The function ``replay`` defined by ``source``, compiled once."""
    scope: dict[str, Any] = {"_DomainError": _DomainError, **namespace}
    exec(compile(source, "<tape>", "exec"), scope)  # our own generated code
    replay: Callable[..., Any] = scope["replay"]
    return replay


# The engine's own op for each rule: a failed replay is redone with Values, so the
# error is the one the plain path raises, with the same message.
_ENGINE_OPS: dict[str, Callable[..., Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
    "**c": lambda a, c: a**c,
    "neg": lambda a: -a,
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
}

_REPLAY_ERRORS = (ArithmeticError, ValueError)


def _same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)


# -------------------------------------------------------------------- checking
def _floats(values: object, count: int | None, what: str, who: str) -> list[float]:
    """``values`` as ``count`` (any number for None) finite floats, or an error that says which one is wrong."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{who}: {what} must be a list of numbers, got {values!r}")
    try:
        xs = list(map(float, cast("Iterable[Any]", values)))  # anything else raises TypeError here
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {what} must be a list of numbers, got {values!r}") from None
    if count is not None and len(xs) != count:
        raise TapeError(f"{who}: expected {count} {what}, got {len(xs)}")
    total = sum(xs)
    if total - total != 0.0:  # one sum tells whether all are finite (or it overflowed: then look closer)
        for k, x in enumerate(xs):
            if x - x != 0.0:
                raise TapeError(f"{who}: {what}[{k}] is {x!r}; a tape replays finite numbers only")
    return xs


def _param_data(params: Sequence[Value], who: str) -> list[float]:
    data = [p.data for p in params]
    total = sum(data)
    if total - total != 0.0:
        for k, x in enumerate(data):
            if x - x != 0.0:
                label = f" (label {params[k].label!r})" if params[k].label else ""
                raise TapeError(
                    f"{who}: parameter {k}{label} is {x!r}; a tape replays finite numbers only "
                    "(if training diverged, lower the learning rate)"
                )
    return data


# ------------------------------------------------------------------- the tape
class Tape:
    """A recorded function, replayed in pure Python. Made by :func:`record`.

    ``forward(inputs)`` gives the output(s); ``gradient(inputs)`` the output(s)
    and d out / d input, d out / d parameter; ``backward(inputs)`` adds the
    parameters' gradients to their ``.grad`` as ``out.backward()`` would.
    ``batched()`` is the same tape over a whole batch with NumPy.
    ``source`` is the generated code, to read.
    """

    def __init__(
        self,
        fn: Callable[..., object],
        graph: _Graph,
        params: list[Value],
        n_inputs: int,
        input_grads: bool,
        check_every: int,
    ) -> None:
        self._fn = fn
        self._graph = graph
        self._plan = _Plan(graph, n_inputs, len(params), input_grads, "record")
        self.params = tuple(params)  # read at every replay; their .grad gets the gradients
        self.n_inputs = n_inputs
        self.n_outputs = len(graph.outputs)
        self.input_grads = input_grads
        self.check_every = check_every
        self.size = len(self._plan.ops)  # ops computed at each replay
        self._calls = 0
        self.source = self._plan.source(gradient=True, numpy=False, input_grads=input_grads)
        self._gradient = _compile(self.source, NAMESPACE)
        self._forward: Callable[..., Any] | None = None
        self._batched: BatchedTape | None = None

    def __repr__(self) -> str:
        counts = (
            (self.n_inputs, "input"),
            (len(self.params), "parameter"),
            (self.size, "op"),
            (self.n_outputs, "output"),
        )
        return "Tape(" + ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts) + ")"

    # ------------------------------------------------------------- replaying
    def forward(self, inputs: Sequence[float]) -> Outputs:
        """The output (a float; a list for several outputs) at ``inputs``, with the parameters' current values.

        >>> tape = record(lambda x: x * x + 1.0, [3.0])
        >>> tape.forward([4.0])
        17.0
        """
        who = "Tape.forward"
        xs = _floats(inputs, self.n_inputs, "inputs", who)
        pd = _param_data(self.params, who)
        self._tick(xs)
        return self._replay_forward(xs, pd, who)

    def gradient(self, inputs: Sequence[float], output_grads: Sequence[float] | None = None) -> Gradient:
        """Output(s) and gradients at ``inputs``; changes no ``.grad``.

        ``output_grads``: d loss / d output for each output (needed when there
        are several; 1.0 for a single output), as in PyTorch's ``backward(gradient)``.

        >>> tape = record(lambda x, y: x * y, [3.0, 4.0])
        >>> tape.gradient([5.0, -2.0])
        Gradient(value=-10.0, inputs=[-2.0, 5.0], params=[])
        """
        who = "Tape.gradient"
        xs = _floats(inputs, self.n_inputs, "inputs", who)
        pd = _param_data(self.params, who)
        seeds = self._seeds(output_grads, who)
        self._tick(xs)
        return self._replay(xs, pd, seeds, who)

    def backward(self, inputs: Sequence[float], output_grads: Sequence[float] | None = None) -> Outputs:
        """Replay at ``inputs`` and add d out / d parameter to each parameter's ``.grad``; return the output.

        The same effect on the parameters as ``fn(*inputs).backward()``, gradients
        accumulating until zeroed, as in PyTorch.

        >>> w = Value(3.0)
        >>> tape = record(lambda x: w * x, [1.0], params=[w])
        >>> tape.backward([2.0]), w.grad
        (6.0, 2.0)
        """
        result = self.gradient(inputs, output_grads)
        for p, g in zip(self.params, result.params, strict=True):
            p.grad += g
        return result.value

    def check(self, inputs: Sequence[float]) -> None:
        """Call ``fn`` on Values at ``inputs``; raise ``TapeMismatchError`` if its graph is not the recorded one.

        It costs one plain forward pass. The graph differs when ``fn`` takes
        another branch of a Python ``if`` on ``.data``, makes a different number
        of ops, bakes in different constants, or uses other parameter Values.

        >>> tape = record(lambda x: x * 2.0 if x.data > 0 else x * 3.0, [1.0])
        >>> tape.check([5.0])
        >>> tape.check([-5.0])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        autograd.tape.TapeMismatchError: Tape.check: ... (recorded node 1, constant 2.0; now node 1, constant 3.0). ...
        """
        who = "Tape.check"
        xs = _floats(inputs, self.n_inputs, "inputs", who)
        graph, _ = _trace(self._fn, xs, self.params, who)
        difference = _first_difference(self._graph, graph, self.params)
        if difference is not None:
            raise TapeMismatchError(
                f"{who}: fn builds another graph at these inputs than the one recorded ({difference}). "
                "A tape replays only the path it recorded (a Python `if` on .data, a constant computed from "
                "the data, a changed parameter list); record again at these inputs, or use the plain path"
            )

    def batched(self) -> BatchedTape:
        """The same tape over a batch: NumPy arrays, one per node (needs NumPy; made once, then kept).

        >>> batch = record(lambda x, y: x * y, [1.0, 1.0]).batched()
        >>> batch.forward([[1.0, 2.0], [3.0, 4.0]]).tolist()
        [2.0, 12.0]
        """
        if self._batched is None:
            self._batched = BatchedTape(self)
        return self._batched

    # ---------------------------------------------------------------- inside
    def _tick(self, xs: list[float]) -> None:
        if self.check_every:
            self._calls += 1
            if self._calls % self.check_every == 0:
                self.check(xs)

    def _seeds(self, output_grads: Sequence[float] | None, who: str) -> list[float]:
        if output_grads is None:
            if self.n_outputs != 1:
                raise TapeError(
                    f"{who}: the tape has {self.n_outputs} outputs; give output_grads, one number per output"
                )
            return [1.0]
        return _floats(output_grads, self.n_outputs, "output_grads", who)

    def _replay_forward(self, xs: list[float], pd: list[float], who: str) -> Outputs:
        if self._forward is None:  # written and compiled at the first forward-only replay
            self._forward = _compile(self._plan.source(gradient=False, numpy=False, input_grads=False), NAMESPACE)
        try:
            out = self._forward(xs, pd)
        except _REPLAY_ERRORS as err:
            self._diagnose(xs, pd, who, err)
        outputs: Outputs = out[0] if self._graph.single else out
        return outputs

    def _replay(self, xs: list[float], pd: list[float], seeds: list[float], who: str) -> Gradient:
        try:
            out, g_inputs, g_params = self._gradient(xs, pd, seeds)
        except _REPLAY_ERRORS as err:
            self._diagnose(xs, pd, who, err)
        return Gradient(out[0] if self._graph.single else out, g_inputs, g_params)

    def _diagnose(self, xs: list[float], pd: list[float], who: str, err: Exception) -> NoReturn:
        """Redo the failed replay with Values, op by op, so the engine raises its own error; name the node."""
        graph, plan = self._graph, self._plan
        values: list[Value] = []
        with no_grad():
            for i, kind in enumerate(graph.kinds):
                if kind == _INPUT:
                    v = Value(xs[graph.slots[i]], label=f"x{graph.slots[i]}")
                elif kind == _PARAM:
                    v = Value(pd[graph.slots[i]], label=self.params[graph.slots[i]].label)
                elif not plan.live[i]:
                    v = Value(graph.data[i], label=graph.labels[i])
                else:
                    rule, constants = plan.rule_of(i)
                    try:
                        v = _ENGINE_OPS[rule.op](*(values[j] for j in graph.parents[i]), **constants)
                    except _REPLAY_ERRORS as engine_error:
                        raise type(engine_error)(f"{who}: at node {i} of the tape: {engine_error}") from None
                values.append(v)
        raise TapeError(f"{who}: the replay failed with {err!r} where the same ops on Values do not") from err

    def _verify(self, nodes: list[Value]) -> None:
        """At the recording point the replay must give the plain path's numbers exactly; else find the node."""
        graph = self._graph
        xs = [0.0] * self.n_inputs  # an input fn does not use is 0.0
        for k, i in enumerate(self._plan.input_node):
            if i >= 0:
                xs[k] = nodes[i].data
        pd = [p.data for p in self.params]
        result = self._replay(xs, pd, [1.0] * self.n_outputs, "record")
        values = result.value if isinstance(result.value, list) else [result.value]
        agree = all(_same(v, graph.data[o]) for v, o in zip(values, graph.outputs, strict=True))
        if agree and self.n_outputs == 1:
            agree = all(
                _same(g, e) for g, e in zip(result.params, _engine_gradient(nodes, graph, self._plan), strict=True)
            )
        if not agree:
            raise TapeError(f"record: {_odd_node(nodes, self._plan)}")


def _engine_gradient(nodes: list[Value], graph: _Graph, plan: _Plan) -> list[float]:
    """d root / d parameter by ``backward()`` on the recorded graph, leaving every ``.grad`` as it was."""
    saved = [n.grad for n in nodes]
    try:
        for n in nodes:
            n.grad = 0.0
        nodes[graph.outputs[0]].backward()
        return [nodes[i].grad if i >= 0 else 0.0 for i in plan.param_node]
    finally:
        for n, g in zip(nodes, saved, strict=True):
            n.grad = g


def _odd_node(nodes: list[Value], plan: _Plan) -> str:
    """The first node whose value or local gradients are not its rule's: a from_op primitive with a built-in name."""
    for i, node in enumerate(nodes):
        found = plan.rules[i]
        if found is None:
            continue
        rule, constants = found
        names = dict(zip("ab", (p.data for p in node.parents), strict=False), **constants)  # b only if binary
        grads = [evaluate(code, y=node.data, **names) for code in rule.grads]
        if not _same(evaluate(rule.value, **names), node.data) or not all(
            _same(g, recorded) for g, recorded in zip(grads, node.local_grads, strict=True)
        ):
            return (
                f"node {i} (op {node.op!r}) does not compute what autograd/rules.py says {rule.op!r} computes; "
                "give a Value.from_op primitive an op name of its own (it then cannot be recorded)"
            )
    return "the replay disagrees with the plain path at the recording point; this is a bug in autograd/tape.py"


def record(
    fn: Callable[..., object],
    inputs: Sequence[float],
    params: Sequence[Value] = (),
    *,
    input_grads: bool = True,
    check_every: int = 0,
) -> Tape:
    """Call ``fn(*input_values)`` once and compile the graph it returns into a :class:`Tape`.

    ``inputs``: the numbers to record at, one per argument of ``fn``. ``params``:
    the Values whose current ``.data`` each replay reads and whose gradients it
    computes (e.g. ``model.parameters()``); every other leaf is a constant.
    ``input_grads=False`` skips d out / d input (training needs only the
    parameters'). ``check_every=k`` runs :meth:`Tape.check` on every k-th replay.

    The tape is checked once here: at ``inputs`` its outputs and gradients must
    equal the plain path's exactly. An op without a rule in ``autograd/rules.py``
    (a ``Value.from_op`` primitive) cannot be replayed: a ``TapeError`` names it.

    >>> tape = record(lambda x: (x.exp() + 1.0).log(), [0.0])   # softplus from built-in ops
    >>> round(tape.forward([2.0]), 6), round(tape.gradient([2.0]).inputs[0], 6)
    (2.126928, 0.880797)
    """
    who = "record"
    if not callable(fn):
        raise TypeError(f"{who}: fn must be a function of Values, got {fn!r}")
    xs = _floats(inputs, None, "inputs", who)
    if isinstance(params, Value):
        params = [params]
    try:
        values = list(params)
    except TypeError:
        raise TypeError(f"{who}: params must be a list of Values (e.g. model.parameters()), got {params!r}") from None
    seen: dict[int, int] = {}
    for k, p in enumerate(values):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params[{k}] is {p!r} of type {type(p).__name__}, not a Value")
        if p.parents:
            raise TapeError(f"{who}: params[{k}] {p!r} is the result of op {p.op!r}; parameters must be leaves")
        if id(p) in seen:
            raise TapeError(f"{who}: params[{k}] is the same Value as params[{seen[id(p)]}]; list each once")
        seen[id(p)] = k
    if not isinstance(check_every, int) or isinstance(check_every, bool) or check_every < 0:
        raise ValueError(f"{who}: check_every must be an int >= 0 (0: never), got {check_every!r}")
    graph, nodes = _trace(fn, xs, values, who)
    tape = Tape(fn, graph, values, len(xs), bool(input_grads), check_every)
    tape._verify(nodes)
    return tape


# ---------------------------------------------------------------- the batch
class BatchedTape:
    """A tape replayed for a whole batch at once: each node is a NumPy array over the batch.

    ``rows`` is an array of shape (B, inputs), one row per example. Parameters
    and constants are shared by every row; a parameter's gradient is the sum
    over the rows of d out_r / d parameter, each weighted by that row's
    ``output_grads`` (pass ``1 / B`` for a mean). Arithmetic warnings stop the
    batch (``np.errstate``) and it is redone row by row in pure Python, which
    either raises the plain path's own error or gives its numbers.

    >>> import numpy as np
    >>> w = Value(2.0)
    >>> batch = record(lambda x: (w * x).relu(), [1.0], params=[w]).batched()
    >>> out = batch.gradient(np.array([[1.0], [-1.0], [3.0]]))
    >>> out.value.tolist(), out.inputs[:, 0].tolist(), out.params.tolist()
    ([2.0, 0.0, 6.0], [2.0, 0.0, 2.0], [4.0])
    """

    def __init__(self, tape: Tape) -> None:
        try:
            import numpy as np
        except ImportError:
            raise ImportError(INSTALL_NUMPY) from None
        self._np = np
        self.tape = tape
        if tape.n_inputs == 0:
            raise TapeError("Tape.batched: the tape has no inputs, so a batch has nothing to vary")
        namespace: dict[str, Any] = dict(NAMESPACE)
        namespace.update({f"_np_{k}": v for k, v in numpy_namespace().items()})
        namespace.update(_np_where=np.where, _np_dot=np.dot)
        plan = tape._plan
        self.source = plan.source(gradient=True, numpy=True, input_grads=tape.input_grads)
        self._gradient = _compile(self.source, namespace)
        self._forward = _compile(plan.source(gradient=False, numpy=True, input_grads=False), namespace)
        self._calls = 0

    def __repr__(self) -> str:
        return f"BatchedTape({self.tape!r})"

    def forward(self, rows: Any) -> Array:
        """The outputs for every row: shape (B,), or (B, outputs) for several outputs.

        >>> record(lambda x: x.exp(), [0.0]).batched().forward([[0.0], [1.0]]).round(6).tolist()
        [1.0, 2.718282]
        """
        who = "BatchedTape.forward"
        np = self._np
        table = self._table(rows, who)
        pd = _param_data(self.tape.params, who)
        self._tick(table)
        try:
            with np.errstate(all="raise", under="ignore"):
                out = self._forward(np.ascontiguousarray(table.T), pd)
        except _REPLAY_ERRORS:  # some row needs the plain path's error, or its inf and nan: row by row
            rows_out = [self.tape._replay_forward(row, pd, f"{who} (row {r})") for r, row in enumerate(table.tolist())]
            by_rows: Array = np.array(rows_out, dtype=float)
            return by_rows
        return self._columns(out, len(table), self.tape._graph.single)

    def gradient(self, rows: Any, output_grads: Any = None) -> BatchedGradient:
        """Outputs and gradients for every row; changes no ``.grad``.

        ``output_grads``: the weight of each row's output(s), shape (B,) or
        (B, outputs); ones by default (for a single output). The parameters'
        gradients are summed over the rows.

        >>> w = Value(3.0)
        >>> out = record(lambda x: w * x * x, [1.0], [w]).batched().gradient([[1.0], [2.0]], [0.5, 0.5])
        >>> out.value.tolist(), out.inputs.tolist(), out.params.tolist()   # params: (1 + 4) / 2
        ([3.0, 12.0], [[3.0], [6.0]], [2.5])
        """
        who = "BatchedTape.gradient"
        np = self._np
        table = self._table(rows, who)
        pd = _param_data(self.tape.params, who)
        seeds = self._seeds(output_grads, len(table), who)
        self._tick(table)
        try:
            with np.errstate(all="raise", under="ignore"):
                out, g_inputs, g_params = self._gradient(np.ascontiguousarray(table.T), pd, list(seeds.T))
        except _REPLAY_ERRORS:
            return self._by_rows(table, pd, seeds, who)
        return BatchedGradient(
            self._columns(out, len(table), self.tape._graph.single),
            None if g_inputs is None else self._columns(g_inputs, len(table), False),
            np.array(g_params, dtype=float),
        )

    def backward(self, rows: Any, output_grads: Any = None) -> Array:
        """Replay every row and add the parameters' gradients (summed over the rows) to their ``.grad``.

        >>> w = Value(3.0)
        >>> record(lambda x: w * x, [1.0], [w]).batched().backward([[1.0], [2.0]]).tolist(), w.grad
        ([3.0, 6.0], 3.0)
        """
        result = self.gradient(rows, output_grads)
        for p, g in zip(self.tape.params, result.params.tolist(), strict=True):
            p.grad += g
        return result.value

    # ---------------------------------------------------------------- inside
    def _table(self, rows: Any, who: str) -> Array:
        """``rows`` as a finite float array of shape (B, inputs), or a clear error."""
        np = self._np
        n = self.tape.n_inputs
        try:
            table: Array = np.asarray(rows, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{who}: rows must be an array of numbers of shape (batch, {n}), got {rows!r}") from None
        if table.ndim != 2 or table.shape[1] != n or table.shape[0] == 0:
            raise TapeError(f"{who}: rows must have shape (batch, {n}) with at least one row; got {table.shape}")
        if not np.isfinite(table).all():
            r, k = (int(i) for i in np.argwhere(~np.isfinite(table))[0])
            raise TapeError(f"{who}: rows[{r}, {k}] is {float(table[r, k])!r}; a tape replays finite numbers only")
        return table

    def _seeds(self, output_grads: Any, rows: int, who: str) -> Array:
        np = self._np
        n = self.tape.n_outputs
        if output_grads is None:
            if n != 1:
                raise TapeError(f"{who}: the tape has {n} outputs; give output_grads of shape (batch, {n})")
            ones: Array = np.ones((rows, 1))
            return ones
        try:
            seeds: Array = np.asarray(output_grads, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{who}: output_grads must be an array of numbers, got {output_grads!r}") from None
        if seeds.ndim == 1 and n == 1:
            seeds = seeds[:, None]
        if seeds.shape != (rows, n):
            raise TapeError(f"{who}: output_grads must have shape ({rows}, {n}) (or ({rows},)); got {seeds.shape}")
        if not np.isfinite(seeds).all():
            raise TapeError(f"{who}: output_grads has a value that is not finite")
        return seeds

    def _columns(self, columns: list[Any], rows: int, single: bool) -> Array:
        """One array per output (or input) -> shape (rows, n); an entry shared by all rows is repeated."""
        table = self._np.empty((rows, len(columns)))
        for k, column in enumerate(columns):
            table[:, k] = column
        return table[:, 0] if single else table

    def _tick(self, table: Array) -> None:
        tape = self.tape
        if tape.check_every:
            self._calls += 1
            if self._calls % tape.check_every == 0:
                for row in table.tolist():
                    tape.check(row)

    def _by_rows(self, table: Array, pd: list[float], seeds: Array, who: str) -> BatchedGradient:
        """The batch one row at a time in pure Python: the plain path's error, or its exact numbers."""
        np, tape = self._np, self.tape
        results = [
            tape._replay(row, pd, row_seeds, f"{who} (row {r})")
            for r, (row, row_seeds) in enumerate(zip(table.tolist(), seeds.tolist(), strict=True))
        ]
        g_params = [0.0] * len(tape.params)
        for result in results:
            g_params = [a + b for a, b in zip(g_params, result.params, strict=True)]
        return BatchedGradient(
            np.array([r.value for r in results], dtype=float),
            np.array([r.inputs for r in results], dtype=float) if tape.input_grads else None,
            np.array(g_params, dtype=float),
        )
