"""autograd.files, the one atomic writer: every fault is injected, and every time the old files survive."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd.files import FileWriteError, check_target, staged_path, write_file, write_files

ROOT = Path(__file__).resolve().parents[2]


def listing(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its text: what a failed write must not change."""
    return {str(p.relative_to(folder)): p.read_text() if p.is_file() else "<dir>" for p in sorted(folder.rglob("*"))}


def fail_at(monkeypatch, name: str, call: int, error: BaseException, after: bool = False, later: bool = False) -> None:
    """Make ``os.<name>`` raise ``error`` at its ``call``-th call (``later``: and every call after it).

    With ``after``, the call runs first: the fault comes just after it did its work.
    """
    real = getattr(os, name)
    count = 0

    def faulty(*args, **kwargs):
        nonlocal count
        count += 1
        if count < call or (count > call and not later):
            return real(*args, **kwargs)
        if after:
            real(*args, **kwargs)
        raise error

    monkeypatch.setattr(os, name, faulty)


DISK_FULL = OSError(errno.ENOSPC, "No space left on device")


# ------------------------------------------------------------------ one file
def test_bytes_and_text_replace_the_file_whole(tmp_path):
    path = tmp_path / "a.txt"
    assert write_file(path, "héllo\n") == path
    assert path.read_bytes() == "héllo\n".encode()
    assert write_file(str(path), b"\x00\x01") == path
    assert path.read_bytes() == b"\x00\x01"
    assert write_file(path, bytearray(b"ab")) == path and path.read_bytes() == b"ab"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_missing_folders_are_created(tmp_path):
    path = write_file(tmp_path / "a" / "b" / "c.txt", "x")
    assert path.read_text() == "x" and listing(tmp_path) == {"a": "<dir>", "a/b": "<dir>", "a/b/c.txt": "x"}


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    old = tmp_path / "secret.txt"
    old.write_text("old")
    old.chmod(0o600)
    write_file(old, "new")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_text() == "new"
    umask = os.umask(0o022)
    try:
        new = write_file(tmp_path / "new.txt", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_file(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize(
    "where", ["a folder", "a folder with a slash", "a new folder with a slash", "under a file", "two below a file"]
)
def test_paths_that_cannot_be_files_are_named_and_nothing_changes(tmp_path, where):
    (tmp_path / "notes.txt").write_text("notes")
    (tmp_path / "pictures").mkdir()
    path, reason = {
        "a folder": (tmp_path / "pictures", "it is a folder; give the path of a file in it"),
        "a folder with a slash": (str(tmp_path / "pictures") + os.sep, "it ends in a slash, so it names a folder"),
        "a new folder with a slash": (str(tmp_path / "new") + "/", "it ends in a slash, so it names a folder"),
        "under a file": (tmp_path / "notes.txt" / "a.json", "notes.txt' is a file, not a folder; choose another"),
        "two below a file": (tmp_path / "notes.txt" / "x" / "a.json", "notes.txt' is a file, not a folder"),
    }[where]
    before = listing(tmp_path)
    for attempt in (
        lambda: write_file(path, "x", who="demo"),
        lambda: write_files({path: "x"}, who="demo"),
        lambda: check_target(path, who="demo"),
        lambda: staged_path(path, who="demo").__enter__(),
    ):
        with pytest.raises(FileWriteError) as info:
            attempt()
        message = str(info.value)
        assert message.startswith(f"demo: cannot write {str(path)!r}: ") and reason in message, message
        assert isinstance(info.value, OSError) and info.value.filename == str(path)
        assert listing(tmp_path) == before


CALLS = [("open", 1), ("write", 1), ("fsync", 1), ("replace", 1), ("mkdir", 1), ("mkdir", 2)]


@pytest.mark.parametrize("name, call", CALLS)
@pytest.mark.parametrize("error", [DISK_FULL, KeyboardInterrupt()], ids=["disk full", "ctrl-c"])
def test_a_fault_at_any_step_leaves_the_old_file_and_no_trace(tmp_path, monkeypatch, name, call, error):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "data.txt").write_text("old")
    path = folder / "data.txt" if name != "mkdir" else tmp_path / "new" / "deeper" / "data.txt"
    before = listing(tmp_path)
    fail_at(monkeypatch, name, call, error)
    with pytest.raises(FileWriteError if isinstance(error, OSError) else KeyboardInterrupt) as info:
        write_file(path, "new content", who="save_thing")
    monkeypatch.undo()
    if isinstance(error, OSError):
        assert (
            str(info.value) == f"save_thing: cannot write {str(path)!r}: the disk is full; free some space or "
            "write somewhere else"
        )
        assert info.value.errno == errno.ENOSPC and info.value.__cause__ is error
    assert listing(tmp_path) == before  # the old file, no temporary file, no new folder


def test_ctrl_c_just_after_the_rename_keeps_the_complete_new_file(tmp_path, monkeypatch):
    path = tmp_path / "data.txt"
    path.write_text("old")
    fail_at(monkeypatch, "replace", 1, KeyboardInterrupt(), after=True)
    with pytest.raises(KeyboardInterrupt):
        write_file(path, "new")
    monkeypatch.undo()
    assert listing(tmp_path) == {"data.txt": "new"}


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.EFBIG, "larger than this system allows (a file-size limit: see `ulimit -f`)"),
        (errno.EACCES, "permission denied; choose a folder you can write to"),
        (errno.EROFS, "the file system is read-only"),
        (errno.ENAMETOOLONG, "the name is too long"),
        (errno.EIO, "input/output error"),
    ],
)
def test_each_system_error_is_said_in_words(tmp_path, monkeypatch, code, words):
    fail_at(monkeypatch, "write", 1, OSError(code, os.strerror(code)))
    with pytest.raises(
        FileWriteError, match=r"cannot write '.*x.bin': .*" + words.replace("(", r"\(").replace(")", r"\)")
    ):
        write_file(tmp_path / "x.bin", b"data")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_the_error_survives_pickling():
    err = FileWriteError("save_x", "a/b.txt", "the disk is full", errno.ENOSPC)
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.filename, back.reason, back.errno, back.who) == (
        "save_x: cannot write 'a/b.txt': the disk is full",
        "a/b.txt",
        "the disk is full",
        errno.ENOSPC,
        "save_x",
    )


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"save_x: the content of 'a.txt' must be bytes or str, got int"):
        write_file("a.txt", 3, who="save_x")  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(TypeError, match="a path must be a str or a Path, got 3"):
        write_files({3: b""})  # type: ignore[dict-item]  # wrong on purpose
    with pytest.raises(ValueError, match="at least one file"):
        write_files({})


# ----------------------------------------------------------- a set of files
@pytest.fixture
def three(tmp_path):
    """a.txt and c.txt exist, b.txt does not; the set to write replaces all three."""
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "c.txt").write_text("old c")
    new = {tmp_path / "a.txt": "new a", tmp_path / "b.txt": "new b", tmp_path / "c.txt": "new c"}
    return tmp_path, new


def test_a_set_is_written_whole(three):
    folder, new = three
    assert write_files(new) == list(new)
    assert listing(folder) == {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"}


@pytest.mark.parametrize("call, after", [(1, False), (2, False), (3, False), (1, True), (2, True)])
@pytest.mark.parametrize("error", [DISK_FULL, KeyboardInterrupt()], ids=["disk full", "ctrl-c"])
def test_a_failed_rename_puts_back_the_ones_already_renamed(three, monkeypatch, call, after, error):
    folder, new = three
    before = listing(folder)
    fail_at(monkeypatch, "replace", call, error, after=after)
    with pytest.raises(FileWriteError if isinstance(error, OSError) else KeyboardInterrupt) as info:
        write_files(new, who="save_graph_steps")
    monkeypatch.undo()
    if isinstance(error, OSError):  # the file named is the one whose rename failed
        assert f"save_graph_steps: cannot write {str(list(new)[call - 1])!r}: the disk is full" in str(info.value)
    assert listing(folder) == before  # a and c old again, b gone, nothing else


def test_ctrl_c_after_the_last_rename_keeps_the_whole_new_set(three, monkeypatch):
    folder, new = three
    fail_at(monkeypatch, "replace", 3, KeyboardInterrupt(), after=True)
    with pytest.raises(KeyboardInterrupt):
        write_files(new)
    monkeypatch.undo()
    assert listing(folder) == {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"}


@pytest.mark.parametrize("name, call", [("write", 2), ("write", 3), ("fsync", 3), ("open", 2), ("link", 1)])
def test_a_fault_while_staging_changes_nothing(three, monkeypatch, name, call):
    folder, new = three
    before = listing(folder)
    fail_at(monkeypatch, name, call, DISK_FULL)
    if name == "link":  # a failed link falls back to a copy: make that fail too

        def no_copy(*args, **kwargs):
            raise DISK_FULL

        monkeypatch.setattr(shutil, "copy2", no_copy)
    with pytest.raises(FileWriteError, match="the disk is full"):
        write_files(new)
    monkeypatch.undo()
    assert listing(folder) == before


def test_without_hard_links_the_old_files_are_copied_and_still_put_back(three, monkeypatch):
    folder, new = three
    before = listing(folder)
    fail_at(monkeypatch, "link", 1, OSError(errno.EPERM, "Operation not permitted"))
    fail_at(monkeypatch, "replace", 3, DISK_FULL)
    with pytest.raises(FileWriteError):
        write_files(new)
    monkeypatch.undo()
    assert listing(folder) == before
    fail_at(monkeypatch, "link", 1, OSError(errno.EPERM, "Operation not permitted"))
    write_files(new)
    monkeypatch.undo()
    assert listing(folder) == {"a.txt": "new a", "b.txt": "new b", "c.txt": "new c"}


def test_when_putting_back_fails_too_the_error_says_where_the_old_content_is(three, monkeypatch):
    folder, new = three
    fail_at(monkeypatch, "replace", 3, DISK_FULL, later=True)  # c's rename fails, and so does putting a back
    with pytest.raises(FileWriteError) as info:
        write_files(new)
    monkeypatch.undo()
    message = str(info.value)
    assert "putting back the old files failed too, so these hold the new content: " in message
    kept = [name for name in os.listdir(folder) if name.startswith(".a.old-")]
    assert len(kept) == 1 and f"{str(folder / 'a.txt')!r} (its old content is in " in message and kept[0] in message
    assert (folder / kept[0]).read_text() == "old a"  # not lost
    assert (folder / "a.txt").read_text() == "new a" and not (folder / "b.txt").exists()  # b was removed


def test_the_same_file_twice_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"'.*x.txt' and '.*sub/../x.txt' are the same file"):
        write_files({tmp_path / "x.txt": "1", tmp_path / "sub" / ".." / "x.txt": "2"})
    assert os.listdir(tmp_path) == []


def test_folders_made_for_a_failed_set_are_removed(tmp_path, monkeypatch):
    fail_at(monkeypatch, "write", 2, DISK_FULL)
    with pytest.raises(FileWriteError):
        write_files({tmp_path / "one" / "a.txt": "a", tmp_path / "two" / "deep" / "b.txt": "b"})
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------- a staged name
def test_staged_path_for_savefig(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = tmp_path / "pics" / "plot.png"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    with staged_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".png" and tmp.name.startswith(".plot.tmp-")
        fig.savefig(tmp)
    plt.close(fig)
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and os.listdir(target.parent) == ["plot.png"]


@pytest.mark.parametrize(
    "error, expected",
    [
        (ValueError("bad figure"), ValueError),
        (KeyboardInterrupt(), KeyboardInterrupt),
        (OSError(errno.EFBIG, "File too large"), FileWriteError),  # as from a write: no file name
        (FileNotFoundError(errno.ENOENT, "No such file", "/some/font.ttf"), FileNotFoundError),
    ],  # not about the file
)
def test_staged_path_cleans_up_when_the_writer_fails(tmp_path, error, expected):
    (tmp_path / "plot.svg").write_text("old")
    before = listing(tmp_path)
    for target in (tmp_path / "plot.svg", tmp_path / "new" / "plot.svg"):
        with pytest.raises(expected) as info, staged_path(target, who="save_figure") as tmp:
            tmp.write_text("half a pic")
            raise error
        if expected is FileWriteError:
            assert str(info.value).startswith(f"save_figure: cannot write {str(target)!r}: the file is larger")
        assert listing(tmp_path) == before


# ------------------------------------------------ a real file-size limit
LIMITED = textwrap.dedent("""
    import resource, sys
    from autograd.files import FileWriteError, staged_path, write_file, write_files
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    how, folder = sys.argv[1], sys.argv[2]
    big = b"x" * 100_000
    try:
        if how == "file":
            write_file(folder + "/data.bin", big, who="limited")
        elif how == "files":
            write_files({folder + "/small.bin": b"s" * 100, folder + "/data.bin": big}, who="limited")
        else:
            with staged_path(folder + "/data.bin", who="limited") as tmp:
                with open(tmp, "wb") as f:
                    f.write(big)
    except FileWriteError as err:
        print(err)
        sys.exit(3)
""")


@pytest.mark.parametrize("how", ["file", "files", "staged"])
def test_a_file_size_limit_fails_cleanly_instead_of_killing_the_process(tmp_path, how):
    # Python ignores SIGXFSZ, so going over RLIMIT_FSIZE is an EFBIG error, not death by signal.
    (tmp_path / "data.bin").write_bytes(b"old")
    (tmp_path / "small.bin").write_bytes(b"old small")
    before = listing(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, how, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert done.stdout.startswith(
        f"limited: cannot write '{tmp_path}/data.bin': the file is larger than this system allows"
    )
    assert listing(tmp_path) == before


# ------------------------------------------- the library's writers use it
def test_save_graph_steps_writes_every_step_or_none(tmp_path, monkeypatch):
    from autograd import Value, save_graph_steps

    folder = tmp_path / "steps"
    folder.mkdir()
    (folder / "step_000.dot").write_text("old start")
    before = listing(tmp_path)
    a = Value(2.0, label="a")
    y = a * a
    fail_at(monkeypatch, "replace", 3, DISK_FULL)  # step_000 and step_001 are in place by then
    with pytest.raises(FileWriteError, match=r"save_graph_steps: cannot write '.*step_002.dot': the disk is full"):
        save_graph_steps(y, folder, format="dot")
    monkeypatch.undo()
    assert listing(tmp_path) == before


@pytest.mark.parametrize("who", ["save_graph", "save_explorer", "save_model"])
def test_the_library_writers_name_themselves_and_the_path(tmp_path, who):
    from autograd import Value, save_explorer, save_graph
    from nn import Neuron, save_model

    (tmp_path / "notes.txt").write_text("notes")
    y = Value(2.0, label="a") * 3.0
    write = {
        "save_graph": lambda p: save_graph(y, p),
        "save_explorer": lambda p: save_explorer(y, p),
        "save_model": lambda p: save_model(Neuron(1, seed=0), p),
    }[who]
    suffix = {"save_graph": ".dot", "save_explorer": ".html", "save_model": ".json"}[who]
    path = tmp_path / "notes.txt" / f"out{suffix}"
    pattern = rf"^{who}: cannot write '.*notes.txt/out{suffix}': '.*notes.txt' is a file"
    with pytest.raises(FileWriteError, match=pattern):
        write(path)
    assert listing(tmp_path) == {"notes.txt": "notes"}


# ------------------------------------------------- what the errors say, exactly
def test_when_putting_back_fails_for_every_file_each_is_listed_with_where_its_old_content_is(three, monkeypatch):
    folder, new = three
    fail_at(monkeypatch, "replace", 3, DISK_FULL, later=True)  # c's rename fails, and so does putting a back
    fail_at(monkeypatch, "unlink", 1, OSError(errno.EACCES, "Permission denied"), later=True)  # b stays too
    with pytest.raises(FileWriteError) as info:
        write_files(new)
    monkeypatch.undo()
    (kept,) = [name for name in os.listdir(folder) if name.startswith(".a.old-")]
    a, b, c = (str(folder / name) for name in ("a.txt", "b.txt", "c.txt"))
    assert str(info.value) == (
        f"write_files: cannot write {c!r}: the disk is full; free some space or write somewhere else; "
        f"putting back the old files failed too, so these hold the new content: "
        f"{b!r}, {a!r} (its old content is in {str(folder / kept)!r})"
    )
    assert (folder / kept).read_text() == "old a"
    assert listing(folder)["b.txt"] == "new b"


def test_an_old_file_removed_by_someone_else_while_staging_is_not_put_back(three, monkeypatch):
    folder, new = three
    real_link = os.link

    def gone_meanwhile(source, target, *args, **kwargs):
        os.unlink(source)  # another program removes a.txt just before its link is made
        return real_link(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "link", gone_meanwhile)
    fail_at(monkeypatch, "replace", 3, DISK_FULL)
    with pytest.raises(FileWriteError) as info:
        write_files(new)
    monkeypatch.undo()
    c = str(folder / "c.txt")
    assert (
        str(info.value) == f"write_files: cannot write {c!r}: the disk is full; free some space or write somewhere else"
    )
    assert listing(folder) == {"c.txt": "old c"}  # a: gone as it was made to be, b never was


@pytest.mark.parametrize(
    "error, reason",
    [
        (OSError(errno.EXDEV, "Invalid cross-device link"), "Invalid cross-device link"),  # no words of ours
        (OSError("the device went away"), "the device went away"),  # no number, no strerror
    ],
)
def test_an_error_without_words_of_ours_keeps_the_systems_words(tmp_path, monkeypatch, error, reason):
    fail_at(monkeypatch, "write", 1, error)
    with pytest.raises(FileWriteError) as info:
        write_file(tmp_path / "x.bin", b"data", who="save_x")
    monkeypatch.undo()
    assert str(info.value) == f"save_x: cannot write {str(tmp_path / 'x.bin')!r}: {reason}"
    assert os.listdir(tmp_path) == []


def test_a_folder_made_for_a_failed_write_stays_when_someone_else_wrote_in_it(tmp_path, monkeypatch):
    real_replace = os.replace

    def stranger_then_full(source, target, *args, **kwargs):
        (tmp_path / "new" / "theirs.txt").write_text("theirs")
        raise DISK_FULL

    monkeypatch.setattr(os, "replace", stranger_then_full)
    with pytest.raises(FileWriteError, match="the disk is full"):
        write_file(tmp_path / "new" / "a.txt", "a")
    monkeypatch.setattr(os, "replace", real_replace)
    assert listing(tmp_path) == {"new": "<dir>", "new/theirs.txt": "theirs"}


def test_check_target_returns_the_path_and_writes_nothing(tmp_path):
    target = tmp_path / "out" / "new" / "picture.png"
    assert check_target(target) == target
    assert check_target(str(target), who="save_x") == target
    assert os.listdir(tmp_path) == []


def test_check_target_names_itself_unless_told_otherwise(tmp_path):
    with pytest.raises(FileWriteError) as info:
        check_target(tmp_path)
    assert (
        str(info.value)
        == f"check_target: cannot write {str(tmp_path)!r}: it is a folder; give the path of a file in it"
    )
