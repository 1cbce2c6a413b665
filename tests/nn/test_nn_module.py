"""Module: parameter names, order and labels; state_dict and every kind of bad dict."""

import json
import math

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron, StateDictError


def test_mlp_named_parameters_are_dotted_paths_in_construction_order():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    expected = []
    for n in range(3):
        expected += [f"layers.0.neurons.{n}.w.0", f"layers.0.neurons.{n}.w.1", f"layers.0.neurons.{n}.b"]
    expected += ["layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.w.2", "layers.1.neurons.0.b"]
    assert names == expected
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.parameters()[0] is model.layers[0].neurons[0].w[0]
    assert model.parameters()[-1] is model.layers[1].neurons[0].b


def test_parameters_carry_short_labels():
    model = MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:6] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.b", "L0.N1.w0", "L0.N1.w1", "L0.N1.b"]
    assert labels[-4:] == ["L1.N0.w0", "L1.N0.w1", "L1.N0.w2", "L1.N0.b"]
    assert len(set(labels)) == len(labels)
    assert [p.label for p in Neuron(2, seed=0).parameters()] == ["w0", "w1", "b"]
    assert [p.label for p in Layer(2, 2, seed=0).parameters()] == ["N0.w0", "N0.w1", "N0.b", "N1.w0", "N1.w1", "N1.b"]


def test_parameter_count():
    model = MLP(3, [4, 4, 2], seed=0)
    assert len(model.parameters()) == 4 * (3 + 1) + 4 * (4 + 1) + 2 * (4 + 1)
    assert len({id(p) for p in model.parameters()}) == len(model.parameters())


class Custom(Module):
    """A module a user might write: nested containers, a shared Value, non-parameter attributes."""

    def __init__(self):
        self.scale = Value(2.0)
        self.name = "custom"
        self.sizes = [1, 2, 3]
        self.blocks = (Neuron(1, seed=1), [Value(5.0), Value(6.0)])
        self.again = self.scale  # the same Value under a second name
        self.inner = Neuron(2, seed=2)
        self.itself = self  # a cycle must not loop


def test_custom_module_walk():
    m = Custom()
    names = [name for name, _ in m.named_parameters()]
    assert names == [
        "scale",
        "blocks.0.w.0",
        "blocks.0.b",
        "blocks.1.0",
        "blocks.1.1",
        "inner.w.0",
        "inner.w.1",
        "inner.b",
    ]
    assert m.parameters()[0] is m.scale


def test_forward_missing_raises():
    with pytest.raises(NotImplementedError, match="Custom defines no forward"):
        Custom()([1.0])


def test_zero_grad_zeroes_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_through_json_is_exact():
    source = MLP(2, [4, 3, 1], activation="relu", seed=1)
    for p in source.parameters():  # awkward floats: exact round trip needs repr-precision
        p.data = p.data / 3.0 + 1e-17
    text = json.dumps(source.state_dict())
    target = MLP(2, [4, 3, 1], activation="relu", seed=2)
    assert target.state_dict() != source.state_dict()
    target.load_state_dict(json.loads(text))
    assert target.state_dict() == source.state_dict()
    assert all(type(v) is float for v in target.state_dict().values())
    x = [0.3, -0.7]
    assert target(x).data == source(x).data


def test_state_dict_is_plain_floats_keyed_by_names():
    model = Neuron(2, seed=0)
    model.w[0].data, model.w[1].data, model.b.data = 1.5, -2.0, 0.25
    assert model.state_dict() == {"w.0": 1.5, "w.1": -2.0, "b": 0.25}


def test_load_state_dict_accepts_ints_as_floats_and_leaves_grads_alone():
    model = Neuron(2, seed=0)
    model.b.grad = 3.0
    model.load_state_dict({"w.0": 1, "w.1": -2, "b": 0})
    assert model.state_dict() == {"w.0": 1.0, "w.1": -2.0, "b": 0.0}
    assert type(model.w[0].data) is float
    assert model.b.grad == 3.0


def snapshot(model):
    return [(p.data, p.grad) for p in model.parameters()]


GOOD = {"w.0": 1.0, "w.1": 2.0, "b": 3.0}


@pytest.mark.parametrize(
    "bad, missing, unexpected, invalid",
    [
        ({"w.0": 1.0, "w.1": 2.0}, ["b"], [], []),
        ({}, ["w.0", "w.1", "b"], [], []),
        ({**GOOD, "w.2": 4.0}, [], ["w.2"], []),
        ({**GOOD, 7: 4.0}, [], [7], []),
        ({"w.0": 1.0, "w.1": 2.0, "bias": 3.0}, ["b"], ["bias"], []),
        ({**GOOD, "b": "3.0"}, [], [], ["b"]),
        ({**GOOD, "b": [3.0]}, [], [], ["b"]),
        ({**GOOD, "w.0": {"value": 1.0}}, [], [], ["w.0"]),
        ({**GOOD, "b": None}, [], [], ["b"]),
        ({**GOOD, "b": True}, [], [], ["b"]),
        ({**GOOD, "b": 10**400}, [], [], ["b"]),
        ({**GOOD, "b": 10**5000}, [], [], ["b"]),  # more digits than Python prints: the message still works
        ({**GOOD, "b": math.nan}, [], [], ["b"]),
        ({**GOOD, "w.1": math.inf, "b": -math.inf}, [], [], ["w.1", "b"]),
        ({**GOOD, "w.0": "x", "b": math.nan}, [], [], ["w.0", "b"]),
        ({"w.0": "x", "w.1": 2.0, "extra": 1.0}, ["b"], ["extra"], ["w.0"]),
    ],
)
def test_bad_state_dict_raises_naming_every_problem_and_changes_nothing(bad, missing, unexpected, invalid):
    model = Neuron(2, seed=0)
    model.w[0].grad = 0.5
    before = snapshot(model)
    with pytest.raises(StateDictError) as info:
        model.load_state_dict(bad)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.missing, err.unexpected, err.invalid) == (missing, unexpected, invalid)
    message = str(err)
    assert "Neuron.load_state_dict" in message and "nothing was loaded" in message
    for name in missing + unexpected + invalid:
        assert repr(name) in message
    assert snapshot(model) == before


def test_wrong_architecture_dict_names_the_differences():
    small = MLP(2, [2, 1], seed=0).state_dict()
    big = MLP(2, [3, 1], seed=0)
    before = snapshot(big)
    with pytest.raises(StateDictError) as info:
        big.load_state_dict(small)
    assert "layers.0.neurons.2.w.0" in info.value.missing
    assert "layers.1.neurons.0.w.2" in info.value.missing
    assert info.value.unexpected == []
    assert snapshot(big) == before


def test_long_problem_lists_are_shortened_in_the_message_but_complete_on_the_error():
    model = MLP(4, [8, 1], seed=0)
    with pytest.raises(StateDictError) as info:
        model.load_state_dict({})
    assert len(info.value.missing) == len(model.parameters())
    assert "missing (49)" in str(info.value) and "and 39 more" in str(info.value)


def test_load_state_dict_rejects_a_non_mapping():
    model = Neuron(2, seed=0)
    with pytest.raises(TypeError, match="expected a dict"):
        model.load_state_dict([("w.0", 1.0)])


def test_a_diverged_state_is_refused_naming_the_parameter():
    model = Neuron(2, seed=0)
    model.w[1].data = math.nan
    other = Neuron(2, seed=1)
    before = snapshot(other)
    with pytest.raises(StateDictError) as info:
        other.load_state_dict(model.state_dict())
    assert info.value.invalid == ["w.1"]
    assert "not a finite number (1): 'w.1' = nan" in str(info.value)
    assert snapshot(other) == before


def test_long_values_are_shortened_in_the_message():
    with pytest.raises(StateDictError) as info:
        Neuron(1, seed=0).load_state_dict({"w.0": "x" * 1000, "b": 10**400})
    message = str(info.value)
    assert "'w.0' = 'xxxxx" in message and "... (str)" in message and "'b' = 10000" in message
    assert len(message) < 400


def test_the_whole_message_for_values_of_each_kind():
    # a 40-character repr is shown whole; numbers that are not finite are listed once, under their own heading
    with pytest.raises(StateDictError) as info:
        Neuron(1, seed=0).load_state_dict({"w.0": "x" * 38, "b": 10**5000})
    assert str(info.value) == (
        "Neuron.load_state_dict: the dict does not fit this model; nothing was loaded\n"
        f"  not a number (1): 'w.0' = '{'x' * 38}' (str)\n"
        "  not a finite number (1): 'b' = <an int of about 5000 digits>"
    )
    assert info.value.invalid == ["w.0", "b"]


def test_a_repr_longer_than_forty_characters_is_cut_to_forty():
    with pytest.raises(StateDictError) as info:
        Neuron(1, seed=0).load_state_dict({"w.0": "y" * 39, "b": math.nan})
    assert str(info.value) == (
        "Neuron.load_state_dict: the dict does not fit this model; nothing was loaded\n"
        f"  not a number (1): 'w.0' = '{'y' * 36}... (str)\n"
        "  not a finite number (1): 'b' = nan"
    )
