"""A 2-2-1 network learns XOR, by backprop or by the beginner's "nudge each weight" method.

Usage::

    python -m demos.xor                                  # backprop, prints the truth table
    python -m demos.xor --method numerical               # nudging: no backward() at all
    python -m demos.xor --method both --plot             # both from the same weights: out/xor_loss.png
    python -m demos.xor --graph out/xor_graph.svg        # the loss's graph with every gradient
    python -m demos.xor --json out/xor.json --seed 3     # a summary for scripts
    python -m demos.xor --method numerical --epochs 100000 --lr 0.01 --eps 0.00001
                                                         # the classic first tutorial's pace (slow!)

The network: 2 inputs, 2 hidden neurons, 1 output, all sigmoid, the weights
and biases drawn uniformly from [0, 1]; the loss is the mean squared error over
the four rows of the truth table. That is the classic first tutorial's setup
(``--activation``, ``--init`` and ``--loss bce`` change it). What makes it learn
in 2000 epochs rather than 100000 is the learning rate: 10, not 0.01. Each
epoch moves every weight by ``lr`` times the downhill direction (plain gradient
descent); the two methods differ only in how they find that direction:

* ``backprop``: one forward pass that records the graph, then ``backward()``.
* ``numerical``: for each weight and bias in turn, add ``eps``, run the forward
  pass, see how much the loss went down, put the weight back; the direction is
  (loss before - loss after) / eps. One forward pass per parameter, plus one.
  They run under ``no_grad()``: nothing is recorded, which makes them cheap.

``--json`` writes ``{"method", "epochs", "final_loss", "predictions" (the
outputs for 00, 01, 10, 11), "learned" (all four on the right side of 0.5),
"seconds"}``. With ``--method both`` the top level has ``"method": "both"``,
``"epochs"``, ``"learned"`` (true when both runs learned) and ``"seconds"``
(both together), ``"final_loss"`` and ``"predictions"`` of the backprop run,
and ``"runs"``: the two summaries, backprop first.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from autograd import Value, no_grad, save_graph
from demos._common import (
    DOT_SUFFIXES,
    GRAPH_SUFFIXES,
    IMAGE_SUFFIXES,
    DemoParser,
    count,
    number,
    progress,
    pyplot,
    run,
    save_figure,
    save_json,
)
from nn import INITS, MLP, binary_cross_entropy, mse_loss

__all__ = ["main", "INPUTS", "TARGETS", "make_model", "xor_loss", "train", "Run", "DEFAULTS"]

INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
TARGETS = (0.0, 1.0, 1.0, 0.0)
METHODS = ("backprop", "numerical", "both")
LOSSES = ("bce", "mse")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
GRAPH_SAMPLE = 2  # the row (1, 0) -> 1 is drawn by --graph


class Defaults(TypedDict):
    """The type of ``DEFAULTS``: each setting's own type, for the functions whose defaults come from it."""

    activation: str
    loss: str
    init: str
    lr: float
    epochs: int
    eps: float


# Chosen by scripts/xor_seeds.py: 20 of seeds 0..19 learn XOR by either method (see the README's tour).
DEFAULTS: Defaults = {
    "activation": "sigmoid",
    "loss": "mse",
    "init": "uniform01",
    "lr": 10.0,
    "epochs": 2000,
    "eps": 1e-4,
}


@dataclass
class Run:
    """What one training run did: the loss before each epoch, the end result and the time."""

    method: str
    epochs: int
    losses: list[float] = field(default_factory=list)
    final_loss: float = math.nan
    predictions: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def learned(self) -> bool:
        """All four outputs on the right side of 0.5."""
        return len(self.predictions) == 4 and all(
            (p > 0.5) == (t > 0.5) for p, t in zip(self.predictions, TARGETS, strict=True)
        )

    def summary(self) -> dict[str, Any]:
        """The JSON summary of the demo contract."""
        return {
            "method": self.method,
            "epochs": self.epochs,
            "final_loss": self.final_loss,
            "predictions": self.predictions,
            "learned": self.learned,
            "seconds": self.seconds,
        }


def make_model(seed: int | None = 0, init: str = DEFAULTS["init"], activation: str = DEFAULTS["activation"]) -> MLP:
    """The 2-2-1 network: ``activation`` hidden neurons, one sigmoid output.

    >>> model = make_model(seed=0)
    >>> len(model.parameters())
    9
    """
    return MLP(2, [2, 1], activation=activation, output_activation="sigmoid", seed=seed, init=init)


def xor_loss(model: MLP, loss: str = DEFAULTS["loss"], rows: Sequence[int] = range(4)) -> Value:
    """The mean loss of ``model`` over the truth table (or the given ``rows`` of it).

    >>> model = make_model(seed=0)
    >>> 0 < xor_loss(model).data < 2
    True
    """
    preds = [model(list(INPUTS[i])) for i in rows]
    targets = [TARGETS[i] for i in rows]
    return binary_cross_entropy(preds, targets) if loss == "bce" else mse_loss(preds, targets)


def _backprop_epoch(params: list[Value], loss_fn: Callable[[], Value], lr: float) -> float:
    """One step of gradient descent with the gradient from ``backward()``; returns the loss before it."""
    loss = loss_fn()  # forward pass, recording the graph
    for p in params:
        p.grad = 0.0
    loss.backward()  # every parameter's d loss / d p, in one sweep back
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def _nudge_epoch(params: list[Value], loss_fn: Callable[[], Value], lr: float, eps: float) -> float:
    """One step of gradient descent with the beginner's nudges; returns the loss before it."""
    with no_grad():  # forward passes only: no graph is recorded, so each one is cheap
        before = loss_fn().data
        downhill = []
        for p in params:
            original = p.data
            p.data = original + eps  # nudge this one weight a little
            after = loss_fn().data  # how much did the loss go down?
            downhill.append((before - after) / eps)
            p.data = original  # put it back before nudging the next one
        for p, direction in zip(params, downhill, strict=True):  # then move them all at once
            p.data += lr * direction
    return before


def train(model: MLP, method: str, *, epochs: int, lr: float, eps: float, loss: str, quiet: bool = True) -> Run:
    """Train ``model`` in place with ``method`` ("backprop" or "numerical"); returns the :class:`Run`.

    >>> run = train(make_model(seed=0), "backprop", epochs=5, lr=1.0, eps=1e-4, loss="bce")
    >>> len(run.losses), run.losses[-1] < run.losses[0]
    (5, True)
    """
    if method not in ("backprop", "numerical"):
        raise ValueError(f"train: unknown method {method!r}; use 'backprop' or 'numerical'")
    params = model.parameters()
    run = Run(method, epochs)

    def loss_fn() -> Value:
        return xor_loss(model, loss)

    start = time.perf_counter()
    for _ in progress(range(epochs), total=epochs, desc=method, quiet=quiet):
        if method == "backprop":
            run.losses.append(_backprop_epoch(params, loss_fn, lr))
        else:
            run.losses.append(_nudge_epoch(params, loss_fn, lr, eps))
    run.seconds = time.perf_counter() - start
    with no_grad():
        run.final_loss = loss_fn().data
        run.predictions = [model(list(x)).data for x in INPUTS]
    return run


def _truth_table(run: Run) -> str:
    lines = [
        f"{run.method}: {run.epochs} epochs in {run.seconds:.2f} s, final loss {run.final_loss:.4f}",
        "  x1 x2 | target | output",
    ]
    for (x1, x2), t, p in zip(INPUTS, TARGETS, run.predictions, strict=True):
        mark = "ok" if (p > 0.5) == (t > 0.5) else "WRONG"
        lines.append(f"   {x1:.0f}  {x2:.0f} |   {t:.0f}    | {p:.4f}  {mark}")
    if run.learned:
        lines.append("  learned XOR")
    else:
        lines.append("  did not learn XOR (try another --seed, more --epochs or another --lr)")
    return "\n".join(lines)


def _plot(runs: list[Run], path: str, loss: str) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for trained, style in zip(runs, ("-", "--"), strict=False):
        ax.plot(range(len(trained.losses)), trained.losses, style, label=f"{trained.method} ({trained.seconds:.2f} s)")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean binary cross-entropy" if loss == "bce" else "mean squared error")
    ax.set_title("XOR, 2-2-1 network: loss per epoch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return str(save_figure(fig, path))


def _graph(model: MLP, path: str, loss: str) -> str:
    """The graph of the loss on one row of the truth table, after backward(): every gradient shown."""
    x = [Value(v, label=f"x{i + 1}") for i, v in enumerate(INPUTS[GRAPH_SAMPLE])]
    target = TARGETS[GRAPH_SAMPLE]
    pred = model(x)
    pred.label = "out"
    out = binary_cross_entropy(pred, target) if loss == "bce" else mse_loss(pred, target)
    out.label = "loss"
    model.zero_grad()
    out.backward()
    title = (
        f"Trained XOR network, loss on x = ({x[0].data:g}, {x[1].data:g}), target {target:g}: "
        "every node's data and gradient"
    )
    path_out = save_graph(out, path, params=model, title=title, rankdir="TB")
    model.zero_grad()
    return str(path_out)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = DemoParser(
        "python -m demos.xor",
        "Train a 2-2-1 network on XOR by backprop or by nudging each weight (finite differences).",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="backprop",
        help="how to find the gradient: backprop (default), numerical (nudging), both to compare",
    )
    parser.add_argument(
        "--epochs",
        type=count(1),
        default=DEFAULTS["epochs"],
        help=f"passes over the truth table (default {DEFAULTS['epochs']})",
    )
    parser.add_argument(
        "--lr", type=number(above=0), default=DEFAULTS["lr"], help=f"learning rate (default {DEFAULTS['lr']:g})"
    )
    parser.add_argument(
        "--eps",
        type=number(above=0),
        default=DEFAULTS["eps"],
        help=f"nudge size of the numerical method (default {DEFAULTS['eps']:g})",
    )
    parser.add_seed("seed of the initial weights (default 0)")
    parser.add_argument(
        "--init",
        choices=INITS,
        default=DEFAULTS["init"],
        help="initial weights: uniform01 U(0, 1) as in the classic tutorial (default), uniform U(-1, 1), xavier, he",
    )
    parser.add_argument(
        "--activation", choices=ACTIVATIONS, default=DEFAULTS["activation"], help="hidden activation (default sigmoid)"
    )
    parser.add_argument(
        "--loss",
        choices=LOSSES,
        default=DEFAULTS["loss"],
        help="mse: mean squared error (default); bce: binary cross-entropy",
    )
    parser.add_output(
        "--graph",
        "xor_graph.svg",
        GRAPH_SUFFIXES,
        "draw the loss's graph on one row with every gradient",
        optional=True,
        needs_dot=DOT_SUFFIXES,
    )
    parser.add_output("--plot", "xor_loss.png", IMAGE_SUFFIXES, "draw the loss curve(s)", optional=True)
    parser.add_output("--json", "xor.json", (), "write a JSON summary", optional=True)
    parser.add_quiet()
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``). Returns 0.

    A file that cannot be written, or a graph picture without Graphviz's
    ``dot``, raises (checked before training where that can be known);
    ``python -m demos.xor`` reports it in one line.
    """
    args = _parse(argv)
    methods = ["backprop", "numerical"] if args.method == "both" else [args.method]
    start_weights = make_model(args.seed, args.init, args.activation).state_dict()
    runs: list[Run] = []
    models: list[MLP] = []
    for method in methods:
        model = make_model(args.seed, args.init, args.activation)
        model.load_state_dict(start_weights)  # both methods start from the very same weights
        models.append(model)
        result = train(model, method, epochs=args.epochs, lr=args.lr, eps=args.eps, loss=args.loss, quiet=args.quiet)
        runs.append(result)
        print(_truth_table(result))
    if len(runs) == 2:
        b, n = runs
        gap = max(abs(p - q) for p, q in zip(b.predictions, n.predictions, strict=True))
        print(
            f"numerical took {n.seconds / b.seconds:.1f}x the time of backprop; "
            f"largest difference between their outputs: {gap:.2g}"
        )

    if args.plot:
        print(f"loss curve: {_plot(runs, args.plot, args.loss)}")
    if args.json:
        if len(runs) == 1:
            summary = runs[0].summary()
        else:
            summary = {
                "method": "both",
                "epochs": args.epochs,
                "final_loss": runs[0].final_loss,
                "predictions": runs[0].predictions,
                "learned": all(r.learned for r in runs),
                "seconds": sum(r.seconds for r in runs),
                "runs": [r.summary() for r in runs],
            }
        print(f"summary: {save_json(summary, args.json)}")
    if args.graph:
        print(f"graph of the loss on one row: {_graph(models[0], args.graph, args.loss)}")
    return 0


if __name__ == "__main__":
    run(main)
