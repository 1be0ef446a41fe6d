"""Request dependencies: the server's state, the account behind a request, the CSRF check,
and what a request may see of a round."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from allocator.web.access import LOCAL, Principal, can_see
from allocator.web.security import UNSAFE_METHODS, json_detail
from allocator.web.sessions import Session
from allocator.web.state import Web
from allocator.web.store import RoundMeta

COOKIE = "allocator_session"
CSRF_HEADER = "X-CSRF-Token"


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def _session(request: Request) -> Session | None:
    """The request's live session (looked up once per request)."""
    if not getattr(request.state, "session_read", False):
        web = web_of(request)
        found = None
        if web.sessions is not None:
            found = web.sessions.get(request.cookies.get(COOKIE))
        request.state.session = found
        request.state.session_read = True
    session: Session | None = request.state.session
    return session


def current(request: Request) -> Principal | None:
    """The account behind the request, or None without a valid session."""
    web = web_of(request)
    if web.config.single_person:
        return LOCAL
    session = _session(request)
    if session is None or web.directory is None:
        return None
    account = web.directory.get(session.login)
    if account is None:
        return None
    return Principal(account.login, account.role, account.agency)


def principal(request: Request) -> Principal:
    """The account behind the request; 401 without a valid session."""
    who = current(request)
    if who is None:
        raise HTTPException(401, detail=json_detail(
            "cần đăng nhập (phiên đã hết hạn hoặc chưa mở)",
            "log in first (no session, or it has expired)"))
    return who


def csrf_guard(request: Request) -> None:
    """Every state-changing request of a session carries the session's CSRF token in the
    X-CSRF-Token header (logging in opens the session, so it carries none)."""
    if request.method not in UNSAFE_METHODS:
        return
    if request.url.path == "/api/session" and request.method == "POST":
        return
    session = _session(request)
    if session is None:
        return  # the route answers 401
    if not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, detail=json_detail(
            "thiếu hoặc sai mã chống giả mạo (X-CSRF-Token)",
            "the X-CSRF-Token header is missing or wrong"))


def csrf_token(request: Request) -> str:
    """The token the page puts into its requests."""
    web = web_of(request)
    if web.config.single_person:
        return web.local_csrf
    session = _session(request)
    return session.csrf_token if session is not None else ""


def not_found() -> HTTPException:
    return HTTPException(404, detail=json_detail("không tìm thấy", "not found"))


def visible_round(request: Request, who: Principal, round_id: str) -> RoundMeta:
    """The round's metadata if this account may see it; 404 otherwise (whether or not it
    exists)."""
    web = web_of(request)
    meta = web.store.read(round_id)
    if meta is None or not can_see(who, meta):
        raise not_found()
    opened = web.workspace.peek(round_id)
    return opened.meta if opened is not None else meta


def detail(vi: str, en: str) -> dict[str, Any]:
    return json_detail(vi, en)
