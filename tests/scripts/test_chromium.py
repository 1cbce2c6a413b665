"""scripts/chromium.py: the one finder of the system's Chromium, for the screenshot script and the browser tests."""

from __future__ import annotations

import stat

from chromium import LAUNCH_ARGS, NAMES, find_chromium  # scripts/, on sys.path by tests/conftest.py


def fake_browser(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_environment_variable_wins(tmp_path, monkeypatch):
    fake_browser(tmp_path, "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GRADTRACE_CHROMIUM", "/opt/my-chromium")
    assert find_chromium() == "/opt/my-chromium"


def test_path_is_searched_in_order(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADTRACE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    chrome = fake_browser(tmp_path, "google-chrome")
    assert find_chromium() == str(chrome)
    chromium = fake_browser(tmp_path, "chromium")
    assert find_chromium() == str(chromium)
    assert NAMES.index("chromium") < NAMES.index("google-chrome")


def test_nothing_found_is_none(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADTRACE_CHROMIUM", "")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() is None


def test_the_browser_is_headless_and_offline():
    assert "--headless" in LAUNCH_ARGS and "--disable-background-networking" in LAUNCH_ARGS
