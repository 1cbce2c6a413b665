"""Write the README's screenshots of the backprop explorer page: docs/images/explorer*.png.

Usage: python scripts/images/explorer.py [--out DIR]

Makes the XOR page of ``python -m demos.explore`` (seed 0, sample 10), opens it
from disk in headless Chromium (the system's: $GRADTRACE_CHROMIUM, or chromium
on PATH; driven by Playwright, which downloads nothing) and takes two pictures:
at 1280x800 the step where the gradient passes back through the second hidden
neuron's sigmoid (its local derivative s(1 - s) with the numbers plugged in),
and at 390x844, as a phone, the step where the output neuron's weight product
sends it on to that sigmoid (the weight it reads highlighted). A third picture,
explorer_neurons.png, shows the page of a 2-16-16-1 network's loss drawn with
collapse="neuron", at the step of a hidden neuron's delta.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/, for chromium.py

from chromium import INSTALL_HINT, LAUNCH_ARGS, find_chromium

from autograd import save_explorer, topological_order, trace_backward
from autograd.files import staged_path
from demos.explore import main as explore
from demos.explore import xor_sample_loss
from nn import MLP, mse_loss

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"
NEURON_STEP = 6  # the network's page: the loss's three edges, the output neuron, then hidden neurons of L1
SHOTS = (  # file, browser settings, (the op sending the gradient, the node receiving it)
    ("explorer.png", {"viewport": {"width": 1280, "height": 800}}, ("sigmoid", "add#21")),
    (
        "explorer_phone.png",
        {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
        ("*", "L1.N0.w1"),
    ),
)


def position_of(op: str, receiver: str) -> int:
    """The page's position (steps into constants folded away, as by default) of the step op -> receiver."""
    loss, model = xor_sample_loss(seed=0, sample="10")
    params = {id(p) for p in model.parameters()}
    order = topological_order(loss)
    constants = {id(v) for v in order if not v.parents and not v.label and id(v) not in params}
    shown = [s for s in trace_backward(loss) if id(s.parent) not in constants]
    return next(n for n, s in enumerate(shown, 1) if s.node.op == op and s.parent_name == receiver)


def main(argv: list[str] | None = None) -> list[Path]:
    """Take the screenshots into ``--out`` (default docs/images); return the paths written."""
    parser = argparse.ArgumentParser(prog="python scripts/images/explorer.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the images (default: docs/images)")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        sys.exit(f"explorer.py needs Chromium for the screenshot: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    written = []
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "explorer.html"
        explore(["--seed", "0", "--sample", "10", "--out", str(page_path)])
        shots = [(name, device, page_path, position_of(op, receiver)) for name, device, (op, receiver) in SHOTS]
        model = MLP(2, [16, 16, 1], seed=0)
        loss = mse_loss(model([0.5, -1.5]), 1.0)
        loss.label = "loss"
        network = save_explorer(
            loss,
            Path(tmp) / "network.html",
            params=model,
            collapse="neuron",
            title="MLP(2, [16, 16, 1]), one point: the loss's backward pass, neuron by neuron",
        )
        shots.append(("explorer_neurons.png", SHOTS[0][1], network, NEURON_STEP))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
            try:
                for name, device, path, position in shots:
                    context = browser.new_context(**device, reduced_motion="reduce")
                    page = context.new_page()
                    page.goto(path.as_uri())
                    for _ in range(position):
                        page.keyboard.press("ArrowRight")
                    with staged_path(args.out / name, who="explorer.py") as staged:  # the old one stays on failure
                        page.screenshot(path=str(staged))
                    context.close()
                    written.append(args.out / name)
            finally:
                browser.close()
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
