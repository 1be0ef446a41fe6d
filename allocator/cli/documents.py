"""CLI commands for the users' own documents.

* ``allocator template OUT.xlsx`` — an empty input workbook with Vietnamese headers,
  instructions and drop-down lists;
* ``allocator to-workbook FOLDER OUT.xlsx`` — a CSV scenario folder as one workbook;
* ``allocator explain SCENARIO CANDIDATE_ID [--lang vi|en]`` — why this candidate was
  selected, not selected, ineligible or escalated;
* ``allocator letters SCENARIO --out DIR`` — the draft reports to the managing agencies
  about escalated ties (DOCX).

(``allocator run`` writes the result workbook ``ket-qua.xlsx`` itself.) Bad input exits
with status 2 and writes nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.console import fail, say, usage
from models.errors import AllocatorError, InputError, OutputError


def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    rule_set: Annotated[str | None, typer.Option(
        help="Rule set id (default: the one in force today).")] = None,
) -> None:
    """Tạo tệp Excel mẫu để nhập dữ liệu. / Write an empty input workbook."""
    from allocator.documents.template import write_template
    from allocator.io import rulesets as rules

    try:
        rs = rules.builtin_rule_set(rule_set) if rule_set else None
    except KeyError as exc:
        fail(InputError.one("--rule-set", None, None, str(exc), str(exc)))
        return
    try:
        _atomic_file(path, lambda tmp: write_template(tmp, rs))
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
    lang: Annotated[str, typer.Option(help="vi (Tiếng Việt) or en (English).")] = "vi",
) -> None:
    """Giải thích kết quả của một ứng viên. / Explain one candidate's outcome."""
    from allocator.documents.explain import explain as explain_one
    from allocator.engine.flow import run
    from allocator.engine.options import Options

    if lang not in ("vi", "en"):
        usage("--lang: vi | en", "--lang: vi | en")
    try:
        result = run(scenario, Options())
    except AllocatorError as exc:
        fail(exc)
    try:
        text = explain_one(result, candidate_id, lang)
    except KeyError:
        usage(f"Không có ứng viên '{candidate_id}'", f"no candidate '{candidate_id}'")
    say(text)


def letters(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder, .xlsx workbook or variant.")],
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
        result = run(scenario, Options())
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
