"""Compare gradtrace with micrograd 0.1.0 in one process and print a table of ratios.

Usage::

    python -m benchmarks                    # the full run (a few minutes), as in the README
    python -m benchmarks --quick            # a few rounds at small sizes, to see that it works
    python -m benchmarks --json out/b.json  # also every row as JSON: name, ms, ratio to micrograd

Every timing is paired: each round runs micrograd and gradtrace back to back
(rotating which goes first), and the table reports the median of the
per-round ratios, so a machine that slows down mid-run slows both. Python's
default garbage collector stays on, as in real use.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import cases
from benchmarks.engines import GRADTRACE, MICROGRAD, Engine

TableRow = tuple[str, ...]
Record = dict[str, Any]  # one row of --json


def paired(rounds: int, slow: Callable[[], float], fast: Callable[[], float]) -> tuple[float, float, float]:
    """Median seconds of each and the median of per-round ratios slow/fast."""
    times = contest(rounds, {"slow": slow, "fast": fast})
    return statistics.median(times["slow"]), statistics.median(times["fast"]), median_ratio(times, "slow", "fast")


def contest(rounds: int, runners: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Seconds of each runner in each round; each round starts with the next runner (a rotation)."""
    names = list(runners)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            times[name].append(runners[name]())
    return times


def median_ratio(times: dict[str, list[float]], top: str, bottom: str) -> float:
    """The median over rounds of ``top``'s time divided by ``bottom``'s, round by round."""
    return statistics.median(a / b for a, b in zip(times[top], times[bottom], strict=True))


def timed(fn: Callable[[], object], repeat: int = 1) -> Callable[[], float]:
    """``fn`` as a timer (seconds per call, over ``repeat`` calls). Garbage left by the previous run
    (of either engine) is collected first, untimed, so neither engine pays for the other's; its own
    collections count."""

    def run() -> float:
        gc.collect()
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        return (time.perf_counter() - start) / repeat

    return run


def ms(seconds: float) -> str:
    """Milliseconds to about three significant digits."""
    value = seconds * 1e3
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def moons_rows(rounds: int, points: int) -> tuple[list[TableRow], list[TableRow], list[Record], list[str]]:
    """The moons step by micrograd, by plain gradtrace Values, and replayed from a tape in pure Python
    and batched with NumPy, all four in the same rounds."""
    xs, ys = cases.two_moons(points)
    models = {name: cases.PlainMLP(GRADTRACE.Value, 2, [16, 16, 1]) for name in ("plain", "replay", "batched")}
    models["micrograd"] = cases.PlainMLP(MICROGRAD.Value, 2, [16, 16, 1])

    start = time.perf_counter()
    tape = cases.record_moons(models["replay"], xs, ys)
    recorded = time.perf_counter() - start
    start = time.perf_counter()
    batch, l2 = cases.record_moons_batched(models["batched"], xs, ys)
    recorded_batched = time.perf_counter() - start
    table = [[a, b, float(y)] for (a, b), y in zip(xs, ys, strict=True)]
    differences = same_step(xs, ys, table)

    def step(engine: Engine, name: str) -> Callable[[], float]:
        return timed(lambda: cases.moons_step(engine, models[name], xs, ys))

    times = contest(
        rounds,
        {
            "micrograd": step(MICROGRAD, "micrograd"),
            "plain": step(GRADTRACE, "plain"),
            "replay": timed(lambda: cases.replay_step(tape, models["replay"], xs), repeat=5),
            "batched": timed(lambda: cases.batched_step(batch, l2, models["batched"], table), repeat=20),
        },
    )
    med = {name: statistics.median(t) for name, t in times.items()}
    mg, gt = med["micrograd"], med["plain"]
    speedup = median_ratio(times, "micrograd", "plain")
    main_row = ("moons step, MLP 2-16-16-1, plain Values", ms(mg), ms(gt), f"{speedup:.1f}x", ">= 8x")
    records: list[Record] = [
        {
            "name": "moons",
            "title": main_row[0],
            "ms": gt * 1e3,
            "micrograd_ms": mg * 1e3,
            "ratio_to_micrograd": median_ratio(times, "plain", "micrograd"),
            "target": ">= 8x faster",
        },
    ]
    replay_rows: list[TableRow] = []
    for name, title, target, key, seconds, difference in (
        (
            "replay",
            "pure-Python tape: the whole step, one straight-line function",
            0.03,
            "replay",
            recorded,
            differences[0],
        ),
        (
            "replay_batched",
            f"batched NumPy tape: one point's graph, arrays of {points}",
            0.005,
            "batched",
            recorded_batched,
            differences[1],
        ),
    ):
        to_mg = median_ratio(times, key, "micrograd")
        to_plain = median_ratio(times, key, "plain")
        replay_rows.append(
            (title, ms(mg), ms(gt), ms(med[key]), f"{to_mg:.4f}x", f"{to_plain:.3f}x", f"<= {target}x micrograd")
        )
        records.append(
            {
                "name": name,
                "title": title,
                "ms": med[key] * 1e3,
                "micrograd_ms": mg * 1e3,
                "plain_ms": gt * 1e3,
                "ratio_to_micrograd": to_mg,
                "ratio_to_plain": to_plain,
                "target": f"<= {target}x micrograd",
                "record_seconds": seconds,
                "max_grad_difference_to_plain": difference,
            }
        )
    notes = [
        f"recorded once: the pure-Python tape ({tape.size:,} ops) in {recorded:.2f} s, the batched one "
        f"({batch.tape.size:,} ops a point) in {recorded_batched:.2f} s; largest difference from the plain path's "
        f"loss and gradients: {differences[0]:.1e} (pure Python), {differences[1]:.1e} (batched)",
    ]
    return [main_row], replay_rows, records, notes


def same_step(xs: list[list[float]], ys: list[int], table: list[list[float]]) -> tuple[float, float]:
    """Three steps by the plain path and by each replay from identical models: the largest difference
    in any loss or parameter gradient (the replays are checked, not just timed)."""
    models = [cases.PlainMLP(GRADTRACE.Value, 2, [16, 16, 1]) for _ in range(3)]
    plain, replay, batched = models
    tape = cases.record_moons(replay, xs, ys)
    batch, l2 = cases.record_moons_batched(batched, xs, ys)
    worst = [0.0, 0.0]
    for _ in range(3):
        loss = cases.moons_step(GRADTRACE, plain, xs, ys)
        others = (cases.replay_step(tape, replay, xs), cases.batched_step(batch, l2, batched, table))
        for k, (other_loss, model) in enumerate(zip(others, (replay, batched), strict=True)):
            grads = [abs(p.grad - q.grad) for p, q in zip(plain.parameters(), model.parameters(), strict=True)]
            worst[k] = max(worst[k], abs(loss - other_loss), *grads)
    return worst[0], worst[1]


def nn_rows(rounds: int, points: int, micrograd_ms: float) -> tuple[list[TableRow], list[Record]]:
    """The same step written with plain Values and through ``nn`` (both gradtrace)."""
    from nn import MLP, SGD

    xs, ys = cases.two_moons(points)
    plain_model = cases.PlainMLP(GRADTRACE.Value, 2, [16, 16, 1])
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=1337, init="uniform")
    optimizer = SGD(model.parameters(), lr=0.1)
    plain = timed(lambda: cases.moons_step(GRADTRACE, plain_model, xs, ys))
    through_nn = timed(lambda: cases.nn_moons_step(model, optimizer, xs, ys))
    pt, nt, ratio = paired(rounds, plain, through_nn)
    title = "moons step: plain Values vs nn.MLP + hinge_loss + SGD"
    row = (title, ms(pt), ms(nt), f"{1 / ratio:.2f}x the time", "same")
    record = {
        "name": "moons_nn",
        "title": title,
        "ms": nt * 1e3,
        "plain_ms": pt * 1e3,
        "ratio_to_plain": 1 / ratio,
        "ratio_to_micrograd": nt * 1e3 / micrograd_ms,
        "target": "same",
    }
    return [row], [record]


def chain_rows(rounds: int, steps: int) -> tuple[list[TableRow], list[Record]]:
    nodes = steps * cases.CHAIN_NODES_PER_STEP + 1
    fwd: dict[str, list[float]] = {"micrograd": [], "gradtrace": []}
    bwd: dict[str, list[float]] = {"micrograd": [], "gradtrace": []}
    for r in range(rounds):
        order = (MICROGRAD, GRADTRACE) if r % 2 == 0 else (GRADTRACE, MICROGRAD)
        for engine in order:
            gc.collect()
            f, b = cases.time_chain(engine, steps)
            fwd[engine.name].append(f)
            bwd[engine.name].append(b)

    def ns(samples: list[float]) -> str:
        return f"{statistics.median(samples) / nodes * 1e9:.0f} ns/node"

    rows: list[TableRow] = []
    records: list[Record] = []
    for name, title, times, target in (
        ("chain_forward", f"chain tanh(y*1.0001+0.001), {steps} steps: forward", fwd, ">= 3x"),
        ("chain_backward", f"chain, {steps} steps: backward", bwd, ">= 2x"),
    ):
        speedup = median_ratio(times, "micrograd", "gradtrace")
        rows.append((title, ns(times["micrograd"]), ns(times["gradtrace"]), f"{speedup:.1f}x", target))
        records.append(
            {
                "name": name,
                "title": title,
                "ms": statistics.median(times["gradtrace"]) * 1e3,
                "micrograd_ms": statistics.median(times["micrograd"]) * 1e3,
                "ratio_to_micrograd": median_ratio(times, "gradtrace", "micrograd"),
                "target": f"{target} faster",
            }
        )
    return rows, records


def memory_row() -> tuple[TableRow, Record]:
    mg = cases.bytes_per_node(MICROGRAD)
    gt = cases.bytes_per_node(GRADTRACE)
    title = "memory per graph node (tracemalloc)"
    record = {
        "name": "memory",
        "title": title,
        "ms": None,
        "bytes_per_node": gt,
        "micrograd_bytes_per_node": mg,
        "ratio_to_micrograd": gt / mg,
        "target": "<= 250 B",
    }
    return (title, f"{mg:.0f} B", f"{gt:.0f} B", f"{mg / gt:.1f}x less", "<= 250 B"), record


def depth_row(ceiling: int) -> tuple[TableRow, Record]:
    mg, _ = cases.deepest_chain(MICROGRAD, 5_000)
    gt, hit_ceiling = cases.deepest_chain(GRADTRACE, ceiling)
    shown = f">= {gt:,} (all tried)" if hit_ceiling else f"{gt:,}"
    title = "deepest chain backward survives (steps)"
    record = {
        "name": "depth",
        "title": title,
        "ms": None,
        "steps": gt,
        "all_tried": hit_ceiling,
        "micrograd_steps": mg,
        "ratio_to_micrograd": None,
        "target": "no limit",
    }
    return (title, f"{mg:,}", shown, "", "no limit"), record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, small sizes: a smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds per timing (default 11, quick 3)")
    parser.add_argument(
        "--json",
        metavar="PATH",
        default=None,
        help="also write every row to PATH as JSON (name, ms, ratio to micrograd, ...)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds if args.rounds is not None else (3 if args.quick else 11)
    if rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.json is not None and Path(args.json).is_dir():
        parser.error(f"--json {args.json!r} is a folder; give a file name such as out/bench.json")
    points = 10 if args.quick else 100
    ceiling = 10_000 if args.quick else 1_000_000

    import micrograd

    header = (
        f"gradtrace vs micrograd {getattr(micrograd, '__version__', '0.1.0')} on Python "
        f"{platform.python_version()}, {platform.machine()}, {platform.system()}; {rounds} paired rounds, GC on"
    )
    print(header, flush=True)
    rows, replay_rows, records, notes = moons_rows(rounds, points)
    chain, chain_records = chain_rows(rounds, 300 if args.quick else 5_000)
    rows += chain
    records += chain_records
    for row, record in (memory_row(), depth_row(ceiling)):
        rows.append(row)
        records.append(record)
    print_table(("benchmark", "micrograd", "gradtrace", "gradtrace is", "target"), rows)
    print()
    print_table(
        (
            "record once, replay many: the moons step",
            "micrograd",
            "plain Values",
            "replay",
            "vs micrograd",
            "vs plain",
            "target",
        ),
        replay_rows,
    )
    for note in notes:
        print(note)
    print()
    nn, nn_records = nn_rows(rounds, points, records[0]["micrograd_ms"])
    records += nn_records
    print_table(("no hidden overhead in nn", "plain Values", "nn", "nn takes", "target"), nn)
    if args.json is not None:
        write_json(Path(args.json), {"run": header, "points": points, "rounds": rounds, "rows": records})
        print(f"\nevery row as JSON: {args.json}")
    return 0


def write_json(path: Path, document: dict[str, Any]) -> None:
    """``document`` as JSON at ``path``, written whole or not at all."""
    from autograd.files import write_file

    write_file(path, json.dumps(document, indent=2) + "\n", who="python -m benchmarks --json")


def print_table(header: tuple[str, ...], rows: list[TableRow]) -> None:
    """A Markdown table, so the output can go into the README as it is."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    sys.exit(main())
