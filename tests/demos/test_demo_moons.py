"""``python -m demos.moons``: the two-moons generator, training to high accuracy, the boundary picture."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value
from demos.moons import accuracy, main, make_moons

from demo_files import assert_image


def test_noiseless_points_lie_on_the_two_half_circles():
    inputs, y = make_moons(41, noise=0.0, seed=5)
    assert len(inputs) == 41 and sorted(set(y)) == [-1, 1]
    assert y.count(-1) == 20 and y.count(1) == 21
    for (a, b), label in zip(inputs, y, strict=True):
        if label == -1:  # upper moon: radius 1 around (0, 0), y >= 0
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # lower moon: radius 1 around (1, 0.5), y <= 0.5
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_noise_moves_points_by_about_its_size_and_the_seed_fixes_them():
    clean, _ = make_moons(400, noise=0.0, seed=1)
    noisy, labels = make_moons(400, noise=0.1, seed=1)
    assert make_moons(400, noise=0.1, seed=1) == (noisy, labels)
    assert make_moons(400, noise=0.1, seed=2)[0] != noisy
    # same shuffle for the same seed, so the points pair up; each coordinate moved by N(0, 0.1)
    shifts = [c - n for p, q in zip(clean, noisy, strict=True) for c, n in zip(p, q, strict=True)]
    std = math.sqrt(sum(s * s for s in shifts) / len(shifts))
    assert 0.08 < std < 0.12


@pytest.mark.parametrize("n, noise", [(1, 0.1), (0, 0.1), (10, -0.5), (10, float("nan"))])
def test_bad_sizes_and_noise_are_refused(n, noise):
    with pytest.raises(ValueError, match="make_moons"):
        make_moons(n, noise=noise)


def test_accuracy_counts_the_sign():
    assert accuracy([Value(0.5), -1.0, 2.0, 0.0], [1, -1, -1, -1]) == 0.75


def test_training_separates_the_moons_and_draws_the_boundary(tmp_path, capsys):
    plot = tmp_path / "moons.png"
    argv = ["--samples", "40", "--steps", "30", "--hidden", "8", "--seed", "0", "--plot", str(plot), "--grid", "12"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    first = float(re.search(r"step\s+0 .*loss (\d+\.\d+)", out).group(1))
    final = re.search(r"final loss (\d+\.\d+), accuracy (\d+)% \((\d+)/40\)", out)
    assert float(final.group(1)) < first / 2
    assert int(final.group(2)) >= 90
    assert_image(plot)


def test_minibatches_and_svg(tmp_path, capsys):
    plot = tmp_path / "m.svg"
    assert (
        main(
            [
                "--samples",
                "20",
                "--steps",
                "3",
                "--hidden",
                "4",
                "--batch-size",
                "5",
                "--quiet",
                "--plot",
                str(plot),
                "--grid",
                "5",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert not re.search(r"^step", out, re.MULTILINE)  # --quiet: no per-step lines
    assert "accuracy" in out
    assert_image(plot)


@pytest.mark.parametrize(
    "argv",
    [
        ["--samples", "1"],
        ["--steps", "0"],
        ["--batch-size", "0"],
        ["--samples", "10", "--batch-size", "11"],
        ["--noise", "-1"],
        ["--alpha", "-0.1"],
        ["--hidden", "0"],
        ["--grid", "1"],
        ["--plot", "m.gif"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
