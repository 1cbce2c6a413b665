"""Computation graphs as pictures: ``draw_graph``, ``save_graph`` and ``save_graph_steps``."""

# Names and ids, which the explorer page relies on: the Value at place i of
# topological_order(root) is the record node v{i} (label | data | grad); a Value
# made by an op also gets a small op node op{i}. The edge from argument k of
# node i into op{i} has the id e{i}_{k}, the edge op{i} -> v{i} the id o{i}.
# Graphviz copies these ids into SVG.

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Iterable, Sequence

import graphviz

from autograd.files import write_files as write_atomic  # the one atomic writer, in autograd/files.py
from autograd.topo import topological_order
from autograd.trace import BackwardStep, format_number, node_names, trace_backward
from autograd.value import Value, _check_fields

__all__ = [
    "draw_graph",
    "save_graph",
    "save_graph_steps",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
    "FORMATS",
]

FORMATS = ("svg", "png", "pdf", "dot", "gv")
_SOURCE_FORMATS = ("dot", "gv")  # written as text, no `dot` program needed
_RANKDIRS = ("LR", "RL", "TB", "BT")

# Colours. Fill tells a node's role; with color_by_grad the fill shows the
# gradient instead and the role moves to the border.
_FILL = {"root": "#bbf7d0", "parameter": "#fde68a", "leaf": "#dbeafe", "interior": "#ffffff"}
_BORDER = {"root": "#15803d", "parameter": "#b45309", "leaf": "#2563eb", "interior": "#334155"}
_OP_FILL = "#f1f5f9"
_POSITIVE = (220, 38, 38)  # red: raising the node raises the root
_NEGATIVE = (37, 99, 235)  # blue: raising the node lowers the root
_NAN_FILL = "#c084fc"  # a nan gradient: something went wrong, show it loudly
_HIGHLIGHT = "#c026d3"  # the edge of a backward step

INSTALL_HINT = (
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz` (conda), "
    "or a download from https://graphviz.org/download/ (Windows and others); "
    "then check that `dot -V` works in a new terminal. "
    "Saving with a .dot or .gv suffix needs no Graphviz program."
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz ``dot`` program is needed (to make an image) but is not on PATH."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)  # ExecutableNotFound's own __init__ formats another text


class GraphTooLargeError(ValueError):
    """The graph has more Values than ``max_nodes``; ``dot`` would take very long on it."""


def draw_graph(
    root: Value,
    *,
    params: Iterable[Value] | Any = None,
    decimals: int = 4,
    color_by_grad: bool = False,
    max_nodes: int | None = 500,
    rankdir: str = "LR",
    grads: Sequence[float] | None = None,
    highlight: BackwardStep | tuple[int, int] | None = None,
    title: str | None = None,
) -> graphviz.Digraph:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph``.

    One record node per Value (its label, ``data`` and ``grad`` with ``decimals``
    decimals) and one small node per op. Fill colours: green the root, amber the
    ``params`` (Values, or a module with ``.parameters()``), blue other leaves,
    white the rest; a dashed border marks a gradient of exactly 0.
    ``color_by_grad=True`` fills nodes by gradient instead (red > 0, blue < 0,
    stronger for larger ``|grad|`` relative to the largest, white for 0, so
    vanishing gradients fade out) and shows the role in the border colour.

    ``max_nodes`` (``None``: no limit) stops graphs with more Values with a
    :class:`GraphTooLargeError`. ``grads`` (one number per Value in
    ``topological_order(root)``) is shown instead of each ``.grad``;
    ``highlight`` (a :class:`~autograd.trace.BackwardStep` or ``(i, k)``) marks
    the edge from argument ``k`` into node ``i``; ``title`` is written on top.
    Needs no ``dot`` program; in Jupyter the result displays as SVG.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = a * b; y.backward()
    >>> print(draw_graph(y).source)  # doctest: +ELLIPSIS
    digraph {
    ...
        v0 [label="{a|data 2.0000|grad -3.0000}" color="#2563eb" fillcolor="#dbeafe" id=v0 style=filled]
    ...
        v0 -> op2 [id=e2_0]
        v1 -> op2 [id=e2_1]
        op2 -> v2 [id=o2]
    }
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: expected a Value as root, got {root!r} of type {type(root).__name__}")
    decimals = _checked_decimals(decimals)
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    order = topological_order(root)
    check_size(len(order), max_nodes)
    _check_fields(order, "draw_graph")
    is_param = _param_ids(params)
    shown = [v.grad for v in order] if grads is None else _checked_grads(grads, len(order))
    edge = None if highlight is None else _checked_highlight(highlight, order)
    scale = _grad_scale(shown) if color_by_grad else 0.0
    position = {v: i for i, v in enumerate(order)}
    marked_parent = -1 if edge is None else position[order[edge[0]].parents[edge[1]]]
    horizontal = rankdir in ("LR", "RL")  # then {} turns the record's fields into one row

    g = graphviz.Digraph(
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontname": "Helvetica", "fontsize": "11", "shape": "record"},
        edge_attr={"color": "#64748b", "arrowsize": "0.7"},
    )
    if title is not None:
        g.attr(label=_plain_text(str(title)), labelloc="t", labeljust="l", fontsize="13")
    last = len(order) - 1
    for i, v in enumerate(order):
        role = _role(v, i == last, id(v) in is_param)
        label = f"{_record_text(v.label)}|data {format_field(v.data, decimals)}|grad {format_field(shown[i], decimals)}"
        attrs = {"id": f"v{i}", "style": "filled,dashed" if shown[i] == 0.0 else "filled"}
        if color_by_grad:
            fill, dark = _grad_fill(shown[i], scale)
            attrs.update(fillcolor=fill, color=_BORDER[role], penwidth="2")
            if dark:
                attrs["fontcolor"] = "white"
        else:
            attrs.update(fillcolor=_FILL[role], color=_BORDER[role])
        if i == marked_parent:
            attrs.update(color=_HIGHLIGHT, penwidth="3")
        g.node(f"v{i}", graphviz.nohtml("{" + label + "}" if horizontal else label), **attrs)
        if not v.parents:
            continue
        op_attrs = {"id": f"op{i}", "shape": "ellipse", "style": "filled", "fillcolor": _OP_FILL,
                    "fontsize": "10", "width": "0", "height": "0", "margin": "0.06,0.02"}
        if edge is not None and edge[0] == i:
            op_attrs.update(color=_HIGHLIGHT, penwidth="3")
        g.node(f"op{i}", _plain_text(v.op), **op_attrs)
        for k, parent in enumerate(v.parents):
            if edge == (i, k):
                g.edge(f"v{position[parent]}", f"op{i}", id=f"e{i}_{k}", color=_HIGHLIGHT, penwidth="3")
            else:
                g.edge(f"v{position[parent]}", f"op{i}", id=f"e{i}_{k}")
        g.edge(f"op{i}", f"v{i}", id=f"o{i}")
    return g


def save_graph(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write ``draw_graph(root, **options)`` to ``path``; the suffix picks the format.

    ``.svg``, ``.png`` and ``.pdf`` are rendered by Graphviz's ``dot`` program
    (a :class:`GraphvizNotFoundError` that says how to install it when missing);
    ``.dot`` and ``.gv`` write the DOT source and need no program. The parent
    folder is created; the file appears complete or not at all.

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
    data = _render(draw_graph(root, **options), fmt, path, "save_graph")
    write_atomic({path: data}, who="save_graph")
    return path


def save_graph_steps(
    root: Value,
    folder: str | os.PathLike[str],
    *,
    format: str = "svg",
    prefix: str = "step",
    **options: Any,
) -> list[Path]:
    """Run the backward pass of ``root`` and draw the graph after each of its steps.

    Writes ``{prefix}_000.{format}`` (the start: only the root's gradient, 1, is
    set) and then one file per :func:`~autograd.trace.trace_backward` step, the
    step's edge highlighted, its arithmetic as the title and every gradient as
    it stands after it; returns the paths in order. Like ``root.backward()`` it
    adds the gradients to ``.grad``. ``options`` go to :func:`draw_graph`.
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
    if not isinstance(root, Value):
        raise TypeError(f"save_graph_steps: expected a Value as root, got {root!r} of type {type(root).__name__}")
    folder = Path(folder)
    order = topological_order(root)
    name = node_names(order)[-1]
    shown = [v.grad for v in order]
    shown[-1] = 1.0 + shown[-1]  # the pass starts by seeding d root / d root = 1
    # The first picture is rendered before the trace runs: a bad option or a
    # missing `dot` fails here, with every gradient untouched.
    first = draw_graph(root, grads=shown, title=f"start: {name}.grad += 1.0", **options)
    rendered = [_render(first, fmt, folder / f"{prefix}_0.{fmt}", "save_graph_steps")]
    steps = trace_backward(root)
    for n, step in enumerate(steps, 1):
        shown[step.parent_position] = step.grad_after
        local = f"d {step.node_name} / d {step.parent_name} = {format_number(step.local_grad)}"
        title = f"step {n}/{len(steps)}: {step}   ({local})"
        graph = draw_graph(root, grads=shown, highlight=step, title=title, **options)
        rendered.append(_render(graph, fmt, folder / f"{prefix}_{n}.{fmt}", "save_graph_steps"))
    width = max(3, len(str(len(steps))))
    paths = [folder / f"{prefix}_{n:0{width}d}.{fmt}" for n in range(len(rendered))]
    write_atomic(dict(zip(paths, rendered)), who="save_graph_steps")
    return paths


# --------------------------------------------------------------------- helpers
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


def check_size(count: int, max_nodes: int | None) -> None:
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int or None, got {max_nodes!r}")
    if count > max_nodes:
        raise GraphTooLargeError(
            f"draw_graph: the graph has {count} Values, more than max_nodes={max_nodes}; "
            f"`dot` may take minutes on it. Pass max_nodes={count} (or max_nodes=None) to draw it "
            "anyway, or draw a smaller part of the computation."
        )


def _param_ids(params: object) -> set[int]:
    """The ids of the parameter Values, from Values or from a module with ``.parameters()``."""
    if params is None:
        return set()
    if hasattr(params, "parameters") and callable(params.parameters):
        params = params.parameters()
    if isinstance(params, Value):
        params = [params]
    try:
        items = list(params)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"draw_graph: params must be Values or a module with .parameters(), got {params!r}"
        ) from None
    for n, p in enumerate(items):
        if not isinstance(p, Value):
            raise TypeError(f"draw_graph: params[{n}] is {p!r}, not a Value")
    return {id(p) for p in items}


def _checked_grads(grads: Sequence[float], count: int) -> list[float]:
    shown = [float(g) for g in grads]
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


def format_field(x: float, decimals: int) -> str:
    """``x`` with ``decimals`` decimals; scientific when that would hide it (tiny) or be long (huge)."""
    if x == 0.0:
        return f"{0.0:.{decimals}f}"  # no "-0.0000"
    if not math.isfinite(x):
        return repr(x)
    if abs(x) < 0.5 * 10.0**-decimals or abs(x) >= 1e6:
        return f"{x:.{max(decimals - 1, 0)}e}"
    return f"{x:.{decimals}f}"


def _grad_scale(shown: Sequence[float]) -> float:
    """The largest finite |gradient|: what full colour means in color_by_grad."""
    return max((abs(g) for g in shown if math.isfinite(g)), default=0.0)


def _grad_fill(g: float, scale: float) -> tuple[str, bool]:
    """Fill colour for gradient ``g`` and whether its text should be white."""
    if math.isnan(g):
        return _NAN_FILL, False
    if g == 0.0:
        return "#ffffff", False
    t = 1.0 if math.isinf(g) or scale == 0.0 else min(abs(g) / scale, 1.0)
    base = _POSITIVE if g > 0 else _NEGATIVE
    r, gr, b = (round(255 + (c - 255) * t) for c in base)
    return f"#{r:02x}{gr:02x}{b:02x}", t > 0.6


# Characters a record label gives meaning to, written so they show literally.
_RECORD_ESCAPES = {
    "\\": "\\\\", "{": "\\{", "}": "\\}", "|": "\\|", "<": "\\<", ">": "\\>",
    '"': '\\"', " ": "\\ ", "&": "&amp;", "\n": "\\n", "\t": "\\ ", "\r": "",
}
_PLAIN_ESCAPES = {"\\": "\\\\", '"': '\\"', "&": "&amp;", "\n": "\\n", "\t": " ", "\r": ""}


def _escaped(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in text:
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
    return graphviz.nohtml(_escaped(text, _PLAIN_ESCAPES))


def _format_of(path: Path, who: str) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"{who}: cannot tell the format of {str(path)!r} from its suffix {path.suffix!r}; "
            f"use one of {', '.join('.' + f for f in FORMATS)}"
        )
    return fmt


def _render(graph: graphviz.Digraph, fmt: str, path: Path, who: str) -> bytes:
    """The bytes of ``graph`` in format ``fmt`` (``path`` only names the target in errors)."""
    if fmt in _SOURCE_FORMATS:
        return graph.source.encode("utf-8")
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as err:
        raise GraphvizNotFoundError(
            f"{who}: writing {str(path)!r} needs the Graphviz `dot` program, which is not on PATH. "
            + INSTALL_HINT
        ) from err
