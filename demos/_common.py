"""What every demo shares: output paths under out/, a quiet-able progress bar, matplotlib setup."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence, TypeVar

__all__ = [
    "OUT_DIR",
    "IMAGE_SUFFIXES",
    "GRAPH_SUFFIXES",
    "output_path",
    "check_suffix",
    "check_positive",
    "progress",
    "echo",
    "pyplot",
    "save_figure",
    "graphviz_missing",
]

T = TypeVar("T")

OUT_DIR = Path("out")  # where outputs go when the user gives a flag without a path (git-ignored)
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")  # what matplotlib writes for --plot
GRAPH_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv")  # what save_graph writes for --graph


def output_path(path: str | Path) -> Path:
    """``path`` as a Path whose folder exists (created if needed).

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = output_path(os.path.join(d, "new", "x.png"))
    ...     p.parent.is_dir()
    True
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def check_suffix(parser: argparse.ArgumentParser, flag: str, path: str | None, suffixes: Sequence[str]) -> None:
    """``parser.error`` unless ``path`` (when given) ends in one of ``suffixes``."""
    if path is None:
        return
    if Path(path).suffix.lower() not in suffixes:
        parser.error(f"{flag} {path!r}: the file name must end in one of {', '.join(suffixes)} (that picks the format)")


def check_positive(parser: argparse.ArgumentParser, flag: str, value: float, *, allow_zero: bool = False) -> None:
    """``parser.error`` unless ``value`` is a finite number > 0 (or >= 0 with ``allow_zero``)."""
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        parser.error(f"{flag} must be a finite number {bound}, got {value!r}")


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
    return tqdm(iterable, total=total, desc=desc, leave=False, dynamic_ncols=True, mininterval=0.2)


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


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the file-only Agg backend (no window, works without a display)."""
    try:
        import matplotlib
    except ImportError:
        raise ImportError(
            "the demos draw their pictures with matplotlib: pip install 'gradtrace[demos]' "
            "(or pip install matplotlib tqdm)"
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix), close it and return the path."""
    p = output_path(path)
    fig.savefig(p, dpi=120, bbox_inches="tight")
    pyplot().close(fig)
    return p


def graphviz_missing(err: Exception, flag: str) -> int:
    """Report that drawing a graph needs Graphviz's ``dot`` (the message says how to install it); return 1."""
    print(f"error: {err}\n(or give {flag} a .dot path, which needs no Graphviz)", file=sys.stderr)
    return 1
