"""Uploaded rounds: one workbook, a .zip of a scenario folder, or (later) several agency
workbooks; saved into a staging folder with limits on size, member count and paths."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from allocator.web.service import BadInput, WebProblem, problem

CHUNK = 1 << 16
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass(frozen=True)
class UploadLimits:
    """How much one upload may hold."""

    max_bytes: int = 50 * 1024 * 1024  # the request body
    max_unzipped_bytes: int = 400 * 1024 * 1024  # every member of a .zip (or .xlsx) together
    max_members: int = 2000


@dataclass(frozen=True)
class Incoming:
    """One file of a multipart upload."""

    filename: str
    stream: BinaryIO


def safe_name(name: str, default: str) -> str:
    """A file name without folders or odd characters (kept readable for messages)."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:120] or default


def stage(files: Sequence[Incoming], folder: Path, limits: UploadLimits) -> Path:
    """Save an upload under ``folder`` and return the round's entry (a workbook or a scenario
    folder). Raises :class:`BadInput` (and the caller removes ``folder``) when the upload is
    not one workbook or one .zip of a scenario folder."""
    if not files:
        raise BadInput([_upload_problem("không có tệp nào được gửi", "no file was sent")])
    workbooks = [f for f in files if f.filename.lower().endswith(".xlsx")]
    archives = [f for f in files if f.filename.lower().endswith(".zip")]
    others = [f for f in files if f not in workbooks and f not in archives]
    if others:
        raise BadInput([problem(safe_name(f.filename, "?"),
                                "chỉ nhận tệp Excel (.xlsx) hoặc tệp nén (.zip) của thư mục "
                                "kịch bản",
                                "only an Excel workbook (.xlsx) or a .zip of a scenario "
                                "folder is accepted") for f in others])
    if archives and (workbooks or len(archives) > 1):
        raise BadInput([_upload_problem(
            "gửi một tệp .zip hoặc các tệp Excel, không gửi lẫn",
            "send one .zip, or workbooks, not both")])
    input_dir = folder / "input"
    input_dir.mkdir(parents=True)
    if archives:
        return _unzip(archives[0], input_dir, limits)
    saved = [_save(f, input_dir, limits) for f in workbooks]
    if len(saved) > 1:
        return several_workbooks(saved)
    _check_archive(saved[0], limits)
    return saved[0]


def several_workbooks(paths: Sequence[Path]) -> Path:
    """A round from several agency workbooks (one per agency).

    The hook for the multi-workbook loader (another issue): it will merge the agencies'
    lists into one round and return its entry. Until it exists, the upload is refused.
    """
    names = ", ".join(p.name for p in paths)
    raise BadInput([_upload_problem(
        f"chưa hỗ trợ ghép nhiều tệp Excel của các cơ quan ({names}); hãy gửi một tệp Excel "
        "của cả kỳ xét",
        f"several agency workbooks ({names}) cannot be merged yet; send one workbook of the "
        "whole round")])


def _upload_problem(vi: str, en: str) -> WebProblem:
    return problem("upload", vi, en)


def _save(incoming: Incoming, folder: Path, limits: UploadLimits) -> Path:
    target = folder / safe_name(incoming.filename, "round.xlsx")
    if target.exists():
        raise BadInput([_upload_problem(f"hai tệp cùng tên {target.name}",
                                        f"two files named {target.name}")])
    written = 0
    with target.open("wb") as out:
        while chunk := incoming.stream.read(CHUNK):
            written += len(chunk)
            if written > limits.max_bytes:
                raise BadInput([_too_large(target.name, limits.max_bytes)])
            out.write(chunk)
    return target


def _too_large(name: str, limit: int) -> WebProblem:
    mb = limit // (1024 * 1024)
    return problem(name, f"tệp quá lớn (tối đa {mb} MB)", f"the file is too large (at most "
                   f"{mb} MB)")


def _check_archive(path: Path, limits: UploadLimits) -> None:
    """A workbook is a zip archive too: refuse one that would expand beyond the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        return  # the workbook reader names the problem
    if len(infos) > limits.max_members or sum(i.file_size for i in infos) > \
            limits.max_unzipped_bytes:
        raise BadInput([_too_large(path.name, limits.max_unzipped_bytes)])


def _unzip(incoming: Incoming, folder: Path, limits: UploadLimits) -> Path:
    archive_path = _save(incoming, folder.parent, limits)
    target = folder / "scenario"
    try:
        with zipfile.ZipFile(archive_path) as archive:
            _extract(archive, target, limits, archive_path.name)
    except zipfile.BadZipFile:
        raise BadInput([problem(archive_path.name, "tệp .zip bị hỏng",
                                "the .zip file is damaged")]) from None
    finally:
        archive_path.unlink(missing_ok=True)
    return _scenario_folder(target, archive_path.name)


def _extract(archive: zipfile.ZipFile, target: Path, limits: UploadLimits, label: str) -> None:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise BadInput([problem(label, f"tệp .zip có quá nhiều tệp (tối đa "
                                f"{limits.max_members})", f"the .zip holds too many files "
                                f"(at most {limits.max_members})")])
    total = 0
    root = target.resolve()
    for info in infos:
        parts = _member_parts(info, label)
        if parts is None:
            continue
        out = root.joinpath(*parts)
        if not out.resolve().is_relative_to(root):
            raise BadInput([_escaping(label, info.filename)])
        out.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, out.open("wb") as dst:
            while chunk := src.read(CHUNK):
                total += len(chunk)
                if total > limits.max_unzipped_bytes:
                    raise BadInput([_too_large(label, limits.max_unzipped_bytes)])
                dst.write(chunk)


def _member_parts(info: zipfile.ZipInfo, label: str) -> tuple[str, ...] | None:
    """The path parts of a member to extract; None for folders and macOS metadata."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise BadInput([problem(label, f"tệp .zip chứa liên kết {name}",
                                f"the .zip holds a link: {name}")])
    if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", name):
        raise BadInput([_escaping(label, name)])
    if info.is_dir() or not path.parts or path.parts[0] == "__MACOSX":
        return None
    return path.parts


def _escaping(label: str, name: str) -> WebProblem:
    return problem(label, f"đường dẫn không hợp lệ trong tệp .zip: {name}",
                   f"a path in the .zip leaves its folder: {name}")


def _scenario_folder(root: Path, label: str) -> Path:
    """The one folder of the archive that holds scenario.toml."""
    found = sorted(p.parent for p in root.rglob("scenario.toml"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise BadInput([problem(label, "không có scenario.toml trong tệp .zip",
                                "no scenario.toml in the .zip")])
    raise BadInput([problem(label, "tệp .zip chứa nhiều thư mục kịch bản; gửi từng kỳ xét "
                            "riêng", "the .zip holds several scenario folders; send one "
                            "round at a time")])


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
