"""Round helpers the API and the pages share: work off the event loop, a decided view of a
round, and a round's description as the caller's role may see it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from allocator.web.access import Principal
from allocator.web.accounts import Role
from allocator.web.deps import not_found, web_of
from allocator.web.service import Decided
from allocator.web.store import RoundMeta
from allocator.web.workspace import BASE

T = TypeVar("T")


async def in_thread(work: Callable[[], T]) -> T:
    return await asyncio.to_thread(work)


async def view_of(request: Request, who: Principal, meta: RoundMeta,
                  variant: str | None) -> Decided:
    """A decided view of a round (the base or a variant), loading it in the job pool when it
    is not in memory. Unknown variant: 404."""
    web = web_of(request)
    opened = web.workspace.peek(meta.round_id)
    ready = opened is not None and (variant in (None, "", BASE) or variant in opened.variants)
    try:
        if ready:
            _, decided = await in_thread(lambda: web.workspace.view(meta.round_id, variant))
        else:
            _, decided = await web.jobs.run(
                who.login, "load", lambda p: web.workspace.view(meta.round_id, variant, p))
    except KeyError:
        raise not_found() from None
    return decided


def round_json(meta: RoundMeta, who: Principal) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "round_id": meta.round_id, "name": meta.name, "created_at": meta.created_at,
        "owner": meta.owner, "rulings": [{"candidate_id": c, "decision": d}
                                          for c, d in meta.rulings],
        "variants": [{"variant_id": v.variant_id, "name": v.name, "draft": v.draft,
                      "created_at": v.created_at, "parent": v.parent, "run_id": v.run_id}
                     for v in meta.variants],
    }
    if who.role is not Role.agency:
        doc["candidates"] = meta.candidates
    if who.is_planner:
        doc["shared_with"] = list(meta.shared_with)
        doc["runs"] = list(meta.runs)
    return doc
