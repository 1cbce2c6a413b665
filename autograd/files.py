"""The one way gradtrace writes files: each file is replaced whole, or left as it was.

Every file the project writes (graphs, explorer pages, saved models, the demos'
pictures and JSON) goes through one of three entry points:

* :func:`write_file`: the bytes (or text, as UTF-8) of one file;
* :func:`write_files`: several files, all or nothing;
* :func:`staged_path`: a temporary file name for a writer that wants a name
  (``matplotlib``'s ``savefig``), moved into place when the writer is done.

How a file is written: the data goes to a new hidden file in the target's own
folder (``.name.tmp-1f2e3d4c.suffix``), is flushed and synced to disk, then
``os.replace`` renames it over the target in one step, and the folder is synced
so the rename survives a crash. Until the rename, the target holds its old
content; after it, the new one; never a mix. On any failure (an exception,
Ctrl-C, a full disk, a file-size limit: Python ignores ``SIGXFSZ``, so the
write fails with ``EFBIG`` instead of killing the process) the temporary file
is removed and the target is untouched.

Folders: missing parent folders are created (as ``mkdir -p`` would), and the
ones created are removed again if the write fails. A parent that is a file, a
target that is a folder, a full disk, a read-only or forbidden folder: each is
a :class:`FileWriteError` (an ``OSError``) whose message names the path and
says what to do. A symbolic link at the target is followed: the file it points
to is replaced and the link stays, as with ``open(path, "w")``. A target that
already exists keeps its permission bits; a new one gets the usual
``0o666 & ~umask``.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Union

__all__ = ["FileWriteError", "write_file", "write_files", "staged_path", "check_target"]

PathLike = Union[str, "os.PathLike[str]"]
_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines


class FileWriteError(OSError):
    """A file could not be written; the old file (if any) is unchanged and nothing was left behind.

    ``.filename`` is the path as given, ``.reason`` what went wrong and what to
    do, ``.who`` the function that was writing, ``.errno`` the system's error
    number (``ENOTDIR`` for a path under a file, ``EISDIR`` for a folder).
    """

    def __init__(self, who: str, path: PathLike, reason: str, code: int | None = None) -> None:
        super().__init__(f"{who}: cannot write {str(path)!r}: {reason}")
        self.errno = code
        self.filename = str(path)
        self.reason = reason
        self.who = who

    def __reduce__(self) -> tuple[type, tuple[str, str, str, int | None]]:
        return type(self), (self.who, self.filename, self.reason, self.errno)  # pickles (for multiprocessing)

    def __str__(self) -> str:
        return str(self.args[0])  # OSError's own would show "[Errno ..]" once errno or filename is set


def write_file(path: PathLike, data: bytes | str, *, who: str = "write_file") -> Path:
    """Replace the file at ``path`` by ``data`` (``str`` is written as UTF-8); return the path.

    The file holds either its old content or all of ``data``, never a part
    (see the module docstring for how, and for folders and errors). ``who``
    names the caller in error messages.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> path = write_file(os.path.join(folder, "notes", "a.txt"), "first\\n")
    >>> path = write_file(path, b"second\\n")
    >>> path.read_text(), os.listdir(os.path.join(folder, "notes"))
    ('second\\n', ['a.txt'])
    """
    return write_files({path: data}, who=who)[0]


def write_files(files: Mapping[PathLike, bytes | str], *, who: str = "write_files") -> list[Path]:
    """Replace several files, all or nothing; return their paths in the order given.

    First every file is written to its temporary file (and, for each target
    but the last that already exists, a hard link to the old file is kept
    beside it); only when all are on disk are they renamed into place, one
    after the other. If a rename fails, or Ctrl-C arrives among them, the files
    already renamed are put back: an old file from its link, a file that did
    not exist before by removing it. So when ``write_files`` raises, every
    target holds what it held before, no file that did not exist exists, and no
    temporary file or link is left; when it returns, every target holds its
    new content. What it cannot promise: a program reading the files during
    the renames (a few microseconds) may see some new and some old, and if
    the machine itself stops mid-rename (power loss), some may be new and a
    temporary file may remain. Should putting a file back fail as well (the
    folder made read-only meanwhile), the error lists the files left new and
    where their old content was kept.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> paths = write_files({os.path.join(folder, "a.txt"): "A", os.path.join(folder, "b.txt"): b"B"})
    >>> [p.read_text() for p in paths], sorted(os.listdir(folder))
    (['A', 'B'], ['a.txt', 'b.txt'])
    """
    entries = _plan(files, who)
    made: list[Path] = []
    current = entries[0]
    renaming = False
    try:
        for current in entries:
            made += _make_folders(current, who)
        for i, current in enumerate(entries):
            current.temp = _temporary_name(current.real, "tmp")  # named first, so a cleanup finds it
            _write_new(current.temp, current.data, like=current.real)
            if i < len(entries) - 1:  # the last one never needs putting back: once it is renamed, all are
                _keep_old(current)
        renaming = True  # every temporary file exists from here on; only os.replace removes one
        for current in entries:
            assert current.temp is not None  # named in the loop above
            os.replace(current.temp, current.real)
    except BaseException as err:
        if renaming and all(_renamed(e) for e in entries):  # Ctrl-C after the last rename: the set is complete
            _finish(entries, made)
            raise
        left_new = _undo(entries) if renaming else []
        _remove_staged(entries)
        _remove_folders(made)
        if isinstance(err, FileWriteError):
            raise
        if isinstance(err, OSError):
            raise _error(who, current.path, err, left_new) from err
        raise
    _finish(entries, made)
    return [e.path for e in entries]


@contextmanager
def staged_path(path: PathLike, *, who: str = "staged_path") -> Iterator[Path]:
    """A temporary file name to write ``path`` through; renamed over ``path`` when the block ends well.

    For writers that want a file name rather than bytes. The name is in the
    target's folder and ends in the same suffix (``savefig`` picks the format
    from it). If the block raises (Ctrl-C included), the temporary file is
    removed and ``path`` is untouched; an ``OSError`` about the temporary file
    (a full disk, a file-size limit) becomes a :class:`FileWriteError` naming
    ``path``.

    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "pictures", "plot.txt")
    >>> with staged_path(target) as tmp:
    ...     _ = tmp.write_text("drawn")      # e.g. fig.savefig(tmp)
    >>> open(target).read(), os.listdir(os.path.dirname(target))
    ('drawn', ['plot.txt'])
    """
    entry = _plan({path: b""}, who)[0]
    made = _make_folders(entry, who)
    temp = _temporary_name(entry.real, "tmp")
    try:
        _write_new(temp, b"", like=entry.real)  # reserves the name; the writer overwrites it
        yield temp
        _sync_file(temp)
        os.replace(temp, entry.real)
    except BaseException as err:
        _remove(temp)
        _remove_folders(made)
        if isinstance(err, OSError) and not isinstance(err, FileWriteError) and err.filename in (None, str(temp)):
            raise _error(who, entry.path, err) from err
        raise
    _sync_folder(entry.real.parent)


def check_target(path: PathLike, *, who: str = "check_target") -> Path:
    """``path`` as a Path, if what can be told without writing allows writing it; else :class:`FileWriteError`.

    Refused: a path that is a folder, and a path under a file (``notes.txt/a.json``).
    Commands call it on their output paths before long work, to fail at once.

    >>> check_target("out/new/picture.png").name
    'picture.png'
    >>> import tempfile
    >>> check_target(tempfile.gettempdir(), who="demo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd.files.FileWriteError: demo: cannot write '...': it is a folder; give the path of a file in it
    """
    return _plan({path: b""}, who)[0].path


# --------------------------------------------------------------------- helpers
@dataclass
class _Entry:
    """One file of a write: where it goes and the files made on the way."""

    path: Path  # as the caller gave it, for messages and the return value
    real: Path  # with symbolic links followed: the file that is replaced
    data: bytes
    temp: Path | None = None  # the new content, until it is renamed over `real`
    backup: Path | None = None  # a hard link to (or copy of) the old file, to put it back


def _renamed(entry: _Entry) -> bool:
    """In the rename phase: the temporary file has been renamed into place (nothing else removes it)."""
    return entry.temp is not None and not os.path.lexists(entry.temp)


def _plan(files: Mapping[PathLike, bytes | str], who: str) -> list[_Entry]:
    """The entries to write, each checked: a file path, not under a file, not twice."""
    if not isinstance(files, Mapping) or not files:
        raise ValueError(f"{who}: expected a dict of path -> bytes or str with at least one file, got {files!r}")
    entries: list[_Entry] = []
    seen: dict[Path, Path] = {}
    for given, data in files.items():
        if not isinstance(given, (str, os.PathLike)):
            raise TypeError(f"{who}: a path must be a str or a Path, got {given!r}")
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        elif not isinstance(data, bytes):
            raise TypeError(f"{who}: the content of {str(given)!r} must be bytes or str, got {type(data).__name__}")
        if os.fspath(given).endswith(("/", os.sep)):  # Path() would drop the slash and write a file there
            raise FileWriteError(
                who, given, "it ends in a slash, so it names a folder; give the path of a file", errno.EISDIR
            )
        path = Path(given)
        if not path.name or path.name in (".", ".."):
            raise _error(who, path, IsADirectoryError(errno.EISDIR, "is a folder"))
        real = Path(os.path.realpath(path))
        if real in seen:
            raise ValueError(f"{who}: {str(seen[real])!r} and {str(path)!r} are the same file; give each file once")
        seen[real] = path
        if os.path.isdir(real):
            raise _error(who, path, IsADirectoryError(errno.EISDIR, "is a folder"))
        blocker = _file_in_the_way(path.parent) or _file_in_the_way(real.parent)
        if blocker is not None:
            reason = f"{str(blocker)!r} is a file, not a folder; choose another path"
            raise FileWriteError(who, path, reason, errno.ENOTDIR)
        entries.append(_Entry(path, real, data))
    return entries


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest existing ancestor of ``folder`` (itself included) when it is not a folder."""
    for f in (folder, *folder.parents):
        if os.path.isdir(f):
            return None
        if os.path.lexists(f):
            return f
    return None


def _make_folders(entry: _Entry, who: str) -> list[Path]:
    """Create the missing folders above ``entry``; return those created, outermost first."""
    missing = []
    folder = entry.real.parent
    while not os.path.isdir(folder):
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            try:
                os.mkdir(folder)
            except FileExistsError:
                if not os.path.isdir(folder):  # a file appeared there since the check
                    reason = f"{str(folder)!r} is a file, not a folder; choose another path"
                    raise FileWriteError(who, entry.path, reason, errno.ENOTDIR) from None
                continue
            made.append(folder)
    except BaseException as err:
        _remove_folders(made)
        if isinstance(err, OSError) and not isinstance(err, FileWriteError):
            raise _error(who, entry.path, err) from err
        raise
    return made


def _temporary_name(real: Path, kind: str) -> Path:
    """A new hidden name beside ``real`` with the same suffix: ``.stem.tmp-1f2e3d4c.suffix``."""
    return real.with_name(f".{real.stem[:100]}.{kind}-{os.urandom(4).hex()}{real.suffix[:20]}")


def _write_new(temp: Path, data: bytes, like: Path) -> None:
    """Create ``temp`` (it must not exist), write ``data``, flush it to disk; the mode of ``like`` if it exists."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
    try:
        with suppress(FileNotFoundError):  # no old file: the new one keeps its default mode
            os.chmod(temp, stat.S_IMODE(os.stat(like).st_mode))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]  # a write may be partial (at a size limit): go on, or fail
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | _BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _keep_old(entry: _Entry) -> None:
    """Keep the old file at ``entry.real``, if any, as ``entry.backup``: a hard link, or a copy where links fail."""
    if not os.path.lexists(entry.real):
        return
    entry.backup = _temporary_name(entry.real, "old")  # named first, so a cleanup finds it
    try:
        os.link(entry.real, entry.backup)
    except FileNotFoundError:
        entry.backup = None
    except OSError:  # a file system without hard links
        shutil.copy2(entry.real, entry.backup)


def _undo(entries: list[_Entry]) -> list[str]:
    """In the rename phase: put back every renamed target; return the targets that could not be put back."""
    left_new = []
    for e in reversed(entries):
        if not _renamed(e):
            continue
        try:
            if e.backup is not None:
                os.replace(e.backup, e.real)
            else:
                os.unlink(e.real)  # it did not exist before
        except OSError:
            kept = f" (its old content is in {str(e.backup)!r})" if e.backup is not None else ""
            left_new.append(f"{str(e.path)!r}{kept}")
            e.backup = None  # keep it: it is the only copy of the old content
    for folder in {e.real.parent for e in entries}:
        _sync_folder(folder)
    return left_new


def _remove_staged(entries: list[_Entry]) -> None:
    """Remove every temporary file and every link to an old file that is still there."""
    for e in entries:
        _remove(e.temp)
        _remove(e.backup)


def _finish(entries: list[_Entry], made: list[Path]) -> None:
    """After every rename: drop the links to the old files and make the renames durable."""
    for e in entries:
        _remove(e.backup)
    for folder in {e.real.parent for e in entries} | {f.parent for f in made[:1]}:
        _sync_folder(folder)


def _remove(path: Path | None) -> None:
    if path is not None:
        with suppress(OSError):
            os.unlink(path)


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders a failed write created (innermost first), if they are still empty."""
    for folder in reversed(made):
        with suppress(OSError):  # not empty any more: someone else wrote there meanwhile
            os.rmdir(folder)


# What went wrong, by error number, in words that say what to do.
_REASONS = {
    errno.ENOSPC: "the disk is full; free some space or write somewhere else",
    errno.EFBIG: "the file is larger than this system allows (a file-size limit: see `ulimit -f`); "
    "raise the limit or write a smaller file",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "the operation is not permitted there; choose a folder you can write to",
    errno.EROFS: "the file system is read-only; choose a folder on another disk",
    errno.EISDIR: "it is a folder; give the path of a file in it",
    errno.ENOTDIR: "a part of the path is a file, not a folder; choose another path",
    errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
    errno.ENOENT: "its folder disappeared while writing; try again",
    errno.EIO: "the disk reported an input/output error; check the disk and try again",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "the disk quota is used up; free some space or write somewhere else"


def _error(who: str, path: Path, err: OSError, left_new: list[str] | None = None) -> FileWriteError:
    """``err`` as a FileWriteError about ``path``, in words."""
    known = None if err.errno is None else _REASONS.get(err.errno)
    reason = known or err.strerror or str(err)
    if left_new:
        reason += "; putting back the old files failed too, so these hold the new content: "
        reason += ", ".join(left_new)
    return FileWriteError(who, path, reason, err.errno)
