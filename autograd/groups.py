"""Named groups of ops (a neuron, a layer, your own): recorded at no cost per op, found when a graph is drawn.

A group is the ops made between two moments of a forward pass, with a name
(``L1.N3``) and a kind (``"neuron"``, ``"layer"``, ``"group"``). Nothing is
recorded per op: every node made by an op already has a creation number
(``_seq``, from one counter), so a group needs only

- its start: one number taken from that counter when it begins, and
- a mark ``(start, info)`` stored on each of its outputs when it ends, in the
  ``_group`` slot of the output node (a slot that ``Value`` ops never set).

The mark lives and dies with the graph: no registry grows as a model trains.
Its members are found later, by :func:`find_groups`: the nodes reachable from
its outputs that were made after its start (their parents come before them,
so the walk stops at the first older node), plus the unlabelled constants
(``2`` in ``2 * x``) that only its ops use.

Users name groups of their own ops with :class:`group`::

    with group("softmax") as g:
        exps = [x.exp() for x in xs]
        total = sum(exps)
        probs = g.output([e / total for e in exps])

``nn``'s ``Neuron`` marks itself (one counter read before its ops, one attribute
store on its output after them) with a description that names its layer, so
every network's graph knows its neurons and, from them, its layers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence, TypeVar

from autograd.value import Value, _next_seq

__all__ = ["group", "GroupInfo", "Group", "find_groups", "innermost_groups", "begin_group", "mark_outputs", "KINDS"]

KINDS = ("neuron", "layer", "group")

F = TypeVar("F", bound=Callable[..., Any])

# Taking a number from the creation counter is how a group begins: every node
# made afterwards gets a larger ``_seq``. (The number itself is used by no node.)
begin_group: Callable[[], int] = _next_seq


class GroupInfo:
    """What a group is, independent of any one forward pass: name, kind, its parameters, a note.

    ``params`` are Values the group owns (a neuron's weights and bias): a
    collapsed drawing summarises their gradients in the group's box.
    ``note`` is shown beside the name (a neuron's activation). ``within`` and
    ``place``: a neuron's layer (its GroupInfo) and the neuron's number in it;
    find_groups puts each call of a layer together from its neurons, so a layer
    marks nothing itself. One GroupInfo serves every call of the same neuron,
    so marking a pass costs no allocation beyond the small ``(start, info)`` tuple.

    >>> GroupInfo("L1.N3", "neuron", note="relu")
    GroupInfo('L1.N3', 'neuron', note='relu')
    """

    __slots__ = ("name", "kind", "params", "note", "within", "place")

    def __init__(
        self,
        name: str,
        kind: str = "group",
        params: Iterable[Value] = (),
        note: str = "",
        *,
        within: GroupInfo | None = None,
        place: int = 0,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"group: name must be a str, got {name!r} of type {type(name).__name__}")
        if kind not in KINDS:
            raise ValueError(f"group: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        params = tuple(params)
        for n, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"group {name!r}: params[{n}] is {p!r}, not a Value")
        self.name = name
        self.kind = kind
        self.params = params
        self.note = str(note)
        self.within = within  # the layer whose neuron number `place` this is: see _layers
        self.place = place

    def __repr__(self) -> str:
        note = f", note={self.note!r}" if self.note else ""
        return f"GroupInfo({self.name!r}, {self.kind!r}{note})"


def mark_outputs(outputs: Any, start: int, info: GroupInfo) -> None:
    """Mark ``outputs`` (a Value, or a list/tuple of Values, nested) as the outputs of a group begun at ``start``.

    ``start`` is a number from :func:`begin_group` taken before the group's ops
    ran. A Value that is already the output of another group keeps both marks.

    >>> x = Value(2.0, label="x")
    >>> start = begin_group()
    >>> y = (x * x).exp()
    >>> mark_outputs(y, start, GroupInfo("square-exp"))
    >>> [g.name for g in find_groups([x, y.parents[0], y])]
    ['square-exp']
    """
    mark = (start, info)
    stack = [outputs]
    while stack:
        item = stack.pop()
        if isinstance(item, Value):
            old = getattr(item, "_group", None)
            item._group = mark if old is None else (old, mark)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            raise TypeError(
                f"group {info.name!r}: an output is {item!r} of type {type(item).__name__}; "
                "mark Values (or lists or tuples of Values)"
            )


class group:
    """Name the ops of a block or of a function as one group, drawn as a cluster or as one box.

    As a context manager, say which Values leave the group with ``g.output``
    (it returns its argument); as a decorator, the function's result (a Value
    or a list/tuple of Values) is the output. ``params``: Values the group owns,
    whose gradients a collapsed box summarises.

    >>> from autograd import Value, topological_order
    >>> x = Value(0.5, label="x")
    >>> with group("twice-exp") as g:
    ...     y = g.output((2 * x).exp())
    >>> [(grp.name, len(grp.members)) for grp in find_groups(topological_order(y))]  # 2, 2 * x, exp
    [('twice-exp', 3)]
    >>> @group("square")
    ... def square(v):
    ...     return v * v
    >>> [grp.name for grp in find_groups([x, square(x)])]
    ['square']

    Recording costs nothing per op: the group takes one number from the
    creation counter when it begins and stores a mark on its outputs.
    """

    def __init__(self, name: str, *, params: Iterable[Value] = ()) -> None:
        self.info = GroupInfo(name, "group", params)
        self._starts: list[int] = []
        self._marked: list[bool] = []

    def __enter__(self) -> group:
        self._starts.append(begin_group())
        self._marked.append(False)
        return self

    def output(self, values: Any) -> Any:
        """Mark ``values`` (a Value, or a list/tuple of Values) as outputs of this group; returns ``values``."""
        if not self._starts:
            raise RuntimeError(
                f"group {self.info.name!r}: output() is called outside its `with` block; call it inside"
            )
        mark_outputs(values, self._starts[-1], self.info)
        self._marked[-1] = True
        return values

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        self._starts.pop()
        marked = self._marked.pop()
        if error is None and not marked:
            raise ValueError(
                f"group {self.info.name!r}: no output was marked; call g.output(value) inside the `with` "
                "block on the Values that leave the group"
            )

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def grouped(*args: Any, **kwargs: Any) -> Any:
            start = begin_group()
            result = fn(*args, **kwargs)
            mark_outputs(result, start, self.info)
            return result

        return grouped  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"group({self.info.name!r})"


@dataclass(frozen=True)
class Group:
    """One group found in a graph: what :func:`find_groups` returns.

    Positions are places in ``order`` (the ``topological_order`` of the root),
    so ``order[i]`` is the Value drawn as node ``v{i}``.

    - ``index``: this group's place in the list; its cluster is ``cluster_g{index}``
      and, when collapsed, its box is node ``g{index}``.
    - ``name``, ``kind`` (``"neuron"``, ``"layer"`` or ``"group"``), ``note``
      (a neuron's activation, ``""`` when none).
    - ``members``: sorted positions of the Values the group made (its outputs
      included) plus unlabelled constants only its ops use.
    - ``outputs``: sorted positions of its outputs (the Values that leave it).
    - ``params``: positions of the parameters it owns, in its own order (a
      neuron's ``w0, w1, ..., b``). Not in ``members``: the same parameters belong to
      every call of the neuron, and other ops (a weight penalty) may use them.
    - ``parent``: index of the innermost group around it (a neuron's layer), or None;
      ``parent_name`` its name.
    """

    index: int
    name: str
    kind: str
    note: str
    members: tuple[int, ...]
    outputs: tuple[int, ...]
    params: tuple[int, ...]
    parent: int | None
    parent_name: str | None


def _marks(g: Any) -> Iterable[tuple[int, GroupInfo]]:
    """The ``(start, info)`` marks stored in a ``_group`` slot: one mark, or pairs of older and newer ones."""
    stack = [g]
    out = []
    while stack:
        item = stack.pop()
        if type(item[0]) is int:
            out.append(item)
        else:
            stack.extend(reversed(item))
    return out


def find_groups(order: Sequence[Value]) -> list[Group]:
    """The groups whose outputs are in ``order`` (a ``topological_order``), outer ones before inner ones.

    A group none of whose Values is in ``order`` after its start (an output
    made before the group began, or a pass under ``no_grad``) is left out.
    Groups nest (a layer's neurons) or are apart; the same neuron called twice
    gives two groups of the same name. Cost: one walk per group over its members.

    >>> from nn import MLP
    >>> from autograd import topological_order
    >>> model = MLP(2, [2, 1], seed=0)
    >>> order = topological_order(model([1.0, -1.0]))
    >>> [(g.index, g.name, g.kind, g.parent_name, len(g.members), len(g.params)) for g in find_groups(order)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(0, 'L0', 'layer', None, 14, 6), (1, 'L0.N0', 'neuron', 'L0', 7, 3), (2, 'L0.N1', 'neuron', 'L0', 7, 3),
     (3, 'L1', 'layer', None, 4, 3), (4, 'L1.N0', 'neuron', 'L1', 4, 3)]
    """
    position = {v: i for i, v in enumerate(order)}
    found: dict[int, tuple[GroupInfo, list[int]]] = {}
    for i, v in enumerate(order):
        g = getattr(v, "_group", None)
        if g is not None:
            for start, info in _marks(g):
                if v._seq > start:  # made inside the group
                    found.setdefault(start, (info, []))[1].append(i)
    if not found:
        return []
    consumers: list[list[int]] | None = None
    walked: dict[int, set[int]] = {}
    for start, (_, outputs) in found.items():
        members, constants = _walk(order, position, outputs, start)
        if constants:
            if consumers is None:
                consumers = _consumers(order, position)
            members.update(c for c in constants if all(user in members for user in consumers[c]))
        walked[start] = members
    # (sort key, info, outputs, members): a layer comes just before its first neuron
    entries = [((start, 1), info, outputs, walked[start]) for start, (info, outputs) in found.items()]
    entries += _layers(found, walked)
    entries.sort(key=lambda entry: entry[0])
    groups: list[Group] = []
    open_groups: list[tuple[int, int]] = []  # (index, last creation number) of groups that may still hold the next
    for (start, _), info, outputs, members in entries:
        params = list(dict.fromkeys(position[p] for p in info.params if p in position))
        end = max(order[i]._seq for i in outputs)
        while open_groups and open_groups[-1][1] < start:
            open_groups.pop()
        parent = open_groups[-1][0] if open_groups else None
        index = len(groups)
        groups.append(Group(
            index=index,
            name=info.name,
            kind=info.kind,
            note=info.note,
            members=tuple(sorted(members)),
            outputs=tuple(sorted(set(outputs))),
            params=tuple(params),
            parent=parent,
            parent_name=None if parent is None else groups[parent].name,
        ))
        open_groups.append((index, end))
    return groups


def _layers(
    found: dict[int, tuple[GroupInfo, list[int]]], walked: dict[int, set[int]]
) -> list[tuple[tuple[int, int], GroupInfo, list[int], set[int]]]:
    """The layer groups, put together from their neurons' marks: one call of a layer is a run of its
    neurons in increasing place (N0, N1, ...), so a layer costs its forward pass nothing at all."""
    layers = []
    current: tuple[GroupInfo, int, tuple[tuple[int, int], GroupInfo, list[int], set[int]]] | None = None
    for start in sorted(found):
        info, outputs = found[start]
        layer = info.within
        if layer is None:
            continue
        if current is not None and current[0] is layer and info.place > current[1]:
            entry = current[2]
            entry[2].extend(outputs)
            entry[3].update(walked[start])
        else:
            entry = ((start, 0), layer, list(outputs), set(walked[start]))
            layers.append(entry)
        current = (layer, info.place, entry)
    return layers


def _walk(
    order: Sequence[Value], position: dict[Value, int], outputs: list[int], start: int
) -> tuple[set[int], set[int]]:
    """Positions of the nodes made after ``start`` reachable from ``outputs``, and the unlabelled leaves they read."""
    members = set(outputs)
    constants: set[int] = set()
    stack = list(outputs)
    while stack:
        for parent in order[stack.pop()].parents:
            p = position[parent]
            if p in members or p in constants:
                continue
            if parent._seq > start:
                members.add(p)
                stack.append(p)
            elif not parent.parents and not parent.label:
                constants.add(p)
    return members, constants


def _consumers(order: Sequence[Value], position: dict[Value, int]) -> list[list[int]]:
    """For each position, the positions of the nodes that read it (once per argument)."""
    users: list[list[int]] = [[] for _ in order]
    for i, v in enumerate(order):
        for parent in v.parents:
            users[position[parent]].append(i)
    return users


def innermost_groups(groups: Sequence[Group], count: int) -> list[int | None]:
    """For each of ``count`` positions, the index of the innermost group it is a member of, or None.

    >>> from nn import Neuron
    >>> from autograd import topological_order
    >>> y = Neuron(1, seed=0)([2.0]) * 3
    >>> order = topological_order(y)
    >>> [v.label or v.op or v.data for v in order]
    [3.0, 'b', 'w0', 2.0, '*', '+', 'tanh', '*']
    >>> innermost_groups(find_groups(order), len(order))
    [None, None, None, 0, 0, 0, 0, None]
    """
    inner: list[int | None] = [None] * count
    for g in groups:  # outer groups come first, so inner ones overwrite them
        for i in g.members:
            inner[i] = g.index
    return inner
