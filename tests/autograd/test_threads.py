"""Threads: backward passes over shared parameters from several threads add up exactly."""

from __future__ import annotations

import sys
import threading
from typing import Callable, Iterator

import pytest

from autograd import Value, trace_backward


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Let the interpreter switch threads every microsecond, so passes really interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def run_threads(*targets: Callable[[], None], timeout: float = 60.0) -> None:
    """Run each target in its own thread; re-raise the first failure in the caller."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as e:  # noqa: BLE001  (handed to the test's thread)
                errors.append(e)

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- backward
def test_backward_from_several_threads_on_shared_parameters_adds_up_exactly(switch_often):
    # Hogwild-style: each thread builds its own graph over the same weights and
    # runs backward repeatedly. Contributions are small integers, so every sum
    # is exact whatever the order: the totals must match to the last bit.
    weights = [Value(float(i % 5 - 2), label=f"w{i}") for i in range(8)]
    threads, passes, terms = 4, 15, 400

    def graph(k: int) -> Value:
        y = Value(0.0)
        for i in range(terms):
            w = weights[(i + k) % len(weights)]
            y = y + w * float(i % 7 - 3) + w * w
        return y

    def worker(k: int) -> Callable[[], None]:
        def run() -> None:
            y = graph(k)
            for _ in range(passes):
                y.backward()

        return run

    run_threads(*(worker(k) for k in range(threads)))

    expected = [0.0] * len(weights)  # d/dw of sum of w*c + w*w is c + 2w per term
    for k in range(threads):
        for i in range(terms):
            j = (i + k) % len(weights)
            expected[j] += passes * (float(i % 7 - 3) + 2.0 * weights[j].data)
    assert [w.grad for w in weights] == expected


def test_trace_backward_and_backward_in_two_threads(switch_often):
    w = Value(1.0, label="w")

    def tracer() -> None:
        for _ in range(40):
            trace_backward(sum((w * float(i) for i in range(50)), Value(0.0)))

    def plain() -> None:
        y = sum((w * 2.0 for _ in range(50)), Value(0.0))
        for _ in range(40):
            y.backward()

    run_threads(tracer, plain)
    assert w.grad == 40 * sum(range(50)) + 40 * 100.0
