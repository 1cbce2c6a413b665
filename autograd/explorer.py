"""``save_explorer``: one self-contained HTML page that steps through a forward and a backward pass, edge by edge."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from autograd import palette
from autograd.dot import DEFAULT_TIMEOUT, run_dot
from autograd.explorer_maths import Bound, Formula, Token, bound, formula, half_unit, operand, read, relation
from autograd.explorer_units import ACTIVATIONS, neurons, units
from autograd.files import write_file
from autograd.groups import Group
from autograd.render import draw_graph, format_field, output_name, param_positions, plan_drawing
from autograd.rules import rule_for
from autograd.topo import topological_order
from autograd.trace import BackwardStep, node_names, trace_backward
from autograd.value import Value
from autograd.views import COLLAPSE

__all__ = ["save_explorer", "explorer_html", "escape_json_for_html", "explorer_names", "CSS_COLOURS"]

# What Graphviz may put in the SVG: anything that could run code or load a URL is refused.
_FORBIDDEN_TAGS = {
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "handler",
    "listener",
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
    "image",
    "use",
}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)  # <?xml ...?> and <!DOCTYPE ...> before <svg
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NODE_GROUP = re.compile(r'<g id="(v|op|g)(\d+)(_u\d+)?" class="node(?: copy v\d+| group \w+)?">')
_LEAN = ("node", "parent", "arg", "grad", "trace", "k")  # what a step inside a collapsed neuron keeps
_CLUSTER = re.compile(r'<g id="cluster_g(\d+)" class="cluster">')
_BOX_ID = re.compile(r'<g id="g(\d+)" class="node group')
_EDGE_TITLE = re.compile(r'<g id="((?:e\d+_|o)\d+)" class="edge[^"]*">\s*<title>([^<]*)</title>')
# Graphviz's colours, fonts and tooltips: the style sheet sets them (from the palette), so the page need not
# carry them once per shape (they are about a third of a large graph's SVG).
_PRESENTATION = re.compile(
    r' (?:font-family|fill|stroke|stroke-dasharray|stroke-width)="[^"]*"'
    r'| font-size="11.00"| text-anchor="middle"|<title>[^<]*</title>\n?'
)

# Every colour of the page, by the part it paints, taken from the one palette (no other colour is written).
CSS_COLOURS = {
    "ink": palette.ROLE_BORDER["interior"],  # text: the border colour of a plain box
    "paper": palette.ROLE_FILL["interior"],
    "line": palette.EDGE,
    "panel": palette.OP_FILL,
    "edge": palette.EDGE,
    "op-fill": palette.OP_FILL,
    "current": palette.CURRENT,
    "sender": palette.SENDER,
    "receiver": palette.RECEIVER,
    "operand": palette.ROLE_BORDER["interior"],
    "cluster-border": palette.CLUSTER_BORDER,
    "cluster-fill": palette.CLUSTER_FILL,
    "cluster-text": palette.CLUSTER_TEXT,
    **{f"{role}-fill": colour for role, colour in palette.ROLE_FILL.items()},
    **{f"{role}-border": colour for role, colour in palette.ROLE_BORDER.items()},
}


def save_explorer(
    root: Value,
    path: str | Path,
    *,
    title: str | None = None,
    params: Any = None,
    decimals: int = 4,
    max_nodes: int | None = 500,
    rankdir: str = "LR",
    collapse: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Path:
    """Write a page in which a person steps through the forward and backward pass of ``root``.

    The page is one HTML file with every script and style inline (it works
    opened from disk, with no network). It shows the graph of ``draw_graph``,
    every box with the name the text uses (a constant by its value), and
    controls to step forward and back, play, reset and slide over all steps
    (arrow keys, Home, End and space too; a swipe on a phone). Each step, one
    per edge of ``trace_backward(root)``, highlights its edge, the node sending
    the gradient, the one receiving it and the ones its local derivative reads,
    and writes out its arithmetic with the numbers the boxes show: the local
    derivative from :data:`autograd.rules.RULES` with those numbers plugged in,
    ``local times upstream = contribution`` and ``old + contribution = new``,
    each with ``=`` only where it holds as displayed (``≈`` otherwise). Steps that
    only send gradient into a constant are folded into their neighbour unless
    the reader asks to see them. A forward mode computes the values node by
    node first; a practice mode asks for each new gradient before showing it.

    The gradients shown are those of this one pass, starting from 0 (the
    root's from 1): any ``.grad`` left from earlier ``backward()`` calls is not
    part of them. Every ``.grad`` and ``.label`` is left as it was found.

    Labels are data, never markup: the graph's text is XML-escaped by Graphviz,
    the step data is JSON with ``<``, ``>`` and ``&`` escaped, and the page's
    script sets text with ``textContent`` only. A Content-Security-Policy lets
    no other script run and nothing load from the network.

    For a network built by ``nn`` the page can also step neuron by neuron:
    each step is one neuron's delta as the textbook writes it,
    ``δ = f'(z) · Σ w·δ_next``, with the numbers shown, next to the op-level
    steps it stands for. ``collapse="neuron"`` (or ``"layer"``) draws each
    neuron (layer) as one box, as ``draw_graph`` does, and steps neuron by
    neuron only: the page of a large network stays small and quick.

    ``params`` (Values, or a module with ``.parameters()``) are drawn in the
    parameter colour; ``decimals`` (of every number, in boxes and text alike),
    ``max_nodes``, ``rankdir`` and ``collapse`` are those of ``draw_graph``;
    ``timeout`` bounds the ``dot`` run (seconds, ``None``: no limit);
    ``title`` is the page's heading. Needs the Graphviz ``dot`` program
    (:class:`~autograd.render.GraphvizNotFoundError` says how to install it).
    The parent folder is created; the file is written whole or not at all, as
    by ``save_graph``. Returns the path written.

    >>> import tempfile, os
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = (a * b).tanh(); y.label = "y"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = save_explorer(y, os.path.join(d, "y.html"))
    ...     text = page.read_text(encoding="utf-8")
    >>> text.startswith("<!DOCTYPE html>"), '"trace":"a.grad += ' in text, a.grad
    (True, True, 0.0)
    """
    page = explorer_html(
        root,
        title=title,
        params=params,
        decimals=decimals,
        max_nodes=max_nodes,
        rankdir=rankdir,
        collapse=collapse,
        timeout=timeout,
    )
    out = Path(path)
    write_file(out, page, who="save_explorer")  # creates the folder; the old page or the new, never half
    return out


def explorer_html(
    root: Value,
    *,
    title: str | None = None,
    params: Any = None,
    decimals: int = 4,
    max_nodes: int | None = 500,
    rankdir: str = "LR",
    collapse: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> str:
    """The page of :func:`save_explorer` as a string.

    >>> x = Value(3.0, label="x")
    >>> '"sc":"3.0000 + 3.0000 = 6.0000"' in explorer_html(x * x)  # x.grad: old + contribution = new
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"save_explorer: expected a Value as root, got {root!r} of type {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"save_explorer: title must be a str, got {type(title).__name__}")
    if collapse not in COLLAPSE:
        raise ValueError(f"save_explorer: collapse must be one of {', '.join(map(repr, COLLAPSE))}, got {collapse!r}")
    order = topological_order(root)
    groups = plan_drawing(order, collapse, max_nodes, who="save_explorer").groups  # too large: refused at once
    is_param = param_positions(params, order).union(*(g.params for g in groups))  # nn knows its own
    names = explorer_names(order, is_param, groups)
    saved = [(v.grad, v.label) for v in order]
    try:
        for v in order:
            v.grad = 0.0  # show this pass alone, from 0
        steps = trace_backward(root)
        for v, name in zip(order, names, strict=True):
            v.label = name  # each box shows the name the text uses
        graph = draw_graph(
            root,
            params=params,
            decimals=decimals,
            max_nodes=max_nodes,
            rankdir=rankdir,
            collapse=collapse,
            legend=False,  # the page has its own key
        )
        final = [v.grad for v in order]
        drawn = run_dot(graph.source, "svg", timeout=timeout, who="save_explorer").decode("utf-8")
    finally:
        for v, (grad, label) in zip(order, saved, strict=True):
            v.grad, v.label = grad, label
    roles = _roles(order, is_param)
    svg, tails = _inline_svg(drawn)
    boxes = [int(b) for b in _BOX_ID.findall(svg)]
    svg = _classify(svg, roles, final, groups)
    data = _page_data(order, names, roles, steps, final, decimals, groups, collapsed=bool(boxes))
    data.update(_drawing(order, groups, boxes, tails, steps))
    heading = title if title is not None else f"Backward pass of {names[-1]}"
    return _assemble(heading, svg, data)


def explorer_names(
    order: list[Value], is_param: set[int] | frozenset[int] = frozenset(), groups: list[Group] | None = None
) -> list[str]:
    """The name of each node on the page: ``node_names``, except for constants and the ends of nn neurons.

    A constant is a leaf with no label that is not a parameter (the ``2`` of
    ``2 * a``; ``is_param`` holds the parameters' positions in ``order``): it
    is named ``2``, not ``leaf#0``. An unlabelled output of a neuron in
    ``groups`` is named after the neuron (``L0.N1``, as its box when
    collapsed), and the sum its activation reads ``L0.N1.z``.

    >>> a = Value(2.0, label="a")
    >>> explorer_names(topological_order((2 * a).tanh()))
    ['2', 'a', 'mul#2', 'tanh#3']
    >>> from autograd.groups import find_groups
    >>> from nn import Neuron
    >>> y = Neuron(1, seed=0)([a])
    >>> order = topological_order(y)
    >>> explorer_names(order, groups=find_groups(order))[-2:]
    ['neuron.z', 'neuron']
    """
    names = node_names(order)
    for i, v in enumerate(order):
        if _is_constant(v, i in is_param):
            names[i] = f"{v.data:.6g}"
    position = {v: i for i, v in enumerate(order)}
    for g in groups or []:
        if g.kind != "neuron" or len(g.outputs) != 1 or order[g.outputs[0]].label:
            continue
        (h,) = g.outputs
        names[h] = g.name
        out = order[h]
        if out.op in ACTIVATIONS and out.parents and not out.parents[0].label:
            z = position[out.parents[0]]
            if z in g.members:
                names[z] = f"{g.name}.z"
    return names


def escape_json_for_html(obj: Any) -> str:
    """``obj`` as JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (so no
    ``</script>`` or ``<!--`` can end the element early); JSON.parse reads them back.

    >>> escape_json_for_html({"label": "</script><b>&"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------ the data


def _is_constant(v: Value, is_param: bool) -> bool:
    return not v.parents and not v.label and not is_param


def _roles(order: list[Value], is_param: set[int]) -> list[str]:
    """Each node's part: ``root``, ``parameter``, ``constant``, ``leaf`` (an input) or ``interior``."""
    last = len(order) - 1
    roles = []
    for i, v in enumerate(order):
        if i == last:
            roles.append("root")
        elif i in is_param:
            roles.append("parameter")
        elif not v.parents:
            roles.append("leaf" if v.label else "constant")
        else:
            roles.append("interior")
    return roles


def _page_data(
    order: list[Value],
    names: list[str],
    roles: list[str],
    steps: list[BackwardStep],
    final: list[float],
    decimals: int,
    groups: list[Group],
    collapsed: bool = False,
) -> dict[str, Any]:
    """What the page's script needs: per node its name and forward step, per backward step its numbers as shown.

    ``collapsed``: the drawing shows neurons as boxes, so the page steps neuron by neuron, and a step inside a
    neuron keeps only what its line in the neuron's list needs (the page of a large network stays small).
    """
    position = {v: n for n, v in enumerate(order)}

    def shown(x: float) -> str:
        return format_field(x, decimals)

    nodes = []
    for i, v in enumerate(order):
        node: dict[str, Any] = {"name": names[i], "op": v.op, "data": shown(v.data), "role": roles[i]}
        if v.parents:
            node["f"], node["fc"] = _forward(v, [position[p] for p in v.parents], decimals)
        nodes.append(node)

    uses = [0] * len(order)  # how many contributions each node gets in all
    for step in steps:
        uses[step.parent_position] += 1
    so_far = [0] * len(order)
    running = [0.0] * len(order)  # this pass, replayed: what each box shows
    running[-1] = 1.0
    out = []
    for step in steps:
        i, j = step.node_position, step.parent_position
        old = running[j]
        running[j] += step.contribution
        so_far[j] += 1
        local = _local(step, [position[p] for p in step.node.parents], decimals)
        entry: dict[str, Any] = {
            "node": i,
            "parent": j,
            "arg": step.index,
            "grad": shown(running[j]),
            **local,
            "cc": _chain(step, decimals),
            "sc": _sum(old, step.contribution, running[j], decimals),
            "tol": _tolerance(old, step, running[j], decimals),
        }
        entry["trace"] = f"{names[j]}.grad += {entry['cc']}"
        if uses[j] > 1:
            entry["n"] = [so_far[j], uses[j]]
        if roles[j] == "constant":
            entry["k"] = 1
        out.append(entry)
    neuron_list, block_of = neurons(order, groups, steps, out, decimals)
    if collapsed:
        for n, b in enumerate(block_of):
            if b >= 0:
                out[n] = {key: out[n][key] for key in _LEAN if key in out[n]}
    same = all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(running, final, strict=True))
    assert same, "the replayed pass must end at trace_backward's gradients"
    return {
        "root": len(order) - 1,
        "nodes": nodes,
        "zero": shown(0.0),
        "one": shown(1.0),
        "steps": out,
        "units": None if collapsed and neuron_list else units(out),  # by edge, steps into constants folded
        "neurons": neuron_list,
        "neuronUnits": units(out, block_of) if neuron_list else None,
    }


def _bindings(node: Value, parents: list[int], decimals: int, me: int | None = None) -> dict[str, Bound]:
    """The rules table's ``a`` and ``b`` bound to the node's inputs as shown, and ``y`` to its result (at ``me``)."""
    names = {letter: bound(n, p.data, decimals) for letter, n, p in zip("ab", parents, node.parents, strict=False)}
    if me is not None:
        names["y"] = bound(me, node.data, decimals)
    return names


def _forward(node: Value, parents: list[int], decimals: int) -> tuple[list[Token], str]:
    """The op's result with names (``sigmoid(add#21)``) and with numbers (``sigmoid(-0.1946) = 0.4515``)."""
    found = rule_for(node.op)
    if found is None or found[0].arity != len(parents):
        symbols: list[Token] = [f"{node.op}("]
        for n, p in enumerate(parents):
            symbols += [*([", "] if n else []), p]
        return [*symbols, ")"], format_field(node.data, decimals)  # the op's own code: nothing to redo by hand
    rule, constants = found
    names = _bindings(node, parents, decimals)
    shown = formula(rule.maths, names, constants)
    exact = formula(rule.value, names, constants).exact  # the engine's formula, on the shown numbers
    return shown.symbols, relation(Formula(shown.symbols, shown.numbers, exact, shown.plain), node.data, decimals)


def _local(step: BackwardStep, parents: list[int], decimals: int) -> dict[str, Any]:
    """The local derivative: its formula with names (``L``), with numbers (``lc``), and the nodes it reads."""
    node, k = step.node, step.index
    found = rule_for(node.op)
    if found is None or found[0].arity != len(parents):
        return {"L": None, "lc": format_field(step.local_grad, decimals), "read": []}
    rule, constants = found
    f = formula(rule.shown[k], _bindings(node, parents, decimals, step.node_position), constants)
    entry: dict[str, Any] = {
        "L": f.symbols,
        "lc": relation(f, step.local_grad, decimals),
        "read": sorted({t for t in f.symbols + f.note if isinstance(t, int)}),
    }
    if f.note:
        entry["why"] = f.note
    return entry


def _chain(step: BackwardStep, decimals: int) -> str:
    """``local times upstream = contribution``, as shown."""
    local, upstream = format_field(step.local_grad, decimals), format_field(step.upstream, decimals)
    exact = _product(read(local), read(upstream))
    numbers = f"{local} \u00d7 {operand(upstream)}"
    return relation(Formula([], numbers, exact, False), step.contribution, decimals)


def _sum(old: float, contribution: float, new: float, decimals: int) -> str:
    """``old + contribution = new``, as shown."""
    before, added = format_field(old, decimals), format_field(contribution, decimals)
    a, b = read(before), read(added)
    exact = None if a is None or b is None else a + b
    return relation(Formula([], f"{before} + {operand(added)}", exact, False), new, decimals)


def _product(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a * b


def _tolerance(old: float, step: BackwardStep, new: float, decimals: int) -> float | None:
    """How far a typed answer may be from the new gradient as its box shows it: half a unit of the last digit,
    plus the difference that working from the shown numbers makes (so the box's answer and the hand one pass)."""
    if not all(math.isfinite(x) for x in (old, step.local_grad, step.upstream, new)):
        return None
    before, local, upstream = (read(format_field(x, decimals)) for x in (old, step.local_grad, step.upstream))
    by_hand = before + local * upstream  # type: ignore[operator]
    box = format_field(new, decimals)
    slack = half_unit(box) + abs(by_hand - read(box))  # type: ignore[operator]
    return float(f"{slack:.2e}") * 1.01  # rounded up a little, never down


# ------------------------------------------------------------------ the page


def _inline_svg(svg: str) -> tuple[str, dict[str, str]]:
    """Graphviz's SVG made ready to inline (no prolog, no comments, checked to be inert, no colours or fonts),
    and the node each edge starts at, by the edge's id (from the edge's tooltip, before it goes)."""
    svg = _COMMENT.sub("", _PROLOG.sub("", svg, count=1)).strip()
    _check_inert(svg)
    tails = {edge: html.unescape(title).split("->")[0] for edge, title in _EDGE_TITLE.findall(svg)}
    return _PRESENTATION.sub("", svg), tails


def _check_inert(svg: str) -> None:
    """Refuse SVG that could run code or load anything (Graphviz never writes such; labels are escaped)."""
    for element in ElementTree.fromstring(svg).iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in _FORBIDDEN_TAGS:
            raise ValueError(f"save_explorer: the graph's SVG has a <{tag}> element; refusing to embed it")
        for name, value in element.attrib.items():
            attr = name.rsplit("}", 1)[-1].lower()
            if attr.startswith("on") or (attr == "href" and not value.startswith("#")):
                raise ValueError(
                    f"save_explorer: the graph's SVG has an attribute {attr}={value!r}; refusing to embed it"
                )


def _classify(svg: str, roles: list[str], grads: list[float], groups: list[Group]) -> str:
    """Give each node's group the classes the style sheet paints by: its role, ``zero`` for a zero gradient,
    ``copy`` for a Value drawn again near a far use, ``box`` for a collapsed group; each cluster its kind.

    The gradients are those after the whole pass, what the page shows without JavaScript.
    """
    root = len(roles) - 1

    def classes(match: re.Match[str]) -> str:
        kind, i, copy = match.group(1), int(match.group(2)), match.group(3)
        if kind == "op":
            return f'<g id="op{i}" class="node op">'
        if kind == "g":
            outputs = groups[i].outputs
            zero = " zero" if all(grads[o] == 0.0 for o in outputs) else ""
            role = "root" if root in outputs else "interior"
            return f'<g id="g{i}" class="node box {groups[i].kind} {role}{zero}">'
        zero = " zero" if grads[i] == 0.0 else ""
        if copy:
            return f'<g id="v{i}{copy}" class="node value copy v{i} {roles[i]}{zero}">'
        return f'<g id="v{i}" class="node value {roles[i]}{zero}">'

    svg = _NODE_GROUP.sub(classes, svg)
    return _CLUSTER.sub(lambda m: f'<g id="cluster_g{m.group(1)}" class="cluster {groups[int(m.group(1))].kind}">', svg)


def _drawing(
    order: list[Value], groups: list[Group], boxes: list[int], tails: dict[str, str], steps: list[BackwardStep]
) -> dict[str, Any]:
    """What the script needs to know of the drawing beyond the ids: the collapsed boxes (the Values each
    stands for, its output and its parameters with their short names), and the edges that start at a copy
    of a Value or at a box rather than at the Value's own node."""
    box_of = [-1] * len(order)
    entries = []
    for n, b in enumerate(boxes):
        g = groups[b]
        for i in (*g.members, *g.params):
            box_of[i] = n
        prefix = g.name + "."
        short = [order[p].label.removeprefix(prefix) or f"p{k}" for k, p in enumerate(g.params)]
        params = [[p, name] for p, name in zip(g.params, short, strict=True)]
        entry: dict[str, Any] = {"id": f"g{b}", "out": list(g.outputs), "params": params}
        if len(g.outputs) > 1:  # a layer: its outputs by the short name of the neuron that makes each
            entry["names"] = [output_name(g, groups, order, o) or f"output {k}" for k, o in enumerate(g.outputs)]
        entries.append(entry)
    moved = {}
    for step in steps:
        edge = step.edge_id
        tail = tails.get(edge)
        if tail is not None and tail != f"v{step.parent_position}":
            moved[edge] = tail
    return {"boxes": entries, "boxOf": box_of if boxes else None, "tails": moved}


def _asset(name: str) -> str:
    """The text of a file in autograd/explorer_assets/."""
    return resources.files("autograd").joinpath("explorer_assets").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    """The Content-Security-Policy hash of an inline element's text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _extra_keys(svg: str) -> str:
    """Key entries for what only some drawings have: collapsed boxes, and the frames of layers and neurons."""
    keys = []
    if 'class="node box' in svg:
        keys.append('<span class="key"><i class="sw box"></i>a neuron (or layer) drawn as one box</span>')
    if 'class="cluster layer' in svg:
        keys.append('<span class="key"><i class="sw layer"></i>a layer</span>')
    if 'class="cluster neuron' in svg:
        keys.append('<span class="key"><i class="sw frame"></i>a neuron\'s ops</span>')
    return "".join("\n  " + k for k in keys)


def _colour_variables() -> str:
    """The palette as CSS variables: ``--current: #d55e00;`` and so on."""
    return ":root {\n" + "".join(f"  --{name}: {colour};\n" for name, colour in CSS_COLOURS.items()) + "}\n"


def _assemble(title: str, svg: str, data: dict[str, Any]) -> str:
    """The whole page: template, style, graph, data and script, all inline."""
    script, style = _asset("explorer.js"), _colour_variables() + _asset("explorer.css")  # inlined as they are
    csp = (
        "default-src 'none'; base-uri 'none'; form-action 'none'; "
        f"script-src '{_sha256(script)}'; style-src 'unsafe-inline'"
    )
    return _asset("explorer.html").format(
        csp=html.escape(csp, quote=False),  # in a "-quoted attribute; the policy has no "
        title=html.escape(title),
        style=style,
        svg=svg,
        data=escape_json_for_html(data),
        keys=_extra_keys(svg),
        script=script,
    )
