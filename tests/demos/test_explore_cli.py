"""``python -m demos.explore``: the safe expression reader, the XOR page and the command line."""

from __future__ import annotations

import json
import math
import re

import pytest

from autograd import topological_order
from demos._common import DemoError
from demos.explore import ExpressionError, build_expression, main, parse_assignment, xor_sample_loss

DATA_BLOCK = re.compile(r'<script type="application/json" id="explorer-data">(.*?)</script>', re.DOTALL)


def test_the_example_expression_builds_the_right_graph():
    y = build_expression("(a*b + c).tanh()", {"a": 2.0, "b": -3.0, "c": 10.0})
    assert y.data == math.tanh(2.0 * -3.0 + 10.0)
    y.backward()
    leaves = {v.label: v for v in topological_order(y) if not v.parents}
    a, b, c = leaves["a"], leaves["b"], leaves["c"]
    local = 1.0 - math.tanh(4.0) ** 2
    assert a.grad == pytest.approx(-3.0 * local) and b.grad == pytest.approx(2.0 * local)
    assert c.grad == pytest.approx(local)


def test_each_name_is_one_leaf_and_numbers_stay_numbers():
    y = build_expression("a * a + 2 * 3 ** 2 - -a / 4", {"a": 3.0})
    assert y.data == 3.0 * 3.0 + 18.0 + 3.0 / 4.0
    leaves = [v for v in topological_order(y) if not v.parents]
    assert [v.label for v in leaves if v.label] == ["a"]  # one leaf for a, used three times
    assert sorted(v.data for v in leaves if not v.label) == [4.0, 18.0]  # 2 * 3 ** 2 folded to 18
    y.backward()
    (a,) = (v for v in leaves if v.label == "a")
    assert a.grad == pytest.approx(2 * 3.0 + 1 / 4)


@pytest.mark.parametrize(
    "method, expected",
    [
        ("tanh", math.tanh(1.5)),
        ("exp", math.exp(1.5)),
        ("log", math.log(1.5)),
        ("sigmoid", 1.0 / (1.0 + math.exp(-1.5))),
        ("relu", 1.5),
    ],
)
def test_every_allowed_method(method, expected):
    y = build_expression(f"(x * 2).{method}()", {"x": 0.75})
    assert y.op == method and y.data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "expr, message",
    [
        ("__import__('os')", "calls a function"),
        ("__import__('os').system('touch /tmp/gradtrace-pwned')", "calls .system()"),
        ("open('/etc/passwd')", "calls a function"),
        ("abs(a)", "calls a function"),
        ("a.data", "reads an attribute"),
        ("a.__class__", "reads an attribute"),
        ("a.__class__.__bases__", "reads an attribute"),
        ("a.backward()", "calls .backward()"),
        ("a.tanh(1)", "takes no arguments"),
        ("a.tanh(x=1)", "takes no arguments"),
        ("a % 2", "operator that is not allowed"),
        ("a // 2", "operator that is not allowed"),
        ("a @ a", "operator that is not allowed"),
        ("a < 2", "(Compare) is not allowed"),
        ("a if a else a", "(IfExp) is not allowed"),
        ("lambda: a", "(Lambda) is not allowed"),
        ("[a][0]", "(Subscript) is not allowed"),
        ("not a", "(UnaryOp) is not allowed"),
        ("~a", "(UnaryOp) is not allowed"),
        ("'text'", "is not a number"),
        ("True * a", "is not a number"),
        ("1j * a", "is not a number"),
        ("(a := 3)", "(NamedExpr) is not allowed"),
        ("a; a", "is not valid"),
        ("import os", "is not valid"),
        ("a +", "is not valid"),
        ("b * 2", "the name b has no value"),
        ("a * 1e400", "not finite"),
        ("a * 10 ** 10 ** 10", "cannot be evaluated"),
        ("a * 1" + "0" * 400, "too large"),
        ("(a - a).log()", "log: needs a value > 0"),
        ("a / (a - a)", "division by zero"),
        ("(" * 300 + "a" + ")" * 300, "too many nested parentheses"),
        ("-" * 100_000 + "a", "nested too deeply"),
        ("a * " + "9" * 5000, "expression 'a * 999"),  # refused by the parser or by float()
        ("a\x00", "expression 'a\\x00'"),
    ],
)
def test_anything_else_is_refused_and_never_run(expr, message, tmp_path):
    with pytest.raises(ExpressionError) as err:
        build_expression(expr, {"a": 2.0})
    assert message in str(err.value)


def test_a_refused_expression_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ExpressionError):
        build_expression(f"__import__('pathlib').Path({str(marker)!r}).touch()", {})
    with pytest.raises(ExpressionError):
        build_expression(f"a.__class__.__init__.__globals__['Path']({str(marker)!r}).touch()", {"a": 1.0})
    assert not marker.exists()


def test_an_expression_of_numbers_only_is_an_error():
    with pytest.raises(ExpressionError, match="uses no names, so it has no backward pass"):
        build_expression("2 * 3", {})


def test_values_that_no_name_uses_are_an_error():
    with pytest.raises(ExpressionError, match="b given a value but not used"):
        build_expression("a * 2", {"a": 1.0, "b": 2.0})


@pytest.mark.parametrize("text, expected", [("a=2", ("a", 2.0)), ("b=-3", ("b", -3.0)), (" x1 = 1e-3 ", ("x1", 0.001))])
def test_parse_assignment(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("a", "is not an assignment"),
        ("=2", "is not an assignment"),
        ("1a=2", "is not an assignment"),
        ("for=2", "is not an assignment"),
        ("a=two", "is not a number"),
        ("a=nan", "finite"),
        ("a=inf", "finite"),
    ],
)
def test_parse_assignment_refuses(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_assignment(text)


def test_xor_sample_loss_is_the_squared_error_of_the_network():
    loss, model = xor_sample_loss(seed=0, sample="11")
    (x1, x2) = (1.0, 1.0)
    # the forward pass again, by hand, from the model's own weights
    hidden = []
    for neuron in model.layers[0].neurons:
        z = sum(w.data * x for w, x in zip(neuron.w, (x1, x2), strict=True)) + neuron.b.data
        hidden.append(1 / (1 + math.exp(-z)))
    (out,) = model.layers[1].neurons
    y = 1 / (1 + math.exp(-(sum(w.data * h for w, h in zip(out.w, hidden, strict=True)) + out.b.data)))
    assert loss.data == pytest.approx((y - 0.0) ** 2, rel=1e-12)
    assert loss.label == "loss"
    with pytest.raises(ValueError, match="sample must be one of"):
        xor_sample_loss(sample="12")


def test_main_writes_the_xor_page_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    page = tmp_path / "out" / "explorer.html"
    assert str(page.relative_to(tmp_path)) in capsys.readouterr().out
    text = page.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 300_000  # a few hundred KB at most
    data = json.loads(DATA_BLOCK.search(text).group(1))
    loss, _ = xor_sample_loss(seed=0, sample="10")
    assert len(data["steps"]) == sum(len(v.parents) for v in topological_order(loss))
    assert data["nodes"][data["root"]]["name"] == "loss"
    assert {"x1", "x2", "y", "L0.N0.w0", "L1.N0.b"} <= {n["name"] for n in data["nodes"]}


def test_main_writes_an_expression_page(tmp_path, capsys):
    out = tmp_path / "deep" / "tanh.html"
    assert main(["(a*b + c).tanh()", "a=2", "b=-3", "c=10", "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    data = json.loads(DATA_BLOCK.search(out.read_text(encoding="utf-8")).group(1))
    assert [s["trace"].split(".grad")[0] for s in data["steps"]] == ["add#4", "mul#3", "c", "a", "b"]
    assert data["nodes"][data["root"]]["name"] == "out"


def test_main_reads_an_expression_that_starts_with_minus(tmp_path):
    assert main(["--out", str(tmp_path / "neg.html"), "--", "-a * b", "a=1", "b=2"]) == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["__import__('os')"], "calls a function"),
        (["a*b", "a=1"], "the name b has no value"),
        (["a*2", "a=1", "a=2"], "a is given twice"),
        (["a=2"], "give the expression first"),
        (["a=2", "a*3"], "give the expression first"),
        (["a*2", "a=1", "--seed", "3"], "--seed and --sample choose the XOR page"),
        (["--out", "page.svg"], "must end in one of .html, .htm"),
        (["--sample", "12"], "invalid choice"),
        (["--max-nodes", "0"], "argument --max-nodes: must be an integer >= 1, got '0'"),
    ],
)
def test_main_reports_bad_input_as_a_usage_error(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_quiet_prints_nothing(tmp_path, capsys):
    assert main(["a*2", "a=1", "--out", str(tmp_path / "p.html"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "p.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_graph_larger_than_max_nodes_is_refused_with_the_flag_to_pass(tmp_path):
    page = tmp_path / "p.html"
    with pytest.raises(DemoError, match=r"the graph has 3 Values, more than --max-nodes 2: .* give --max-nodes 3"):
        main(["a*a*a", "a=2", "--out", str(page), "--max-nodes", "2"])
    assert not page.exists()
    assert main(["a*a*a", "a=2", "--out", str(page), "--max-nodes", "3"]) == 0
