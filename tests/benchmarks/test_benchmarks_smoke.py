"""The benchmark command runs end to end (a smoke run; timings are never asserted in tests)."""

from __future__ import annotations

import math
import re

import pytest

import autograd
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


def test_survives_checks_the_gradient_not_just_that_backward_returned(monkeypatch):
    assert cases.survives(GRADTRACE, 200) and cases.survives(MICROGRAD, 200)
    assert not cases.survives(MICROGRAD, 2_000)  # micrograd's recursive topological sort
    assert cases.chain_grad(1) == 1.0001 * (1 - math.tanh(0.3 * 1.0001 + 0.001) ** 2)

    def tanh_with_derivative_one(self):  # a planted bug: every backward pass completes, wrongly
        return autograd.Value.from_op(math.tanh(self.data), (self,), (1.0,), "tanh")

    monkeypatch.setattr(autograd.Value, "tanh", tanh_with_derivative_one)
    with pytest.raises(ArithmeticError, match=r"gradtrace: backward through 50 chain steps gave x.grad = 1.00501"):
        cases.survives(GRADTRACE, 50)
