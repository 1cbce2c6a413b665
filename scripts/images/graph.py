"""Write the README's computation-graph pictures to docs/images/.

Usage: python scripts/images/graph.py [--out DIR] [--skip-moons]

- expression_graph.svg: one tanh neuron, o = tanh(x1*w1 + x2*w2 + b), after
  o.backward(), with its parameters coloured;
- gradient_colors.svg: the squared error of a 2-2-1 tanh network (nn.MLP)
  in full detail, each neuron framed as a cluster, coloured by gradient on the
  log scale: one hidden neuron saturates and its weights' gradients vanish;
- vanishing_neurons.svg: a chain of 12 one-neuron sigmoid layers (the
  vanishing-gradient demo's), each neuron one box, coloured on the log scale:
  the gradient fades over 13 decades from the loss back to the input;
- moons_neurons.svg: the two-moons network (2-16-16-1 ReLU) after training,
  each neuron one box, coloured by the gradients of one step on the point it
  gets most wrong (about 20 s: it trains the network first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":  # run as a script: the repository root, for `import demos`; not this folder
    sys.path[:] = [str(HERE.parents[1])] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from autograd import Value, save_graph  # noqa: E402
from nn import MLP, hinge_loss  # noqa: E402

OUT = HERE.parents[1] / "docs" / "images"


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


def two_layer_net() -> tuple[Value, MLP]:
    """The squared error of a 2-2-1 tanh network whose second hidden neuron saturates, after backward.

    Its input sum is 7.3, where tanh is flat, so the gradients of that neuron's
    weights are about 1e-6 (a faint tint on the log scale) while the other
    neuron's are near 1.
    """
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    model.load_state_dict({
        "layers.0.neurons.0.w.0": 0.5, "layers.0.neurons.0.w.1": -0.4, "layers.0.neurons.0.b": 0.1,
        "layers.0.neurons.1.w.0": 3.0, "layers.0.neurons.1.w.1": -2.0, "layers.0.neurons.1.b": 0.3,
        "layers.1.neurons.0.w.0": -1.2, "layers.1.neurons.0.w.1": 0.8, "layers.1.neurons.0.b": 0.0,
    })
    xs = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
    out = model(xs)
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, model


def trained_moons(steps: int = 100, seed: int = 0) -> tuple[Value, str]:
    """The moons demo's network trained as the demo trains it, then the hinge loss of its worst point, after
    backward: the gradients one step on that point would apply. Returns (loss, a description)."""
    from demos.moons import make_moons

    X, y = make_moons(100, 0.1, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=seed, init="uniform")
    params = model.parameters()
    for k in range(steps):
        loss = hinge_loss([model(list(x)) for x in X], y, alpha=1e-4, params=params)
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= (1.0 - 0.9 * k / steps) * p.grad
    margins = [label * model(list(x)).data for x, label in zip(X, y)]
    worst = min(range(len(X)), key=margins.__getitem__)
    model.zero_grad()
    x = [Value(X[worst][0], label="x0"), Value(X[worst][1], label="x1")]
    score = model(x)
    score.label = "score"
    loss = hinge_loss([score], [y[worst]])
    loss.label = "loss"
    loss.backward()
    where = f"({X[worst][0]:.2f}, {X[worst][1]:.2f})"
    return loss, f"point {where}, label {y[worst]:+d}, margin {margins[worst]:.2f}"


def main(argv: list[str] | None = None) -> list[Path]:
    """Draw both graphs into ``--out`` (default docs/images); return the paths written."""
    parser = argparse.ArgumentParser(prog="python scripts/images/graph.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the images (default: docs/images)")
    parser.add_argument("--skip-moons", action="store_true", help="leave out the slowest picture")
    args = parser.parse_args(argv)
    o, params = neuron()
    loss, model = two_layer_net()
    from demos.vanishing import sigmoid_chain

    chain, _ = sigmoid_chain(12)
    written = [
        save_graph(o, args.out / "expression_graph.svg", params=params),
        save_graph(loss, args.out / "gradient_colors.svg", color_by_grad=True),
        save_graph(chain, args.out / "vanishing_neurons.svg", collapse="neuron", color_by_grad=True, rankdir="TB",
                   title="12 sigmoid layers of one neuron, after backward"),
    ]
    if not args.skip_moons:
        moons_loss, what = trained_moons()
        title = f"two moons, 2-16-16-1 after training: the gradients of one step on its worst {what}"
        written.append(save_graph(moons_loss, args.out / "moons_neurons.svg", collapse="neuron",
                                  color_by_grad=True, title=title))
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
