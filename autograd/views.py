"""What a drawing shows and where: Values, op nodes, collapsed boxes, copies of much-used Values, clusters.

``draw_graph`` asks :func:`plan_view` for a plan and turns it into DOT. The
plan is pure bookkeeping, independent of colours and text:

- **Boxes.** With ``collapse="neuron"`` each neuron (and each of your own
  groups that holds no neuron or layer) becomes one node ``g{index}``; with
  ``"layer"`` each layer does. The Values a box holds (its members and its
  parameters) are not drawn on their own.
- **Clusters.** Every other group that holds something drawn becomes a
  labelled Graphviz cluster ``cluster_g{index}``.
- **Copies.** A Value used by ops far apart (a weight reused by every step of
  a loop, an input added to a long sum) is drawn again next to the far uses,
  as node ``v{i}_u{n}``; ``v{i}`` stays its first drawing. Far means more than
  ``SPAN`` ranks, where a rank is a column of the drawing counted back from
  the root (op nodes and Values alternate). Without copies such edges cross
  the whole drawing and Graphviz's layout time grows with the square of the
  graph: 80 uses of one leaf took ``dot`` 108 s. With them, ranking every node
  as late as possible already keeps each edge within ``SPAN`` ranks, so the
  layout ``dot`` finds (which minimises the total edge length) has at most
  ``SPAN - 1`` hidden bend points per edge, and it lays out in seconds.
  A Value held in a box but used outside it (a weight in a weight penalty)
  is always drawn as a copy at those uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from autograd.groups import Group, find_groups, innermost_groups
from autograd.value import Value

Site = tuple[str, int]  # ("op", i): the op node of position i; ("box", b): the box of group b

__all__ = ["plan_view", "View", "NodeItem", "EdgeItem", "COLLAPSE", "SPAN"]

COLLAPSE = (None, "neuron", "layer")
SPAN = 4  # the longest edge, in ranks, before the Value is drawn again near its use


@dataclass(frozen=True)
class NodeItem:
    """One node to draw: ``kind`` is ``"value"``, ``"copy"``, ``"op"`` or ``"box"``; ``index`` a position
    (a group index for a box); ``cluster`` the group index of the cluster it is drawn in, or None."""

    id: str
    kind: str
    index: int
    cluster: int | None


@dataclass(frozen=True)
class EdgeItem:
    """One edge to draw from node ``tail`` to node ``head``, standing for the graph's edges ``keys``.

    A key ``(i, k)`` is argument ``k`` of the Value at position ``i`` (edge id
    ``e{i}_{k}``); ``(i, -1)`` is the edge from ``op{i}`` to ``v{i}`` (id ``o{i}``).
    An edge into a box can stand for several (a layer reads each input once per neuron).
    """

    tail: str
    head: str
    keys: tuple[tuple[int, int], ...]

    @property
    def id(self) -> str:
        i, k = self.keys[0]
        return f"o{i}" if k < 0 else f"e{i}_{k}"


@dataclass
class View:
    """A plan of a drawing: nodes and edges in the order to write them, and the clusters."""

    order: list[Value]
    groups: list[Group]
    collapse: str | None
    boxes: list[int] = field(default_factory=list)  # group indices drawn as one node
    box_of: list[int | None] = field(default_factory=list)  # per position: the box that holds it
    shown_alone: list[bool] = field(default_factory=list)  # per position: drawn as its own node v{i}
    items: list[NodeItem | EdgeItem] = field(default_factory=list)
    clusters: list[int] = field(default_factory=list)  # group indices drawn as clusters, outer first
    cluster_parent: dict[int, int | None] = field(default_factory=dict)
    drawn: int = 0  # Value boxes drawn (Values on their own plus collapsed boxes), copies not counted
    copies: int = 0
    _edge_of: dict[tuple[int, int], EdgeItem] | None = field(default=None, repr=False)

    def drawing_of_key(self, key: tuple[int, int]) -> EdgeItem | None:
        """The edge drawn for the graph's edge ``key`` (None when it is inside a box)."""
        if self._edge_of is None:
            self._edge_of = {k: item for item in self.items if isinstance(item, EdgeItem) for k in item.keys}
        return self._edge_of.get(key)


def collapsible(groups: Sequence[Group], collapse: str | None) -> list[bool]:
    """Whether each group may be drawn as one box at this level of ``collapse``.

    Neurons collapse at both levels, layers at ``"layer"``; a group of your own
    collapses when it holds no neuron or layer (else its neurons are the boxes).
    """
    if collapse is None:
        return [False] * len(groups)
    holds_nn = [False] * len(groups)
    for g in reversed(groups):  # inner groups come after outer ones
        if g.parent is not None and (holds_nn[g.index] or g.kind in ("neuron", "layer")):
            holds_nn[g.parent] = True
    result = []
    for g in groups:
        if g.kind == "neuron":
            result.append(True)
        elif g.kind == "layer":
            result.append(collapse == "layer")
        else:
            result.append(not holds_nn[g.index])
    return result


def plan_view(
    order: list[Value], collapse: str | None = None, *, clusters: bool = True, groups: list[Group] | None = None
) -> View:
    """The plan of a drawing of ``order`` (a ``topological_order``).

    >>> from autograd import Value, topological_order
    >>> a = Value(1.0, label="a")
    >>> y = a
    >>> for _ in range(5):
    ...     y = y + a
    >>> view = plan_view(topological_order(y))
    >>> [item.id for item in view.items if isinstance(item, NodeItem) and item.kind == "copy"]
    ['v0_u1', 'v0_u2']
    """
    n = len(order)
    groups = find_groups(order) if groups is None else groups
    view = View(order=order, groups=groups, collapse=collapse)
    position = {v: i for i, v in enumerate(order)}

    # -- boxes: the outermost groups that collapse at this level
    can = collapsible(groups, collapse)
    box_of: list[int | None] = [None] * n
    owners: dict[int, set[int]] = {}  # parameter position -> boxes that own it
    in_box = [False] * len(groups)  # the group is a box or inside one
    for g in groups:
        parent_in_box = g.parent is not None and in_box[g.parent]
        if can[g.index] and not parent_in_box:
            view.boxes.append(g.index)
            for i in g.members:
                box_of[i] = g.index
            for p in g.params:
                owners.setdefault(p, set()).add(g.index)
        in_box[g.index] = parent_in_box or (can[g.index] and not parent_in_box)
    view.box_of = box_of
    hidden = [box_of[i] is not None or i in owners for i in range(n)]
    view.shown_alone = [not h for h in hidden]

    # -- the cluster each drawn thing sits in
    inner = innermost_groups(groups, n) if clusters else [None] * n
    parent_of = {g.index: g.parent for g in groups}

    def drawn_cluster(g: int | None) -> int | None:
        while g is not None and in_box[g]:
            g = parent_of[g]
        return g

    def lca(a: int | None, b: int | None) -> int | None:
        seen = set()
        x = a
        while x is not None:
            seen.add(x)
            x = parent_of[x]
        while b is not None and b not in seen:
            b = parent_of[b]
        return b

    # -- sites: the op nodes and boxes that read Values, and what they read
    uses: list[list[tuple[Site, tuple[int, int]]]] = [[] for _ in range(n)]
    box_key: dict[int, int] = {}  # box -> the position at which it is written (its last output)
    for b in view.boxes:
        g = groups[b]
        box_key[b] = max(g.outputs)
    box_at: dict[int, list[int]] = {}
    for b, at in box_key.items():
        box_at.setdefault(at, []).append(b)
    box_inputs: dict[int, list[tuple[int, int, int]]] = {b: [] for b in view.boxes}  # (m, k, parent)
    for i, v in enumerate(order):
        if not v.parents:
            continue
        holder = box_of[i]
        for k, arg in enumerate(v.parents):
            p = position[arg]
            if holder is None:
                if not hidden[i]:
                    uses[p].append((("op", i), (i, k)))
            elif box_of[p] != holder and holder not in owners.get(p, ()):
                uses[p].append((("box", holder), (i, k)))
                box_inputs[holder].append((i, k, p))

    # -- ranks, counted back from the root: each node as late as its first use allows
    rank_value: list[int | None] = [None] * n
    rank_box: dict[int, int] = {}

    def site_rank(site: Site) -> int:
        kind, x = site
        if kind == "op":
            r = rank_value[x]
            return (r if r is not None else 0) - 1
        return rank_box.get(x, 0)

    def first_use(p: int) -> int | None:
        return min((site_rank(s) for s, _ in uses[p]), default=None)

    for i in range(n - 1, -1, -1):
        if not hidden[i]:
            r = first_use(i)
            rank_value[i] = 0 if r is None else r - 1
        for b in box_at.get(i, ()):
            firsts = [r for r in (first_use(o) for o in groups[b].outputs) if r is not None]
            rank_box[b] = min(firsts) - 1 if firsts else 0

    # -- which drawing serves each use: the Value's own node when near, else a copy
    serve: dict[tuple[int, int], str] = {}  # key -> tail node id
    copy_of: dict[str, tuple[int, list[Site]]] = {}
    own_sites: dict[int, list[Site]] = {}  # visible position -> the sites its own node serves
    output_box = {o: b for b in view.boxes for o in groups[b].outputs}
    for p in range(n):
        if not uses[p]:
            continue
        ranked = sorted(uses[p], key=lambda use: site_rank(use[0]))
        if not hidden[p]:
            tail, anchor = f"v{p}", rank_value[p]
        elif p in output_box:
            tail, anchor = f"g{output_box[p]}", rank_box[output_box[p]]
        else:
            tail, anchor = None, None
        copies = 0
        for site, edge in ranked:
            r = site_rank(site)
            if tail is None or anchor is None or r - anchor > SPAN:
                copies += 1
                tail, anchor = f"v{p}_u{copies}", r - 1
                copy_of[tail] = (p, [])
            serve[edge] = tail
            if tail in copy_of:
                copy_of[tail][1].append(site)
            elif tail.startswith("v"):
                own_sites.setdefault(p, []).append(site)
        view.copies += copies

    def site_cluster(site: Site) -> int | None:
        kind, x = site
        if kind == "op":
            return drawn_cluster(inner[x])
        return drawn_cluster(parent_of[x]) if clusters else None

    def cluster_of_sites(sites: list[Site]) -> int | None:
        cs = [site_cluster(s) for s in sites]
        out = cs[0]
        for c in cs[1:]:
            out = lca(out, c)
        return out

    # a leaf sits in the frame of the group that owns it (a neuron's weight, a constant it made), not
    # of the groups that happen to read it (an input read by every neuron of a layer stays outside)
    owned: dict[int, set[int]] = {}
    for g in groups:
        for i in (*g.members, *g.params):
            if not order[i].parents:
                owned.setdefault(i, set()).add(g.index)

    def owner_above(c: int | None, i: int) -> int | None:
        owners = owned.get(i, ())
        while c is not None and c not in owners:
            c = parent_of[c]
        return drawn_cluster(c)

    def value_cluster(i: int) -> int | None:
        if order[i].parents or not clusters:
            return drawn_cluster(inner[i])
        sites = own_sites.get(i)
        return owner_above(cluster_of_sites(sites), i) if sites else drawn_cluster(inner[i])

    # -- the items, in the order of the graph
    declared: set[str] = set()
    items = view.items

    def tail_for(key: tuple[int, int]) -> str:
        tail = serve[key]
        if tail in copy_of and tail not in declared:
            declared.add(tail)
            p, sites = copy_of[tail]
            near = cluster_of_sites(sites)
            items.append(NodeItem(tail, "copy", p, near if order[p].parents else owner_above(near, p)))
        return tail

    for i, v in enumerate(order):
        if not hidden[i]:
            view.drawn += 1
            items.append(NodeItem(f"v{i}", "value", i, value_cluster(i)))
            if v.parents:
                items.append(NodeItem(f"op{i}", "op", i, drawn_cluster(inner[i])))
                for k in range(len(v.parents)):
                    items.append(EdgeItem(tail_for((i, k)), f"op{i}", ((i, k),)))
                items.append(EdgeItem(f"op{i}", f"v{i}", ((i, -1),)))
        for b in box_at.get(i, ()):
            view.drawn += 1
            head = f"g{b}"
            items.append(NodeItem(head, "box", b, drawn_cluster(parent_of[b]) if clusters else None))
            merged: dict[str, list[tuple[int, int]]] = {}
            for m, k, _ in box_inputs[b]:
                merged.setdefault(tail_for((m, k)), []).append((m, k))
            for tail, keys in merged.items():
                items.append(EdgeItem(tail, head, tuple(keys)))

    # -- clusters: the groups that hold something drawn, with their drawn parents
    used: set[int] = set()
    for item in items:
        if isinstance(item, NodeItem):
            c = item.cluster
            while c is not None and c not in used:
                used.add(c)
                c = drawn_cluster(parent_of[c])
    # a frame around one other frame or around one box says nothing more (a layer of one neuron)
    parent: dict[int, int | None] = {c: drawn_cluster(parent_of[c]) for c in used}
    direct: dict[int | None, list[int]] = {}  # cluster -> places in items of the nodes drawn right in it
    for place, item in enumerate(items):
        if isinstance(item, NodeItem):
            direct.setdefault(item.cluster, []).append(place)
    kids: dict[int | None, list[int]] = {}
    for c in sorted(used):
        kids.setdefault(parent[c], []).append(c)
    for c in sorted(used, reverse=True):  # inner first
        inside, frames = direct.get(c, []), kids.get(c, [])
        lone_box = not frames and len(inside) == 1 and items[inside[0]].kind == "box"  # type: ignore[union-attr]
        if not (lone_box or (not inside and len(frames) == 1)):
            continue
        up = parent.pop(c)
        kids[up].remove(c)
        if lone_box:
            box = items[inside[0]]
            items[inside[0]] = NodeItem(box.id, box.kind, box.index, up)  # type: ignore[union-attr]
            direct.setdefault(up, []).append(inside[0])
        else:
            (only,) = frames
            parent[only] = up
            kids[up].append(only)
    view.clusters = sorted(parent)
    view.cluster_parent = parent
    return view
