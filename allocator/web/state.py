"""The configuration of one server and the state it shares between requests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from allocator.web import service
from allocator.web.accounts import Directory
from allocator.web.jobs import Jobs
from allocator.web.sessions import ABSOLUTE_S, IDLE_S, SessionTable
from allocator.web.store import Store
from allocator.web.uploads import UploadLimits
from allocator.web.workspace import Workspace

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Config:
    data: Path
    users: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    limits: UploadLimits = field(default_factory=UploadLimits)
    workers: int = 2
    max_open_rounds: int = 4
    secure_cookies: bool = True
    session_idle_s: float = IDLE_S
    session_absolute_s: float = ABSOLUTE_S
    record_history: bool = True

    @property
    def single_person(self) -> bool:
        return self.users is None


@dataclass
class Web:
    """Everything one server shares between requests."""

    config: Config
    store: Store
    workspace: Workspace
    jobs: Jobs
    sessions: SessionTable | None
    directory: Directory | None
    templates: Environment
    local_csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    failures: dict[str, list[float]] = field(default_factory=dict)


def templates() -> Environment:
    """Jinja2 with autoescaping everywhere: nothing from the data is rendered unescaped."""
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


def build(config: Config) -> Web:
    store = Store(config.data)
    service.use_history(store.history)
    jobs = Jobs(config.workers)
    workspace = Workspace(store, max_open=config.max_open_rounds,
                          record=config.record_history)

    workspace.later = jobs.record
    sessions = directory = None
    if config.users is not None:
        directory = Directory(config.users)
        sessions = SessionTable(store.sessions, idle_s=config.session_idle_s,
                                absolute_s=config.session_absolute_s)
    return Web(config, store, workspace, jobs, sessions, directory, templates())
