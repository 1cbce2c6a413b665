"""Checks that a file the demos wrote is a real picture of the kind its suffix names."""

from __future__ import annotations

import json
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_image(path: str | Path) -> None:
    """``path`` exists and its bytes are a PNG, an SVG, a PDF or DOT source, as its suffix says."""
    p = Path(path)
    assert p.is_file(), f"{p} was not written"
    data = p.read_bytes()
    suffix = p.suffix.lower()
    if suffix == ".png":
        assert data.startswith(PNG_SIGNATURE), f"{p} is not a PNG"
        assert len(data) > 1000, f"{p} is suspiciously small ({len(data)} bytes)"
    elif suffix == ".svg":
        text = data.decode("utf-8")
        assert "<svg" in text and text.rstrip().endswith("</svg>"), f"{p} is not an SVG"
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF-"), f"{p} is not a PDF"
    elif suffix in (".dot", ".gv"):
        text = data.decode("utf-8")
        assert text.lstrip().startswith("digraph") and "->" in text, f"{p} is not DOT source"
    else:
        raise AssertionError(f"unexpected suffix {suffix!r}")


def read_json(path: str | Path) -> object:
    return json.loads(Path(path).read_text())
