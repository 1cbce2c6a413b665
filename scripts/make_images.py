"""Regenerate every picture the README shows, into docs/images/: ``make images``.

Usage: python scripts/make_images.py

Runs ``main()`` of each script in scripts/images/ in turn, in name order
(demo_images.py, explorer.py, graph.py), each with its defaults.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run every image script; print each file written."""
    parser = argparse.ArgumentParser(prog="python scripts/make_images.py", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))  # the repository root, for `import demos`
    for script in sorted((HERE / "images").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"images_{script.stem}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {script.relative_to(HERE.parent)}", flush=True)
        for path in module.main([]) or []:
            print(f"   wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
