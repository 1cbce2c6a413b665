"""Write the README's computation-graph pictures to docs/images/.

Usage: python scripts/images/graph.py [--out DIR]

- expression_graph.svg: one tanh neuron, o = tanh(x1*w1 + x2*w2 + b), after
  o.backward(), with its parameters coloured;
- gradient_colors.svg: the squared error of a 2-2-1 tanh network coloured by
  gradient (red > 0, blue < 0, white ~ 0): one hidden neuron saturates and
  its weights' gradients vanish.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autograd import Value, save_graph

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"


def neuron() -> tuple[Value, list[Value]]:
    """o = tanh(x1*w1 + x2*w2 + b), labelled, after backward; returns (o, parameters)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, [w1, w2, b]


def two_layer_net() -> tuple[Value, list[Value]]:
    """The squared error of a 2-2-1 tanh network whose second hidden neuron saturates, after backward.

    Its input sum is 7.3, where tanh is flat, so the gradients of that neuron's
    weights are about 1e-6 (drawn white) while the other neuron's are near 1.
    """
    xs = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    weights, biases = [[0.5, -0.4], [3.0, -2.0]], [0.1, 0.3]
    params: list[Value] = []
    hidden = []
    for j, (row, bias) in enumerate(zip(weights, biases), 1):
        ws = [Value(w, label=f"w{j}{k}") for k, w in enumerate(row, 1)]
        b = Value(bias, label=f"b{j}")
        params += ws + [b]
        h = (ws[0] * xs[0] + ws[1] * xs[1] + b).tanh()
        h.label = f"h{j}"
        hidden.append(h)
    vs = [Value(-1.2, label="v1"), Value(0.8, label="v2")]
    params += vs
    out = hidden[0] * vs[0] + hidden[1] * vs[1]
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, params


def main(argv: list[str] | None = None) -> list[Path]:
    """Draw both graphs into ``--out`` (default docs/images); return the paths written."""
    parser = argparse.ArgumentParser(prog="python scripts/images/graph.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the images (default: docs/images)")
    args = parser.parse_args(argv)
    o, params = neuron()
    loss, net_params = two_layer_net()
    written = [
        save_graph(o, args.out / "expression_graph.svg", params=params),
        save_graph(loss, args.out / "gradient_colors.svg", params=net_params, color_by_grad=True),
    ]
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
