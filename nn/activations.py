"""Activations by name: the table that maps ``"tanh"`` and friends to a ``Value`` op."""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value

__all__ = ["ACTIVATIONS", "activation_function"]

Activation = Callable[[Value], Value] | None

# name -> the op applied to a neuron's sum; "linear" adds no node at all.
ACTIVATIONS: dict[str, Activation] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": None,
}


def activation_function(name: object, who: str) -> tuple[str, Activation]:
    """``(name, op)`` for a known activation name; ``ValueError`` listing the known ones otherwise.

    ``op`` is ``None`` for ``"linear"``. ``who`` names the caller in the message.

    >>> activation_function("relu", "Neuron")[0]
    'relu'
    >>> activation_function("gelu", "Neuron")
    Traceback (most recent call last):
    ...
    ValueError: Neuron: unknown activation 'gelu'; use one of 'tanh', 'sigmoid', 'relu', 'linear'
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"{who}: unknown activation {name!r}; use one of {known}")
    return name, ACTIVATIONS[name]
