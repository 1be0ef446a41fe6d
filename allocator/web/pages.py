"""The page: server-rendered HTML (Jinja2) made live by htmx, in Vietnamese or English."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from allocator.web import service, views
from allocator.web.access import Principal, can_edit, can_see, in_view, scope_of
from allocator.web.accounts import Role
from allocator.web.deps import current, visible_round, web_of
from allocator.web.render import html, lang_of
from allocator.web.rounds import in_thread, round_json, view_of
from allocator.web.service import Decided
from allocator.web.store import RoundMeta
from allocator.web.workspace import BASE

router = APIRouter(include_in_schema=False)
DOWNLOADS = (("dl_workbook", "ket-qua.xlsx"), ("dl_letters", "letters.zip"),
             ("dl_decisions", "decisions.csv"), ("dl_pools", "pools.csv"),
             ("dl_escalations", "escalations.csv"), ("dl_summary", "summary.json"))


def _login_redirect() -> Response:
    return RedirectResponse("/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    if web_of(request).config.single_person:
        return RedirectResponse("/", status_code=303)
    return html(request, "login.html")


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    who = current(request)
    if who is None:
        return _login_redirect()
    metas = await in_thread(web_of(request).store.all)
    rounds = [round_json(m, who) for m in metas if can_see(who, m)]
    return html(request, "index.html", rounds=rounds)


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
async def round_page(request: Request, round_id: str, view: str | None = None) -> Response:
    who = current(request)
    if who is None:
        return _login_redirect()
    meta = visible_round(request, who, round_id)
    web = web_of(request)
    opened = web.workspace.peek(round_id)
    if opened is None:  # after a restart: reload from disk, showing progress
        job = web.jobs.submit(who.login, "load",
                              lambda p: web.workspace.view(round_id, view, p))
        job.link = str(request.url.path) + (f"?view={view}" if view else "")
        return html(request, "loading.html", meta=meta, job=job.as_json())
    return html(request, "round.html", **await _round_context(request, who, round_id, view))


async def round_body(request: Request, who: Principal, round_id: str,
                     view: str | None) -> HTMLResponse:
    """The round at a glance for one view (the base or a variant), as a fragment."""
    ctx = await _round_context(request, who, round_id, view)
    return html(request, "fragments/round_body.html", **ctx)


async def _round_context(request: Request, who: Principal, round_id: str,
                         view: str | None) -> dict[str, Any]:
    meta = visible_round(request, who, round_id)
    full = await view_of(request, who, meta, view)
    base = await view_of(request, who, meta, None)
    lang = lang_of(request)
    single = web_of(request).config.single_person
    return await in_thread(lambda: round_context(who, meta, view, full, base, lang, single))


def round_context(who: Principal, meta: RoundMeta, view: str | None, full: Decided,
                  full_base: Decided, lang: str, single: bool) -> dict[str, Any]:
    decided, base = in_view(who, full), in_view(who, full_base)
    vid = view if view not in (None, "", BASE) else None
    vmeta = meta.variant(vid) if vid else None
    words = views.words(decided, lang)
    changed = (views.changes(service.changed(base, decided, vmeta.name), None, words)
               if vmeta is not None else [])
    ties = views.ties(decided, lang)
    units = scope_of(who, full)
    editable = can_edit(who, meta)
    for tie in ties:
        tie["can_rule"] = vid is None and who.role is not Role.viewer and (
            who.is_planner or (units is not None and tie["managing_agency_id"] in units))
    suffix = f"?variant={vid}" if vid else ""
    return {
        "meta": meta, "view": vid or BASE, "vmeta": vmeta, "counts": decided.summary["counts"],
        "solver": decided.summary["solver"]["status"], "settings": service.settings(decided),
        "pools": views.pool_page(decided, lang, base=base if vmeta else None), "pool_q": "",
        "limits": views.limit_page(decided, lang),
        "ties": ties[:views.TIES_SHOWN], "ties_more": max(0, len(ties) - views.TIES_SHOWN),
        "changed": changed[:views.CHANGES_SHOWN],
        "changed_more": max(0, len(changed) - views.CHANGES_SHOWN), "editable": editable,
        "saved": [v for v in meta.variants if not v.draft],
        "data": views.decision_page(decided, views.Query(), lang),
        "status_filter": "", "q": "", "scoped": units is not None,
        "downloads": [(key, f"/api/rounds/{meta.round_id}/files/{name}{suffix}")
                      for key, name in DOWNLOADS
                      if name != "letters.zip" or decided.result.groups],
        "shares": meta.shared_with if (editable and not single) else None,
        "rulings": meta.rulings,
    }


@router.get("/runs", response_class=HTMLResponse)
async def runs_page(request: Request) -> Response:
    who = current(request)
    if who is None:
        return _login_redirect()
    runs = await in_thread(lambda: service.list_runs(200)) if who.is_planner else []
    return html(request, "runs.html", runs=runs)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """The OpenAPI description as a page (no script from elsewhere)."""
    schema = request.app.openapi()
    operations = []
    for path, items in schema.get("paths", {}).items():
        for method, op in items.items():
            params = [p.get("name", "") + " (" + p.get("in", "") + ")"
                      for p in op.get("parameters", [])]
            operations.append({"method": method.upper(), "path": path,
                               "summary": op.get("summary", ""), "params": params,
                               "body": "requestBody" in op,
                               "responses": sorted(op.get("responses", {}))})
    return html(request, "docs.html", operations=operations, info=schema.get("info", {}))
