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
        f = formula(shown, names, 4, constants)
        expected = evaluate(shown, **ab, y=y_shown, **constants)
        if not math.isfinite(expected) or f.exact is None:
            continue
        assert float(f.exact) == pytest.approx(expected, rel=1e-9, abs=1e-12), (op, k, f.numbers)
    result = formula(
        rule.maths if op != "relu" else rule.value, {k: v for k, v in names.items() if k != "y"}, 4, constants
    )
    assert float(result.exact) == pytest.approx(y, rel=1e-9, abs=1e-12), (op, result.numbers)


def test_textbook_forms():
    y = {"y": Bound(7, "0.3132")}
    f = formula("y * (1 - y)", y, 4)
    assert (f.symbols, f.numbers) == ([7, " \u00b7 (1 \u2212 ", 7, ")"], "0.3132 \u00d7 (1 \u2212 0.3132)")
    assert relation(f, 0.3132 * (1 - 0.3132)) == "0.3132 \u00d7 (1 \u2212 0.3132) = 0.2151"
    x = {"a": Bound(3, "-0.9841")}
    f = formula("c * a**(c - 1)", x, 4, {"c": 2.0})
    assert (f.symbols, f.numbers) == (["2\u00b7", 3], "2 \u00d7 (-0.9841)")
    assert relation(f, 2 * -0.98412) == "2 \u00d7 (-0.9841) = -1.9682"
    assert formula("c * a**(c - 1)", x, 4, {"c": 1.0}).plain  # d a / d a = 1: nothing to compute
    assert formula("c * a**(c - 1)", x, 4, {"c": -1.0}).symbols == ["\u2212", 3, "^(-2)"]
    f = formula("-a / b**2", {"a": Bound(1, "-1.0000"), "b": Bound(2, "2.0000")}, 4)
    assert (f.symbols, f.numbers, f.exact) == (
        ["\u2212", 1, " / ", 2, "\u00b2"],
        "\u2212(-1.0000) / 2.0000\u00b2",
        Decimal("0.25"),
    )
    f = formula("1 if a > 0 else 0", {"a": Bound(5, "-0.3000")}, 4)
    assert f.symbols == ["1 if ", 5, " > 0, else 0"] and f.plain and f.exact == 0
    assert f.note == [5, " = -0.3000 <= 0"]


def test_equals_only_where_it_holds_as_shown():
    f = formula("a * b", {"a": Bound(None, "1.3132"), "b": Bound(None, "2.2151")}, 4)  # exactly 2.90886932
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
