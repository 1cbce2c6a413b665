"""The drawing functions' argument errors: each names the function the user called, the value and the fix."""

from __future__ import annotations

import re

import pytest

from autograd import GraphTooLargeError, Value, draw_graph, save_explorer, save_graph, save_graph_steps


def test_a_root_that_is_not_a_value_is_named_with_its_type(tmp_path):
    calls = [("draw_graph", lambda: draw_graph("x")), ("save_graph_steps", lambda: save_graph_steps("x", tmp_path))]
    for who, call in calls:
        with pytest.raises(TypeError) as info:
            call()
        assert str(info.value) == f"{who}: expected a Value as root, got 'x' of type str"
    assert list(tmp_path.iterdir()) == []


def test_a_title_that_is_not_a_str_is_named(tmp_path):
    with pytest.raises(TypeError, match=r"^save_explorer: title must be a str, got int$"):
        save_explorer(Value(1.0), tmp_path / "page.html", title=3)


def test_an_unknown_suffix_names_the_path(tmp_path):
    path = tmp_path / "graph.xyz"
    with pytest.raises(ValueError) as info:
        save_graph(Value(1.0), path)
    assert str(info.value).startswith(f"save_graph: cannot tell the format of {str(path)!r} from its suffix '.xyz'")


def test_decimals_run_from_0_to_17():
    v = Value(1.0)
    for decimals in (0, 17):
        draw_graph(v, decimals=decimals)
    for bad in (-1, 18, True, 2.0):
        message = rf"^draw_graph: decimals must be an int from 0 to 17, got {re.escape(repr(bad))}$"
        with pytest.raises(ValueError, match=message):
            draw_graph(v, decimals=bad)


@pytest.mark.parametrize("who", ["draw_graph", "save_explorer"])
def test_max_nodes_errors_name_the_function_called(who, tmp_path):
    v = Value(2.0)
    if who == "draw_graph":
        draw = draw_graph
    else:

        def draw(root, **options):
            return save_explorer(root, tmp_path / "page.html", **options)

    draw(v, max_nodes=1)  # one Value: exactly at the limit
    for bad in (0, True, 1.5):
        with pytest.raises(ValueError, match=rf"^{who}: max_nodes must be a positive int or None, got {bad!r}$"):
            draw(v, max_nodes=bad)
    with pytest.raises(GraphTooLargeError) as info:
        draw(v * v, max_nodes=1)
    assert str(info.value) == (
        f"{who}: the graph has 2 Values, more than max_nodes=1; `dot` may take minutes on it. "
        "Draw a smaller part of the computation, pass max_nodes=2 (or max_nodes=None) to draw it anyway."
    )


def test_save_graph_steps_sets_grads_highlight_and_title_itself(tmp_path):
    for option in ("grads", "highlight", "title"):
        with pytest.raises(TypeError, match=rf"^save_graph_steps: {option} is set for each step; do not pass it$"):
            save_graph_steps(Value(1.0), tmp_path, **{option: None})
    with pytest.raises(TypeError, match=r"^save_graph_steps: grads, title is set for each step"):
        save_graph_steps(Value(1.0), tmp_path, title="t", grads=[])
    assert list(tmp_path.iterdir()) == []


def test_legend_title_and_max_nodes_errors_in_full():
    v = Value(1.0)
    with pytest.raises(TypeError) as info:
        draw_graph(v, legend="yes")
    assert str(info.value) == "draw_graph: legend must be True, False or None (automatic), got 'yes'"
    with pytest.raises(TypeError) as info:
        draw_graph(v, title=3)
    assert str(info.value) == "draw_graph: title must be a str, got 3 of type int"
    with pytest.raises(ValueError) as info:  # checked before anything compares it with a size
        draw_graph(v * v, max_nodes="5")
    assert str(info.value) == "draw_graph: max_nodes must be a positive int or None, got '5'"
