"""Vanishing gradients: in a deep sigmoid or tanh network the first layers hardly learn; with relu they do.

Usage::

    python -m demos.vanishing                     # a table, out/vanishing.png and out/vanishing_graph.svg
    python -m demos.vanishing --depth 20 --width 8 --plot deep.svg --graph chain.png
    python -m demos.vanishing --no-pictures       # the table only

Three MLPs of the same shape, ``depth`` hidden layers of ``width`` neurons and
a linear output, one with sigmoid, one with tanh, one with relu (each with the
initial weights suited to it: Xavier, Xavier, He). One ``backward()`` of the
mean squared error on a batch of random examples, then the mean ``|grad|`` of
the parameters of each layer. Going back from the output, every sigmoid
multiplies the gradient by its slope, at most 1/4, so it shrinks layer after
layer: a billionth or so of it reaches the first of 12 layers. tanh's slope
is at most 1 and less wherever a neuron is far from 0: with Xavier's initial
weights, designed against exactly this, its gradient shrinks only a few times
over 12 layers; try ``--init uniform`` or ``--depth 30``. relu's slope is exactly 1 wherever the
neuron is active, so its gradient keeps its size (but a layer too narrow can
die: all of its neurons inactive, every gradient below it 0; try ``--width 4``).

``--graph`` draws a chain of one-neuron sigmoid layers with every node filled by
the size of its gradient (``color_by_grad``), top to bottom from the input:
the colour is strong only near the loss, and the numbers show why.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence

from autograd import Value, save_graph
from demos._common import (
    DOT_SUFFIXES,
    GRAPH_SUFFIXES,
    IMAGE_SUFFIXES,
    DemoParser,
    count,
    progress,
    pyplot,
    run,
    save_figure,
)
from nn import INITS, MLP, mse_loss

__all__ = ["main", "ACTIVATIONS", "layer_gradients", "sigmoid_chain"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")


def layer_gradients(
    activation: str, depth: int, width: int, *, samples: int = 32, seed: int = 0, init: str | None = None
) -> list[float]:
    """Mean ``|grad|`` of each layer's parameters (input side first) after one backward of the MSE.

    The network has ``depth`` hidden layers of ``width`` neurons and a linear
    output neuron, so the list has ``depth + 1`` entries. ``init=None``: the
    initial weights suited to the activation (He for relu, Xavier otherwise).

    >>> grads = layer_gradients("sigmoid", depth=6, width=3, samples=8)
    >>> len(grads), grads[0] < grads[-1]
    (7, True)
    """
    model = MLP(width, [width] * depth + [1], activation=activation, output_activation="linear", seed=seed, init=init)
    rng = random.Random(seed + 1)  # the same examples for every activation
    xs = [[rng.gauss(0.0, 1.0) for _ in range(width)] for _ in range(samples)]
    targets = [rng.gauss(0.0, 1.0) for _ in range(samples)]
    loss = mse_loss([model(x) for x in xs], targets)
    model.zero_grad()
    loss.backward()
    return [sum(abs(p.grad) for p in layer.parameters()) / len(layer.parameters()) for layer in model.layers]


def sigmoid_chain(depth: int, seed: int = 0) -> tuple[Value, MLP]:
    """``(loss, model)``: a chain of ``depth`` one-neuron sigmoid layers and a linear output, after backward.

    >>> loss, model = sigmoid_chain(3)
    >>> len(model.layers), loss.grad
    (4, 1.0)
    """
    model = MLP(1, [1] * depth + [1], activation="sigmoid", output_activation="linear", seed=seed)
    x = Value(1.0, label="x")
    out = model([x])
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss, model


def _table(grads: dict[str, list[float]]) -> str:
    names = list(grads)
    lines = [
        "mean |grad| of each layer's parameters (layer 1 is next to the input):",
        f"{'layer':>7} " + " ".join(f"{n:>10}" for n in names),
    ]
    depth = len(next(iter(grads.values())))
    for i in range(depth):
        tag = f"{i + 1}" if i < depth - 1 else f"{i + 1} out"
        lines.append(f"{tag:>7} " + " ".join(f"{grads[n][i]:>10.2e}" for n in names))
    ratios = " ".join(f"{(g[0] / g[-1] if g[-1] else float('nan')):>10.1e}" for g in grads.values())
    lines.append(f"{'1st/out':>7} {ratios}")
    return "\n".join(lines)


def _plot(grads: dict[str, list[float]], path: str, depth: int, width: int) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for (name, g), marker in zip(grads.items(), "os^", strict=True):
        layers = list(range(1, len(g) + 1))
        ax.semilogy(layers, [max(v, 1e-300) for v in g], marker + "-", label=name)
    ax.set_xlabel("layer (1 = next to the input; the last is the output)")
    ax.set_ylabel("mean |gradient| of the layer's parameters")
    ax.set_title(f"Gradients per layer, {depth} hidden layers of {width}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return str(save_figure(fig, path))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = DemoParser(
        "python -m demos.vanishing",
        "Mean |gradient| per layer of deep narrow MLPs with sigmoid, tanh and relu.",
    )
    parser.add_argument("--depth", type=count(1), default=12, help="hidden layers (default 12)")
    parser.add_argument("--width", type=count(1), default=8, help="neurons per hidden layer, and inputs (default 8)")
    parser.add_argument(
        "--init",
        choices=INITS,
        default=None,
        help="initial weights of all three networks (default: suited to each activation, "
        "Xavier for sigmoid and tanh, He for relu)",
    )
    parser.add_argument("--samples", type=count(1), default=32, help="random examples in the batch (default 32)")
    parser.add_seed("seed of the weights and the examples (default 0)")
    parser.add_output("--plot", "vanishing.png", IMAGE_SUFFIXES, "gradient per layer, log scale", unless="no_pictures")
    parser.add_output(
        "--graph",
        "vanishing_graph.svg",
        GRAPH_SUFFIXES,
        "a deep sigmoid chain coloured by gradient",
        unless="no_pictures",
        needs_dot=DOT_SUFFIXES,
    )
    parser.add_argument(
        "--graph-depth",
        type=count(1, 20),
        default=4,
        help="sigmoid layers in the drawn chain (default 4; at most 20, a readable picture)",
    )
    parser.add_argument("--no-pictures", action="store_true", help="write neither the plot nor the graph")
    parser.add_quiet()
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``). Returns 0.

    A picture that cannot be written, or a graph picture without Graphviz's
    ``dot``, raises; ``python -m demos.vanishing`` reports it in one line.
    """
    args = _parse(argv)
    inits = args.init or "Xavier for sigmoid and tanh, He for relu"
    print(
        f"MLP {args.width}-[{args.width} x {args.depth}]-1, initial weights {inits}; "
        f"one backward of the MSE on {args.samples} random examples"
    )
    grads = {}
    for activation in progress(ACTIVATIONS, total=len(ACTIVATIONS), desc="networks", quiet=args.quiet):
        grads[activation] = layer_gradients(
            activation, args.depth, args.width, samples=args.samples, seed=args.seed, init=args.init
        )
    print(_table(grads))
    if not args.no_pictures:
        print(f"plot: {_plot(grads, args.plot, args.depth, args.width)}")
        loss, model = sigmoid_chain(args.graph_depth, seed=args.seed)
        title = (f"{args.graph_depth} sigmoid layers of one neuron: colour = size of the gradient "
                 "(orange +, purple -, log scale)")
        path = save_graph(loss, args.graph, params=model, color_by_grad=True, title=title, rankdir="TB")
        print(f"graph of a sigmoid chain coloured by gradient: {path}")
    return 0


if __name__ == "__main__":
    run(main)
