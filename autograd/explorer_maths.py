"""The explorer's arithmetic as displayed: rounded numbers, formulas from the rules table, and "=" only when it holds.

Every number the explorer page shows is written by ``format_field`` with the
page's ``decimals``, the format of the graph's boxes, so a number in the text
is the number in a box. A relation such as ``0.4515 \u00d7 (1 \u2212 0.4515) = 0.2476``
is checked as displayed: the left side is evaluated exactly from the numbers
as written (``decimal``, 60 digits), and the sign is ``=`` when that lands
within half a unit of the last digit shown on the right, ``≈`` otherwise (the
right side is always the true value rounded, as in the boxes, never a number
made to fit). Formulas come from :data:`autograd.rules.RULES`: ``shown`` for a
local derivative, ``maths`` for an op's result, read with ``ast`` (never run)
and printed the textbook way (a middle dot, a times sign, a minus sign, ``²``, ``ln``).

>>> f = formula("y * (1 - y)", {"y": bound(7, 0.4515130780184, 4)})
>>> f.symbols, f.numbers
([7, ' · (1 \u2212 ', 7, ')'], '0.4515 \u00d7 (1 \u2212 0.4515)')
>>> relation(f, 0.24764901839675)
'0.4515 \u00d7 (1 \u2212 0.4515) = 0.2476'
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation, localcontext

from autograd.render import format_field
from autograd.rules import NAMESPACE

__all__ = [
    "Bound",
    "Formula",
    "Token",
    "bound",
    "formula",
    "relation",
    "holds",
    "half_unit",
    "read",
    "operand",
]

Token = str | int  # text, or the position of a node whose name goes there
_EXACT = Context(prec=60, Emax=999_999, Emin=-999_999)
_MINUS = "\u2212"  # the minus sign of formulas; a negative number keeps its "-", as in the boxes
_SUPERSCRIPTS = {2.0: "\u00b2", 3.0: "\u00b3"}


@dataclass(frozen=True)
class Bound:
    """A name in a formula bound to a node (``node`` its position, ``None`` for a plain number) and its shown value."""

    node: int | None
    text: str


def bound(node: int | None, x: float, decimals: int) -> Bound:
    """``x`` as shown, standing for node ``node`` (or for no node).

    >>> bound(3, -0.98412, 4)
    Bound(node=3, text='-0.9841')
    """
    return Bound(node, format_field(x, decimals))


def read(text: str) -> Decimal | None:
    """The exact value of a number as written, or ``None`` for nan and infinities.

    >>> read("7.140e-06"), read("nan")
    (Decimal('0.000007140'), None)
    """
    value = Decimal(text)
    return value if value.is_finite() else None


def half_unit(text: str) -> Decimal:
    """Half a unit of the last digit written: how far the exact value may be from what is shown.

    >>> half_unit("0.2476"), half_unit("7.140e-06")
    (Decimal('0.00005'), Decimal('5E-10'))
    """
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int), text  # finite numbers only
    return Decimal(5).scaleb(exponent - 1)


def holds(exact: Decimal | None, shown: str) -> bool:
    """Whether ``exact`` rounds to ``shown`` at the precision ``shown`` is written in (either way at a tie).

    >>> holds(Decimal("0.06736932"), "0.0674"), holds(Decimal("0.06736932"), "0.0673")
    (True, False)
    """
    value = read(shown)
    if exact is None or value is None:
        return False
    return abs(exact - value) <= half_unit(shown)


def operand(text: str) -> str:
    """A number as an operand: in parentheses when negative, so ``2 \u00d7 (-0.98)`` never reads as ``2 \u00d7 -0.98``.

    >>> operand("-0.9841"), operand("0.5")
    ('(-0.9841)', '0.5')
    """
    return f"({text})" if text.startswith("-") else text


@dataclass
class Formula:
    """An expression of the rules table, printed twice: with node names and with the numbers shown.

    ``symbols`` is text and node positions (the page writes each node's name in
    its place); ``numbers`` the same with each name replaced by its shown value;
    ``exact`` the exact value of ``numbers`` (``None`` when it has none, e.g. nan);
    ``plain`` whether ``numbers`` is a single number, with nothing to compute;
    ``note`` says which branch a conditional took, e.g. ``[5, " = 0.3000 > 0"]``.
    """

    symbols: list[Token]
    numbers: str
    exact: Decimal | None
    plain: bool
    note: list[Token] = field(default_factory=list)


def relation(f: Formula, true_value: float, decimals: int = 4) -> str:
    """``numbers = result`` (``≈`` when that fails as displayed); just ``result`` when there is nothing to compute.

    ``result`` is ``true_value`` as the boxes show it.

    >>> shown = formula("a * b", {"a": Bound(None, "1.3132"), "b": Bound(None, "2.2151")})  # 2.90886932
    >>> relation(shown, 2.90887), relation(shown, 2.908849)  # the truth rounds to the shown result, or not
    ('1.3132 \u00d7 2.2151 = 2.9089', '1.3132 \u00d7 2.2151 ≈ 2.9088')
    """
    result = format_field(true_value, decimals)
    if f.plain:
        return result
    sign = "=" if holds(f.exact, result) or (not math.isfinite(true_value) and f.exact is None) else "\u2248"
    return f"{f.numbers} {sign} {result}"


def formula(expression: str, names: dict[str, Bound], constants: dict[str, float] | None = None) -> Formula:
    """``expression`` (text of the rules table) with ``names`` bound to shown values and ``constants`` folded in.

    A constant exponent is folded the way a textbook would: with ``c = 2``,
    ``c * a**(c - 1)`` becomes ``2·a``.

    >>> f = formula("c * a**(c - 1)", {"a": Bound(4, "-0.9841")}, {"c": 2.0})
    >>> f.symbols, f.numbers, f.exact
    (['2·', 4], '2 \u00d7 (-0.9841)', Decimal('-1.96820'))
    """
    tree = ast.parse(expression, mode="eval").body
    node = _simplify(_convert(tree, names, constants or {}))
    symbols = _merge(_symbols(node, 0))
    with localcontext(_EXACT):
        try:
            exact = _exact(node)
        except (InvalidOperation, ZeroDivisionError, OverflowError, ValueError):
            exact = None
    note: list[Token] = []
    numbers = _numbers(node, 0, note, top=True)
    return Formula(symbols, numbers, exact, isinstance(_resolved(node), (_Number, _Name)), _merge(note))


# --------------------------------------------------------------------- the tree
# A small tree of what the rules table's expressions use: numbers, bound names,
# + - * / **, unary minus, calls of NAMESPACE functions, comparisons and "x if c else y".


@dataclass(frozen=True)
class _Number:
    value: float


@dataclass(frozen=True)
class _Name:
    bound: Bound


@dataclass(frozen=True)
class _Binary:
    op: str  # + - * / **
    left: object
    right: object


@dataclass(frozen=True)
class _Negative:
    operand: object


@dataclass(frozen=True)
class _Call:
    function: str
    args: tuple[object, ...]


@dataclass(frozen=True)
class _Compare:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class _Choice:
    then: object
    test: _Compare
    otherwise: object


_BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE_OPS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}
_PRECEDENCE = {"+": 2, "-": 2, "*": 3, "/": 3, "**": 5}
_FUNCTION_NAMES = {"log": "ln"}  # how a function of the table is written in maths


def _convert(node: ast.AST, names: dict[str, Bound], constants: dict[str, float]) -> object:
    """The table's Python expression as the small tree, names bound."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return _Number(float(node.value))
    if isinstance(node, ast.Name):
        if node.id in constants:
            return _Number(constants[node.id])
        if node.id in names:
            return _Name(names[node.id])
        raise ValueError(f"explorer: the rules table's expression uses {node.id!r}, which is not bound")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
        return _Binary(
            _BINARY_OPS[type(node.op)], _convert(node.left, names, constants), _convert(node.right, names, constants)
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _convert(node.operand, names, constants)
        return _Negative(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return _Call(node.func.id, tuple(_convert(a, names, constants) for a in node.args))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE_OPS:
        return _Compare(
            _COMPARE_OPS[type(node.ops[0])],
            _convert(node.left, names, constants),
            _convert(node.comparators[0], names, constants),
        )
    if isinstance(node, ast.IfExp):
        test = _convert(node.test, names, constants)
        if not isinstance(test, _Compare):
            raise ValueError("explorer: a conditional in the rules table must test one comparison")
        return _Choice(_convert(node.body, names, constants), test, _convert(node.orelse, names, constants))
    raise ValueError(f"explorer: cannot show {ast.dump(node)} from the rules table")


def _simplify(node: object) -> object:
    """Fold arithmetic on plain numbers and drop ``x**1``, ``1·x``: ``2 * a**(2 - 1)`` is ``2·a``."""
    if isinstance(node, _Binary):
        left, right = _simplify(node.left), _simplify(node.right)
        if isinstance(left, _Number) and isinstance(right, _Number):
            return _Number(_apply_float(node.op, left.value, right.value))
        if node.op == "**" and isinstance(right, _Number) and right.value in (0.0, 1.0):
            return left if right.value == 1.0 else _Number(1.0)
        if node.op == "*" and isinstance(left, _Number) and left.value in (1.0, -1.0):
            return right if left.value == 1.0 else _Negative(right)
        if node.op in ("*", "/") and isinstance(right, _Number) and right.value == 1.0:
            return left
        return _Binary(node.op, left, right)
    if isinstance(node, _Negative):
        inner = _simplify(node.operand)
        return _Number(-inner.value) if isinstance(inner, _Number) else _Negative(inner)
    if isinstance(node, _Call):
        return _Call(node.function, tuple(_simplify(a) for a in node.args))
    if isinstance(node, _Choice):
        test = _Compare(node.test.op, _simplify(node.test.left), _simplify(node.test.right))
        return _Choice(_simplify(node.then), test, _simplify(node.otherwise))
    return node


def _apply_float(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b if op == "/" else float(a**b)


def _number_text(x: float) -> str:
    """A constant of a formula: ``2``, ``0.5``, ``-1``."""
    return f"{x:g}"


def _precedence(node: object) -> int:
    if isinstance(node, _Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, _Negative):
        return 4
    if isinstance(node, (_Choice, _Compare)):
        return 0
    return 9  # numbers, names, calls


def _op_text(op: str, left: object, numeric: bool) -> str:
    if op == "*":
        if numeric:
            return " \u00d7 "
        return "\u00b7" if isinstance(left, _Number) else " \u00b7 "
    return {"+": " + ", "-": f" {_MINUS} ", "/": " / "}[op]


def _symbols(node: object, outer: int) -> list[Token]:
    """The formula with node positions where the names go."""
    out: list[Token]
    if isinstance(node, _Number):
        text = _number_text(node.value)
        out = [f"({text})" if text.startswith("-") and outer > 0 else text]
    elif isinstance(node, _Name):
        out = [node.bound.node] if node.bound.node is not None else [node.bound.text]
    elif isinstance(node, _Negative):
        out = [_MINUS, *_symbols(node.operand, 5)]
    elif isinstance(node, _Call):
        out = [_FUNCTION_NAMES.get(node.function, node.function) + "("]
        for n, arg in enumerate(node.args):
            out += ([", "] if n else []) + _symbols(arg, 0)
        out.append(")")
    elif isinstance(node, _Compare):
        out = [*_symbols(node.left, 1), f" {node.op} ", *_symbols(node.right, 1)]
    elif isinstance(node, _Choice):
        out = [*_symbols(node.then, 1), " if ", *_symbols(node.test, 0), ", else ", *_symbols(node.otherwise, 1)]
    else:
        assert isinstance(node, _Binary)
        out = _binary(node, lambda child, level: _symbols(child, level), numeric=False)
    return _wrap(out, _precedence(node), outer)


def _numbers(node: object, outer: int, note: list[Token], *, top: bool = False) -> str:
    """The formula with each name replaced by its shown number (a negative one in parentheses)."""
    if isinstance(node, _Number):
        text = _number_text(node.value)
        return text if top or not text.startswith("-") else f"({text})"
    if isinstance(node, _Name):
        return node.bound.text if top else operand(node.bound.text)
    if isinstance(node, _Negative):
        text = _MINUS + _numbers(node.operand, 5, note)
    elif isinstance(node, _Call):
        text = (
            _FUNCTION_NAMES.get(node.function, node.function)
            + "("
            + ", ".join(_numbers(a, 0, note, top=True) for a in node.args)
            + ")"
        )
    elif isinstance(node, _Choice):
        # a conditional shows the branch it takes; the note says why
        taken = _taken(node)
        test = node.test
        note += [
            *_symbols(test.left, 1),
            " = ",
            _numbers(test.left, 1, note, top=True),
            f" {test.op if taken else _NEGATED[test.op]} ",
            _numbers(test.right, 1, note, top=True),
        ]
        return _numbers(node.then if taken else node.otherwise, outer, note, top=top)
    elif isinstance(node, _Compare):
        text = f"{_numbers(node.left, 1, note)} {node.op} {_numbers(node.right, 1, note)}"
    else:
        assert isinstance(node, _Binary)
        text = "".join(str(t) for t in _binary(node, lambda child, level: [_numbers(child, level, note)], numeric=True))
    return "".join(str(t) for t in _wrap([text], _precedence(node), outer))


_NEGATED = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}


def _binary(node: _Binary, show, *, numeric: bool) -> list[Token]:  # type: ignore[no-untyped-def]
    """``left op right``; powers as ``x²`` or ``x^(…)``."""
    level = _PRECEDENCE[node.op]
    if node.op == "**":
        base = show(node.left, level + 1)  # a power of a power, or of a negative, gets parentheses
        if isinstance(node.right, _Number) and node.right.value in _SUPERSCRIPTS:
            return [*base, _SUPERSCRIPTS[node.right.value]]
        exponent = show(node.right, 9)
        return [*base, "^", *exponent]
    right_level = level + 1 if node.op in ("-", "/") else level  # a - (b - c), a / (b * c)
    return [*show(node.left, level), _op_text(node.op, node.left, numeric), *show(node.right, right_level)]


def _wrap(tokens: list[Token], level: int, outer: int) -> list[Token]:
    return ["(", *tokens, ")"] if level < outer else tokens


def _merge(tokens: list[Token]) -> list[Token]:
    """Adjacent texts joined into one, so the page gets few pieces."""
    out: list[Token] = []
    for t in tokens:
        if isinstance(t, str) and out and isinstance(out[-1], str):
            out[-1] += t
        elif t != "":
            out.append(t)
    return out


def _resolved(node: object) -> object:
    """A conditional replaced by the branch it takes."""
    while isinstance(node, _Choice):
        node = node.then if _taken(node) else node.otherwise
    return node


def _taken(node: _Choice) -> bool:
    """Whether a conditional takes its first branch, judged on the numbers shown (as a reader would)."""
    with localcontext(_EXACT):
        left, right = _exact(node.test.left), _exact(node.test.right)
    if left is None or right is None:
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[node.test.op]


# ------------------------------------------------------------------ exact value


def _exact(node: object) -> Decimal | None:
    """The value of the numbers as shown: exact for + - * / and whole powers, 60 digits otherwise."""
    if isinstance(node, _Number):
        return Decimal(repr(node.value)) if math.isfinite(node.value) else None
    if isinstance(node, _Name):
        return read(node.bound.text)
    if isinstance(node, _Negative):
        inner = _exact(node.operand)
        return None if inner is None else -inner
    if isinstance(node, _Choice):
        return _exact(node.then if _taken(node) else node.otherwise)
    if isinstance(node, _Call):
        args = [_exact(a) for a in node.args]
        if any(a is None for a in args):
            return None
        return _call(node.function, args)  # type: ignore[arg-type]
    if isinstance(node, _Binary):
        a, b = _exact(node.left), _exact(node.right)
        if a is None or b is None:
            return None
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return a / b
        return _power(a, b)
    raise ValueError(f"explorer: cannot evaluate {node!r}")


def _power(a: Decimal, b: Decimal) -> Decimal | None:
    if b == b.to_integral_value():
        if a == 0 and b < 0:
            return None
        return a ** int(b)
    if a > 0:
        return a**b
    return Decimal(0) if a == 0 and b > 0 else None


def _call(function: str, args: list[Decimal]) -> Decimal | None:
    if function == "log" and len(args) == 1:
        return args[0].ln() if args[0] > 0 else None
    if function == "exp" and len(args) == 1:
        return args[0].exp()
    implementation = NAMESPACE.get(function)
    if not callable(implementation):
        return None
    value = implementation(*(float(a) for a in args))  # tanh, sigmoid: as Python computes them
    return Decimal(repr(value)) if math.isfinite(value) else None
