"""Shared pytest setup: hypothesis profiles that suit a shared, noisy machine; scripts/ importable."""

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# scripts/chromium.py finds the browser for both the README's screenshot script and the browser tests
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
# HYPOTHESIS_PROFILE=ci picks the reproducible profile outside CI too (`make mutation` does)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))
