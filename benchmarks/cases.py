"""The benchmark workloads, written once and run on either engine."""

from __future__ import annotations

import functools
import gc
import math
import operator
import random
import sys
import time
import tracemalloc
from typing import Any, Callable, Sequence

from benchmarks.engines import Engine

# ----------------------------------------------------------------- moons step


def two_moons(n: int, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[int]]:
    """``n`` points on two interleaving half circles, labels -1 / +1 (micrograd's demo data)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * (i // 2) / max(1, n // 2 - 1)
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


class PlainMLP:
    """micrograd's nn.MLP, written against any Value class: relu hidden, linear output."""

    def __init__(self, Value: Callable[[float], Any], nin: int, nouts: Sequence[int], seed: int = 1337) -> None:
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [
            [([Value(rng.uniform(-1, 1)) for _ in range(fan_in)], Value(0.0)) for _ in range(fan_out)]
            for fan_in, fan_out in zip(sizes, sizes[1:])
        ]

    def __call__(self, x: list[Any]) -> Any:
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            out = []
            for w, b in layer:
                act = sum((wi * xi for wi, xi in zip(w, x)), b)
                out.append(act if last else act.relu())
            x = out
        return x[0]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def moons_loss(model: Any, inputs: list[list[Any]], ys: list[int]) -> Any:
    """micrograd's demo loss: mean SVM max-margin loss of the scores plus 1e-4 L2."""
    scores = [model(x) for x in inputs]
    losses = [(1 + -y * s).relu() for y, s in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def moons_step(engine: Engine, model: Any, xs: list[list[float]], ys: list[int], lr: float = 0.1) -> float:
    """One step of micrograd's demo: forward 100 points, SVM loss + 1e-4 L2, backward, SGD."""
    Value = engine.Value
    total = moons_loss(model, [[Value(a), Value(b)] for a, b in xs], ys)
    for p in model.parameters():
        p.grad = 0.0
    total.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


def nn_moons_step(model: Any, optimizer: Any, xs: list[list[float]], ys: list[int]) -> float:
    """The same step through gradtrace's ``nn``: MLP, hinge_loss with L2, SGD."""
    from autograd import Value
    from nn import hinge_loss

    scores = [model([Value(a), Value(b)]) for a, b in xs]
    total = hinge_loss(scores, ys, alpha=1e-4, params=model.parameters())
    optimizer.zero_grad()
    total.backward()
    optimizer.step()
    return total.data


# ---------------------------------------------------------- the moons step, replayed


def record_moons(model: PlainMLP, xs: list[list[float]], ys: list[int]) -> Any:
    """The whole moons loss as one tape: inputs the points (labels and sizes are constants), gradients
    for the model's parameters."""
    from autograd import record

    def loss(*flat: Any) -> Any:
        return moons_loss(model, [[flat[2 * i], flat[2 * i + 1]] for i in range(len(flat) // 2)], ys)

    return record(loss, [x for point in xs for x in point], model.parameters(), input_grads=False)


def replay_step(tape: Any, model: PlainMLP, xs: list[list[float]], lr: float = 0.1) -> float:
    """The moons step by replaying the whole-batch tape: no Values made, the same numbers."""
    params = model.parameters()
    for p in params:
        p.grad = 0.0
    loss = tape.backward([x for point in xs for x in point])
    for p in params:
        p.data -= lr * p.grad
    return float(loss)


def record_moons_batched(model: PlainMLP, xs: list[list[float]], ys: list[int]) -> tuple[Any, Any]:
    """One point's term ``relu(1 - y * score)`` as a batched tape (inputs x0, x1, y), and the L2 term
    as a tape of the parameters alone."""
    from autograd import record

    params = model.parameters()
    term = record(lambda a, b, y: (1 + -y * model([a, b])).relu(), [*xs[0], ys[0]], params, input_grads=False)
    l2 = record(lambda: 1e-4 * sum(p * p for p in params), [], params, input_grads=False)
    return term.batched(), l2


def batched_step(batch: Any, l2: Any, model: PlainMLP, table: Any, lr: float = 0.1) -> float:
    """The moons step as one batched replay: every point's term at once, each weighted 1/n as the mean
    weights it, plus the L2 tape; then SGD."""
    import numpy as np

    n = len(table)
    terms = batch.gradient(table, np.full(n, 1.0 / n))
    reg = l2.gradient([])
    params = model.parameters()
    for p, g, r in zip(params, terms.params.tolist(), reg.params, strict=True):
        p.grad = g + r
    for p in params:
        p.data -= lr * p.grad
    data_loss = functools.reduce(operator.add, terms.value.tolist(), 0.0)  # left to right, as sum() of Values
    return float(data_loss * (1.0 / n) + reg.value)


# ---------------------------------------------------------------------- chain


def chain(engine: Engine, steps: int) -> tuple[Any, Any]:
    """``y = tanh(y * 1.0001 + 0.001)`` repeated: 5 nodes a step (2 of them constants)."""
    x = engine.Value(0.3)
    y = x
    for _ in range(steps):
        y = (y * 1.0001 + 0.001).tanh()
    return x, y


CHAIN_NODES_PER_STEP = 5


def chain_grad(steps: int) -> float:
    """d y / d x of :func:`chain` in plain floats: the product of ``1.0001 * (1 - y_k**2)`` over the steps."""
    y, grad = 0.3, 1.0
    for _ in range(steps):
        y = math.tanh(y * 1.0001 + 0.001)
        grad *= 1.0001 * (1.0 - y * y)
    return grad


def time_chain(engine: Engine, steps: int) -> tuple[float, float]:
    """Seconds to build the chain and to run its backward pass.

    micrograd's backward recurses once per node of depth, so for this timing
    (not for ``deepest_chain``) the recursion limit is raised around its call.
    """
    start = time.perf_counter()
    _, y = chain(engine, steps)
    built = time.perf_counter()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * steps * CHAIN_NODES_PER_STEP))
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    done = time.perf_counter()
    return built - start, done - built


def bytes_per_node(engine: Engine, steps: int = 300) -> float:
    """Memory a chain graph holds after its backward pass, per node, measured with tracemalloc.

    300 steps, so that micrograd's recursive backward fits the default recursion limit.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        x, y = chain(engine, steps)
        y.backward()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del x, y
    return held / (steps * CHAIN_NODES_PER_STEP + 1)


def survives(engine: Engine, steps: int) -> bool:
    """Whether backward() through a chain of ``steps`` steps completes at the default recursion limit.

    A backward pass that completes must also be right: a gradient of ``x``
    other than :func:`chain_grad` raises, as it is a bug, not a depth limit.
    """
    x, y = chain(engine, steps)
    try:
        y.backward()
    except RecursionError:
        return False
    finally:
        del y
        gc.collect()
    expected = chain_grad(steps)
    # relative agreement; abs_tol only for products that underflow into subnormals (past about 30,000 steps)
    if not math.isclose(x.grad, expected, rel_tol=1e-9, abs_tol=1e-300):
        raise ArithmeticError(f"{engine.name}: backward through {steps} chain steps gave x.grad = {x.grad!r}, "
                              f"expected {expected!r}")
    return True


def deepest_chain(engine: Engine, ceiling: int) -> tuple[int, bool]:
    """The largest number of chain steps (up to ``ceiling``) whose backward works; and whether it hit the ceiling."""
    limit = sys.getrecursionlimit()
    assert limit == 1000, "measure at Python's default recursion limit"
    if survives(engine, ceiling):
        return ceiling, True
    lo, hi = 0, ceiling  # survives(lo) is True, survives(hi) is False
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if survives(engine, mid):
            lo = mid
        else:
            hi = mid
    return lo, False
