"""gradtrace's scalar reverse-mode automatic differentiation engine.

``import autograd`` loads the engine (``Value``, grad mode, the topological
sort, gradcheck, the backward trace) and nothing that draws: the drawing names
(``draw_graph``, ``save_graph``, ``save_explorer``, ...) are imported on first
use, so Graphviz, XML and JSON cost nothing until a program draws.
``from autograd import draw_graph`` works as usual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import GradcheckError, Mismatch, gradcheck, numerical_grad
from autograd.groups import group
from autograd.tape import BatchedGradient, BatchedTape, Gradient, Tape, TapeError, TapeMismatchError, record
from autograd.topo import topological_order
from autograd.trace import BackwardStep, trace_backward
from autograd.value import Value

if TYPE_CHECKING:  # the lazy names, for type checkers and editors
    from autograd.explorer import save_explorer
    from autograd.render import (
        GraphTooLargeError,
        GraphvizError,
        GraphvizNotFoundError,
        GraphvizTimeoutError,
        draw_graph,
        save_graph,
        save_graph_steps,
    )

__all__ = [
    "Value",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "numerical_grad",
    "gradcheck",
    "GradcheckError",
    "Mismatch",
    "topological_order",
    "draw_graph",
    "save_graph",
    "save_graph_steps",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
    "GraphvizError",
    "GraphvizTimeoutError",
    "group",
    "trace_backward",
    "BackwardStep",
    "save_explorer",
    "record",
    "Tape",
    "BatchedTape",
    "Gradient",
    "BatchedGradient",
    "TapeError",
    "TapeMismatchError",
]

# public name -> the submodule that defines it, imported by __getattr__ on first use.
# (gradcheck stays eager: a lazy one would be shadowed by its own submodule once imported.)
_LAZY = {
    "draw_graph": "autograd.render",
    "save_graph": "autograd.render",
    "save_graph_steps": "autograd.render",
    "GraphvizError": "autograd.render",
    "GraphvizNotFoundError": "autograd.render",
    "GraphvizTimeoutError": "autograd.render",
    "GraphTooLargeError": "autograd.render",
    "save_explorer": "autograd.explorer",
}


def __getattr__(name: str) -> Any:
    """Import a lazy public name's submodule the first time the name is asked for, then keep it here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    """The public names (loaded or not) and the module's own dunders, not its import helpers."""
    return sorted(set(__all__) | {name for name in globals() if name.startswith("__")})
