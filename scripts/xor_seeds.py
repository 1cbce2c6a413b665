"""How often the XOR demo's defaults learn XOR: every method over many seeds, with the time of each run.

Usage::

    python scripts/xor_seeds.py                      # seeds 0..19, backprop and numerical, the defaults
    python scripts/xor_seeds.py --seeds 100 --lr 3 --activation tanh    # any xor option, over 100 seeds
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from demos.xor import DEFAULTS, make_model, train


def main(argv: Sequence[str] | None = None) -> int:
    """Train seeds 0..N-1 by each method; print how many learned XOR and the slowest run."""
    parser = argparse.ArgumentParser(prog="python scripts/xor_seeds.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--methods", nargs="+", default=["backprop", "numerical"], choices=["backprop", "numerical"])
    for name in ("epochs",):
        parser.add_argument(f"--{name}", type=int, default=DEFAULTS[name])
    for name in ("lr", "eps"):
        parser.add_argument(f"--{name}", type=float, default=DEFAULTS[name])
    for name in ("init", "activation", "loss"):
        parser.add_argument(f"--{name}", default=DEFAULTS[name])
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    print(
        f"activation {args.activation}, loss {args.loss}, init {args.init}, lr {args.lr:g}, "
        f"epochs {args.epochs}, eps {args.eps:g}; seeds 0..{args.seeds - 1}"
    )
    for method in args.methods:
        failed, times = [], []
        for seed in range(args.seeds):
            run = train(
                make_model(seed, args.init, args.activation),
                method,
                epochs=args.epochs,
                lr=args.lr,
                eps=args.eps,
                loss=args.loss,
            )
            times.append(run.seconds)
            if not run.learned:
                failed.append(seed)
        print(
            f"{method:>9}: learned {args.seeds - len(failed)}/{args.seeds}, "
            f"seconds per run mean {sum(times) / len(times):.2f} max {max(times):.2f}; failed seeds {failed}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
