"""save_model / load_model: exact JSON round trip, atomic writes, clear errors."""

import errno
import json
import math
import os
import re

import pytest

from autograd import Value
from autograd.files import FileWriteError
from nn import MLP, Module, Neuron, StateDictError, load_model, save_model


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


@pytest.mark.parametrize("call", ["write", "fsync", "replace"])
def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch, call):
    path = tmp_path / "model.json"
    save_model(Neuron(2, seed=0), path)
    old = path.read_text()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, call, disk_full)
    with pytest.raises(FileWriteError, match=r"save_model: cannot write '.*model.json': the disk is full") as info:
        save_model(Neuron(2, seed=1), path)
    monkeypatch.undo()
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert path.read_text() == old
    assert os.listdir(tmp_path) == ["model.json"]


def test_non_finite_parameters_are_not_written(tmp_path):
    model = Neuron(2, seed=0)
    model.w[1].data = math.nan
    with pytest.raises(ValueError, match=re.escape("save_model: parameters w.1 are not finite")):
        save_model(model, tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_created_as_everywhere_else(tmp_path):
    path = save_model(Neuron(2, seed=0), tmp_path / "new" / "deeper" / "model.json")
    assert load_model(Neuron(2, seed=3), path).state_dict() == Neuron(2, seed=0).state_dict()


@pytest.mark.parametrize("where", ["folder", "under a file"])
def test_a_path_that_cannot_be_a_file_is_a_clear_error(tmp_path, where):
    (tmp_path / "notes.txt").write_text("notes")
    path = tmp_path if where == "folder" else tmp_path / "notes.txt" / "model.json"
    reason = "it is a folder" if where == "folder" else "notes.txt' is a file, not a folder"
    with pytest.raises(FileWriteError, match=f"save_model: cannot write .*{reason}"):
        save_model(Neuron(2, seed=0), path)
    assert os.listdir(tmp_path) == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "notes"


def test_wrong_architecture_changes_nothing_and_names_the_file(tmp_path):
    path = save_model(MLP(2, [2, 1], seed=0), tmp_path / "small.json")
    big = MLP(2, [3, 1], seed=0)
    before = big.state_dict()
    with pytest.raises(StateDictError, match=r"(?s)load_model\(.*small.json'\).*missing \(4\)") as info:
        load_model(big, path)
    assert "layers.0.neurons.2.b" in info.value.missing
    assert big.state_dict() == before


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("[1, 2]", "holds a JSON list, not a saved model"),
        (
            '{"format": "other", "version": 1, "parameters": {}}',
            "has format 'other' version 1; expected 'gradtrace.nn.state_dict' version 1",
        ),
        (
            '{"format": "gradtrace.nn.state_dict", "version": 9, "parameters": {}}',
            "has format 'gradtrace.nn.state_dict' version 9; expected 'gradtrace.nn.state_dict' version 1",
        ),
        ('{"format": "gradtrace.nn.state_dict", "version": 1}', "has no 'parameters' object"),
    ],
)
def test_bad_files(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    model = Neuron(2, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        load_model(model, path)
    assert str(info.value) == f"load_model: {str(path)!r} {message}"
    assert model.state_dict() == before


def test_not_a_module():
    with pytest.raises(TypeError, match="save_model: expected a Module"):
        save_model({"w": 1.0}, "x.json")
    with pytest.raises(TypeError, match="load_model: expected a Module"):
        load_model(None, "x.json")


@pytest.mark.parametrize(
    "text, name, shown",
    [
        ('{"w.0": 1e999, "w.1": 0.5, "b": 0.0}', "w.0", "inf"),  # JSON reads 1e999 as inf
        ('{"w.0": 0.5, "w.1": -1e999, "b": 0.0}', "w.1", "-inf"),
        ('{"w.0": 0.5, "w.1": 0.5, "b": NaN}', "b", "nan"),
        (
            '{"format": "gradtrace.nn.state_dict", "version": 1, "parameters": {"w.0": Infinity, "w.1": 0, "b": 0}}',
            "w.0",
            "inf",
        ),
    ],
)
def test_non_finite_numbers_in_a_file_are_refused_naming_the_parameter(tmp_path, text, name, shown):
    path = tmp_path / "diverged.json"
    path.write_text(text)
    model = Neuron(2, seed=0)
    before = model.state_dict()
    pattern = rf"(?s)load_model\('.*diverged.json'\).*not a finite number.*'{name}' = {shown}"
    with pytest.raises(StateDictError, match=pattern):
        load_model(model, path)
    assert model.state_dict() == before


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b'{"w.0": 1.0, \xff\xfe}')
    model = Neuron(2, seed=0)
    before = model.state_dict()
    with pytest.raises(
        ValueError,
        match=r"load_model: '.*model.bin' is not a saved model: it is not UTF-8 text "
        r"\(byte 0xff at position 13\)",
    ):
        load_model(model, path)
    assert model.state_dict() == before


def test_json_nested_too_deeply_is_not_a_saved_model(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"load_model: '.*deep.json' is not a saved model: its JSON is nested too"):
        load_model(Neuron(2, seed=0), path)


def test_an_integer_with_too_many_digits_is_not_valid_json(tmp_path):
    path = tmp_path / "digits.json"
    path.write_text('{"w.0": ' + "9" * 5000 + "}")
    with pytest.raises(ValueError, match=r"load_model: '.*digits.json' is not valid JSON: .*digits"):
        load_model(Neuron(2, seed=0), path)


def test_the_file_is_indented_json_ending_in_a_newline(tmp_path):
    model = Neuron(2, seed=0)
    model.load_state_dict({"w.0": 0.5, "w.1": -1.0, "b": 2.0})
    assert save_model(model, tmp_path / "n.json").read_text() == (
        '{\n "format": "gradtrace.nn.state_dict",\n "version": 1,\n "model": "Neuron",\n'
        ' "parameters": {\n  "w.0": 0.5,\n  "w.1": -1.0,\n  "b": 2.0\n }\n}\n'
    )


class Twelve(Module):
    def __init__(self) -> None:
        self.w = [Value(math.nan) for _ in range(12)]


def test_at_most_ten_non_finite_parameters_are_named(tmp_path):
    with pytest.raises(ValueError) as info:
        save_model(Twelve(), tmp_path / "model.json")
    names = ", ".join(f"w.{i}" for i in range(10))
    assert str(info.value) == f"save_model: parameters {names} are not finite (nan); JSON has no NaN or inf"
    assert os.listdir(tmp_path) == []


def test_a_load_error_keeps_every_list_of_problems(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text('{"w.0": "one", "extra": 1.0}')
    with pytest.raises(StateDictError) as info:
        load_model(Neuron(2, seed=0), path)
    assert (info.value.missing, info.value.unexpected, info.value.invalid) == (["w.1", "b"], ["extra"], ["w.0"])
    assert str(info.value) == (
        f"load_model({str(path)!r}): Neuron.load_state_dict: the dict does not fit this model; nothing was loaded\n"
        "  missing (2): 'w.1', 'b'\n  unexpected (1): 'extra'\n  not a number (1): 'w.0' = 'one' (str)"
    )
