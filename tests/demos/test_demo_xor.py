"""``python -m demos.xor``: XOR learned by backprop and by nudging, the JSON summary and the pictures."""

from __future__ import annotations

import pytest

from autograd import numerical_grad
from demos.xor import DEFAULTS, TARGETS, _nudge_epoch, main, make_model, train, xor_loss

from demo_files import assert_image, read_json

SUMMARY_KEYS = {"method", "epochs", "final_loss", "predictions", "learned", "seconds"}


def _check_summary(summary: dict, method: str, epochs: int) -> None:
    assert set(summary) == SUMMARY_KEYS
    assert summary["method"] == method and summary["epochs"] == epochs
    assert len(summary["predictions"]) == 4 and all(0.0 < p < 1.0 for p in summary["predictions"])
    assert summary["learned"] is True
    for p, t in zip(summary["predictions"], TARGETS, strict=True):  # the order is 00, 01, 10, 11
        assert abs(p - t) < 0.2
    assert 0.0 <= summary["final_loss"] < 0.01
    assert summary["seconds"] > 0.0


def test_backprop_learns_xor_with_the_defaults(tmp_path, capsys):
    path = tmp_path / "xor.json"
    assert main(["--seed", "0", "--json", str(path), "--quiet"]) == 0
    _check_summary(read_json(path), "backprop", DEFAULTS["epochs"])
    out = capsys.readouterr().out
    assert "x1 x2 | target | output" in out and "learned XOR" in out and "final loss" in out


def test_nudging_learns_xor_with_the_defaults(tmp_path):
    path = tmp_path / "xor.json"
    assert main(["--method", "numerical", "--seed", "1", "--json", str(path), "--quiet"]) == 0
    _check_summary(read_json(path), "numerical", DEFAULTS["epochs"])


def test_both_start_from_the_same_weights_and_draw_everything(tmp_path):
    json_path, plot, graph = tmp_path / "both.json", tmp_path / "loss.png", tmp_path / "g" / "graph.svg"
    argv = [
        "--method",
        "both",
        "--epochs",
        "600",
        "--seed",
        "2",
        "--quiet",
        "--json",
        str(json_path),
        "--plot",
        str(plot),
        "--graph",
        str(graph),
    ]
    assert main(argv) == 0
    summary = read_json(json_path)
    assert summary["method"] == "both" and summary["epochs"] == 600
    backprop, numerical = summary["runs"]
    assert backprop["method"] == "backprop" and numerical["method"] == "numerical"
    for run in (backprop, numerical):
        _check_summary(run, run["method"], 600)
    assert summary["learned"] is True
    assert summary["final_loss"] == backprop["final_loss"] and summary["predictions"] == backprop["predictions"]
    assert summary["seconds"] == pytest.approx(backprop["seconds"] + numerical["seconds"])
    # the same start and nearly the same gradients: nearly the same network at the end
    assert numerical["predictions"] == pytest.approx(backprop["predictions"], abs=1e-3)
    assert_image(plot)
    assert_image(graph)
    svg = graph.read_text()
    assert "L1.N0.w0" in svg and "grad" in svg and "loss" in svg


def test_one_nudge_epoch_is_the_forward_difference_step():
    model = make_model(seed=3)
    params = model.parameters()
    start = [p.data for p in params]
    lr, eps = 0.5, 1e-4
    slopes = numerical_grad(lambda: xor_loss(model), params, eps=eps, method="forward")
    loss_before = xor_loss(model).data
    assert _nudge_epoch(params, lambda: xor_loss(model), lr, eps) == loss_before
    for p, w0, slope in zip(params, start, slopes, strict=True):
        assert p.data == pytest.approx(w0 - lr * slope, rel=1e-12, abs=1e-15)
    # and that slope is the gradient backprop finds, up to the forward difference's O(eps) error
    fresh = make_model(seed=3)
    loss = xor_loss(fresh)
    loss.backward()
    for p, slope in zip(fresh.parameters(), slopes, strict=True):
        assert slope == pytest.approx(p.grad, abs=1e-4)


def test_nudging_builds_no_graph_and_backprop_records_every_epoch():
    model = make_model(seed=0)
    run = train(model, "numerical", epochs=3, lr=1.0, eps=1e-4, loss="mse")
    assert len(run.losses) == 3 and run.losses[2] < run.losses[0]
    for p in model.parameters():
        assert p.parents == () and p.grad == 0.0  # nudging never touches .grad


def test_train_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="train: unknown method 'both'"):
        train(make_model(seed=0), "both", epochs=1, lr=1.0, eps=1e-4, loss="mse")


def test_bce_loss_and_tanh_are_options(tmp_path):
    path = tmp_path / "x.json"
    assert (
        main(
            [
                "--loss",
                "bce",
                "--activation",
                "tanh",
                "--init",
                "xavier",
                "--epochs",
                "5",
                "--json",
                str(path),
                "--quiet",
            ]
        )
        == 0
    )
    summary = read_json(path)
    assert summary["epochs"] == 5 and set(summary) == SUMMARY_KEYS


def test_flags_without_a_path_write_under_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--epochs", "3", "--json", "--plot", "--graph", "--quiet"]) == 0
    assert read_json(tmp_path / "out" / "xor.json")["epochs"] == 3
    assert_image(tmp_path / "out" / "xor_loss.png")
    assert_image(tmp_path / "out" / "xor_graph.svg")
    assert "out/xor_graph.svg" in capsys.readouterr().out


def test_graph_in_dot_and_pdf(tmp_path):
    assert main(["--epochs", "2", "--graph", str(tmp_path / "g.dot"), "--quiet"]) == 0
    assert_image(tmp_path / "g.dot")
    assert main(["--epochs", "2", "--plot", str(tmp_path / "p.pdf"), "--quiet"]) == 0
    assert_image(tmp_path / "p.pdf")


@pytest.mark.parametrize(
    "argv",
    [
        ["--epochs", "0"],
        ["--lr", "0"],
        ["--lr", "-1"],
        ["--lr", "inf"],
        ["--eps", "0"],
        ["--eps", "nan"],
        ["--method", "guess"],
        ["--plot", "loss.txt"],
        ["--graph", "g.jpg"],
        ["--init", "zeros"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_the_graph_is_the_loss_on_the_row_1_0(tmp_path):
    path = tmp_path / "g.dot"
    assert main(["--epochs", "2", "--graph", str(path), "--quiet"]) == 0
    dot = path.read_text()
    assert '"x1|data 1.0000|' in dot and '"x2|data 0.0000|' in dot
    assert '"out|' in dot and '"loss|data' in dot and "grad 1.0000" in dot  # d loss / d loss
    assert dot.count("sigmoid") == 3  # two hidden neurons and the output: one row, not four
