"""What the demos share: quiet progress bars, output folders, suffix checks; and nothing runs at import."""

from __future__ import annotations

import argparse
import importlib
import io
import sys

import pytest

from demos._common import check_positive, check_suffix, echo, output_path, progress

DEMOS = ["demos.xor", "demos.moons", "demos.why_backprop", "demos.vanishing", "demos.topo"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_quiet_in_pipes_and_with_quiet(monkeypatch):
    items = [1, 2, 3]
    assert progress(items) is items  # pytest captures output: not a terminal
    monkeypatch.setattr(sys, "stdout", _Tty())
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert progress(items, quiet=True) is items
    bar = progress(items, total=3, desc="x")  # a terminal: a tqdm bar
    assert type(bar).__name__ == "tqdm" and list(bar) == items
    assert "x: " in sys.stderr.getvalue()


def test_the_bar_is_quiet_when_only_stderr_is_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", _Tty())
    items = range(3)
    assert progress(items) is items


def test_echo_prints_without_a_bar(capsys):
    echo("hello")
    assert capsys.readouterr().out == "hello\n"


def test_output_path_creates_the_folder(tmp_path):
    p = output_path(tmp_path / "a" / "b" / "c.png")
    assert p.parent.is_dir() and not p.exists()


def test_checks_call_parser_error(capsys):
    parser = argparse.ArgumentParser(prog="demo")
    check_suffix(parser, "--plot", None, (".png",))
    check_suffix(parser, "--plot", "A.PNG", (".png",))
    check_positive(parser, "--lr", 0.0, allow_zero=True)
    with pytest.raises(SystemExit):
        check_suffix(parser, "--plot", "a.gif", (".png", ".svg"))
    assert "--plot 'a.gif': the file name must end in one of .png, .svg" in capsys.readouterr().err
    for bad in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(SystemExit):
            check_positive(parser, "--lr", bad)
    assert "--lr must be a finite number > 0" in capsys.readouterr().err


@pytest.mark.parametrize("name", DEMOS)
def test_importing_a_demo_runs_nothing(name, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.reload(importlib.import_module(name))
    assert capsys.readouterr() == ("", "")
    assert not (tmp_path / "out").exists()
    assert callable(module.main)
    assert "Usage" in module.__doc__ and "python -m " + name in module.__doc__


@pytest.mark.parametrize(
    "name, argv",
    [("demos.xor", ["--epochs", "2", "--graph", "g.svg", "--quiet"]),
     ("demos.vanishing", ["--depth", "2", "--width", "2", "--samples", "2", "--graph", "g.svg", "--quiet"]),
     ("demos.topo", ["--graph", "g.svg"])],
)
def test_without_graphviz_a_graph_picture_is_a_clear_error(name, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    assert importlib.import_module(name).main(argv) == 1
    err = capsys.readouterr().err
    assert "needs the Graphviz `dot` program" in err and "Install Graphviz" in err and ".dot path" in err
    assert not (tmp_path / "g.svg").exists()
