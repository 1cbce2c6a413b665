"""Running Graphviz's ``dot`` program: bounded in time, stopped with its caller, every failure one clear error.

``dot`` runs as a child process in a process group of its own. It is killed
(the whole group) when it takes longer than ``timeout`` seconds, and when the
caller is interrupted (Ctrl-C) or fails while waiting. On Linux it also gets
``PR_SET_PDEATHSIG``: if the Python process itself is killed (``SIGKILL``,
out of memory), the kernel kills ``dot`` too, instead of leaving it to run
for minutes. On macOS and Windows, which have no such signal, a ``dot`` whose
parent was killed outright runs until it finishes; every other way of
stopping Python stops it.
"""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import signal
import subprocess
import sys
from typing import Callable

import graphviz

__all__ = [
    "run_dot",
    "DEFAULT_TIMEOUT",
    "INSTALL_HINT",
    "GraphvizNotFoundError",
    "GraphvizError",
    "GraphvizTimeoutError",
]

DEFAULT_TIMEOUT = 60.0  # seconds; a graph under the size limit takes a few

INSTALL_HINT = (
    "Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz` (conda), "
    "or a download from https://graphviz.org/download/ (Windows and others); "
    "then check that `dot -V` works in a new terminal. "
    "Saving with a .dot or .gv suffix needs no Graphviz program."
)

_SHRINK_HINT = (
    "draw a smaller part of the computation, lower max_nodes, or draw each neuron as one box "
    "with collapse=\"neuron\" (or each layer with collapse=\"layer\")"
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz ``dot`` program is needed (to make an image) but is not on PATH."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)  # ExecutableNotFound's own __init__ formats another text


class GraphvizError(RuntimeError):
    """``dot`` failed on a graph: the message says where and summarises what ``dot`` printed."""


class GraphvizTimeoutError(GraphvizError):
    """``dot`` took longer than the time limit and was stopped."""


def run_dot(
    source: str,
    fmt: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    who: str = "run_dot",
    target: str | None = None,
) -> bytes:
    """The output of ``dot -T{fmt}`` on the DOT text ``source``, within ``timeout`` seconds (None: no limit).

    Raises :class:`GraphvizNotFoundError` when ``dot`` is not installed,
    :class:`GraphvizTimeoutError` when it runs out of time and
    :class:`GraphvizError` when it fails; ``who`` and ``target`` (the file being
    made) name the call in those messages. ``dot`` never outlives the call.

    >>> run_dot("digraph { a -> b }", "svg")[:5]
    b'<?xml'
    """
    limit = _checked_timeout(timeout, who)
    where = f" on {target!r}" if target else ""
    program = shutil.which("dot")
    if program is None:
        making = f"writing {target!r}" if target else "drawing an image"
        raise GraphvizNotFoundError(
            f"{who}: {making} needs the Graphviz `dot` program, which is not on PATH. " + INSTALL_HINT
        )
    data = source.encode("utf-8")
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(
            [program, f"-T{fmt}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=posix,  # its own process group, which _stop kills as a whole
            preexec_fn=_die_with_parent(os.getpid()) if sys.platform.startswith("linux") else None,
        )
    except OSError as err:
        raise GraphvizError(f"{who}: could not start `dot` ({program}){where}: {err}") from err
    try:
        out, complaint = proc.communicate(data, timeout=limit)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise GraphvizTimeoutError(
            f"{who}: `dot` took longer than {timeout:g} s{where} and was stopped. To finish in time, "
            f"{_SHRINK_HINT}; or pass timeout=None to wait as long as it takes."
        ) from None
    except BaseException:  # KeyboardInterrupt, or anything else while waiting: dot must not live on
        _stop(proc)
        raise
    if proc.returncode != 0:
        raise GraphvizError(
            f"{who}: `dot` failed{where} (exit status {proc.returncode}): {summarise(complaint)}"
        )
    return out


def summarise(stderr: bytes, lines: int = 3, width: int = 200) -> str:
    """The first ``lines`` lines of ``dot``'s error output, each cut to ``width`` characters.

    >>> summarise(b"Error: syntax error in line 1\\n" + b"x" * 300 + b"\\nthird\\nfourth\\n", lines=2, width=20)
    'Error: syntax error \u2026 | xxxxxxxxxxxxxxxxxxxx\u2026 (2 more lines)'
    """
    text = stderr.decode("utf-8", errors="replace").strip().splitlines()
    if not text:
        return "it printed nothing"
    shown = [line if len(line) <= width else line[:width] + "\u2026" for line in text[:lines]]
    more = f" ({len(text) - lines} more lines)" if len(text) > lines else ""
    return " | ".join(shown) + more


def _checked_timeout(timeout: object, who: str) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0 or math.isinf(timeout):
        raise ValueError(f"{who}: timeout must be a positive number of seconds or None, got {timeout!r}")
    return float(timeout)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``dot`` (its whole process group) and reap it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    try:
        proc.communicate(timeout=10)
    except BaseException:  # noqa: BLE001 - a second Ctrl-C while reaping: the child is killed already
        pass


_PR_SET_PDEATHSIG = 1
_prctl: Callable[..., int] | None = None


def _die_with_parent(parent: int) -> Callable[[], None] | None:
    """A function for Popen's ``preexec_fn`` (Linux): the child gets SIGKILL when its parent dies.

    prctl is looked up here, before the fork, so the child only makes one C call.
    If the parent is already gone by then (it was killed between fork and
    prctl), the child exits at once.
    """
    global _prctl
    if _prctl is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            prctl = libc.prctl
        except (OSError, AttributeError):
            return None
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        prctl.restype = ctypes.c_int
        _prctl = prctl
    call = _prctl
    kill = int(signal.SIGKILL)

    def preexec() -> None:
        call(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec
