"""Switching graph recording off and on, per thread and per asyncio task: ``no_grad()`` and ``enable_grad()``."""

from __future__ import annotations

from contextlib import ContextDecorator
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any

__all__ = ["no_grad", "enable_grad", "is_grad_enabled"]

# Whether ops record is a property of the running context (contextvars), as
# decimal's precision is: each thread starts recording, whatever other threads
# do; an asyncio task starts in the state of the code that created it and then
# switches on its own. The state is this variable: an _Off (a false 0) inside
# no_grad(), True inside enable_grad(), unset (recording) where neither was used.
_recording: ContextVar[Any] = ContextVar("autograd_recording")


class _GradMode:
    """The one question every op asks: ``_mode.enabled``, true when ops here record their parents.

    Speed: an op pays one read of this for every node it makes. A slot read
    costs about 10 ns, ``ContextVar.get()`` about 20 and a ``threading.local``
    attribute about 40, on ops of 250 to 500 ns. So while no ``no_grad()`` is
    alive anywhere, ``_mode`` is of this class and ``enabled`` is a slot that
    stays True. While one is (in any thread or task, or in a context copied from
    one), ``_mode`` is switched to ``_AskContext``, whose ``enabled`` asks the
    running context (about 27 ns).
    """

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


class _AskContext(_GradMode):
    """``_mode``'s class while some context may have recording off."""

    __slots__ = ()
    # Read as _recording.get(_mode), all in C: the context's value, or _mode
    # itself (a true object) where recording was never switched.
    enabled = property(_recording.get)


_mode = _GradMode()
_alive = 0  # _Off objects in existence


class _Off(int):
    """The value of ``_recording`` inside a ``no_grad()`` block: a 0, so ops read it as false.

    It lives as long as some context holds it: the block's, and every context
    copied from it (an asyncio task created inside the block). While any _Off
    exists, ``_mode`` asks the context; when the last one is freed, ``_mode``
    goes back to the fast slot. (An int, so that its truth is tested in C.)

    ``__init__`` and ``__del__`` make no call: CPython switches threads and
    handles signals only on entering a function, after a call and at a loop's
    jump, so each body runs as one step that no other thread and no Ctrl-C can
    cut (a lock would add a call, and with it a place to be cut). An interrupt
    on entering ``__init__`` counts nothing, and ``__del__`` then uncounts
    nothing; one on entering ``__del__`` (Python prints it and drops it) leaves
    the count high: ops then keep asking the context, slower but never wrong.
    """

    _counted = False

    def __init__(self) -> None:
        global _alive
        _alive += 1
        self._counted = True
        _mode.__class__ = _AskContext

    def __del__(self) -> None:
        global _alive
        if self._counted:
            _alive -= 1
            if not _alive:
                _mode.__class__ = _GradMode


def is_grad_enabled() -> bool:
    """Return ``True`` when ops record their parents here (outside ``no_grad()``, in this thread or task).

    >>> from autograd import no_grad
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    >>> is_grad_enabled()
    True
    """
    return bool(_mode.enabled)


class _SetGradMode(ContextDecorator):
    """Set recording on or off in the running context inside the block; restore the previous state on exit."""

    _enabled: bool  # recording inside the block: each subclass says which

    def __init__(self) -> None:
        self._tokens: list[Token[Any]] = []

    def _recreate_cm(self) -> _SetGradMode:
        # As a decorator, each call gets its own block: calls in several threads
        # (or nested ones) then never pop each other's saved state.
        return type(self)()

    def __enter__(self) -> None:
        before = _recording.get(True)
        try:
            self._tokens.append(_recording.set(True if self._enabled else _Off()))
        except BaseException:  # interrupted between the set and the append: the block is not entered
            _recording.set(before)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The reset comes first, with no call before it (the saved token is read,
        # not popped): once this method has begun, it happens before any Ctrl-C
        # can be handled. One that arrives in the few bytecodes between the
        # block's last call and this method's start still leaves recording off,
        # as it would PyTorch's no_grad: nothing written in Python closes that.
        token = self._tokens[-1]
        try:
            _recording.reset(token)
        except ValueError:  # the block ends in another context than it began (a generator resumed elsewhere)
            _recording.set(True if token.old_value is Token.MISSING else token.old_value)
        del self._tokens[-1]


class no_grad(_SetGradMode):  # noqa: N801  (lower case, as in PyTorch)
    """Context manager (and decorator) in which ops build no graph.

    Values computed inside have no parents, so forward-only evaluation is cheap
    and nothing is kept alive for a backward pass. The previous state comes back
    on exit, also when the block raises.

    The switch belongs to the thread, and to the asyncio task, that enters the
    block: other threads and tasks keep recording meanwhile. A task created
    inside the block starts with recording off (it copies the creator's
    context); a thread started inside it starts with recording on.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (4.0, ())
    """

    _enabled = False


class enable_grad(_SetGradMode):  # noqa: N801  (lower case, as in PyTorch)
    """Context manager (and decorator) that turns recording back on inside ``no_grad()``, for this thread or task.

    >>> from autograd import Value, enable_grad, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         y = x * x
    >>> y.parents == (x, x)
    True
    """

    _enabled = True
