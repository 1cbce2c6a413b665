"""Saving a model's parameters to a JSON file (atomically) and loading them back."""

from __future__ import annotations

import json
import math
import os
import secrets
from pathlib import Path
from typing import TypeVar, Union

from nn.module import Module, StateDictError

__all__ = ["save_model", "load_model", "FORMAT"]

FORMAT = "gradtrace.nn.state_dict"
_VERSION = 1
PathLike = Union[str, "os.PathLike[str]"]
M = TypeVar("M", bound=Module)


def save_model(module: Module, path: PathLike) -> Path:
    """Write ``module.state_dict()`` to ``path`` as JSON; return the path.

    The file is written to a temporary file beside ``path`` and then renamed
    over it, so ``path`` holds either the old or the new complete file, never
    half of one. Floats are written exactly (``repr``), so loading gives back
    the very same numbers. The file looks like
    ``{"format": "gradtrace.nn.state_dict", "version": 1, "model": "MLP",
    "parameters": {"layers.0.neurons.0.w.0": 0.12, ...}}``.
    A NaN or infinite parameter (training diverged) cannot be written as JSON:
    ``ValueError`` naming it.

    >>> import tempfile, os
    >>> from nn import MLP
    >>> model = MLP(2, [2, 1], seed=0)
    >>> path = save_model(model, os.path.join(tempfile.mkdtemp(), "model.json"))
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
            f"save_model: parameters {', '.join(bad[:10])} are not finite ({state[bad[0]]!r}); "
            "JSON has no NaN or inf"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save_model: the directory {str(path.parent)!r} does not exist; create it first")
    document = {"format": FORMAT, "version": _VERSION, "model": type(module).__name__, "parameters": state}
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return path


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the system allows it (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_model(module: M, path: PathLike) -> M:
    """Load parameters saved by :func:`save_model` into ``module``; return ``module``.

    A plain JSON object of ``name -> number`` (``json.dump(model.state_dict())``)
    is accepted too. The names must fit the model exactly, as for
    ``load_state_dict``; if they do not, nothing is changed.
    """
    if not isinstance(module, Module):
        raise TypeError(f"load_model: expected a Module to load into, got {module!r}")
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
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
