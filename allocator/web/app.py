"""The application: configuration, the shared state of one server, and its wiring."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from allocator import __version__
from allocator.web import service
from allocator.web.accounts import Directory
from allocator.web.jobs import Jobs
from allocator.web.security import BodyLimit, guard
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


def create_app(config: Config) -> FastAPI:
    from allocator.web import api, deps, pages

    web = build(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        web.jobs.shutdown()
        if web.sessions is not None:
            web.sessions.shutdown()

    app = FastAPI(
        title="allocator — xét thăng hạng / promotion reviews",
        version=__version__,
        description="The planning workspace's HTTP API (WEB.md). Vietnamese and English "
                    "messages; the page uses the same endpoints.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
        dependencies=[Depends(deps.csrf_guard)],
    )
    app.state.web = web
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.middleware("http")(guard(single_person=config.single_person, port=config.port))
    app.add_middleware(BodyLimit, limit=config.limits.max_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors as JSON for programs; for the page, a message (or the login page on 401)."""
    from allocator.web.render import html, is_hx

    page = not request.url.path.startswith("/api/")
    if exc.status_code == 401 and (is_hx(request) or page):
        if is_hx(request):
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)
    if is_hx(request) or page:
        found: dict[str, Any] = exc.detail if isinstance(exc.detail, dict) else {}
        return html(request, "fragments/error.html" if is_hx(request) else "error.html",
                    status=exc.status_code,
                    message_vi=str(found.get("message_vi", exc.detail)),
                    message_en=str(found.get("message_en", exc.detail)))
    return await http_exception_handler(request, exc)


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    """A request the API cannot read: FastAPI's 422 for programs, a message for the page."""
    from allocator.web.render import html, is_hx

    if is_hx(request):
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg"))
                          for e in exc.errors())
        return html(request, "fragments/error.html", status=422,
                    message_vi=f"Yêu cầu không hợp lệ ({where})",
                    message_en=f"Invalid request ({where})")
    return await request_validation_exception_handler(request, exc)
