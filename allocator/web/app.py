"""The application: the routes, error pages and middleware wired onto the shared state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from allocator import __version__
from allocator.web import api, deps, pages
from allocator.web.render import html, is_hx
from allocator.web.security import BodyLimit, guard
from allocator.web.state import HERE, Config, Web, build

__all__ = ["Config", "Web", "build", "create_app"]


def create_app(config: Config) -> FastAPI:
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
    if is_hx(request):
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg"))
                          for e in exc.errors())
        return html(request, "fragments/error.html", status=422,
                    message_vi=f"Yêu cầu không hợp lệ ({where})",
                    message_en=f"Invalid request ({where})")
    return await request_validation_exception_handler(request, exc)
