"""autograd.dot piece by piece: the summary of what `dot` printed, each error's exact words, stopping a process
group, and the child's death signal. These run real programs (`dot`, `sh`, `sleep`) and read /proc: Linux."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd import dot
from autograd.dot import (
    INSTALL_HINT,
    GraphvizError,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    run_dot,
    summarise,
)

SHRINK = (
    "draw a smaller part of the computation, lower max_nodes, or draw each neuron as one box "
    'with collapse="neuron" (or each layer with collapse="layer")'
)


# ------------------------------------------------------------------ summarise
def test_a_silent_failure_says_so():
    assert summarise(b"") == "it printed nothing"
    assert summarise(b"  \n\n ") == "it printed nothing"


def test_three_lines_are_shown_and_the_rest_counted():
    assert summarise(b"one\ntwo\nthree\n") == "one | two | three"  # exactly three: nothing more to count
    assert summarise(b"one\ntwo\nthree\nfour\n") == "one | two | three (1 more lines)"
    assert summarise(b"a\nb\nc\nd\ne\nf\n") == "a | b | c (3 more lines)"
    assert summarise(b"a\nb\nc", lines=1) == "a (2 more lines)"


def test_lines_are_cut_at_200_characters():
    exact, over = "x" * 200, "y" * 201
    assert summarise(exact.encode()) == exact
    assert summarise(over.encode()) == "y" * 200 + "\u2026"
    assert summarise(b"abcdef\nghi", width=3) == "abc\u2026 | ghi"


def test_bytes_that_are_not_utf8_are_replaced_not_raised():
    assert summarise(b"bad \xff byte \xe9") == "bad \ufffd byte \ufffd"
    assert summarise("caf\u00e9".encode()) == "caf\u00e9"


# ------------------------------------------------------------------ run_dot's errors
def test_without_dot_the_message_says_what_needed_it_and_how_to_install(monkeypatch):
    monkeypatch.setattr(dot.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFoundError) as info:
        run_dot("digraph {}", "svg", who="save_graph", target="out/g.png")
    assert str(info.value) == (
        "save_graph: writing 'out/g.png' needs the Graphviz `dot` program, which is not on PATH. " + INSTALL_HINT
    )
    with pytest.raises(GraphvizNotFoundError) as info:
        run_dot("digraph {}", "svg")
    assert str(info.value) == (
        "run_dot: drawing an image needs the Graphviz `dot` program, which is not on PATH. " + INSTALL_HINT
    )


def test_a_dot_that_cannot_start_is_named_with_the_reason(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("not a program")  # not executable: exec fails with EACCES
    monkeypatch.setattr(dot.shutil, "which", lambda name: str(fake))
    with pytest.raises(GraphvizError) as info:
        run_dot("digraph {}", "png", who="save_graph", target="g.png")
    assert str(info.value) == (
        f"save_graph: could not start `dot` ({fake}) on 'g.png': [Errno 13] Permission denied: '{fake}'"
    )
    assert isinstance(info.value.__cause__, PermissionError)
    with pytest.raises(GraphvizError, match=r"^run_dot: could not start `dot` \(.*\): \[Errno 13\]"):
        run_dot("digraph {}", "png")


def test_the_time_limit_message_in_full():
    # no `dot` starts within a microsecond, so these run out of time at once
    with pytest.raises(GraphvizTimeoutError) as info:
        run_dot("digraph { a }", "svg", timeout=1e-6, who="save_graph_steps", target="steps/step_1.svg")
    assert str(info.value) == (
        "save_graph_steps: `dot` took longer than 1e-06 s on 'steps/step_1.svg' and was stopped. "
        f"To finish in time, {SHRINK}; or pass timeout=None to wait as long as it takes."
    )
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(GraphvizTimeoutError) as info:
        run_dot("digraph { a }", "svg", timeout=1e-6)
    assert str(info.value).startswith("run_dot: `dot` took longer than 1e-06 s and was stopped. To finish")


def test_a_failing_dot_is_named_with_its_exit_status_and_words():
    with pytest.raises(GraphvizError) as info:
        run_dot("digraph { a -> }", "svg", who="draw_graph", target="g.svg")
    assert type(info.value) is GraphvizError
    message = str(info.value)
    prefix = "draw_graph: `dot` failed on 'g.svg' (exit status 1): Error: <stdin>: syntax error in line 1"
    assert message.startswith(prefix) and "\n" not in message
    with pytest.raises(GraphvizError, match=r"^run_dot: `dot` failed \(exit status 1\): Error: <stdin>: syntax"):
        run_dot("digraph { a -> }", "svg")


def test_a_working_dot_gives_its_output():
    out = run_dot("digraph { a -> b }", "plain", timeout=30).decode()  # dot's plain text: one line per thing
    lines = [line.split()[:3] for line in out.splitlines()]
    assert lines == [
        ["graph", "1", "0.75"],
        ["node", "a", "0.375"],
        ["node", "b", "0.375"],
        ["edge", "a", "b"],
        ["stop"],
    ]
    assert run_dot('digraph { a [label="\u00e9"] }', "plain", timeout=None).count("\u00e9".encode()) == 1


@pytest.mark.parametrize("bad", [0, -1, 0.0, True, False, "5", float("inf"), float("nan")])
def test_timeouts_must_be_positive_finite_numbers(bad):
    with pytest.raises(ValueError) as info:
        run_dot("digraph {}", "svg", timeout=bad, who="save_graph")
    assert str(info.value) == f"save_graph: timeout must be a positive number of seconds or None, got {bad!r}"


def test_a_timeout_may_be_an_int_or_none():
    assert dot._checked_timeout(5, "run_dot") == 5.0 and type(dot._checked_timeout(5, "run_dot")) is float
    assert dot._checked_timeout(0.5, "run_dot") == 0.5
    assert dot._checked_timeout(None, "run_dot") is None


# ------------------------------------------------------------------ _stop
def state_of(pid: int) -> str:
    """The process's state letter from /proc ("Z" a zombie), or "gone"."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "gone"
    return stat[stat.rindex(")") + 2]


def test_stop_kills_the_whole_process_group():
    # a shell in its own session, like `dot`, with a child of its own that keeps running
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 100 >/dev/null 2>&1 & echo $!; wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    grandchild = int(proc.stdout.readline())
    try:
        dot._stop(proc)
        assert proc.returncode == -signal.SIGKILL
        end = time.monotonic() + 10
        while state_of(grandchild) not in ("Z", "gone") and time.monotonic() < end:
            time.sleep(0.01)
        assert state_of(grandchild) in ("Z", "gone")  # killed with its group, not left running
    finally:
        if state_of(grandchild) not in ("Z", "gone"):
            os.kill(grandchild, signal.SIGKILL)


def test_stop_reaps_for_at_most_10_seconds_and_swallows_a_second_interrupt():
    proc = subprocess.Popen(["sleep", "100"], start_new_session=True)
    waits = []
    real = proc.communicate

    def interrupted(*args, **kwargs):
        waits.append(kwargs)
        real(*args, **kwargs)
        raise KeyboardInterrupt  # a second Ctrl-C while reaping

    proc.communicate = interrupted
    dot._stop(proc)  # no exception: the child is killed already
    assert waits == [{"timeout": 10}] and proc.returncode == -signal.SIGKILL
    dot._stop(proc)  # stopping a process that is gone already is fine
    assert waits == [{"timeout": 10}, {"timeout": 10}]


# ------------------------------------------------------------------ the death signal
PDEATHSIG = """
import ctypes
sig = ctypes.c_int(-1)
ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
print(sig.value)
"""


def test_the_child_gets_sigkill_when_its_parent_dies():
    preexec = dot._die_with_parent(os.getpid())
    assert preexec is not None and dot._die_with_parent(os.getpid()) is not None  # the second one reuses prctl
    out = subprocess.run([sys.executable, "-S", "-c", PDEATHSIG], preexec_fn=preexec, capture_output=True, text=True)
    assert out.stdout == f"{int(signal.SIGKILL)}\n"
    plain = subprocess.run([sys.executable, "-S", "-c", PDEATHSIG], capture_output=True, text=True)
    assert plain.stdout == "0\n"


def test_a_child_whose_parent_is_already_gone_exits_at_once():
    ours = subprocess.run(["echo", "ran"], preexec_fn=dot._die_with_parent(os.getpid()), capture_output=True)
    assert (ours.returncode, ours.stdout) == (0, b"ran\n")
    other = subprocess.run(["echo", "ran"], preexec_fn=dot._die_with_parent(os.getpid() + 1), capture_output=True)
    assert (other.returncode, other.stdout) == (1, b"")


def fake_dot(tmp_path: Path, script: str) -> str:
    """An executable shell script standing in for `dot`."""
    path = tmp_path / "dot"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_dot_gets_the_format_and_the_source_on_stdin_and_a_process_group_of_its_own(monkeypatch, tmp_path):
    program = fake_dot(tmp_path, 'echo "$@"; cat; echo; cat /proc/$$/stat')
    monkeypatch.setattr(dot.shutil, "which", lambda name: program)
    out = run_dot("digraph { \u00e9 }", "png").decode("utf-8").splitlines()
    assert out[:2] == ["-Tpng", "digraph { \u00e9 }"]
    stat = out[2]
    pid, (group, session) = int(stat.split()[0]), stat[stat.rindex(")") + 2 :].split()[2:4]
    assert int(group) == pid and int(session) == pid  # its own process group: _stop kills it with its children
    assert int(group) != os.getpgrp()


def test_dot_is_started_with_the_death_signal_set(monkeypatch, tmp_path):
    program = tmp_path / "dot"
    program.write_text(f"#!{sys.executable} -S\n" + PDEATHSIG)
    program.chmod(0o755)
    monkeypatch.setattr(dot.shutil, "which", lambda name: str(program))
    assert run_dot("digraph {}", "svg") == f"{int(signal.SIGKILL)}\n".encode()


def test_an_interrupt_while_dot_runs_kills_it_and_is_raised(monkeypatch, tmp_path):
    pidfile = tmp_path / "pid"
    program = fake_dot(tmp_path, f"echo $$ > {pidfile}; exec sleep 100")
    monkeypatch.setattr(dot.shutil, "which", lambda name: program)

    def interrupt(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            run_dot("digraph {}", "svg", timeout=None)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        pid = int(pidfile.read_text()) if pidfile.exists() else None
        if pid is not None and state_of(pid) not in ("Z", "gone"):
            os.kill(pid, signal.SIGKILL)
    assert pid is not None and state_of(pid) == "gone"  # killed and reaped before the interrupt went on
