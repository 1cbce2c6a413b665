"""Why backward needs a topological order: a naive recursive backward gets ``b = a + a; c = b + b`` wrong.

Usage::

    python -m demos.topo                       # both gradients, step by step; out/topo_graph.svg
    python -m demos.topo --value 3 --depth 8   # another a, a longer table of chains
    python -m demos.topo --graph topo.png      # the graph elsewhere (.svg .png .pdf .dot)
    python -m demos.topo --no-graph            # no picture (needs no Graphviz)
    python -m demos.topo --quiet               # the results only, without the step-by-step arithmetic

``c = b + b = 4a``, so dc/da = 4. The naive backward that many first attempts
write, "for each parent: add local * my grad to its grad, then recurse into it",
makes ``b`` pass its gradient down twice: once after its first use has reported
(b.grad = 1) and again after both have (b.grad = 2). ``a`` collects 1 + 1 + 2 + 2
= 6. Walking the nodes in reverse topological order, as ``backward()`` does,
finishes each node's gradient before passing it on, and gives 4.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from autograd import Value, save_graph, topological_order
from demos._common import DOT_SUFFIXES, GRAPH_SUFFIXES, DemoParser, count, number, run

__all__ = ["main", "doubling_chain", "naive_backward_WRONG", "topological_backward"]

MAX_DEPTH = 18  # the naive walk takes 2^depth paths: 2^18 is about a quarter of a million calls
NAMES = "abcdefghijklmnopqrstuvwxyz"

Log = Callable[[str], None]


def doubling_chain(value: float, depth: int) -> tuple[Value, Value]:
    """``(a, out)`` with ``b = a + a``, ``c = b + b``, ... ``depth`` times, so ``out = 2**depth * a``.

    >>> a, c = doubling_chain(2.0, 2)
    >>> c.data, c.label, [p.label for p in c.parents]
    (8.0, 'c', ['b', 'b'])
    """
    a = Value(value, label="a")
    x = a
    for k in range(1, depth + 1):
        x = x + x
        x.label = NAMES[k] if k < len(NAMES) else f"x{k}"
    return a, x


def _step(node: Value, parent: Value, local: float, log: Log | None) -> None:
    """``parent.grad += local * node.grad``, written to ``log`` as one line of arithmetic."""
    before_upstream = node.grad
    parent.grad += local * before_upstream
    if log is not None:
        log(f"{parent.label}.grad += {local:g} * {before_upstream:g} = {parent.grad:g}    (from {node.label})")


def naive_backward_WRONG(root: Value, log: Log | None = None) -> int:  # noqa: N802  (the name warns)
    """WRONG on purpose: the recursive backward that pushes a node's grad each time it is reached.

    Sets ``root.grad = 1`` and, for every parent, adds ``local * node.grad`` and
    recurses into the parent at once, before the parent has heard from its other
    uses. A node used twice is walked twice and passes its (growing) gradient
    down each time. Returns how many nodes it visited.

    >>> a, c = doubling_chain(2.0, 2)
    >>> naive_backward_WRONG(c)
    7
    >>> a.grad   # the right answer is 4
    6.0
    """
    root.grad = 1.0
    calls = 0

    def visit(node: Value) -> None:
        nonlocal calls
        calls += 1
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            _step(node, parent, local, log)
            visit(parent)  # too early: parent.grad may still be missing contributions

    visit(root)
    return calls


def topological_backward(root: Value, log: Log | None = None) -> list[Value]:
    """The right backward: nodes in reverse topological order, each finished before it is used.

    Returns the order in which nodes were visited (the root first).

    >>> a, c = doubling_chain(2.0, 2)
    >>> [v.label for v in topological_backward(c)]
    ['c', 'b', 'a']
    >>> a.grad
    4.0
    """
    order = list(reversed(topological_order(root)))
    root.grad = 1.0
    for node in order:  # every consumer of `node` comes earlier in this list
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            _step(node, parent, local, log)
    return order


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = DemoParser(
        "python -m demos.topo",
        "b = a + a, c = b + b: a naive recursive backward gives dc/da = 6, the topological order gives 4.",
    )
    parser.add_argument(
        "--value", type=number(), default=2.0, help="the value of a (default 2; the gradients do not depend on it)"
    )
    parser.add_argument(
        "--depth",
        type=count(1, MAX_DEPTH),
        default=5,
        help=f"longest chain of doublings in the table (1..{MAX_DEPTH}, default 5)",
    )
    parser.add_output(
        "--graph",
        "topo_graph.svg",
        GRAPH_SUFFIXES,
        "where to draw c's graph with the right gradients",
        unless="no_graph",
        needs_dot=DOT_SUFFIXES,
    )
    parser.add_argument("--no-graph", action="store_true", help="draw no graph")
    parser.add_quiet("the results only: leave out the step-by-step arithmetic of both backward passes")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``). Returns 0.

    A graph that cannot be written, or a graph picture without Graphviz's
    ``dot``, raises; ``python -m demos.topo`` reports it in one line.
    """
    args = _parse(argv)
    step: Log | None = None if args.quiet else (lambda line: print("  " + line))

    a, c = doubling_chain(args.value, 2)
    print(f"b = a + a,  c = b + b,  a = {a.data:g}:  c = 4a = {c.data:g}, so dc/da = 4.")
    print()
    print("Naive recursive backward (WRONG): for each parent, parent.grad += local * node.grad, then recurse")
    naive_backward_WRONG(c, log=step)
    wrong = a.grad
    print(
        f"  naive dc/da = {wrong:g}   <- WRONG: b passed its gradient down before it was complete (1), then again (2)"
    )
    print()

    a, c = doubling_chain(args.value, 2)
    order = topological_order(c)
    print("Topological order (inputs first): " + ", ".join(v.label for v in order))
    print("backward() visits it in reverse, so every node has its full gradient before passing it on:")
    topological_backward(c, log=step)
    right = a.grad
    check_a, check_c = doubling_chain(args.value, 2)
    check_c.backward()
    print(f"  topological dc/da = {right:g}   <- right (c.backward() gives {check_a.grad:g})")
    print()

    print("Chains of doublings x1 = x0 + x0, x2 = x1 + x1, ...: d(x_n)/d(x0) = 2^n")
    print(f"  {'n':>3}  {'right':>8}  {'naive (wrong)':>14}  {'nodes visited, naive':>21}  {'topological':>11}")
    for n in range(1, args.depth + 1):
        x0, xn = doubling_chain(args.value, n)
        calls = naive_backward_WRONG(xn)
        naive = x0.grad
        x0, xn = doubling_chain(args.value, n)
        visited = len(topological_backward(xn))
        print(f"  {n:>3}  {x0.grad:>8g}  {naive:>14g}  {calls:>21}  {visited:>11}")

    if not args.no_graph:
        title = "b = a + a, c = b + b: the gradients of backward() (topological order)"
        path = save_graph(c, args.graph, title=title)
        print()
        print(f"graph of c with the right gradients: {path}")
    return 0


if __name__ == "__main__":
    run(main)
