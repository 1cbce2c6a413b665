"""Each demo as a command, in a subprocess: exit codes, one line on stderr, and no half-written or lost file.

Faults are real where the machine allows it: a file-size limit (RLIMIT_FSIZE,
which stops root too, unlike a read-only folder), a PATH without Graphviz's
``dot``, SIGINT sent mid-run, a pipe closed by its reader. Tests run as root in
CI, so permissions are not used to make a folder unwritable.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import demos._common as common

from demo_files import assert_image, read_json

ROOT = Path(__file__).resolve().parents[2]

# Quick settings of each demo, and the outputs each one writes with them.
FAST = {
    "demos.xor": ["--epochs", "3", "--quiet"],
    "demos.moons": ["--samples", "10", "--steps", "1", "--hidden", "2", "--grid", "5", "--quiet"],
    "demos.why_backprop": ["--widths", "1", "--repeat", "1", "--no-plot", "--quiet"],
    "demos.vanishing": ["--depth", "1", "--width", "1", "--samples", "1", "--graph-depth", "1", "--quiet"],
    "demos.topo": ["--depth", "1", "--quiet"],
    "demos.explore": ["a*2", "a=1", "--quiet"],
}
OUTPUT = {  # one output flag of each demo, with a file name of its kind
    "demos.xor": ("--json", "xor.json"),
    "demos.moons": ("--plot", "moons.png"),
    "demos.why_backprop": ("--json", "why.json"),
    "demos.vanishing": ("--graph", "chain.svg"),
    "demos.topo": ("--graph", "topo.dot"),
    "demos.explore": ("--out", "page.html"),
}
ALL_OUTPUTS = [  # every output flag of every demo
    ("demos.xor", "--json", "x.json"),
    ("demos.xor", "--plot", "x.png"),
    ("demos.xor", "--graph", "x.svg"),
    ("demos.moons", "--plot", "m.pdf"),
    ("demos.why_backprop", "--plot", "w.svg"),
    ("demos.why_backprop", "--json", "w.json"),
    ("demos.vanishing", "--plot", "v.png"),
    ("demos.vanishing", "--graph", "v.dot"),
    ("demos.topo", "--graph", "t.png"),
    ("demos.explore", "--out", "e.html"),
]


def fast_argv(demo: str, flag: str | None = None, path: str | Path | None = None) -> list[str]:
    argv = [a for a in FAST[demo] if not (a == "--no-plot" and flag == "--plot")]
    return argv + ([flag, str(path)] if flag is not None else [])


def cli(
    demo: str,
    argv: list[str],
    cwd: Path,
    *,
    path_env: str | None = None,
    file_limit: int | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess:
    """``python -m demo argv`` in ``cwd``; ``path_env`` replaces PATH, ``file_limit`` sets RLIMIT_FSIZE (bytes)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if path_env is not None:
        env["PATH"] = path_env

    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    return subprocess.run(
        [sys.executable, "-m", demo, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


def one_line(stderr: str) -> str:
    """The one line a failed command printed on stderr (and never a traceback)."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def listing(folder: Path) -> dict[str, bytes | str]:
    """Every file under ``folder``, hidden ones too, with its bytes: what a failed run must leave as it was."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else "<dir>" for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module", autouse=True)
def matplotlib_cache_ready():
    """Let matplotlib build its font cache here, not inside a child under a file-size limit (it would warn)."""
    common.pyplot()


@pytest.mark.parametrize("demo", list(FAST))
def test_each_demo_succeeds_quietly_with_exit_0(demo, tmp_path):
    flag, name = OUTPUT[demo]
    done = cli(demo, fast_argv(demo, flag, name), tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    written = tmp_path / name
    if name.endswith(".json"):
        assert read_json(written)
    elif name.endswith(".html"):
        assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    else:
        assert_image(written)
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary file left


@pytest.mark.parametrize("demo, flag, name", ALL_OUTPUTS)
@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_an_output_that_cannot_be_a_file_is_a_usage_error_before_any_work(
    demo, flag, name, where, tmp_path, monkeypatch, capsys
):
    # in-process for speed: the same main() the command runs; the subprocess test below checks one of each
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("notes")
    (tmp_path / name).mkdir()
    (tmp_path / name / "keep.txt").write_text("kept")
    path = f"notes.txt/{name}" if where == "under a file" else name
    before = listing(tmp_path)
    module = __import__(demo, fromlist=["main"])
    with pytest.raises(SystemExit) as exc:
        module.main(fast_argv(demo, flag, path))
    assert exc.value.code == 2
    line = one_line(capsys.readouterr().err)
    reason = "'notes.txt' is a file, not a folder" if where == "under a file" else "it is a folder"
    assert line.startswith(f"python -m {demo}: error: {flag}: cannot write {path!r}: {reason}")
    assert listing(tmp_path) == before


@pytest.mark.parametrize("demo", list(FAST))
def test_a_folder_as_the_output_is_one_line_and_exit_2(demo, tmp_path):
    flag, name = OUTPUT[demo]
    (tmp_path / name).mkdir()
    before = listing(tmp_path)
    done = cli(demo, fast_argv(demo, flag, name), tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert (
        one_line(done.stderr) == f"python -m {demo}: error: {flag}: cannot write {name!r}: it is a folder; "
        "give the path of a file in it"
    )
    assert listing(tmp_path) == before


@pytest.mark.parametrize("demo", list(FAST))
def test_a_file_size_limit_is_one_line_exit_1_and_the_old_file_stays(demo, tmp_path):
    # RLIMIT_FSIZE makes every write past 100 bytes fail with EFBIG (Python ignores SIGXFSZ): a disk that is
    # too small, which stops root as much as anyone.
    flag, name = OUTPUT[demo]
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / name).write_text("old")
    before = listing(tmp_path)
    done = cli(demo, fast_argv(demo, flag, f"results/{name}"), tmp_path, file_limit=100)
    assert done.returncode == 1, done.stderr
    line = one_line(done.stderr)
    assert line.startswith(f"python -m {demo}: error: cannot write '")  # the first file it writes
    assert "the file is larger than this system allows (a file-size limit: see `ulimit -f`)" in line
    assert listing(tmp_path) == before  # the old file, no temporary file, no out/ folder


@pytest.mark.parametrize(
    "demo, argv",
    [
        ("demos.xor", ["--graph", "g.svg"]),
        ("demos.vanishing", []),  # draws its graph by default
        ("demos.topo", ["--graph", "t.pdf"]),
        ("demos.explore", []),
    ],
)
def test_without_dot_a_picture_is_one_line_and_exit_1_before_any_work(demo, argv, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    before = listing(tmp_path)
    done = cli(demo, FAST[demo] + argv, tmp_path, path_env=str(empty))
    assert done.returncode == 1 and done.stdout == ""  # nothing was trained or printed
    line = one_line(done.stderr)
    assert line.startswith(f"python -m {demo}: error: ") and "is drawn by the Graphviz `dot` program" in line
    assert "sudo apt-get install graphviz" in line
    assert listing(tmp_path) == before


def test_without_dot_a_dot_source_graph_still_works(tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    done = cli("demos.xor", fast_argv("demos.xor", "--graph", "g.dot"), tmp_path, path_env=str(empty))
    assert (done.returncode, done.stderr) == (0, "")
    assert_image(tmp_path / "g.dot")


def test_explore_refuses_a_graph_too_large_in_one_line(tmp_path):
    expression = "a" + "*a" * 600
    done = cli("demos.explore", [expression, "a=1.0001"], tmp_path)
    assert done.returncode == 1
    assert one_line(done.stderr) == (
        "python -m demos.explore: error: the graph has 601 Values, more than --max-nodes 500: `dot` may take minutes "
        "to draw it; give --max-nodes 601 to draw it anyway, or a smaller expression"
    )
    assert listing(tmp_path) == {}


def test_a_reader_that_goes_away_ends_the_demo_quietly(tmp_path):
    # `python -m demos.topo | head -0`: the pipe closes before the demo writes to it
    process = subprocess.Popen(
        [sys.executable, "-m", "demos.topo", "--no-graph"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert stderr == ""


# ------------------------------------------------------------------ Ctrl-C
# The child imports everything first and says so; SIGINT then lands in the demo's own work, through the very
# `if __name__ == "__main__": run(main)` that `python -m` runs.
INTERRUPTIBLE = textwrap.dedent("""
    import runpy, signal, sys
    # a shell starts background jobs with Ctrl-C ignored, and the child would inherit that: ask for Python's own
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import autograd, demos._common, nn  # what the demo imports, so that it starts at once
    demos._common.pyplot()
    sys.argv = [{demo!r}] + sys.argv[1:]
    print("ready", flush=True)
    runpy.run_module({demo!r}, run_name="__main__", alter_sys=True)
""")
LONG = {  # settings that keep each demo busy for far longer than the test waits
    "demos.xor": ["--method", "numerical", "--epochs", "10000000"],
    "demos.moons": ["--steps", "1000000", "--quiet"],
    "demos.why_backprop": ["--widths", "200", "400", "--no-plot"],
    "demos.vanishing": ["--depth", "400", "--width", "40", "--samples", "400", "--no-pictures"],
}


@pytest.mark.parametrize("demo", list(LONG))
def test_ctrl_c_is_one_line_exit_130_and_the_old_output_stays(demo, tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}')
    before = listing(tmp_path)
    argv = LONG[demo] + (["--json", str(out / "summary.json")] if demo in ("demos.xor", "demos.why_backprop") else [])
    process = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTIBLE.format(demo=demo), *argv],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "ready\n"
        time.sleep(1.0)  # well inside main() by now (not a timing assertion: only a wait before the signal)
        assert process.poll() is None, "the demo ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert one_line(stderr) == (
        f"python -m {demo}: interrupted (Ctrl-C); no file was left half-written: run it again for the outputs"
    )
    assert listing(tmp_path) == before


@pytest.mark.parametrize("demo", list(FAST))
def test_ctrl_c_while_a_file_is_written_leaves_the_old_one(demo, tmp_path, monkeypatch, capsys):
    # Ctrl-C at the moment of the rename, in-process: the writer removes its temporary file, run() says so.
    flag, name = OUTPUT[demo]
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("old")
    before = listing(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    module = __import__(demo, fromlist=["main"])
    monkeypatch.setattr(sys, "argv", [demo, *fast_argv(demo, flag, name)])
    with pytest.raises(SystemExit) as exc:
        common.run(module.main)
    monkeypatch.undo()
    assert exc.value.code == 130
    assert one_line(capsys.readouterr().err).startswith(f"python -m {demo}: interrupted (Ctrl-C)")
    assert listing(tmp_path) == before


def test_dot_is_really_there_for_these_tests():
    assert shutil.which("dot"), "the Graphviz `dot` program is set up by `make setup`"
