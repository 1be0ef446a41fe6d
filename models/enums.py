"""Enumerations of the domain. Values are the spellings used in the file contract."""

from __future__ import annotations

from enum import StrEnum


class Rank(StrEnum):
    """Rank (hạng) of a professional title; I is the highest."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"

    @property
    def level(self) -> int:
        """1 for rank I … 5 for rank V (smaller is higher)."""
        return ["I", "II", "III", "IV", "V"].index(self.value) + 1


class EducationLevel(StrEnum):
    """Education level (trình độ đào tạo), ordered low to high."""

    trung_cap = "trung_cap"
    cao_dang = "cao_dang"
    dai_hoc = "dai_hoc"
    thac_si = "thac_si"
    tien_si = "tien_si"

    @property
    def level(self) -> int:
        return list(EducationLevel).index(self)


class Rating(StrEnum):
    """Annual quality rating (xếp loại chất lượng), ordered high to low."""

    xuat_sac = "xuat_sac"
    tot = "tot"
    hoan_thanh = "hoan_thanh"
    khong_hoan_thanh = "khong_hoan_thanh"

    @property
    def level(self) -> int:
        """0 for the best rating; larger is worse."""
        return list(Rating).index(self)


class Objective(StrEnum):
    """What the allocation optimises."""

    priority = "priority"  # the legal priority order decides every seat
    fill = "fill"  # fill as many seats as possible, then the priority order


class Criterion(StrEnum):
    """Priority criteria of Decree 85/2023 Art. 1.20 (Decree 115/2020 Art. 40)."""

    achievement = "achievement"
    female = "female"
    ethnic_minority = "ethnic_minority"
    older = "older"
    longer_service = "longer_service"


class Status(StrEnum):
    """Outcome for one candidate (decisions.csv ``status``): the one status used end to end.

    ``selected`` = a winner in every priority-optimal allocation; ``not_selected`` = in none;
    ``escalated`` = in some but not all (the managing agency decides); ``ineligible`` = a
    condition failed (SCENARIO.md).
    """

    selected = "selected"
    not_selected = "not_selected"
    ineligible = "ineligible"
    escalated = "escalated"


class Method(StrEnum):
    """How coupled components are solved; no method changes a decision."""

    auto = "auto"  # exact propagation, proven shortcuts and CP-SAT stages
    cpsat = "cpsat"  # CP-SAT stages only, no shortcut: the independent check


class TieReason(StrEnum):
    """Why a tie group could not be decided (summary.json ``tie_groups``)."""

    exact_tie = "exact_tie"  # equal on every priority criterion
    incomplete_birth_date = "incomplete_birth_date"  # a birth date known only in part


class SolveStatus(StrEnum):
    """Outcome of the allocation as a whole; solver statuses are mapped onto these."""

    optimal = "optimal"  # priority-optimal and every tie proven
    not_proven = "not_proven"  # a stage stopped before proving optimality
    infeasible = "infeasible"  # fixed decisions cannot be honoured
