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
import sys
from typing import Sequence

from autograd import GraphvizNotFoundError, Value, save_graph
from demos._common import (
    GRAPH_SUFFIXES,
    IMAGE_SUFFIXES,
    OUT_DIR,
    check_suffix,
    graphviz_missing,
    output_path,
    progress,
    pyplot,
    save_figure,
)
from nn import MLP, mse_loss

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
    model = MLP(width, [width] * depth + [1], activation=activation, output_activation="linear", seed=seed,
                init=init)
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
    lines = ["mean |grad| of each layer's parameters (layer 1 is next to the input):",
             f"{'layer':>7} " + " ".join(f"{n:>10}" for n in names)]
    depth = len(next(iter(grads.values())))
    for i in range(depth):
        tag = f"{i + 1}" if i < depth - 1 else f"{i + 1} out"
        lines.append(f"{tag:>7} " + " ".join(f"{grads[n][i]:>10.2e}" for n in names))
    ratios = " ".join(
        f"{(g[0] / g[-1] if g[-1] else float('nan')):>10.1e}" for g in grads.values()
    )
    lines.append(f"{'1st/out':>7} {ratios}")
    return "\n".join(lines)


def _plot(grads: dict[str, list[float]], path: str, depth: int, width: int) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for (name, g), marker in zip(grads.items(), "os^"):
        layers = list(range(1, len(g) + 1))
        ax.semilogy(layers, [max(v, 1e-300) for v in g], marker + "-", label=name)
    ax.set_xlabel("layer (1 = next to the input; the last is the output)")
    ax.set_ylabel("mean |gradient| of the layer's parameters")
    ax.set_title(f"Gradients per layer, {depth} hidden layers of {width}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return str(save_figure(fig, path))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demos.vanishing",
        description="Mean |gradient| per layer of deep narrow MLPs with sigmoid, tanh and relu.",
    )
    parser.add_argument("--depth", type=int, default=12, help="hidden layers (default 12)")
    parser.add_argument("--width", type=int, default=8, help="neurons per hidden layer, and inputs (default 8)")
    parser.add_argument("--init", choices=("xavier", "he", "uniform", "uniform01"), default=None,
                        help="initial weights of all three networks (default: suited to each activation, "
                             "Xavier for sigmoid and tanh, He for relu)")
    parser.add_argument("--samples", type=int, default=32, help="random examples in the batch (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the examples (default 0)")
    parser.add_argument("--plot", metavar="PATH", default=str(OUT_DIR / "vanishing.png"),
                        help="gradient per layer, log scale (.png .svg .pdf; default out/vanishing.png)")
    parser.add_argument("--graph", metavar="PATH", default=str(OUT_DIR / "vanishing_graph.svg"),
                        help="a deep sigmoid chain coloured by gradient "
                             "(.svg .png .pdf .dot; default out/vanishing_graph.svg)")
    parser.add_argument("--graph-depth", type=int, default=4, help="sigmoid layers in the drawn chain (default 4)")
    parser.add_argument("--no-pictures", action="store_true", help="write neither the plot nor the graph")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    for flag, value in (("--depth", args.depth), ("--width", args.width), ("--samples", args.samples),
                        ("--graph-depth", args.graph_depth)):
        if value < 1:
            parser.error(f"{flag} must be at least 1, got {value}")
    if args.graph_depth > 20:
        parser.error(f"--graph-depth must be at most 20 (a readable picture), got {args.graph_depth}")
    if not args.no_pictures:
        check_suffix(parser, "--plot", args.plot, IMAGE_SUFFIXES)
        check_suffix(parser, "--graph", args.graph, GRAPH_SUFFIXES)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``).

    Returns 0, or 1 when a graph picture needs Graphviz's ``dot`` and it is not installed.
    """
    args = _parse(argv)
    inits = args.init or "Xavier for sigmoid and tanh, He for relu"
    print(f"MLP {args.width}-[{args.width} x {args.depth}]-1, initial weights {inits}; "
          f"one backward of the MSE on {args.samples} random examples")
    grads = {}
    for activation in progress(ACTIVATIONS, total=len(ACTIVATIONS), desc="networks", quiet=args.quiet):
        grads[activation] = layer_gradients(activation, args.depth, args.width, samples=args.samples, seed=args.seed,
                                            init=args.init)
    print(_table(grads))
    if not args.no_pictures:
        print(f"plot: {_plot(grads, args.plot, args.depth, args.width)}")
        loss, model = sigmoid_chain(args.graph_depth, seed=args.seed)
        title = (f"{args.graph_depth} sigmoid layers of one neuron: colour = size of the gradient "
                 "(orange +, purple -, log scale)")
        try:
            path = save_graph(loss, output_path(args.graph), params=model, color_by_grad=True, title=title,
                              rankdir="TB")
        except GraphvizNotFoundError as err:
            return graphviz_missing(err, "--graph")
        print(f"graph of a sigmoid chain coloured by gradient: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
