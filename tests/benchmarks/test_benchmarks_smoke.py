"""The benchmark command runs end to end (a smoke run; timings are never asserted in tests)."""

from __future__ import annotations

import re

from benchmarks import cases
from benchmarks.__main__ import main
from benchmarks.engines import GRADTRACE, MICROGRAD


def test_quick_run_prints_both_tables(capsys):
    assert main(["--quick", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    for row in ("moons step, MLP 2-16-16-1", "chain tanh", "memory per graph node", "deepest chain", "nn.MLP + hinge_loss"):
        assert row in out
    assert re.search(r"\| deepest chain backward survives \(steps\) +\| 3\d\d +\| >= 10,000", out)


def test_both_engines_compute_the_same_moons_step():
    xs, ys = cases.two_moons(20)
    losses = []
    for engine in (MICROGRAD, GRADTRACE):
        model = cases.PlainMLP(engine.Value, 2, [16, 16, 1])
        losses.append([cases.moons_step(engine, model, xs, ys) for _ in range(3)])
    for a, b in zip(*losses):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(a))
