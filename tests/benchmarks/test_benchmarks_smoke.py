"""The benchmark command runs end to end (a smoke run; timings are never asserted in tests)."""

from __future__ import annotations

import json
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
    for row in (
        "moons step, MLP 2-16-16-1",
        "chain tanh",
        "memory per graph node",
        "deepest chain",
        "nn.MLP + hinge_loss",
    ):
        assert row in out
    assert re.search(r"\| deepest chain backward survives \(steps\) +\| 3\d\d +\| >= 10,000", out)


def test_both_engines_compute_the_same_moons_step():
    xs, ys = cases.two_moons(20)
    losses = []
    for engine in (MICROGRAD, GRADTRACE):
        model = cases.PlainMLP(engine.Value, 2, [16, 16, 1])
        losses.append([cases.moons_step(engine, model, xs, ys) for _ in range(3)])
    for a, b in zip(*losses, strict=True):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(a))


def test_json_has_every_row_with_the_replay_rows(tmp_path, capsys):
    path = tmp_path / "out" / "bench.json"
    assert main(["--quick", "--rounds", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "record once, replay many" in out and "pure-Python tape" in out and "batched NumPy tape" in out
    document = json.loads(path.read_text())
    rows = {row["name"]: row for row in document["rows"]}
    assert set(rows) == {
        "moons",
        "replay",
        "replay_batched",
        "chain_forward",
        "chain_backward",
        "memory",
        "depth",
        "moons_nn",
    }
    for name in ("moons", "replay", "replay_batched", "chain_forward", "chain_backward", "moons_nn"):
        row = rows[name]
        assert row["ms"] > 0 and row["ratio_to_micrograd"] > 0, row
    for name in ("replay", "replay_batched"):
        row = rows[name]
        assert (
            row["plain_ms"] > 0 and row["ratio_to_plain"] > 0 and row["micrograd_ms"] == rows["moons"]["micrograd_ms"]
        )
        assert row["max_grad_difference_to_plain"] <= 1e-12
    assert rows["replay"]["max_grad_difference_to_plain"] == 0.0  # pure Python: bit for bit
    assert rows["memory"]["ms"] is None and rows["memory"]["bytes_per_node"] > 0


def test_json_to_a_folder_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--quick", "--json", str(tmp_path)])
    assert exc.value.code == 2
    assert "is a folder" in capsys.readouterr().err


def test_the_replayed_moons_steps_are_the_plain_step():
    xs, ys = cases.two_moons(20)
    models = [cases.PlainMLP(GRADTRACE.Value, 2, [16, 16, 1]) for _ in range(3)]
    plain, replay, batched = models
    tape = cases.record_moons(replay, xs, ys)
    batch, l2 = cases.record_moons_batched(batched, xs, ys)
    table = [[a, b, float(y)] for (a, b), y in zip(xs, ys, strict=True)]
    for _ in range(3):
        loss = cases.moons_step(GRADTRACE, plain, xs, ys)
        assert cases.replay_step(tape, replay, xs) == loss
        assert abs(cases.batched_step(batch, l2, batched, table) - loss) <= 1e-12
        for p, q, r in zip(plain.parameters(), replay.parameters(), batched.parameters(), strict=True):
            assert p.data == q.data and abs(p.data - r.data) <= 1e-12


def test_survives_checks_the_gradient_not_just_that_backward_returned(monkeypatch):
    assert cases.survives(GRADTRACE, 200) and cases.survives(MICROGRAD, 200)
    assert not cases.survives(MICROGRAD, 2_000)  # micrograd's recursive topological sort
    assert cases.chain_grad(1) == 1.0001 * (1 - math.tanh(0.3 * 1.0001 + 0.001) ** 2)

    def tanh_with_derivative_one(self):  # a planted bug: every backward pass completes, wrongly
        return autograd.Value.from_op(math.tanh(self.data), (self,), (1.0,), "tanh")

    monkeypatch.setattr(autograd.Value, "tanh", tanh_with_derivative_one)
    with pytest.raises(ArithmeticError, match=r"gradtrace: backward through 50 chain steps gave x.grad = 1.00501"):
        cases.survives(GRADTRACE, 50)
