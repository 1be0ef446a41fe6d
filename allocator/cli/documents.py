"""CLI commands for the users' own documents.

* ``allocator template OUT.xlsx`` — an empty input workbook with Vietnamese headers,
  instructions and drop-down lists;
* ``allocator to-workbook FOLDER OUT.xlsx`` — a CSV scenario folder as one workbook;
* ``allocator explain SCENARIO CANDIDATE_ID [--lang vi|en]`` — why this candidate was
  selected, not selected, ineligible or escalated;
* ``allocator letters SCENARIO --out DIR`` — the draft reports to the managing agencies
  about escalated ties (DOCX);
* ``allocator convert-levels LIST OUT`` — a staff or candidate list kept by professional
  title, turned into career levels (Decree 232/2026 Art. 18.2).
* ``allocator complete-columns LIST.xlsx OUT.xlsx`` — a unit's list with exactly the
  missing columns added, with drop-down lists.

(``allocator run`` writes the result workbook ``ket-qua.xlsx`` itself.) Bad input exits
with status 2 and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.console import fail, say, usage
from models.errors import AllocatorError, InputError, OutputError

REGIMES = {"2020": False, "2026": True}


def template(
    path: Annotated[Path, typer.Argument(help="Tệp Excel sẽ ghi (.xlsx). / The workbook to "
                                              "write (.xlsx).")],
    rule_set: Annotated[str | None, typer.Option(
        help="Mã bộ quy tắc (mặc định: bộ quy tắc có hiệu lực tại hạn nộp hồ sơ). / Rule set "
             "id (default: the one in force at the deadline).")] = None,
    deadline: Annotated[str | None, typer.Option(
        help="Hạn nộp hồ sơ YYYY-MM-DD (mặc định: hôm nay); từ 2026-07-01 là mẫu theo bậc "
             "nghề nghiệp. / Dossier deadline (default: today); from 2026-07-01 the template "
             "is for career levels.")] = None,
    regime: Annotated[str | None, typer.Option(
        help="2026: bậc nghề nghiệp của vị trí việc làm (NĐ 232/2026); 2020: thăng hạng chức "
             "danh (NĐ 115/2020). Mặc định theo hạn nộp. / 2026: career levels; 2020: titles; "
             "default: by the deadline.")] = None,
) -> None:
    """Tạo tệp Excel mẫu để nhập dữ liệu. / Write an empty input workbook."""
    from allocator.documents.template import write_template
    from allocator.io import rulesets as rules

    day = None
    if deadline is not None:
        try:
            day = dt.date.fromisoformat(deadline)
        except ValueError:
            usage(f"--deadline không hợp lệ: '{deadline}' (cần YYYY-MM-DD)",
                  f"invalid --deadline '{deadline}' (expected YYYY-MM-DD)")
    if regime is not None and regime not in REGIMES:
        usage(f"--regime không hợp lệ: '{regime}' (chọn 2026 hoặc 2020)",
              f"unknown --regime '{regime}' (choose 2026 or 2020)")
    try:
        rs = rules.builtin_rule_set(rule_set) if rule_set else None
    except KeyError as exc:
        fail(InputError.one("--rule-set", None, None, str(exc), str(exc)))
        return
    levels = REGIMES[regime] if regime is not None else None
    try:
        _atomic_file(path, lambda tmp: write_template(tmp, rs, deadline=day, levels=levels))
    except AllocatorError as exc:
        fail(exc)
    say(f"Đã ghi / written: {path}")


def to_workbook(
    folder: Annotated[Path, typer.Argument(help="Scenario folder (CSV files).")],
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    english_headers: Annotated[bool, typer.Option(
        "--english-headers", help="Contract column names instead of Vietnamese headers.",
    )] = False,
) -> None:
    """Chuyển thư mục CSV thành một tệp Excel. / Turn a scenario folder into one workbook."""
    from allocator.documents.template import scenario_to_workbook

    try:
        _atomic_file(path, lambda tmp: scenario_to_workbook(folder, tmp,
                                                            english_headers=english_headers))
    except AllocatorError as exc:
        fail(exc)
    say(f"Đã ghi / written: {path}")


def explain(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder, .xlsx workbook or variant.")],
    candidate_id: Annotated[str, typer.Argument(help="The candidate's id.")],
    lists: Annotated[list[Path] | None, typer.Argument(
        help="Agencies' candidate workbooks (.xlsx files, or folders of them).",
        show_default=False)] = None,
    lang: Annotated[str, typer.Option(help="vi (Tiếng Việt) or en (English).")] = "vi",
) -> None:
    """Giải thích kết quả của một ứng viên. / Explain one candidate's outcome."""
    from allocator.documents.explain import explain as explain_one
    from allocator.engine.flow import run
    from allocator.engine.options import Options

    if lang not in ("vi", "en"):
        usage("--lang: vi | en", "--lang: vi | en")
    try:
        result = run(scenario, Options(), lists=lists or ())
    except AllocatorError as exc:
        fail(exc)
    try:
        text = explain_one(result, candidate_id, lang)
    except KeyError:
        usage(f"Không có ứng viên '{candidate_id}'", f"no candidate '{candidate_id}'")
    say(text)


def letters(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder, .xlsx workbook or variant.")],
    lists: Annotated[list[Path] | None, typer.Argument(
        help="Agencies' candidate workbooks (.xlsx files, or folders of them).",
        show_default=False)] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the reports.")] =
    Path("bao-cao"),
) -> None:
    """Dự thảo báo cáo về các trường hợp bằng nhau. / Draft the reports on escalated ties.

    One DOCX per managing agency (and organising agency) with escalated ties.
    """
    from allocator.documents.letters import write_letters
    from allocator.engine.flow import run
    from allocator.engine.options import Options
    from allocator.io.staging import write_staged

    try:
        result = run(scenario, Options(), lists=lists or ())
    except AllocatorError as exc:
        fail(exc)
    if not result.groups:
        say("Không có trường hợp nào phải báo cáo. / No escalated ties: nothing to write.")
        return
    try:
        written = write_staged(out_dir, lambda stage: write_letters(result, stage))
    except AllocatorError as exc:
        fail(exc)
    for p in written:
        say(f"Đã ghi / written: {p}")


def convert_levels(
    source: Annotated[Path, typer.Argument(
        help="Danh sách theo chức danh nghề nghiệp (.csv hoặc .xlsx): danh sách ứng viên (cột "
             "current_title) hoặc cơ cấu viên chức (cột title, holders). / A candidate or "
             "staff list by professional title (CSV or xlsx).")],
    out: Annotated[Path, typer.Argument(
        help="Tệp kết quả, cùng định dạng với tệp vào. / The converted list, in the same "
             "format as the input.")],
    standardisation: Annotated[bool, typer.Option(
        "--standardisation/--no-standardisation",
        help="Ứng viên giữ chức danh được nâng chuẩn từ trung cấp lên cao đẳng (loại A0) mà "
             "trình độ còn là trung cấp thì xếp bậc 1 (đoạn 2 điểm a khoản 2 Điều 18 NĐ "
             "232/2026); --no-standardisation: giữ bậc 2 và chỉ ghi chú. / Candidates with a "
             "trung cấp degree in a title whose standard was raised to cao đẳng go to level 1 "
             "(Art. 18.2.a, 2nd paragraph); off: level 2 with a note.")] = True,
) -> None:
    """Chuyển danh sách theo chức danh sang bậc nghề nghiệp (Điều 18 NĐ 232/2026).

    Turn a staff or candidate list kept by professional title into career levels by salary
    class (Decree 232/2026 Art. 18.2: B→1, A0→2, A1→3, A2→4, A3→5). Each row gets a note
    (conversion_note) with its source and what the unit must still check.
    """
    from allocator.documents import convert_levels as conv

    if source.suffix.lower() != out.suffix.lower():
        usage(f"tệp kết quả phải cùng định dạng với tệp vào ({source.suffix})",
              f"the output must have the input's format ({source.suffix})")
    try:
        kind, raw = conv.read(source)
        converted = conv.convert(raw, kind, standardisation=standardisation)
    except AllocatorError as exc:
        fail(exc)
    try:  # one file, never the folder around it: written beside, then moved into place
        _atomic_file(out, lambda tmp: conv.write(converted, raw, tmp))
    except AllocatorError as exc:
        fail(exc)
    what = "ứng viên / candidates" if kind is conv.ListKind.candidates else "dòng / rows"
    say(f"Đã ghi / written: {out} ({converted.frame.height} {what})")
    if kind is conv.ListKind.staff and "positions" in raw.frame.columns:
        say("Cột positions (biên chế theo chức danh) không được chuyển: biên chế được giao của "
            "từng vị trí việc làm ghi ở positions.csv (headcount). / The positions column "
            "(headcount per title) is not carried over: each job position's approved headcount "
            "goes to positions.csv (headcount).")
def complete_columns(
    list_file: Annotated[Path, typer.Argument(help="A unit's candidate list (.xlsx).")],
    out: Annotated[Path, typer.Argument(help="The completed copy to write (.xlsx).")],
    rule_set: Annotated[str | None, typer.Option(
        help="Rule set id for the drop-down lists (titles, achievement levels).")] = None,
) -> None:
    """Thêm vào danh sách của đơn vị đúng các cột còn thiếu. / Add exactly the missing
    columns to a unit's list, with drop-down lists, for the unit to fill."""
    from allocator.documents.complete import Added
    from allocator.documents.complete import complete_columns as complete
    from allocator.io import rulesets as rules

    try:
        rs = rules.builtin_rule_set(rule_set) if rule_set else rules.builtin_rule_sets()[0]
    except KeyError as exc:
        fail(InputError.one("--rule-set", None, None, str(exc), str(exc)))
        return
    try:
        if out.resolve() == list_file.resolve():
            complete(list_file, out, rs)  # refuses, with the message
        added: list[Added] = []
        _atomic_file(out, lambda tmp: added.extend(complete(list_file, tmp, rs)))
    except AllocatorError as exc:
        fail(exc)
    for a in added:
        what = ", ".join(a.headers) if a.headers else "không thiếu cột nào / nothing missing"
        say(f"{a.sheet}: thêm {len(a.headers)} cột / {len(a.headers)} columns added: {what}")
    say(f"Đã ghi / written: {out}")


def _atomic_file(path: Path, write: object) -> None:
    """Write through a temporary file beside ``path``, moved into place when complete; a
    place that cannot be written is an :class:`OutputError` (exit 4)."""
    path = Path(os.path.abspath(path))
    if path.is_dir():
        raise OutputError(str(path), "đây là một thư mục, cần tên tệp .xlsx",
                          "this is a folder; name an .xlsx file")
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix,
                                        dir=path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        write(tmp)  # type: ignore[operator]
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; a workbook is not
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(str(path), f"không ghi được ({exc.strerror})",
                          f"cannot write ({exc.strerror})") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    """Add the workbook commands to the ``allocator`` CLI."""
    app.command("template")(template)
    app.command("to-workbook")(to_workbook)
    app.command("explain")(explain)
    app.command("letters")(letters)
    app.command("convert-levels")(convert_levels)
    app.command("complete-columns")(complete_columns)
