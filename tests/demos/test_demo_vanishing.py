"""``python -m demos.vanishing``: sigmoid gradients vanish toward the input, relu's keep their size."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from demos.vanishing import layer_gradients, main, sigmoid_chain

from demo_files import assert_image


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_sigmoid_gradients_shrink_layer_by_layer_and_relu_ones_do_not():
    sig = layer_gradients("sigmoid", depth=8, width=8, samples=8, seed=0)
    relu = layer_gradients("relu", depth=8, width=8, samples=8, seed=0)
    assert len(sig) == len(relu) == 9
    # every sigmoid layer passes on at most 1/4 of the slope: orders of magnitude lost
    assert sig[0] < 1e-4 * sig[-2]
    assert all(a < b for a, b in itertools.pairwise(sig))
    assert relu[0] > 1e-2 * relu[-2]


def test_the_chain_gradient_is_the_product_of_the_local_slopes():
    loss, model = sigmoid_chain(3, seed=1)
    neurons = [layer.neurons[0] for layer in model.layers]  # 3 sigmoid neurons, then the linear output
    zs, x = [], 1.0
    for i, n in enumerate(neurons):  # the forward pass by hand
        z = n.b.data + n.w[0].data * x
        zs.append(z)
        x = z if i == len(neurons) - 1 else sigmoid(z)
    assert loss.data == pytest.approx((x - 1.0) ** 2)
    d_z = 2.0 * (x - 1.0)  # d loss / d z of the output neuron (linear)
    for i in range(len(neurons) - 1, 0, -1):  # back through each weight and sigmoid slope
        s = sigmoid(zs[i - 1])
        d_z = d_z * neurons[i].w[0].data * s * (1.0 - s)
    first = neurons[0]
    assert first.w[0].grad == pytest.approx(d_z * 1.0, rel=1e-9)  # the input is 1
    assert first.b.grad == pytest.approx(d_z, rel=1e-9)
    assert abs(first.w[0].grad) < abs(neurons[-1].w[0].grad)


def test_main_prints_the_table_and_writes_both_pictures(tmp_path, capsys):
    plot, graph = tmp_path / "v.png", tmp_path / "v.svg"
    assert (
        main(
            [
                "--depth",
                "5",
                "--width",
                "5",
                "--samples",
                "4",
                "--graph-depth",
                "3",
                "--plot",
                str(plot),
                "--graph",
                str(graph),
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert re.search(r"layer\s+sigmoid\s+tanh\s+relu", out)
    assert re.search(r"^\s+6 out(\s+\d\.\d\de[+-]\d\d){3}$", out, re.MULTILINE)
    assert_image(plot)
    assert_image(graph)
    svg = graph.read_text()
    assert svg.count(">sigmoid<") == 3


def test_the_graph_is_coloured_by_gradient(tmp_path):
    graph = tmp_path / "v.dot"
    assert (
        main(
            [
                "--depth",
                "2",
                "--width",
                "2",
                "--samples",
                "2",
                "--graph-depth",
                "2",
                "--plot",
                str(tmp_path / "v.pdf"),
                "--graph",
                str(graph),
                "--quiet",
            ]
        )
        == 0
    )
    dot = graph.read_text()
    assert "rankdir=TB" in dot
    fills = set(re.findall(r'fillcolor="(#[0-9a-f]{6})"', dot))
    assert len(fills) > 3  # shades by gradient, not one colour per role
    assert_image(tmp_path / "v.pdf")


def test_no_pictures_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--depth", "2", "--width", "2", "--samples", "2", "--no-pictures", "--init", "uniform"]) == 0
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--depth", "0"],
        ["--width", "0"],
        ["--samples", "0"],
        ["--graph-depth", "0"],
        ["--graph-depth", "21"],
        ["--plot", "v.jpg"],
        ["--graph", "g.txt"],
        ["--init", "zeros"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
