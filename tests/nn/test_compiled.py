"""CompiledLoss: training through a replayed tape gives the plain path's numbers, step after step."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import nn.compiled
from autograd import TapeError, TapeMismatchError, Value
from nn import MLP, SGD, Adam, CompiledLoss, Module, binary_cross_entropy, hinge_loss, mse_loss


def moons(n: int, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2:
            xs.append([math.cos(t) + rng.gauss(0, 0.1), math.sin(t) + rng.gauss(0, 0.1)])
            ys.append(-1)
        else:
            xs.append([1 - math.cos(t) + rng.gauss(0, 0.1), 0.5 - math.sin(t) + rng.gauss(0, 0.1)])
            ys.append(1)
    return xs, ys


def train(model, optimizer, step, steps):
    """(loss, every parameter's grad) after each step; ``step()`` computes the loss and fills .grad."""
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = step()
        history.append((loss, [p.grad for p in model.parameters()]))
        optimizer.step()
    return history


def assert_close(plain, compiled, tol):
    for (loss, grads), (c_loss, c_grads) in zip(plain, compiled, strict=True):
        assert abs(loss - c_loss) <= tol * max(1.0, abs(loss))
        assert max(abs(a - b) for a, b in zip(grads, c_grads, strict=True)) <= tol


@pytest.mark.parametrize("batched, tol", [(False, 0.0), (True, 1e-12)])
def test_moons_hinge_l2_sgd_steps_equal_the_plain_path(batched, tol):
    xs, ys = moons(30)

    def make():
        model = MLP(2, [8, 8, 1], activation="relu", seed=7, init="uniform")
        return model, SGD(model, lr=0.5)

    model, optimizer = make()

    def plain_step():
        loss = hinge_loss([model(x) for x in xs], ys, alpha=1e-4, params=model)
        loss.backward()
        return loss.data

    plain = train(model, optimizer, plain_step, 6)
    model, optimizer = make()
    compiled = CompiledLoss(model, hinge_loss, alpha=1e-4, batched=batched)
    replayed = train(model, optimizer, lambda: compiled.backward(xs, ys), 6)
    assert_close(plain, replayed, tol)  # pure Python: bit for bit (tol 0)
    assert plain[0][0] != plain[-1][0]  # the steps did change the model
    with_values = [model([Value(a) for a in x]).data for x in xs]
    compiled(xs, ys)
    assert compiled.predictions == pytest.approx(with_values, abs=1e-14)


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize(
    "loss, activation, output, targets",
    [
        (mse_loss, "tanh", "linear", lambda y: [0.5 * t for t in y]),
        (binary_cross_entropy, "sigmoid", "sigmoid", lambda y: [(t + 1) / 2 for t in y]),
        (mse_loss, "relu", "tanh", lambda y: y),
    ],
)
def test_other_losses_and_activations_with_adam(batched, loss, activation, output, targets):
    xs, ys = moons(12, seed=1)
    ts = targets(ys)

    def make():
        model = MLP(2, [5, 1], activation=activation, output_activation=output, seed=2)
        return model, Adam(model, lr=0.05)

    model, optimizer = make()

    # L2 written out by hand, as hinge_loss(alpha=, params=) builds it
    def plain_l2_step():
        value = loss([model(x) for x in xs], ts)
        params = model.parameters()
        total = params[0] * params[0]
        for p in params[1:]:
            total = total + p * p
        value = value + 1e-3 * total
        value.backward()
        return value.data

    plain = train(model, optimizer, plain_l2_step, 4)
    model, optimizer = make()
    compiled = CompiledLoss(model, loss, alpha=1e-3, batched=batched)
    replayed = train(model, optimizer, lambda: compiled.backward(xs, ts), 4)
    assert_close(plain, replayed, 1e-12 if batched else 0.0)


def test_minibatches_of_several_sizes():
    xs, ys = moons(20, seed=3)
    batches = [(0, 8), (8, 16), (16, 20), (0, 8)]
    results = {}
    for batched in (None, False, True):
        model = MLP(2, [6, 1], activation="relu", seed=4, init="uniform")
        optimizer = SGD(model, lr=0.3, momentum=0.9)
        compiled = None if batched is None else CompiledLoss(model, hinge_loss, batched=batched)
        history = []
        for lo, hi in batches:
            optimizer.zero_grad()
            if compiled is None:
                loss = hinge_loss([model(x) for x in xs[lo:hi]], ys[lo:hi])
                loss.backward()
                value = loss.data
            else:
                value = compiled.backward(np.array(xs[lo:hi]), np.array(ys[lo:hi]))
            history.append((value, [p.grad for p in model.parameters()]))
            optimizer.step()
        results[batched] = history
        if batched is False:
            assert sorted(k[0] for k in compiled._tapes) == [4, 8]  # one tape per batch size
    assert_close(results[None], results[False], 0.0)
    assert_close(results[None], results[True], 1e-12)


def test_a_loss_that_is_not_a_mean_is_refused_batched_and_fine_whole():
    def summed(preds, targets):  # a sum over examples, not a mean
        total = (preds[0] - targets[0]) ** 2
        for p, t in zip(preds[1:], targets[1:], strict=True):
            total = total + (p - t) ** 2
        return total

    xs, ys = moons(6)
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TapeError, match="is not the mean of a term per example; use CompiledLoss"):
        CompiledLoss(model, summed, batched=True).backward(xs, ys)
    assert all(p.grad == 0.0 for p in model.parameters())  # refused before touching .grad
    whole = CompiledLoss(model, summed, batched=False)
    assert whole(xs, ys) == summed([model(x) for x in xs], ys).data


def test_a_changed_parameter_list_is_a_clear_error():
    xs, ys = moons(4)
    model = MLP(2, [3, 1], seed=0)
    compiled = CompiledLoss(model, mse_loss, batched=False)
    compiled(xs, ys)
    model.layers[0].neurons[1].b = Value(0.0, label="new")
    with pytest.raises(TapeError, match=r"the model's parameters changed since this CompiledLoss was made"):
        compiled(xs, ys)


class Branchy(Module):
    """w·x doubled when x > 0, else tanh(w·x): a model whose graph depends on the data, as replay must notice."""

    def __init__(self):
        self.w = Value(0.5, label="w")

    def forward(self, x):
        s = self.w * x[0]
        return s * 2.0 if x[0].data > 0 else s.tanh()


def test_a_data_dependent_model_is_caught_by_check_every():
    model = Branchy()
    compiled = CompiledLoss(model, mse_loss, batched=True, check_every=1)
    compiled([[1.0], [2.0]], [0.0, 0.0])
    with pytest.raises(TapeMismatchError, match="another graph"):
        compiled([[1.0], [-2.0]], [0.0, 0.0])


def test_the_whole_batch_tape_computes_no_input_gradients_and_checks_when_asked():
    compiled = CompiledLoss(Branchy(), mse_loss, batched=False, check_every=2)
    compiled([[1.0], [2.0]], [0.0, 0.0])
    (tape,) = compiled._tapes.values()
    assert (tape.input_grads, tape.check_every) == (False, 2)
    assert tape.gradient([1.0, 2.0, 0.0, 0.0], [1.0, 0.0, 0.0]).inputs is None
    compiled([[1.0], [-2.0]], [0.0, 0.0])  # the tape's third replay is not checked: the recorded branch, silently
    with pytest.raises(
        TapeMismatchError,
        match=r"^Tape\.check: fn builds another graph .*\(recorded node 0, constant 2\.0; now node 0, parameter 0",
    ):
        compiled([[1.0], [-2.0]], [0.0, 0.0])


def test_inputs_are_checked():
    model = MLP(2, [3, 1], seed=0)
    compiled = CompiledLoss(model, mse_loss, batched=False)
    with pytest.raises(ValueError, match=r"got 2 rows of inputs but 1 targets"):
        compiled([[1.0, 2.0], [3.0, 4.0]], [1.0])
    with pytest.raises(ValueError, match=r"row 1 of inputs has 1 numbers, row 0 has 2"):
        compiled([[1.0, 2.0], [3.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"inputs\[1\]\[0\] is nan"):
        compiled([[1.0, 2.0], [math.nan, 1.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"targets\[0\] is inf"):
        compiled([[1.0, 2.0]], [math.inf])
    with pytest.raises(TypeError, match="inputs must be a non-empty list of rows"):
        compiled([], [])
    with pytest.raises(TypeError, match="targets must be a list of numbers"):
        compiled([[1.0, 2.0]], 1.0)
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        compiled([[1.0, 2.0, 3.0]], [1.0])


def test_construction_is_checked():
    model = MLP(2, [3, 2], seed=0)  # two outputs per example
    with pytest.raises(TapeError, match="needs one output Value per example"):
        CompiledLoss(model, mse_loss, batched=False)([[1.0, 2.0]], [1.0])
    with pytest.raises(TypeError, match="model must be a Module"):
        CompiledLoss(lambda x: x, mse_loss)  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        CompiledLoss(MLP(2, [1]), mse_loss, alpha=-1.0)
    with pytest.raises(TypeError, match="loss must be a function"):
        CompiledLoss(MLP(2, [1]), "mse")  # type: ignore[arg-type]  # wrong on purpose


def test_batched_without_numpy_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(nn.compiled, "_numpy_available", lambda: False)
    with pytest.raises(ImportError, match=r"pip install 'gradtrace\[fast\]'"):
        CompiledLoss(MLP(2, [1]), mse_loss, batched=True)
    assert CompiledLoss(MLP(2, [1]), mse_loss).batched is False  # the default falls back to pure Python


def test_a_clamped_prediction_cannot_be_recorded():
    model = MLP(1, [1], output_activation="sigmoid", seed=0)
    model.layers[0].neurons[0].w[0].data = 100.0  # sigmoid(100) rounds to 1.0: binary_cross_entropy clamps it
    with pytest.raises(TapeError, match="op 'clamp'"):
        CompiledLoss(model, binary_cross_entropy, batched=False)([[1.0]], [1.0])
