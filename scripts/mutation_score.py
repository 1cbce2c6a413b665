"""Print the mutation score of each package from mutmut's results: ``make mutation`` runs it after ``mutmut run``.

Usage: python scripts/mutation_score.py [--survivors] [--min PACKAGE=PERCENT ...] [--only PATTERN ...]

The score of a package is killed / total over its mutants, where killed
counts mutants a test failed on or that timed out, and total counts every
mutant, those no test reached included. With ``--min`` the exit code is 1
when a package scores below its bar. With ``--only`` (mutant name patterns,
as given to ``mutmut run``) only the matching mutants are counted.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {"killed", "timeout", "caught by type check"}
LINE = re.compile(r"^\s*(?P<name>[\w.ǁ]+__mutmut_\d+): (?P<status>.+?)\s*$")


def tally(results: str, only: Sequence[str] = ()) -> dict[str, Counter[str]]:
    """``{package: Counter(status)}`` from the text of ``mutmut results --all true``; with ``only``, of the
    mutants whose names match one of those patterns.

    >>> text = "    nn.optim.x_f__mutmut_1: killed\\n    nn.io.x_g__mutmut_2: survived\\n"
    >>> tally(text), tally(text, only=["nn.io.*"])
    ({'nn': Counter({'killed': 1, 'survived': 1})}, {'nn': Counter({'survived': 1})})
    """
    by_package: dict[str, Counter[str]] = defaultdict(Counter)
    for line in results.splitlines():
        match = LINE.match(line)
        if match and _wanted(match["name"], only):
            by_package[match["name"].split(".", 1)[0]][match["status"]] += 1
    return dict(by_package)


def survivors(results: str, only: Sequence[str] = ()) -> list[str]:
    """The names of the mutants that every test let through, or that no test reached (matching ``only``)."""
    return [
        m["name"]
        for m in map(LINE.match, results.splitlines())
        if m and m["status"] not in KILLED and _wanted(m["name"], only)
    ]


def _wanted(name: str, only: Sequence[str]) -> bool:
    return not only or any(fnmatch.fnmatchcase(name, pattern) for pattern in only)


def parse_bar(text: str) -> tuple[str, float]:
    package, sep, percent = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return package, float(percent)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected PACKAGE=PERCENT such as autograd=90, got {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Print each package's score (and with ``--survivors`` the mutants that lived); 1 if one is under its bar."""
    parser = argparse.ArgumentParser(prog="python scripts/mutation_score.py", description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="also list every mutant that was not killed")
    parser.add_argument(
        "--min",
        type=parse_bar,
        action="append",
        default=[],
        metavar="PACKAGE=PERCENT",
        help="fail when PACKAGE scores below PERCENT (repeatable)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="count only the mutants whose names match PATTERN, such as 'autograd.dot.*' (repeatable)",
    )
    args = parser.parse_args(argv)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("mutmut")), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"mutation_score.py: `mutmut results` failed ({done.stderr.strip()}); run `make mutation` first")
    counts = tally(done.stdout, args.only)
    if not counts:
        sys.exit(
            "mutation_score.py: no mutmut results"
            + (f" match {', '.join(args.only)}" if args.only else "")
            + "; run `make mutation` first"
        )
    failed = False
    bars = dict(args.min)
    for package, count in sorted(counts.items()):
        total = sum(count.values())
        killed = sum(n for status, n in count.items() if status in KILLED)
        others = ", ".join(f"{n} {status}" for status, n in sorted(count.items()) if status not in KILLED)
        score = 100.0 * killed / total
        bar = bars.get(package)
        verdict = "" if bar is None else f" (bar {bar:g}%: {'ok' if score >= bar else 'BELOW'})"
        print(f"{package:>9}: {killed} / {total} mutants killed = {score:.1f}%{verdict}; {others or 'none left'}")
        failed |= bar is not None and score < bar
    if args.survivors:
        for name in survivors(done.stdout, args.only):
            print(f"    {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
