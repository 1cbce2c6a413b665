"""The topological order that backward, tracing and rendering share: creation order.

Every node made by an op gets the next number of one counter (its ``_seq``)
when it is created, and its parents existed before it, so they have smaller
numbers. Sorting the nodes a root depends on by that number therefore puts
every input before every op that reads it. Finding the nodes is an iterative
walk (no recursion, so a chain of a million ops is fine) and the sort is
stable, so the same program gives the same order every time. Leaves (``_seq``
-1) come first, in the order the walk meets them.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograd.value import Value

__all__ = ["topological_order"]

by_creation = attrgetter("_seq")


def topological_order(root: Value) -> list[Value]:
    """Every Value that ``root`` depends on, ``root`` included, inputs before outputs.

    Each Value appears once, however often it is used.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> [v.label or v.op for v in topological_order(a * a + 1)]
    ['', 'a', '*', '+']
    """
    from autograd.value import Value  # here: value.py imports this module

    if not isinstance(root, Value):
        raise TypeError(
            f"topological_order: expected a Value as root, got {root!r} of type {type(root).__name__}; "
            "pass the Value whose graph you want, such as the loss"
        )
    nodes = [root]
    seen = {root}
    stack = [root]
    found, mark, push, pop = nodes.append, seen.add, stack.append, stack.pop
    while stack:
        for parent in pop().parents:
            if parent not in seen:
                mark(parent)
                found(parent)
                push(parent)
    nodes.sort(key=by_creation)
    return nodes
