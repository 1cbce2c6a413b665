"""Limits of drawing: much-used Values lay out in seconds, `dot` is bounded in time and dies with its caller,
odd labels draw, and every `dot` failure is our own error. These run the real `dot` (and read /proc: Linux)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd import GraphvizError, GraphvizTimeoutError, Value, draw_graph, group, palette, save_graph
from autograd import topological_order
from autograd.dot import run_dot
from autograd.render import MAX_LABEL

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
MARKER = "GRADTRACE_TEST_MARKER"


def shared_input_graph(kind: str, n: int) -> Value:
    """Graphs whose Values are used by ops far apart, which `dot` once took minutes on."""
    if kind == "sum":  # one leaf added again and again: n Values
        a = Value(1.0, label="a")
        y = a
        for _ in range(n - 1):
            y = y + a
        return y
    if kind == "rnn":  # h = (h*w + b).tanh(): w and b used at every step; 3 Values a step
        w, b, h = Value(0.5, label="w"), Value(0.1, label="b"), Value(0.3, label="h0")
        for _ in range((n - 3) // 3):
            h = (h * w + b).tanh()
        return h
    if kind == "fan":  # one input read by every term of a long sum (from 0): 3 Values a term
        x = Value(0.7, label="x")
        return sum(x * float(k) for k in range(1, (n - 2) // 3 + 1))  # type: ignore[return-value]
    raise ValueError(kind)


def slow_source(n: int = 300) -> str:
    """DOT text that takes `dot` far longer than a minute: one node with an edge to every node of a long chain."""
    chain = " -> ".join(f"n{i}" for i in range(n))
    return "digraph { rankdir=LR; a; " + chain + "; " + " ".join(f"a -> n{i};" for i in range(n)) + " }"


def dots_with(marker: str) -> list[int]:
    """Process ids of the `dot` programs whose environment holds this test's marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv0 = (entry / "cmdline").read_bytes().split(b"\0")[0]
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:  # gone meanwhile, or not ours
            continue
        if os.path.basename(argv0) == b"dot" and f"{MARKER}={marker}".encode() in environ:
            found.append(int(entry.name))
    return found


def wait_until(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("kind, n", [("sum", 80), ("sum", 100), ("sum", 500), ("rnn", 100), ("rnn", 500),
                                     ("fan", 250), ("fan", 500)])
def test_shared_inputs_render_in_seconds(tmp_path, kind, n):
    # 80 Values of `y = y + a` took dot 108 s when a was drawn once; 100 took over 10 minutes
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.autograd.test_render_limits import shared_input_graph
        from autograd import save_graph, topological_order
        y = shared_input_graph({kind!r}, {n})
        y.backward()
        assert len(topological_order(y)) <= {n}
        save_graph(y, {str(tmp_path / "g.png")!r})
        save_graph(y, {str(tmp_path / "g.svg")!r})
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    y = shared_input_graph(kind, n)
    y.backward()
    order = topological_order(y)
    tree = ET.parse(tmp_path / "g.svg")
    ids = [g.get("id") for g in tree.iter(f"{SVG}g")]
    # every Value and every edge of the graph is drawn, each edge once, under its id
    expected = {f"v{i}" for i in range(len(order))} | {f"op{i}" for i, v in enumerate(order) if v.parents}
    expected |= {f"e{i}_{k}" for i, v in enumerate(order) for k in range(len(v.parents))}
    expected |= {f"o{i}" for i, v in enumerate(order) if v.parents}
    drawn = [i for i in ids if i and i[0] in "voe" and i != "graph0"]
    copies = [i for i in drawn if "_u" in i]
    assert sorted(i for i in drawn if "_u" not in i) == sorted(expected)
    assert copies  # the shared Values are drawn again near their far uses


def test_copies_of_a_much_used_leaf_keep_every_id():
    y = shared_input_graph("sum", 80)
    y.backward()
    order = topological_order(y)
    source = draw_graph(y).source
    lines = source.splitlines()
    leaf = f'color="{palette.ROLE_BORDER["leaf"]}" fillcolor="{palette.ROLE_FILL["leaf"]}"'
    assert [ln for ln in lines if ln.startswith("\tv0 [")] == [f'\tv0 [label="{{a|data 1.0000|grad 80.0000}}" '
                                                               f"{leaf} id=v0 style=filled]"]
    copies = [ln for ln in lines if ln.startswith("\tv0_u") and " -> " not in ln]
    assert len(copies) >= 10
    for n, line in enumerate(copies, 1):
        assert line.startswith(f'\tv0_u{n} [label="{{a|data 1.0000|grad 80.0000}}" class="copy v0" ')
        assert "shape=Mrecord" in line and f"id=v0_u{n} " in line
    for i, v in enumerate(order):
        for k in range(len(v.parents)):
            (edge,) = [ln for ln in lines if ln.endswith(f"-> op{i} [id=e{i}_{k}]")]
            assert edge.startswith(("\tv0 ", "\tv0_u", f"\tv{i - 1} "))
    # each copy serves nearby uses only: at most SPAN ranks, about two additions, from where it stands
    served = [sum(1 for ln in lines if ln.startswith(f"\tv0_u{n} -> ")) for n in range(1, len(copies) + 1)]
    assert max(served) <= 3 and sum(served) + sum(1 for ln in lines if ln.startswith("\tv0 -> ")) == 80


def test_an_unlabelled_much_used_value_is_named_in_all_its_drawings():
    x = Value(2.0)
    y = x
    for _ in range(12):
        y = y * x
    source = draw_graph(y).source
    assert '\tv0 [label="{leaf#0|data 2.0000' in source and '\tv0_u1 [label="{leaf#0|data 2.0000' in source


def test_dot_gets_a_time_limit_and_is_killed_at_it(monkeypatch):
    marker = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, marker)
    with pytest.raises(GraphvizTimeoutError) as info:
        run_dot(slow_source(), "svg", timeout=1, who="save_graph", target="big.svg")
    message = str(info.value)
    for part in ("save_graph: `dot` took longer than 1 s on 'big.svg' and was stopped", "max_nodes",
                 'collapse="neuron"', "timeout=None"):
        assert part in message
    assert isinstance(info.value, GraphvizError) and isinstance(info.value, RuntimeError)
    assert dots_with(marker) == []  # killed and reaped before the error was raised


def test_save_graph_passes_its_time_limit_and_writes_nothing(tmp_path):
    y = shared_input_graph("sum", 10)
    with pytest.raises(GraphvizTimeoutError, match=r"save_graph: `dot` took longer than 1e-06 s on '.*g\.svg'"):
        save_graph(y, tmp_path / "g.svg", timeout=1e-6)  # no dot starts that fast
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="save_graph: timeout must be a positive number of seconds or None, got 0"):
        save_graph(y, tmp_path / "g.svg", timeout=0)
    for bad in (-1, "5", True, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="timeout must be a positive number"):
            run_dot("digraph {}", "svg", timeout=bad)
    assert save_graph(y, tmp_path / "g.svg", timeout=None).read_text(encoding="utf-8").rstrip().endswith("</svg>")


KILL_SCRIPT = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
from tests.autograd.test_render_limits import slow_source
from autograd.dot import run_dot
if {interrupt}:
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    signal.alarm(1)
try:
    run_dot(slow_source(), "svg", timeout=None)
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_while_dot_runs_kills_it():
    marker = uuid.uuid4().hex
    env = dict(os.environ, **{MARKER: marker})
    script = KILL_SCRIPT.format(root=str(ROOT), interrupt=True)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout == "interrupted\n", done.stderr
    assert dots_with(marker) == []


def test_dot_dies_when_python_is_killed_outright():
    # SIGKILL gives Python no chance to clean up: PR_SET_PDEATHSIG makes the kernel kill dot
    marker = uuid.uuid4().hex
    env = dict(os.environ, **{MARKER: marker})
    script = KILL_SCRIPT.format(root=str(ROOT), interrupt=False)
    child = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        assert wait_until(lambda: dots_with(marker), 30), "dot never started"
        (pid,) = dots_with(marker)
        stat = Path(f"/proc/{pid}/stat").read_text()
        assert int(stat[stat.rindex(")") + 2:].split()[1]) == child.pid  # the dot of that Python
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        assert wait_until(lambda: not dots_with(marker), 10), "dot outlived the Python that started it"
    finally:
        if child.poll() is None:
            child.kill()
        for pid in dots_with(marker):  # never leave a stray dot behind, even when failing
            os.kill(pid, signal.SIGKILL)


def test_dot_failures_are_our_error_with_its_message():
    with pytest.raises(GraphvizError, match=r"run_dot: `dot` failed \(exit status 1\): .*syntax error in line 1"):
        run_dot("digraph { a -> }", "svg")
    with pytest.raises(GraphvizError, match='`dot` failed on \'x.nope\' .*Format: "nope" not recognized'):
        run_dot("digraph { a }", "nope", target="x.nope")


@pytest.mark.parametrize(
    "label, shown",
    [
        ("x" * 20_000, "x" * (MAX_LABEL - 1) + "\u2026"),  # dot refuses strings over 16,384 characters
        ("\ud800", "\\ud800"),  # a lone surrogate cannot be written as UTF-8
        ("\uffff and \ufdd0", "\ufffd and \ufffd"),  # noncharacters are not allowed in XML (SVG)
        ("tab\there\x00nul", "tab here\\x00nul"),
        ("{<|>}" * 20, ("{<|>}" * 20)[: MAX_LABEL - 1] + "\u2026"),  # cut before escaping, not inside an escape
        ("\U0001f600 \u05e9\u05dc\u05d5\u05dd", "\U0001f600 \u05e9\u05dc\u05d5\u05dd"),  # emoji and Hebrew
    ],
    ids=["long", "surrogate", "noncharacter", "control", "metacharacters", "emoji"],
)
def test_odd_labels_render(tmp_path, label, shown):
    v = Value(1.5, label=label)
    y = Value.from_op(3.0, (v,), (2.0,), label)  # the same text as an op name
    y.label = "y"
    out = save_graph(y, tmp_path / "odd.svg", title=label)
    tree = ET.parse(out)  # well-formed XML
    texts = {g.get("id"): ["".join(t.itertext()) for t in g.iter(f"{SVG}text")] for g in tree.iter(f"{SVG}g")}
    assert texts["v0"][0].replace("\xa0", " ") == shown
    assert texts["op1"][0].replace("\xa0", " ").startswith(shown[:20].rstrip("\u2026"))
    assert len(texts["op1"][0]) <= 30
    with group(label) as g:  # in a cluster's title and in a collapsed box
        z = g.output(v * 2)
    z.backward()
    for collapse in (None, "neuron"):
        save_graph(z, tmp_path / "grouped.svg", collapse=collapse)
        ET.parse(tmp_path / "grouped.svg")
    assert save_graph(y, tmp_path / "odd.png").read_bytes().startswith(b"\x89PNG")
