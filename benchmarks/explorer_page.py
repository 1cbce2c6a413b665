"""How big and how fast the explorer page is for a real network: ``python -m benchmarks.explorer_page``.

Usage::

    python -m benchmarks.explorer_page                     # MLP(2, [16, 16, 1]), neurons drawn as boxes
    python -m benchmarks.explorer_page --full              # every op drawn, stepped neuron by neuron
    python -m benchmarks.explorer_page --full --by edge    # every op drawn, stepped edge by edge (1,248 edges)
    python -m benchmarks.explorer_page --steps 200         # time only the first 200 steps

Writes the page of ``nn.MLP(2, [16, 16, 1])``'s output on one point (by
default with ``collapse="neuron"``: each neuron one box), opens it
from disk in headless Chromium (the system's: $GRADTRACE_CHROMIUM or chromium
on PATH, driven by Playwright, which downloads nothing) at 1280x800, and
prints: the file's size, the time from navigation to the page being ready
(its script has drawn the first step) and to the first paint, and the time of
each step (the key press's script and the layout it forces), as a median and
a maximum. A benchmark, not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from autograd import save_explorer
from nn import MLP

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"  # chromium.py: the one Chromium finder

# Steps the page itself times: each key press's handler, then the layout it changed (forced, so it counts).
STEP_TIMES = """async (count) => {
  const times = [];
  for (let n = 0; n < count; n++) {
    const start = performance.now();
    document.dispatchEvent(new KeyboardEvent("keydown", {key: "ArrowRight", bubbles: true}));
    document.getElementById("graph").getBoundingClientRect();
    document.body.offsetHeight;
    times.push(performance.now() - start);
    if (n % 25 === 0) await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  }
  return times;
}"""


def network_page(folder: Path, **options: object) -> tuple[Path, float]:
    """The page of MLP(2, [16, 16, 1])'s output on one point, and the seconds it took to write."""
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -1.5])
    out.label = "out"
    start = time.perf_counter()
    path = save_explorer(out, folder / "mlp.html", params=model, max_nodes=None, title="MLP(2, [16, 16, 1])", **options)  # type: ignore[arg-type]
    return path, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explorer_page", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="how many steps to time (default: all)")
    parser.add_argument("--full", action="store_true", help="draw every op, not each neuron as one box")
    parser.add_argument("--by", choices=("neuron", "edge"), default="neuron", help="what one step shows (--full)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(SCRIPTS))
    from chromium import INSTALL_HINT, LAUNCH_ARGS, find_chromium  # type: ignore[import-not-found]

    executable = find_chromium()
    if executable is None:
        parser.error(f"the page is measured in Chromium: {INSTALL_HINT}")

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        if args.by == "edge" and not args.full:
            parser.error("--by edge needs --full: with neurons drawn as boxes the page steps neuron by neuron")
        path, written = network_page(Path(tmp), collapse=None if args.full else "neuron")
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready]")
            wall = time.perf_counter() - start
            ready = page.evaluate("performance.getEntriesByName('explorer-ready')[0].startTime")
            if args.by == "neuron" and args.full:
                page.select_option("#step-by", "neuron")
            paint = page.evaluate(
                "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
            )
            last = int(page.get_attribute("#slider", "max") or 0)
            count = last if args.steps is None else min(args.steps, last)
            times = page.evaluate(STEP_TIMES, count)
            assert int(page.get_attribute("body", "data-position") or -1) == count, "the page did not step"
        finally:
            browser.close()
        size = path.stat().st_size
    drawn = "every op drawn" if args.full else "neurons as boxes"
    print(f"MLP(2, [16, 16, 1]) on one point, {drawn}, by {args.by}: {last:,} steps shown")
    print(f"  page size            {size / 1024:8.0f} KB   (written in {written:.2f} s)")
    print(f"  ready (first render) {ready:8.0f} ms   first paint {paint:.0f} ms, load to ready {wall * 1000:.0f} ms")
    print(
        f"  one step             {statistics.median(times):8.1f} ms median, {max(times):.1f} ms at most "
        f"({len(times):,} steps)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
