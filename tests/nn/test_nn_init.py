"""init="micrograd": micrograd's very weights from the same seed, and its moons demo learned as micrograd learns it."""

from __future__ import annotations

import random
import statistics

import micrograd.engine
import micrograd.nn
import pytest

from autograd import no_grad
from demos.moons import accuracy, make_moons
from nn import INITS, MLP, CompiledLoss, Layer, Neuron, hinge_loss


def micrograd_mlp(nin: int, nouts: list[int], seed: int) -> micrograd.nn.MLP:
    """micrograd's MLP drawn after random.seed(seed), leaving the global generator as it was."""
    state = random.getstate()
    try:
        random.seed(seed)
        return micrograd.nn.MLP(nin, nouts)
    finally:
        random.setstate(state)


@pytest.mark.parametrize("seed", [0, 1, 1337])
def test_the_same_weights_as_micrograd_bit_for_bit(seed):
    ours = MLP(2, [16, 16, 1], activation="relu", init="micrograd", seed=seed)
    theirs = micrograd_mlp(2, [16, 16, 1], seed)
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]
    assert len(ours.parameters()) == 337


def test_weights_uniform_in_minus_one_one_and_biases_zero():
    layer = Layer(40, 30, init="micrograd", seed=3)
    w = [wi.data for n in layer.neurons for wi in n.w]
    assert all(-1.0 <= x <= 1.0 for x in w) and min(w) < -0.95 and max(w) > 0.95
    assert statistics.pvariance(w) == pytest.approx(1 / 3, rel=0.1)  # U(-1, 1): variance 1/3
    assert [n.b.data for n in layer.neurons] == [0.0] * 30
    assert Neuron(3, init="micrograd", seed=0).init == "micrograd" and "micrograd" in INITS


def test_the_global_generator_is_left_alone():
    random.seed(5)
    expected = random.random()
    random.seed(5)
    MLP(2, [4, 1], init="micrograd", seed=9)
    MLP(2, [4, 1], init="micrograd")
    assert random.random() == expected


def test_forward_and_gradients_agree_with_micrograd():
    inputs, y = make_moons(20, 0.1, seed=4)
    ours = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", init="micrograd", seed=4)
    theirs = micrograd_mlp(2, [16, 16, 1], 4)
    scores = [ours(list(x)) for x in inputs]
    their_scores = [theirs([micrograd.engine.Value(a) for a in x]) for x in inputs]
    assert [s.data for s in scores] == [s.data for s in their_scores]  # same sums, in the same order
    loss = hinge_loss(scores, y, alpha=1e-4, params=ours)
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, their_scores, strict=True)]
    their_loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in theirs.parameters())
    assert loss.data == pytest.approx(their_loss.data, rel=1e-14)
    loss.backward()
    their_loss.backward()
    ours_grads = [p.grad for p in ours.parameters()]
    their_grads = [float(p.grad) for p in theirs.parameters()]
    assert any(g != 0.0 for g in ours_grads)
    assert ours_grads == pytest.approx(their_grads, rel=1e-12, abs=1e-15)


def micrograd_moons_demo(seed: int) -> float:
    """micrograd's demo on gradtrace: 100 moons points (noise 0.1), the SVM max-margin loss with
    1e-4 L2, SGD at 1.0 - 0.9 k / 100 for 100 steps. The accuracy after the last step.

    The loss and its gradients are replayed from a tape (nn.CompiledLoss, tested in
    test_compiled.py to give the plain path's numbers) instead of 100 graphs of Values a step."""
    inputs, y = make_moons(100, 0.1, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", init="micrograd", seed=seed)
    params = model.parameters()
    step = CompiledLoss(model, hinge_loss, alpha=1e-4)
    for k in range(100):
        model.zero_grad()
        step.backward(inputs, y)
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad
    with no_grad():
        return accuracy([model(list(x)) for x in inputs], y)


def test_micrograd_init_learns_the_moons_demo_for_at_least_7_of_8_seeds():
    # Replayed from a tape, so eight trainings take seconds; the plain path trains the same
    # demo to 100% in notebooks/03_training_xor_and_the_moons.ipynb, which the suite runs.
    accuracies = [micrograd_moons_demo(seed) for seed in range(8)]
    perfect = sum(acc == 1.0 for acc in accuracies)
    assert perfect >= 7, f"100% accuracy for {perfect} of 8 seeds: {accuracies}"
    assert min(accuracies) >= 0.95, accuracies
