"""save_model / load_model: exact JSON round trip, atomic writes, clear errors."""

import json
import math
import os

import pytest

from nn import MLP, Neuron, StateDictError, load_model, save_model


def test_round_trip_is_exact(tmp_path):
    model = MLP(3, [4, 2], activation="relu", seed=0)
    for p in model.parameters():
        p.data = p.data * math.pi + 1e-300  # floats that need all 17 digits
    path = save_model(model, tmp_path / "model.json")
    assert path == tmp_path / "model.json"
    other = load_model(MLP(3, [4, 2], activation="relu", seed=1), path)
    assert other.state_dict() == model.state_dict()
    assert [v.data for v in other([0.1, 0.2, 0.3])] == [v.data for v in model([0.1, 0.2, 0.3])]


def test_file_format(tmp_path):
    model = Neuron(2, seed=0)
    model.load_state_dict({"w.0": 0.5, "w.1": -1.0, "b": 2.0})
    document = json.loads(save_model(model, str(tmp_path / "n.json")).read_text())
    assert document == {
        "format": "gradtrace.nn.state_dict",
        "version": 1,
        "model": "Neuron",
        "parameters": {"w.0": 0.5, "w.1": -1.0, "b": 2.0},
    }


def test_a_bare_state_dict_file_loads_too(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"w.0": 0.5, "w.1": -1.0, "b": 2}))
    assert load_model(Neuron(2, seed=0), path).state_dict() == {"w.0": 0.5, "w.1": -1.0, "b": 2.0}


def test_overwrite_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "model.json"
    save_model(Neuron(2, seed=0), path)
    save_model(Neuron(2, seed=1), path)
    assert os.listdir(tmp_path) == ["model.json"]
    assert load_model(Neuron(2, seed=5), path).state_dict() == Neuron(2, seed=1).state_dict()


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    save_model(Neuron(2, seed=0), path)
    old = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_model(Neuron(2, seed=1), path)
    assert path.read_text() == old
    assert os.listdir(tmp_path) == ["model.json"]


def test_non_finite_parameters_are_not_written(tmp_path):
    model = Neuron(2, seed=0)
    model.w[1].data = math.nan
    with pytest.raises(ValueError, match="save_model: parameters w.1 are not finite"):
        save_model(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(Neuron(2, seed=0), tmp_path / "nowhere" / "model.json")


def test_wrong_architecture_changes_nothing_and_names_the_file(tmp_path):
    path = save_model(MLP(2, [2, 1], seed=0), tmp_path / "small.json")
    big = MLP(2, [3, 1], seed=0)
    before = big.state_dict()
    with pytest.raises(StateDictError, match=r"(?s)load_model\(.*small.json'\).*missing \(4\)") as info:
        load_model(big, path)
    assert "layers.0.neurons.2.b" in info.value.missing
    assert big.state_dict() == before


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "holds a JSON list, not a saved model"),
        ('{"format": "other", "version": 1, "parameters": {}}', "has format 'other' version 1"),
        ('{"format": "gradtrace.nn.state_dict", "version": 9, "parameters": {}}', "version 9"),
        ('{"format": "gradtrace.nn.state_dict", "version": 1}', "has no 'parameters' object"),
    ],
)
def test_bad_files(tmp_path, text, pattern):
    path = tmp_path / "bad.json"
    path.write_text(text)
    model = Neuron(2, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=pattern):
        load_model(model, path)
    assert model.state_dict() == before


def test_not_a_module():
    with pytest.raises(TypeError, match="save_model: expected a Module"):
        save_model({"w": 1.0}, "x.json")
    with pytest.raises(TypeError, match="load_model: expected a Module"):
        load_model(None, "x.json")
