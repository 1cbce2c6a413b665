"""The explorer page's HTML without a browser: self-contained, escaped, and true to trace_backward."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re

import pytest

from autograd import GraphTooLargeError, Value, save_explorer, topological_order, trace_backward
from autograd.explorer import _check_inert, escape_json_for_html, explorer_html
from autograd.render import format_field
from autograd.testing import HOSTILE_LABEL as HOSTILE
from autograd.testing import SCRIPT_CLOSER_LABEL as CLOSER
from autograd.testing import hostile_graph
from autograd.trace import format_number

DATA_BLOCK = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.DOTALL)
SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_data(page: str) -> dict:
    (block,) = DATA_BLOCK.findall(page)
    return json.loads(block)


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
    assert "<style>" in page
    assert "default-src 'none'" in page


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
    (block,) = DATA_BLOCK.findall(page)
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


def test_steps_are_trace_backwards_steps_with_grads_from_zero():
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
    for shown, step in zip(data["steps"], steps):
        running[step.parent_position] += step.local_grad * step.upstream
        assert shown["edge"] == f"e{step.node_position}_{step.index}"
        assert (shown["node"], shown["parent"], shown["arg"]) == (step.node_position, step.parent_position, step.index)
        assert shown["grad"] == format_field(running[step.parent_position], 4)
        assert shown["text"] == (
            f"{step.parent_name}.grad += local {format_number(step.local_grad)} \u00d7 "
            f"upstream {format_number(step.upstream)} = {format_number(step.contribution)}"
        )
        assert shown["trace"] == str(step)
        assert shown["values"] == [step.local_grad, step.upstream, step.contribution, step.grad_after]
    assert running == [v.grad for v in order]


def test_a_value_used_twice_gets_two_steps_and_says_so():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    data = page_data(explorer_html(y))
    assert [s["edge"] for s in data["steps"]] == ["e1_0", "e1_1"]
    assert [s["grad"] for s in data["steps"]] == ["3.0000", "6.0000"]
    assert "contribution 2 of 2" in data["steps"][1]["after"]
    assert data["steps"][0]["local"] == "local = dy/da: y = a * a, so dy/da = a = 3.0"


def test_the_graph_is_embedded_with_the_ids_the_script_uses():
    y = hostile_graph()
    page = explorer_html(y)
    order = topological_order(y)
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    for i, v in enumerate(order):
        assert f'id="v{i}"' in page
        if v.parents:
            assert f'id="op{i}"' in page and f'id="o{i}"' in page
            for k in range(len(v.parents)):
                assert f'id="e{i}_{k}"' in page


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


def test_non_finite_numbers_are_written_as_strings():
    base, exponent = Value(-2.0, label="b"), Value(2.0, label="e")
    y = base**exponent  # d y / d e = y * ln(b): nan for a negative base
    data = page_data(explorer_html(y))
    local_of_exponent = data["steps"][1]["values"][0]
    assert local_of_exponent == "nan"
    assert data["steps"][1]["grad"] == "nan"


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


def test_local_rules_explain_each_op():
    a, b = Value(2.0, label="a"), Value(4.0, label="b")
    t = (a / b).tanh()
    t.label = "t"
    soft = Value.from_op(1.5, (t,), (0.25,), "softplus")  # a user-defined op
    soft.label = "s"
    steps = page_data(explorer_html(soft))["steps"]
    assert [s["local"] for s in steps] == [
        "local = ds/dt: s = softplus(t), and the op recorded this derivative when it ran",
        "local = dt/d(div#2): t = tanh(div#2), so dt/d(div#2) = 1 - t^2",
        "local = d(div#2)/da: div#2 = a / b, so d(div#2)/da = 1 / b",
        "local = d(div#2)/db: div#2 = a / b, so d(div#2)/db = -a / b^2",
    ]
    assert steps[0]["upstream"] == "upstream = s.grad = ds/ds = 1.0: the pass starts at the output"
