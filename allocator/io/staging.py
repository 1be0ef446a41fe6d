"""All-or-nothing writing of an output folder, which never touches what the tool did not write.

A run writes its whole set of outputs into a new folder beside ``out`` (``.OUT.allocator-new-
PID-XXXX``). The files and folders a person put into ``out`` are carried into the new folder
as hard links (the same files, not copies; a copy where the file system has no hard links),
and a manifest (``.allocator-manifest.json``) lists the files and folders the tool wrote.
Then one ``renameat2(RENAME_EXCHANGE)`` swaps the two folders: at every moment ``out`` holds
either the old complete set or the new complete set. Files of the previous run that this
run does not produce (a stale ``ket-qua.xlsx``, an old letter) are left behind in the old
folder, which is removed; a user's file or folder is never removed or overwritten, and a
user's file with an output's name stops the run (:class:`OutputError`, exit 4).

Where the file system cannot exchange two folders, ``out`` is renamed aside and the new
folder renamed into place; a crash between the two renames is repaired at the next write
(the old set is put back). Leftover folders of a killed run are removed at the next write
into the same place (only those of processes no longer alive). Folders are created with the
user's umask.

A folder written before manifests existed has no manifest: its files named as this run's
outputs are taken as an earlier run's and replaced; every other file is kept.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from allocator.io.private_temp import alive
from models.errors import OutputError

MANIFEST = ".allocator-manifest.json"
NEW_TAG = ".allocator-new-"
OLD_TAG = ".allocator-old-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_staged(out: Path, fill: Callable[[Path], object], *, keep_others: bool = False
                 ) -> list[Path]:
    """Let ``fill`` write a set of outputs into a new folder, then make that set the content
    of ``out`` in one step (see the module's text). With ``keep_others`` the files of earlier
    runs that this one does not write are kept (several writers filling one folder in turn).
    A failure anywhere leaves ``out`` as it was. Returns the top-level paths written, sorted.
    """
    out = Path(os.path.abspath(out))
    if out.is_symlink() and out.is_dir():
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(str(out), "đây là một tệp, không phải thư mục kết quả",
                          "this is a file, not an output folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(out.parent, exc) from None
    recover(out)
    stage = out.parent / f".{out.name}{NEW_TAG}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        stage.mkdir()
    except OSError as exc:
        raise _os_error(out.parent, exc) from None
    try:
        fill(stage)
        files, dirs = _contents(stage)
        if out.exists():
            old_files, old_dirs, legacy = _read_manifest(out)
            if legacy:
                old_files = old_files | (files & _plain_files(out))
            if keep_others:
                files |= {f for f in old_files if (out / f).is_file()}
            user_dirs = _carry(out, stage, "", old_files, old_dirs, files, dirs, keep_others)
            dirs -= user_dirs
            shutil.copymode(out, stage)
        (stage / MANIFEST).write_text(
            json.dumps({"tool": "allocator", "files": sorted(files), "folders": sorted(dirs)},
                       ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _swap(stage, out)
    except OSError as exc:
        raise _os_error(out, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # the new set before the swap, the old after
    tops = sorted({f.split("/", 1)[0] for f in files} | {d.split("/", 1)[0] for d in dirs})
    return [out / name for name in tops]


def owned(out: Path) -> set[str]:
    """The files (relative paths) the tool wrote into ``out``, by its manifest."""
    return _read_manifest(out)[0]


def recover(out: Path) -> None:
    """Repair what a killed writer left beside ``out``: put the old set back if ``out`` is
    missing, and remove the leftover folders of processes no longer alive."""
    parent = out.parent
    if not parent.is_dir():
        return
    prefix = f".{out.name}."
    for entry in sorted(parent.iterdir()):
        name = entry.name
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix) - 1:]
        tag = NEW_TAG if rest.startswith(NEW_TAG) else OLD_TAG if rest.startswith(OLD_TAG) \
            else None
        if tag is None or _alive(rest[len(tag):].split("-", 1)[0]):
            continue
        if tag == OLD_TAG and not out.exists():
            os.rename(entry, out)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid_text: str) -> bool:
    """Whether the writer named in a leftover's tag still runs (this process is not: its
    own leftovers are from an earlier, failed write)."""
    return pid_text.isdigit() and int(pid_text) != os.getpid() and alive(int(pid_text))


def _contents(folder: Path) -> tuple[set[str], set[str]]:
    """Files and folders under ``folder`` as relative POSIX paths."""
    files: set[str] = set()
    dirs: set[str] = set()
    for root, subdirs, names in os.walk(folder):
        rel = Path(root).relative_to(folder).as_posix()
        pre = "" if rel == "." else rel + "/"
        dirs.update(pre + d for d in subdirs)
        files.update(pre + n for n in names)
    files.discard(MANIFEST)
    return files, dirs


def _plain_files(folder: Path) -> set[str]:
    return _contents(folder)[0]


def _read_manifest(out: Path) -> tuple[set[str], set[str], bool]:
    """(files, folders, legacy): legacy when ``out`` has no readable manifest."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return set(doc["files"]), set(doc["folders"]), False
    except (OSError, ValueError, KeyError, TypeError):
        return set(), set(), True


def _carry(src: Path, dst: Path, pre: str, old_files: set[str], old_dirs: set[str],
           files: set[str], dirs: set[str], keep_others: bool) -> set[str]:
    """Link what the user put in ``src`` (not in the old manifest) into ``dst``; return the
    user's folders that the new set also uses."""
    user_dirs: set[str] = set()
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        rel = pre + entry.name
        if rel == MANIFEST:
            continue
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False):
            if rel in files:
                raise _clash(Path(entry.path))
            mine = rel in old_dirs
            existed = rel in dirs
            if not existed:
                target.mkdir()
                shutil.copymode(entry.path, target)
            user_dirs |= _carry(Path(entry.path), target, rel + "/", old_files, old_dirs,
                                files, dirs, keep_others)
            if not mine:
                user_dirs.add(rel)
            elif not existed and not any(target.iterdir()):
                target.rmdir()  # the tool's folder, now empty: stale
            continue
        if rel in old_files:
            if keep_others and rel in files and not target.exists():
                _link(Path(entry.path), target)
            continue  # an earlier output: replaced by the new one, or stale
        if rel in files or rel in dirs:
            raise _clash(Path(entry.path))
        _link(Path(entry.path), target)
    return user_dirs


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)


def _clash(path: Path) -> OutputError:
    return OutputError(str(path), "tệp này không do chương trình ghi nhưng trùng tên một kết "
                       "quả; hãy chuyển nó đi hoặc chọn thư mục --out khác",
                       "this file was not written by the tool but has an output's name; move "
                       "it or choose another --out")


def _swap(stage: Path, out: Path) -> None:
    """Make ``stage`` the content of ``out`` in one step; ``stage`` then holds the old set."""
    if not out.exists():
        os.rename(stage, out)
        return
    if _exchange(stage, out):
        return
    aside = out.parent / f".{out.name}{OLD_TAG}{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(out, aside)
    os.rename(stage, out)
    os.rename(aside, stage)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                   _RENAME_EXCHANGE)
    if rc == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _os_error(place: Path, exc: OSError) -> OutputError:
    """A failed write as a message: full disk, no permission, read-only, or the system's."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        vi, en = "ổ đĩa đã đầy", "the disk is full"
    elif code in (errno.EACCES, errno.EPERM):
        vi, en = "không có quyền ghi vào đây", "no permission to write here"
    elif code == errno.EROFS:
        vi, en = "ổ đĩa chỉ cho đọc", "the file system is read-only"
    elif code == errno.ENOTDIR:
        vi = "một phần của đường dẫn là tệp, không phải thư mục"
        en = "part of the path is a file, not a folder"
    else:
        vi, en = f"không ghi được ({exc.strerror})", f"cannot write ({exc.strerror})"
    return OutputError(str(place), vi + "; kết quả cũ (nếu có) vẫn giữ nguyên",
                       en + "; the previous outputs (if any) are unchanged")

