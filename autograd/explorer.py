"""``save_explorer``: one self-contained HTML page that steps through a backward pass, edge by edge."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path
from typing import Any

import graphviz

from autograd.files import write_file
from autograd.render import INSTALL_HINT, GraphvizNotFoundError, check_size, draw_graph, format_field
from autograd.topo import topological_order
from autograd.trace import BackwardStep, format_number, node_names, trace_backward
from autograd.value import Value

__all__ = ["save_explorer", "explorer_html", "escape_json_for_html"]

# What Graphviz may put in the SVG: anything that could run code or load a URL is refused.
_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener",
                   "animate", "animatemotion", "animatetransform", "set", "image", "use"}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)  # <?xml ...?> and <!DOCTYPE ...> before <svg
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


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
    """Write a page in which a person steps through the backward pass of ``root``.

    The page is one HTML file with every script and style inline (it works
    opened from disk, with no network). It shows the graph of ``draw_graph``
    and controls to step forward and back, play, reset and slide over all
    steps (the arrow keys, Home, End and space work too). Each step, one per
    edge of ``trace_backward(root)``, highlights its edge, writes out its
    chain-rule arithmetic with the node names and sets the gradients on the
    nodes to what they are after it; nodes the pass has not reached yet are
    dimmed. The gradients shown are those of this one pass, starting from 0
    (the root's from 1): any ``.grad`` left from earlier ``backward()`` calls is
    not part of them. Every ``.grad`` is left as it was found.

    Labels are data, never markup: the graph's text is XML-escaped by Graphviz,
    the step data is JSON with ``<``, ``>`` and ``&`` escaped, and the page's
    script sets text with ``textContent`` only. A Content-Security-Policy lets
    no other script run and nothing load from the network.

    ``params`` (Values, or a module with ``.parameters()``) are drawn in the
    parameter colour; ``decimals``, ``max_nodes`` and ``rankdir`` are those of
    ``draw_graph``; ``title`` is the page's heading. Needs the Graphviz ``dot``
    program (:class:`~autograd.render.GraphvizNotFoundError` says how to
    install it). The parent folder is created; the file is written whole or
    not at all, as by ``save_graph``. Returns the path written.

    >>> import tempfile, os
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> y = (a * b).tanh(); y.label = "y"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = save_explorer(y, os.path.join(d, "y.html"))
    ...     text = page.read_text(encoding="utf-8")
    >>> text.startswith("<!DOCTYPE html>"), "a.grad += local" in text, a.grad
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
    >>> "x.grad += local" in explorer_html(x * x)
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"save_explorer: expected a Value as root, got {root!r} of type {type(root).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"save_explorer: title must be a str, got {type(title).__name__}")
    order = topological_order(root)
    check_size(len(order), max_nodes, "save_explorer")  # before the trace: a GraphTooLargeError comes at once
    saved = [v.grad for v in order]
    try:
        for v in order:
            v.grad = 0.0  # show this pass alone, from 0
        steps = trace_backward(root)
        graph = draw_graph(root, params=params, decimals=decimals, max_nodes=max_nodes, rankdir=rankdir)
        try:
            svg = _inline_svg(graph.pipe(format="svg").decode("utf-8"))
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotFoundError(
                "save_explorer: drawing the graph needs the Graphviz `dot` program, which is not on PATH. "
                + INSTALL_HINT
            ) from err
    finally:
        for v, g in zip(order, saved):
            v.grad = g
    names = node_names(order)
    data = _page_data(order, names, steps, decimals)
    heading = title if title is not None else f"Backward pass of {names[-1]}"
    return _assemble(heading, svg, data)


def escape_json_for_html(obj: Any) -> str:
    """``obj`` as JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (so no
    ``</script>`` or ``<!--`` can end the element early); JSON.parse reads them back.

    >>> escape_json_for_html({"label": "</script><b>&"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(obj, ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------ the data


def _page_data(order: list[Value], names: list[str], steps: list[BackwardStep], decimals: int) -> dict[str, Any]:
    """What the page's script needs: per node its name, per step the texts to show and the ids to light."""
    last = len(order) - 1  # the root: topological_order puts it last

    def shown(x: float) -> str:  # a number as the graph's nodes show it
        return format_field(x, decimals)

    received = [0] * len(order)  # how many contributions each node gets in all
    for step in steps:
        received[step.parent_position] += 1
    so_far = [0] * len(order)
    position = {v: n for n, v in enumerate(order)}
    step_data = []
    for step in steps:
        i, j = step.node_position, step.parent_position
        so_far[j] += 1
        node, parent = names[i], names[j]
        after = f"{parent}.grad is now {format_number(step.grad_after)}"
        if received[j] > 1:
            after += (
                f" (contribution {so_far[j]} of {received[j]}: {parent} is used {received[j]} times, "
                "its gradient is the sum)"
            )
        step_data.append({
            "node": i,
            "parent": j,
            "arg": step.index,
            "edge": step.edge_id,
            "grad": shown(step.grad_after),
            "text": (
                f"{parent}.grad += local {format_number(step.local_grad)} \u00d7 "
                f"upstream {format_number(step.upstream)} = {format_number(step.contribution)}"
            ),
            "local": _local_rule(step.node, step.index, names, i, position),
            "upstream": _upstream_note(node, names[last], step.upstream, i == last),
            "after": after,
            "trace": str(step),
            "values": [_json_number(x) for x in (step.local_grad, step.upstream, step.contribution, step.grad_after)],
        })
    return {
        "root": last,
        "nodes": [{"name": n, "op": v.op, "data": shown(v.data)} for n, v in zip(names, order)],
        "zero": shown(0.0),
        "one": shown(1.0),
        "steps": step_data,
    }


def _json_number(x: float) -> float | str:
    """``x`` itself, or ``"nan"``/``"inf"``/``"-inf"`` (JSON has no such numbers)."""
    return x if math.isfinite(x) else repr(x)


def _d(name: str) -> str:
    """A name as it reads after ``d``: ``dy`` but ``d(l0.w1)``."""
    return name if name.isidentifier() else f"({name})"


def _local_rule(node: Value, k: int, names: list[str], i: int, position: dict[Value, int]) -> str:
    """Why the local gradient d node / d (argument k) is what it is, in words and symbols."""
    n = names[i]
    args = [names[position[p]] for p in node.parents]
    x = args[k]
    op = node.op
    dn_dx = f"d{_d(n)}/d{_d(x)}"
    if op in ("+", "-", "*", "/", "**") and len(args) == 2:
        a, b = args
        defn = f"{n} = {a} {op} {b}"
        rule = {
            "+": ("1", "1"),
            "-": ("1", "-1"),
            "*": (f"{b} = {format_number(node.parents[1].data)}", f"{a} = {format_number(node.parents[0].data)}"),
            "/": (f"1 / {b}", f"-{a} / {b}^2"),
            "**": (f"{b} * {a}^({b} - 1)", f"{a}^{b} * ln({a})"),
        }[op][k]
    elif op.startswith("**") and len(args) == 1:
        c = op[2:]
        defn, rule = f"{n} = {x}^{c}", f"{c} * {x}^({c} - 1)"
    elif op == "neg":
        defn, rule = f"{n} = -{x}", "-1"
    elif op in _UNARY_RULES and len(args) == 1:
        defn = f"{n} = {op}({x})"
        rule = _UNARY_RULES[op].format(n=n, x=x)
    else:
        return f"local = {dn_dx}: {n} = {op}({', '.join(args)}), and the op recorded this derivative when it ran"
    return f"local = {dn_dx}: {defn}, so {dn_dx} = {rule}"


_UNARY_RULES = {  # d op(x) / dx, in terms of x and the result n
    "exp": "exp({x}) = {n}",
    "log": "1 / {x}",
    "tanh": "1 - {n}^2",
    "sigmoid": "{n} * (1 - {n})",
    "relu": "1 if {x} > 0, else 0",
}


def _upstream_note(node: str, root: str, upstream: float, is_root: bool) -> str:
    """Where the upstream factor comes from."""
    if is_root:
        return f"upstream = {node}.grad = d{_d(node)}/d{_d(node)} = 1.0: the pass starts at the output"
    return (
        f"upstream = {node}.grad = d{_d(root)}/d{_d(node)} = {format_number(upstream)}, complete: "
        f"every op that uses {node} has already sent its share back"
    )


# ------------------------------------------------------------------ the page


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG made ready to inline: no prolog, no comments, checked to be inert."""
    svg = _COMMENT.sub("", _PROLOG.sub("", svg, count=1)).strip()
    _check_inert(svg)
    return svg


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


def _asset(name: str) -> str:
    """The text of a file in autograd/explorer_assets/."""
    return resources.files("autograd").joinpath("explorer_assets", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    """The Content-Security-Policy hash of an inline element's text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _assemble(title: str, svg: str, data: dict[str, Any]) -> str:
    """The whole page: template, style, graph, data and script, all inline."""
    script, style = _asset("explorer.js"), _asset("explorer.css")
    for name, text, end in (("explorer.js", script, "</script"), ("explorer.css", style, "</style")):
        assert end not in text.lower(), f"{name} must not contain {end}"
    n_steps = len(data["steps"])
    csp = (
        "default-src 'none'; base-uri 'none'; form-action 'none'; "
        f"script-src '{_sha256(script)}'; style-src 'unsafe-inline'"
    )
    return _asset("explorer.html").format(
        csp=html.escape(csp, quote=False),  # in a "-quoted attribute; the policy has no "
        title=html.escape(title),
        style=style,
        svg=svg,
        last=n_steps,
        data=escape_json_for_html(data),
        script=script,
    )
