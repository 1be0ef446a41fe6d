"""Who may see and change what (WEB.md, "Accounts and who sees what").

* planner — every round and every agency of it; edits quotas, limits, variants; shares;
  records rulings; reads the run history;
* agency — the rounds it uploaded or was given, and in them only the candidates of its
  agency's subtree; records rulings on the ties its agency manages;
* viewer — the rounds a planner shared with it, read only.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.web import service
from allocator.web.accounts import Role
from allocator.web.service import Decided
from allocator.web.store import RoundMeta


@dataclass(frozen=True)
class Principal:
    """The account behind a request (in single-person mode: the person at the computer)."""

    login: str
    role: Role
    agency: str | None = None

    @property
    def is_planner(self) -> bool:
        return self.role is Role.planner


LOCAL = Principal("local", Role.planner)


def can_see(who: Principal, meta: RoundMeta) -> bool:
    if who.role is Role.planner:
        return True
    if who.role is Role.agency and meta.owner == who.login:
        return True
    return who.login in meta.shared_with


def can_edit(who: Principal, meta: RoundMeta) -> bool:
    """Variants, quotas, limits, the budget, shares."""
    return who.role is Role.planner and can_see(who, meta)


def can_upload(who: Principal) -> bool:
    return who.role in (Role.planner, Role.agency)


def scope_of(who: Principal, decided: Decided) -> frozenset[str] | None:
    """The units whose candidates the account sees (None: every unit)."""
    if who.role is not Role.agency or who.agency is None:
        return None
    return service.subtree(decided, who.agency)


def in_view(who: Principal, decided: Decided) -> Decided:
    """The run as this account sees it."""
    units = scope_of(who, decided)
    return decided if units is None else service.scoped(decided, units)


def can_rule(who: Principal, meta: RoundMeta, decided: Decided, candidate_ids: set[str]) -> bool:
    """A planner rules on any tie; an agency on ties whose managing agency is in its
    subtree (and whose candidates it therefore sees)."""
    if not can_see(who, meta) or who.role is Role.viewer:
        return False
    if who.role is Role.planner:
        return True
    units = scope_of(who, decided) or frozenset()
    groups = [g for g in service.tie_groups(decided)
              if candidate_ids & set(g["members"])]
    return bool(groups) and all(g["managing_agency_id"] in units for g in groups) and \
        candidate_ids <= {c for g in groups for c in g["members"]}
