"""``trace_backward``: the backward pass, one chain-rule step per edge, as data you can print."""

from __future__ import annotations

from dataclasses import dataclass

from autograd.topo import topological_order
from autograd.value import Value, _check_fields, _pass_lock

__all__ = ["BackwardStep", "trace_backward", "node_names", "format_number"]


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """One edge of the backward pass: ``parent.grad += local_grad * upstream``.

    ``node`` is the Value whose gradient flows back, ``parent`` is its argument
    number ``index`` (``node.parents[index] is parent``), ``local_grad`` is
    d node / d parent, ``upstream`` is d root / d node (complete when used) and
    ``contribution = local_grad * upstream`` is what the step adds to the parent.
    ``grad_after`` is the parent's ``.grad`` as it stands after this step
    (gradients of earlier passes included). ``node_position`` and
    ``parent_position`` are places in ``topological_order(root)``: the nodes
    ``v{position}`` of ``draw_graph``; ``edge_id`` is the id of the edge drawn.
    """

    node: Value
    parent: Value
    index: int
    local_grad: float
    upstream: float
    contribution: float
    grad_after: float
    node_position: int
    parent_position: int
    node_name: str
    parent_name: str

    @property
    def edge_id(self) -> str:
        """The ``id`` of this edge in ``draw_graph``'s output: ``e{node_position}_{index}``."""
        return f"e{self.node_position}_{self.index}"

    def __str__(self) -> str:
        return (
            f"{self.parent_name}.grad += {format_number(self.local_grad)} * "
            f"{format_number(self.upstream)} = {format_number(self.contribution)}"
        )


def format_number(x: float) -> str:
    """A float as a person reads it: rounded to 4 significant digits, written as Python writes floats.

    >>> format_number(0.42), format_number(1.0), format_number(-0.123456), format_number(0.00134093)
    ('0.42', '1.0', '-0.1235', '0.001341')
    >>> format_number(2e-7), format_number(-0.0), format_number(float("inf"))
    ('2e-07', '0.0', 'inf')
    """
    if x == 0.0:
        return "0.0"  # also -0.0: the sign of a zero gradient means nothing here
    return repr(float(f"{x:.4g}"))


# Stand-in names of unlabelled nodes made by the symbolic ops; others use the op's name.
_OP_WORDS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def node_names(order: list[Value]) -> list[str]:
    """The name of each node in ``order`` (a ``topological_order``): its label, or a stand-in.

    An unlabelled node made by an op is called after the op and its position:
    ``tanh#5``, ``mul#3`` (``add``, ``sub``, ``mul``, ``div`` and ``pow`` for
    ``+ - * / **``); an unlabelled leaf is ``leaf#{position}`` (a number like the
    ``2`` in ``2 * a`` becomes such a leaf). The position is the node's place in
    ``order``, the same ``i`` as the node ``v{i}`` of ``draw_graph``.

    >>> a = Value(2.0, label="a")
    >>> node_names(topological_order((2 * a).tanh()))
    ['leaf#0', 'a', 'mul#2', 'tanh#3']
    """
    return [v.label or (f"{_op_word(v.op)}#{i}" if v.op else f"leaf#{i}") for i, v in enumerate(order)]


def _op_word(op: str) -> str:
    return "pow" if op.startswith("**") else _OP_WORDS.get(op, op)


def trace_backward(root: Value) -> list[BackwardStep]:
    """Run the backward pass of ``root`` and return its steps in the order applied.

    The effect on every ``.grad`` is exactly that of ``root.backward()``, bit for
    bit: the nodes are visited newest first (reverse topological order), each
    passing its complete gradient to its arguments in argument order; each
    node's gradient of this pass is summed from 0.0 (the root's is 1.0) and then
    added to what it held before, so a second call doubles every gradient.
    There is one step per edge, so ``a * a`` gives two steps into ``a``.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b; y.label = "y"
    >>> for step in trace_backward(y):
    ...     print(step)
    a.grad += -3.0 * 1.0 = -3.0
    b.grad += 2.0 * 1.0 = 2.0
    >>> a.grad, b.grad, y.grad
    (-3.0, 2.0, 1.0)
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_backward: expected a Value as root, got {root!r} of type {type(root).__name__}")
    order = topological_order(root)
    _check_fields(order, "trace_backward", ("grad", "label"))
    names = node_names(order)
    position = {v: i for i, v in enumerate(order)}
    steps: list[BackwardStep] = []
    with _pass_lock:  # no backward() of another thread between reading .grad and writing it
        earlier = [v.grad for v in order]
        this_pass = [0.0] * len(order)
        this_pass[-1] = 1.0  # the root is last: d root / d root
        for i in range(len(order) - 1, -1, -1):
            node = order[i]
            upstream = this_pass[i]  # complete: every consumer of node is newer and came first
            for k, (parent, local) in enumerate(zip(node.parents, node.local_grads, strict=True)):
                j = position[parent]
                contribution = local * upstream
                this_pass[j] += contribution
                steps.append(
                    BackwardStep(
                        node,
                        parent,
                        k,
                        local,
                        upstream,
                        contribution,
                        this_pass[j] + earlier[j],
                        i,
                        j,
                        names[i],
                        names[j],
                    )
                )
        # Only now is any .grad written, one store per node: interrupted here,
        # each node has its old gradient or its new one, and nothing else.
        for v, new, old in zip(order, this_pass, earlier, strict=True):
            v.grad = new + old
    return steps
