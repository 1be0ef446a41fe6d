"""Run history: every run recorded in an embedded DuckDB database, replayable byte for byte.

Where: ``$ALLOCATOR_HISTORY`` when set, else ``$XDG_DATA_HOME/allocator/history.duckdb``
(``~/.local/share/allocator/history.duckdb`` by default).

What one run stores, in ONE transaction (a crash midway leaves no trace of the run):
its id and time, the command, every input file it read (scenario folder files, workbook,
variant chain, rule-set files: path, SHA-256 and content), the rule set (id, version and
full content), the engine version, the solver statistics (summary.json), and the full
decisions — as a queryable table and as the exact bytes of decisions.csv. File contents
are stored once per distinct content (``blobs``), so a sweep of a hundred variants of one
province stores the province once.

:func:`replay` restores the stored inputs into a temporary folder, decides them again
and compares decisions.csv byte for byte with the stored one.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from allocator import __version__
from allocator.engine.flow import decide
from allocator.engine.options import Options
from allocator.io import private_temp
from allocator.io.loader import input_files, load
from allocator.io.raw import read_input_bytes
from allocator.io.workbook import list_files
from models.errors import AllocatorError, Collector, HistoryError
from models.result import RunResult, Summary

SCHEMA_VERSION = "1"
LOCK_WAIT_S = 15.0

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        recorded_at TIMESTAMP NOT NULL,
        command VARCHAR NOT NULL,
        label VARCHAR,
        batch_id VARCHAR,
        inputs VARCHAR NOT NULL,
        scenario_name VARCHAR,
        input_digest VARCHAR,
        rule_set_id VARCHAR,
        rule_set_version VARCHAR,
        rule_set_json VARCHAR,
        engine_version VARCHAR,
        solver_status VARCHAR,
        objective VARCHAR,
        summary_json VARCHAR,
        n_candidates BIGINT,
        n_selected BIGINT,
        n_escalated BIGINT,
        n_files BIGINT,
        decisions_sha256 VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS blobs (
        sha256 VARCHAR PRIMARY KEY, size BIGINT NOT NULL, content BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS run_lists (
        run_id VARCHAR NOT NULL, position INTEGER NOT NULL, path VARCHAR NOT NULL,
        PRIMARY KEY (run_id, position))""",
    """CREATE TABLE IF NOT EXISTS run_files (
        run_id VARCHAR NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        PRIMARY KEY (run_id, path))""",
    """CREATE TABLE IF NOT EXISTS decisions (
        run_id VARCHAR NOT NULL, candidate_id VARCHAR, status VARCHAR, agency_id VARCHAR,
        target_title VARCHAR, priority_rank BIGINT, reasons VARCHAR, decided_by VARCHAR,
        tie_group VARCHAR)""",
)

DECISION_COLUMNS = ("candidate_id", "status", "agency_id", "target_title", "priority_rank",
                    "reasons", "decided_by", "tie_group")


def history_path() -> Path:
    """The database file: ``$ALLOCATOR_HISTORY`` or the XDG data folder."""
    env = os.environ.get("ALLOCATOR_HISTORY")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "allocator" / "history.duckdb"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_run_id() -> str:
    """Sortable and unique: UTC time plus random hex."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


# ---------------------------------------------------------------------------------------------
# What is recorded
# ---------------------------------------------------------------------------------------------


@dataclass
class RunRecord:
    """Everything one run stores; plain data (a sweep builds it from worker results)."""

    command: str
    inputs: Path  # the scenario folder, workbook or variant as run
    files: dict[str, bytes]  # resolved absolute path (posix) -> content
    summary: Summary
    decisions_csv: bytes
    rule_set_json: str
    label: str | None = None
    batch_id: str | None = None
    run_id: str = field(default_factory=new_run_id)
    #: the agencies' workbooks read with ``inputs`` (resolved; their bytes are in ``files``)
    lists: tuple[Path, ...] = ()


def read_inputs(inputs: Path, result: RunResult | None = None,
                lists: Sequence[Path] = ()) -> dict[str, bytes]:
    """The contents of every file a run of ``inputs`` (and the agency workbooks ``lists``)
    reads, keyed by resolved path."""
    scenario = result.scenario if result is not None else None
    paths = [*input_files(inputs, scenario), *agency_files(lists)]
    return {p.as_posix(): read_input_bytes(p, p.name) for p in paths}


def agency_files(lists: Sequence[Path]) -> list[Path]:
    """The agency workbooks of ``lists`` (files, or folders of .xlsx files), resolved."""
    if not lists:
        return []
    problems = Collector()
    files = list_files(lists, problems)
    problems.raise_if_any()
    return files


def snapshot(inputs: Path, lists: Sequence[Path] = ()) -> dict[str, bytes]:
    """The input files of a run, read BEFORE it decides (what is recorded is what was
    there when the run started); a scenario that cannot be listed yet gives nothing (the
    run's own validation says why)."""
    try:
        return read_inputs(inputs, lists=lists)
    except AllocatorError:
        return {}


def unchanged_since(files: dict[str, bytes], inputs: Path, result: RunResult,
                    lists: Sequence[Path] = ()) -> None:
    """Raise when an input file differs from its snapshot (edited during the run): the
    decision cannot be tied to stored bytes. A file that only the read round names (a
    workbook's ``rule_set_file``) is added to the snapshot as it is now."""
    now = read_inputs(inputs, result, lists)
    changed = sorted(p for p in files if p not in now or _digest(now[p]) != _digest(files[p]))
    for path in now.keys() - files.keys():
        # Known only once the round is read (a workbook's rule_set_file): read now.
        files[path] = now[path]
    if changed:
        raise HistoryError(
            changed[0], "tệp đầu vào đã thay đổi trong lúc chạy; hãy chạy lại",
            "an input file changed while the run was deciding; run again")


def make_record(result: RunResult, *, command: str, inputs: Path, label: str | None = None,
                batch_id: str | None = None,
                files: dict[str, bytes] | None = None,
                lists: Sequence[Path] = ()) -> RunRecord:
    """A :class:`RunRecord` of a finished run (``lists``: the agency workbooks read)."""
    return RunRecord(
        command=command, inputs=inputs.resolve(),
        files=files if files is not None else read_inputs(inputs, result, lists),
        summary=result.summary, decisions_csv=result.decisions.write_csv().encode(),
        rule_set_json=result.scenario.rule_set.model_dump_json(), label=label,
        batch_id=batch_id,
        lists=tuple(p for p in agency_files(lists) if p != inputs.resolve()),
    )


# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------


@contextmanager
def connect(path: Path | None = None, *, read_only: bool = False
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the history, waiting a little while another process holds it."""
    path = path or history_path()
    if read_only and not path.exists():
        raise HistoryError(str(path), "chưa có lịch sử chạy", "no run history yet")
    if path.exists() and not path.is_file():
        raise HistoryError(str(path), "không phải tệp cơ sở dữ liệu", "not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise history_error(path, exc) from None
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise history_error(path, exc) from None
            time.sleep(0.1 + secrets.randbelow(100) / 1000)
        except (duckdb.Error, OSError) as exc:
            raise history_error(path, exc) from None
    try:
        if not read_only:
            _ensure_schema(con)
        yield con
    except (duckdb.Error, OSError) as exc:
        raise history_error(path, exc) from None
    finally:
        con.close()


def _busy(exc: BaseException) -> bool:
    return "lock" in str(exc).lower()


def history_error(path: Path, exc: BaseException) -> HistoryError:
    """A failure of the history database, in words: busy, read-only, full or damaged."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if _busy(exc):
        vi = f"cơ sở dữ liệu đang bận (một lần chạy khác giữ nó quá {LOCK_WAIT_S:.0f} giây)"
        en = f"the database is busy (another run held it for over {LOCK_WAIT_S:.0f} s)"
    elif isinstance(exc, FileExistsError | NotADirectoryError) or code == errno.ENOTDIR:
        vi = "không tạo được thư mục của lịch sử (một tệp chắn đường)"
        en = "the history's folder cannot be made (a file is in the way)"
    elif code in (errno.ENOSPC, errno.EDQUOT) or "no space" in text:
        vi, en = "ổ đĩa đã đầy", "the disk is full"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or "permission" in text \
            or "read-only" in text or "read only" in text:
        vi, en = "không có quyền ghi (chỉ cho đọc)", "no permission to write (read-only)"
    else:
        vi = "cơ sở dữ liệu hỏng hoặc không đọc được"
        en = f"the database is damaged or unreadable ({type(exc).__name__})"
    return HistoryError(str(path), vi, en)


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.begin()
    try:
        for statement in SCHEMA:
            con.execute(statement)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        con.commit()
    except BaseException:
        con.rollback()
        raise


_after_run_row: Callable[[str], None] | None = None
"""Test hook: called inside the transaction after the run row is written."""


def save(record: RunRecord, con: duckdb.DuckDBPyConnection) -> str:
    """Write one run in one transaction; raises on failure (nothing of it is kept)."""
    return save_all([record], con)[0]


def save_all(records: Sequence[RunRecord], con: duckdb.DuckDBPyConnection) -> list[str]:
    """Write runs in one transaction; raises on failure (nothing of them is kept)."""
    con.begin()
    try:
        ids = [_save_one(rec, con) for rec in records]
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return ids


def _save_one(record: RunRecord, con: duckdb.DuckDBPyConnection) -> str:
    summary = record.summary
    decisions_sha = _digest(record.decisions_csv)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [record.run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None), record.command,
         record.label, record.batch_id, record.inputs.as_posix(), summary.scenario,
         summary.input_digest, summary.rule_set.id, summary.rule_set.version,
         record.rule_set_json, summary.engine_version, summary.solver.status.value,
         summary.objective.value, summary.to_json(), summary.counts.candidates,
         summary.counts.selected, summary.counts.escalated, len(record.files),
         decisions_sha],
    )
    if _after_run_row is not None:
        _after_run_row(record.run_id)
    for path, content in sorted(record.files.items()):
        sha = _digest(content)
        _put_blob(con, sha, content)
        con.execute("INSERT INTO run_files VALUES (?, ?, ?)", [record.run_id, path, sha])
    for position, workbook in enumerate(record.lists):
        con.execute("INSERT INTO run_lists VALUES (?, ?, ?)",
                    [record.run_id, position, workbook.as_posix()])
    _put_blob(con, decisions_sha, record.decisions_csv)
    _insert_decisions(con, record.run_id, record.decisions_csv)
    return record.run_id


def _put_blob(con: duckdb.DuckDBPyConnection, sha: str, content: bytes) -> None:
    found = con.execute("SELECT 1 FROM blobs WHERE sha256 = ?", [sha]).fetchone()
    if found is None:
        con.execute("INSERT INTO blobs VALUES (?, ?, ?)", [sha, len(content), content])


def _insert_decisions(con: duckdb.DuckDBPyConnection, run_id: str, csv: bytes) -> None:
    """Bulk insert through DuckDB's CSV reader (no per-row Python)."""
    if csv.split(b"\n", 1)[0].find(b"job_position") >= 0:
        # A round of career levels: its pool kept as "<position>@<level>" in target_title.
        frame = pl.read_csv(csv, infer_schema=False)
        csv = frame.with_columns(pl.concat_str(
            [pl.col("job_position"), pl.lit("@"), pl.col("target_level")]).alias("target_title")
        ).select(DECISION_COLUMNS).write_csv().encode("utf-8")
    with private_temp.folder("allocator-history-") as tmp:
        path = tmp / "decisions.csv"
        path.write_bytes(csv)
        types = ", ".join(f"'{c}': '{'BIGINT' if c == 'priority_rank' else 'VARCHAR'}'"
                          for c in DECISION_COLUMNS)
        con.execute(
            f"INSERT INTO decisions SELECT ?, {', '.join(DECISION_COLUMNS)} FROM read_csv(?, "
            f"header = true, columns = {{{types}}}, quote = '\"', escape = '\"')",
            [run_id, str(path)],
        )


def record(result: RunResult, *, command: str, inputs: Path, label: str | None = None,
           batch_id: str | None = None, files: dict[str, bytes] | None = None,
           lists: Sequence[Path] = ()) -> str:
    """Record a finished run and return its id; :class:`HistoryError` when it cannot be
    recorded (the caller says so and exits non-zero). ``files``: the inputs as snapshotted
    before the run (:func:`snapshot`); they are checked against the files now."""
    if files is None:
        files = read_inputs(inputs, result, lists)
    else:
        unchanged_since(files, inputs, result, lists)
    rec = make_record(result, command=command, inputs=inputs, label=label,
                      batch_id=batch_id, files=files, lists=lists)
    return record_many([rec])[0]


def record_many(records: Sequence[RunRecord]) -> list[str]:
    """Record several runs through one connection in ONE transaction: all land, or none
    and :class:`HistoryError` says why."""
    if not records:
        return []
    with connect() as con:
        return save_all(records, con)


# ---------------------------------------------------------------------------------------------
# Reading it back
# ---------------------------------------------------------------------------------------------


def _frame(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    names = [d[0] for d in cursor.description or []]
    rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def list_runs(limit: int = 50, *, batch_id: str | None = None) -> pl.DataFrame:
    """The latest runs, newest first."""
    with connect() as con:
        where = "WHERE batch_id = ?" if batch_id else ""
        params: list[Any] = [batch_id] if batch_id else []
        cur = con.execute(
            "SELECT run_id, recorded_at, command, label, scenario_name, rule_set_id, "
            "rule_set_version, engine_version, solver_status, n_candidates, n_selected, "
            f"n_escalated, input_digest FROM runs {where} "
            "ORDER BY recorded_at DESC, run_id DESC LIMIT ?", [*params, limit])
        return _frame(cur)


def resolve_run_id(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The full id of a run given its id or a unique prefix of it."""
    rows = con.execute("SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id",
                       [run_id]).fetchall()
    if not rows:
        raise KeyError(f"không có lần chạy {run_id!r} / no run {run_id!r}")
    if len(rows) > 1 and rows[0][0] != run_id:
        raise KeyError(f"'{run_id}' khớp nhiều lần chạy / matches several runs: "
                       + ", ".join(r[0] for r in rows[:5]))
    return str(rows[0][0])


@dataclass
class RunInfo:
    """One recorded run."""

    run_id: str
    meta: dict[str, Any]
    summary: Summary
    files: pl.DataFrame  # path, sha256, size
    status_counts: dict[str, int]


def show_run(run_id: str) -> RunInfo:
    with connect() as con:
        rid = resolve_run_id(con, run_id)
        cur = con.execute("SELECT * FROM runs WHERE run_id = ?", [rid])
        names = [d[0] for d in cur.description or []]
        row = cur.fetchone()
        assert row is not None
        meta = dict(zip(names, row, strict=True))
        summary = Summary.model_validate_json(meta.pop("summary_json"))
        meta.pop("rule_set_json", None)
        files = _frame(con.execute(
            "SELECT f.path, f.sha256, b.size FROM run_files f JOIN blobs b USING (sha256) "
            "WHERE f.run_id = ? ORDER BY f.path", [rid]))
        counts = dict(con.execute("SELECT status, count(*) FROM decisions WHERE run_id = ? "
                                  "GROUP BY status ORDER BY status", [rid]).fetchall())
    return RunInfo(rid, meta, summary, files, {str(k): int(v) for k, v in counts.items()})


def decisions_of(run_id: str) -> bytes:
    """The exact bytes of a recorded run's decisions.csv."""
    with connect() as con:
        rid = resolve_run_id(con, run_id)
        row = con.execute("SELECT b.content FROM runs r JOIN blobs b ON b.sha256 = "
                          "r.decisions_sha256 WHERE r.run_id = ?", [rid]).fetchone()
    assert row is not None
    return bytes(row[0])


@dataclass
class Replay:
    """The outcome of re-running a recorded run from its stored inputs."""

    run_id: str
    identical: bool
    stored_sha256: str
    replayed_sha256: str
    changed: pl.DataFrame  # candidate_id, status_then, status_now (rows that differ)
    rule_set_changed: bool
    engine_then: str
    engine_now: str


def restore(run_id: str, folder: Path) -> tuple[Path, str, str]:
    """Write a run's stored input files under ``folder`` (mirroring their absolute paths).

    Returns the path of the restored entry (the scenario or variant as run), the stored
    decisions' bytes digest and the stored rule set (JSON).
    """
    with connect() as con:
        rid = resolve_run_id(con, run_id)
        row = con.execute("SELECT inputs, decisions_sha256, rule_set_json FROM runs "
                          "WHERE run_id = ?", [rid]).fetchone()
        assert row is not None
        files = con.execute("SELECT f.path, b.content FROM run_files f JOIN blobs b "
                            "USING (sha256) WHERE f.run_id = ?", [rid]).fetchall()
    for path, content in files:
        target = mirror(folder, Path(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(content))
    return mirror(folder, Path(row[0])), str(row[1]), str(row[2])


def recorded_lists(run_id: str) -> list[Path]:
    """The agency workbooks a recorded run read, in the order given (their bytes are among
    its stored files)."""
    with connect() as con:
        rid = resolve_run_id(con, run_id)
        rows = con.execute("SELECT path FROM run_lists WHERE run_id = ? ORDER BY position",
                           [rid]).fetchall()
    return [Path(str(p)) for (p,) in rows]


def mirror(folder: Path, path: Path) -> Path:
    """Where an absolute path lands inside a restore folder."""
    return folder / path.relative_to(path.anchor)


def replay(run_id: str) -> Replay:
    """Re-run a recorded run from its stored inputs; compare decisions byte for byte."""
    with connect() as con:
        rid = resolve_run_id(con, run_id)
        engine_then = str(con.execute("SELECT engine_version FROM runs WHERE run_id = ?",
                                      [rid]).fetchone()[0])  # type: ignore[index]
    with private_temp.folder("allocator-replay-") as folder:
        entry, stored_sha, rule_set_then = restore(rid, folder)

        def remap(path: Path) -> Path:
            return mirror(folder, path)

        lists = [mirror(folder, p) for p in recorded_lists(rid)]
        result = decide(load(entry, remap=remap, lists=lists), Options())
    now = result.decisions.write_csv().encode()
    stored = decisions_of(rid)
    changed = _changed(stored, now)
    return Replay(
        run_id=rid, identical=now == stored, stored_sha256=stored_sha,
        replayed_sha256=_digest(now), changed=changed,
        rule_set_changed=result.scenario.rule_set.model_dump_json() != rule_set_then,
        engine_then=engine_then, engine_now=__version__,
    )


def _changed(then: bytes, now: bytes) -> pl.DataFrame:
    a = pl.read_csv(then, infer_schema=False)
    b = pl.read_csv(now, infer_schema=False)
    joined = a.join(b, on="candidate_id", how="full", suffix="_now", coalesce=True,
                    maintain_order="left_right")
    differs = pl.lit(False)
    for c in DECISION_COLUMNS[1:]:
        if c in a.columns and f"{c}_now" in joined.columns:
            differs = differs | pl.col(c).ne_missing(pl.col(f"{c}_now"))
    return joined.filter(differs).select(
        "candidate_id", pl.col("status").alias("status_then"),
        pl.col("status_now") if "status_now" in joined.columns else pl.lit(None)
        .alias("status_now"))


# ---------------------------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------------------------


def verify(path: Path | None = None) -> list[str]:
    """Problems in the history (empty when consistent): every run complete, nothing orphan."""
    checks = {
        "run without its decisions.csv bytes":
            "SELECT run_id FROM runs r WHERE NOT EXISTS "
            "(SELECT 1 FROM blobs b WHERE b.sha256 = r.decisions_sha256)",
        "run with a missing input file":
            "SELECT r.run_id FROM runs r WHERE n_files <> "
            "(SELECT count(*) FROM run_files f JOIN blobs b USING (sha256) "
            "WHERE f.run_id = r.run_id)",
        "run whose decisions table does not match its counts":
            "SELECT r.run_id FROM runs r WHERE n_candidates <> "
            "(SELECT count(*) FROM decisions d WHERE d.run_id = r.run_id)",
        "agency lists of an unknown run":
            "SELECT DISTINCT run_id FROM run_lists l WHERE NOT EXISTS "
            "(SELECT 1 FROM runs r WHERE r.run_id = l.run_id)",
        "agency list without its stored file":
            "SELECT DISTINCT l.run_id FROM run_lists l WHERE NOT EXISTS "
            "(SELECT 1 FROM run_files f WHERE f.run_id = l.run_id AND f.path = l.path)",
        "files of an unknown run":
            "SELECT DISTINCT run_id FROM run_files f WHERE NOT EXISTS "
            "(SELECT 1 FROM runs r WHERE r.run_id = f.run_id)",
        "decisions of an unknown run":
            "SELECT DISTINCT run_id FROM decisions d WHERE NOT EXISTS "
            "(SELECT 1 FROM runs r WHERE r.run_id = d.run_id)",
    }
    problems: list[str] = []
    with connect(path) as con:
        for what, sql in checks.items():
            for (rid,) in con.execute(sql).fetchall():
                problems.append(f"{what}: {rid}")
    return problems
