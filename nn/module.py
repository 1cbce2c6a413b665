"""``Module``: a model's parameters by name, and its state as a plain dict of floats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from autograd import Value
from nn._checks import is_finite_number, is_list_like, is_number

__all__ = ["Module", "StateDictError", "parameter_values"]

_SHOWN = 10  # names listed per kind of problem in a StateDictError message


class StateDictError(ValueError):
    """``load_state_dict`` got a dict that does not fit the model; nothing was changed.

    ``.missing``: names the model has but the dict lacks; ``.unexpected``: keys
    the model does not have; ``.invalid``: names whose value is not a finite number.
    """

    def __init__(self, message: str, missing: list[str], unexpected: list[Any], invalid: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
        self.unexpected = unexpected
        self.invalid = invalid


def _shown(x: object, limit: int = 40) -> str:
    """``repr(x)``, shortened: a 400-digit int or a long string should not flood the message."""
    try:
        text = repr(x)
    except ValueError:  # an int beyond Python's digit limit for str()
        return f"<an int of about {x.bit_length() * 0.30103:.0f} digits>"  # type: ignore[attr-defined]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _listing(kind: str, items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    more = f", ... and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return f"\n  {kind} ({len(items)}): {shown}{more}"


class Module:
    """Base of every model: it finds its parameters by walking its attributes.

    A ``Value`` attribute is a parameter named after the attribute; a list or
    tuple is walked with each item's index as the next part of the name; a
    ``Module`` attribute is walked in turn. Attributes are visited in the order
    they were first set, so the constructor fixes names and order. Anything
    else (numbers, strings, functions) is ignored. A Value reached twice is
    listed once, under its first name. Calling a module calls its ``forward``.

    >>> from autograd import Value
    >>> class Line(Module):
    ...     def __init__(self):
    ...         self.w = [Value(2.0), Value(3.0)]
    ...         self.b = Value(1.0)
    ...     def forward(self, x):
    ...         return self.b + self.w[0] * x[0] + self.w[1] * x[1]
    >>> line = Line()
    >>> [name for name, _ in line.named_parameters()]
    ['w.0', 'w.1', 'b']
    >>> line([1.0, 1.0]).data
    6.0
    >>> line.state_dict()
    {'w.0': 2.0, 'w.1': 3.0, 'b': 1.0}
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the model; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} defines no forward(); write one to call it")

    # ------------------------------------------------------------- parameters
    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted path, e.g. ``("layers.0.neurons.1.w.0", value)``."""
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()  # ids of the Values and Modules already visited

        def visit(name: str, obj: object) -> None:
            if isinstance(obj, Value):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    found.append((name, obj))
            elif isinstance(obj, Module):
                if id(obj) not in seen:
                    seen.add(id(obj))
                    for attr, item in vars(obj).items():  # a Module always has a __dict__
                        visit(f"{name}.{attr}" if name else attr, item)
            elif isinstance(obj, (list, tuple)):
                for i, item in enumerate(obj):
                    visit(f"{name}.{i}", item)

        visit("", self)
        return found

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of :meth:`named_parameters`."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def _prefix_labels(self, prefix: str) -> None:
        """Put ``prefix`` in front of every parameter's label (``w0`` -> ``N1.w0``)."""
        for p in self.parameters():
            p.label = prefix + p.label

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter: plain floats, ready for ``json.dump``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from ``state``, which must have exactly this model's names.

        Missing names, extra names and values that are not finite numbers
        (NaN, inf, an int too large for a float, a string) raise
        :class:`StateDictError` (a ``ValueError``) listing them all, and then no
        parameter has been changed. Ints are stored as floats; ``.grad`` is left alone.

        >>> from nn import Neuron
        >>> n = Neuron(1, seed=0)
        >>> n.load_state_dict({"w.0": 0.5, "b": float("nan")})
        Traceback (most recent call last):
        ...
        nn.module.StateDictError: Neuron.load_state_dict: the dict does not fit this model; nothing was loaded
          not a finite number (1): 'b' = nan
        """
        who = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping):
            raise TypeError(f"{who}: expected a dict of parameter name -> number, got {type(state).__name__}")
        named = self.named_parameters()
        names = {name for name, _ in named}
        missing = [name for name, _ in named if name not in state]
        unexpected = [key for key in state if key not in names]
        invalid = [name for name, _ in named if name in state and not is_finite_number(state[name])]
        not_numbers = [name for name in invalid if not is_number(state[name])]
        not_finite = [name for name in invalid if is_number(state[name])]
        if missing or unexpected or invalid:
            message = f"{who}: the dict does not fit this model; nothing was loaded"
            if missing:
                message += _listing("missing", [repr(n) for n in missing])
            if unexpected:
                message += _listing("unexpected", [repr(k) for k in unexpected])
            if not_numbers:
                details = [f"{n!r} = {_shown(state[n])} ({type(state[n]).__name__})" for n in not_numbers]
                message += _listing("not a number", details)
            if not_finite:
                message += _listing("not a finite number", [f"{n!r} = {_shown(state[n])}" for n in not_finite])
            raise StateDictError(message, missing, unexpected, invalid)
        for name, p in named:
            p.data = float(state[name])

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def parameter_values(params: object, who: str) -> list[Value]:
    """The Values ``params`` stands for: a Module's ``parameters()``, or an iterable of Values.

    Anything else is a TypeError from ``who`` saying what was given.
    """
    if isinstance(params, Module):
        return params.parameters()
    if isinstance(params, Value) or not is_list_like(params):
        raise TypeError(f"{who}: params must be a Module or a list of Values, got {params!r}")
    values = list(params)
    for i, p in enumerate(values):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params[{i}] is {p!r} of type {type(p).__name__}, not a Value")
    return cast("list[Value]", values)  # every item checked just above
