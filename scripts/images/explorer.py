"""Write the README's screenshot of the backprop explorer page to docs/images/explorer.png.

Usage: python scripts/images/explorer.py [--out DIR]

Makes the XOR page of ``python -m demos.explore`` (seed 0, sample 10), opens it
from disk in headless Chromium (the system's: $GRADTRACE_CHROMIUM, or chromium
on PATH; driven by Playwright, which downloads nothing), steps to the moment
the gradient reaches the output neuron's first weight, and takes the picture.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograd import trace_backward
from autograd.files import staged_path
from demos.explore import main as explore
from demos.explore import xor_loss

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
WEIGHT = "L1.N0.w0"  # the step shown: the one that reaches this parameter
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def find_chromium() -> str:
    """$GRADTRACE_CHROMIUM, else chromium, chromium-browser or google-chrome on PATH; else exit with advice."""
    configured = os.environ.get("GRADTRACE_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        "explorer.py needs Chromium for the screenshot: sudo apt-get install chromium (Debian/Ubuntu), "
        "or set GRADTRACE_CHROMIUM=/path/to/chromium"
    )


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the image (default: docs/images)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    target = args.out / "explorer.png"
    loss, _ = xor_loss(seed=0, sample="10")  # the graph the page shows, to find the step to show
    position = next(n for n, step in enumerate(trace_backward(loss), 1) if step.parent_name == WEIGHT)
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "explorer.html"
        explore(["--seed", "0", "--sample", "10", "--out", str(page_path)])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 700}, reduced_motion="reduce")
                page.goto(page_path.as_uri())
                for _ in range(position):
                    page.keyboard.press("ArrowRight")
                with staged_path(target, who="explorer.py") as staged:  # the old picture stays if this fails
                    page.screenshot(path=str(staged))
            finally:
                browser.close()
    print(f"wrote {target}")
    return [target]


if __name__ == "__main__":
    main()
