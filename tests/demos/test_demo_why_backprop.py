"""``python -m demos.why_backprop``: backprop and nudging agree; nudging needs 2 forward passes per parameter."""

from __future__ import annotations

import pytest

from demos.why_backprop import compare, main

from demo_files import assert_image, read_json


@pytest.mark.parametrize("width, depth, nin", [(1, 1, 1), (3, 2, 2), (5, 3, 4)])
def test_the_two_gradients_agree_and_the_passes_are_counted(width, depth, nin):
    c = compare(width, depth, nin=nin, seed=7, repeat=1)
    expected = (nin + 1) * width + (depth - 1) * (width + 1) * width + (width + 1)
    assert c.params == expected
    assert c.forward_passes_backprop == 1
    assert c.forward_passes_numerical == 2 * expected  # central differences: f(p + eps) and f(p - eps)
    assert c.max_difference < 1e-7
    assert c.seconds_backprop > 0 and c.seconds_numerical > 0


def test_main_prints_the_table_and_writes_plot_and_json(tmp_path, capsys):
    plot, table = tmp_path / "why.png", tmp_path / "why.json"
    assert main(["--widths", "3", "2", "--depth", "2", "--plot", str(plot), "--json", str(table), "--quiet"]) == 0
    rows = read_json(table)
    assert [r["width"] for r in rows] == [2, 3]  # sorted
    assert [r["params"] for r in rows] == [15, 25]  # 2*W+W + W*W+W + W+1
    assert all(r["forward_passes_numerical"] == 2 * r["params"] for r in rows)
    assert all(r["max_difference"] < 1e-7 for r in rows)
    out = capsys.readouterr().out
    assert "max difference between the two gradients over all sizes" in out
    assert_image(plot)


def test_no_plot_and_svg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--widths", "1", "--no-plot", "--quiet"]) == 0
    assert not (tmp_path / "out").exists()
    assert main(["--widths", "1", "2", "--plot", "w.svg", "--quiet"]) == 0
    assert_image(tmp_path / "w.svg")


@pytest.mark.parametrize(
    "argv",
    [["--widths", "0"], ["--depth", "0"], ["--nin", "0"], ["--repeat", "0"], ["--eps", "0"], ["--plot", "a.bmp"]],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
