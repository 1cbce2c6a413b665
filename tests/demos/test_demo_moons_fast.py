"""``python -m demos.moons --fast``: the same training as without it, replayed from a tape, in well under a second."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from demos.moons import main


def lines_without_times(out: str) -> list[str]:
    return [re.sub(r", [\d.]+ s$", "", line) for line in out.splitlines()]


@pytest.mark.parametrize("extra", [[], ["--batch-size", "8"]])
def test_fast_prints_the_same_losses_and_accuracies(capsys, extra):
    argv = ["--samples", "24", "--steps", "12", "--hidden", "6", "--seed", "2", *extra]
    assert main(argv) == 0
    plain = lines_without_times(capsys.readouterr().out)
    assert main([*argv, "--fast"]) == 0
    fast = lines_without_times(capsys.readouterr().out)
    assert fast == plain
    assert any(line.startswith("final loss") for line in fast) and any(line.startswith("step") for line in fast)


def test_the_full_demo_with_fast_finishes_quickly():
    # micrograd's setup: 100 points, 2-16-16-1, 100 steps (about 16 s without --fast); the timeout
    # is generous for a shared machine: the training itself takes a fraction of a second
    out = subprocess.run(
        [sys.executable, "-m", "demos.moons", "--fast", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = re.search(r"final loss (\d+\.\d+), accuracy (\d+)% \(\d+/100\), ([\d.]+) s", out)
    assert found and int(found.group(2)) == 100
