"""The explorer page's HTML without a browser: self-contained, escaped, and true to trace_backward."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import re
from decimal import Decimal

import pytest
from explorer_page_data import data_block, page_data

from autograd import GraphTooLargeError, Value, save_explorer, topological_order, trace_backward
from autograd.explorer import _asset, _check_inert, escape_json_for_html, explorer_html
from autograd.explorer_maths import operand
from autograd.render import format_field
from autograd.testing import HOSTILE_LABEL as HOSTILE
from autograd.testing import SCRIPT_CLOSER_LABEL as CLOSER
from autograd.testing import hostile_graph

SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def test_page_is_one_self_contained_file(tmp_path):
    path = save_explorer(hostile_graph(), tmp_path / "new" / "page.html")
    assert path == tmp_path / "new" / "page.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # no element loads anything: no src/href attributes, no <link>, no CSS import or url()
    assert re.search(r"<(?:script|img|iframe|link|object|embed|image|use)\b[^>]*\b(?:src|href)\s*=", page) is None
    assert "<link" not in page and "@import" not in page and "url(" not in page
    # the only http(s) URLs are SVG namespace names, which load nothing
    for url in re.findall(r"https?://[^\s\"'<>]*", page):
        assert url in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"), url
    # every script and style is inline, and the policy forbids loading anything
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert page.count("<style") == 1 and page.count("</style>") == 1
    assert "default-src 'none'" in page


@pytest.mark.parametrize(("name", "closer"), [("explorer.js", "</script"), ("explorer.css", "</style")])
def test_the_assets_can_be_inlined(name, closer):
    # the page copies them between <script> and </script>, <style> and </style>: a closing tag in either,
    # in any case, would end the element early (HTML tag names ignore case)
    assert closer not in _asset(name).lower()


def test_content_security_policy_allows_exactly_the_inline_script():
    page = explorer_html(hostile_graph())
    (script,) = SCRIPT.findall(page)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert f"script-src 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_hostile_labels_never_appear_as_markup():
    page = explorer_html(hostile_graph())
    assert "<img" not in page
    assert "<b>" not in page
    assert page.count("</script") == 2  # the label's </script> is escaped everywhere
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the graph shows it as text
    data = page_data(page)
    names = [node["name"] for node in data["nodes"]]
    assert HOSTILE in names and CLOSER in names and "y & <b>" in names


def test_json_block_has_no_characters_that_could_end_it():
    page = explorer_html(hostile_graph())
    block = data_block(page)
    assert not set(block) & set("<>&")


@pytest.mark.parametrize(
    "obj",
    [
        {"label": "</script><script>alert(1)</script>"},
        ["<!--", "-->", "&amp;", "\u2028\u2029", "</SCRIPT >", "]]>"],
        {"<key>": [1.5, -0.0, 1e-300, "a&b"]},
    ],
)
def test_escape_json_for_html_round_trips(obj):
    text = escape_json_for_html(obj)
    assert not set(text) & set("<>&")
    assert json.loads(text) == obj


def test_escape_json_for_html_refuses_nan():
    with pytest.raises(ValueError):
        escape_json_for_html({"x": math.nan})


def test_steps_are_trace_backwards_steps_as_the_boxes_show_them():
    y = hostile_graph()
    data = page_data(explorer_html(y))
    order = topological_order(y)
    for v in order:
        v.grad = 0.0
    steps = trace_backward(y)
    assert len(data["steps"]) == len(steps) == sum(len(v.parents) for v in order)
    assert data["root"] == len(order) - 1
    running = [0.0] * len(order)  # this pass, replayed here from the steps' own numbers
    running[-1] = 1.0
    fmt = lambda x: format_field(x, 4)  # noqa: E731  (the boxes' format)
    for shown, step in zip(data["steps"], steps, strict=True):
        old = running[step.parent_position]
        running[step.parent_position] += step.local_grad * step.upstream
        assert (shown["node"], shown["parent"], shown["arg"]) == (step.node_position, step.parent_position, step.index)
        assert shown["grad"] == fmt(running[step.parent_position])
        assert shown["lc"].split(" ")[-1] == fmt(step.local_grad)
        assert re.fullmatch(
            re.escape(f"{fmt(step.local_grad)} \u00d7 {operand(fmt(step.upstream))} ")
            + "[=\u2248] "
            + re.escape(fmt(step.contribution)),
            shown["cc"],
        ), shown["cc"]
        assert re.fullmatch(
            re.escape(f"{fmt(old)} + {operand(fmt(step.contribution))} ")
            + "[=\u2248] "
            + re.escape(fmt(running[step.parent_position])),
            shown["sc"],
        ), shown["sc"]
        assert shown["trace"] == f"{data['nodes'][step.parent_position]['name']}.grad += {shown['cc']}"
    assert running == [v.grad for v in order]


def test_a_value_used_twice_gets_two_steps_and_says_so():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    data = page_data(explorer_html(y))
    assert [(s["node"], s["arg"]) for s in data["steps"]] == [(1, 0), (1, 1)]
    assert [s["grad"] for s in data["steps"]] == ["3.0000", "6.0000"]
    assert [s["n"] for s in data["steps"]] == [[1, 2], [2, 2]]
    assert data["steps"][1]["sc"] == "3.0000 + 3.0000 = 6.0000"
    assert data["steps"][0]["L"] == [0] and data["steps"][0]["lc"] == "3.0000"  # d(a*a)/d(first a) = the other a
    assert data["nodes"][1]["f"] == [0, " \u00b7 ", 0] and data["nodes"][1]["fc"] == "3.0000 \u00d7 3.0000 = 9.0000"


def test_constants_are_named_by_value_and_their_steps_fold_into_a_neighbour():
    a = Value(2.0, label="a")
    y = (4 * a + a * 0.5).tanh()
    y.label = "y"
    page = explorer_html(y)
    data = page_data(page)
    names = [n["name"] for n in data["nodes"]]
    assert "4" in names and "0.5" in names and not any(n.startswith("leaf#") for n in names)
    roles = {n["name"]: n["role"] for n in data["nodes"]}
    assert roles["4"] == roles["0.5"] == "constant" and roles["a"] == "leaf" and roles["y"] == "root"
    # each box shows the name the text uses: the record's first field
    for name in ("4", "0.5", "a", "y"):
        assert f">{name}</text>" in page
    into_constant = [n for n, s in enumerate(data["steps"]) if s.get("k")]
    assert [names[data["steps"][n]["parent"]] for n in into_constant] == ["0.5", "4"]
    units = data["units"]
    assert [u[2] for u in units] == [n for n in range(len(data["steps"])) if n not in into_constant]
    assert [n for u in units for n in range(u[0], u[1])] == list(range(len(data["steps"])))  # each step once
    for first, end, shown, neuron in units:  # a folded step goes with a step of the same node
        assert neuron == -1
        for n in range(first, end):
            if n in into_constant:
                assert data["steps"][n]["node"] == data["steps"][shown]["node"]
    assert data["neurons"] == [] and data["neuronUnits"] is None  # no nn here


def test_an_nn_network_steps_neuron_by_neuron_with_each_delta_as_the_textbook_writes_it():
    from demos.explore import xor_sample_loss

    loss, model = xor_sample_loss(seed=0, sample="10")
    data = page_data(explorer_html(loss, params=model))
    order = topological_order(loss)
    for v in order:
        v.grad = 0.0
    steps = trace_backward(loss)
    names = [n["name"] for n in data["nodes"]]
    fmt = lambda x: format_field(x, 4)  # noqa: E731  (the boxes' format)
    assert [n["name"] for n in data["neurons"]] == ["L0.N0", "L0.N1", "L1.N0"]
    by_name = {n["name"]: n for n in data["neurons"]}
    out = by_name["L1.N0"]
    assert names[out["h"]] == "y" and order[out["h"]].op == "sigmoid" and order[out["z"]] is order[out["h"]].parents[0]
    # its steps: every step sent by its ops, one run of the backward pass
    assert [n for n, s in enumerate(steps) if out["first"] <= n < out["end"]] == [
        n for n, s in enumerate(steps) if s.node_position in (23, 24, 25, 26, 27)
    ]
    # delta = f'(z) times what reached h (the loss's side here, not next-layer neurons)
    act = steps[out["first"]]
    assert act.node_position == out["h"] and out["fpc"].endswith(fmt(act.local_grad))
    assert out["next"] == 0 and out["grad"] == fmt(act.contribution)
    assert out["delta"] == f"{fmt(act.local_grad)} \u00d7 {operand(fmt(act.upstream))} = {fmt(act.contribution)}"
    # a hidden neuron's sum runs over the weights of the next layer that read its output
    hidden = by_name["L0.N1"]
    (into_h,) = [s for s in steps if s.parent_position == hidden["h"]]
    assert hidden["next"] == 1  # it comes from a weight of the next layer: w * h
    assert hidden["sum"].startswith(f"{operand(fmt(into_h.local_grad))} \u00d7 {operand(fmt(into_h.upstream))}")
    assert names[hidden["read"][0]] == "L1.N0.w1"  # ... highlighted as what the sum reads
    assert {names[p] for p, _ in hidden["params"]} == {"L0.N1.w0", "L0.N1.w1", "L0.N1.b"}
    # the units by neuron: the loss's ops edge by edge (constants folded), then one per neuron
    units = data["neuronUnits"]
    assert [n for u in units for n in range(u[0], u[1])] == list(range(len(steps)))
    assert [data["neurons"][u[3]]["name"] for u in units if u[3] >= 0] == ["L1.N0", "L0.N1", "L0.N0"]


def test_local_derivatives_come_from_the_rules_table(monkeypatch):
    import autograd.explorer as explorer
    from autograd.rules import RULES

    assert not hasattr(explorer, "_UNARY_RULES") and not hasattr(explorer, "_local_rule")
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    assert page_data(explorer_html(y))["steps"][0]["L"] == ["1 \u2212 ", 1, "\u00b2"]
    # change the table and the page follows it: it has no rule of its own
    monkeypatch.setitem(RULES, "tanh", dataclasses.replace(RULES["tanh"], shown=("3 * y",)))
    step = page_data(explorer_html(y))["steps"][0]
    assert step["L"] == ["3\u00b7", 1]
    assert step["lc"] == f"3 \u00d7 {format_field(math.tanh(0.5), 4)} \u2248 {format_field(1 - math.tanh(0.5) ** 2, 4)}"


@pytest.mark.parametrize(
    "build, symbols, numbers",
    [
        (lambda a, b: (a * b).sigmoid(), ["sigmoid(", "mul#2", ")"], "sigmoid(-0.6000)"),
        (lambda a, b: a / b, ["a", " / ", "b"], "2.0000 / (-0.3000)"),
        (lambda a, b: a**2, ["a", "\u00b2"], "2.0000\u00b2"),
        (lambda a, b: a**b, ["a", "^", "b"], "2.0000^(-0.3000)"),
        (lambda a, b: -b, ["\u2212", "b"], "\u2212(-0.3000)"),
        (lambda a, b: b.exp(), ["exp(", "b", ")"], "exp(-0.3000)"),
        (lambda a, b: a.log(), ["ln(", "a", ")"], "ln(2.0000)"),
        (lambda a, b: b.relu(), ["relu(", "b", ")"], "relu(-0.3000)"),
    ],
)
def test_forward_steps_write_each_result_with_names_and_numbers(build, symbols, numbers):
    a, b = Value(2.0, label="a"), Value(-0.3, label="b")
    y = build(a, b)
    nodes = page_data(explorer_html(y))["nodes"]
    node = nodes[-1]
    assert [nodes[t]["name"] if isinstance(t, int) else t for t in node["f"]] == symbols
    assert re.fullmatch(re.escape(numbers) + " [=\u2248] " + re.escape(format_field(y.data, 4)), node["fc"]), node
    assert node["fc"].split(" ")[-2] == "="  # all of these hold as shown


def test_practice_tolerance_accepts_the_box_and_the_hand_answer():
    from autograd.explorer_maths import half_unit

    a, b = Value(0.21034, label="a"), Value(-0.00834, label="b")
    y = a * b
    step = page_data(explorer_html(y))["steps"][0]  # into a: local = b, upstream 1: exact as shown
    assert step["tol"] == pytest.approx(float(half_unit(format_field(-0.00834, 4))), rel=0.02)
    # into b: local a = 0.2103 (shown), upstream 1; into a: the hand answer 0.2103 x b differs from the box
    w = (a * b).tanh()
    for s, t in zip(page_data(explorer_html(w))["steps"], trace_backward(w), strict=True):
        box = format_field(t.grad_after, 4)
        hand = Decimal(format_field(t.local_grad, 4)) * Decimal(format_field(t.upstream, 4))
        assert s["tol"] >= float(half_unit(box))  # the box's own answer
        assert s["tol"] >= float(abs(hand - Decimal(box)))  # and what the shown numbers give by hand


def test_every_grad_is_left_as_it_was_found():
    y = hostile_graph()
    order = topological_order(y)
    for n, v in enumerate(order):
        v.grad = 10.0 + n  # as if earlier backward passes had run
    before = [v.grad for v in order]
    data = page_data(explorer_html(y))
    assert [v.grad for v in order] == before
    # the page shows this pass alone: the same numbers as a fresh backward from zero
    for v in order:
        v.grad = 0.0
    y.backward()
    last_grad = {s["parent"]: s["grad"] for s in data["steps"]}
    for j, shown in last_grad.items():
        assert shown == format_field(order[j].grad, 4)


def test_a_leaf_root_makes_a_page_with_no_steps():
    data = page_data(explorer_html(Value(1.5, label="x")))
    assert data["steps"] == [] and data["root"] == 0 and data["one"] == "1.0000"


def test_non_finite_numbers_are_written_as_text():
    base, exponent = Value(-2.0, label="b"), Value(2.0, label="e")
    y = base**exponent  # d y / d e = y * ln(b): nan for a negative base
    step = page_data(explorer_html(y))["steps"][1]
    assert step["lc"] == "4.0000 \u00d7 ln(-2.0000) = nan"
    assert step["grad"] == "nan" and step["sc"] == "0.0000 + nan = nan" and step["tol"] is None


def test_title_is_escaped_in_markup():
    page = explorer_html(Value(1.0) * 2, title="<i>x</i> & y")
    assert "<title>&lt;i&gt;x&lt;/i&gt; &amp; y</title>" in page
    assert "<i>" not in page


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(TypeError, match="save_explorer: expected a Value"):
        save_explorer(1.5, tmp_path / "x.html")
    with pytest.raises(TypeError, match="title must be a str"):
        save_explorer(Value(1.0), tmp_path / "x.html", title=3)
    big = sum(Value(float(n)) for n in range(10))
    with pytest.raises(GraphTooLargeError, match="max_nodes=5"):
        save_explorer(big, tmp_path / "x.html", max_nodes=5)
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g onclick="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
    ],
)
def test_active_svg_is_refused(svg):
    with pytest.raises(ValueError, match="refusing to embed"):
        _check_inert(svg)


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        # by local name in any case, with or without a namespace
        ("<svg><SCRIPT/></svg>", "has a <script> element"),
        ('<svg xmlns:x="urn:x"><g x:OnLoad="f()"/></svg>', "has an attribute onload='f()'"),
        ('<svg><a href="https://example.com/#x"/></svg>', "has an attribute href='https://example.com/#x'"),
    ],
)
def test_active_svg_is_refused_by_its_local_name(svg, message):
    expected = f"^save_explorer: the graph's SVG {re.escape(message)}; refusing to embed it$"
    with pytest.raises(ValueError, match=expected):
        _check_inert(svg)


def test_links_within_the_drawing_are_inert():
    _check_inert(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<a xlink:href="#n1" href="#n1"><text>x</text></a><g id="n1" class="node"/></svg>'
    )


def test_every_field_of_a_small_pass_at_two_decimals():
    # a = 1.25, b = 0.333 (shown 0.33), y = relu(a·b)·3: a·b = 0.41625 (0.42), y = 1.24875 (1.25)
    a, b = Value(1.25, label="a"), Value(0.333, label="b")
    y = (a * b).relu() * 3
    y.label = "y"
    data = page_data(explorer_html(y, decimals=2))
    assert data["nodes"] == [
        {"name": "3", "op": "", "data": "3.00", "role": "constant"},
        {"name": "a", "op": "", "data": "1.25", "role": "leaf"},
        {"name": "b", "op": "", "data": "0.33", "role": "leaf"},
        # 1.25 x 0.33 = 0.4125 shows as 0.41, not 0.42: "≈"
        {
            "name": "mul#3",
            "op": "*",
            "data": "0.42",
            "role": "interior",
            "f": [1, " \u00b7 ", 2],
            "fc": "1.25 \u00d7 0.33 \u2248 0.42",
        },
        {
            "name": "relu#4",
            "op": "relu",
            "data": "0.42",
            "role": "interior",
            "f": ["relu(", 3, ")"],
            "fc": "relu(0.42) = 0.42",
        },
        {
            "name": "y",
            "op": "*",
            "data": "1.25",
            "role": "root",
            "f": [4, " \u00b7 ", 0],
            "fc": "0.42 \u00d7 3.00 \u2248 1.25",
        },
    ]
    common = {"tol": 0.00505}  # half a unit of the 2nd decimal, plus 1%: the hand answer is the box's
    assert data["steps"] == [
        {"node": 5, "parent": 4, "arg": 0, "grad": "3.00", "L": [0], "lc": "3.00", "read": [0],
         "cc": "3.00 \u00d7 1.00 = 3.00", "sc": "0.00 + 3.00 = 3.00", **common,
         "trace": "relu#4.grad += 3.00 \u00d7 1.00 = 3.00"},
        {"node": 5, "parent": 0, "arg": 1, "grad": "0.42", "L": [4], "lc": "0.42", "read": [4],
         "cc": "0.42 \u00d7 1.00 = 0.42", "sc": "0.00 + 0.42 = 0.42", **common,
         "trace": "3.grad += 0.42 \u00d7 1.00 = 0.42", "k": 1},
        {"node": 4, "parent": 3, "arg": 0, "grad": "3.00", "L": ["1 if ", 3, " > 0, else 0"], "lc": "1.00",
         "read": [3], "why": [3, " = 0.42 > 0"], "cc": "1.00 \u00d7 3.00 = 3.00", "sc": "0.00 + 3.00 = 3.00",
         **common, "trace": "mul#3.grad += 1.00 \u00d7 3.00 = 3.00"},
        # 0.33 x 3.00 = 0.99 by hand, the box says 1.00 (0.999): the tolerance takes in the 0.01 between them
        {"node": 3, "parent": 1, "arg": 0, "grad": "1.00", "L": [2], "lc": "0.33", "read": [2],
         "cc": "0.33 \u00d7 3.00 \u2248 1.00", "sc": "0.00 + 1.00 = 1.00", "tol": pytest.approx(0.015 * 1.01),
         "trace": "a.grad += 0.33 \u00d7 3.00 \u2248 1.00"},
        {"node": 3, "parent": 2, "arg": 1, "grad": "3.75", "L": [1], "lc": "1.25", "read": [1],
         "cc": "1.25 \u00d7 3.00 = 3.75", "sc": "0.00 + 3.75 = 3.75", **common,
         "trace": "b.grad += 1.25 \u00d7 3.00 = 3.75"},
    ]  # fmt: skip
    assert (data["zero"], data["one"], data["root"]) == ("0.00", "1.00", 5)
    assert data["units"] == [[0, 2, 0, -1], [2, 3, 2, -1], [3, 4, 3, -1], [4, 5, 4, -1]]
    assert (data["neurons"], data["neuronUnits"]) == ([], None)


def test_ops_without_a_rule_show_the_numbers_they_recorded():
    # Value.from_op under a name the rules table lacks, with three inputs, or with a known name but the wrong
    # number of inputs: the page writes the op as a call and the local derivative as the number recorded
    x, w = Value(0.5, label="x"), Value(2.0, label="w")
    soft = Value.from_op(math.log1p(math.exp(0.5)), (x,), (0.6224593,), "softplus")
    fma = Value.from_op(1.0 + soft.data, (x, w, soft), (2.0, 0.5, 1.0), "fma")
    u = Value.from_op(1.5, (fma, x), (0.25, -1.0), "tanh")
    u.label = "u"
    data = page_data(explorer_html(u, decimals=2))
    assert [(n["name"], n["f"], n["fc"]) for n in data["nodes"][2:]] == [
        ("softplus#2", ["softplus(", 0, ")"], "0.97"),  # log(1 + e^0.5) = 0.974
        ("fma#3", ["fma(", 0, ", ", 1, ", ", 2, ")"], "1.97"),
        ("u", ["tanh(", 3, ", ", 0, ")"], "1.50"),
    ]
    shown = [(s["parent"], s["L"], s["lc"], s["read"], s["cc"]) for s in data["steps"]]
    assert shown == [
        (3, None, "0.25", [], "0.25 \u00d7 1.00 = 0.25"),
        (0, None, "-1.00", [], "-1.00 \u00d7 1.00 = -1.00"),
        (0, None, "2.00", [], "2.00 \u00d7 0.25 = 0.50"),
        (1, None, "0.50", [], "0.50 \u00d7 0.25 = 0.12"),  # 0.125: a tie, shown 0.12, "=" either way
        (2, None, "1.00", [], "1.00 \u00d7 0.25 = 0.25"),
        (0, None, "0.62", [], "0.62 \u00d7 0.25 = 0.16"),
    ]
    assert [s["sc"] for s in data["steps"] if s["parent"] == 0] == [
        "0.00 + (-1.00) = -1.00",
        "-1.00 + 0.50 = -0.50",
        "-0.50 + 0.16 = -0.34",
    ]


def test_save_explorer_writes_the_page_explorer_html_makes_with_the_same_options(tmp_path):
    from nn import MLP

    a, w = Value(2.0, label="a"), Value(-3.0, label="w")
    y = (a * w).tanh()
    assert save_explorer(y, tmp_path / "a.html").read_text(encoding="utf-8") == explorer_html(y)
    options = {"title": "t", "params": [w], "decimals": 2, "max_nodes": 10, "rankdir": "TB", "timeout": 30.0}
    page = save_explorer(y, tmp_path / "b.html", **options).read_text(encoding="utf-8")
    assert page == explorer_html(y, **options)
    assert page != explorer_html(y, **{**options, "params": None})  # w is drawn and named as a parameter
    assert page != explorer_html(y, **{**options, "rankdir": "LR"})
    model = MLP(2, [2, 1], seed=0)
    out = model([1.0, -1.0])
    collapsed = save_explorer(out, tmp_path / "c.html", params=model, collapse="neuron").read_text(encoding="utf-8")
    assert collapsed == explorer_html(out, params=model, collapse="neuron") and 'class="node box neuron' in collapsed
    with pytest.raises(ValueError, match="save_explorer: timeout must be a positive number of seconds or None"):
        save_explorer(y, tmp_path / "d.html", timeout=-1.0)
    assert not (tmp_path / "d.html").exists()


def test_save_explorer_refuses_more_than_500_nodes_by_default(tmp_path):
    x = Value(0.5, label="x")
    y = x
    for _ in range(500):
        y = y.tanh()  # 501 nodes
    with pytest.raises(GraphTooLargeError, match="max_nodes=500"):
        save_explorer(y, tmp_path / "big.html")
    with pytest.raises(GraphTooLargeError, match="max_nodes=500"):
        explorer_html(y)


def test_explorer_names_constants_and_neuron_ends():
    from autograd.explorer import explorer_names
    from autograd.groups import GroupInfo, begin_group, find_groups, group, mark_outputs
    from nn import MLP

    w, x = Value(0.5), Value(2.0, label="x")
    order = topological_order((w * x) * 3)
    assert explorer_names(order) == ["3", "0.5", "x", "mul#3", "mul#4"]  # unlabelled leaves: by value
    assert explorer_names(order, {1}) == ["3", "leaf#1", "x", "mul#3", "mul#4"]  # ... unless a parameter
    with group("g") as g:
        z = g.output((x * 2).exp())
    order = topological_order(z)
    assert explorer_names(order, groups=find_groups(order)) == ["x", "2", "mul#2", "exp#3"]  # not a neuron
    start = begin_group()
    pair = [x * 2, x * 3]
    mark_outputs(pair, start, GroupInfo("n", "neuron", [], "tanh"))
    order = topological_order(pair[0] + pair[1])
    assert explorer_names(order, groups=find_groups(order))[-3:] == ["mul#3", "mul#4", "add#5"]  # two outputs
    model = MLP(1, [1], output_activation="tanh", seed=0)
    order = topological_order(model([x]))
    groups = find_groups(order)
    assert [g.name for g in groups] == ["L0", "L0.N0"]  # the layer comes first, then its neuron
    assert explorer_names(order, groups=groups) == ["L0.N0.b", "L0.N0.w0", "x", "mul#3", "L0.N0.z", "L0.N0"]
    labelled = model([x])
    labelled.label = "out"
    order = topological_order(labelled)
    assert explorer_names(order, groups=find_groups(order))[-2:] == ["add#4", "out"]


def test_graphviz_svg_is_inlined_without_prolog_comments_colours_or_tooltips():
    from autograd.explorer import _inline_svg

    drawn = (
        '<?xml version="1.0"?>\n<!-- made by dot -->\n<svg xmlns="http://www.w3.org/2000/svg"><!-- a note -->'
        '<g id="e1_2" class="edge"><title>v1&#45;&gt;v2</title><path fill="none" stroke="#000"/></g></svg>\n'
    )
    svg, tails = _inline_svg(drawn)
    assert svg == '<svg xmlns="http://www.w3.org/2000/svg"><g id="e1_2" class="edge"><path/></g></svg>'
    assert tails == {"e1_2": "v1"}  # the edge starts at v1, read from its tooltip before that goes
