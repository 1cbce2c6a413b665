"""Switching graph recording off and on: ``no_grad()`` and ``enable_grad()``."""

from __future__ import annotations

from contextlib import ContextDecorator
from types import TracebackType

__all__ = ["no_grad", "enable_grad", "is_grad_enabled"]


class _GradMode:
    """The one switch every op reads. Not thread-local: use one graph per thread."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Return ``True`` when ops record their parents (outside ``no_grad()``)."""
    return _mode.enabled


class _SetGradMode(ContextDecorator):
    """Set recording to ``enabled`` inside the block; restore the previous state on exit."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_mode.enabled)
        _mode.enabled = self._enabled

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _mode.enabled = self._previous.pop()


class no_grad(_SetGradMode):  # noqa: N801  (lower case, as in PyTorch)
    """Context manager (and decorator) in which ops build no graph.

    Values computed inside have no parents, so forward-only evaluation is cheap
    and nothing is kept alive for a backward pass. The previous state comes back
    on exit, also when the block raises.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (4.0, ())
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_SetGradMode):  # noqa: N801
    """Context manager (and decorator) that turns recording back on inside ``no_grad()``."""

    def __init__(self) -> None:
        super().__init__(True)
