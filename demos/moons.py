"""micrograd's classic demo: a 2-16-16-1 ReLU network separates two noisy half moons.

Usage::

    python -m demos.moons                         # 100 points, 100 steps of SGD, accuracy printed
    python -m demos.moons --plot                  # also the decision boundary: out/moons.png
    python -m demos.moons --plot moons.svg --steps 50 --samples 60 --noise 0.15 --seed 3
    python -m demos.moons --batch-size 32         # minibatches instead of the full batch
    python -m demos.moons --fast                  # the same training replayed from a tape, in well under a second

The loss is micrograd's: the mean max-margin (hinge) loss ``relu(1 - y * score)``
with labels y = -1 / +1, plus ``alpha * sum(p^2)`` (L2, alpha = 1e-4). Plain
SGD with micrograd's decaying rate ``lr = 1.0 - 0.9 * k / steps``.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Sequence

from autograd import Value, no_grad
from demos._common import IMAGE_SUFFIXES, DemoParser, count, echo, number, progress, pyplot, run, save_figure
from nn import MLP, CompiledLoss, hinge_loss

__all__ = ["main", "make_moons", "accuracy"]


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> tuple[list[tuple[float, float]], list[int]]:
    """``n`` points on two interleaved half circles, with Gaussian noise; labels -1 and +1.

    The upper moon (label -1) is the half circle of radius 1 around (0, 0); the
    lower one (label +1) the same shape turned over and moved to (1, 0.5)
    (the same layout as scikit-learn's ``make_moons``). ``noise`` is the standard
    deviation added to each coordinate. The order is shuffled; same seed, same points.

    >>> inputs, y = make_moons(6, noise=0.0, seed=0)
    >>> len(inputs), sorted(y)
    (6, [-1, -1, -1, 1, 1, 1])
    >>> inputs, y = make_moons(2, noise=0.0)
    >>> sorted((round(a, 6), round(b, 6), label) for (a, b), label in zip(inputs, y))
    [(0.0, 0.5, 1), (1.0, 0.0, -1)]
    """
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"make_moons: n must be an int >= 2 (one point per moon at least), got {n!r}")
    if not (noise >= 0.0 and math.isfinite(noise)):
        raise ValueError(f"make_moons: noise must be a finite number >= 0, got {noise!r}")
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points: list[tuple[float, float, int]] = []
    for i in range(n_upper):
        t = math.pi * i / (n_upper - 1) if n_upper > 1 else 0.0
        points.append((math.cos(t), math.sin(t), -1))
    for i in range(n_lower):
        t = math.pi * i / (n_lower - 1) if n_lower > 1 else 0.0
        points.append((1.0 - math.cos(t), 0.5 - math.sin(t), 1))
    rng.shuffle(points)
    inputs = [(a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)) for a, b, _ in points]
    y = [label for _, _, label in points]
    return inputs, y


def accuracy(scores: Sequence[Value | float], labels: Sequence[int]) -> float:
    """Fraction of points on the right side of 0: sign of score equals the label.

    >>> accuracy([0.3, -2.0, 0.1], [1, -1, -1])
    0.6666666666666666
    """
    right = 0
    for score, label in zip(scores, labels, strict=False):
        s = score.data if isinstance(score, Value) else score
        right += (s > 0) == (label > 0)
    return right / len(labels)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = DemoParser(
        "python -m demos.moons",
        "Train micrograd's 2-16-16-1 ReLU network on two moons with a max-margin loss and SGD.",
    )
    parser.add_argument("--samples", type=count(2), default=100, help="number of points (default 100)")
    parser.add_argument(
        "--noise", type=number(at_least=0), default=0.1, help="standard deviation of the noise (default 0.1)"
    )
    parser.add_argument("--steps", type=count(1), default=100, help="SGD steps (default 100)")
    parser.add_argument("--batch-size", type=count(1), default=None, help="points per step (default: all of them)")
    parser.add_argument("--alpha", type=number(at_least=0), default=1e-4, help="L2 strength (default 1e-4)")
    parser.add_argument("--hidden", type=count(1), default=16, help="width of both hidden layers (default 16)")
    parser.add_seed("seed of the points, the weights and the batches (default 0)")
    parser.add_output(
        "--plot", "moons.png", IMAGE_SUFFIXES, "draw the decision boundary with the points", optional=True
    )
    parser.add_argument("--grid", type=count(2), default=60, help="boundary grid resolution per axis (default 60)")
    parser.add_quiet("no progress bar and no line every 10 steps")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="train through nn.CompiledLoss: the loss recorded once and replayed (NumPy-batched "
        "when NumPy is installed); the same numbers as without it",
    )
    args = parser.parse_args(argv)
    if args.batch_size is not None and args.batch_size > args.samples:
        parser.error(f"--batch-size must be between 1 and --samples ({args.samples}), got {args.batch_size}")
    return args


def _plot(
    model: MLP, inputs: list[tuple[float, float]], y: list[int], acc: float, resolution: int, path: str, hidden: int
) -> str:
    """Decision boundary: the sign of the score on a grid (evaluated under no_grad), points on top."""
    plt = pyplot()
    xs = [a for a, _ in inputs]
    ys = [b for _, b in inputs]
    x_min, x_max = min(xs) - 0.5, max(xs) + 0.5
    y_min, y_max = min(ys) - 0.5, max(ys) + 0.5
    gx = [x_min + (x_max - x_min) * i / (resolution - 1) for i in range(resolution)]
    gy = [y_min + (y_max - y_min) * j / (resolution - 1) for j in range(resolution)]
    with no_grad():  # forward passes only: no graph is built
        scores = [[model([a, b]).data for a in gx] for b in gy]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.contourf(
        gx,
        gy,
        [[1.0 if s > 0 else -1.0 for s in row] for row in scores],
        levels=[-2, 0, 2],
        colors=["#b3cde3", "#fbb4ae"],
        alpha=0.8,
    )
    ax.contour(gx, gy, scores, levels=[0.0], colors="k", linewidths=1)
    for label, color, marker in ((-1, "#1f5fa8", "o"), (1, "#c0392b", "s")):
        pts = [p for p, t in zip(inputs, y, strict=True) if t == label]
        ax.scatter(
            [a for a, _ in pts],
            [b for _, b in pts],
            c=color,
            marker=marker,
            s=22,
            edgecolors="white",
            linewidths=0.5,
            label=f"label {label:+d}",
        )
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_title(f"Two moons: decision boundary of a 2-{hidden}-{hidden}-1 ReLU MLP (accuracy {acc:.0%})")
    ax.legend(loc="upper right", fontsize=8)
    return str(save_figure(fig, path))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``). Returns 0.

    A --plot that cannot be written raises; ``python -m demos.moons`` reports it in one line.
    """
    args = _parse(argv)
    inputs, y = make_moons(args.samples, args.noise, seed=args.seed)
    model = MLP(
        2, [args.hidden, args.hidden, 1], activation="relu", output_activation="linear", seed=args.seed, init="uniform"
    )
    params = model.parameters()
    rng = random.Random(args.seed)
    print(
        f"two moons: {args.samples} points, noise {args.noise:g}; MLP 2-{args.hidden}-{args.hidden}-1 ReLU, "
        f"{len(params)} parameters; {args.steps} SGD steps"
    )

    start = time.perf_counter()
    compiled = CompiledLoss(model, hinge_loss, alpha=args.alpha) if args.fast else None
    bar = progress(range(args.steps), total=args.steps, desc="moons", quiet=args.quiet)
    for k in bar:
        if args.batch_size is None:
            xb, yb = inputs, y
        else:
            idx = rng.sample(range(len(inputs)), args.batch_size)
            xb, yb = [inputs[i] for i in idx], [y[i] for i in idx]
        model.zero_grad()
        if compiled is None:
            scores: Sequence[Value | float] = [model(list(x)) for x in xb]
            loss = hinge_loss(scores, yb, alpha=args.alpha, params=params)
            loss.backward()
            loss_value = loss.data
        else:  # the same loss and gradients, replayed: no Values made
            loss_value = compiled.backward(xb, yb)
            scores = compiled.predictions
        lr = 1.0 - 0.9 * k / args.steps  # micrograd's decaying learning rate
        for p in params:
            p.data -= lr * p.grad
        if not args.quiet and (k % 10 == 0 or k == args.steps - 1):
            echo(f"step {k:3d}  lr {lr:.3f}  loss {loss_value:.4f}  accuracy {accuracy(scores, yb):.0%}", bar)
    seconds = time.perf_counter() - start

    if compiled is not None:
        final_loss = compiled(inputs, y)
        scores = compiled.predictions
    else:
        with no_grad():
            scores = [model(list(x)) for x in inputs]
            final_loss = hinge_loss(scores, y, alpha=args.alpha, params=params).data
    acc = accuracy(scores, y)
    print(f"final loss {final_loss:.4f}, accuracy {acc:.0%} ({round(acc * len(y))}/{len(y)}), {seconds:.1f} s")
    if args.plot:
        print(f"decision boundary: {_plot(model, inputs, y, acc, args.grid, args.plot, args.hidden)}")
    return 0


if __name__ == "__main__":
    run(main)
