"""Initial weights (Xavier/Glorot, He, micrograd's, the tutorials' uniform ranges) from a private generator.

Every scheme draws one neuron at a time from a ``random.Random`` that belongs to
the model being built (never the global generator): first its weights
``w0 .. w{n-1}``, then its bias where the scheme draws one. A layer draws its
neurons in order, an MLP its layers in order, all from one generator, so the
same ``seed`` gives the same weights on every machine and Python version.

| scheme        | weights                                        | bias          |
| ------------- | ---------------------------------------------- | ------------- |
| ``xavier``    | U(-a, a), a = sqrt(6 / (fan_in + fan_out))     | 0             |
| ``he``        | U(-a, a), a = sqrt(6 / fan_in)                 | 0             |
| ``uniform``   | U(-1, 1)                                       | U(-1, 1)      |
| ``uniform01`` | U(0, 1) (the classic first tutorial)           | U(0, 1)       |
| ``micrograd`` | U(-1, 1), as micrograd's ``Neuron`` draws them | 0             |

``fan_in`` is the number of inputs of a neuron, ``fan_out`` the width of its
layer (1 for a lone neuron). The default (``init=None``) is He for ``relu`` and
Xavier for ``tanh``, ``sigmoid`` and ``linear``.

``micrograd`` draws exactly what micrograd 0.1.0 draws: its ``Neuron`` takes
``random.uniform(-1, 1)`` once per weight and sets the bias to 0, neuron by
neuron, layer by layer, from Python's global generator. So after
``random.seed(s)``, ``micrograd.nn.MLP(2, [16, 16, 1])`` holds the very weights of
``MLP(2, [16, 16, 1], init="micrograd", seed=s)``, and the two train alike.
"""

from __future__ import annotations

import math
import random
from numbers import Integral

__all__ = ["INITS", "default_init", "resolve_init", "make_rng", "draw_neuron"]

INITS = ("xavier", "he", "uniform", "uniform01", "micrograd")


def default_init(activation: str) -> str:
    """The scheme suited to ``activation``: ``"he"`` for relu, ``"xavier"`` otherwise.

    >>> default_init("relu"), default_init("tanh")
    ('he', 'xavier')
    """
    return "he" if activation == "relu" else "xavier"


def resolve_init(init: object, activation: str, who: str) -> str:
    """``init`` checked against :data:`INITS`, or the default for ``activation`` when ``None``."""
    if init is None:
        return default_init(activation)
    if not isinstance(init, str) or init not in INITS:
        known = ", ".join(repr(k) for k in INITS)
        raise ValueError(f"{who}: unknown init {init!r}; use None (by activation) or one of {known}")
    return init


def make_rng(seed: object, who: str) -> random.Random:
    """A private generator: ``Random(seed)`` for an int, fresh randomness for ``None``.

    A ``random.Random`` passed in is used as it is (that is how a layer shares
    one generator with its neurons).

    >>> make_rng(7, "Neuron").random() == random.Random(7).random()
    True
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random()
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        return random.Random(int(seed))
    raise TypeError(
        f"{who}: seed must be an int, None (fresh randomness) or a random.Random, "
        f"got {seed!r} of type {type(seed).__name__}"
    )


def draw_neuron(init: str, fan_in: int, fan_out: int, rng: random.Random) -> tuple[list[float], float]:
    """The weights and the bias of one neuron under scheme ``init``, drawn from ``rng``.

    >>> w, b = draw_neuron("uniform", 2, 1, random.Random(0))
    >>> len(w), all(-1 <= x <= 1 for x in w + [b])
    (2, True)
    >>> draw_neuron("xavier", 2, 1, random.Random(0))[1]
    0.0
    >>> rng = random.Random(0)
    >>> draw_neuron("micrograd", 2, 1, random.Random(0)) == ([rng.uniform(-1, 1), rng.uniform(-1, 1)], 0.0)
    True
    """
    if init == "xavier":
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return [rng.uniform(-a, a) for _ in range(fan_in)], 0.0
    if init == "he":
        a = math.sqrt(6.0 / fan_in)
        return [rng.uniform(-a, a) for _ in range(fan_in)], 0.0
    if init == "uniform":
        weights = [rng.uniform(-1.0, 1.0) for _ in range(fan_in)]
        return weights, rng.uniform(-1.0, 1.0)
    if init == "uniform01":
        weights = [rng.uniform(0.0, 1.0) for _ in range(fan_in)]
        return weights, rng.uniform(0.0, 1.0)
    if init == "micrograd":  # micrograd's Neuron: w = [uniform(-1, 1) for each input], b = 0
        return [rng.uniform(-1, 1) for _ in range(fan_in)], 0.0
    raise ValueError(f"draw_neuron: unknown init {init!r}; use one of {', '.join(map(repr, INITS))}")
