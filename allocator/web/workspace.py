"""Open rounds in memory (each with the engine's what-if cache) over the data folder.

Every method here may take long (it decides) and runs in a worker thread of the job pool,
never in a request. A round's lock serialises the work on one round; other rounds go on.
A round not in memory (after a restart, or pushed out by newer ones) is reloaded from its
stored input when it is next used.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import tomllib
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocator.web import service
from allocator.web.service import BadInput, Base, Decided, Progress
from allocator.web.store import RoundMeta, Store, VariantMeta, now_iso, write_atomic

BASE = "base"
MAX_VARIANTS_IN_MEMORY = 6


@dataclass
class OpenRound:
    meta: RoundMeta
    base: Base
    decided: Decided
    variants: OrderedDict[str, Decided] = field(default_factory=OrderedDict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class _Quiet:
    def stage(self, name: str) -> None:
        pass

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class VariantOutcome:
    meta: VariantMeta
    decided: Decided
    changed: list[dict[str, Any]]


class Workspace:
    def __init__(self, store: Store, *, max_open: int = 4,
                 record: bool = True) -> None:
        self.store = store
        self.max_open = max_open
        self.record = record
        self._open: OrderedDict[str, OpenRound] = OrderedDict()
        self._lock = threading.Lock()
        self._round_locks: dict[str, threading.RLock] = {}
        # Recording a run in the history follows the answer (the server hands this to a
        # thread of its own); by default, at once.
        self.later: Callable[[Callable[[], None]], None] = lambda work: work()

    # -- rounds ---------------------------------------------------------------------------
    def round_lock(self, round_id: str) -> threading.RLock:
        with self._lock:
            return self._round_locks.setdefault(round_id, threading.RLock())

    def is_open(self, round_id: str) -> bool:
        with self._lock:
            return round_id in self._open

    def peek(self, round_id: str) -> OpenRound | None:
        """The round if it is in memory (never loads it)."""
        with self._lock:
            return self._open.get(round_id)

    def create(self, round_id: str, folder: Path, entry: Path, owner: str,
               owner_agency: str | None, progress: Progress) -> RoundMeta:
        """Decide a staged upload and keep it (``round.json`` last); on bad input the
        folder is removed and :class:`BadInput` raised."""
        try:
            progress.stage("load")
            base = service.open_base(entry)
            decided = service.decide_base(base, progress)
            progress.stage("outputs")
            service.write_result(decided, folder / "result")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        rel = entry.relative_to(folder).as_posix()
        meta = RoundMeta(round_id, str(decided.summary["scenario"]), owner, rel, rel,
                         candidates=int(decided.summary["counts"]["candidates"]),
                         owner_agency=owner_agency,
                         rulings=[list(r) for r in service.existing_rulings(base)])
        self.store.write(meta)
        self._remember(OpenRound(meta, base, decided, lock=self.round_lock(round_id)))
        self.later(lambda: self._record(round_id, decided, "serve upload", entry, None, None))
        return meta

    def open(self, round_id: str, progress: Progress | None = None) -> OpenRound:
        """The round in memory, loading and deciding it from its stored input if needed."""
        with self._lock:
            found = self._open.get(round_id)
            if found is not None:
                self._open.move_to_end(round_id)
                return found
        with self.round_lock(round_id):
            with self._lock:
                found = self._open.get(round_id)
            if found is not None:
                return found
            meta = self.store.read(round_id)
            if meta is None:
                raise KeyError(round_id)
            progress = progress or _Quiet()
            progress.stage("load")
            base = service.open_base(self._path(meta, meta.current))
            decided = service.decide_base(base, progress)
            opened = OpenRound(meta, base, decided, lock=self.round_lock(round_id))
            self._remember(opened)
            return opened

    def _remember(self, opened: OpenRound) -> None:
        with self._lock:
            self._open[opened.meta.round_id] = opened
            self._open.move_to_end(opened.meta.round_id)
            while len(self._open) > self.max_open:
                self._open.popitem(last=False)

    def forget(self, round_id: str) -> None:
        with self._lock:
            self._open.pop(round_id, None)

    def _path(self, meta: RoundMeta, rel: str) -> Path:
        return self.store.rounds / meta.round_id / rel

    def save_meta(self, opened: OpenRound) -> None:
        self.store.write(opened.meta)

    # -- one view of a round: the base or a variant -----------------------------------------
    def view(self, round_id: str, variant_id: str | None,
             progress: Progress | None = None) -> tuple[OpenRound, Decided]:
        opened = self.open(round_id, progress)
        if variant_id in (None, "", BASE):
            return opened, opened.decided
        with opened.lock:
            found = opened.variants.get(variant_id or "")
            if found is not None:
                opened.variants.move_to_end(variant_id or "")
                return opened, found
            vmeta = opened.meta.variant(variant_id or "")
            if vmeta is None:
                raise KeyError(variant_id)
            decided = self._decide_stored(opened, vmeta, progress or _Quiet())
            self._keep_variant(opened, vmeta.variant_id, decided)
            return opened, decided

    def _decide_stored(self, opened: OpenRound, vmeta: VariantMeta,
                       progress: Progress) -> Decided:
        folder = self._path(opened.meta, "variants")
        toml = folder / f"{vmeta.variant_id}.toml"
        if vmeta.base == opened.meta.current:  # the base in memory: the what-if cache helps
            spec = tomllib.loads(toml.read_text(encoding="utf-8"))
            return service.decide_variant(opened.base, spec, toml.name, folder, progress)
        return service.decide_file(toml, opened.base.cache, progress)

    def _keep_variant(self, opened: OpenRound, variant_id: str, decided: Decided) -> None:
        opened.variants[variant_id] = decided
        opened.variants.move_to_end(variant_id)
        while len(opened.variants) > MAX_VARIANTS_IN_MEMORY:
            opened.variants.popitem(last=False)

    def result_folder(self, meta: RoundMeta, variant_id: str | None) -> Path:
        """Where a view's result files are (KeyError for a variant the round does not
        have: the id never becomes a path otherwise)."""
        if variant_id in (None, "", BASE):
            return self._path(meta, "result")
        vmeta = meta.variant(variant_id or "")
        if vmeta is None:
            raise KeyError(variant_id)
        return self._path(meta, f"variants/{vmeta.variant_id}")

    # -- variants -------------------------------------------------------------------------
    def add_variant(self, round_id: str, name: str, changes: dict[str, Any],
                    parent: str | None, draft: bool, progress: Progress) -> VariantOutcome:
        opened = self.open(round_id, progress)
        with opened.lock:
            meta = opened.meta
            merged = changes
            if parent:
                pmeta = meta.variant(parent)
                if pmeta is None:
                    raise KeyError(parent)
                merged = service.merge_changes(pmeta.changes, changes)
            vid = f"v{meta.next_variant}"
            folder = self._path(meta, "variants")
            base_ref = os.path.relpath(self._path(meta, meta.current), folder)
            spec = service.variant_spec(base_ref, "", merged)
            if name:
                spec["description"] = name
            service.check_variant(spec, f"{vid}.toml")
            decided = service.decide_variant(opened.base, spec, f"{vid}.toml", folder, progress)
            progress.stage("outputs")
            folder.mkdir(parents=True, exist_ok=True)
            toml = folder / f"{vid}.toml"
            write_atomic(toml, service.variant_toml(spec).encode())
            service.write_result(decided, folder / vid)
            vmeta = VariantMeta(vid, name or vid, draft, merged, meta.current, parent)
            self._supersede(opened, parent)
            meta.variants.append(vmeta)
            meta.next_variant += 1
            self.save_meta(opened)
            self._keep_variant(opened, vid, decided)
            changed = service.changed(opened.decided, decided, vmeta.name).to_dicts()
        self.later(lambda: self._record(round_id, decided, "serve variant", toml, vmeta.name,
                                        vid))
        return VariantOutcome(vmeta, decided, changed)

    def _supersede(self, opened: OpenRound, parent: str | None) -> None:
        """A draft edited further is replaced by the new one: its files go."""
        if not parent:
            return
        pmeta = opened.meta.variant(parent)
        if pmeta is None or not pmeta.draft:
            return
        opened.meta.variants.remove(pmeta)
        opened.variants.pop(parent, None)
        folder = self._path(opened.meta, "variants")
        (folder / f"{parent}.toml").unlink(missing_ok=True)
        shutil.rmtree(folder / parent, ignore_errors=True)

    # -- rulings --------------------------------------------------------------------------
    def rule(self, round_id: str, rulings: Sequence[tuple[str, str]],
             progress: Progress) -> Decided:
        """Record rulings (merged with those already made) and re-decide the round; a ruling
        the engine refuses raises :class:`BadInput` and nothing changes."""
        opened = self.open(round_id, progress)
        with opened.lock:
            meta = opened.meta
            merged = {c: d for c, d in meta.rulings}
            merged.update(dict(rulings))
            n = meta.ruling_sets + 1
            folder = self._path(meta, f"rulings/{n}")
            shutil.rmtree(folder, ignore_errors=True)
            entry = service.with_rulings(opened.base, sorted(merged.items()), folder)
            try:
                progress.stage("load")
                base = service.open_base(entry)
                base.cache = opened.base.cache
                decided = service.decide_base(base, progress)
            except BadInput:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            progress.stage("outputs")
            service.write_result(decided, self._path(meta, "result"))
            for cached in ("ket-qua.xlsx", "letters.zip"):
                (self._path(meta, "result") / cached).unlink(missing_ok=True)
            meta.rulings = [[c, d] for c, d in sorted(merged.items())]
            meta.ruling_sets = n
            meta.current = entry.relative_to(self._path(meta, "")).as_posix()
            opened.base, opened.decided = base, decided
            opened.variants.clear()
            self.save_meta(opened)
        self.later(lambda: self._record(round_id, decided, "serve ruling", entry, None, None))
        return decided

    # -- files ----------------------------------------------------------------------------
    def workbook(self, round_id: str, variant_id: str | None, progress: Progress) -> Path:
        """The result workbook of a view, written once and kept."""
        opened, decided = self.view(round_id, variant_id, progress)
        with opened.lock:
            folder = self.result_folder(opened.meta, variant_id)
            target = folder / service.WORKBOOK_FILE
            if not target.exists():
                progress.stage("files")
                service.write_workbook(decided, folder)
            return target

    def letters(self, round_id: str, variant_id: str | None, progress: Progress) -> Path:
        """The letters of a view as one .zip, written once and kept."""
        opened, decided = self.view(round_id, variant_id, progress)
        with opened.lock:
            target = self.result_folder(opened.meta, variant_id) / "letters.zip"
            if not target.exists():
                progress.stage("files")
                write_atomic(target, letters_zip(decided, self.store.tmp))
            return target

    # -- history --------------------------------------------------------------------------
    def _record(self, round_id: str, decided: Decided, command: str, inputs: Path,
                label: str | None, variant_id: str | None) -> None:
        if not self.record:
            return
        run_id = service.record_run(decided, command=command, inputs=inputs, label=label)
        if run_id is None:
            return
        with self.round_lock(round_id):
            with self._lock:
                opened = self._open.get(round_id)
            meta = opened.meta if opened is not None else self.store.read(round_id)
            if meta is None:
                return
            meta.runs.append({"run_id": run_id, "command": command, "variant_id": variant_id,
                              "recorded_at": now_iso()})
            vmeta = meta.variant(variant_id) if variant_id is not None else None
            if vmeta is not None:
                vmeta.run_id = run_id
            self.store.write(meta)


def letters_zip(decided: Decided, tmp: Path) -> bytes:
    """Every draft letter of a run in one .zip (fixed order and times: same bytes)."""
    folder = service.temporary_folder(tmp, "letters-")
    try:
        paths = sorted(service.write_letters(decided, folder / "letters"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                info = zipfile.ZipInfo(path.name, date_time=(2000, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        return buffer.getvalue()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
