"""The explorer's arithmetic as displayed: formulas from the rules table, and "=" only where it holds as shown."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import palette
from autograd.explorer import CSS_COLOURS, _asset
from autograd.explorer_maths import Bound, Formula, formula, half_unit, holds, operand, read, relation
from autograd.render import format_field
from autograd.rules import RULES, evaluate

values = st.floats(min_value=-20.0, max_value=20.0, allow_nan=False).filter(lambda x: abs(x) > 1e-3)
positive = st.floats(min_value=0.01, max_value=20.0)
DOMAINS = {"log": (positive,), "**": (positive, st.floats(-3.0, 3.0)), "/": (values, values)}


def shown_names(letters, xs, decimals=4):
    return {letter: Bound(n, format_field(x, decimals)) for n, (letter, x) in enumerate(zip(letters, xs, strict=False))}


@pytest.mark.parametrize("op", sorted(RULES))
@given(data=st.data())
def test_every_shown_rule_means_what_the_table_computes(op, data):
    """Printed with numbers and read back exactly, each ``shown`` form equals the table's own float code on the
    same (shown) numbers: the printer adds or drops nothing (precedence, folding, superscripts)."""
    rule = RULES[op]
    domains = DOMAINS.get(op, (values,) * rule.arity)
    xs = [data.draw(d) for d in domains[: rule.arity]]
    constants = {"c": data.draw(st.sampled_from([2.0, 3.0, 0.5, -1.0, 1.0, 0.0, 1.5]))} if op == "**c" else {}
    if op == "**c" and xs[0] < 0 and constants["c"] != int(constants["c"]):
        xs[0] = -xs[0]
    names = shown_names("ab", xs)
    ab = {letter: float(read(names[letter].text)) for letter in "ab"[: rule.arity]}  # the numbers as shown
    y = evaluate(rule.value, **ab, **constants)
    if not math.isfinite(y):
        return
    names["y"] = Bound(9, format_field(y, 4))
    y_shown = float(read(names["y"].text))
    for k, shown in enumerate(rule.shown):
        f = formula(shown, names, constants)
        expected = evaluate(shown, **ab, y=y_shown, **constants)
        if not math.isfinite(expected) or f.exact is None:
            continue
        assert float(f.exact) == pytest.approx(expected, rel=1e-9, abs=1e-12), (op, k, f.numbers)
    result = formula(
        rule.maths if op != "relu" else rule.value, {k: v for k, v in names.items() if k != "y"}, constants
    )
    assert float(result.exact) == pytest.approx(y, rel=1e-9, abs=1e-12), (op, result.numbers)


def test_textbook_forms():
    y = {"y": Bound(7, "0.3132")}
    f = formula("y * (1 - y)", y)
    assert (f.symbols, f.numbers) == ([7, " \u00b7 (1 \u2212 ", 7, ")"], "0.3132 \u00d7 (1 \u2212 0.3132)")
    assert relation(f, 0.3132 * (1 - 0.3132)) == "0.3132 \u00d7 (1 \u2212 0.3132) = 0.2151"
    x = {"a": Bound(3, "-0.9841")}
    f = formula("c * a**(c - 1)", x, {"c": 2.0})
    assert (f.symbols, f.numbers) == (["2\u00b7", 3], "2 \u00d7 (-0.9841)")
    assert relation(f, 2 * -0.98412) == "2 \u00d7 (-0.9841) = -1.9682"
    assert formula("c * a**(c - 1)", x, {"c": 1.0}).plain  # d a / d a = 1: nothing to compute
    assert formula("c * a**(c - 1)", x, {"c": -1.0}).symbols == ["\u2212", 3, "^(-2)"]
    f = formula("-a / b**2", {"a": Bound(1, "-1.0000"), "b": Bound(2, "2.0000")})
    assert (f.symbols, f.numbers, f.exact) == (
        ["\u2212", 1, " / ", 2, "\u00b2"],
        "\u2212(-1.0000) / 2.0000\u00b2",
        Decimal("0.25"),
    )
    f = formula("1 if a > 0 else 0", {"a": Bound(5, "-0.3000")})
    assert f.symbols == ["1 if ", 5, " > 0, else 0"] and f.plain and f.exact == 0
    assert f.note == [5, " = -0.3000 <= 0"]


def test_equals_only_where_it_holds_as_shown():
    f = formula("a * b", {"a": Bound(None, "1.3132"), "b": Bound(None, "2.2151")})  # exactly 2.90886932
    assert relation(f, 2.90887) == "1.3132 \u00d7 2.2151 = 2.9089"
    assert relation(f, 2.908849) == "1.3132 \u00d7 2.2151 \u2248 2.9088"  # the truth rounds the other way
    assert holds(Decimal("0.00005"), "0.0001") and holds(Decimal("0.00005"), "0.0000")  # a tie either way
    assert not holds(Decimal("0.0000501"), "0.0000")
    assert not holds(None, "1.0000") and not holds(Decimal(1), "nan")
    assert half_unit("7.140e-06") == Decimal("5e-10") and half_unit("12.50") == Decimal("0.005")
    assert relation(Formula([], "1.0000 \u00d7 nan", None, False), math.nan) == "1.0000 \u00d7 nan = nan"
    assert operand("-0.5") == "(-0.5)" and operand("0.5") == "0.5"


def test_page_colours_come_from_the_palette_only():
    css = _asset("explorer.css")
    html = _asset("explorer.html")
    colour = re.compile(
        r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(|(?<![\w-])(?:white|black|red|green|blue|gray|"
        r"grey|orange|purple|yellow|transparent)(?![\w-])"
    )
    assert colour.findall(css) == [] and colour.findall(html.replace("{svg}", "")) == []
    used = set(re.findall(r"var\(--([\w-]+)\)", css))
    assert used <= set(CSS_COLOURS), used - set(CSS_COLOURS)
    everything = {
        *palette.ROLE_FILL.values(),
        *palette.ROLE_BORDER.values(),
        palette.OP_FILL,
        palette.EDGE,
        palette.CURRENT,
        palette.SENDER,
        palette.RECEIVER,
        palette.CLUSTER_BORDER,
        palette.CLUSTER_FILL,
        palette.CLUSTER_TEXT,
    }
    assert set(CSS_COLOURS.values()) <= everything


def _deuteranope(hex_colour: str) -> tuple[float, float, float]:
    """What a deuteranope sees (Machado et al. 2009, severity 1), in linear RGB."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    return (
        0.367322 * r + 0.860646 * g - 0.227968 * b,
        0.280085 * r + 0.672501 * g + 0.047413 * b,
        -0.011820 * r + 0.042940 * g + 0.968881 * b,
    )


def test_sender_receiver_and_operand_differ_in_colour_blind_sight_and_in_pattern():
    seen = {name: _deuteranope(CSS_COLOURS[name]) for name in ("sender", "receiver")}
    assert math.dist(seen["sender"], seen["receiver"]) > 0.3  # apart for a deuteranope
    # and apart in greyscale too: by the pattern of the border, not only its colour
    css = _asset("explorer.css")

    def rule(selector: str) -> str:
        match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
        assert match, selector
        return match.group(1)

    patterns = {
        "sender": rule("#graph :is(.value, .box).sender > :is(polygon, path):first-of-type"),
        "operand": rule("#graph :is(.value, .box).operand > :is(polygon, path):first-of-type"),
        "zero": rule("#graph :is(.value, .box).zero > :is(polygon, polyline, path)"),
    }
    dashes = {k: re.search(r"stroke-dasharray: ([^;]+);", v).group(1) for k, v in patterns.items()}
    assert len(set(dashes.values())) == 3, dashes  # dashed, dotted, finely dashed
    assert "stroke-width: 4px" in patterns["sender"] and "stroke-width" not in patterns["zero"]  # heavy vs thin
    assert "stroke-width: 8px" in rule("#graph g.node > :is(polygon, path).ring.outer")  # the receiver's double border
    assert "stroke-width: 4px" in rule("#graph .edge.current > path")  # the step's edge: a thick solid line


# a = -0.5, b = 2, z = 0, p = 0.25 (nodes 1 to 4), n = nan (a plain number, no node), c = inf (a constant)
BOUND = {
    "a": Bound(1, "-0.5000"),
    "b": Bound(2, "2.0000"),
    "z": Bound(3, "0.0000"),
    "n": Bound(None, "nan"),
    "p": Bound(4, "0.2500"),
}


@pytest.mark.parametrize(
    "expression, symbols, numbers, exact, plain, note",
    [
        ("(2 + 3) * a", ["5\u00b7", 1], "5 \u00d7 (-0.5000)", "-2.5", False, []),
        ("(2 - 3) * a", ["\u2212", 1], "\u2212(-0.5000)", "0.5", False, []),
        ("(2 * 3) * a", ["6\u00b7", 1], "6 \u00d7 (-0.5000)", "-3", False, []),
        ("(3 / 2) * a", ["1.5\u00b7", 1], "1.5 \u00d7 (-0.5000)", "-0.75", False, []),
        ("(2 ** 3) * a", ["8\u00b7", 1], "8 \u00d7 (-0.5000)", "-4", False, []),
        ("a**1", [1], "-0.5000", "-0.5", True, []),
        ("b**0", ["1"], "1", "1", True, []),
        ("1 * a", [1], "-0.5000", "-0.5", True, []),
        ("-1 * a", ["\u2212", 1], "\u2212(-0.5000)", "0.5", False, []),
        ("a * 1", [1], "-0.5000", "-0.5", True, []),
        ("a / 1", [1], "-0.5000", "-0.5", True, []),
        ("-(2) * a", ["(-2)\u00b7", 1], "(-2) \u00d7 (-0.5000)", "1", False, []),
        (
            "exp(a**1)",
            ["exp(", 1, ")"],
            "exp(-0.5000)",
            "0.606530659712633423603799534991180453441918135487186955682892",
            False,
            [],
        ),
        (
            "a - (b - a)",
            [1, " \u2212 (", 2, " \u2212 ", 1, ")"],
            "(-0.5000) \u2212 (2.0000 \u2212 (-0.5000))",
            "-3",
            False,
            [],
        ),
        ("a - b - a", [1, " \u2212 ", 2, " \u2212 ", 1], "(-0.5000) \u2212 2.0000 \u2212 (-0.5000)", "-2", False, []),
        ("a / (b * a)", [1, " / (", 2, " \u00b7 ", 1, ")"], "(-0.5000) / (2.0000 \u00d7 (-0.5000))", "0.5", False, []),
        ("a / b * a", [1, " / ", 2, " \u00b7 ", 1], "(-0.5000) / 2.0000 \u00d7 (-0.5000)", "0.125", False, []),
        (
            "(a + b) * a",
            ["(", 1, " + ", 2, ") \u00b7 ", 1],
            "((-0.5000) + 2.0000) \u00d7 (-0.5000)",
            "-0.75",
            False,
            [],
        ),
        (
            "a * (a + b)",
            [1, " \u00b7 (", 1, " + ", 2, ")"],
            "(-0.5000) \u00d7 ((-0.5000) + 2.0000)",
            "-0.75",
            False,
            [],
        ),
        ("a ** b", [1, "^", 2], "(-0.5000)^2.0000", "0.25", False, []),
        ("(a ** b) ** 2", ["(", 1, "^", 2, ")\u00b2"], "((-0.5000)^2.0000)\u00b2", "0.0625", False, []),
        ("a ** (b + 1)", [1, "^(", 2, " + 1)"], "(-0.5000)^(2.0000 + 1)", "-0.125", False, []),
        ("a ** -1", [1, "^(-1)"], "(-0.5000)^(-1)", "-2", False, []),
        ("-a", ["\u2212", 1], "\u2212(-0.5000)", "0.5", False, []),
        ("-(a + b)", ["\u2212(", 1, " + ", 2, ")"], "\u2212((-0.5000) + 2.0000)", "-1.5", False, []),
        ("-a ** 2", ["\u2212", 1, "\u00b2"], "\u2212(-0.5000)\u00b2", "-0.25", False, []),
        ("+a", [1], "-0.5000", "-0.5", True, []),
        (
            "log(p)",
            ["ln(", 4, ")"],
            "ln(0.2500)",
            "-1.38629436111989061883446424291635313615100026872051050824136",
            False,
            [],
        ),
        ("log(a)", ["ln(", 1, ")"], "ln(-0.5000)", None, False, []),
        (
            "exp(a)",
            ["exp(", 1, ")"],
            "exp(-0.5000)",
            "0.606530659712633423603799534991180453441918135487186955682892",
            False,
            [],
        ),
        ("tanh(a)", ["tanh(", 1, ")"], "tanh(-0.5000)", "-0.46211715726000974", False, []),
        ("sigmoid(b)", ["sigmoid(", 2, ")"], "sigmoid(2.0000)", "0.8807970779778823", False, []),
        ("max(a, b)", ["max(", 1, ", ", 2, ")"], "max(-0.5000, 2.0000)", None, False, []),
        ("1 if a > 0 else 0", ["1 if ", 1, " > 0, else 0"], "0", "0", True, [1, " = -0.5000 <= 0"]),
        ("1 if a >= z else 0", ["1 if ", 1, " >= ", 3, ", else 0"], "0", "0", True, [1, " = -0.5000 < 0.0000"]),
        ("1 if z >= 0 else 2", ["1 if ", 3, " >= 0, else 2"], "1", "1", True, [3, " = 0.0000 >= 0"]),
        ("1 if z > 0 else 2", ["1 if ", 3, " > 0, else 2"], "2", "2", True, [3, " = 0.0000 <= 0"]),
        ("1 if z < 0 else 2", ["1 if ", 3, " < 0, else 2"], "2", "2", True, [3, " = 0.0000 >= 0"]),
        ("1 if z <= 0 else 2", ["1 if ", 3, " <= 0, else 2"], "1", "1", True, [3, " = 0.0000 <= 0"]),
        ("1 if n > 0 else 2", ["1 if nan > 0, else 2"], "2", "2", True, ["nan = nan <= 0"]),
        (
            "a * (1 if b > 0 else 2)",
            [1, " \u00b7 (1 if ", 2, " > 0, else 2)"],
            "(-0.5000) \u00d7 1",
            "-0.5",
            False,
            [2, " = 2.0000 > 0"],
        ),
        (
            "(1 if b > 0 else a) * b",
            ["(1 if ", 2, " > 0, else ", 1, ") \u00b7 ", 2],
            "1 \u00d7 2.0000",
            "2",
            False,
            [2, " = 2.0000 > 0"],
        ),
        ("z ** -1", [3, "^(-1)"], "0.0000^(-1)", None, False, []),
        ("z ** 0.5", [3, "^0.5"], "0.0000^0.5", "0", False, []),
        ("a ** 0.5", [1, "^0.5"], "(-0.5000)^0.5", None, False, []),
        (
            "p ** 0.5",
            [4, "^0.5"],
            "0.2500^0.5",
            "0.500000000000000000000000000000000000000000000000000000000000",
            False,
            [],
        ),
        (
            "p ** -0.5",
            [4, "^(-0.5)"],
            "0.2500^(-0.5)",
            "2.00000000000000000000000000000000000000000000000000000000000",
            False,
            [],
        ),
        ("z ** 2", [3, "\u00b2"], "0.0000\u00b2", "0", False, []),
        ("a / z", [1, " / ", 3], "(-0.5000) / 0.0000", None, False, []),
        ("a > 0", [1, " > 0"], "(-0.5000) > 0", None, False, []),
        ("b * -2", [2, " \u00b7 (-2)"], "2.0000 \u00d7 (-2)", "-4", False, []),
        ("-2 * b", ["(-2)\u00b7", 2], "(-2) \u00d7 2.0000", "-4", False, []),
        ("2 * a**(2 - 1)", ["2\u00b7", 1], "2 \u00d7 (-0.5000)", "-1", False, []),
        ("n + 1", ["nan + 1"], "nan + 1", None, False, []),
        ("-n", ["\u2212nan"], "\u2212nan", None, False, []),
        ("exp(n)", ["exp(nan)"], "exp(nan)", None, False, []),
        ("c * a", ["inf\u00b7", 1], "inf \u00d7 (-0.5000)", None, False, []),
        ("c + a", ["inf + ", 1], "inf + (-0.5000)", None, False, []),
        ("1 if a > c else 0", ["1 if ", 1, " > inf, else 0"], "0", "0", True, [1, " = -0.5000 <= inf"]),
        ("a - -b", [1, " \u2212 \u2212", 2], "(-0.5000) \u2212 \u22122.0000", "1.5", False, []),
        ("a + -1", [1, " + (-1)"], "(-0.5000) + (-1)", "-1.5", False, []),
        ("0.5 * a", ["0.5\u00b7", 1], "0.5 \u00d7 (-0.5000)", "-0.25", False, []),
        ("2.5 + a", ["2.5 + ", 1], "2.5 + (-0.5000)", "2", False, []),
    ],
)
def test_formulas_print_fold_and_evaluate_as_a_textbook_would(expression, symbols, numbers, exact, plain, note):
    """Each expression with names and with numbers, its exact value from the numbers as shown (60 digits for
    exp and ln, the float of tanh and sigmoid as Python computes them), ``None`` where it has none."""
    f = formula(expression, BOUND, {"c": math.inf})
    assert (f.symbols, f.numbers, f.plain, f.note) == (symbols, numbers, plain, note)
    if exact is None:
        assert f.exact is None
    else:
        assert f.exact == Decimal(exact)


def test_a_conditional_is_judged_on_the_numbers_as_written_to_every_digit():
    # 1.000000000000001² = 1.000000000000002000000000000001: above 1.000000000000002 only in its 31st digit
    close = {"a": Bound(1, "1.000000000000001"), "b": Bound(2, "1.000000000000002")}
    f = formula("1 if a * a > b else 0", close)
    assert (f.numbers, f.exact, f.note) == (
        "1",
        1,
        [1, " \u00b7 ", 1, " = 1.000000000000001 \u00d7 1.000000000000001 > 1.000000000000002"],
    )


def test_expressions_the_printer_cannot_show_are_refused_by_name():
    with pytest.raises(ValueError, match="explorer: the rules table's expression uses 'q', which is not bound"):
        formula("a + q", BOUND)
    with pytest.raises(ValueError, match="explorer: a conditional in the rules table must test one comparison"):
        formula("1 if a else 0", BOUND)
    with pytest.raises(ValueError, match=r"explorer: cannot show .*Lambda"):
        formula("lambda: a", BOUND)


def test_a_relation_with_no_exact_value_or_a_non_finite_result_is_only_near():
    assert relation(Formula([], "x", None, False), 1.0) == "x \u2248 1.0000"  # no exact value: never "="
    assert (
        relation(Formula([], "2.0000 \u00d7 3.0000", Decimal(6), False), math.inf) == "2.0000 \u00d7 3.0000 \u2248 inf"
    )
    assert relation(Formula([], "x", None, True), 0.25, 2) == "0.25"  # plain: the number alone


# shapes the rules table does not use today, written the textbook way: parentheses exactly where the order of
# operations needs them, negative numbers in parentheses, a conditional shown by the branch it takes and a note
@pytest.mark.parametrize(
    ("expression", "symbols", "numbers", "note"),
    [
        ("a - (b - a)", [1, " \u2212 (", 2, " \u2212 ", 1, ")"], "1.5000 \u2212 ((-2.0000) \u2212 1.5000)", []),
        ("(a - b) - a", [1, " \u2212 ", 2, " \u2212 ", 1], "1.5000 \u2212 (-2.0000) \u2212 1.5000", []),
        ("a / (b * a)", [1, " / (", 2, " · ", 1, ")"], "1.5000 / ((-2.0000) \u00d7 1.5000)", []),
        ("a * b / a", [1, " · ", 2, " / ", 1], "1.5000 \u00d7 (-2.0000) / 1.5000", []),
        ("(a ** 2) ** 2", ["(", 1, "²)²"], "(1.5000²)²", []),
        ("a ** (b ** 2)", [1, "^(", 2, "²)"], "1.5000^((-2.0000)²)", []),
        ("(-a) ** 2", ["(\u2212", 1, ")²"], "(\u22121.5000)²", []),
        ("-(a + b)", ["\u2212(", 1, " + ", 2, ")"], "\u2212(1.5000 + (-2.0000))", []),
        ("-a * b", ["\u2212", 1, " · ", 2], "\u22121.5000 \u00d7 (-2.0000)", []),
        ("log(a + b * a)", ["ln(", 1, " + ", 2, " · ", 1, ")"], "ln(1.5000 + (-2.0000) \u00d7 1.5000)", []),
        ("a * log(a)", [1, " · ln(", 1, ")"], "1.5000 \u00d7 ln(1.5000)", []),
        ("a if a > b else b", [1, " if ", 1, " > ", 2, ", else ", 2], "1.5000", [1, " = 1.5000 > -2.0000"]),
        (
            "(a - b) * (1 if a > b else 0)",
            ["(", 1, " \u2212 ", 2, ") · (1 if ", 1, " > ", 2, ", else 0)"],
            "(1.5000 \u2212 (-2.0000)) \u00d7 1",
            [1, " = 1.5000 > -2.0000"],
        ),
        (
            "1 if a - b > 0 else 0",
            ["1 if ", 1, " \u2212 ", 2, " > 0, else 0"],
            "1",
            [1, " \u2212 ", 2, " = 1.5000 \u2212 (-2.0000) > 0"],
        ),
        (
            "b if a * b >= y else -a",
            [2, " if ", 1, " · ", 2, " >= ", 3, ", else \u2212", 1],
            "\u22121.5000",
            [1, " · ", 2, " = 1.5000 \u00d7 (-2.0000) < 0.2500"],
        ),
        ("c * a**(c - 1)", ["(-3)·", 1, "^(-4)"], "(-3) \u00d7 1.5000^(-4)", []),
        ("a - c", [1, " \u2212 (-3)"], "1.5000 \u2212 (-3)", []),
        ("a / c", [1, " / (-3)"], "1.5000 / (-3)", []),
    ],
)
def test_every_shape_of_formula_is_written_as_a_reader_would(expression, symbols, numbers, note):
    names = {"a": Bound(1, "1.5000"), "b": Bound(2, "-2.0000"), "y": Bound(3, "0.2500")}
    f = formula(expression, names, {"c": -3.0})
    assert (f.symbols, f.numbers, f.note) == (symbols, numbers, note)
