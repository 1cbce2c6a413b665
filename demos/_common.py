"""What every demo shares: its command line, its output files, the progress bar, matplotlib, and how it fails.

A demo is ``main(argv=None)`` that parses its arguments with :class:`DemoParser`
and raises on failure, plus ``if __name__ == "__main__": run(main)``; :func:`run`
turns an ordinary failure (a file that cannot be written, no Graphviz, Ctrl-C)
into one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload

from autograd.files import FileWriteError, check_target, staged_path, write_file
from autograd.render import INSTALL_HINT, GraphTooLargeError, GraphvizNotFoundError

__all__ = [
    "OUT_DIR",
    "IMAGE_SUFFIXES",
    "GRAPH_SUFFIXES",
    "DOT_SUFFIXES",
    "DemoError",
    "DemoParser",
    "count",
    "number",
    "progress",
    "echo",
    "pyplot",
    "save_figure",
    "save_json",
    "run",
]

T = TypeVar("T")
N = TypeVar("N")

OUT_DIR = Path("out")  # where outputs go when the user gives a flag without a path (git-ignored)
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")  # what matplotlib writes for --plot
GRAPH_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv")  # what save_graph writes for --graph
DOT_SUFFIXES = (".svg", ".png", ".pdf")  # the graph formats that need Graphviz's `dot` program


class DemoError(Exception):
    """An ordinary failure of a demo: :func:`run` prints its message as one line and exits with 1."""


# ------------------------------------------------------------- command line
class DemoParser(argparse.ArgumentParser):
    """``argparse`` as the demos use it: one-line usage errors, and the flags every demo shares.

    A usage error is one line on stderr and exit code 2. Output flags added
    with :meth:`add_output` are checked right after parsing, before any long
    work: the suffix, a path that cannot be a file (a folder, a path under a
    file: a usage error) and, for a picture that needs it, the ``dot`` program.

    >>> parser = DemoParser("python -m demos.example", "An example.")
    >>> parser.add_seed()
    >>> parser.add_output("--plot", "example.png", IMAGE_SUFFIXES, "draw the curve", optional=True)
    >>> args = parser.parse_args(["--plot", "--seed", "3"])
    >>> args.plot, args.seed
    ('out/example.png', 3)
    >>> parser.parse_args([]).plot is None
    True
    """

    def __init__(self, prog: str, description: str, **kwargs: Any) -> None:
        super().__init__(prog=prog, description=description, **kwargs)
        self._outputs: list[tuple[str, Sequence[str], Sequence[str], str | None]] = []

    def error(self, message: str) -> NoReturn:
        """Report a usage error in one line (``prog: error: ...``) and exit with 2."""
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (try --help)\n")

    def add_seed(self, help: str = "seed of the random numbers (default 0): same seed, same run") -> None:
        """``--seed N``, default 0."""
        self.add_argument("--seed", type=int, default=0, help=help)

    def add_quiet(self, help: str = "no progress bar") -> None:
        """``--quiet``: print only the results."""
        self.add_argument("--quiet", action="store_true", help=help)

    def add_output(
        self,
        flag: str,
        name: str,
        suffixes: Sequence[str],
        help: str,
        *,
        optional: bool = False,
        unless: str | None = None,
        needs_dot: Sequence[str] = (),
    ) -> None:
        """An output file flag, ``flag PATH``, whose suffix must be one of ``suffixes`` (any if empty).

        ``optional``: the flag may be left out (no file) or given without a
        path (``out/<name>``); otherwise the file is always written, to
        ``out/<name>`` by default, unless the flag whose destination is
        ``unless`` (as ``no_plot`` for ``--no-plot``) is set. ``needs_dot``:
        the suffixes for which the file is drawn by Graphviz's ``dot``.
        """
        default = str(OUT_DIR / name)
        described = f"{help} ({' '.join(suffixes)}; default {default})" if suffixes else f"{help} (default {default})"
        if optional:
            self.add_argument(flag, nargs="?", const=default, default=None, metavar="PATH", help=described)
        else:
            self.add_argument(flag, default=default, metavar="PATH", help=described)
        self._outputs.append((flag, suffixes, needs_dot, unless))

    # argparse's three forms, so that this override keeps its signature
    @overload
    def parse_args(self, args: Iterable[str] | None = None, namespace: None = None) -> argparse.Namespace: ...
    @overload
    def parse_args(self, args: Iterable[str] | None, namespace: N) -> N: ...
    @overload
    def parse_args(self, *, namespace: N) -> N: ...

    def parse_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        """Parse, then check every output flag (see the class docstring)."""
        parsed = super().parse_args(args, namespace)
        for flag, suffixes, needs_dot, unless in self._outputs:
            path = getattr(parsed, flag.lstrip("-").replace("-", "_"))
            if path is None or (unless is not None and getattr(parsed, unless)):
                continue
            try:
                check_target(path, who=flag)
            except FileWriteError as err:
                self.exit(2, f"{self.prog}: error: {err}\n")
            suffix = Path(path).suffix.lower()
            if suffixes and suffix not in suffixes:
                self.exit(
                    2,
                    f"{self.prog}: error: {flag} {path!r}: the file name must end in one of "
                    f"{', '.join(suffixes)} (that picks the format)\n",
                )
            if suffix in needs_dot and shutil.which("dot") is None:
                raise GraphvizNotFoundError(
                    f"{flag} {path!r} is drawn by the Graphviz `dot` program, which is not on PATH. {INSTALL_HINT}"
                )
        return parsed


def count(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: an int from ``low`` to ``high`` (no upper bound when ``None``).

    >>> count(1)("3")
    3
    >>> count(1, 18)("99")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 1 to 18, got '99'
    """
    wanted = f"an integer >= {low}" if high is None else f"an integer from {low} to {high}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    return parse


def number(*, above: float | None = None, at_least: float | None = None) -> Callable[[str], float]:
    """An argparse ``type``: a finite float, ``> above`` or ``>= at_least`` when given.

    >>> number(above=0)("0.5")
    0.5
    >>> number(above=0)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a finite number > 0, got '0'
    """
    wanted = "a finite number"
    if above is not None:
        wanted += f" > {above:g}"
    if at_least is not None:
        wanted += f" >= {at_least:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if (
            not math.isfinite(value)
            or (above is not None and value <= above)
            or (at_least is not None and value < at_least)
        ):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    return parse


# ---------------------------------------------------------- progress output
def _is_terminal() -> bool:
    """True when both stdout and stderr are terminals (the bar draws on stderr)."""
    return all(getattr(stream, "isatty", lambda: False)() for stream in (sys.stdout, sys.stderr))


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str = "", quiet: bool = False) -> Iterable[T]:
    """``iterable`` with a tqdm progress bar on a terminal; silent with ``quiet``, in pipes and logs.

    Without tqdm installed it is the plain iterable. Print lines during the
    loop with :func:`echo` so they do not tear the bar.

    >>> list(progress(range(3), quiet=True))
    [0, 1, 2]
    """
    if quiet or not _is_terminal():
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is an optional extra: no bar, same loop
        return iterable
    bar: Iterable[T] = tqdm(iterable, total=total, desc=desc, leave=False, dynamic_ncols=True, mininterval=0.2)
    return bar


def echo(line: str, bar: object = None) -> None:
    """Print ``line``; above the progress bar when ``bar`` is a live tqdm bar.

    >>> echo("step 1", bar=range(3))
    step 1
    """
    write = getattr(bar, "write", None)
    if write is not None:
        write(line)
    else:
        print(line)


# ------------------------------------------------------------------ outputs
def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend (no window, works without a display)."""
    try:
        import matplotlib
    except ImportError:
        raise DemoError(
            "the demos draw their pictures with matplotlib, which is not installed: "
            "pip install 'gradtrace[demos]' (or pip install matplotlib tqdm)"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix) whole or not at all, close it and return the path."""
    try:
        with staged_path(path, who="save_figure") as tmp:
            fig.savefig(tmp, dpi=120, bbox_inches="tight", format=Path(path).suffix.lower().lstrip("."))
    finally:
        pyplot().close(fig)
    return Path(path)


def save_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON to ``path``, whole or not at all; return the path.

    >>> import tempfile, os
    >>> save_json({"a": 1}, os.path.join(tempfile.mkdtemp(), "a.json")).read_text()
    '{\\n  "a": 1\\n}\\n'
    """
    return write_file(path, json.dumps(obj, indent=2) + "\n", who="save_json")


# ------------------------------------------------------------- the command
ORDINARY_FAILURES = (DemoError, GraphvizNotFoundError, GraphTooLargeError, OSError)


def run(main: Callable[[], int]) -> NoReturn:
    """Run a demo's ``main()`` as a command and exit with its code; report an ordinary failure in one line.

    Every demo ends with ``if __name__ == "__main__": run(main)``. Ctrl-C
    prints ``interrupted`` and exits with 130; a file that cannot be written,
    a missing ``dot``, a graph too large to draw or a :class:`DemoError` prints
    ``python -m demos.NAME: error: ...`` and exits with 1; argparse's usage
    errors exit with 2 (:class:`DemoParser` makes them one line too). Every
    file is written whole or not at all, so none is left half-written. Other
    exceptions are bugs, and show their traceback. When the reader of the
    output goes away (``| head``), the demo stops quietly.
    """
    spec = main.__globals__.get("__spec__")  # run as `python -m demos.xor`, the module is __main__
    prog = f"python -m {spec.name if spec is not None else main.__module__}"
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        _fail(prog, "interrupted (Ctrl-C); no file was left half-written: run it again for the outputs", 130)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        sys.exit(1)
    except FileWriteError as err:
        _fail(prog, f"error: cannot write {err.filename!r}: {err.reason}", 1)
    except ORDINARY_FAILURES as err:
        _fail(prog, f"error: {err}", 1)
    sys.exit(code)


def _fail(prog: str, message: str, code: int) -> NoReturn:
    print(f"{prog}: {_one_line(message)}", file=sys.stderr)
    sys.exit(code)


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in str(text).splitlines() if line.strip())
