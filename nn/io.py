"""Saving a model's parameters to a JSON file (atomically) and loading them back."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TypeVar, Union

from autograd.files import write_file
from nn.module import Module, StateDictError

__all__ = ["save_model", "load_model", "FORMAT"]

FORMAT = "gradtrace.nn.state_dict"
_VERSION = 1
PathLike = Union[str, "os.PathLike[str]"]
M = TypeVar("M", bound=Module)


def save_model(module: Module, path: PathLike) -> Path:
    """Write ``module.state_dict()`` to ``path`` as JSON; return the path.

    Written by :func:`autograd.files.write_file`: ``path`` holds either the old
    or the new complete file, never half of one, and a missing parent folder is
    created. Floats are written exactly (``repr``), so loading gives back the
    very same numbers. The file looks like
    ``{"format": "gradtrace.nn.state_dict", "version": 1, "model": "MLP",
    "parameters": {"layers.0.neurons.0.w.0": 0.12, ...}}``.
    A NaN or infinite parameter (training diverged) cannot be written as JSON:
    ``ValueError`` naming it. A path that cannot be written (a folder, a path
    under a file, a full disk): :class:`~autograd.files.FileWriteError`.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> model = MLP(2, [2, 1], seed=0)
    >>> path = save_model(model, os.path.join(tempfile.mkdtemp(), "models", "model.json"))
    >>> load_model(MLP(2, [2, 1], seed=1), path).state_dict() == model.state_dict()
    True
    """
    if not isinstance(module, Module):
        raise TypeError(f"save_model: expected a Module, got {module!r}")
    path = Path(path)
    state = module.state_dict()
    bad = [name for name, x in state.items() if not math.isfinite(x)]
    if bad:
        raise ValueError(
            f"save_model: parameters {', '.join(bad[:10])} are not finite ({state[bad[0]]!r}); JSON has no NaN or inf"
        )
    document = {"format": FORMAT, "version": _VERSION, "model": type(module).__name__, "parameters": state}
    return write_file(path, json.dumps(document, indent=1, allow_nan=False) + "\n", who="save_model")


def load_model(module: M, path: PathLike) -> M:
    """Load parameters saved by :func:`save_model` into ``module``; return ``module``.

    A plain JSON object of ``name -> number`` (``json.dump(model.state_dict())``)
    is accepted too. The names must fit the model exactly and every value must
    be a finite number, as for ``load_state_dict``; if not, nothing is changed.
    A file that is not a saved model (not UTF-8 text, not JSON, JSON nested too
    deeply to read) is a ``ValueError`` naming the file.

    >>> import tempfile, os
    >>> from nn import Neuron
    >>> path = os.path.join(tempfile.mkdtemp(), "diverged.json")
    >>> with open(path, "w") as f:
    ...     _ = f.write('{"w.0": 1e999, "b": 0.5}')  # JSON reads 1e999 as inf
    >>> load_model(Neuron(1, seed=0), path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nn.module.StateDictError: load_model('...diverged.json'): Neuron.load_state_dict: ...
      not a finite number (1): 'w.0' = inf
    """
    if not isinstance(module, Module):
        raise TypeError(f"load_model: expected a Module to load into, got {module!r}")
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"load_model: {str(path)!r} is not a saved model: it is not UTF-8 text "
            f"(byte 0x{data[e.start]:02x} at position {e.start})"
        ) from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise ValueError(f"load_model: {str(path)!r} is not a saved model: its JSON is nested too deeply") from None
    except ValueError as e:  # JSONDecodeError, or an integer with more digits than Python converts
        raise ValueError(f"load_model: {str(path)!r} is not valid JSON: {e}") from None
    if not isinstance(document, dict):
        raise ValueError(f"load_model: {str(path)!r} holds a JSON {type(document).__name__}, not a saved model")
    if "format" in document:
        if document["format"] != FORMAT or document.get("version") != _VERSION:
            raise ValueError(
                f"load_model: {str(path)!r} has format {document['format']!r} version {document.get('version')!r}; "
                f"expected {FORMAT!r} version {_VERSION}"
            )
        state = document.get("parameters")
        if not isinstance(state, dict):
            raise ValueError(f"load_model: {str(path)!r} has no 'parameters' object")
    else:
        state = document
    try:
        module.load_state_dict(state)
    except StateDictError as e:
        raise StateDictError(f"load_model({str(path)!r}): {e}", e.missing, e.unexpected, e.invalid) from None
    return module
