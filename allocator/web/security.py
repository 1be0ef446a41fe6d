"""Request guards that apply to every route: the body size limit, the Host check of
single-person mode (no DNS rebinding), the same-origin check of state-changing requests,
and the security headers of every response."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def is_loopback(host: str) -> bool:
    """True for a loopback address or the name localhost."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refusal(status: int, vi: str, en: str) -> JSONResponse:
    return JSONResponse({"detail": {"message_vi": vi, "message_en": en}}, status_code=status)


class BodyLimit:
    """Refuse (413) a request whose body is larger than ``limit`` bytes, whether it says so
    in Content-Length or not."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        seen = 0
        over = False

        async def counting() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise HTTPException(413, detail=self._detail())
            return message

        async def sending(message: Message) -> None:
            # Whatever the app answers once the body ran over (a parser may turn the error
            # into a 400), the client gets the 413.
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await self._too_large(scope, receive, send)

        await self.app(scope, counting, sending)

    def _detail(self) -> dict[str, str]:
        mb = self.limit / (1024 * 1024)
        return json_detail(f"dữ liệu gửi lên quá lớn (tối đa {mb:g} MB)",
                           f"the request is too large (at most {mb:g} MB)")

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse({"detail": self._detail()}, status_code=413)
        for key, value in HEADERS.items():
            response.headers[key] = value
        await response(scope, receive, send)


def allowed_hosts(port: int) -> frozenset[str]:
    """Host header values a single-person server answers: loopback names with its port."""
    names = {f"{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}
    if port == 80:
        names |= {"localhost", "127.0.0.1", "[::1]"}
    return frozenset(names)


def same_origin(request: Request) -> bool:
    """A state-changing request must come from this site: its Origin (or, without one, its
    Referer) names the host and port the request was sent to. Neither header: not a
    browser page of another site (browsers send Origin on cross-site POSTs)."""
    host = request.headers.get("host", "").lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host
    referer = request.headers.get("referer")
    if referer is not None:
        return urlsplit(referer).netloc.lower() == host
    return True


Handler = Callable[[Request], Awaitable[Response]]


def guard(*, single_person: bool, port: int) -> Callable[[Request, Handler], Awaitable[Response]]:
    """The middleware: host and origin checks first, security headers on every answer."""
    hosts = allowed_hosts(port)

    async def middleware(request: Request, call_next: Handler) -> Response:
        response: Response
        if single_person and request.headers.get("host", "").lower() not in hosts:
            response = refusal(403, "máy chủ chỉ trả lời địa chỉ của máy này (localhost)",
                               "this server answers only its loopback address (localhost)")
        elif request.method in UNSAFE_METHODS and not same_origin(request):
            response = refusal(403, "yêu cầu đến từ một trang web khác",
                               "the request comes from another site")
        else:
            response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware


def json_detail(vi: str, en: str) -> dict[str, Any]:
    return {"message_vi": vi, "message_en": en}


def dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)
