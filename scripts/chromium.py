"""The system's Chromium for Playwright to drive headless: one finder for the image scripts and the tests.

Not a script: ``scripts/images/explorer.py`` and ``tests/autograd/test_explorer_browser.py``
import it (each puts this folder on ``sys.path``). Playwright is given this
executable, so it never downloads a browser of its own.
"""

from __future__ import annotations

import os
import shutil

__all__ = ["LAUNCH_ARGS", "INSTALL_HINT", "find_chromium"]

# headless, no sandbox (root in containers), nothing that reaches the network on its own
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: sudo apt-get install chromium; `make test` and `make images` do it "
    "when run as root) or set GRADTRACE_CHROMIUM=/path/to/chromium"
)
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """$GRADTRACE_CHROMIUM if set, else the first of :data:`NAMES` on PATH, else None.

    For example ``playwright.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)``.
    """
    configured = os.environ.get("GRADTRACE_CHROMIUM")
    if configured:
        return configured
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None
