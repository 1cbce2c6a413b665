"""Computation graphs as pictures: ``draw_graph``, ``save_graph`` and ``save_graph_steps``."""

# Names and ids, which the explorer page relies on: the Value at place i of
# topological_order(root) is the record node v{i} (label | data | grad); a Value
# made by an op also gets a small op node op{i}. The edge from argument k of
# node i into op{i} has the id e{i}_{k}, the edge op{i} -> v{i} the id o{i}.
# A Value drawn again near a far use is node v{i}_u{n} (class "copy v{i}").
# Group number g of groups.find_groups is the cluster cluster_g{g} or, when
# collapsed, the box node g{g}; an edge into a box that stands for several
# edges of the graph has the id of the first and all of them as its class.
# Graphviz copies ids and classes into SVG.

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Sequence
from numbers import Real
from pathlib import Path
from typing import Any, cast

import graphviz

from autograd import palette
from autograd.dot import (
    DEFAULT_TIMEOUT,
    INSTALL_HINT,
    GraphvizError,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    run_dot,
)
from autograd.files import write_file, write_files
from autograd.groups import Group, find_groups
from autograd.topo import topological_order
from autograd.trace import BackwardStep, format_number, node_names, trace_backward
from autograd.value import Value, _check_fields
from autograd.views import COLLAPSE, EdgeItem, NodeItem, View, plan_view

__all__ = [
    "draw_graph",
    "save_graph",
    "save_graph_steps",
    "GraphvizNotFoundError",
    "GraphvizError",
    "GraphvizTimeoutError",
    "GraphTooLargeError",
    "FORMATS",
    "DEFAULT_TIMEOUT",
]

FORMATS = ("svg", "png", "pdf", "dot", "gv")
_SOURCE_FORMATS = ("dot", "gv")  # written as text, no `dot` program needed
_RANKDIRS = ("LR", "RL", "TB", "BT")
_SCALES = ("log", "linear")
MAX_LABEL = 60  # characters of a label shown in a box; longer ones end in an ellipsis
MAX_OP = 30  # characters of an op name
MAX_TITLE = 300  # characters of a title
_FEW_PARAMS = 3  # a collapsed box lists each parameter's gradient up to this many
_LARGE = 300  # nodes and edges from which dot gets bounded iteration counts
_FONT = "Helvetica"

__all__ += ["INSTALL_HINT", "MAX_LABEL"]


class GraphTooLargeError(ValueError):
    """The drawing would have more Values than ``max_nodes``; ``dot`` would take very long on it."""


class _Digraph(graphviz.Digraph):  # type: ignore[misc]  # graphviz ships no type hints: Digraph is Any
    """A ``graphviz.Digraph`` whose picture in Jupyter is made by :func:`~autograd.dot.run_dot`,
    so it is bounded in time like ``save_graph``."""

    def _repr_image_svg_xml(self) -> str:
        return run_dot(self.source, "svg", who="draw_graph").decode("utf-8")


def draw_graph(
    root: Value,
    *,
    params: Iterable[Value] | Any = None,
    decimals: int = 4,
    color_by_grad: bool = False,
    color_scale: str = "log",
    max_nodes: int | None = 500,
    rankdir: str = "LR",
    grads: Sequence[float] | None = None,
    highlight: BackwardStep | tuple[int, int] | None = None,
    title: str | None = None,
    collapse: str | None = None,
    clusters: bool = True,
    legend: bool | None = None,
) -> graphviz.Digraph:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph``.

    One record node per Value (its label, ``data`` and ``grad``) and one small
    node per op. Numbers have ``decimals`` decimals, and numbers under 1 at
    least ``decimals`` significant digits (``0.07692``, ``3.800e-05``), so only
    a true zero reads as ``0.0000``. Fill colours (see :mod:`autograd.palette`):
    bluish green the root, yellow the parameters (``params``: Values or a module
    with ``.parameters()``; an ``nn`` network's are known without it), sky blue
    other inputs, white the rest; a dashed border marks a gradient of exactly 0.
    ``color_by_grad=True`` fills nodes by gradient instead (orange > 0, purple
    < 0, stronger for larger ``|grad|``; ``color_scale="log"`` spreads six
    decades below the largest, so vanishing gradients stay visible,
    ``"linear"`` is ``|grad| / largest``) and shows the role in the border.

    ``collapse``: ``None`` draws every op, each ``nn`` neuron and each
    :class:`~autograd.groups.group` as a labelled cluster (``clusters=False``
    leaves them out); ``"neuron"`` draws each neuron as one box with its name,
    activation, output data and gradient, and its parameters' gradients;
    ``"layer"`` one box per layer. ``legend`` (default: on when colours or
    boxes need explaining) writes a key of the colours into the picture.

    A Value used by ops far apart is drawn again near those uses (a rounded
    box, node ``v{i}_u{n}``), which keeps the layout quick. ``max_nodes``
    (``None``: no limit) stops drawings with more Values (a collapsed box
    counts as one) with a :class:`GraphTooLargeError` that says what to do.
    ``grads`` (one number per Value in ``topological_order(root)``) is shown
    instead of each ``.grad``; ``highlight`` (a
    :class:`~autograd.trace.BackwardStep` or ``(i, k)``) marks the edge from
    argument ``k`` into node ``i``; ``title`` is written on top. Needs no
    ``dot`` program; in Jupyter the result displays as SVG.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b; y.backward()
    >>> print(draw_graph(y).source)  # doctest: +ELLIPSIS
    digraph {
    ...
        v0 [label="{a|data 2.0000|grad -3.0000}" color="#56b4e9" fillcolor="#c4e5f7" id=v0 style=filled]
    ...
        v0 -> op2 [id=e2_0]
        v1 -> op2 [id=e2_1]
        op2 -> v2 [id=o2]
    }
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: expected a Value as root, got {root!r} of type {type(root).__name__}")
    settings = _Settings.checked(
        params=params,
        decimals=decimals,
        color_by_grad=color_by_grad,
        color_scale=color_scale,
        max_nodes=max_nodes,
        rankdir=rankdir,
        title=title,
        collapse=collapse,
        clusters=clusters,
        legend=legend,
    )
    order = topological_order(root)
    _check_fields(order, "draw_graph")
    view = plan_drawing(order, settings.collapse, settings.max_nodes, clusters=settings.clusters)
    shown = [v.grad for v in order] if grads is None else _checked_grads(grads, len(order))
    edge = None if highlight is None else _checked_highlight(highlight, order)
    return _draw(view, settings, shown, edge, title)


def save_graph(
    root: Value, path: str | os.PathLike[str], *, timeout: float | None = DEFAULT_TIMEOUT, **options: Any
) -> Path:
    """Write ``draw_graph(root, **options)`` to ``path``; the suffix picks the format.

    ``.svg``, ``.png`` and ``.pdf`` are rendered by Graphviz's ``dot`` program
    (a :class:`GraphvizNotFoundError` that says how to install it when missing);
    ``.dot`` and ``.gv`` write the DOT source and need no program. ``dot`` gets
    ``timeout`` seconds (``None``: no limit) and is stopped after that with a
    :class:`GraphvizTimeoutError` that says how to draw less; any other ``dot``
    failure is a :class:`GraphvizError`. The parent folder is created; the file
    appears complete or not at all.

    >>> import tempfile, pathlib
    >>> a = Value(3.0, label="a")
    >>> y = (a * a).tanh(); y.backward()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = save_graph(y, pathlib.Path(tmp) / "graphs" / "square.dot")
    ...     print(out.name, out.read_text().count("->"))
    square.dot 5
    """
    path = Path(path)
    fmt = _format_of(path, "save_graph")
    data = _render(draw_graph(root, **options), fmt, path, "save_graph", timeout)
    write_file(path, data, who="save_graph")
    return path


def save_graph_steps(
    root: Value,
    folder: str | os.PathLike[str],
    *,
    format: str = "svg",
    prefix: str = "step",
    timeout: float | None = DEFAULT_TIMEOUT,
    **options: Any,
) -> list[Path]:
    """Run the backward pass of ``root`` and draw the graph after each of its steps.

    Writes ``{prefix}_000.{format}`` (the start: only the root's gradient, 1, is
    set) and then one file per :func:`~autograd.trace.trace_backward` step, the
    step's edge highlighted, its arithmetic as the title and every gradient as
    it stands after it; returns the paths in order. Like ``root.backward()`` it
    adds the gradients to ``.grad``. ``options`` go to :func:`draw_graph`
    (``collapse="neuron"`` included); ``timeout`` bounds each ``dot`` run.
    Every file is rendered before any is written, so a failure leaves none, and
    without the ``dot`` program nothing, gradients included, is changed.

    >>> import tempfile
    >>> a = Value(2.0, label="a")
    >>> y = a * a; y.label = "y"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     print([p.name for p in save_graph_steps(y, tmp, format="dot")])
    ['step_000.dot', 'step_001.dot', 'step_002.dot']
    >>> a.grad
    4.0
    """
    fmt = str(format).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"save_graph_steps: format must be one of {', '.join(FORMATS)}, got {format!r}")
    clash = sorted({"grads", "highlight", "title"} & options.keys())
    if clash:
        raise TypeError(f"save_graph_steps: {', '.join(clash)} is set for each step; do not pass it")
    unknown = sorted(options.keys() - _Settings.NAMES)
    if unknown:
        raise TypeError(f"save_graph_steps: unknown option {', '.join(unknown)}; see draw_graph for the options")
    if not isinstance(root, Value):
        raise TypeError(f"save_graph_steps: expected a Value as root, got {root!r} of type {type(root).__name__}")
    settings = _Settings.checked(**options)
    folder = Path(folder)
    order = topological_order(root)
    view = plan_drawing(
        order, settings.collapse, settings.max_nodes, clusters=settings.clusters, who="save_graph_steps"
    )
    name = node_names(order)[-1]
    shown = [v.grad for v in order]
    shown[-1] = 1.0 + shown[-1]  # the pass starts by seeding d root / d root = 1
    # one step per edge: the file names (and the names in dot's errors) are known before the trace runs
    width = max(3, len(str(sum(len(v.parents) for v in order))))
    paths = [folder / f"{prefix}_{0:0{width}d}.{fmt}"]
    # The first picture is rendered before the trace runs: a bad option or a
    # missing `dot` fails here, with every gradient untouched.
    first = _draw(view, settings, shown, None, f"start: {name}.grad += 1.0")
    rendered = [_render(first, fmt, paths[0], "save_graph_steps", timeout)]
    steps = trace_backward(root)
    for n, step in enumerate(steps, 1):
        shown[step.parent_position] = step.grad_after
        local = f"d {step.node_name} / d {step.parent_name} = {format_number(step.local_grad)}"
        title = f"step {n}/{len(steps)}: {step}   ({local})"
        graph = _draw(view, settings, shown, (step.node_position, step.index), title)
        paths.append(folder / f"{prefix}_{n:0{width}d}.{fmt}")
        rendered.append(_render(graph, fmt, paths[-1], "save_graph_steps", timeout))
    write_files(dict(zip(paths, rendered, strict=True)), who="save_graph_steps")
    return paths


# ------------------------------------------------------------------ settings
class _Settings:
    """draw_graph's options, checked once."""

    NAMES = frozenset(
        {
            "params",
            "decimals",
            "color_by_grad",
            "color_scale",
            "max_nodes",
            "rankdir",
            "collapse",
            "clusters",
            "legend",
        }
    )

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    params: object
    decimals: int
    color_by_grad: bool
    log: bool
    max_nodes: int | None
    rankdir: str
    collapse: str | None
    clusters: bool
    legend: bool | None

    @classmethod
    def checked(
        cls,
        params: Any = None,
        decimals: int = 4,
        color_by_grad: bool = False,
        color_scale: str = "log",
        max_nodes: int | None = 500,
        rankdir: str = "LR",
        title: object = None,
        collapse: str | None = None,
        clusters: bool = True,
        legend: bool | None = None,
    ) -> _Settings:
        if rankdir not in _RANKDIRS:
            raise ValueError(f"draw_graph: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
        if color_scale not in _SCALES:
            raise ValueError(f"draw_graph: color_scale must be 'log' or 'linear', got {color_scale!r}")
        if collapse not in COLLAPSE:
            raise ValueError(f"draw_graph: collapse must be None, 'neuron' or 'layer', got {collapse!r}")
        if legend not in (None, True, False):
            raise TypeError(f"draw_graph: legend must be True, False or None (automatic), got {legend!r}")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"draw_graph: title must be a str, got {title!r} of type {type(title).__name__}")
        _check_limit(max_nodes)
        return cls(
            params=params,
            decimals=_checked_decimals(decimals),
            color_by_grad=bool(color_by_grad),
            log=color_scale == "log",
            max_nodes=max_nodes,
            rankdir=rankdir,
            collapse=collapse,
            clusters=bool(clusters),
            legend=legend,
        )


def plan_drawing(
    order: list[Value], collapse: str | None, max_nodes: int | None, *, clusters: bool = True, who: str = "draw_graph"
) -> View:
    """The plan of the drawing, after checking its size (messages name ``who``): Values drawn, boxes, copies,
    clusters. Uncollapsed, the size is checked before the groups are found, so a huge graph is refused at once."""
    if collapse is None:
        check_size(len(order), max_nodes, who, hint=_collapse_hint(order, max_nodes))
    groups = find_groups(order)
    view = plan_view(order, collapse, clusters=clusters, groups=groups)
    if collapse is not None:
        check_size(
            view.drawn,
            max_nodes,
            who,
            what="nodes (Values and collapsed boxes)",
            hint=_collapse_hint(order, max_nodes, groups),
        )
    return view


def _collapse_hint(order: list[Value], max_nodes: int | None, groups: list[Group] | None = None) -> str:
    """What to suggest when a drawing is too large: collapsing, with the sizes it gives."""
    if max_nodes is None or len(order) <= max_nodes:
        return ""
    if groups is None:
        if len(order) > 200_000:  # finding the groups of a huge graph takes a while; just say it
            return ', draw each neuron as one box with collapse="neuron" if it holds nn neurons'
        groups = find_groups(order)
    if not groups:
        return ""
    sizes = [
        f"collapse={level!r} draws {plan_view(order, level, groups=groups).drawn}" for level in ("neuron", "layer")
    ]
    return f", or draw neurons as boxes: {' and '.join(sizes)} nodes"


# ----------------------------------------------------------------- drawing
def _draw(
    view: View,
    settings: _Settings,
    shown: list[float],
    edge: tuple[int, int] | None,
    title: str | None,
) -> graphviz.Digraph:
    """The Digraph of a planned view with these gradients, highlighted edge and title."""
    order, groups = view.order, view.groups
    n = len(order)
    is_param = param_positions(settings.params, order)
    for g in groups:
        is_param.update(g.params)
    scale = _grad_scale(shown) if settings.color_by_grad else 0.0
    decades = palette.log_decades(shown)  # from the largest |grad| down to the smallest that is not 0
    horizontal = settings.rankdir in ("LR", "RL")  # then {} turns the record's fields into one row
    copied = {item.index for item in view.items if isinstance(item, NodeItem) and item.kind == "copy"}
    names = node_names(order) if copied else []
    large = len(view.items) > _LARGE
    digits = settings.decimals

    def number(x: float) -> str:
        return format_field(x, digits)

    # what the highlight touches: the drawn edge, the node receiving and the node sending
    marked_edge: EdgeItem | None = None
    receiver = sender = current = None
    if edge is not None:
        marked_edge = view.drawing_of_key(edge)
        i, _ = edge
        box = view.box_of[i]
        current = f"op{i}" if box is None else f"g{box}"
        sender = f"v{i}" if box is None else f"g{box}"
        # inside a box (no drawn edge), the gradient stays in it
        receiver = marked_edge.tail if marked_edge is not None else current

    graph_attr = {"rankdir": settings.rankdir, "fontname": _FONT, "nodesep": "0.25", "ranksep": "0.35"}
    if large:  # bound dot's iterations: a slightly less tidy layout, never minutes
        graph_attr.update(nslimit="3", nslimit1="3", mclimit="0.5", searchsize="10")
    if view.boxes:  # fewer crossing-reduction passes keep boxes in their order (N0 above N1 ...)
        graph_attr["mclimit"] = "0.3"
    g = _Digraph(
        graph_attr=graph_attr,
        node_attr={"fontname": _FONT, "fontsize": "11", "shape": "record"},
        edge_attr={"color": palette.EDGE, "arrowsize": "0.7"},
    )
    bodies: dict[int | None, graphviz.Digraph] = {None: g}
    for c in view.clusters:
        group = groups[c]
        sub = graphviz.Digraph(name=f"cluster_g{c}")
        filled = {"style": "rounded,filled", "fillcolor": palette.CLUSTER_FILL} if group.kind == "layer" else {}
        sub.attr(
            id=f"cluster_g{c}",
            label=_plain_text(_shortened(group.name, MAX_LABEL)),
            labeljust="l",
            fontsize="10",
            fontcolor=palette.CLUSTER_TEXT,
            color=palette.CLUSTER_BORDER,
            labelloc="t",
            peripheries="1",
            **({"style": "rounded"} | filled),
        )
        bodies[c] = sub

    def value_node(body: graphviz.Digraph, node_id: str, i: int, copy: bool) -> None:
        v = order[i]
        role = _role(v, i == n - 1, i in is_param)
        name = v.label or (names[i] if i in copied else "")
        label = f"{_record_text(_shortened(name, MAX_LABEL))}|data {number(v.data)}|grad {number(shown[i])}"
        attrs = {"id": node_id, "style": "filled,dashed" if shown[i] == 0.0 else "filled"}
        if settings.color_by_grad:
            fill, dark = palette.grad_fill(shown[i], scale, log=settings.log, decades=decades)
            attrs.update(fillcolor=fill, color=palette.ROLE_BORDER[role], penwidth="2")
            if dark:
                attrs["fontcolor"] = "white"
        else:
            attrs.update(fillcolor=palette.ROLE_FILL[role], color=palette.ROLE_BORDER[role])
        if copy:
            attrs.update(shape="Mrecord", tooltip=f"the same Value as v{i}, drawn again near this use")
            attrs["class"] = f"copy v{i}"
        if node_id == receiver:
            attrs.update(color=palette.RECEIVER, penwidth="3")
        elif node_id == sender:
            attrs.update(color=palette.SENDER, penwidth="3")
        body.node(node_id, graphviz.nohtml("{" + label + "}" if horizontal else label), **attrs)

    for item in view.items:
        if isinstance(item, EdgeItem):
            attrs = {"id": item.id}
            if len(item.keys) > 1:
                attrs["class"] = " ".join(f"e{i}_{k}" for i, k in item.keys)
            if item is marked_edge:
                attrs.update(color=palette.CURRENT, penwidth="3")
            g.edge(item.tail, item.head, **attrs)
            continue
        body = bodies[item.cluster]
        if item.kind in ("value", "copy"):
            value_node(body, item.id, item.index, item.kind == "copy")
        elif item.kind == "op":
            op_attrs = {
                "id": item.id,
                "shape": "ellipse",
                "style": "filled",
                "fillcolor": palette.OP_FILL,
                "fontsize": "10",
                "width": "0",
                "height": "0",
                "margin": "0.06,0.02",
            }
            if item.id == current:
                op_attrs.update(color=palette.CURRENT, penwidth="3")
            body.node(item.id, _plain_text(_shortened(order[item.index].op, MAX_OP)), **op_attrs)
        else:
            group = groups[item.index]
            outs = group.outputs
            out_grads = [shown[o] for o in outs]
            attrs = {"id": item.id, "shape": "box", "margin": "0.08,0.04"}
            attrs["class"] = f"group {group.kind}"
            zero = all(x == 0.0 for x in out_grads)
            attrs["style"] = "rounded,filled,dashed" if zero else "rounded,filled"
            role = "root" if n - 1 in outs else "interior"
            if settings.color_by_grad:
                strongest = max(out_grads, key=lambda x: (not math.isnan(x), abs(x)))
                fill, dark = palette.grad_fill(strongest, scale, log=settings.log, decades=decades)
                attrs.update(fillcolor=fill, color=palette.ROLE_BORDER[role], penwidth="2")
                if dark:
                    attrs["fontcolor"] = "white"
            else:
                attrs.update(fillcolor=palette.ROLE_FILL[role], color=palette.ROLE_BORDER[role], penwidth="1.5")
            if item.id == current:
                attrs.update(color=palette.CURRENT, penwidth="3")
            elif item.id == receiver:
                attrs.update(color=palette.RECEIVER, penwidth="3")
            elif item.id == sender:
                attrs.update(color=palette.SENDER, penwidth="3")
            body.node(item.id, _box_label(group, groups, order, shown, number), **attrs)

    # The clusters' blocks come first, inner ones inside their parents (a
    # subgraph is copied when added, so children are added before parents).
    children: dict[int | None, list[int]] = {}
    for c in view.clusters:
        children.setdefault(view.cluster_parent[c], []).append(c)
    blocks = graphviz.Digraph()

    def close(c: int) -> None:
        for child in children.get(c, ()):
            close(child)
            bodies[c].subgraph(bodies[child])

    for c in children.get(None, ()):
        close(c)
        blocks.subgraph(bodies[c])
    g.body[:0] = blocks.body

    show_legend = settings.legend
    if show_legend is None:
        show_legend = settings.color_by_grad or bool(view.boxes)
    if show_legend:
        # the legend is the label of a frameless cluster around the whole drawing, at its bottom (a
        # table of its own: sharing the graph's label with a wide title would stretch its cells)
        rows = _legend(view, settings, scale, decades, is_param, edge is not None, bool(copied))
        frame = graphviz.Digraph(name="cluster_legend")
        frame.attr(
            id="legend",
            label=f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">{"".join(rows)}</TABLE>>',
            labelloc="b",
            labeljust="l",
            peripheries="0",
        )
        frame.body += g.body
        g.body[:] = []
        g.subgraph(frame)
    if title is not None:
        g.attr(label=_plain_text(_shortened(title, MAX_TITLE)), labelloc="t", labeljust="l", fontsize="13")
    return g


def _box_label(group: Group, groups: list[Group], order: list[Value], shown: list[float], number: Any) -> str:
    """The HTML-like label of a collapsed group: name and note, output data and grad, parameters' gradients."""
    rows = []
    note = f' <FONT POINT-SIZE="10">{_html_text(_shortened(group.note, MAX_OP))}</FONT>' if group.note else ""
    rows.append(f"<B>{_html_text(_shortened(group.name, MAX_LABEL))}</B>{note}")
    if len(group.outputs) == 1:
        (o,) = group.outputs
        rows.append(f"data {number(order[o].data)}")
        rows.append(f"grad {number(shown[o])}")
    else:
        grads = [shown[o] for o in group.outputs]
        big = max(range(len(grads)), key=lambda j: (not math.isnan(grads[j]), abs(grads[j])))
        name = output_name(group, groups, order, group.outputs[big]) or f"output {big}"
        rows.append(f"{len(grads)} outputs, largest |grad|:")
        rows.append(f"grad {number(grads[big])} ({_html_text(_shortened(name, MAX_OP))})")
    if group.params:
        small = '<FONT POINT-SIZE="9">{}</FONT>'
        names = [_short_name(order[p].label, group.name) or f"p{j}" for j, p in enumerate(group.params)]
        if len(group.params) <= _FEW_PARAMS:
            listed = ", ".join(
                f"{_html_text(_shortened(nm, MAX_OP))} {number(shown[p])}"
                for nm, p in zip(names, group.params, strict=True)
            )
            rows.append(small.format(f"param grads: {listed}"))
        else:
            grads = [shown[p] for p in group.params]
            big = max(range(len(grads)), key=lambda j: (not math.isnan(grads[j]), abs(grads[j])))
            rows.append(
                small.format(
                    f"{len(grads)} params, largest |grad| {number(abs(grads[big]))} "
                    f"({_html_text(_shortened(names[big], MAX_OP))})"
                )
            )
    cells = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def output_name(group: Group, groups: list[Group], order: list[Value], o: int) -> str:
    """What an output of a group is called: the name of the group inside it that makes it (a layer's
    ``N3``), else its label; without the group's own name in front."""
    for inner in groups[group.index + 1 :]:
        if inner.parent == group.index and o in inner.outputs:
            return _short_name(inner.name, group.name)
    return _short_name(order[o].label, group.name)


def _short_name(label: str, group_name: str) -> str:
    """A parameter's label without its group's name in front: ``L1.N3.w7`` in ``L1.N3`` is ``w7``."""
    return label[len(group_name) + 1 :] if label.startswith(group_name + ".") else label


# ------------------------------------------------------------------ legend
def _swatch(fill: str, border: str, *, width: int = 1, style: str = "", text: str = "") -> str:
    """One cell of the legend: a small box in these colours, empty (of a fixed size) or holding ``text``."""
    size = 'WIDTH="18" HEIGHT="12" FIXEDSIZE="TRUE"' if not text else 'HEIGHT="12"'
    looks = f' STYLE="{style}"' if style else ""
    return f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="{width}" {size}{looks}>{text}</TD>'


def _words(text: str) -> str:
    return f'<TD ALIGN="LEFT"><FONT POINT-SIZE="10">{_html_text(text)}</FONT></TD>'


def _legend(
    view: View, settings: _Settings, scale: float, decades: int, is_param: set[int], stepping: bool, copies: bool
) -> list[str]:
    """Rows of an HTML-like table that explain the colours and shapes used in this drawing."""
    cells: list[str] = []

    def entry(fill: str, border: str, words: str, width: int = 1, style: str = "") -> None:
        cells.append(_swatch(fill, border, width=width, style=style))
        cells.append(_words(words))

    roles = [("root", "output"), ("parameter", "parameter"), ("leaf", "input"), ("interior", "result")]
    n = len(view.order)
    present = {"root"}
    for i, v in enumerate(view.order):
        if view.shown_alone[i] and i != n - 1:
            present.add("parameter" if i in is_param else "interior" if v.parents else "leaf")
    for role, words in roles:
        if role in present:
            if settings.color_by_grad:
                entry("#ffffff", palette.ROLE_BORDER[role], f"border: {words}", 2)
            else:
                entry(palette.ROLE_FILL[role], palette.ROLE_BORDER[role], words)
    entry("#ffffff", palette.ROLE_BORDER["interior"], "dashed: grad exactly 0", style="dashed")
    if copies:
        entry("#ffffff", palette.ROLE_BORDER["interior"], "rounded: a Value drawn again", style="rounded")
    if view.boxes:
        kinds = sorted({view.groups[b].kind for b in view.boxes})
        entry("#ffffff", palette.ROLE_BORDER["interior"], f"box: a {' / '.join(kinds)}, collapsed", 2, "rounded")
    if stepping:
        entry("#ffffff", palette.CURRENT, "this step's edge", 3)
        entry("#ffffff", palette.SENDER, "sends its grad", 3)
        entry("#ffffff", palette.RECEIVER, "receives it", 3)
    rows = [f"<TR>{''.join(cells)}</TR>"]
    if settings.color_by_grad:
        rows.append(_scale_row(scale, settings.log, decades))
    table = '<TABLE ALIGN="LEFT" BORDER="0" CELLSPACING="3" CELLPADDING="1">{}</TABLE>'
    return [f'<TR><TD ALIGN="LEFT">{table.format(row)}</TD></TR>' for row in rows]


def _scale_row(scale: float, log: bool, decades: int) -> str:
    """The gradient colour key: swatches from the most negative to the most positive gradient, with numbers.

    On the log scale: the largest |grad|, then a third, two thirds and all of ``decades`` decades below it.
    """
    if scale == 0.0 or not math.isfinite(scale):
        return f"<TR>{_words('grad colour: no gradient other than 0 to scale by')}</TR>"
    ratios = tuple(10.0 ** -round(decades * k / 3) for k in range(4)) if log else (1.0, 0.5)
    values = [-scale * r for r in ratios] + [0.0] + [scale * r for r in reversed(ratios)]
    cells = [_words(f"grad ({'log' if log else 'linear'} scale):")]
    for x in values:
        fill, white = palette.grad_fill(x, scale, log=log, decades=decades)
        number = f'<FONT POINT-SIZE="8" COLOR="{"white" if white else "black"}">{_html_text(format_number(x))}</FONT>'
        cells.append(_swatch(fill, palette.ROLE_BORDER["interior"], text=number))
    return f"<TR>{''.join(cells)}</TR>"


# ------------------------------------------------------------------ checks
def _role(v: Value, is_root: bool, is_param: bool) -> str:
    """Which colour a Value gets: the root's, a parameter's, an input's or an intermediate result's."""
    if is_root:
        return "root"
    if is_param:
        return "parameter"
    return "interior" if v.parents else "leaf"


def _checked_decimals(decimals: object) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 17:
        raise ValueError(f"draw_graph: decimals must be an int from 0 to 17, got {decimals!r}")
    return decimals


def _check_limit(max_nodes: object, who: str = "draw_graph") -> None:
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"{who}: max_nodes must be a positive int or None, got {max_nodes!r}")


def check_size(
    count: int, max_nodes: int | None, who: str = "draw_graph", *, what: str = "Values", hint: str = ""
) -> None:
    """Raise :class:`GraphTooLargeError` when a drawing of ``count`` Values is over ``max_nodes`` (None: no limit).

    Messages name ``who``; ``hint`` is added to the advice (", or ..."); ``what`` names what was counted.

    >>> check_size(3, 5)
    >>> check_size(800, 500)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd.render.GraphTooLargeError: draw_graph: the graph has 800 Values, more than max_nodes=500; ...
    """
    _check_limit(max_nodes, who)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(
            f"{who}: the graph has {count} {what}, more than max_nodes={max_nodes}; "
            f"`dot` may take minutes on it. Draw a smaller part of the computation, pass max_nodes={count} "
            f"(or max_nodes=None) to draw it anyway{hint}."
        )


def param_positions(params: object, order: list[Value]) -> set[int]:
    """The positions of the parameter Values, from Values or from a module with ``.parameters()``."""
    if params is None:
        return set()
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, Value):
        params = [params]
    try:
        items = list(params)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"draw_graph: params must be Values or a module with .parameters(), got {params!r}") from None
    for n, p in enumerate(items):
        if not isinstance(p, Value):
            raise TypeError(f"draw_graph: params[{n}] is {p!r}, not a Value")
    wanted = {id(p) for p in items}
    return {i for i, v in enumerate(order) if id(v) in wanted}


def _checked_grads(grads: Sequence[float], count: int) -> list[float]:
    """``grads`` as floats, one per Value, or an error naming the first one that is not a number."""
    if isinstance(grads, (str, bytes)) or not isinstance(grads, Iterable):
        raise TypeError(f"draw_graph: grads must be a list of numbers, one per Value, got {grads!r}")
    shown: list[float] = []
    for n, g in enumerate(grads):
        if isinstance(g, bool) or not isinstance(g, Real):
            raise TypeError(f"draw_graph: grads[{n}] is {g!r} of type {type(g).__name__}, not a number")
        shown.append(float(g))
    if len(shown) != count:
        raise ValueError(
            f"draw_graph: grads has {len(shown)} numbers but the graph has {count} Values; "
            "give one per Value of topological_order(root)"
        )
    return shown


def _checked_highlight(highlight: object, order: list[Value]) -> tuple[int, int]:
    if isinstance(highlight, BackwardStep):
        edge = (highlight.node_position, highlight.index)
    elif isinstance(highlight, tuple) and len(highlight) == 2 and all(type(x) is int for x in highlight):
        edge = highlight
    else:
        raise TypeError(f"draw_graph: highlight must be a BackwardStep or an (i, k) tuple, got {highlight!r}")
    i, k = edge
    if not (0 <= i < len(order) and 0 <= k < len(order[i].parents)):
        raise ValueError(f"draw_graph: highlight {edge} is not an edge of this graph (no argument {k} of node v{i})")
    return edge


# ----------------------------------------------------------------- numbers
def format_field(x: float, decimals: int) -> str:
    """``x`` as a box shows it: ``decimals`` decimals, and at least ``decimals`` significant digits below 1.

    Scientific below 0.001 and from 1e6 on, so no gradient that is not zero reads as zero.

    >>> [format_field(x, 4) for x in (1.0, -0.5, 0.0769231, 0.00123456, 3.8e-05, 0.0, 2.5e7)]
    ['1.0000', '-0.5000', '0.07692', '0.001235', '3.800e-05', '0.0000', '2.500e+07']
    """
    if x == 0.0:
        return f"{0.0:.{decimals}f}"  # no "-0.0000"
    if not math.isfinite(x):
        return repr(x)
    size = abs(x)
    if size < 1e-3 or size >= 1e6:
        return f"{x:.{max(decimals - 1, 0)}e}"
    places = max(decimals, max(decimals, 1) - 1 - math.floor(math.log10(size)))
    return f"{x:.{places}f}"


def _grad_scale(shown: Sequence[float]) -> float:
    """The largest finite |gradient|: what full colour means in color_by_grad."""
    return max((abs(g) for g in shown if math.isfinite(g)), default=0.0)


# -------------------------------------------------------------------- text
# Characters a record label gives meaning to, written so they show literally.
_RECORD_ESCAPES = {
    "\\": "\\\\",
    "{": "\\{",
    "}": "\\}",
    "|": "\\|",
    "<": "\\<",
    ">": "\\>",
    '"': '\\"',
    " ": "\\ ",
    "&": "&amp;",
    "\n": "\\n",
    "\t": "\\ ",
    "\r": "",
}
_PLAIN_ESCAPES = {"\\": "\\\\", '"': '\\"', "&": "&amp;", "\n": "\\n", "\t": " ", "\r": ""}


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _drawable(text: str) -> str:
    """``text`` with what cannot be drawn made visible: a lone surrogate as ``\\ud800`` (it cannot be
    written as UTF-8), a noncharacter such as U+FFFF as U+FFFD (SVG, which is XML, forbids it)."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _escaped(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in _drawable(text):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 32 or ord(ch) == 127:  # other control characters: show their code
            out.append(f"\\\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def _record_text(text: str) -> str:
    """``text`` as one field of a DOT record label, shown literally."""
    return _escaped(text, _RECORD_ESCAPES)


def _plain_text(text: str) -> str:
    """``text`` as a plain DOT label (op names, titles), shown literally."""
    return cast(str, graphviz.nohtml(_escaped(text, _PLAIN_ESCAPES)))  # a str subclass that dot reads as plain text


def _html_text(text: str) -> str:
    """``text`` inside an HTML-like label, shown literally (control characters as their code)."""
    out = []
    for ch in html.escape(_drawable(text), quote=True):
        if ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


# ----------------------------------------------------------------- writing
def _format_of(path: Path, who: str) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"{who}: cannot tell the format of {str(path)!r} from its suffix {path.suffix!r}; "
            f"use one of {', '.join('.' + f for f in FORMATS)}"
        )
    return fmt


def _render(graph: graphviz.Digraph, fmt: str, path: Path, who: str, timeout: float | None) -> bytes:
    """The bytes of ``graph`` in format ``fmt`` (``path`` only names the target in errors)."""
    if fmt in _SOURCE_FORMATS:
        source: str = graph.source
        return source.encode("utf-8")
    return run_dot(graph.source, fmt, timeout=timeout, who=who, target=str(path))
