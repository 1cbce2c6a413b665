"""Neuron, Layer, MLP: seeded initialisation, forward values, errors, gradcheck, the graph built."""

import math
import random
import statistics

import pytest

from autograd import Value, gradcheck, topological_order
from nn import MLP, Layer, Neuron, mse_loss

ACTS = ["tanh", "sigmoid", "relu", "linear"]


# ------------------------------------------------------------ initialisation
def test_same_seed_same_weights_on_every_machine():
    # literal numbers: a change of the drawing order or of the generator shows here
    assert Neuron(2, seed=0).state_dict() == {"w.0": 0.9741721072087512, "w.1": 0.7296052302240599, "b": 0.0}
    assert Neuron(3, activation="relu", seed=7).state_dict() == {
        "w.0": -0.49827618643742455,
        "w.1": -0.9875476670994782,
        "w.2": 0.4269071576051948,
        "b": 0.0,
    }
    assert Neuron(2, seed=3, init="uniform").state_dict() == {
        "w.0": -0.5240707458162173,
        "w.1": 0.08845845059190371,
        "b": -0.2600896669038415,
    }
    assert Neuron(2, seed=3, init="uniform01").state_dict() == {
        "w.0": 0.23796462709189137,
        "w.1": 0.5442292252959519,
        "b": 0.36995516654807925,
    }
    assert MLP(2, [2, 1], seed=42).parameters()[1].data == -1.1634812830144055


def test_xavier_draw_is_the_documented_formula():
    # Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)); a lone neuron has fan_out 1
    rng = random.Random(0)
    a = math.sqrt(6 / (2 + 1))
    assert Neuron(2, seed=0).state_dict() == {"w.0": rng.uniform(-a, a), "w.1": rng.uniform(-a, a), "b": 0.0}


def test_layer_draws_neuron_by_neuron_weights_then_bias():
    rng = random.Random(5)
    expected = {}
    for n in range(2):
        for i in range(3):
            expected[f"neurons.{n}.w.{i}"] = rng.uniform(-1, 1)
        expected[f"neurons.{n}.b"] = rng.uniform(-1, 1)
    assert Layer(3, 2, seed=5, init="uniform").state_dict() == expected


def test_mlp_draws_layer_by_layer_from_one_generator():
    rng = random.Random(11)
    first, second = Layer(2, 3, "tanh", rng), Layer(3, 1, "linear", rng)
    model = MLP(2, [3, 1], seed=11)
    layers = enumerate((first, second))
    by_hand = {f"layers.{i}.{name}": x for i, layer in layers for name, x in layer.state_dict().items()}
    assert model.state_dict() == by_hand
    assert len(by_hand) == 13 and len(set(by_hand.values())) == 10  # 9 distinct weights, 4 zero biases


def test_same_seed_same_model_other_seed_other_model():
    assert MLP(3, [4, 4, 1], seed=9).state_dict() == MLP(3, [4, 4, 1], seed=9).state_dict()
    assert MLP(3, [4, 4, 1], seed=9).state_dict() != MLP(3, [4, 4, 1], seed=10).state_dict()


def test_seed_none_is_fresh_randomness():
    assert MLP(3, [4, 1]).state_dict() != MLP(3, [4, 1]).state_dict()


def test_the_global_generator_is_neither_used_nor_disturbed():
    random.seed(123)
    state = random.getstate()
    MLP(3, [4, 1], seed=1)
    MLP(3, [4, 1])
    assert random.getstate() == state


def weights(module):
    return [p.data for name, p in module.named_parameters() if not name.endswith("b")]


def biases(module):
    return [p.data for name, p in module.named_parameters() if name.endswith("b")]


@pytest.mark.parametrize(
    "init, bound",
    [("xavier", math.sqrt(6 / (40 + 30))), ("he", math.sqrt(6 / 40)), ("uniform", 1.0)],
)
def test_symmetric_inits_fill_their_range(init, bound):
    layer = Layer(40, 30, seed=0, init=init)
    w = weights(layer)
    assert max(abs(x) for x in w) <= bound
    assert max(w) > 0.95 * bound and min(w) < -0.95 * bound
    # U(-a, a) has variance a^2 / 3; 1200 draws land within 10 %
    assert statistics.pvariance(w) == pytest.approx(bound**2 / 3, rel=0.1)
    if init == "uniform":  # micrograd-style tutorials draw the biases from the same range
        b = biases(layer)
        assert max(abs(x) for x in b) <= 1.0 and len(set(b)) == 30 and min(b) < 0 < max(b)
    else:
        assert biases(layer) == [0.0] * 30


def test_uniform01_init_draws_everything_from_zero_to_one():
    layer = Layer(20, 20, seed=0, init="uniform01")
    values = [p.data for p in layer.parameters()]
    assert all(0.0 <= x < 1.0 for x in values)
    assert statistics.mean(values) == pytest.approx(0.5, abs=0.05)
    assert len(set(biases(layer))) == 20


def test_default_init_follows_the_activation():
    assert Neuron(2, activation="relu").init == "he"
    for act in ["tanh", "sigmoid", "linear"]:
        assert Neuron(2, activation=act).init == "xavier"
        assert Layer(2, 2, activation=act).init == "xavier"
    model = MLP(2, [3, 1], activation="relu")
    assert model.init is None
    assert [layer.init for layer in model.layers] == ["he", "xavier"]
    assert [layer.init for layer in MLP(2, [3, 1], init="uniform").layers] == ["uniform", "uniform"]


# ------------------------------------------------------------------- forward
def set_neuron(neuron, w, b):
    for p, x in zip(neuron.w, w):
        p.data = x
    neuron.b.data = b


@pytest.mark.parametrize(
    "act, expected",
    [
        ("linear", 0.5 + 2 * 3 - 1 * 4),  # b + w0*x0 + w1*x1 = 2.5
        ("tanh", math.tanh(2.5)),
        ("sigmoid", 1 / (1 + math.exp(-2.5))),
        ("relu", 2.5),
    ],
)
def test_neuron_output_by_hand(act, expected):
    n = Neuron(2, activation=act, seed=0)
    set_neuron(n, [2.0, -1.0], 0.5)
    assert n([3.0, 4.0]).data == pytest.approx(expected, rel=1e-15)
    assert n((Value(3.0), 4)).data == pytest.approx(expected, rel=1e-15)


def test_relu_neuron_cuts_negative_sums():
    n = Neuron(1, activation="relu", seed=0)
    set_neuron(n, [1.0], -2.0)
    assert n([1.0]).data == 0.0


def test_mlp_output_by_hand():
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    set_neuron(model.layers[0].neurons[0], [1.0, 2.0], 0.1)
    set_neuron(model.layers[0].neurons[1], [-1.0, 0.5], -0.2)
    set_neuron(model.layers[1].neurons[0], [0.3, -0.4], 0.05)
    h0, h1 = math.tanh(0.1 + 1.0 * 0.5 + 2.0 * -1.5), math.tanh(-0.2 - 1.0 * 0.5 + 0.5 * -1.5)
    assert model([0.5, -1.5]).data == pytest.approx(0.05 + 0.3 * h0 - 0.4 * h1, rel=1e-14)


def test_output_kinds():
    x = [1.0, 2.0]
    assert isinstance(Neuron(2, seed=0)(x), Value)
    assert isinstance(Layer(2, 1, seed=0)(x), Value)
    out = Layer(2, 3, seed=0)(x)
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(v, Value) for v in out)
    assert isinstance(MLP(2, [3, 1], seed=0)(x), Value)
    out = MLP(2, [3, 2], seed=0)(x)
    assert isinstance(out, list) and len(out) == 2


def test_output_activation_applies_to_the_last_layer_only():
    model = MLP(2, [3, 1], activation="relu", output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "sigmoid"]
    assert model(Value(1.0) for _ in range(2)).op == "sigmoid"
    assert MLP(2, [3, 1], seed=0)([1.0, 2.0]).op == "+"  # linear output by default
    assert {n.activation for n in model.layers[0].neurons} == {"relu"}


def test_inputs_in_other_shapes():
    n = Neuron(1, activation="linear", seed=0)
    set_neuron(n, [2.0], 1.0)
    assert n(3.0).data == n([3.0]).data == n(Value(3.0)).data == n((3,)).data == 7.0
    model = MLP(3, [2, 1], seed=0)
    assert model(iter([1.0, 2.0, 3.0])).data == model([1.0, 2.0, 3.0]).data


def test_attributes_are_readable_and_read_only():
    model = MLP(3, [4, 2], activation="relu", output_activation="sigmoid", seed=0, init="he")
    assert (model.nin, model.nouts, model.activation, model.output_activation, model.init) == (
        3, [4, 2], "relu", "sigmoid", "he"
    )
    layer = model.layers[0]
    assert (layer.nin, layer.nout, layer.activation, layer.init) == (3, 4, "relu", "he")
    neuron = layer.neurons[0]
    assert (neuron.nin, neuron.activation, neuron.init, len(neuron.w)) == (3, "relu", "he", 3)
    with pytest.raises(AttributeError):
        model.activation = "tanh"
    model.nouts.append(7)
    assert model.nouts == [4, 2]
    assert repr(model) == "MLP(3, [4, 2], activation='relu', output_activation='sigmoid', init='he')"
    assert repr(layer) == "Layer(3, 4, activation='relu', init='he')"
    assert repr(neuron) == "Neuron(3, activation='relu', init='he')"


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "make",
    [
        lambda: Neuron(2, activation="gelu"),
        lambda: Layer(2, 2, activation="Tanh"),
        lambda: MLP(2, [2, 1], activation="softmax"),
        lambda: MLP(2, [2, 1], output_activation="identity"),
        lambda: MLP(2, [2, 1], output_activation=None),
    ],
)
def test_unknown_activation_lists_the_known_ones(make):
    with pytest.raises(ValueError, match="unknown activation") as info:
        make()
    for name in ACTS:
        assert repr(name) in str(info.value)


def test_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'kaiming'.*'xavier', 'he', 'uniform', 'uniform01'"):
        MLP(2, [2, 1], init="kaiming")
    with pytest.raises(ValueError, match="unknown init"):
        Neuron(2, init="normal")


@pytest.mark.parametrize(
    "make, error, pattern",
    [
        (lambda: Neuron(0), ValueError, "nin must be a positive int, got 0"),
        (lambda: Neuron(2.5), TypeError, "nin must be a positive int"),
        (lambda: Layer(True, 2), TypeError, "nin must be a positive int"),
        (lambda: Layer(2, -1), ValueError, "nout must be a positive int, got -1"),
        (lambda: MLP(2, []), ValueError, "nouts is empty"),
        (lambda: MLP(2, [3, 0]), ValueError, "each layer size in nouts must be a positive int, got 0"),
        (lambda: MLP(2, 3), TypeError, "nouts must be a list of layer sizes"),
        (lambda: MLP(2, "31"), TypeError, "nouts must be a list of layer sizes"),
        (lambda: MLP(2, [3, 1], seed=1.5), TypeError, "seed must be an int, None"),
        (lambda: Neuron(2, seed="abc"), TypeError, "seed must be an int, None"),
    ],
)
def test_bad_sizes_and_seeds(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


@pytest.mark.parametrize("model", [Neuron(3, seed=0), Layer(3, 2, seed=0), MLP(3, [2, 1], seed=0)])
def test_wrong_input_length_names_expected_and_got(model):
    name = type(model).__name__
    with pytest.raises(ValueError, match=f"{name}: expected 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(ValueError, match=f"{name}: expected 3 inputs, got 4"):
        model([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=f"{name}: expected 3 inputs, got 1"):
        model(1.0)
    with pytest.raises(ValueError, match=f"{name}: expected 3 inputs, got 0"):
        model([])


@pytest.mark.parametrize("bad", [[1.0, "2", 3.0], [1.0, None, 3.0], [True, 1.0, 2.0], [[1.0], 2.0, 3.0]])
def test_wrong_input_types(bad):
    with pytest.raises(TypeError, match="MLP: input [01] is .*expected a Value or a float"):
        MLP(3, [2, 1], seed=0)(bad)


def test_non_sequence_input():
    with pytest.raises(TypeError, match="expected a list of 3 Values or floats"):
        MLP(3, [2, 1], seed=0)("abc")
    with pytest.raises(TypeError, match="expected a list of 3 Values or floats"):
        MLP(3, [2, 1], seed=0)(None)


# --------------------------------------------------------------- gradients
def pre_activations(model, xs):
    """Every neuron's sum b + w.x (before its activation), for every input, as floats."""
    sums = []
    for x in xs:
        x = [v.data for v in x]
        for layer in model.layers:
            s = [n.b.data + sum(w.data * xi for w, xi in zip(n.w, x)) for n in layer.neurons]
            sums += s
            x = [max(v, 0.0) for v in s]
    return sums


@pytest.mark.parametrize("act", ACTS)
def test_gradcheck_whole_mlp(act):
    model = MLP(2, [3, 1], activation=act, output_activation=act, seed=2)
    xs = [[Value(0.5, label="x0"), Value(-1.2, label="x1")], [Value(-0.3), Value(0.8)], [Value(1.1), Value(0.4)]]
    targets = [0.2, -0.4, 0.7] if act != "sigmoid" else [0.2, 0.6, 0.9]
    inputs = [v for x in xs for v in x]
    if act == "relu":
        # finite differences need every pre-activation away from relu's kink at 0
        sums = pre_activations(model, xs)
        assert min(abs(s) for s in sums) > 1e-3
        assert any(s > 0 for s in sums) and any(s < 0 for s in sums)  # both sides of the kink are checked

    def loss():
        return mse_loss([model(x) for x in xs], targets)

    assert gradcheck(loss, model.parameters() + inputs)
    loss().backward()
    assert any(p.grad != 0.0 for p in model.parameters())


def test_neuron_gradient_by_hand():
    # d tanh(b + w.x) / d w_i = (1 - t^2) x_i,  d/db = 1 - t^2
    n = Neuron(2, seed=0)
    set_neuron(n, [0.4, -0.6], 0.1)
    out = n([1.5, 2.0])
    t = math.tanh(0.1 + 0.4 * 1.5 - 0.6 * 2.0)
    out.backward()
    assert n.w[0].grad == pytest.approx((1 - t * t) * 1.5, rel=1e-14)
    assert n.w[1].grad == pytest.approx((1 - t * t) * 2.0, rel=1e-14)
    assert n.b.grad == pytest.approx(1 - t * t, rel=1e-14)


# ------------------------------------------------------- no hidden overhead
def plain_forward(params, acts, x):
    """The network written with plain Values: per neuron b + w0*x0 + w1*x1 ..., then the activation."""
    for layer, act in zip(params, acts):
        out = []
        for w, b in layer:
            s = b
            for wi, xi in zip(w, x):
                s = s + wi * xi
            out.append(s if act == "linear" else getattr(s, act)())
        x = out
    return x


def shape(root):
    """The graph as a list of (op, data, positions of the parents), in topological order."""
    nodes = topological_order(root)
    where = {id(v): i for i, v in enumerate(nodes)}
    return [(v.op, v.data, tuple(where[id(p)] for p in v.parents)) for v in nodes]


@pytest.mark.parametrize("act", ACTS)
def test_mlp_builds_the_same_graph_as_plain_values(act):
    nin, nouts = 3, [4, 3, 1]
    model = MLP(nin, nouts, activation=act, output_activation=act, seed=2)
    copies = [[([Value(w.data) for w in n.w], Value(n.b.data)) for n in layer.neurons] for layer in model.layers]
    x_model = [Value(0.3), Value(-0.8), Value(1.7)]
    x_plain = [Value(0.3), Value(-0.8), Value(1.7)]

    out = model(x_model)
    (expected,) = plain_forward(copies, [act] * 3, x_plain)
    assert shape(out) == shape(expected)

    # and the count by the formula in nn.layers: per neuron 2*nin op nodes, +1 for an activation
    sizes = [nin] + nouts
    ops = sum(n_out * (2 * n_in + (act != "linear")) for n_in, n_out in zip(sizes, sizes[1:]))
    leaves = nin + len(model.parameters())
    nodes = topological_order(out)
    assert len(nodes) == ops + leaves
    params = {id(p) for p in model.parameters()} | {id(v) for v in x_model}
    assert {id(v) for v in nodes if not v.parents} == params  # no constant leaves at all


def test_float_inputs_make_one_constant_per_multiplication_as_plain_values_do():
    model = MLP(2, [3, 1], seed=0)
    nodes = topological_order(model([0.5, -1.0]))
    constants = [v for v in nodes if not v.parents and not v.label]
    assert len(constants) == 2 * 3
    copies = [[([Value(w.data) for w in n.w], Value(n.b.data)) for n in layer.neurons] for layer in model.layers]
    (expected,) = plain_forward(copies, ["tanh", "linear"], [0.5, -1.0])
    assert shape(model([0.5, -1.0])) == shape(expected)
