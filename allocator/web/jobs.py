"""The job table: engine work runs in a pool of worker threads, never in a request.

A job records its stage and progress as the engine reports them, so that the page can
show progress while a large round is read and decided; the request that started it waits
without blocking anyone else (the server's event loop keeps answering). Threads, not
processes, because each open round keeps the engine's what-if cache in this process's
memory; polars and CP-SAT release the interpreter lock while they work.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

KEEP_S = 3600.0

STAGES = {
    "queued": ("Đang chờ", "Waiting"),
    "upload": ("Nhận tệp", "Receiving files"),
    "load": ("Đọc dữ liệu", "Reading the data"),
    "eligibility": ("Xét điều kiện", "Checking conditions"),
    "solve": ("Phân bổ chỉ tiêu", "Allocating seats"),
    "outputs": ("Ghi kết quả", "Writing results"),
    "history": ("Lưu lịch sử", "Recording the run"),
    "files": ("Tạo tệp tải về", "Preparing the download"),
    "done": ("Xong", "Done"),
}


class State(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


@dataclass
class Job:
    job_id: str
    owner: str
    kind: str
    created: float = field(default_factory=time.time)
    state: State = State.queued
    stage: str = "queued"
    done: int = 0
    total: int = 0
    label: str = ""  # what ``total`` counts (e.g. coupled components)
    finished: float | None = None
    future: Future[Any] | None = None
    link: str | None = None  # where the page goes once the job is done

    def as_json(self) -> dict[str, Any]:
        vi, en = STAGES.get(self.stage, (self.stage, self.stage))
        out: dict[str, Any] = {"job_id": self.job_id, "kind": self.kind,
                               "state": self.state.value, "stage": self.stage,
                               "stage_vi": vi, "stage_en": en, "done": self.done,
                               "total": self.total, "link": self.link}
        elapsed = (self.finished or time.time()) - self.created
        out["elapsed_s"] = round(elapsed, 3)
        return out


class JobProgress:
    """The engine's progress protocol, writing into a job."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def stage(self, name: str) -> None:
        self.job.stage = name
        self.job.done = 0
        self.job.total = 0

    def start(self, total: int, label: str) -> None:
        self.job.label = label
        self.job.total = total
        self.job.done = 0

    def advance(self, n: int = 1) -> None:
        self.job.done += n


class Jobs:
    """A pool of worker threads and the table of the jobs given to it."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="engine")
        # Runs are recorded in the history one at a time, after the answer, on a thread of
        # their own: a user's next edit never queues behind a recording.
        self._recorder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, owner: str, kind: str, work: Callable[[JobProgress], Any]) -> Job:
        """Queue ``work``; it receives the job's progress reporter."""
        job = Job(secrets.token_urlsafe(12), owner, kind)
        progress = JobProgress(job)

        def run() -> Any:
            job.state = State.running
            try:
                value = work(progress)
            except BaseException:
                job.state = State.failed
                raise
            finally:
                job.finished = time.time()
            job.state = State.done
            job.stage = "done"
            return value

        with self._lock:
            self._prune()
            self._jobs[job.job_id] = job
            job.future = self._pool.submit(run)
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """A job of this owner (another owner's job does not exist for them)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    async def wait(self, job: Job) -> Any:
        """The job's value (or its exception), without blocking the event loop."""
        assert job.future is not None
        return await asyncio.wrap_future(job.future)

    async def run(self, owner: str, kind: str, work: Callable[[JobProgress], Any]) -> Any:
        return await self.wait(self.submit(owner, kind, work))

    def record(self, work: Callable[[], None]) -> None:
        """Record a run in the history after the answer."""
        self._recorder.submit(work)

    def _prune(self) -> None:
        now = time.time()
        for key in [k for k, j in self._jobs.items()
                    if j.finished is not None and now - j.finished > KEEP_S]:
            del self._jobs[key]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._recorder.shutdown(wait=True)  # a run being recorded is finished, not lost
