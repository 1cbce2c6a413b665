"""no_grad(): forward passes that record nothing, and recording restored afterwards."""

from __future__ import annotations

import dis
import itertools

import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad


def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * x + 1).tanh()
    assert is_grad_enabled()
    assert y.parents == () and y.local_grads == ()
    assert y.data == pytest.approx(0.9999092042625951)
    z = x * x
    assert z.parents == (x, x)


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()
    assert (Value(1.0) * 2).parents != ()


def test_nesting_and_enable_grad():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            assert (Value(1.0) + 1).parents != ()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_as_decorator():
    @no_grad()
    def forward(v: Value) -> Value:
        return v * 3

    assert forward(Value(1.0)).parents == ()
    assert is_grad_enabled()


def test_backward_through_a_no_grad_result_stops_there():
    x = Value(3.0)
    with no_grad():
        frozen = x * 2
    y = frozen * x
    y.backward()
    assert x.grad == 6.0  # only through the recorded edge; frozen is a constant


# ------------------------------------------------- per thread, per asyncio task
# (threads: see test_threads.py)
def test_asyncio_tasks_each_have_their_own_switch():
    import asyncio

    seen: list[tuple[str, bool, bool]] = []

    async def quiet() -> None:
        x = Value(1.0)
        with no_grad():
            await asyncio.sleep(0)  # the other task runs here
            seen.append(("quiet", is_grad_enabled(), (x * 2).parents != ()))
            await asyncio.sleep(0)
        seen.append(("quiet after", is_grad_enabled(), (x * 2).parents != ()))

    async def busy() -> None:
        x = Value(1.0)
        for _ in range(3):
            seen.append(("busy", is_grad_enabled(), (x * 2).parents != ()))
            await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(quiet(), busy())

    asyncio.run(main())
    assert sorted(set(seen)) == [("busy", True, True), ("quiet", False, False), ("quiet after", True, True)]


def test_a_task_created_inside_no_grad_keeps_it_after_the_block_ends():
    import asyncio

    import autograd.grad_mode as grad_mode

    async def child() -> tuple[bool, bool]:
        await asyncio.sleep(0)
        return is_grad_enabled(), (Value(1.0) * 2).parents != ()

    async def main() -> tuple[tuple[bool, bool], bool, bool]:
        with no_grad():
            task = asyncio.create_task(child())  # copies the context: recording off
        here = is_grad_enabled() and (Value(1.0) * 2).parents != ()
        slow = type(grad_mode._mode) is grad_mode._AskContext  # the child's context still holds the switch
        return await task, here, slow

    assert asyncio.run(main()) == ((False, False), True, True)
    import gc

    gc.collect()
    assert type(grad_mode._mode) is grad_mode._GradMode


def test_the_fast_path_comes_back_after_every_block():
    # Ops read one slot (_mode.enabled) while no no_grad() is alive anywhere; the
    # switch to asking the context must be undone when the last one ends, or
    # every op would pay for it from then on.
    import autograd.grad_mode as grad_mode

    assert type(grad_mode._mode) is grad_mode._GradMode
    with no_grad():
        assert type(grad_mode._mode) is grad_mode._AskContext
        with enable_grad(), no_grad():
            pass
    assert type(grad_mode._mode) is grad_mode._GradMode and grad_mode._alive == 0

    @no_grad()
    def f() -> Value:
        return Value(1.0) * 2

    f()
    with pytest.raises(ValueError), no_grad():
        Value(-1.0).log()
    assert type(grad_mode._mode) is grad_mode._GradMode and grad_mode._alive == 0


def handled_here(code) -> set[int]:
    """Offsets in ``code`` where CPython 3.11 would raise a pending KeyboardInterrupt: right
    after each call returns, and at each loop's backward jump (and, not listed, on entry)."""
    instructions = list(dis.get_instructions(code))
    points = {b.offset for a, b in itertools.pairwise(instructions) if a.opname == "CALL"}
    return points | {i.offset for i in instructions if i.opname == "JUMP_BACKWARD"}


@pytest.mark.parametrize("block", [no_grad, enable_grad])
def test_a_real_interrupt_anywhere_in_entering_or_leaving_keeps_the_state_right(block, monkeypatch):
    # KeyboardInterrupt at every point where Python handles a real Ctrl-C, in
    # __enter__, _Off's methods and __exit__ (apart from __exit__'s very start:
    # see its comment). Afterwards recording is as before the blocks (each was
    # left or never entered) and the count of live switches balances, so the
    # fast path returns; the one exception, an interrupt on entering _Off.__del__
    # (which Python prints and drops), leaves the count high: slower, not wrong.
    import gc
    import sys

    import autograd.grad_mode as grad_mode

    codes = {
        f.__code__
        for f in (
            grad_mode._SetGradMode.__enter__,
            grad_mode._SetGradMode.__exit__,
            grad_mode._Off.__init__,
            grad_mode._Off.__del__,
        )
    }
    points = {code: handled_here(code) for code in codes}
    exit_code = grad_mode._SetGradMode.__exit__.__code__
    seen = 0
    target = 0

    def tracer(frame, event, arg):  # gets each function's start
        nonlocal seen
        if frame.f_code not in codes:
            return None
        if frame.f_code is not exit_code:
            seen += 1
            if seen == target:
                raise KeyboardInterrupt
        frame.f_trace_opcodes = True
        return local

    def local(frame, event, arg):  # gets each bytecode
        nonlocal seen
        if event == "opcode" and frame.f_lasti in points[frame.f_code]:
            seen += 1
            if seen == target:
                raise KeyboardInterrupt
        return local

    dropped: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: dropped.append(info.object))
    outside = is_grad_enabled()
    target = 1
    while True:
        dropped.clear()
        seen = 0
        sys.settrace(tracer)
        try:
            with no_grad(), block():  # no_grad() outside, so that enable_grad changes something
                pass
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        gc.collect()
        assert is_grad_enabled() == outside, f"recording wrong after an interrupt at point {target}"
        if grad_mode._alive:  # only from a Ctrl-C at __del__'s start, which Python drops: slower, not wrong
            assert dropped, f"point {target}"
            grad_mode._alive = 0
            grad_mode._mode.__class__ = grad_mode._GradMode
        assert type(grad_mode._mode) is grad_mode._GradMode, f"point {target}"
        if seen < target:
            break
        target += 1
    assert target > 10


# ------------------------------------------- blocks cut short or moved between contexts
# (the real Ctrl-C test above traces bytecodes, which mutation testing cannot run;
# these provoke the same two paths directly)
class _InterruptedList(list):
    """A block's saved-state list whose ``append`` is hit by a Ctrl-C: entering stops right after the switch."""

    def append(self, item: object) -> None:
        raise KeyboardInterrupt


@pytest.mark.parametrize("block", [no_grad, enable_grad])
def test_an_interrupt_between_switching_and_saving_leaves_recording_as_before(block):
    import contextvars

    def attempt() -> tuple[bool, bool]:  # in a context where recording was never switched: on
        cm = block()
        cm._tokens = _InterruptedList()
        with pytest.raises(KeyboardInterrupt):
            cm.__enter__()
        return is_grad_enabled(), (Value(1.0) * 2).parents != ()

    with no_grad():  # alive elsewhere: ops ask the running context, not the fast slot
        assert contextvars.Context().run(attempt) == (True, True)
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_a_block_that_ends_in_another_context_leaves_that_context_as_the_block_found_it():
    # A generator holding a block open can be resumed in another context (another
    # task or thread); leaving the block there cannot reset the first context's
    # switch, so it sets the state the block began from in the one it ends in.
    import contextvars
    import gc

    import autograd.grad_mode as grad_mode

    def steps():
        with no_grad():
            with enable_grad():
                yield "inside both"
            yield is_grad_enabled(), (Value(1.0) * 2).parents != ()  # enable_grad left: off, as no_grad had it
        yield is_grad_enabled(), (Value(1.0) * 2).parents != ()  # no_grad left: on, as before it

    g = steps()
    began, resumed = contextvars.Context(), contextvars.Context()
    with no_grad():  # alive elsewhere: ops ask the running context, not the fast slot
        assert began.run(next, g) == "inside both"
        assert resumed.run(next, g) == (False, False)
        assert resumed.run(next, g) == (True, True)
    assert is_grad_enabled()
    del g, began, resumed
    gc.collect()
    assert type(grad_mode._mode) is grad_mode._GradMode and grad_mode._alive == 0
