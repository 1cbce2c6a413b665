"""An interrupt never poisons the graph: after Ctrl-C (or any exception) at any point of a pass,
each node's ``.grad`` is as it was or complete, and the next pass is exact.

Faults are injected two ways: a trace function that raises KeyboardInterrupt at
the Nth bytecode the engine runs, for every N until the pass completes (and a
second one while it cleans up), and real timer signals at many delays on a
graph of 300,000 nodes.
"""

from __future__ import annotations

import dis
import functools
import math
import os
import signal
import struct
import sys
import time
from collections.abc import Callable

import pytest

import autograd.value as value_module
from autograd import Value, gradcheck, numerical_grad, topological_order, trace_backward
from autograd.value import _pass_lock

ENGINE_FILES = {
    os.path.abspath(value_module.__file__),
    os.path.abspath(sys.modules["autograd.trace"].__file__),
    os.path.abspath(sys.modules["autograd.topo"].__file__),
}


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def pass_gradients(root: Value) -> dict[Value, float]:
    """d root / d node for one pass, summed from 0.0 newest consumer first (as backward sums),
    computed here from ``parents`` and ``local_grads`` alone, without the engine's pass."""
    grads = {root: 1.0}
    for node in reversed(topological_order(root)):
        upstream = grads.get(node, 0.0)
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            grads[parent] = grads.get(parent, 0.0) + local * upstream
    return grads


def build(small: bool = False) -> tuple[Value, list[Value]]:
    """A small graph with everything a pass meets: shared nodes, a node used twice by one op,
    a three-input op, number leaves, and gradients already present (from earlier passes)."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    h = a * b
    if small:  # for trace_backward, whose every step is long to trace
        y = Value.from_op(h.data * a.data + c.data, (h, a, c), (a.data, h.data, 1.0), "fma") * h
        for i, node in enumerate(topological_order(y)):
            node.grad = [5.0, -1.25, 0.0, 0.375][i % 4]
        return y, topological_order(y)
    k = h + a
    m = (k * c).tanh()
    fma = Value.from_op(a.data * m.data + h.data, (a, m, h), (m.data, a.data, 1.0), "fma")
    y = fma * 3.0 + m.relu() + (h * h) / 7.0 - a.sigmoid()
    for i, node in enumerate(topological_order(y)):
        node.grad = [5.0, -1.25, 0.0, 0.375][i % 4]  # a.grad = 5.0: the example of a poisoned pass
    return y, topological_order(y)


NOP = dis.opmap["NOP"]


class Injector:
    """A trace function that raises KeyboardInterrupt at the ``first``-th step run in the engine's
    files, and again at the ``second``-th one after that (0: never).

    A step is a bytecode (``per="opcode"``), or the start of a line (``per="line"``). NOPs are
    left out: nothing can happen at one (no signal is handled there, no memory is allocated), and
    CPython 3.11 gives them no exception handler, so an exception a tracer raises at one skips even
    a ``with`` statement's exit, which no real interrupt can do.
    """

    def __init__(self, first: int, second: int = 0, per: str = "opcode") -> None:
        self.left = [first, second]
        self.fired = 0
        self.per = per
        self.where: list[str] = []

    def __call__(self, frame, event, arg):  # sys.settrace's signature
        if os.path.abspath(frame.f_code.co_filename) not in ENGINE_FILES:
            return None
        frame.f_trace_opcodes = self.per == "opcode"
        return self.local

    def local(self, frame, event, arg):
        if event == self.per and self.fired < 2 and self.left[self.fired]:
            if event == "opcode" and frame.f_code.co_code[frame.f_lasti] == NOP:
                return self.local
            self.left[self.fired] -= 1
            if self.left[self.fired] == 0:
                self.fired += 1
                self.where.append((frame.f_code, frame.f_lineno))
                raise KeyboardInterrupt(f"injected {self.fired}")
        return self.local


def with_lines(code) -> set[int]:
    """The lines of ``code`` that open a ``with`` statement."""
    return {i.positions.lineno for i in dis.get_instructions(code) if i.opname == "BEFORE_WITH"}


def check_lock_free(injector: Injector) -> None:
    """The pass lock is not held, unless a tracer raised on the with statement's own exit code.

    There (loading the three None arguments of __exit__), no real interrupt can
    arrive: CPython handles signals only where it checks for them (calls, loop
    jumps), and those instructions allocate nothing. A tracer can raise there,
    and then __exit__ never runs: a leak that only tracing can cause, and one
    the thread itself does not feel (the lock is reentrant). It is undone here.
    """
    if not _pass_lock._is_owned():
        return
    code, line = injector.where[-1]
    assert line in with_lines(code), f"the pass lock is held after an interrupt at {code.co_name} line {line}"
    while _pass_lock._is_owned():
        _pass_lock.release()


def run_with(injector: Injector, action: Callable[[], object]) -> bool:
    """Run ``action`` under ``injector``; True if it was interrupted."""
    sys.settrace(injector)
    try:
        action()
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)
    assert injector.fired == 0, "an interrupt was swallowed"
    return False


def check_pass_states(nodes: list[Value], before: list[bytes], d: list[float], what: str) -> None:
    """Each node as before or with this pass added in full (or, for zero_grad, zeroed)."""
    for i, node in enumerate(nodes):
        old = struct.unpack("<d", before[i])[0]
        complete = bits(0.0) if what == "zero_grad" else bits(old + d[i])
        assert bits(node.grad) in (before[i], complete), (
            f"{what}: node {i} ({node.label or node.op}) has .grad {node.grad!r}, "
            f"neither {old!r} (before) nor {struct.unpack('<d', complete)[0]!r} (complete)"
        )


def expected_per_node(root: Value, nodes: list[Value]) -> list[float]:
    grads = pass_gradients(root)
    return [grads[n] for n in nodes]


def test_pass_gradients_is_what_a_fresh_backward_gives():
    y, nodes = build()
    for n in nodes:
        n.grad = 0.0
    y.backward()
    assert [bits(n.grad) for n in nodes] == [bits(0.0 + g) for g in expected_per_node(y, nodes)]


def test_the_poisoned_example_from_a_cut_pass():
    # Before: an interrupt after the walk left a.grad zeroed and marked, and
    # the next backward() gave a.grad == 0.0 instead of 5.0 + 12.0.
    n = 1
    while True:
        a = Value(2.0)
        y = (a * a) * 3.0
        a.grad = 5.0
        injector = Injector(n)
        interrupted = run_with(injector, y.backward)
        check_lock_free(injector)
        assert a.grad in (5.0, 17.0) and y.grad in (0.0, 1.0)
        left = a.grad
        y.backward()
        assert a.grad == left + 12.0
        if not interrupted:
            break
        n += 1
    assert n > 50  # the pass really was cut at each of its steps


@pytest.mark.parametrize(
    "what, per",
    [("backward", "opcode"), ("backward", "line"), ("trace_backward", "opcode"), ("zero_grad", "opcode")],
)
def test_an_interrupt_at_every_bytecode_of_a_pass(what, per):
    runs = {"backward": lambda y: y.backward(), "trace_backward": trace_backward, "zero_grad": lambda y: y.zero_grad()}
    run = runs[what]
    n = 1
    while True:
        y, nodes = build(small=what == "trace_backward")
        d = expected_per_node(y, nodes)
        before = [bits(v.grad) for v in nodes]
        injector = Injector(n, per=per)
        interrupted = run_with(injector, functools.partial(run, y))
        check_lock_free(injector)
        check_pass_states(nodes, before, d, what)
        # The next pass, not interrupted, is exact from whatever state the cut one left.
        after_cut = [v.grad for v in nodes]
        y.backward()
        expected = [bits(g + dg) for g, dg in zip(after_cut, d, strict=True)]
        assert [bits(v.grad) for v in nodes] == expected, f"cut at {n}"
        if not interrupted:
            break
        n += 1
    assert n > (100 if per == "opcode" else 20)  # every step of the pass was a cut point


def test_a_second_interrupt_while_the_first_is_handled():
    # A Ctrl-C pressed twice: the second lands in whatever runs after the first.
    first = 1
    while True:
        y, nodes = build()
        d = expected_per_node(y, nodes)
        before = [bits(v.grad) for v in nodes]
        injector = Injector(first, 1)
        interrupted = run_with(injector, y.backward)
        if not interrupted:
            break
        second = 1
        while True:  # every point of the handling of the first interrupt
            y, nodes = build()
            injector = Injector(first, second)
            run_with(injector, y.backward)
            check_lock_free(injector)
            check_pass_states(nodes, before, d, "backward")
            after_cut = [v.grad for v in nodes]
            y.backward()
            assert [bits(v.grad) for v in nodes] == [bits(g + dg) for g, dg in zip(after_cut, d, strict=True)]
            if injector.fired < 2:
                break
            second += 1
        first += 5  # every fifth first cut: the handling code is the same after each


# ------------------------------------------------------------------ real signals
def wide_graph(steps: int) -> tuple[Value, list[Value]]:
    """y = sum of tanh(x_i * w_(i mod 8)), gradients kept O(1): 4 nodes a step, 8 shared leaves.

    Returns the root and every node made (in no particular order: faster than sorting them)."""
    shared = [Value(0.5 + i / 8, label=f"w{i}") for i in range(8)]
    y = Value(0.0, label="y0")
    nodes = [*shared, y]
    for i in range(steps):
        x = Value((i % 13) / 4 - 1.5)
        t = (x * shared[i % 8]).tanh()
        y = y + t
        nodes += (x, t.parents[0], t, y)
    return y, nodes


class Alarm:
    """SIGALRM after ``delay`` seconds raises KeyboardInterrupt, as Ctrl-C's handler does, while armed."""

    def __init__(self) -> None:
        self.armed = False
        self.previous = signal.signal(signal.SIGALRM, self.handler)

    def handler(self, signum, frame):
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt("timer")

    def run(self, delay: float, action: Callable[[], object]) -> bool:
        """Run ``action`` with the alarm set; True if it was interrupted."""
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, delay)
        try:
            action()
            self.armed = False
        except KeyboardInterrupt:
            return True
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.armed = False
        return False

    def close(self) -> None:
        signal.signal(signal.SIGALRM, self.previous)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX timers")
def test_real_signals_at_many_delays_on_300k_nodes():
    y, nodes = wide_graph(75_000)
    assert len(nodes) > 300_000
    alarm = Alarm()
    try:
        # One pass from all zeros gives each node's d root / d node, and how
        # long a pass takes here, to spread the delays over it.
        start = time.perf_counter()
        y.backward()
        took = time.perf_counter() - start
        d = [v.grad for v in nodes]
        outcomes = []
        for trial in range(16):
            before = [v.grad for v in nodes]
            delay = took * (0.02 + 0.96 * trial / 15)
            outcomes.append(alarm.run(delay, y.backward))
            # Each node as before or complete (float compares: 300,000 bit patterns would be slow).
            wrong = [
                i
                for i, (v, old, dg) in enumerate(zip(nodes, before, d, strict=True))
                if v.grad != old and v.grad != old + dg
            ]
            assert not wrong, f"trial {trial}: {len(wrong)} nodes half-done, first {nodes[wrong[0]]!r}"
            assert not _pass_lock._is_owned()
    finally:
        alarm.close()
    assert sum(outcomes) >= 8, f"only {sum(outcomes)} of 16 passes were cut; the delays missed"
    after_cuts = [v.grad for v in nodes]
    y.backward()
    assert [bits(v.grad) for v in nodes] == [bits(g + dg) for g, dg in zip(after_cuts, d, strict=True)]
    assert all(math.isfinite(w.grad) and w.grad != 0.0 for w in nodes[:8])


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX timers")
def test_real_signals_in_gradcheck_and_numerical_grad_leave_data_and_grad_as_found():
    ws = [Value(0.1 * i - 0.7, label=f"w{i}") for i in range(15)]
    for i, w in enumerate(ws):
        w.grad = i / 3

    def f() -> Value:
        out = ws[0]
        for _ in range(40):
            for w in ws:
                out = (out * w + 0.1).tanh()
        return out

    state = [(w.data, w.grad) for w in ws]
    start = time.perf_counter()
    gradcheck(f, ws)
    took = time.perf_counter() - start  # numerical_grad takes a little less
    alarm = Alarm()
    cut = 0
    try:
        for trial in range(30):
            action = (lambda: gradcheck(f, ws)) if trial % 2 else (lambda: numerical_grad(f, ws))
            cut += alarm.run(took * (0.02 + 0.9 * trial / 29), action)
            assert [(w.data, w.grad) for w in ws] == state, f"trial {trial}"
    finally:
        alarm.close()
    assert cut >= 15
