"""gradtrace's scalar reverse-mode automatic differentiation engine."""

from autograd.explorer import save_explorer
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.gradcheck import GradcheckError, Mismatch, gradcheck, numerical_grad
from autograd.groups import group
from autograd.render import (
    GraphTooLargeError,
    GraphvizError,
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    draw_graph,
    save_graph,
    save_graph_steps,
)
from autograd.tape import BatchedGradient, BatchedTape, Gradient, Tape, TapeError, TapeMismatchError, record
from autograd.topo import topological_order
from autograd.trace import BackwardStep, trace_backward
from autograd.value import Value

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
