"""Threads: no_grad() belongs to the thread that entered it, and backward passes over shared
parameters from several threads add up exactly."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

import autograd.grad_mode as grad_mode
from autograd import Value, enable_grad, is_grad_enabled, no_grad, numerical_grad, trace_backward


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
            except BaseException as e:  # handed to the test's thread
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


# ---------------------------------------------------------------- no_grad
def test_no_grad_in_one_thread_leaves_another_recording():
    inside = threading.Barrier(2, timeout=10)
    done = threading.Barrier(2, timeout=10)
    seen: dict[str, object] = {}

    def quiet() -> None:
        x = Value(2.0)
        with no_grad():
            inside.wait()  # the other thread works while this one is inside no_grad
            seen["quiet"] = ((x * x).parents, is_grad_enabled())
            done.wait()
        seen["quiet after"] = ((x * x).parents != (), is_grad_enabled())

    def busy() -> None:
        x = Value(3.0)
        inside.wait()
        seen["busy"] = ((x * x).parents == (x, x), is_grad_enabled())
        done.wait()

    run_threads(quiet, busy)
    assert seen == {"quiet": ((), False), "busy": (True, True), "quiet after": (True, True)}


def test_overlapping_no_grad_blocks_in_many_threads(switch_often):
    # Each thread switches in and out of no_grad (and enable_grad inside it) in
    # its own rhythm; every node it makes must follow its own thread's state.
    gc.collect()
    alive_before = grad_mode._alive  # an earlier test's interrupt in _Off.__del__ can leave one counted

    def worker(k: int) -> Callable[[], None]:
        def run() -> None:
            x = Value(float(k))
            for i in range(300):
                if (i + k) % 3 == 0:
                    with no_grad():
                        assert (x + 1).parents == () and not is_grad_enabled()
                        with enable_grad():
                            assert (x + 1).parents != () and is_grad_enabled()
                        assert (x * x).parents == ()
                else:
                    assert (x * 2).parents != () and is_grad_enabled()

        return run

    run_threads(*(worker(k) for k in range(6)))
    gc.collect()  # a no_grad state held only by garbage (an old traceback's frames) is freed first
    assert grad_mode._alive == alive_before, "a no_grad block of these threads is still counted as alive"
    if alive_before == 0:
        assert type(grad_mode._mode) is grad_mode._GradMode  # back on the fast path
    assert is_grad_enabled()


def test_a_thread_started_inside_no_grad_records():
    result = []
    with no_grad():
        t = threading.Thread(target=lambda: result.append((Value(1.0) * 2).parents != ()))
        t.start()
        t.join()
    assert result == [True]


def test_the_decorator_used_from_several_threads_at_once(switch_often):
    @no_grad()
    def forward(v: Value) -> Value:
        return (v * v).tanh()

    def worker() -> None:
        v = Value(0.5)
        for _ in range(300):
            assert forward(v).parents == ()
            assert (v * v).parents == (v, v)

    run_threads(*(worker for _ in range(4)))
    assert is_grad_enabled()


def test_numerical_grad_in_one_thread_does_not_stop_another_recording(switch_often):
    # numerical_grad runs f under no_grad(); before, that switched recording off
    # for every thread, and graphs built meanwhile elsewhere lost their edges.
    w = Value(0.3)
    stop = threading.Event()

    def checker() -> None:
        while not stop.is_set():
            numerical_grad(lambda: (w * w).tanh() * 3.0, [w])

    def builder() -> None:
        try:
            for _ in range(2000):
                a = Value(1.5)
                y = (a * 2.0 + 1.0).tanh()
                y.backward()
                assert a.grad != 0.0 and y.parents != ()
        finally:
            stop.set()

    run_threads(checker, builder)


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
