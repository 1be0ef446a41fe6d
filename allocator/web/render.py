"""Rendering pages and fragments (Jinja2, autoescaped) in the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from allocator.web import i18n
from allocator.web.deps import csrf_token, current, web_of


def lang_of(request: Request) -> str:
    """``?lang=`` first, then the cookie, then Vietnamese."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        return asked
    return i18n.pick(request.cookies.get(i18n.COOKIE))


def is_hx(request: Request) -> bool:
    """A request of the page (htmx), answered with HTML instead of JSON."""
    return request.headers.get("HX-Request") == "true"


def context(request: Request, **extra: Any) -> dict[str, Any]:
    lang = lang_of(request)
    web = web_of(request)
    return {"lang": lang, "t": i18n.translator(lang), "who": current(request),
            "csrf": csrf_token(request), "single": web.config.single_person,
            "request_path": request.url.path, **extra}


def html(request: Request, template: str, *, status: int = 200,
         headers: Mapping[str, str] | None = None, **extra: Any) -> HTMLResponse:
    web = web_of(request)
    body = web.templates.get_template(template).render(context(request, **extra))
    response = HTMLResponse(body, status_code=status, headers=dict(headers or {}))
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, asked, max_age=365 * 86400, samesite="strict",
                            httponly=True)
    return response
