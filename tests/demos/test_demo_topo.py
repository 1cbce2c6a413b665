"""``python -m demos.topo``: the naive recursive backward's wrong gradient against the right one."""

from __future__ import annotations

import re

import pytest

from demos.topo import doubling_chain, main, naive_backward_WRONG, topological_backward

from demo_files import assert_image


def test_the_naive_recursion_gives_6_where_the_answer_is_4():
    # b = a + a, c = b + b = 4a: dc/da = 4. The naive walk from c visits b twice.
    # First visit: b.grad = 1, it pushes 1 to a twice (a.grad = 2). Second visit:
    # b.grad = 2 by now, it pushes 2 to a twice (a.grad = 2 + 4 = 6).
    a, c = doubling_chain(5.0, 2)
    assert c.data == 20.0
    visited = naive_backward_WRONG(c)
    assert a.grad == 6.0
    assert visited == 7  # c, b, a, a, b, a, a


def test_the_topological_order_gives_4_like_backward():
    a, c = doubling_chain(5.0, 2)
    order = topological_backward(c)
    assert [v.label for v in order] == ["c", "b", "a"]
    assert a.grad == 4.0
    b = c.parents[0]
    assert b.grad == 2.0
    a2, c2 = doubling_chain(5.0, 2)
    c2.backward()
    assert a2.grad == 4.0


@pytest.mark.parametrize("depth, naive", [(1, 2.0), (2, 6.0), (3, 26.0), (4, 166.0)])
def test_longer_chains_go_more_wrong(depth, naive):
    # One doubling is right even naively (a is a leaf, nothing is pushed on);
    # from two on, each extra doubling compounds the double counting.
    a, out = doubling_chain(1.0, depth)
    naive_backward_WRONG(out)
    assert a.grad == naive
    a, out = doubling_chain(1.0, depth)
    topological_backward(out)
    assert a.grad == 2.0**depth


def test_main_prints_both_numbers_and_draws_the_graph(tmp_path, capsys):
    graph = tmp_path / "pics" / "topo.svg"
    assert main(["--graph", str(graph), "--depth", "3"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"naive dc/da = 6\b.*WRONG", out)
    assert re.search(r"topological dc/da = 4\b.*right", out)
    assert "c.backward() gives 4" in out
    assert re.search(r"^\s+3\s+8\s+26\s+15\s+4$", out, re.MULTILINE)  # the table's last row
    assert_image(graph)
    svg = graph.read_text()
    assert "grad 4.0000" in svg and "grad 2.0000" in svg  # a's and b's right gradients


def test_main_without_graph_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--no-graph"]) == 0
    assert not (tmp_path / "out").exists()


def test_default_graph_goes_to_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--graph", "out/t.dot"]) == 0
    assert_image(tmp_path / "out" / "t.dot")


@pytest.mark.parametrize("argv", [["--depth", "0"], ["--depth", "99"], ["--graph", "x.txt"], ["--value", "nan"]])
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
