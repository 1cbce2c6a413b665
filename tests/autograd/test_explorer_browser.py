"""The explorer page in a real browser: headless Chromium driven by Playwright, opened from file://.

The browser is the system's Chromium (Debian's ``chromium``; ``make test``
installs it), found by ``scripts/chromium.py`` through ``GRADTRACE_CHROMIUM`` or
on PATH; Playwright never downloads one. Without a browser these tests skip, saying what to install,
except in CI (``CI=true``), where they fail.

The whole XOR page is stepped through at a desktop and a phone size, and on
every step the panel's arithmetic is read back from ``#step`` and checked as
displayed: ``=`` must hold at the precision shown and ``≈`` must be needed.
"""

from __future__ import annotations

import ast
import math
import os
import re
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from chromium import INSTALL_HINT, LAUNCH_ARGS, find_chromium  # scripts/chromium.py, on sys.path by conftest

from autograd import Value, save_explorer, topological_order, trace_backward
from autograd.explorer import explorer_names
from autograd.groups import find_groups
from autograd.render import format_field
from autograd.testing import HOSTILE_LABEL as HOSTILE
from autograd.testing import SCRIPT_CLOSER_LABEL as CLOSER
from autograd.testing import hostile_graph

INSTALL = f"{INSTALL_HINT}, and install Playwright for Python (pip install playwright); no browser download is needed"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
APPROX = "\u2248"


def unavailable(reason: str) -> None:
    """Skip with what to install; in CI, where the browser must be there, fail instead."""
    message = f"explorer browser tests: {reason}; {INSTALL}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed")
    executable = find_chromium()
    if executable is None:
        unavailable("no Chromium or Chrome found")
    if not Path(executable).exists():
        pytest.fail(f"GRADTRACE_CHROMIUM={executable} does not exist")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


# ----------------------------------------------------------------- the graphs


def every_op_graph() -> Value:
    """Every op of the rules table, a relu on both sides of its kink, and constants."""
    a, b, c = Value(1.5, label="a"), Value(-0.7, label="b"), Value(2.0, label="c")
    t = (a * b).tanh()
    s = (a / c).sigmoid()
    p = b**2 + a**0.5 + c**a + b**-1
    e = (b.exp() - c.log()).relu() + (a - b).relu()
    n = -s + 3 * t
    y = (t + s + p + e + n) / 2
    y.label = "y"
    return y


class Truth:
    """A graph's nodes and backward steps as the engine computes them, to check the page against."""

    def __init__(self, root: Value, params=None) -> None:
        self.order = topological_order(root)
        for v in self.order:
            v.grad = 0.0
        self.steps = trace_backward(root)
        wanted = {id(p) for p in (params or [])}
        is_param = {i for i, v in enumerate(self.order) if id(v) in wanted}
        self.groups = find_groups(self.order)
        is_param.update(*(g.params for g in self.groups))  # an nn network knows its parameters
        self.names = explorer_names(self.order, is_param, self.groups)
        self.constants = [not v.parents and not v.label and i not in is_param for i, v in enumerate(self.order)]
        self.grads = [v.grad for v in self.order]

    def neuron_units(self):
        """By neuron: each nn neuron's steps as one unit ``(name, steps)``, other steps alone ``(None, [step])``,
        those into constants outside neurons folded away."""
        member = {}
        for g in find_groups(self.order):
            if g.kind == "neuron":
                member.update(dict.fromkeys(g.members, g))
        out = []
        for step in self.steps:
            g = member.get(step.node_position)
            if g is not None and out and out[-1][0] == g.name:
                out[-1][1].append(step)
            elif g is not None:
                out.append((g.name, [step], g))
            elif not self.constants[step.parent_position]:
                out.append((None, [step], None))
        return out

    def shown_steps(self, fold: bool = True):
        """The steps a reader sees: with ``fold``, those into constants are left out (folded into another)."""
        return [s for s in self.steps if not (fold and self.constants[s.parent_position])]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The pages the tests open, written once: hostile labels, every op, and the XOR loss of demos.explore."""
    from demos.explore import main, xor_sample_loss

    folder = tmp_path_factory.mktemp("explorer")
    out = {}
    y = hostile_graph()
    out["hostile"] = (save_explorer(y, folder / "hostile.html"), Truth(y))
    y = every_op_graph()
    out["ops"] = (save_explorer(y, folder / "ops.html"), Truth(y))
    for sample in ("10", "00", "01", "11"):
        xor = folder / f"xor{sample}.html"
        assert main(["--out", str(xor), "--seed", "0", "--sample", sample]) == 0
        loss, model = xor_sample_loss(seed=0, sample=sample)
        out["xor" if sample == "10" else f"xor{sample}"] = (xor, Truth(loss, model.parameters()))
    loss, model = xor_sample_loss(seed=0, sample="10")
    out["xor-boxes"] = (
        save_explorer(loss, folder / "xor-boxes.html", params=model, collapse="neuron"),
        Truth(loss, model.parameters()),
    )
    out["leaf"] = (save_explorer(Value(4.0, label="x"), folder / "leaf.html"), Truth(Value(4.0, label="x")))
    return out


# ----------------------------------------------------------------- the page


class Tab:
    """One open page, with what it reported: dialogs, script errors, requests."""

    def __init__(self, browser, path: Path, *, device=DESKTOP, fake_clock: bool = False, javascript: bool = True):
        self.context = browser.new_context(**device, reduced_motion="reduce", java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        if fake_clock:
            self.page.clock.install()
        self.page.goto(path.as_uri())

    def position(self) -> int:
        return int(self.page.get_attribute("body", "data-position"))

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)

    def current_edges(self) -> list[str]:
        return self.page.eval_on_selector_all("#graph g.edge.current", "els => els.map(e => e.id)")

    def boxes(self, count: int) -> list[dict]:
        """Each value node's record fields (name, data, grad) and state, v0 .. v{count-1}."""
        return self.page.evaluate(
            """n => Array.from({length: n}, (_, i) => {
                 const g = document.getElementById("v" + i);
                 if (g === null) return null;  // held in a collapsed box
                 const t = Array.from(g.querySelectorAll("text")).map(e => e.textContent);
                 return {name: t.slice(0, -2).join(""), data: t[t.length - 2], grad: t[t.length - 1],
                         dim: g.classList.contains("dim"), zero: g.classList.contains("zero")};
               })""",
            count,
        )

    def state(self) -> dict:
        """Everything one step shows, read in one go: the panel's text and calculations, the names it
        uses, the highlighted nodes, and where the receiving and sending nodes and the edge are on screen."""
        return self.page.evaluate(
            r"""() => {
                 const rect = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                   return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
                 const one = (sel) => document.querySelector(sel);
                 const calc = (id) => { const c = document.querySelector("#" + id + " .calc");
                   return c ? c.textContent : null; };
                 const graph = one("#graph");
                 const g = graph.getBoundingClientRect();
                 return {
                   position: Number(document.body.dataset.position), edge: document.body.dataset.edge,
                   neuron: document.body.dataset.neuron,
                   step: one("#step").innerText, local: calc("local"), chain: calc("chain"), sum: calc("sum"),
                   localText: one("#local").textContent,
                   names: Array.from(document.querySelectorAll("#step .name"))
                     .map(s => [Number(s.dataset.node), s.textContent]),
                   receiver: [...new Set(Array.from(document.querySelectorAll("#graph g.value.receiver"))
                     .map(e => e.id.replace(/_u\d+$/, "")))],
                   sender: [...new Set(Array.from(document.querySelectorAll("#graph g.value.sender"))
                     .map(e => e.id.replace(/_u\d+$/, "")))],
                   operands: [...new Set(Array.from(document.querySelectorAll("#graph g.value.operand"))
                     .map(e => e.id.replace(/_u\d+$/, "")))],
                   dimmedOperands: Array.from(document.querySelectorAll("#graph g.value.operand.dim")).length,
                   receiverRects: Array.from(document.querySelectorAll("#graph g.receiver")).map(rect),
                   receiverRect: rect(one("#graph g.receiver")), senderRect: rect(one("#graph g.sender")),
                   edgeRect: rect(one("#graph g.edge.current")),
                   graphView: {left: g.left + graph.clientLeft, top: g.top + graph.clientTop,
                               right: g.left + graph.clientLeft + graph.clientWidth,
                               bottom: g.top + graph.clientTop + graph.clientHeight},
                   window: {width: window.innerWidth, height: window.innerHeight},
                   panelHeight: one("#step").getBoundingClientRect().height,
                 };
               }"""
        )

    def close(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"script errors: {self.errors}"
        self.context.close()


# ----------------------------------------------- arithmetic read back as shown


def value_of(expression: str) -> Decimal:
    """The exact value of a formula as the page writes it (``0.4515 \u00d7 (1 \u2212 0.4515)``, ``ln(2.0000)``)."""
    text = (
        expression.replace("\u00d7", "*")
        .replace("\u2212", "-")
        .replace("\u00b2", "**2")
        .replace("\u00b3", "**3")
        .replace("^", "**")
        .replace("ln(", "log(")
    )
    functions = {
        "log": lambda x: x.ln(),
        "exp": lambda x: x.exp(),
        "tanh": lambda x: Decimal(repr(math.tanh(float(x)))),
        "sigmoid": lambda x: Decimal(repr(1 / (1 + math.exp(-float(x))))),
        "relu": lambda x: max(x, Decimal(0)),
    }

    def walk(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Constant):
            return Decimal(repr(node.value)) if isinstance(node.value, float) else Decimal(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Call):
            return functions[node.func.id](walk(node.args[0]))
        if isinstance(node, ast.BinOp):
            a, b = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return a ** int(b) if b == b.to_integral_value() else a**b
        raise AssertionError(f"unexpected {ast.dump(node)} in {expression!r}")

    with localcontext() as context:
        context.prec = 50
        return walk(ast.parse(text, mode="eval").body)


def half_unit(number: str) -> Decimal:
    """Half a unit of the last digit written: ``0.0704`` -> 0.00005."""
    return Decimal(5).scaleb(Decimal(number).as_tuple().exponent - 1)


def check_calc(calc: str) -> tuple[list[str], str]:
    """Check one calculation as displayed; return its operands (numbers as written) and its result.

    ``a op b = r`` must hold to the precision ``r`` is written in; ``≈`` only where it does not.
    """
    match = re.fullmatch(r"(.+) ([=\u2248]) (\S+)", calc)
    if match is None:  # a bare value, nothing to compute
        assert re.fullmatch(r"-?[\d.]+(e[-+]\d+)?|nan|-?inf", calc), calc
        return [calc], calc
    expression, sign, result = match.groups()
    exact, shown = value_of(expression), Decimal(result)
    off = abs(exact - shown)
    holds = off <= half_unit(result)
    assert holds == (sign == "="), f"{calc!r}: exactly {exact}, so the sign must be {'=' if holds else APPROX}"
    assert off <= 20 * half_unit(result) + Decimal("0.001") * abs(shown), f"{calc!r} is not even close"
    operands = re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", expression)
    return operands, result


def inside(rect: dict, view: dict, slack: float = 1.0) -> bool:
    return (
        rect["left"] >= view["left"] - slack
        and rect["right"] <= view["right"] + slack
        and rect["top"] >= view["top"] - slack
        and rect["bottom"] <= view["bottom"] + slack
    )


def window_view(state: dict) -> dict:
    return {"left": 0, "top": 0, "right": state["window"]["width"], "bottom": state["window"]["height"]}


def receiver_on_screen(state: dict) -> dict | None:
    """The drawing of the receiving node (its own box, a copy of it near the edge, or the box that holds it)
    that is on screen: inside the graph's visible part and inside the window; None when none is."""
    for rect in state["receiverRects"]:
        if inside(rect, state["graphView"]) and inside(rect, window_view(state)):
            return rect
    return None


def walk_backward(tab: Tab, truth: Truth, *, fold: bool = True) -> int:
    """Step through the whole backward pass and check every step; returns how many steps used ≈."""
    shown = truth.shown_steps(fold)
    n = len(truth.order)
    fmt = lambda x: format_field(x, 4)  # noqa: E731  (the boxes' format)
    boxes = tab.boxes(n)
    assert [b["name"] for b in boxes] == truth.names  # every box shows the name the text uses
    grads = [b["grad"] for b in boxes]
    heights, approx = set(), 0
    for position, step in enumerate(shown, 1):
        tab.press("ArrowRight")
        state = tab.state()
        assert state["position"] == position and state["edge"] == step.edge_id
        i, j = step.node_position, step.parent_position
        assert state["receiver"] == [f"v{j}"] and state["sender"] == [f"v{i}"]
        # the local derivative: with the numbers plugged in, true to the engine's value as shown
        operands, local = check_calc(state["local"])
        assert local == fmt(step.local_grad), (state["localText"], step.local_grad)
        # local times upstream = contribution: the local just shown, and the sender's gradient as its box shows it
        operands, contribution = check_calc(state["chain"])
        assert operands == [local, grads[i].removeprefix("grad ")], state["chain"]
        assert contribution == fmt(step.contribution)
        # old + contribution = new: the receiver's box before and after
        operands, new = check_calc(state["sum"])
        boxes = tab.boxes(n)
        assert operands == [grads[j].removeprefix("grad "), contribution], state["sum"]
        assert boxes[j]["grad"] == f"grad {new}" == f"grad {fmt(step.grad_after)}"
        approx += sum(APPROX in (state[k] or "") for k in ("local", "chain", "sum"))
        grads = [b["grad"] for b in boxes]
        # every name in the text is the name on that node's box; operands are highlighted, never dimmed
        for node, name in state["names"]:
            assert boxes[node]["name"] == name == truth.names[node]
        assert state["dimmedOperands"] == 0
        assert all(not boxes[int(o[1:])]["dim"] for o in state["operands"])
        # the receiving node is on screen, and so are the edge and the sender whenever they fit together
        view = state["graphView"]
        receiver = receiver_on_screen(state)
        assert receiver is not None, f"step {position}: the receiving node is off screen"
        together = [receiver, state["senderRect"], state["edgeRect"]]
        width = max(r["right"] for r in together) - min(r["left"] for r in together)
        height = max(r["bottom"] for r in together) - min(r["top"] for r in together)
        if width < view["right"] - view["left"] - 20 and height < view["bottom"] - view["top"] - 20:
            assert all(inside(r, view) for r in together), f"step {position}: sender or edge off screen"
        # dashed borders follow the gradient shown now
        assert all(b["zero"] == (b["grad"] == "grad 0.0000") for b in boxes)
        heights.add(round(state["panelHeight"]))
    assert len(heights) == 1, f"the step panel changed height: {heights}"
    assert [b["grad"] for b in tab.boxes(n)] == [f"grad {fmt(g)}" for g in truth.grads]
    return approx


# ----------------------------------------------------------------- the tests


@pytest.mark.parametrize(
    "device, sample",
    [(DESKTOP, "10"), (PHONE, "10"), (PHONE, "00"), (PHONE, "01"), (PHONE, "11")],
    ids=["desktop", "phone", "phone-00", "phone-01", "phone-11"],
)
def test_whole_xor_page_is_checkable_by_hand_and_in_view(browser, pages, device, sample):
    path, truth = pages["xor" if sample == "10" else f"xor{sample}"]
    tab = Tab(browser, path, device=device)
    try:
        assert tab.position() == 0
        start = tab.boxes(len(truth.order))
        assert sum(b["zero"] for b in start) == len(truth.order) - 1  # only the output has a gradient yet
        assert sum(not b["dim"] for b in start) == 1
        walk_backward(tab, truth)
        assert tab.requests == [path.as_uri()]
    finally:
        tab.close()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_neuron_by_neuron_each_delta_as_the_textbook_writes_it(browser, pages, device):
    path, truth = pages["xor"]
    fmt = lambda x: format_field(x, 4)  # noqa: E731  (the boxes' format)
    n = len(truth.order)
    final = {}  # each node's gradient after the pass so far: the truth, replayed
    tab = Tab(browser, path, device=device)
    try:
        if device is PHONE:
            tab.page.click("#more")  # the options sit behind one button on a phone
        tab.page.select_option("#step-by", "neuron")
        if device is PHONE:
            tab.page.click("#more")
        units = truth.neuron_units()
        assert tab.page.text_content("#position") == f"0 / {len(units)}"
        for position, (name, steps, group) in enumerate(units, 1):
            tab.press("ArrowRight")
            state = tab.state()
            assert state["position"] == position
            for step in steps:
                final[step.parent_position] = step.grad_after
            if name is None:
                assert state["edge"] == steps[0].edge_id and state["neuron"] == ""
                continue
            (h,) = group.outputs
            act = next(s for s in steps if s.node_position == h)  # every neuron here ends in a sigmoid
            z = act.parent_position
            assert state["neuron"] == name and state["receiver"] == [f"v{z}"] and state["sender"] == [f"v{h}"]
            # f'(z), with the numbers plugged in
            _, slope = check_calc(state["local"])
            assert slope == fmt(act.local_grad)
            # the sum of w * delta_next: the terms that made h's gradient, as shown, and h's gradient
            into_h = [s for s in truth.steps if s.parent_position == h]
            operands, total = check_calc(state["chain"])
            assert operands == [x for s in into_h for x in (fmt(s.local_grad), fmt(s.upstream))], state["chain"]
            assert total == fmt(into_h[-1].grad_after)
            # delta = f'(z) times that sum, and it is z's gradient
            operands, delta = check_calc(state["sum"])
            assert operands == [slope, total] and delta == fmt(act.contribution) == fmt(final[z])
            # next to it, the op-level steps it stands for, and the boxes after all of them
            ops = tab.page.eval_on_selector_all("#ops li", "els => els.map(e => e.textContent)")
            assert len(ops) == len(steps)
            assert [o.split(".grad += ")[0] for o in ops] == [truth.names[s.parent_position] for s in steps]
            boxes = tab.boxes(n)
            for i, g in final.items():
                assert boxes[i]["grad"] == f"grad {fmt(g)}", truth.names[i]
            for node, text in state["names"]:
                assert boxes[node]["name"] == text
            assert state["dimmedOperands"] == 0
            assert receiver_on_screen(state) is not None
        assert [b["grad"] for b in tab.boxes(n)] == [f"grad {fmt(g)}" for g in truth.grads]
        # the search box jumps to the neuron that completes a weight's gradient
        if device is DESKTOP:
            tab.page.fill("#find", "L0.N1.w0")
            tab.page.press("#find", "Enter")
            assert tab.state()["neuron"] == "L0.N1"
    finally:
        tab.close()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_collapsed_neurons_step_neuron_by_neuron_and_update_their_boxes(browser, pages, device):
    path, truth = pages["xor-boxes"]
    fmt = lambda x: format_field(x, 4)  # noqa: E731  (the boxes' format)
    groups = find_groups(truth.order)
    final = {}
    tab = Tab(browser, path, device=device)
    try:
        assert tab.page.is_hidden("#step-by")  # boxes are drawn: neuron by neuron only
        units = truth.neuron_units()
        assert tab.page.text_content("#position") == f"0 / {len(units)}"
        for position, (name, steps, group) in enumerate(units, 1):
            tab.press("ArrowRight")
            state = tab.state()
            assert state["position"] == position and receiver_on_screen(state) is not None
            for step in steps:
                final[step.parent_position] = step.grad_after
            if name is None:
                assert state["edge"] == steps[0].edge_id
                continue
            assert state["neuron"] == name
            box = tab.page.eval_on_selector_all("#graph g.box.receiver", "els => els.map(e => e.id)")
            assert box == [f"g{group.index}"]
            (h,) = group.outputs
            act = next(s for s in steps if s.node_position == h)
            _, slope = check_calc(state["local"])
            _, total = check_calc(state["chain"])
            operands, delta = check_calc(state["sum"])
            assert operands == [slope, total] and delta == fmt(act.contribution)
            assert len(tab.page.eval_on_selector_all("#ops li", "els => els")) == len(steps)
            # every box shows its output's gradient and its parameters' gradients as they stand now
            for g in groups:
                if f"g{g.index}" not in tab.page.eval_on_selector_all("#graph g.box", "els => els.map(e => e.id)"):
                    continue
                texts = tab.page.eval_on_selector_all(f"#g{g.index} text", "els => els.map(e => e.textContent)")
                (out,) = g.outputs
                assert f"grad {fmt(final.get(out, 0.0))}" in texts, (g.name, texts)
                row = next(t for t in texts if t.startswith("param grads:"))
                for p in g.params:
                    short = truth.order[p].label.removeprefix(g.name + ".")
                    assert f"{short} {fmt(final.get(p, 0.0))}" in row, (row, short)
    finally:
        tab.close()


def test_layers_as_boxes_show_the_gradient_of_this_step_not_the_last(browser, tmp_path):
    from demos.explore import xor_sample_loss

    loss, model = xor_sample_loss(seed=0, sample="10")
    path = save_explorer(loss, tmp_path / "layers.html", params=model, collapse="layer")
    truth = Truth(loss, model.parameters())
    layer = next(g for g in truth.groups if g.name == "L0")
    tab = Tab(browser, path)
    try:
        rows = lambda: tab.page.eval_on_selector_all(  # noqa: E731
            f"#g{layer.index} text", "els => els.map(e => e.textContent)"
        )
        assert "grad 0.0000 (N0)" in rows()  # at the start nothing has reached the first layer
        for name, _, _ in truth.neuron_units():
            tab.press("ArrowRight")
            if name is not None and name.startswith("L0."):
                assert tab.page.eval_on_selector_all("#graph g.box.receiver", "els => els.map(e => e.id)") == [
                    f"g{layer.index}"
                ]
        grads = {o: truth.grads[o] for o in layer.outputs}
        best = max(layer.outputs, key=lambda o: abs(grads[o]))
        assert f"grad {format_field(grads[best], 4)} (N{layer.outputs.index(best)})" in rows()
    finally:
        tab.close()


def test_collapsed_forward_pass_computes_each_neuron_in_one_step(browser, pages):
    path, truth = pages["xor-boxes"]
    neurons = [g for g in find_groups(truth.order) if g.kind == "neuron"]
    held = {i for g in neurons for i in g.members}
    outside = [i for i, v in enumerate(truth.order) if v.parents and i not in held]
    tab = Tab(browser, path)
    try:
        tab.page.check("#with-forward")
        assert tab.position() == -(len(outside) + len(neurons))
        seen = []
        while tab.position() < 0:
            tab.press("ArrowRight")
            state = tab.state()
            assert receiver_on_screen(state) is not None
            where = tab.page.text_content("#where")
            if "neuron" in where:
                name = where.rsplit(" ", 1)[-1]
                g = next(g for g in neurons if g.name == name)
                (h,) = g.outputs
                # z = b + w0 x0 + w1 x1 as shown, then h = sigmoid(z)
                operands, z = check_calc(state["local"])
                assert len(operands) == 1 + 2 * (len(g.params) - 1)  # the bias, then each weight and its input
                assert z == format_field(truth.order[h].parents[0].data, 4)
                _, out = check_calc(state["chain"])
                assert out == format_field(truth.order[h].data, 4)
                texts = tab.page.eval_on_selector_all(f"#g{g.index} text", "els => els.map(e => e.textContent)")
                assert f"data {out}" in texts
                seen.append(name)
        assert seen == [g.name for g in neurons]  # each neuron once, inputs first
    finally:
        tab.close()


def test_steps_into_constants_can_be_shown(browser, pages):
    path, truth = pages["xor"]
    assert len(truth.shown_steps()) < len(truth.steps)  # the target and the mean's divisor are constants
    tab = Tab(browser, path)
    try:
        tab.page.check("#show-constants")
        assert tab.page.text_content("#position") == f"0 / {len(truth.steps)}"
        walk_backward(tab, truth, fold=False)
    finally:
        tab.close()


def test_every_op_shows_its_local_derivative_with_numbers(browser, pages):
    path, truth = pages["ops"]
    tab = Tab(browser, path)
    try:
        walk_backward(tab, truth)
        tab.press("Home")
        seen = {}
        for step in truth.shown_steps():
            tab.press("ArrowRight")
            seen[step.node.op] = seen.get(step.node.op, "") + tab.state()["localText"] + "\n"
        assert set(seen) >= {
            "*",
            "/",
            "+",
            "-",
            "**",
            "**2",
            "**0.5",
            "**-1",
            "neg",
            "exp",
            "log",
            "tanh",
            "sigmoid",
            "relu",
        }
        # textbook forms with the numbers plugged in, as the rules table writes them
        number, minus, times = r"\(?-?[\d.]+\)?", "\u2212", "\u00d7"
        sigmoid = f"· \\(1 {minus} sigmoid#\\d+\\) = {number} {times} \\(1 {minus} {number}\\) [=≈] "
        assert re.search(sigmoid, seen["sigmoid"]), seen["sigmoid"]
        assert re.search("= 1 \u2212 tanh#\\d+² = 1 \u2212 \\(-[\\d.]+\\)² [=≈]", seen["tanh"])
        assert re.search("= 2·b = 2 \u00d7 \\(-0.7000\\) [=≈] -1.4000", seen["**2"]), seen["**2"]
        assert "ln(" in seen["**"] and "1 / " in seen["/"]
    finally:
        tab.close()


def test_forward_mode_computes_each_node_before_the_backward_pass(browser, pages):
    path, truth = pages["xor"]
    computed = [n for n, v in enumerate(truth.order) if v.parents]
    tab = Tab(browser, path)
    try:
        tab.page.check("#with-forward")
        assert tab.position() == -len(computed)
        boxes = tab.boxes(len(truth.order))
        assert [b["data"] == "data ?" for b in boxes] == [bool(v.parents) for v in truth.order]
        for k, n in enumerate(computed, 1):
            tab.press("ArrowRight")
            state = tab.state()
            assert state["position"] == k - len(computed)
            assert state["receiver"] == [f"v{n}"]
            operands, result = check_calc(state["local"])
            assert result == format_field(truth.order[n].data, 4)
            boxes = tab.boxes(len(truth.order))
            assert boxes[n]["data"] == f"data {result}"
            parents = [format_field(p.data, 4) for p in truth.order[n].parents]
            assert all(p in operands for p in parents if p in state["local"]), state["local"]
            assert receiver_on_screen(state) is not None
        assert tab.position() == 0 and "backward pass starts" in tab.page.text_content("#note")
        tab.press("ArrowRight")
        assert tab.position() == 1 and tab.state()["edge"] == truth.shown_steps()[0].edge_id
    finally:
        tab.close()


def test_practice_mode_asks_for_each_gradient(browser, pages):
    path, truth = pages["xor"]
    shown = truth.shown_steps()
    tab = Tab(browser, path)
    try:
        tab.page.select_option("#mode", "practice")
        assert tab.page.is_disabled("#play")
        tab.press("ArrowRight")
        assert tab.position() == 0 and tab.page.get_attribute("body", "data-asking") == "1"
        assert tab.page.is_visible("#answer") and "?" in tab.page.text_content("#local")
        assert tab.page.text_content("#chain") == ""  # nothing given away
        tab.page.fill("#answer", "123")
        tab.page.click("#check")
        assert tab.position() == 0 and tab.page.get_attribute("#feedback", "class") == "wrong"
        tab.page.click("#hint")
        assert re.search(r"= [-\d.]+$", tab.page.text_content("#local"))  # the hint: the local derivative
        tab.page.fill("#answer", format_field(shown[0].grad_after, 4))
        tab.page.press("#answer", "Enter")
        assert tab.position() == 1 and tab.page.get_attribute("#feedback", "class") == "right"
        # an answer worked out by hand from the numbers shown is accepted even where the box differs in the last digit
        for position, step in enumerate(shown[1:], 2):
            tab.press("ArrowRight")
            state_sum = None
            old = format_field(step.grad_after - step.contribution, 4)
            by_hand = Decimal(old) + Decimal(format_field(step.local_grad, 4)) * Decimal(format_field(step.upstream, 4))
            typed = format_field(float(by_hand), 4)  # worked out from the shown numbers, written as shown
            if typed != format_field(step.grad_after, 4):
                state_sum = typed
            tab.page.fill("#answer", typed)
            tab.page.press("#answer", "Enter")
            assert tab.position() == position, (typed, step)
            if state_sum is not None:
                break
        assert state_sum is not None, "no step where the hand answer differs from the box"
        # by neuron, the question is the neuron's delta
        tab.page.select_option("#step-by", "neuron")
        k, (name, steps, group) = next((k, u) for k, u in enumerate(truth.neuron_units()) if u[0] is not None)
        tab.page.eval_on_selector(
            "#slider", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", k
        )
        tab.press("ArrowRight")
        assert tab.page.text_content("#question") == f"\u03b4({name}) ="
        act = next(s for s in steps if s.node_position == group.outputs[0])
        tab.page.fill("#answer", format_field(act.contribution, 4))
        tab.page.press("#answer", "Enter")
        assert tab.page.get_attribute("#feedback", "class") == "right"
        assert tab.state()["neuron"] == name
        tab.page.select_option("#mode", "watch")
        assert tab.page.is_hidden("#answer")
    finally:
        tab.close()


def test_phone_layout_pins_the_panel_and_takes_swipes(browser, pages):
    path, truth = pages["xor"]
    tab = Tab(browser, path, device=PHONE)
    try:
        assert tab.page.is_hidden("#keys")  # no keyboard hint on a phone
        sizes = tab.page.eval_on_selector_all(
            "#controls button, #controls select, #controls input",
            "els => els.filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect();"
            " return [e.id, r.width, r.height]; })",
        )
        assert sizes and all(h >= 44 and w >= 44 for _, w, h in sizes), sizes
        tab.page.click("#more")  # the options open behind one button
        sizes = tab.page.eval_on_selector_all(
            "#options select, #options button, #options input[type=search], #options label.check",
            "els => els.map(e => e.getBoundingClientRect().height)",
        )
        assert sizes and min(sizes) >= 44, sizes
        tab.page.click("#more")
        session = tab.context.new_cdp_session(tab.page)
        box = tab.page.locator("#step").bounding_box()
        y = box["y"] + box["height"] / 2

        def swipe(x0: float, x1: float) -> None:
            session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]})
            session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x1, "y": y}]})
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

        swipe(300, 80)
        swipe(300, 80)
        assert tab.position() == 2
        swipe(80, 300)
        assert tab.position() == 1
        assert tab.state()["edge"] == truth.shown_steps()[0].edge_id
        # the page itself never scrolls: the panel stays where it is, only the graph moves
        assert tab.page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")
    finally:
        tab.close()


def test_without_javascript_the_final_graph_and_a_message(browser, pages):
    path, truth = pages["xor"]
    tab = Tab(browser, path, javascript=False)
    try:
        assert tab.page.is_visible("noscript p, .message")
        for selector in ("#controls", "#step", "#reset", "#forward", "#slider", "#keys"):
            assert tab.page.is_hidden(selector), selector
        boxes = tab.boxes(len(truth.order))
        assert [b["grad"] for b in boxes] == [f"grad {format_field(g, 4)}" for g in truth.grads]
        assert [b["zero"] for b in boxes] == [g == 0.0 for g in truth.grads]
        assert [b["name"] for b in boxes] == truth.names
    finally:
        tab.close()


def test_back_reset_end_slider_and_list(browser, pages):
    path, truth = pages["hostile"]
    shown = truth.shown_steps()
    n = len(truth.order)
    tab = Tab(browser, path)
    try:
        tab.press("ArrowRight", 4)
        tab.press("ArrowLeft")
        assert tab.position() == 3 and tab.current_edges() == [shown[2].edge_id]
        tab.page.click("#back")
        assert tab.position() == 2 and tab.current_edges() == [shown[1].edge_id]
        tab.page.click("#reset")
        assert tab.position() == 0 and tab.current_edges() == []
        assert tab.page.is_disabled("#back") and tab.page.is_disabled("#reset")
        tab.press("ArrowLeft")  # nothing before the start
        assert tab.position() == 0
        tab.press("End")
        assert tab.position() == len(shown) and tab.page.is_disabled("#forward")
        boxes = tab.boxes(n)
        assert [b["grad"] for b in boxes] == [f"grad {format_field(g, 4)}" for g in truth.grads]
        assert not any(b["dim"] for b in boxes)
        tab.press("ArrowRight")  # nothing after the end
        assert tab.position() == len(shown)
        tab.page.eval_on_selector(
            "#slider", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", 7
        )
        assert tab.position() == 7 and tab.current_edges() == [shown[6].edge_id]
        tab.page.focus("#slider")
        tab.press("ArrowRight")  # one step, not two (the slider's own move is held back)
        assert tab.position() == 8 and tab.page.input_value("#slider") == "8"
        assert tab.page.text_content("#position") == f"8 / {len(shown)}"
        tab.page.click("#list-toggle")
        tab.page.click("#step-list li:nth-child(4)")
        assert tab.position() == 4 and tab.current_edges() == [shown[3].edge_id]
        assert tab.page.text_content("#step-list li.current").startswith(truth.names[shown[3].parent_position])
    finally:
        tab.close()


def test_search_jumps_to_where_a_gradient_is_complete(browser, pages):
    path, truth = pages["xor"]
    shown = truth.shown_steps()
    tab = Tab(browser, path)
    try:
        tab.page.fill("#find", "L0.N1.w0")
        tab.page.press("#find", "Enter")
        j = truth.names.index("L0.N1.w0")
        last_into = max(n for n, s in enumerate(shown) if s.parent_position == j)
        assert tab.position() == last_into + 1
        assert tab.state()["receiver"] == [f"v{j}"]
        assert "complete from here on" in tab.page.text_content("#note")
        tab.page.fill("#find", "nothing-like-this")
        tab.page.press("#find", "Enter")
        assert "No node is named" in tab.page.text_content("#note")
    finally:
        tab.close()


def test_play_runs_to_the_end_and_stops(browser, pages):
    path, truth = pages["hostile"]
    tab = Tab(browser, path, fake_clock=True)  # the page's timer runs on a clock the test moves
    try:
        tab.page.click("#play")
        assert tab.page.get_attribute("#play", "aria-pressed") == "true"
        tab.page.clock.run_for(700 * 2 + 100)  # "normal" speed: a step every 700 ms
        assert tab.position() == 2
        tab.press(" ")  # pause
        tab.page.clock.run_for(5000)
        assert tab.position() == 2 and tab.page.get_attribute("#play", "aria-pressed") == "false"
        tab.page.click("#play")
        tab.page.clock.run_for(700 * (len(truth.steps) + 3))
        assert tab.position() == len(truth.shown_steps())
        assert tab.page.get_attribute("body", "data-playing") == "false"
    finally:
        tab.close()


def test_hostile_labels_show_as_text_and_run_nothing(browser, pages):
    path, truth = pages["hostile"]
    tab = Tab(browser, path)
    try:
        tab.press("End")
        assert tab.page.locator("img").count() == 0
        assert tab.page.locator("script").count() == 2
        svg_texts = tab.page.eval_on_selector_all("#graph text", "els => els.map(e => e.textContent)")
        assert HOSTILE in svg_texts and CLOSER in svg_texts
        into_hostile = next(n for n, s in enumerate(truth.shown_steps(), 1) if s.parent.label == HOSTILE)
        tab.press("Home")
        tab.press("ArrowRight", into_hostile)
        assert HOSTILE + ".grad" in tab.page.inner_text("#step")
        names = [b["name"] for b in tab.boxes(len(truth.order))]
        assert HOSTILE in names and CLOSER in names  # on the boxes, as text
        assert tab.requests == [path.as_uri()]
    finally:
        tab.close()  # checks that no dialog opened and no script failed


def test_page_without_steps(browser, pages):
    path, _ = pages["leaf"]
    tab = Tab(browser, path)
    try:
        assert tab.page.text_content("#position") == "0 / 0"
        assert tab.page.is_disabled("#forward") and tab.page.is_disabled("#play")
        tab.press("ArrowRight")
        assert tab.position() == 0 and tab.boxes(1)[0]["grad"] == "grad 1.0000"
    finally:
        tab.close()
