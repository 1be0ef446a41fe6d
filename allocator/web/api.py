"""The HTTP API of WEB.md. JSON for programs; the page sends the same requests with the
``HX-Request`` header and gets HTML fragments back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, model_validator

from allocator.web import service, uploads, views
from allocator.web.access import (
    Principal,
    can_edit,
    can_rule,
    can_upload,
    in_view,
    scope_of,
)
from allocator.web.accounts import Role
from allocator.web.deps import (
    COOKIE,
    detail,
    not_found,
    principal,
    visible_round,
    web_of,
)
from allocator.web.jobs import Job, JobProgress, State
from allocator.web.pages import round_body
from allocator.web.render import html, is_hx, lang_of
from allocator.web.rounds import in_thread, round_json, view_of
from allocator.web.service import BadInput, Decided
from allocator.web.store import RoundMeta
from allocator.web.workspace import BASE, letters_zip

router = APIRouter(prefix="/api")
T = TypeVar("T")
Who = Annotated[Principal, Depends(principal)]
LOGIN_WINDOW_S = 600.0
LOGIN_ATTEMPTS = 10
RESULT_FILES = {
    "decisions.csv": "text/csv; charset=utf-8",
    "pools.csv": "text/csv; charset=utf-8",
    "escalations.csv": "text/csv; charset=utf-8",
    "summary.json": "application/json",
    "ket-qua.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "letters.zip": "application/zip",
}
_chart_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Bodies
# ---------------------------------------------------------------------------------------------


class SessionIn(BaseModel):
    login: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class VariantIn(BaseModel):
    """A variant: the changes a variant TOML may hold, as JSON (docs/web.md)."""

    name: str = Field(default="", max_length=200)
    changes: dict[str, Any] = Field(default_factory=dict)
    parent: str | None = Field(default=None, description="a variant whose changes come first")
    draft: bool = Field(default=False, description="an unsaved edit of the page")


class Ruling(BaseModel):
    candidate_id: str = Field(min_length=1, max_length=200)
    decision: Literal["select", "reject"]


class RulingsIn(BaseModel):
    """Rulings as rows of authority_decisions.csv; or (as the page sends them) the lists of
    candidates selected and rejected."""

    rulings: list[Ruling] = Field(default_factory=list, max_length=10_000)
    select: list[str] = Field(default_factory=list, max_length=10_000)
    reject: list[str] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _something(self) -> RulingsIn:
        if not (self.rulings or self.select or self.reject):
            raise ValueError("give at least one ruling")
        return self

    def pairs(self) -> list[tuple[str, str]]:
        return [*((r.candidate_id, r.decision) for r in self.rulings),
                *((c, "select") for c in self.select), *((c, "reject") for c in self.reject)]


class ShareIn(BaseModel):
    login: str = Field(max_length=64)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def problems_response(request: Request, exc: BadInput) -> Response:
    """422 with the problems table (JSON, or the page's table)."""
    rows = [p.as_json() for p in exc.problems]
    if is_hx(request):
        return html(request, "fragments/problems.html", status=422, problems=rows)
    return JSONResponse({"problems": rows}, status_code=422)


def timed(response: Response, start: float, decided: float | None = None) -> Response:
    """The server-side time of an answer (Server-Timing: total, and the decision part)."""
    now = time.perf_counter()
    parts = [f"total;dur={1000 * (now - start):.1f}"]
    if decided is not None:
        parts += [f"decide;dur={1000 * (decided - start):.1f}",
                  f"page;dur={1000 * (now - decided):.1f}"]
    response.headers["Server-Timing"] = ", ".join(parts)
    return response


# ---------------------------------------------------------------------------------------------
# Session
# ---------------------------------------------------------------------------------------------


@router.post("/session", summary="Log in: opens a session (cookie), returns the CSRF token")
async def open_session(request: Request, body: SessionIn) -> Response:
    web = web_of(request)
    if web.config.single_person or web.sessions is None or web.directory is None:
        return JSONResponse({"csrf_token": web.local_csrf, "login": "local",
                             "role": "planner", "agency": None})
    _throttle(web.failures, body.login)
    directory = web.directory
    account = await in_thread(lambda: directory.verify(body.login, body.password))
    if account is None:
        web.failures.setdefault(body.login, []).append(time.monotonic())
        if is_hx(request):
            return html(request, "fragments/error.html", status=401, message_vi="Sai tên "
                        "đăng nhập hoặc mật khẩu", message_en="Wrong login or password")
        raise HTTPException(401, detail=detail("sai tên đăng nhập hoặc mật khẩu",
                                               "wrong login or password"))
    web.failures.pop(body.login, None)
    token, session = web.sessions.open(account.login)
    doc = {"csrf_token": session.csrf_token, "login": account.login,
           "role": account.role.value, "agency": account.agency}
    response: Response = JSONResponse(doc)
    if is_hx(request):
        response = Response(status_code=204, headers={"HX-Redirect": "/"})
    response.set_cookie(COOKIE, token, max_age=int(web.config.session_absolute_s),
                        httponly=True, secure=web.config.secure_cookies, samesite="strict",
                        path="/")
    return response


def _throttle(failures: dict[str, list[float]], login: str) -> None:
    now = time.monotonic()
    recent = [t for t in failures.get(login, []) if now - t < LOGIN_WINDOW_S]
    failures[login] = recent
    if len(recent) >= LOGIN_ATTEMPTS:
        raise HTTPException(429, detail=detail("quá nhiều lần đăng nhập sai; thử lại sau 10 phút",
                                               "too many failed logins; try again in 10 "
                                               "minutes"))


@router.get("/session", summary="The account of this session")
async def session_info(who: Who) -> dict[str, Any]:
    return {"login": who.login, "role": who.role.value, "agency": who.agency}


@router.delete("/session", summary="Log out")
async def close_session(request: Request, _who: Who) -> Response:
    web = web_of(request)
    if web.sessions is not None:
        web.sessions.close(request.cookies.get(COOKIE))
    headers = {"HX-Redirect": "/login"} if is_hx(request) else {}
    response = Response(status_code=204, headers=headers)
    response.delete_cookie(COOKIE, path="/", secure=web.config.secure_cookies, httponly=True,
                           samesite="strict")
    return response


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


@router.post("/rounds", status_code=201,
             summary="Upload a round: one .xlsx workbook or a .zip of a scenario folder",
             responses={422: {"description": "bad input: the problems table; nothing stored"},
                        202: {"description": "?wait=false: the job that decides it"}})
async def upload_round(request: Request, who: Who,
                       files: Annotated[list[UploadFile] | None, File()] = None,
                       file: Annotated[UploadFile | None, File()] = None,
                       wait: bool = True) -> Response:
    web = web_of(request)
    if not can_upload(who):
        raise not_found()
    sent = [*(files or []), *([file] if file is not None else [])]
    incoming = [uploads.Incoming(f.filename or "", f.file) for f in sent]
    round_id, folder = web.store.new_round_folder()
    try:
        entry = await in_thread(lambda: uploads.stage(incoming, folder, web.config.limits))
    except BadInput as exc:
        uploads.discard(folder)
        return problems_response(request, exc)
    job = web.jobs.submit(who.login, "upload", lambda p: web.workspace.create(
        round_id, folder, entry, who.login, who.agency, p))
    job.link = f"/rounds/{round_id}"
    if is_hx(request):
        return html(request, "fragments/progress.html", status=202, job=job.as_json())
    if not wait:
        return JSONResponse({"job_id": job.job_id, "status": f"/api/jobs/{job.job_id}"},
                            status_code=202)
    try:
        await web.jobs.wait(job)
    except BadInput as exc:
        return problems_response(request, exc)
    _, decided = await in_thread(lambda: web.workspace.view(round_id, None))
    return JSONResponse({"round_id": round_id, "summary": in_view(who, decided).summary},
                        status_code=201)


@router.get("/jobs/{job_id}", summary="A job's progress (uploads, reloads, downloads)")
async def job_status(request: Request, job_id: str, who: Who) -> Response:
    job = web_of(request).jobs.get(job_id, who.login)
    if job is None:
        raise not_found()
    failure = _failure(job)
    if is_hx(request):
        if isinstance(failure, BadInput):
            return problems_response(request, failure)
        if job.state is State.done and job.link:
            return Response(status_code=204, headers={"HX-Redirect": job.link})
        if job.state is State.failed:
            return html(request, "fragments/error.html", message_vi="Lỗi khi xử lý",
                        message_en=f"The work failed: {failure}")
        return html(request, "fragments/progress.html", job=job.as_json())
    doc = job.as_json()
    if isinstance(failure, BadInput):
        doc["problems"] = [p.as_json() for p in failure.problems]
    elif failure is not None:
        doc["error"] = str(failure)
    return JSONResponse(doc)


def _failure(job: Job) -> BaseException | None:
    if job.state is not State.failed or job.future is None:
        return None
    return job.future.exception()


@router.get("/rounds", summary="The rounds this account may see")
async def list_rounds(request: Request, who: Who) -> list[dict[str, Any]]:
    from allocator.web.access import can_see

    metas = await in_thread(web_of(request).store.all)
    return [round_json(m, who) for m in metas if can_see(who, m)]


@router.get("/rounds/{round_id}", summary="The round's summary (as summary.json)")
async def round_summary(request: Request, round_id: str, who: Who,
                        variant: str | None = None) -> dict[str, Any]:
    meta = visible_round(request, who, round_id)
    decided = in_view(who, await view_of(request, who, meta, variant))
    summary: dict[str, Any] = decided.summary
    return summary


@router.get("/rounds/{round_id}/decisions",
            summary="Decisions as rows (filter by status, agency subtree, name; paged)")
async def round_decisions(
        request: Request, round_id: str, who: Who,
        status: Annotated[str | None, Query(
            description="selected, not_selected, ineligible or escalated (empty: all)")] = None,
        agency: str | None = None, q: Annotated[str | None, Query(max_length=200)] = None,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=views.MAX_PER_PAGE)] = views.PER_PAGE,
        variant: str | None = None) -> Response:
    if status and status not in views.STATUSES:
        raise HTTPException(422, detail=detail(f"trạng thái không hợp lệ: {status}",
                                               f"unknown status {status!r}"))
    meta = visible_round(request, who, round_id)
    decided = in_view(who, await view_of(request, who, meta, variant or None))
    lang = lang_of(request)

    def build() -> dict[str, Any]:
        units = service.subtree(decided, agency) if agency else None
        query = views.Query(status or None, units, q, page, per_page)
        return views.decision_page(decided, query, lang)

    data = await in_thread(build)
    if is_hx(request):
        return html(request, "fragments/decisions.html", data=data, meta=meta,
                    view=variant or BASE, status_filter=status or "", q=q or "",
                    can_explain=True)
    return JSONResponse(data)


@router.get("/rounds/{round_id}/pools", summary="Seats per pool: quota, filled, escalated, "
                                                 "unused")
async def round_pools(request: Request, round_id: str, who: Who,
                      variant: str | None = None,
                      q: Annotated[str | None, Query(max_length=200)] = None,
                      page: Annotated[int, Query(ge=1)] = 1) -> Response:
    meta = visible_round(request, who, round_id)
    decided = in_view(who, await view_of(request, who, meta, variant or None))
    lang = lang_of(request)
    if not is_hx(request):
        return JSONResponse(views.pools(decided, lang))
    vmeta = meta.variant(variant) if variant else None
    base = in_view(who, await view_of(request, who, meta, None)) if vmeta else None
    data = await in_thread(lambda: views.pool_page(decided, lang, q=q, page=page, base=base))
    return html(request, "fragments/pools.html", pools=data, pool_q=q or "", meta=meta,
                vmeta=vmeta, view=variant or BASE, editable=can_edit(who, meta))


@router.get("/rounds/{round_id}/limits", summary="The round's shared limits")
async def round_limits(request: Request, round_id: str, who: Who,
                       variant: str | None = None,
                       q: Annotated[str | None, Query(max_length=200)] = None,
                       page: Annotated[int, Query(ge=1)] = 1) -> Response:
    meta = visible_round(request, who, round_id)
    decided = in_view(who, await view_of(request, who, meta, variant or None))
    lang = lang_of(request)
    if not is_hx(request):
        return JSONResponse(views.limits(decided, lang))
    data = await in_thread(lambda: views.limit_page(decided, lang, q=q, page=page))
    return html(request, "fragments/limits.html", limits=data, meta=meta,
                vmeta=meta.variant(variant) if variant else None, view=variant or BASE,
                editable=can_edit(who, meta))


@router.get("/rounds/{round_id}/files/{name}",
            summary="decisions.csv, pools.csv, escalations.csv, summary.json, ket-qua.xlsx, "
                    "letters.zip")
async def round_file(request: Request, round_id: str, name: str, who: Who,
                     variant: str | None = None) -> Response:
    if name not in RESULT_FILES:
        raise not_found()
    meta = visible_round(request, who, round_id)
    full = await view_of(request, who, meta, variant)
    units = scope_of(who, full)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    media = RESULT_FILES[name]
    if units is None:
        path = await _full_file(request, who, meta, variant, name)
        return FileResponse(path, media_type=media, headers=headers)
    content = await _scoped_file(request, who, full, service.scoped(full, units), name)
    return Response(content, media_type=media, headers=headers)


async def _full_file(request: Request, who: Principal, meta: RoundMeta, variant: str | None,
                     name: str) -> Path:
    web = web_of(request)
    try:
        folder = web.workspace.result_folder(meta, variant)
    except KeyError:
        raise not_found() from None
    if name in service.OUTPUT_FILES:
        return folder / name
    if name == "letters.zip":
        _, decided = await in_thread(lambda: web.workspace.view(meta.round_id, variant))
        if not decided.result.groups:
            raise _no_letters()
        path: Path = await web.jobs.run(who.login, "files", lambda p: web.workspace.letters(
            meta.round_id, variant, p))
        return path
    workbook: Path = await web.jobs.run(who.login, "files", lambda p: web.workspace.workbook(
        meta.round_id, variant, p))
    return workbook


def _no_letters() -> HTTPException:
    return HTTPException(404, detail=detail("không có trường hợp bằng nhau nên không có báo cáo",
                                            "no escalated ties, so no letters"))


async def _scoped_file(request: Request, who: Principal, full: Decided, scope: Decided,
                       name: str) -> bytes:
    """A file of an agency's view, made from its candidates only."""
    web = web_of(request)
    r = scope.result
    if name == "decisions.csv":
        return service.decisions_csv(r.decisions)
    if name == "pools.csv":
        return service.decisions_csv(r.pools)
    if name == "escalations.csv":
        return service.decisions_csv(r.escalations)
    if name == "summary.json":
        return service.summary_json(scope).encode()
    if name == "letters.zip":
        if not r.groups:
            raise _no_letters()
        letters: bytes = await web.jobs.run(who.login, "files",
                                            lambda _p: letters_zip(scope, web.store.tmp))
        return letters
    if service.hides_competitors(full, scope):
        raise HTTPException(404, detail=detail(
            "bảng kết quả so sánh từng người với người trúng tuyển của cả chỉ tiêu, gồm người "
            "ngoài cơ quan của bạn; hãy tải decisions.csv hoặc nhờ Sở Nội vụ",
            "the result workbook compares each candidate with the pool's winners, some outside "
            "your agency; download decisions.csv, or ask the planner"))

    def write() -> bytes:
        folder = service.temporary_folder(web.store.tmp, "xlsx-")
        try:
            return service.write_workbook(scope, folder).read_bytes()
        finally:
            uploads.discard(folder)

    workbook: bytes = await web.jobs.run(who.login, "files", lambda _p: write())
    return workbook


@router.get("/rounds/{round_id}/candidates/{candidate_id}/explain",
            summary="The explanation `allocator explain` gives")
async def explain(request: Request, round_id: str, candidate_id: str, who: Who,
                  lang: Literal["vi", "en"] | None = None,
                  variant: str | None = None) -> Response:
    meta = visible_round(request, who, round_id)
    full = await view_of(request, who, meta, variant)
    units = scope_of(who, full)
    language = lang or lang_of(request)
    if units is not None:
        visible = service.scoped(full, units).result.decisions["candidate_id"].to_list()
        if candidate_id not in visible:
            raise not_found()
    try:
        text: str = await web_of(request).jobs.run(
            who.login, "explain", lambda _p: service.explain(full, candidate_id, language))
    except KeyError:
        raise not_found() from None
    if is_hx(request):
        return html(request, "fragments/explain.html", candidate_id=candidate_id, text=text)
    return JSONResponse({"candidate_id": candidate_id, "lang": language, "text": text})


# ---------------------------------------------------------------------------------------------
# Variants and comparison
# ---------------------------------------------------------------------------------------------


@router.post("/rounds/{round_id}/variants", status_code=201,
             summary="Decide a variant at once; lists whose status changed",
             responses={422: {"description": "a change the engine refuses: the problems"}})
async def add_variant(request: Request, round_id: str, body: VariantIn, who: Who) -> Response:
    start = time.perf_counter()
    web = web_of(request)
    meta = visible_round(request, who, round_id)
    if not can_edit(who, meta):
        raise not_found()
    try:
        outcome = await web.jobs.run(who.login, "variant", lambda p: web.workspace.add_variant(
            round_id, body.name.strip(), body.changes, body.parent, body.draft, p))
    except BadInput as exc:
        return problems_response(request, exc)
    except KeyError:
        raise not_found() from None
    decided_at = time.perf_counter()
    vmeta = outcome.meta
    response: Response
    if is_hx(request):

        response = await round_body(request, who, round_id, vmeta.variant_id)
        response.headers["HX-Push-Url"] = f"/rounds/{round_id}?view={vmeta.variant_id}"
    else:
        doc = {"variant_id": vmeta.variant_id, "name": vmeta.name, "draft": vmeta.draft,
               "summary": outcome.decided.summary, "changed": outcome.changed}
        response = JSONResponse(doc, status_code=201)
    return timed(response, start, decided=decided_at)


@router.get("/rounds/{round_id}/variants", summary="The round's variants")
async def list_variants(request: Request, round_id: str, who: Who) -> list[dict[str, Any]]:
    meta = visible_round(request, who, round_id)
    variants: list[dict[str, Any]] = round_json(meta, who)["variants"]
    return variants


def _variant_ids(variants: list[str] | None) -> list[str]:
    """``?variants=a,b`` or ``?variants=a&variants=b``."""
    ids = [v.strip() for part in (variants or []) for v in part.split(",")]
    return [v for v in ids if v and v != BASE]


async def _compared(request: Request, who: Principal, meta: RoundMeta,
                    ids: list[str]) -> tuple[list[str], list[Decided]]:
    labels, runs = ["Gốc / base"], [in_view(who, await view_of(request, who, meta, None))]
    for vid in ids:
        vmeta = meta.variant(vid)
        if vmeta is None:
            raise not_found()
        label = vmeta.name if vmeta.name not in labels else f"{vmeta.name} ({vid})"
        labels.append(label)
        runs.append(in_view(who, await view_of(request, who, meta, vid)))
    return labels, runs


@router.get("/rounds/{round_id}/compare",
            summary="Side-by-side figures and per-candidate changes of `allocator compare`")
async def compare(request: Request, round_id: str, who: Who,
                  variants: Annotated[list[str] | None, Query()] = None) -> Response:
    meta = visible_round(request, who, round_id)
    ids = _variant_ids(variants)
    labels, runs = await _compared(request, who, meta, ids)
    lang = lang_of(request)

    def build() -> dict[str, Any]:
        import polars as pl

        figs = pl.concat([service.figures(r, lab) for r, lab in zip(runs, labels, strict=True)])
        words = views.words(runs[0], lang)
        changes = [c for r, lab in zip(runs[1:], labels[1:], strict=True)
                   for c in views.changes(service.changed(runs[0], r, lab), None, words)]
        return {"variants": labels, "totals": views.side_by_side(figs, labels),
                "figures": figs.to_dicts(), "changes": changes,
                "chart": f"/api/rounds/{round_id}/compare.png?variants={','.join(ids)}"}

    data = await in_thread(build)
    if is_hx(request):
        return html(request, "fragments/compare.html", data=data)
    return JSONResponse(data)


@router.get("/rounds/{round_id}/compare.png", summary="The comparison chart (PNG)")
async def compare_chart(request: Request, round_id: str, who: Who,
                        variants: Annotated[list[str] | None, Query()] = None) -> Response:
    meta = visible_round(request, who, round_id)
    labels, runs = await _compared(request, who, meta, _variant_ids(variants))

    def draw() -> bytes:
        import polars as pl

        figs = pl.concat([service.figures(r, lab) for r, lab in zip(runs, labels, strict=True)])
        with _chart_lock:  # matplotlib's pyplot is not thread-safe
            return service.chart_png(figs, meta.name)

    return Response(await in_thread(draw), media_type="image/png")


# ---------------------------------------------------------------------------------------------
# Rulings and shares
# ---------------------------------------------------------------------------------------------


@router.post("/rounds/{round_id}/rulings",
             summary="The managing agency's rulings on tie groups; re-decides",
             responses={422: {"description": "the rulings do not fill a group's seats, or "
                                             "name someone not escalated"}})
async def record_rulings(request: Request, round_id: str, body: RulingsIn,
                         who: Who) -> Response:
    web = web_of(request)
    meta = visible_round(request, who, round_id)
    full = await view_of(request, who, meta, None)
    pairs = body.pairs()
    if not can_rule(who, meta, full, {c for c, _ in pairs}):
        raise not_found()
    try:
        decided = await web.jobs.run(who.login, "ruling",
                                     lambda p: web.workspace.rule(round_id, pairs, p))
    except BadInput as exc:
        return problems_response(request, exc)
    if is_hx(request):

        response = await round_body(request, who, round_id, None)
        response.headers["HX-Push-Url"] = f"/rounds/{round_id}"
        return response
    opened = web.workspace.peek(round_id)
    rulings = opened.meta.rulings if opened is not None else []
    return JSONResponse({"summary": in_view(who, decided).summary,
                         "rulings": [{"candidate_id": c, "decision": d} for c, d in rulings]})


@router.post("/rounds/{round_id}/shares", summary="Share a round with a viewer or agency")
async def share(request: Request, round_id: str, body: ShareIn, who: Who) -> Response:
    web = web_of(request)
    meta = visible_round(request, who, round_id)
    if not can_edit(who, meta) or web.directory is None:
        raise not_found()
    account = web.directory.get(body.login)
    if account is None or account.role is Role.planner:
        raise HTTPException(422, detail=detail(
            "chỉ chia sẻ với tài khoản viewer hoặc agency có trong tệp tài khoản",
            "share with an existing viewer or agency account only"))
    shared = await in_thread(lambda: _set_share(request, round_id, body.login, True))
    return _shares_response(request, round_id, shared)


@router.delete("/rounds/{round_id}/shares/{login}", summary="Stop sharing a round")
async def unshare(request: Request, round_id: str, login: str, who: Who) -> Response:
    meta = visible_round(request, who, round_id)
    if not can_edit(who, meta):
        raise not_found()
    shared = await in_thread(lambda: _set_share(request, round_id, login, False))
    return _shares_response(request, round_id, shared)


def _set_share(request: Request, round_id: str, login: str, on: bool) -> list[str]:
    web = web_of(request)
    with web.workspace.round_lock(round_id):
        opened = web.workspace.peek(round_id)
        meta = opened.meta if opened is not None else web.store.read(round_id)
        if meta is None:
            raise not_found()
        people = set(meta.shared_with)
        if on:
            people.add(login)
        else:
            people.discard(login)
        meta.shared_with = sorted(people)
        web.store.write(meta)
        return list(meta.shared_with)


def _shares_response(request: Request, round_id: str, shared: list[str]) -> Response:
    if is_hx(request):
        return html(request, "fragments/shares.html", round_id=round_id, shared=shared)
    return JSONResponse({"shared_with": shared})


# ---------------------------------------------------------------------------------------------
# Run history
# ---------------------------------------------------------------------------------------------


@router.get("/runs", summary="The run history (planners)")
async def list_runs(who: Who, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    ) -> list[dict[str, Any]]:
    if not who.is_planner:
        return []
    return await in_thread(lambda: service.list_runs(limit))


@router.post("/runs/{run_id}/replay",
             summary="Re-decide a recorded run from its stored inputs; byte-for-byte check")
async def replay_run(request: Request, run_id: str, who: Who) -> Response:
    if not who.is_planner:
        raise not_found()
    try:
        doc: dict[str, Any] = await web_of(request).jobs.run(
            who.login, "replay", lambda _p: service.replay(run_id))
    except KeyError:
        raise not_found() from None
    except BadInput as exc:
        return problems_response(request, exc)
    if is_hx(request):
        return html(request, "fragments/replay.html", rep=doc)
    return JSONResponse(doc)


JobWork = Callable[[JobProgress], Any]
