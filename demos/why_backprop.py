"""Why backprop wins: one gradient by ``backward()`` against one by nudging, for growing networks.

Usage::

    python -m demos.why_backprop                          # widths 2..32: a table and out/why_backprop.png
    python -m demos.why_backprop --widths 4 8 16 --depth 3 --plot why.svg
    python -m demos.why_backprop --json out/why.json      # the table as JSON too
    python -m demos.why_backprop --no-plot

For each size: an MLP with ``nin`` inputs, ``depth`` tanh hidden layers of one
width and one output; the loss is the squared error on one random example. The
gradient with respect to every one of its P parameters is computed twice:

* by backprop: one forward pass that records the graph, one ``backward()``;
* by nudging (``numerical_grad``, central differences): two forward passes per
  parameter, 2P in all, each as long as the network is big.

So backprop's time grows like P and nudging's like P^2; the two gradients agree
to about 1e-10 (the printed max difference). Backprop is timed as the best of
``--repeat`` runs, nudging once.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from autograd import Value, numerical_grad
from demos._common import IMAGE_SUFFIXES, DemoParser, count, number, progress, pyplot, run, save_figure, save_json
from nn import MLP, mse_loss

__all__ = ["main", "Comparison", "compare"]


@dataclass
class Comparison:
    """One network size: its parameter count, forward passes, times and how far the gradients differ."""

    width: int
    depth: int
    params: int
    forward_passes_backprop: int
    forward_passes_numerical: int
    seconds_backprop: float
    seconds_numerical: float
    max_difference: float

    @property
    def ratio(self) -> float:
        """How many times longer nudging took."""
        return self.seconds_numerical / self.seconds_backprop if self.seconds_backprop > 0 else float("inf")


def compare(
    width: int, depth: int = 2, *, nin: int = 2, seed: int = 0, eps: float = 1e-6, repeat: int = 3
) -> Comparison:
    """Time one gradient of a ``nin``-``width``x``depth``-1 tanh MLP's loss both ways.

    >>> c = compare(2, depth=1, seed=0)
    >>> c.params, c.forward_passes_numerical, c.max_difference < 1e-6
    (9, 18, True)
    """
    model = MLP(nin, [width] * depth + [1], activation="tanh", output_activation="linear", seed=seed)
    params = model.parameters()
    rng = random.Random(seed + 1)
    x = [rng.uniform(-1.0, 1.0) for _ in range(nin)]
    target = rng.uniform(-1.0, 1.0)
    passes = 0

    def loss() -> Value:
        nonlocal passes
        passes += 1
        return mse_loss(model(x), target)

    best = float("inf")
    for _ in range(repeat):
        model.zero_grad()
        start = time.perf_counter()
        loss().backward()
        best = min(best, time.perf_counter() - start)
    by_backprop = [p.grad for p in params]
    passes_backprop, passes = 1, 0

    start = time.perf_counter()
    by_nudging = numerical_grad(loss, params, eps=eps, method="central")
    seconds_numerical = time.perf_counter() - start
    model.zero_grad()
    return Comparison(
        width=width,
        depth=depth,
        params=len(params),
        forward_passes_backprop=passes_backprop,
        forward_passes_numerical=passes,
        seconds_backprop=best,
        seconds_numerical=seconds_numerical,
        max_difference=max(abs(a - b) for a, b in zip(by_backprop, by_nudging, strict=True)),
    )


def _plot(rows: list[Comparison], path: str) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ps = [r.params for r in rows]
    bp = [r.seconds_backprop for r in rows]
    nu = [r.seconds_numerical for r in rows]
    ax.loglog(ps, bp, "o-", label="backprop: 1 forward + 1 backward")
    ax.loglog(ps, nu, "s-", label="nudging: 2 forward passes per parameter")
    if len(rows) > 1:  # guides through the largest network: time proportional to P and to P^2
        p1 = ps[-1]
        ax.loglog(ps, [bp[-1] * p / p1 for p in ps], ":", color="gray", label="~ P")
        ax.loglog(ps, [nu[-1] * (p / p1) ** 2 for p in ps], "--", color="gray", label="~ P²")
    ax.set_xlabel("number of parameters P")
    ax.set_ylabel("seconds for one gradient")
    ax.set_title("One gradient: backprop against nudging (central differences)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return str(save_figure(fig, path))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = DemoParser(
        "python -m demos.why_backprop",
        "Time one gradient by backward() and by nudging for MLPs of growing size.",
    )
    parser.add_argument(
        "--widths",
        type=count(1),
        nargs="+",
        default=[2, 4, 8, 16, 32],
        metavar="W",
        help="hidden widths to try, one network each (default 2 4 8 16 32)",
    )
    parser.add_argument("--depth", type=count(1), default=2, help="hidden layers per network (default 2)")
    parser.add_argument("--nin", type=count(1), default=2, help="inputs of each network (default 2)")
    parser.add_argument(
        "--eps", type=number(above=0), default=1e-6, help="nudge size of the central differences (default 1e-6)"
    )
    parser.add_argument(
        "--repeat", type=count(1), default=3, help="backprop is timed as the best of this many runs (default 3)"
    )
    parser.add_seed("seed of the weights and the example (default 0)")
    parser.add_output(
        "--plot", "why_backprop.png", IMAGE_SUFFIXES, "time against parameter count, log axes", unless="no_plot"
    )
    parser.add_argument("--no-plot", action="store_true", help="draw no picture")
    parser.add_output("--json", "why_backprop.json", (), "write the table as JSON", optional=True)
    parser.add_quiet()
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; ``argv`` as on the command line (``None``: ``sys.argv[1:]``). Returns 0.

    An output that cannot be written raises; ``python -m demos.why_backprop`` reports it in one line.
    """
    args = _parse(argv)
    widths = sorted(set(args.widths))
    print(f"MLPs {args.nin}-[W x {args.depth}]-1 (tanh), one gradient of a squared error by each method:")
    print("backprop runs 1 forward pass and 1 backward pass, nudging 2 forward passes per parameter")
    print(f"{'':>14} {'forward passes':^21}  {'milliseconds':^23}".rstrip())
    print(
        f"{'W':>4} {'params P':>9} {'backprop':>10} {'nudging':>10}  {'backprop':>11} {'nudging':>11}"
        f" {'nudging/backprop':>17} {'max difference':>15}"
    )
    rows = []
    for width in progress(widths, total=len(widths), desc="sizes", quiet=args.quiet):
        r = compare(width, args.depth, nin=args.nin, seed=args.seed, eps=args.eps, repeat=args.repeat)
        rows.append(r)
        print(
            f"{r.width:>4} {r.params:>9} {r.forward_passes_backprop:>10} {r.forward_passes_numerical:>10}  "
            f"{r.seconds_backprop * 1e3:>11.2f} {r.seconds_numerical * 1e3:>11.1f} {r.ratio:>16.0f}x "
            f"{r.max_difference:>15.2e}"
        )
    worst = max(r.max_difference for r in rows)
    print(f"max difference between the two gradients over all sizes: {worst:.2e}")
    if not args.no_plot:
        print(f"plot: {_plot(rows, args.plot)}")
    if args.json:
        print(f"table: {save_json([asdict(r) for r in rows], args.json)}")
    return 0


if __name__ == "__main__":
    run(main)
