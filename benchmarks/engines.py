"""The two engines under comparison, behind one small interface: gradtrace and micrograd 0.1.0."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import micrograd.engine

import autograd


def _micrograd_tanh(self: micrograd.engine.Value) -> micrograd.engine.Value:
    """tanh written the way micrograd writes its ops (a closure per node); 0.1.0 has none."""
    t = math.tanh(self.data)
    out = micrograd.engine.Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


if not hasattr(micrograd.engine.Value, "tanh"):
    micrograd.engine.Value.tanh = _micrograd_tanh


@dataclass(frozen=True)
class Engine:
    """A name and a Value class with +, *, relu, tanh and backward()."""

    name: str
    Value: Callable[[float], Any]


GRADTRACE = Engine("gradtrace", autograd.Value)
MICROGRAD = Engine("micrograd", micrograd.engine.Value)
