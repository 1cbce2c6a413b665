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

import graphviz

from autograd import palette
from autograd.explorer_maths import Bound, Formula, Token, bound, formula, half_unit, operand, read, relation
from autograd.explorer_units import neurons, units
from autograd.files import write_file
from autograd.groups import find_groups
from autograd.render import (
    INSTALL_HINT,
    GraphvizNotFoundError,
    _param_ids,
    check_size,
    draw_graph,
    format_field,
)
from autograd.rules import rule_for
from autograd.topo import topological_order
from autograd.trace import BackwardStep, node_names, trace_backward
from autograd.value import Value

__all__ = ["save_explorer", "explorer_html", "escape_json_for_html", "explorer_names", "CSS_COLOURS"]

# What Graphviz may put in the SVG: anything that could run code or load a URL is refused.
_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener",
                   "animate", "animatemotion", "animatetransform", "set", "image", "use"}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)  # <?xml ...?> and <!DOCTYPE ...> before <svg
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NODE_GROUP = re.compile(r'<g id="(v|op)(\d+)" class="node">')
# Graphviz's colours, fonts and tooltips: the style sheet sets them (from the palette), so the page need not
# carry them once per shape (they are about a third of a large graph's SVG).
_PRESENTATION = re.compile(r' (?:font-family|font-size|text-anchor|fill|stroke|stroke-dasharray)="[^"]*"'
                           r'|<title>[^<]*</title>\n?')

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

    ``params`` (Values, or a module with ``.parameters()``) are drawn in the
    parameter colour; ``decimals`` (of every number, in boxes and text alike),
    ``max_nodes`` and ``rankdir`` are those of ``draw_graph``; ``title`` is
    the page's heading. Needs the Graphviz ``dot`` program
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
    page = explorer_html(root, title=title, params=params, decimals=decimals, max_nodes=max_nodes, rankdir=rankdir)
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
    order = topological_order(root)
    check_size(len(order), max_nodes)  # before the trace: a GraphTooLargeError comes at once
    is_param = _param_ids(params)
    names = explorer_names(order, is_param)
    saved = [(v.grad, v.label) for v in order]
    try:
        for v in order:
            v.grad = 0.0  # show this pass alone, from 0
        steps = trace_backward(root)
        for v, name in zip(order, names, strict=True):
            v.label = name  # each box shows the name the text uses
        graph = draw_graph(root, params=params, decimals=decimals, max_nodes=max_nodes, rankdir=rankdir)
        for v, (_, label) in zip(order, saved, strict=True):
            v.label = label
        final = [v.grad for v in order]
        try:
            svg = _inline_svg(graph.pipe(format="svg").decode("utf-8"))
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(
                "save_explorer: drawing the graph needs the Graphviz `dot` program, which is not on PATH. "
                + INSTALL_HINT
            ) from err
    finally:
        for v, (grad, label) in zip(order, saved, strict=True):
            v.grad, v.label = grad, label
    roles = _roles(order, is_param)
    svg = _classify(svg, roles, final)
    data = _page_data(order, names, roles, steps, final, decimals)
    heading = title if title is not None else f"Backward pass of {names[-1]}"
    return _assemble(heading, svg, data)


def explorer_names(order: list[Value], is_param: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """The name of each node on the page: ``node_names``, except that a constant is called by its value.

    A constant is a leaf with no label that is not a parameter (the ``2`` of
    ``2 * a``): it is named ``2``, not ``leaf#0``.

    >>> a = Value(2.0, label="a")
    >>> explorer_names(topological_order((2 * a).tanh()))
    ['2', 'a', 'mul#2', 'tanh#3']
    """
    names = node_names(order)
    for i, v in enumerate(order):
        if _is_constant(v, is_param):
            names[i] = f"{v.data:.6g}"
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


def _is_constant(v: Value, is_param: set[int] | frozenset[int]) -> bool:
    return not v.parents and not v.label and id(v) not in is_param


def _roles(order: list[Value], is_param: set[int]) -> list[str]:
    """Each node's part: ``root``, ``parameter``, ``constant``, ``leaf`` (an input) or ``interior``."""
    last = len(order) - 1
    roles = []
    for i, v in enumerate(order):
        if i == last:
            roles.append("root")
        elif id(v) in is_param:
            roles.append("parameter")
        elif not v.parents:
            roles.append("leaf" if v.label else "constant")
        else:
            roles.append("interior")
    return roles


def _page_data(
    order: list[Value], names: list[str], roles: list[str], steps: list[BackwardStep], final: list[float],
    decimals: int,
) -> dict[str, Any]:
    """What the page's script needs: per node its name and forward step, per backward step its numbers as shown."""
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
    neuron_list, block_of = neurons(order, find_groups(order), steps, out, decimals)
    same = all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(running, final, strict=True))
    assert same, "the replayed pass must end at trace_backward's gradients"
    return {
        "root": len(order) - 1,
        "nodes": nodes,
        "zero": shown(0.0),
        "one": shown(1.0),
        "steps": out,
        "units": units(out),  # by edge, steps into constants folded
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
    shown = formula(rule.maths, names, decimals, constants)
    exact = formula(rule.value, names, decimals, constants).exact  # the engine's formula, on the shown numbers
    return shown.symbols, relation(Formula(shown.symbols, shown.numbers, exact, shown.plain), node.data, decimals)


def _local(step: BackwardStep, parents: list[int], decimals: int) -> dict[str, Any]:
    """The local derivative: its formula with names (``L``), with numbers (``lc``), and the nodes it reads."""
    node, k = step.node, step.index
    found = rule_for(node.op)
    if found is None or found[0].arity != len(parents):
        return {"L": None, "lc": format_field(step.local_grad, decimals), "read": []}
    rule, constants = found
    f = formula(rule.shown[k], _bindings(node, parents, decimals, step.node_position), decimals, constants)
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


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG made ready to inline: no prolog, no comments, checked to be inert, no colours or fonts."""
    svg = _COMMENT.sub("", _PROLOG.sub("", svg, count=1)).strip()
    _check_inert(svg)
    return _PRESENTATION.sub("", svg)


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


def _classify(svg: str, roles: list[str], grads: list[float]) -> str:
    """Give each node's group the classes the style sheet paints by: its role, and ``zero`` for a zero gradient.

    The gradients are those after the whole pass, what the page shows without JavaScript.
    """

    def classes(match: re.Match[str]) -> str:
        kind, i = match.group(1), int(match.group(2))
        if kind == "op":
            return f'<g id="op{i}" class="node op">'
        zero = " zero" if grads[i] == 0.0 else ""
        return f'<g id="v{i}" class="node value {roles[i]}{zero}">'

    return _NODE_GROUP.sub(classes, svg)


def _asset(name: str) -> str:
    """The text of a file in autograd/explorer_assets/."""
    return resources.files("autograd").joinpath("explorer_assets").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    """The Content-Security-Policy hash of an inline element's text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _colour_variables() -> str:
    """The palette as CSS variables: ``--current: #d55e00;`` and so on."""
    return ":root {\n" + "".join(f"  --{name}: {colour};\n" for name, colour in CSS_COLOURS.items()) + "}\n"


def _assemble(title: str, svg: str, data: dict[str, Any]) -> str:
    """The whole page: template, style, graph, data and script, all inline."""
    script, style = _asset("explorer.js"), _colour_variables() + _asset("explorer.css")
    for name, text, end in (("explorer.js", script, "</script"), ("explorer.css", style, "</style")):
        assert end not in text.lower(), f"{name} must not contain {end}"
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
        script=script,
    )
