"""What one press of "Step" shows on the explorer page: an edge, or a whole nn neuron with its textbook delta.

The backward pass has one step per edge. The page groups them into *units*:

- by edge, each step is a unit, except that a step that only sends gradient
  into a constant (the ``1`` of ``y - 1``) is folded into a neighbour;
- by neuron, the steps of one ``nn`` neuron's ops (found by
  :func:`autograd.groups.find_groups`) are one unit, written as the textbook
  writes backprop: ``δ = f'(z) · Σ w·δ_next``, then each parameter's
  gradient, next to the op-level steps it stands for.

A unit is ``[first, end, host, neuron]``: the steps ``first .. end-1``; ``host``
the step it is shown as (``-1`` for a neuron); ``neuron`` the index into the
list of neurons (``-1`` for an edge). A neuron's steps are consecutive in the
backward pass (its ops were made one after another, and the pass visits nodes
newest first); one whose steps are not is left to be shown edge by edge.
"""

from __future__ import annotations

import bisect
import math
from decimal import Decimal
from typing import Any

from autograd.explorer_maths import Formula, Token, half_unit, operand, read, relation
from autograd.groups import Group
from autograd.render import format_field
from autograd.trace import BackwardStep
from autograd.value import Value

__all__ = ["units", "neurons", "ACTIVATIONS"]

ACTIVATIONS = ("tanh", "sigmoid", "relu")  # the ops an nn neuron may end with; without one it is linear


def units(steps: list[dict[str, Any]], block_of: list[int] | None = None) -> list[list[int]] | None:
    """The units of the page's steps (see the module's text). ``block_of[n]``: the neuron whose unit step
    ``n`` is in, or ``-1``. Steps into constants (``"k"`` in the step) outside neurons fold into the unit of
    the same node next to them, else into the one before (at the very start, the one after). ``None`` when
    there is nothing to fold into (every step goes into a constant).

    >>> steps = [{"node": 3}, {"node": 3, "k": 1}, {"node": 2}, {"node": 1}, {"node": 1}]
    >>> units(steps), units(steps, [-1, -1, 0, 0, 0])
    ([[0, 2, 0, -1], [2, 3, 2, -1], [3, 4, 3, -1], [4, 5, 4, -1]], [[0, 2, 0, -1], [2, 5, -1, 0]])
    """
    count = len(steps)
    block = block_of if block_of is not None else [-1] * count
    head = [-1] * count  # the first step of the unit each step is in
    kind: dict[int, tuple[int, int]] = {}  # first step of a unit -> (host, neuron)
    n = 0
    while n < count:
        if block[n] >= 0:
            end = n
            while end < count and block[end] == block[n]:
                head[end] = n
                end += 1
            kind[n] = (-1, block[n])
            n = end
            continue
        if "k" not in steps[n]:
            head[n] = n
            kind[n] = (n, -1)
        n += 1
    heads = sorted(kind)
    if not heads:
        return None
    for n in range(count):
        if head[n] >= 0:
            continue
        at = bisect.bisect_left(heads, n)
        before = heads[at - 1] if at > 0 else None
        after = heads[at] if at < len(heads) else None
        if after is not None and kind[after][0] >= 0 and steps[after]["node"] == steps[n]["node"]:
            head[n] = after
        elif before is not None:
            head[n] = before
        else:
            head[n] = after  # type: ignore[assignment]
    first = {h: count for h in heads}
    last = {h: -1 for h in heads}
    size = dict.fromkeys(heads, 0)
    for n, h in enumerate(head):
        first[h], last[h], size[h] = min(first[h], n), max(last[h], n), size[h] + 1
    out = []
    for h in heads:
        assert size[h] == last[h] - first[h] + 1, "a unit is a run of steps"
        out.append([first[h], last[h] + 1, *kind[h]])
    return out


def neurons(
    order: list[Value],
    groups: list[Group],
    steps: list[BackwardStep],
    shown: list[dict[str, Any]],
    decimals: int,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Each nn neuron's unit as the page shows it, and for each step the neuron whose unit it is in (or -1).

    ``shown`` are the page's steps (their numbers as displayed). A neuron
    entry holds its name and activation (``note``), the positions of ``z``
    (the sum) and ``h`` (its output), the steps ``first .. end-1``, the
    textbook lines as displayed: ``fp`` and ``fpc`` (f'(z) with names and with
    numbers), ``sum`` (``Σ w·δ_next``, the terms that made ``h.grad``),
    ``delta`` (``f'(z) · Σ = δ``), ``params`` (``[position, step]`` of each
    step that gives a parameter its gradient) and ``tol`` (for practice).
    """
    step_count = len(steps)
    block_of = [-1] * step_count
    member: dict[int, int] = {}  # position -> index of the neuron group holding it
    for g in groups:
        if g.kind == "neuron":
            for i in g.members:
                member[i] = g.index  # inner groups come after outer ones: the innermost neuron wins
    runs: dict[int, list[int]] = {}
    for n, step in enumerate(steps):
        owner = member.get(step.node_position)
        if owner is not None:
            runs.setdefault(owner, []).append(n)
    into: dict[int, list[int]] = {}
    for n, step in enumerate(steps):
        into.setdefault(step.parent_position, []).append(n)
    out: list[dict[str, Any]] = []
    for g in groups:
        run = runs.get(g.index)
        if g.kind != "neuron" or not run or run != list(range(run[0], run[-1] + 1)) or len(g.outputs) != 1:
            continue
        entry = _neuron(order, g, run, into, member, steps, shown, decimals)
        for n in run:
            block_of[n] = len(out)
        out.append(entry)
    return out, block_of


def _neuron(
    order: list[Value],
    g: Group,
    run: list[int],
    into: dict[int, list[int]],
    member: dict[int, int],
    steps: list[BackwardStep],
    shown: list[dict[str, Any]],
    decimals: int,
) -> dict[str, Any]:
    """One neuron's unit: δ = f'(z) · Σ w·δ_next with the numbers shown, and its parameters' gradients."""
    (h,) = g.outputs
    out = order[h]
    act = None  # the step through the activation, z -> h
    z = h
    if out.op in ACTIVATIONS:
        act = next((n for n in run if steps[n].node_position == h), None)
        if act is not None:
            z = steps[act].parent_position

    def fmt(x: float) -> str:  # the boxes' format
        return format_field(x, decimals)

    h_grad, z_grad = _final(steps, into, h), _final(steps, into, z)
    # Σ w·δ_next: the terms that made h.grad, each local times upstream as shown
    terms = [(fmt(steps[n].local_grad), fmt(steps[n].upstream)) for n in into.get(h, [])]
    exact: Decimal | None = Decimal(0)
    for local, upstream in terms:
        a, b = read(local), read(upstream)
        exact = None if exact is None or a is None or b is None else exact + a * b
    text = " + ".join(f"{operand(a)} \u00d7 {operand(b)}" for a, b in terms)
    total = relation(Formula([], text, exact, False), h_grad, decimals) if terms else fmt(h_grad)
    # the textbook's Σ w·δ_next when every term comes from a weight product in a neuron of the next layer
    senders = [steps[n] for n in into.get(h, [])]
    from_neurons = bool(senders) and all(
        s.node.op == "*" and member.get(s.node_position, g.index) != g.index for s in senders
    )
    # δ = f'(z) · Σ
    entry: dict[str, Any] = {"name": g.name, "note": g.note, "z": z, "h": h, "first": run[0], "end": run[-1] + 1}
    if act is not None:
        fp = shown[act]
        entry.update(fp=fp["L"], fpc=fp["lc"])
        local, upstream = fmt(steps[act].local_grad), fmt(h_grad)
        a, b = read(local), read(upstream)
        product = None if a is None or b is None else a * b
        entry["delta"] = relation(Formula([], f"{local} \u00d7 {operand(upstream)}", product, False), z_grad, decimals)
        entry["tol"] = _tolerance(product, fmt(z_grad))
    else:
        entry.update(fp=None, fpc=fmt(1.0), delta=fmt(z_grad), tol=_tolerance(read(fmt(h_grad)), fmt(z_grad)))
    entry.update(sum=total, next=1 if from_neurons else 0, grad=fmt(z_grad))
    entry["params"] = [[steps[n].parent_position, n] for n in run if steps[n].parent_position in g.params]
    forward = _weighted_sum(order, z, g, decimals)
    if forward is not None:
        entry["fz"], entry["fzc"] = forward
    # what the textbook line reads: the weights w of Σ w·δ_next, and what f'(z) reads
    weights = {shown[n]["read"][0] for n in into.get(h, []) if from_neurons and shown[n].get("read")}
    entry["read"] = sorted(weights | set(shown[act].get("read", []) if act is not None else ()))
    return entry


def _weighted_sum(order: list[Value], z: int, g: Group, decimals: int) -> tuple[list[Token], str] | None:
    """The forward pass of a neuron's sum, ``z = b + w0·x0 + w1·x1 + ...``, with names and with the numbers
    shown; None when ``z`` is not such a chain of ``+`` and ``*`` (the way ``nn`` builds it)."""
    position = {v: i for i, v in enumerate(order)}
    terms: list[tuple[int, int]] = []  # (weight, input), last first
    node = order[z]
    while node.op == "+" and position[node] in g.members:
        rest, product = node.parents
        if product.op != "*" or position[product] not in g.members:
            return None
        w, x = (position[p] for p in product.parents)
        if w not in g.params:
            w, x = x, w
        terms.append((w, x))
        node = rest
    bias = position[node]
    if bias not in g.params or not terms:
        return None
    terms.reverse()
    symbols: list[Token] = [bias]
    for w, x in terms:
        symbols += [" + ", w, " \u00b7 ", x]
    shown = [format_field(order[bias].data, decimals)]
    exact = read(shown[0])
    for w, x in terms:
        a, b = format_field(order[w].data, decimals), format_field(order[x].data, decimals)
        shown.append(f"{operand(a)} \u00d7 {operand(b)}")
        ra, rb = read(a), read(b)
        exact = None if exact is None or ra is None or rb is None else exact + ra * rb
    text = " + ".join(shown)
    return symbols, relation(Formula([], text, exact, False), order[z].data, decimals)


def _final(steps: list[BackwardStep], into: dict[int, list[int]], position: int) -> float:
    """The gradient of this pass at ``position`` once every step into it is done (1 for the root)."""
    arrivals = into.get(position)
    return steps[arrivals[-1]].grad_after if arrivals else 1.0


def _tolerance(by_hand: Decimal | None, box: str) -> float | None:
    """How far a typed δ may be from the one shown: half a unit of its last digit, plus what working from the
    shown numbers changes."""
    value = read(box)
    if by_hand is None or value is None or not math.isfinite(float(value)):
        return None
    return float(f"{half_unit(box) + abs(by_hand - value):.2e}") * 1.01
