"""The one atomic writer refuses paths that name folders or lie under files, in words, and names what it leaves."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from autograd.files import FileWriteError, write_file, write_files

FOLDER_REASON = "it is a folder; give the path of a file in it"


def refused(call, *args, **kwargs) -> FileWriteError:
    with pytest.raises(FileWriteError) as info:
        call(*args, **kwargs)
    return info.value


def test_a_path_ending_in_a_slash_names_a_folder(tmp_path):
    given = f"{tmp_path}/new/"
    err = refused(write_file, given, "x", who="save_graph")
    reason = "it ends in a slash, so it names a folder; give the path of a file"
    assert str(err) == f"save_graph: cannot write {given!r}: {reason}"
    assert (err.errno, err.filename, err.reason, err.who) == (errno.EISDIR, given, reason, "save_graph")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("name", ["..", "sub/..", ""])
def test_a_path_whose_last_part_is_a_folder_step_is_refused(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    err = refused(write_file, name or ".", "x")
    shown = str(Path(name or "."))
    assert str(err) == f"write_file: cannot write {shown!r}: {FOLDER_REASON}"
    assert (err.errno, err.filename) == (errno.EISDIR, shown)


def test_an_existing_folder_is_refused_by_name(tmp_path):
    (tmp_path / "out").mkdir()
    err = refused(write_files, {tmp_path / "a.txt": "a", tmp_path / "out": "b"}, who="save_graph_steps")
    assert str(err) == f"save_graph_steps: cannot write {str(tmp_path / 'out')!r}: {FOLDER_REASON}"
    assert err.errno == errno.EISDIR
    assert not (tmp_path / "a.txt").exists()  # nothing is written when one path is refused


def test_a_link_to_a_place_under_a_file_names_that_file(tmp_path):
    (tmp_path / "notes").write_text("old")
    os.symlink(tmp_path / "notes" / "graph.svg", tmp_path / "link.svg")  # the link itself sits in a real folder
    err = refused(write_file, tmp_path / "link.svg", "<svg/>")
    reason = f"{str(tmp_path / 'notes')!r} is a file, not a folder; choose another path"
    assert str(err) == f"write_file: cannot write {str(tmp_path / 'link.svg')!r}: {reason}"
    assert (err.errno, err.reason) == (errno.ENOTDIR, reason)
    assert (tmp_path / "notes").read_text() == "old"


def test_a_file_that_appears_where_a_folder_is_being_made_is_named(tmp_path, monkeypatch):
    real_mkdir = os.mkdir

    def file_gets_there_first(path, *args, **kwargs):
        if Path(path) == tmp_path / "a" / "b":
            Path(path).write_text("someone else's")
            raise FileExistsError(errno.EEXIST, "File exists", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", file_gets_there_first)
    target = tmp_path / "a" / "b" / "c" / "g.svg"
    err = refused(write_file, target, "x", who="save_explorer")
    reason = f"{str(tmp_path / 'a' / 'b')!r} is a file, not a folder; choose another path"
    assert str(err) == f"save_explorer: cannot write {str(target)!r}: {reason}"
    assert (err.errno, err.filename, err.who) == (errno.ENOTDIR, str(target), "save_explorer")
    # the folder this call made is left only because the other writer's file is in it; nothing of ours is
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b"]
    assert (tmp_path / "a" / "b").read_text() == "someone else's"


def test_a_folder_someone_else_makes_meanwhile_is_used_and_the_deeper_ones_are_made(tmp_path, monkeypatch):
    real_mkdir = os.mkdir

    def made_by_another_process(path, *args, **kwargs):
        if Path(path) == tmp_path / "a":
            real_mkdir(path)
            raise FileExistsError(errno.EEXIST, "File exists", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", made_by_another_process)
    assert write_file(tmp_path / "a" / "b" / "g.svg", "x") == tmp_path / "a" / "b" / "g.svg"
    assert (tmp_path / "a" / "b" / "g.svg").read_text() == "x"


def test_a_folder_that_cannot_be_made_is_an_error_in_words(tmp_path, monkeypatch):
    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "mkdir", denied)
    target = tmp_path / "new" / "g.svg"
    err = refused(write_file, target, "x")
    assert str(err) == f"write_file: cannot write {str(target)!r}: permission denied; choose a folder you can write to"
    assert err.errno == errno.EACCES


def test_temporary_files_are_hidden_beside_the_target_with_a_short_name_and_the_same_suffix(tmp_path, monkeypatch):
    renamed = []
    real_replace = os.replace

    def spy(src, dst):
        renamed.append((Path(src).name, Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    stem, suffix = "s" * 150, "." + "x" * 30
    target = tmp_path / (stem + suffix)
    write_file(target, "new")
    ((temp, to),) = renamed
    assert to == target
    assert re.fullmatch(rf"\.{'s' * 100}\.tmp-[0-9a-f]{{8}}\.{'x' * 19}", temp), temp


def test_when_the_last_rename_fails_every_earlier_file_gets_its_old_content_back(tmp_path, monkeypatch):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("old 1")
    second.write_text("old 2")
    real_replace = os.replace

    def fail_into_second(src, dst):
        if Path(dst) == second and Path(src).name.startswith(".second.tmp-"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_into_second)
    err = refused(write_files, {first: "new 1", second: "new 2"})
    assert str(err).startswith(f"write_files: cannot write {str(second)!r}: the disk is full")
    assert (first.read_text(), second.read_text()) == ("old 1", "old 2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.txt", "second.txt"]
