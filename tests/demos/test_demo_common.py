"""What the demos share: the parser, output checks, the one-line failure wrapper, quiet progress bars, writers."""

from __future__ import annotations

import argparse
import errno
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd import GraphTooLargeError, GraphvizNotFoundError
from autograd.files import FileWriteError
from demos._common import (
    GRAPH_SUFFIXES,
    IMAGE_SUFFIXES,
    DemoError,
    DemoParser,
    count,
    echo,
    number,
    progress,
    pyplot,
    run,
    save_figure,
    save_json,
)

DEMOS = ["demos.xor", "demos.moons", "demos.why_backprop", "demos.vanishing", "demos.topo", "demos.explore"]


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


# ------------------------------------------------------------------ parser
def parser_with_outputs() -> DemoParser:
    parser = DemoParser("python -m demos.example", "An example.")
    parser.add_argument("--epochs", type=count(1), default=5)
    parser.add_argument("--lr", type=number(above=0), default=1.0)
    parser.add_argument("--noise", type=number(at_least=0), default=0.0)
    parser.add_output("--plot", "example.png", IMAGE_SUFFIXES, "draw", optional=True)
    parser.add_output(
        "--graph", "example.svg", GRAPH_SUFFIXES, "graph", unless="no_graph", needs_dot=(".svg", ".png", ".pdf")
    )
    parser.add_argument("--no-graph", action="store_true")
    parser.add_output("--json", "example.json", (), "summary", optional=True)
    return parser


def test_outputs_default_under_out_and_may_be_left_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = parser_with_outputs().parse_args([])
    assert (args.plot, args.graph, args.json) == (None, "out/example.svg", None)
    args = parser_with_outputs().parse_args(["--plot", "--json", "--graph", "g.dot"])
    assert (args.plot, args.graph, args.json) == ("out/example.png", "g.dot", "out/example.json")
    assert parser_with_outputs().parse_args(["--json", "summary.txt"]).json == "summary.txt"  # any name for --json
    assert not (tmp_path / "out").exists()  # checking writes nothing


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--epochs", "0"], "argument --epochs: must be an integer >= 1, got '0' (try --help)"),
        (["--epochs", "x"], "argument --epochs: must be an integer >= 1, got 'x'"),
        (["--lr", "0"], "argument --lr: must be a finite number > 0, got '0'"),
        (["--lr", "nan"], "argument --lr: must be a finite number > 0, got 'nan'"),
        (["--lr", "inf"], "argument --lr: must be a finite number > 0, got 'inf'"),
        (["--noise", "-0.1"], "argument --noise: must be a finite number >= 0, got '-0.1'"),
        (["--plot", "a.gif"], "--plot 'a.gif': the file name must end in one of .png, .svg, .pdf (that picks the"),
        (["--plot", "folder"], "--plot: cannot write 'folder': it is a folder; give the path of a file in it"),
        (["--plot", "folder/"], "--plot: cannot write 'folder/': it ends in a slash"),
        (["--graph", "notes.txt/g.svg"], "--graph: cannot write 'notes.txt/g.svg': 'notes.txt' is a file, not a"),
        (["--json", "folder"], "--json: cannot write 'folder': it is a folder"),
        (["--unknown"], "unrecognized arguments: --unknown"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("notes")
    with pytest.raises(SystemExit) as exc:
        parser_with_outputs().parse_args(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("python -m demos.example: error: ")
    assert message in err
    assert sorted(os.listdir(tmp_path)) == ["folder", "notes.txt"] and os.listdir(tmp_path / "folder") == []


def test_a_picture_that_needs_dot_is_refused_before_any_work_when_dot_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    with pytest.raises(
        GraphvizNotFoundError,
        match=r"--graph 'out/example.svg' is drawn by the Graphviz `dot` "
        r"program, which is not on PATH\. Install Graphviz",
    ):
        parser_with_outputs().parse_args([])
    assert parser_with_outputs().parse_args(["--graph", "g.dot"]).graph == "g.dot"  # source needs no program
    assert parser_with_outputs().parse_args(["--no-graph"]).no_graph  # no picture, no check


def test_the_demos_take_their_init_names_from_nn():
    from demos import vanishing, xor

    for demo in (xor, vanishing):
        with pytest.raises(SystemExit):
            demo._parse(["--help"])
    for name in nn.INITS:
        assert xor._parse(["--init", name, "--epochs", "1"]).init == name
        assert vanishing._parse(["--init", name, "--no-pictures"]).init == name


# ----------------------------------------------------------------- run()
def command(error: BaseException | None, code: int = 0):
    def main() -> int:
        if error is not None:
            raise error
        print("done")
        return code

    return main


@pytest.mark.parametrize(
    "error, code, line",
    [
        (None, 0, None),
        (KeyboardInterrupt(), 130, "interrupted (Ctrl-C); no file was left half-written: run it again for the outputs"),
        (
            FileWriteError("save_json", "out/x.json", "the disk is full; free some space", errno.ENOSPC),
            1,
            "error: cannot write 'out/x.json': the disk is full; free some space",
        ),
        (
            GraphvizNotFoundError("save_graph: writing 'g.svg' needs the Graphviz `dot` program"),
            1,
            "error: save_graph: writing 'g.svg' needs the Graphviz `dot` program",
        ),
        (GraphTooLargeError("draw_graph: the graph has 900 Values"), 1, "error: draw_graph: the graph has 900 Values"),
        (
            DemoError("matplotlib is not installed:\npip install it"),
            1,
            "error: matplotlib is not installed: pip install it",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied", "x.txt"),
            1,
            "error: [Errno 13] Permission denied: 'x.txt'",
        ),
    ],
)
def test_run_turns_ordinary_failures_into_one_line_and_an_exit_code(error, code, line, capsys):
    with pytest.raises(SystemExit) as exc:
        run(command(error))
    assert exc.value.code == code
    err = capsys.readouterr().err
    if line is None:
        assert err == ""
    else:
        assert err == f"python -m {__name__}: {line}\n"


def test_run_passes_on_the_exit_code_and_lets_bugs_show_their_traceback(capsys):
    with pytest.raises(SystemExit) as exc:
        run(command(None, code=3))
    assert exc.value.code == 3
    with pytest.raises(ZeroDivisionError):
        run(command(ZeroDivisionError("a bug")))


def test_save_json_and_save_figure_replace_whole_or_not_at_all(tmp_path, monkeypatch):
    plt = pyplot()
    (tmp_path / "a.json").write_text("old json")
    (tmp_path / "p.svg").write_text("old svg")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(FileWriteError, match=r"save_json: cannot write '.*a.json': the disk is full"):
        save_json({"a": 1}, tmp_path / "a.json")
    fig, _ = plt.subplots()
    with pytest.raises(FileWriteError, match=r"save_figure: cannot write '.*p.svg': the disk is full"):
        save_figure(fig, tmp_path / "p.svg")
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["a.json", "p.svg"]
    assert (tmp_path / "a.json").read_text() == "old json" and (tmp_path / "p.svg").read_text() == "old svg"
    assert not plt.get_fignums()  # the figure was closed all the same
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert save_figure(fig, tmp_path / "P.SVG").read_text().rstrip().endswith("</svg>")  # the suffix picks SVG


def test_importing_a_demo_runs_nothing(tmp_path):
    # a fresh interpreter, so that each module really runs its top level (a reload here would swap the classes
    # other tests hold, such as ExpressionError)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", "import " + ", ".join(DEMOS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(root)),
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_has_usage_and_a_main(name):
    module = importlib.import_module(name)
    assert callable(module.main)
    assert "Usage" in module.__doc__ and "python -m " + name in module.__doc__
    assert 'if __name__ == "__main__":\n    run(main)\n' in Path(module.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", DEMOS)
def test_every_demo_takes_quiet_and_every_flag_does_something(name, capsys):
    with pytest.raises(SystemExit):
        importlib.import_module(name).main(["--help"])
    text = capsys.readouterr().out
    assert "--quiet" in text
    assert "accepted like every demo" not in text  # no flag that is there only for show


def test_argparse_is_not_needed_by_the_demos_themselves():
    # every demo parses through DemoParser (one-line errors, shared flags), none builds its own ArgumentParser
    for name in DEMOS:
        source = importlib.import_module(name).__file__
        assert "argparse.ArgumentParser(" not in Path(source).read_text(encoding="utf-8"), name
    assert issubclass(DemoParser, argparse.ArgumentParser)
