"""``Neuron``, ``Layer`` and ``MLP``: the classic network, built from plain ``Value`` ops.

The graph of a forward pass is exactly what one would write by hand, nothing
more. One neuron with inputs ``x0 .. x{n-1}`` computes, left to right,

    s = b + w0*x0 + w1*x1 + ... + w{n-1}*x{n-1}      then   act(s)

which is ``n`` ``*`` nodes, ``n`` ``+`` nodes and one activation node (none for
``"linear"``): ``2n + 1`` op nodes (``2n`` for linear). No constant node is
added: the sum starts from the bias, not from 0. A float input meets each
weight as a number, so each ``w*x`` makes its own constant leaf, as
``w * 0.5`` always does; pass Values to have one shared leaf per input.

Each neuron's ops form a named group (``L1.N3``, as its parameters are
named) and each layer's neurons one too (``L1``), so a drawing can show a
neuron as one box (``draw_graph(loss, collapse="neuron")``). Marking costs a
neuron one counter read before its ops and one attribute store after them; a
layer nothing (see autograd/groups.py).
"""

from __future__ import annotations

import random
from typing import Sequence, Union

from autograd import Value
from autograd.groups import GroupInfo, begin_group
from nn._checks import check_size, is_list_like, is_number
from nn.activations import activation_function
from nn.init import draw_neuron, make_rng, resolve_init
from nn.module import Module

__all__ = ["Neuron", "Layer", "MLP"]

Input = Union[Value, float]
Seed = Union[int, random.Random, None]


def _check_inputs(x: object, nin: int, who: str) -> Sequence[Input]:
    """``x`` as a sequence of ``nin`` Values or numbers, or a clear error.

    A single Value or number is taken as a list of one.
    """
    if isinstance(x, Value) or is_number(x):
        x = [x]
    elif not isinstance(x, (list, tuple)):
        if not is_list_like(x):
            raise TypeError(f"{who}: expected a list of {nin} Values or floats, got {x!r}")
        x = list(x)
    if len(x) != nin:
        raise ValueError(f"{who}: expected {nin} inputs, got {len(x)}")
    for i, xi in enumerate(x):
        if not isinstance(xi, Value) and not is_number(xi):
            raise TypeError(f"{who}: input {i} is {xi!r} of type {type(xi).__name__}; expected a Value or a float")
    return x


class _Configured(Module):
    """Read-only settings that Neuron, Layer and MLP share."""

    _nin: int
    _activation: str
    _init: str | None

    @property
    def nin(self) -> int:
        """Number of inputs."""
        return self._nin

    @property
    def activation(self) -> str:
        """Name of the activation (of the hidden layers, for an MLP)."""
        return self._activation

    @property
    def init(self) -> str | None:
        """The initialisation scheme that drew the weights; for an MLP the one asked
        for, where ``None`` means by each layer's activation (see ``layer.init``)."""
        return self._init


class Neuron(_Configured):
    """One neuron: ``act(b + w0*x0 + ... + w{n-1}*x{n-1})``.

    ``activation``: ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"linear"``.
    ``init``: ``None`` (He for relu, Xavier otherwise), ``"xavier"``, ``"he"``,
    ``"uniform"``, ``"uniform01"`` or ``"micrograd"`` (see :mod:`nn.init`). ``seed``: an int for
    the same weights every time, ``None`` for fresh ones, or a ``random.Random``
    to draw from (Layer and MLP share theirs this way). ``fan_out`` only
    matters to Xavier: the width of the layer the neuron is part of.
    Parameters: ``w`` (labels ``w0``, ``w1``, ...) and ``b`` (label ``b``).

    >>> n = Neuron(2, activation="linear", seed=0)
    >>> n.w[0].data, n.w[1].data = 2.0, -1.0
    >>> n([3.0, 4.0]).data          # 0 + 2*3 + (-1)*4
    2.0
    >>> [p.label for p in n.parameters()]
    ['w0', 'w1', 'b']
    """

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        seed: Seed = None,
        init: str | None = None,
        *,
        fan_out: int = 1,
    ) -> None:
        self._nin = check_size(nin, "Neuron", "nin")
        fan_out = check_size(fan_out, "Neuron", "fan_out")
        self._activation, self._apply = activation_function(activation, "Neuron")
        self._init = resolve_init(init, self._activation, "Neuron")
        weights, bias = draw_neuron(self._init, self._nin, fan_out, make_rng(seed, "Neuron"))
        self.w = [Value(wi, label=f"w{i}") for i, wi in enumerate(weights)]
        self.b = Value(bias, label="b")
        self._path = ""  # "L1.N3." once a layer and a model have named it
        self._layer_info: GroupInfo | None = None  # the layer it is neuron number _place of
        self._place = 0
        self._name_group()

    def _name_group(self) -> None:
        name = self._path.rstrip(".") or "neuron"
        self._group_info = GroupInfo(name, "neuron", self.parameters(), note=self._activation,
                                     within=self._layer_info, place=self._place)

    def _prefix_labels(self, prefix: str) -> None:
        super()._prefix_labels(prefix)
        self._path = prefix + self._path
        self._name_group()

    def forward(self, x: Sequence[Input]) -> Value:
        """The neuron's output for inputs ``x`` (``nin`` Values or floats)."""
        return self._forward(_check_inputs(x, self._nin, "Neuron"))

    def _forward(self, x: Sequence[Input]) -> Value:
        start = begin_group()  # the ops below form the group self._group_info (see autograd/groups.py)
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        out = act if self._apply is None else self._apply(act)
        out._group = (start, self._group_info)
        return out

    def __repr__(self) -> str:
        return f"Neuron({self._nin}, activation={self._activation!r}, init={self._init!r})"


class Layer(_Configured):
    """``nout`` neurons reading the same ``nin`` inputs.

    Returns a list of ``nout`` Values, or one Value when ``nout`` is 1. The
    neurons are drawn in order from one generator; their parameters are
    labelled ``N0.w0``, ``N0.b``, ``N1.w0``, ...

    >>> layer = Layer(2, 3, seed=0)
    >>> len(layer([1.0, -1.0])), layer.neurons[1].b.label
    (3, 'N1.b')
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        seed: Seed = None,
        init: str | None = None,
    ) -> None:
        self._nin = check_size(nin, "Layer", "nin")
        self._nout = check_size(nout, "Layer", "nout")
        self._activation, _ = activation_function(activation, "Layer")
        self._init = resolve_init(init, self._activation, "Layer")
        rng = make_rng(seed, "Layer")
        self.neurons = [
            Neuron(self._nin, self._activation, rng, self._init, fan_out=self._nout) for _ in range(self._nout)
        ]
        for i, neuron in enumerate(self.neurons):
            neuron._prefix_labels(f"N{i}.")
        self._path = ""
        self._name_group()

    def _name_group(self) -> None:
        name = self._path.rstrip(".") or "layer"
        self._group_info = GroupInfo(name, "layer", self.parameters(), note=f"{self._nout} x {self._activation}")
        for place, neuron in enumerate(self.neurons):
            neuron._layer_info, neuron._place = self._group_info, place
            neuron._name_group()

    def _prefix_labels(self, prefix: str) -> None:
        super()._prefix_labels(prefix)  # every parameter's label
        self._path = prefix + self._path
        for neuron in self.neurons:
            neuron._path = prefix + neuron._path
        self._name_group()

    @property
    def nout(self) -> int:
        """Number of neurons (outputs)."""
        return self._nout

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        """The outputs for inputs ``x``: a list, or one Value when ``nout`` is 1."""
        out = self._forward(_check_inputs(x, self._nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def _forward(self, x: Sequence[Input]) -> list[Value]:
        return [neuron._forward(x) for neuron in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self._nin}, {self._nout}, activation={self._activation!r}, init={self._init!r})"


class MLP(_Configured):
    """A multi-layer perceptron: layers of sizes ``nouts`` one after another.

    Hidden layers use ``activation``, the last one ``output_activation``
    (``"linear"`` by default, as micrograd; ``"sigmoid"`` for probabilities).
    With ``init=None`` each layer gets the scheme suited to its own activation.
    Parameters are named ``layers.0.neurons.1.w.0`` and labelled ``L0.N1.w0``.
    Returns a list, or one Value when the last layer has one output.

    >>> model = MLP(2, [3, 1], seed=0)
    >>> out = model([1.0, -1.0])
    >>> type(out).__name__, len(model.parameters())
    ('Value', 13)
    >>> model.named_parameters()[4][0], model.parameters()[4].label
    ('layers.0.neurons.1.w.1', 'L0.N1.w1')
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: Seed = None,
        init: str | None = None,
    ) -> None:
        self._nin = check_size(nin, "MLP", "nin")
        if not is_list_like(nouts):
            raise TypeError(f"MLP: nouts must be a list of layer sizes such as [4, 4, 1], got {nouts!r}")
        self._nouts = [check_size(n, "MLP", "each layer size in nouts") for n in nouts]
        if not self._nouts:
            raise ValueError("MLP: nouts is empty; give at least one layer size, such as [4, 1]")
        self._activation, _ = activation_function(activation, "MLP")
        self._output_activation, _ = activation_function(output_activation, "MLP")
        if init is not None:
            resolve_init(init, self._activation, "MLP")
        self._init = init
        rng = make_rng(seed, "MLP")
        sizes = [self._nin] + self._nouts
        last = len(self._nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], self._output_activation if i == last else self._activation, rng, init)
            for i in range(len(self._nouts))
        ]
        for i, layer in enumerate(self.layers):
            layer._prefix_labels(f"L{i}.")

    @property
    def nouts(self) -> list[int]:
        """The layer sizes (a copy)."""
        return list(self._nouts)

    @property
    def output_activation(self) -> str:
        """Activation of the last layer."""
        return self._output_activation

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        """The network's output for inputs ``x``: a list, or one Value for a single output."""
        x = _check_inputs(x, self._nin, "MLP")
        for layer in self.layers:
            x = layer._forward(x)
        return x[0] if len(x) == 1 else x

    def __repr__(self) -> str:
        init = "" if self._init is None else f", init={self._init!r}"
        return (
            f"MLP({self._nin}, {self._nouts}, activation={self._activation!r}, "
            f"output_activation={self._output_activation!r}{init})"
        )
