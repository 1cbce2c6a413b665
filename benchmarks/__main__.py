"""Compare gradtrace with micrograd 0.1.0 in one process and print a table of ratios.

Usage::

    python -m benchmarks            # the full run (about two minutes), as in the README
    python -m benchmarks --quick    # a few rounds at small sizes, to see that it works

Every timing is paired: each round runs micrograd and gradtrace back to back
(alternating which goes first), and the table reports the median of the
per-round ratios, so a machine that slows down mid-run slows both. Python's
default garbage collector stays on, as in real use.
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from typing import Callable

from benchmarks import cases
from benchmarks.engines import GRADTRACE, MICROGRAD, Engine


def paired(rounds: int, slow: Callable[[], float], fast: Callable[[], float]) -> tuple[float, float, float]:
    """Median seconds of each and the median of per-round ratios slow/fast."""
    a, b, ratios = [], [], []
    for r in range(rounds):
        if r % 2:
            tb, ta = fast(), slow()
        else:
            ta, tb = slow(), fast()
        a.append(ta)
        b.append(tb)
        ratios.append(ta / tb)
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """``fn`` as a timer. Garbage left by the previous run (of either engine) is collected
    first, untimed, so neither engine pays for the other's; its own collections count."""

    def run() -> float:
        gc.collect()
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def moons_rows(rounds: int, points: int) -> list[tuple[str, str, str, str, str]]:
    xs, ys = cases.two_moons(points)
    models = {e.name: cases.PlainMLP(e.Value, 2, [16, 16, 1]) for e in (MICROGRAD, GRADTRACE)}

    def step(engine: Engine) -> Callable[[], float]:
        return timed(lambda: cases.moons_step(engine, models[engine.name], xs, ys))

    mg, gt, ratio = paired(rounds, step(MICROGRAD), step(GRADTRACE))
    return [("moons step, MLP 2-16-16-1, plain Values", f"{mg * 1e3:.0f} ms", f"{gt * 1e3:.1f} ms", f"{ratio:.1f}x", ">= 8x")]


def nn_rows(rounds: int, points: int) -> list[tuple[str, str, str, str, str]]:
    """The same step written with plain Values and through ``nn`` (both gradtrace)."""
    from nn import MLP, SGD

    xs, ys = cases.two_moons(points)
    plain_model = cases.PlainMLP(GRADTRACE.Value, 2, [16, 16, 1])
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=1337, init="uniform")
    optimizer = SGD(model.parameters(), lr=0.1)
    plain = timed(lambda: cases.moons_step(GRADTRACE, plain_model, xs, ys))
    through_nn = timed(lambda: cases.nn_moons_step(model, optimizer, xs, ys))
    pt, nt, ratio = paired(rounds, plain, through_nn)
    return [("moons step: plain Values vs nn.MLP + hinge_loss + SGD", f"{pt * 1e3:.1f} ms", f"{nt * 1e3:.1f} ms",
             f"{1 / ratio:.2f}x the time", "same")]


def chain_rows(rounds: int, steps: int) -> list[tuple[str, str, str, str, str]]:
    nodes = steps * cases.CHAIN_NODES_PER_STEP + 1
    fwd = {"micrograd": [], "gradtrace": []}
    bwd = {"micrograd": [], "gradtrace": []}
    fwd_ratio, bwd_ratio = [], []
    for r in range(rounds):
        order = (MICROGRAD, GRADTRACE) if r % 2 == 0 else (GRADTRACE, MICROGRAD)
        for engine in order:
            gc.collect()
            f, b = cases.time_chain(engine, steps)
            fwd[engine.name].append(f)
            bwd[engine.name].append(b)
        fwd_ratio.append(fwd["micrograd"][-1] / fwd["gradtrace"][-1])
        bwd_ratio.append(bwd["micrograd"][-1] / bwd["gradtrace"][-1])

    def ns(samples: list[float]) -> str:
        return f"{statistics.median(samples) / nodes * 1e9:.0f} ns/node"

    return [
        (f"chain tanh(y*1.0001+0.001), {steps} steps: forward", ns(fwd["micrograd"]), ns(fwd["gradtrace"]),
         f"{statistics.median(fwd_ratio):.1f}x", ">= 3x"),
        (f"chain, {steps} steps: backward", ns(bwd["micrograd"]), ns(bwd["gradtrace"]),
         f"{statistics.median(bwd_ratio):.1f}x", ">= 2x"),
    ]


def memory_row() -> tuple[str, str, str, str, str]:
    mg = cases.bytes_per_node(MICROGRAD)
    gt = cases.bytes_per_node(GRADTRACE)
    return ("memory per graph node (tracemalloc)", f"{mg:.0f} B", f"{gt:.0f} B", f"{mg / gt:.1f}x less", "<= 250 B")


def depth_row(ceiling: int) -> tuple[str, str, str, str, str]:
    mg, _ = cases.deepest_chain(MICROGRAD, 5_000)
    gt, hit_ceiling = cases.deepest_chain(GRADTRACE, ceiling)
    shown = f">= {gt:,} (all tried)" if hit_ceiling else f"{gt:,}"
    return ("deepest chain backward survives (steps)", f"{mg:,}", shown, "", "no limit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, small sizes: a smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per timing (default 11, quick 3)")
    args = parser.parse_args(argv)
    rounds = args.rounds if args.rounds is not None else (3 if args.quick else 11)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    points = 10 if args.quick else 100
    ceiling = 10_000 if args.quick else 1_000_000

    import micrograd

    print(f"gradtrace vs micrograd {getattr(micrograd, '__version__', '0.1.0')} on Python {platform.python_version()}, "
          f"{platform.machine()}, {platform.system()}; {rounds} paired rounds, GC on", flush=True)
    rows = moons_rows(rounds, points)
    rows += chain_rows(rounds, 300 if args.quick else 5_000)
    rows.append(memory_row())
    rows.append(depth_row(ceiling))
    print_table(("benchmark", "micrograd", "gradtrace", "gradtrace is", "target"), rows)
    print()
    print_table(("no hidden overhead in nn", "plain Values", "nn", "nn takes", "target"), nn_rows(rounds, points))
    return 0


def print_table(header: tuple[str, ...], rows: list[tuple[str, str, str, str, str]]) -> None:
    """A Markdown table, so the output can go into the README as it is."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")


if __name__ == "__main__":
    sys.exit(main())
