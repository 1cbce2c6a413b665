"""Every script in scripts/ answers ``--help`` with its usage and does nothing else: exit 0, no file written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_SCRIPTS = sorted(
    p for p in (ROOT / "scripts").rglob("*.py") if 'if __name__ == "__main__"' in p.read_text()
)
SKIPPED_DIRS = {".git", ".venv", ".hypothesis", ".pytest_cache", "__pycache__", "mutants"}  # tools' own


def snapshot(root: Path) -> dict[str, int]:
    """Every file under ``root`` (but caches and the virtual environment) with its modification time."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = path.stat().st_mtime_ns
    return found


def run_help(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # so any new file would be the script's own
    return subprocess.run(command + ["--help"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_every_script_is_covered():
    names = {p.relative_to(ROOT).as_posix() for p in PYTHON_SCRIPTS}
    assert names == {"scripts/make_images.py", "scripts/mutation_score.py", "scripts/xor_seeds.py",
                     "scripts/images/demo_images.py",
                     "scripts/images/explorer.py", "scripts/images/graph.py"}


@pytest.mark.parametrize("script", PYTHON_SCRIPTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_python_script_help_prints_usage_and_writes_nothing(script, tmp_path):
    before = snapshot(ROOT)
    done = run_help([sys.executable, str(script)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python {script.relative_to(ROOT).as_posix()} [-h]"), done.stdout
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []
    assert snapshot(ROOT) == before


def test_shell_script_help_prints_usage_and_writes_nothing(tmp_path):
    before = snapshot(ROOT)
    done = run_help(["bash", str(ROOT / "scripts" / "ensure-system-deps.sh")], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: bash scripts/ensure-system-deps.sh [--browser]")
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []
    assert snapshot(ROOT) == before


def test_an_unknown_option_is_an_error(tmp_path):
    command = [sys.executable, str(ROOT / "scripts" / "make_images.py"), "--all"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unrecognized arguments: --all" in done.stderr
    assert list(tmp_path.iterdir()) == []
