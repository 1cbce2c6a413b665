"""Write the backprop explorer page: step through a backward pass in the browser.

Usage::

    python -m demos.explore                        # the XOR network's loss on one sample
    python -m demos.explore --sample 01 --seed 3   # another sample, other weights
    python -m demos.explore "(a*b + c).tanh()" a=2 b=-3 c=10 --out out/tanh.html
    python -m demos.explore -- "-a * b" a=1 b=2    # an expression that starts with "-"
    python -m demos.explore "a*a*a" a=2 --quiet    # print nothing; just write out/explorer.html

Without an expression the page shows the loss ``(t - y)^2`` of a 2-2-1 sigmoid
network (``nn.MLP``) on one XOR sample: about 70 chain-rule steps, from the
loss back to every weight. With one, the page shows that expression of the
names given as ``name=value``. The expression is read with the ``ast`` module,
never run: it may use names, numbers, ``+ - * / **``, unary ``-`` and the
methods ``.tanh() .exp() .log() .sigmoid() .relu()``, nothing else.

The page is one HTML file with everything inline: open it from disk in any
browser, no network needed. Drawing it needs Graphviz's ``dot`` program; a
graph of more than ``--max-nodes`` Values (default 500) is refused, as ``dot``
may take minutes on it.
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, save_explorer, topological_order
from demos._common import DemoError, DemoParser, count, run
from nn import MLP, Module, mse_loss

__all__ = ["main", "ExpressionError", "build_expression", "parse_assignment", "xor_sample_loss", "METHODS"]

METHODS = ("tanh", "exp", "log", "sigmoid", "relu")  # the only calls an expression may make
XOR_SAMPLES = {"00": ((0.0, 0.0), 0.0), "01": ((0.0, 1.0), 1.0), "10": ((1.0, 0.0), 1.0), "11": ((1.0, 1.0), 0.0)}
_BINARY: dict[type, tuple[str, Callable[[Any, Any], Value]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
_ASSIGNMENT = re.compile(r"\s*[A-Za-z_]\w*\s*=(?!=).*", re.DOTALL)  # what the user meant as name=value
_ALLOWED = "names, numbers, + - * / **, unary -, and the methods " + " ".join(f".{m}()" for m in METHODS)


class ExpressionError(ValueError):
    """An expression or a ``name=value`` that ``demos.explore`` cannot (or will not) evaluate."""


def parse_assignment(text: str) -> tuple[str, float]:
    """``"b=-3"`` as ``("b", -3.0)``: a name and a finite number.

    >>> parse_assignment("b=-3")
    ('b', -3.0)
    >>> parse_assignment("x1 = 0.5")
    ('x1', 0.5)
    """
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or keyword.iskeyword(name):
        raise ExpressionError(f"{text!r} is not an assignment: write name=value, for example a=2")
    try:
        value = float(number)
    except ValueError:
        raise ExpressionError(f"{text!r}: the value {number.strip()!r} of {name} is not a number") from None
    if not math.isfinite(value):
        raise ExpressionError(f"{text!r}: the value of {name} must be a finite number, got {value!r}")
    return name, value


def build_expression(expr: str, values: dict[str, float]) -> Value:
    """The graph of ``expr``, with one leaf Value labelled by each name in ``values``.

    ``expr`` is parsed with ``ast`` and walked node by node; anything but
    names, numbers, ``+ - * / **``, unary ``-`` and the methods in ``METHODS``
    raises ``ExpressionError``, as does a name without a value or a value
    that no name uses. Nothing in ``expr`` is ever executed as Python.

    >>> y = build_expression("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 10})
    >>> y.op, round(y.data, 6), sorted(p.op for p in y.parents)
    ('tanh', 0.999329, ['+'])
    >>> build_expression("__import__('os')", {})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    demos.explore.ExpressionError: `__import__('os')` calls a function: only the methods .tanh() ... may be called
    """
    if not isinstance(expr, str):
        raise TypeError(f"build_expression: expected the expression as a str, got {type(expr).__name__}")
    source = expr.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        where = f" at column {err.offset}" if err.offset else ""
        raise ExpressionError(f"expression {_quoted(expr)} is not valid: {err.msg}{where}") from None
    except ValueError as err:  # e.g. an integer literal of more than 4300 digits
        raise ExpressionError(f"expression {_quoted(expr)} cannot be read: {err}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(f"expression {_quoted(expr)} is nested too deeply") from None
    leaves = {name: Value(float(x), label=name) for name, x in values.items()}
    used: set[str] = set()
    try:
        result = _evaluate(tree.body, source, leaves, used)
    except RecursionError:
        raise ExpressionError(f"expression {_quoted(expr)} is nested too deeply") from None
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        if isinstance(err, ExpressionError):
            raise
        raise ExpressionError(f"expression {_quoted(expr)} cannot be evaluated here: {err}") from None
    unused = sorted(set(values) - used)
    if unused:
        raise ExpressionError(f"{', '.join(unused)} given a value but not used in {_quoted(expr)}")
    if not isinstance(result, Value):
        raise ExpressionError(
            f"expression {_quoted(expr)} uses no names, so it has no backward pass: use a name, as in a*2 a=3"
        )
    return result


def _evaluate(node: ast.AST, source: str, leaves: dict[str, Value], used: set[str]) -> Value | float:
    """The Value (or, for a part made of numbers only, the float) of one ``ast`` node."""
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            raise ExpressionError(f"the name {node.id} has no value: add {node.id}=<number> after the expression")
        used.add(node.id)
        return leaves[node.id]
    if isinstance(node, ast.Constant):
        c = node.value
        if isinstance(c, bool) or not isinstance(c, (int, float)):
            raise ExpressionError(f"`{_text(source, node)}` is not a number; an expression may use {_ALLOWED}")
        try:
            x = float(c)
        except OverflowError:
            raise ExpressionError(f"the number `{_text(source, node)}` is too large for a float") from None
        if not math.isfinite(x):
            raise ExpressionError(f"the number `{_text(source, node)}` is not finite")
        return x
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(
                f"`{_text(source, node)}` uses an operator that is not allowed; an expression may use {_ALLOWED}"
            )
        _symbol, apply = _BINARY[type(node.op)]
        left = _evaluate(node.left, source, leaves, used)
        right = _evaluate(node.right, source, leaves, used)
        if not isinstance(left, Value) and not isinstance(right, Value):
            return _fold(lambda: apply(Value(left), right), _text(source, node))
        return apply(left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _evaluate(node.operand, source, leaves, used)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute):
            raise ExpressionError(
                f"`{_text(source, node)}` calls a function: only the methods "
                f"{' '.join(f'.{m}()' for m in METHODS)} of a value may be called"
            )
        if func.attr not in METHODS:
            raise ExpressionError(
                f"`{_text(source, node)}` calls .{func.attr}(), which is not allowed; "
                f"the methods are {' '.join(f'.{m}()' for m in METHODS)}"
            )
        if node.args or node.keywords:
            raise ExpressionError(f"`{_text(source, node)}`: .{func.attr}() takes no arguments")
        target = _evaluate(func.value, source, leaves, used)
        if not isinstance(target, Value):  # a method of a number, as in (2).exp(): a constant leaf
            return _fold(lambda: getattr(Value(target), func.attr)(), _text(source, node))
        return getattr(target, func.attr)()  # type: ignore[no-any-return]
    if isinstance(node, ast.Attribute):
        raise ExpressionError(
            f"`{_text(source, node)}` reads an attribute; only the method calls "
            f"{' '.join(f'.{m}()' for m in METHODS)} are allowed"
        )
    raise ExpressionError(
        f"`{_text(source, node)}` ({type(node).__name__}) is not allowed; an expression may use {_ALLOWED}"
    )


def _fold(compute: Callable[[], Value], text: str) -> float:
    """A part of the expression made of numbers only: computed by Value (its checks), kept a float."""
    data = compute().data
    if not math.isfinite(data):
        raise ExpressionError(f"`{text}` is not a finite number")
    return data


def _text(source: str, node: ast.AST) -> str:
    """The piece of ``source`` that ``node`` was parsed from (shortened when long)."""
    return _shortened(ast.get_source_segment(source, node) or type(node).__name__)


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quoted(expr: str) -> str:
    """An expression as error messages quote it."""
    return repr(_shortened(expr))


def xor_sample_loss(seed: int = 0, sample: str = "10") -> tuple[Value, Module]:
    """The loss of a 2-2-1 sigmoid network on one XOR sample, and the network.

    The network is ``nn.MLP(2, [2, 1], activation="sigmoid",
    output_activation="sigmoid", seed=seed)``; ``sample`` names the two inputs
    ("00", "01", "10" or "11"), the target is their XOR, and the loss is
    ``nn.mse_loss`` of the one output: ``(y - target)^2``. The inputs are
    labelled ``x1`` and ``x2``, the output ``y``, the loss ``loss``.

    >>> loss, model = xor_sample_loss(seed=0, sample="10")
    >>> loss.label, 0.0 < loss.data < 1.0, len(model.parameters())
    ('loss', True, 9)
    """
    if sample not in XOR_SAMPLES:
        raise ValueError(f"xor_sample_loss: sample must be one of {', '.join(XOR_SAMPLES)}, got {sample!r}")
    (x1, x2), target = XOR_SAMPLES[sample]
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=seed)
    y = model([Value(x1, label="x1"), Value(x2, label="x2")])
    y.label = "y"
    loss = mse_loss(y, target)
    loss.label = "loss"
    return loss, model


def _expression_root(expr: str, assignments: Sequence[str]) -> tuple[Value, dict[str, float]]:
    """The graph of the command line's expression (its root labelled ``out``) and the values given."""
    if _ASSIGNMENT.fullmatch(expr):
        raise ExpressionError(
            f"{_quoted(expr)} is an assignment: give the expression first, then name=value for each name"
        )
    values: dict[str, float] = {}
    for text in assignments:
        name, value = parse_assignment(text)
        if name in values:
            raise ExpressionError(f"{name} is given twice")
        values[name] = value
    root = build_expression(expr, values)
    if not root.label:
        root.label = "out"
    return root, values


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, build the graph, write the page and say where it is. Returns 0.

    A page that cannot be written, a missing ``dot`` or a graph larger than
    ``--max-nodes`` raises; ``python -m demos.explore`` reports it in one line.
    """
    parser = DemoParser(
        "python -m demos.explore",
        "Write a self-contained HTML page that steps through a backward pass.",
        epilog='example: python -m demos.explore "(a*b + c).tanh()" a=2 b=-3 c=10',
    )
    parser.add_argument(
        "expr",
        nargs="?",
        metavar="EXPR",
        help="an expression of names (default: the XOR network's loss); put -- before one that starts with -",
    )
    parser.add_argument("assignments", nargs="*", metavar="NAME=VALUE", help="a value for each name in EXPR")
    parser.add_output(
        "--out", "explorer.html", (".html", ".htm"), "where to write the page", needs_dot=(".html", ".htm")
    )
    parser.add_argument("--seed", type=int, default=None, help="the XOR network's weights (default: 0)")
    parser.add_argument("--sample", choices=sorted(XOR_SAMPLES), default=None, help="the XOR input pair (default: 10)")
    parser.add_argument(
        "--max-nodes",
        type=count(1),
        default=500,
        help="refuse a graph of more Values than this (default 500): `dot` may take minutes on it",
    )
    parser.add_quiet("print nothing when the page is written")
    args = parser.parse_args(argv)

    params: list[Value] | None = None
    if args.expr is None:
        sample = args.sample or "10"
        root, model = xor_sample_loss(seed=0 if args.seed is None else args.seed, sample=sample)
        params = model.parameters()
        title = (
            f"XOR network 2-2-1, input ({sample[0]}, {sample[1]}), target {XOR_SAMPLES[sample][1]:g}: "
            "the loss's backward pass"
        )
    else:
        if args.seed is not None or args.sample is not None:
            parser.error("--seed and --sample choose the XOR page; an expression does not use them")
        try:
            root, values = _expression_root(args.expr, args.assignments)
        except ExpressionError as err:
            parser.error(str(err))
        title = f"{args.expr}  at  {', '.join(f'{k} = {v:g}' for k, v in values.items())}"
    size = len(topological_order(root))
    if size > args.max_nodes:
        raise DemoError(
            f"the graph has {size} Values, more than --max-nodes {args.max_nodes}: `dot` may take minutes to draw it; "
            f"give --max-nodes {size} to draw it anyway, or a smaller expression"
        )
    path = save_explorer(root, args.out, title=title, params=params, max_nodes=None)
    if not args.quiet:
        size_kb = path.stat().st_size / 1024
        print(f"wrote {path} ({size_kb:.0f} KB); open it in a browser: {path.resolve().as_uri()}")
    return 0


if __name__ == "__main__":
    run(main)
