"""Write the demo pictures the README shows into docs/images/, by running the demos themselves.

Usage: python scripts/images/demo_images.py [--out DIR] [--skip-moons]

Every picture is made by the demo's own ``main()`` with its default settings
(XOR by both methods, seed 0), so the README shows what the commands print.
The moons run takes the longest (its 100 full-batch steps, about 20 s).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from demos import moons, topo, vanishing, why_backprop, xor

OUT = Path(__file__).resolve().parents[2] / "docs" / "images"


def main(argv: list[str] | None = None) -> list[Path]:
    """Run each demo into ``--out`` (default docs/images); return the paths written."""
    parser = argparse.ArgumentParser(
        prog="python scripts/images/demo_images.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the images (default: docs/images)")
    parser.add_argument("--skip-moons", action="store_true", help="leave out the slowest picture")
    args = parser.parse_args(argv)
    out: Path = args.out  # each demo writes its files whole, through autograd.files, creating the folder

    written = [out / "xor_loss.png", out / "xor_graph.svg"]
    xor.main(["--method", "both", "--seed", "0", "--plot", str(written[0]), "--graph", str(written[1]), "--quiet"])
    if not args.skip_moons:
        written.append(out / "moons.png")
        moons.main(["--seed", "0", "--plot", str(written[-1]), "--quiet"])
    written.append(out / "why_backprop.png")
    why_backprop.main(["--seed", "0", "--plot", str(written[-1]), "--quiet"])
    written += [out / "vanishing.png", out / "vanishing_graph.svg"]
    vanishing.main(["--seed", "0", "--plot", str(written[-2]), "--graph", str(written[-1]), "--quiet"])
    written.append(out / "topo_graph.svg")
    topo.main(["--graph", str(written[-1])])
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path}")
