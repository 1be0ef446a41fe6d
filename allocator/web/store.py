"""What the server keeps under ``--data``, and how it is laid out.

```
DATA/
  history.duckdb                 the run history (allocator runs …)
  sessions.sqlite3               server-side sessions (token digests only)
  rounds/<round_id>/
    round.json                   the round: name, owner, shares, rulings, variants
    input/…                      the upload as sent (a workbook, or the scenario folder)
    rulings/<n>/                 the input with the managing agency's rulings, as a folder
    result/                      decisions.csv, pools.csv, escalations.csv, summary.json
                                 (+ ket-qua.xlsx, letters.zip once asked for)
    variants/<vid>.toml          a variant, as `allocator run` reads it
    variants/<vid>/              its result files
```

``round.json`` is written last (atomically) when a round is created: a folder without it
is an upload that failed or was interrupted, and is removed at start.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROUND_FILE = "round.json"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class VariantMeta:
    variant_id: str
    name: str
    draft: bool
    changes: dict[str, Any]
    base: str  # the round's entry it applies to, relative to the round folder
    parent: str | None = None
    created_at: str = field(default_factory=now_iso)
    run_id: str | None = None


@dataclass
class RoundMeta:
    round_id: str
    name: str
    owner: str
    entry: str  # the upload's entry, relative to the round folder
    current: str  # the entry decided now (the upload, or the upload with rulings)
    candidates: int = 0
    created_at: str = field(default_factory=now_iso)
    owner_agency: str | None = None
    rulings: list[list[str]] = field(default_factory=list)
    shared_with: list[str] = field(default_factory=list)
    variants: list[VariantMeta] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    next_variant: int = 1
    ruling_sets: int = 0

    def variant(self, variant_id: str) -> VariantMeta | None:
        return next((v for v in self.variants if v.variant_id == variant_id), None)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RoundMeta:
        doc = dict(doc)
        doc["variants"] = [VariantMeta(**v) for v in doc.get("variants", [])]
        return cls(**doc)


class Store:
    """The data folder."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.rounds = data / "rounds"
        self.rounds.mkdir(parents=True, exist_ok=True)
        self.tmp = data / "tmp"
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._remove_unfinished()

    @property
    def history(self) -> Path:
        return self.data / "history.duckdb"

    @property
    def sessions(self) -> Path:
        return self.data / "sessions.sqlite3"

    def _remove_unfinished(self) -> None:
        for folder in self.rounds.iterdir():
            if folder.is_dir() and not (folder / ROUND_FILE).exists():
                shutil.rmtree(folder, ignore_errors=True)

    def new_round_folder(self) -> tuple[str, Path]:
        while True:
            rid = secrets.token_hex(6)
            folder = self.rounds / rid
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return rid, folder

    def folder(self, round_id: str) -> Path | None:
        if not round_id.isalnum():
            return None
        folder = self.rounds / round_id
        return folder if (folder / ROUND_FILE).is_file() else None

    def read(self, round_id: str) -> RoundMeta | None:
        folder = self.folder(round_id)
        if folder is None:
            return None
        return RoundMeta.from_json(json.loads((folder / ROUND_FILE).read_text("utf-8")))

    def write(self, meta: RoundMeta) -> None:
        folder = self.rounds / meta.round_id
        write_atomic(folder / ROUND_FILE,
                     json.dumps(meta.as_json(), ensure_ascii=False, indent=2).encode())

    def all(self) -> list[RoundMeta]:
        out = []
        for folder in sorted(self.rounds.iterdir()):
            meta = self.read(folder.name) if folder.is_dir() else None
            if meta is not None:
                out.append(meta)
        return sorted(out, key=lambda m: m.created_at, reverse=True)


def write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
