"""Write the README's screenshot of the backprop explorer page to docs/images/explorer.png.

Usage: python scripts/images/explorer.py [--out DIR]

Makes the XOR page of ``python -m demos.explore`` (seed 0, sample 10), opens it
from disk in headless Chromium (the system's: $GRADTRACE_CHROMIUM, or chromium
on PATH; driven by Playwright, which downloads nothing), steps to the moment
the gradient reaches the output neuron's first weight, and takes the picture.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/, for chromium.py

from chromium import INSTALL_HINT, LAUNCH_ARGS, find_chromium  # noqa: E402 (needs the line above)

from autograd import trace_backward  # noqa: E402
from autograd.files import staged_path  # noqa: E402
from demos.explore import main as explore  # noqa: E402
from demos.explore import xor_sample_loss  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
WEIGHT = "L1.N0.w0"  # the step shown: the one that reaches this parameter


def main(argv: list[str] | None = None) -> list[Path]:
    """Take the screenshot into ``--out`` (default docs/images); return the path written."""
    parser = argparse.ArgumentParser(prog="python scripts/images/explorer.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the image (default: docs/images)")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        sys.exit(f"explorer.py needs Chromium for the screenshot: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    target = args.out / "explorer.png"
    loss, _ = xor_sample_loss(seed=0, sample="10")  # the graph the page shows, to find the step to show
    position = next(n for n, step in enumerate(trace_backward(loss), 1) if step.parent_name == WEIGHT)
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "explorer.html"
        explore(["--seed", "0", "--sample", "10", "--out", str(page_path)])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 700}, reduced_motion="reduce")
                page.goto(page_path.as_uri())
                for _ in range(position):
                    page.keyboard.press("ArrowRight")
                with staged_path(target, who="explorer.py") as staged:  # the old picture stays if this fails
                    page.screenshot(path=str(staged))
            finally:
                browser.close()
    return [target]


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
