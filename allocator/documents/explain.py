"""Plain-language accounts of a run, Vietnamese by default, English with ``lang="en"``.

:func:`explain` tells one candidate why they were selected, not selected (against whom,
on which criterion, or which limit or budget), ineligible (each failed condition with its
legal source) or escalated (tie group, seats, the managing agency that decides). The
result workbook and the escalation letter use the same wording through :class:`Context`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from allocator.documents import regime
from allocator.engine.pools import key_columns
from models import ethnic, vocabulary
from models.enums import Criterion, Status
from models.result import RunResult, TieGroup
from models.ruleset import RULE_IDS, RuleSet, Transition

POOL = "_pool"

STATUS = {
    "vi": {"selected": "Trúng tuyển", "not_selected": "Không trúng tuyển",
           "ineligible": "Không đủ điều kiện",
           "escalated": "Chờ cơ quan quản lý quyết định"},
    "en": {"selected": "Selected", "not_selected": "Not selected",
           "ineligible": "Ineligible", "escalated": "Escalated to the managing agency"},
}
CRITERION = {
    "vi": {"achievement": "thành tích khen thưởng", "female": "giới tính (ưu tiên nữ)",
           "ethnic_minority": "dân tộc (ưu tiên người dân tộc thiểu số)",
           "older": "tuổi (ưu tiên người nhiều tuổi hơn)",
           "longer_service": "thời gian công tác (ưu tiên người công tác lâu hơn)"},
    "en": {"achievement": "achievement", "female": "sex (female first)",
           "ethnic_minority": "ethnicity (ethnic minority first)",
           "older": "age (older first)", "longer_service": "working time (longer first)"},
}
TIE_REASON = {
    "vi": {"exact_tie": "bằng nhau trên cả năm tiêu chí ưu tiên",
           "incomplete_birth_date": "ngày sinh không đầy đủ (chỉ có năm hoặc tháng, năm) nên "
                                    "không so sánh được tuổi"},
    "en": {"exact_tie": "equal on all five priority criteria",
           "incomplete_birth_date": "a birth date known only by year (or month) cannot be "
                                    "compared"},
}
EDUCATION = {lang: vocabulary.EDUCATION.labels(lang) for lang in ("vi", "en")}
RATING = {lang: vocabulary.RATING.labels(lang) for lang in ("vi", "en")}


def _check_lang(lang: str) -> str:
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    return lang


def fmt_number(value: float | int | str, lang: str = "vi") -> str:
    """A number as the language writes it: '2,5' and '1.250' in Vietnamese, '2.5' in
    English (no needless trailing zeros)."""
    number = float(value)
    text = f"{number:,.6f}".rstrip("0").rstrip(".")
    if lang != "vi":
        return text.replace(",", "")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_date(value: dt.date | None) -> str:
    """dd/mm/yyyy, or empty."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


def fmt_birth(row: dict[str, Any], lang: str = "vi") -> str:
    """A birth date as known: full, month and year, or year only."""
    lo, hi = row["birth_lo"], row["birth_hi"]
    if lo is None:
        return ""
    if lo == hi:
        return fmt_date(lo)
    if lo.month == hi.month:
        return f"{lo.month:02d}/{lo.year}" + (" (chưa rõ ngày)" if lang == "vi"
                                               else " (day unknown)")
    return f"{lo.year}" + (" (chỉ có năm sinh)" if lang == "vi" else " (year only)")


def months_text(months: int, lang: str = "vi") -> str:
    """'2 năm 3 tháng' / '2 years 3 months'."""
    years, rest = divmod(max(months, 0), 12)
    if lang == "vi":
        return (f"{years} năm " if years else "") + f"{rest} tháng"
    y = f"{years} year{'s' if years != 1 else ''} " if years else ""
    return y + f"{rest} month{'s' if rest != 1 else ''}"


class Rows:
    """The candidates' rows by id, fetched only when asked: a round may hold 10^6 of them,
    and an explanation or a letter needs a few."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame
        self._kept: dict[str, dict[str, Any] | None] = {}

    def many(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows of these ids (one filter for all that are not fetched yet)."""
        wanted = list(dict.fromkeys(ids))
        missing = [c for c in wanted if c not in self._kept]
        if missing:
            found = {r["candidate_id"]: r for r in self._frame.filter(
                pl.col("candidate_id").is_in(missing)).iter_rows(named=True)}
            for c in missing:
                self._kept[c] = found.get(c)
        return {c: row for c in wanted if (row := self._kept[c]) is not None}

    def get(self, cid: str) -> dict[str, Any] | None:
        return self.many([cid]).get(cid)

    def __getitem__(self, cid: str) -> dict[str, Any]:
        row = self.get(cid)
        if row is None:
            raise KeyError(cid)
        return row


@dataclass
class Context:
    """Everything needed to describe the candidates of one run; per-candidate data is
    fetched for the candidates described only."""

    result: RunResult
    rs: RuleSet
    rows: Rows
    unit_names: dict[str, str]
    transitions: dict[tuple[str, str], Transition]
    groups: dict[str, TieGroup]
    limits: dict[str, dict[str, Any]]
    pool_eligible: dict[str, int]
    _weakest: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    levels: bool = False  # pools are (agency, job position, target level)
    plan_source: str | None = None  # the approved plan a level round cites
    _rows_of: dict[str, int] | None = None

    @classmethod
    def of(cls, result: RunResult) -> Context:
        rs = result.scenario.rule_set
        order = regime.plan_priority(result)
        if order is not None:  # a level round orders candidates as its plan says
            rs = rs.model_copy(update={"priority": order})
        frame = result.candidates
        units = result.scenario.units
        return cls(result, rs, Rows(frame),
                   dict(units.select("unit_id", "name").iter_rows()),
                   {(t.from_title, t.to_title): t for t in rs.transitions},
                   {g.tie_group: g for g in result.groups},
                   {r["limit_id"]: r for r in result.scenario.limits.iter_rows(named=True)},
                   dict(frame.filter(pl.col("eligible")).group_by(POOL).len().iter_rows()),
                   levels=regime.is_levels(result), plan_source=regime.plan_source(result))

    @property
    def priority_source(self) -> str:
        """Where the priority order comes from: the plan in a level round, else the rule
        set's source."""
        if self.levels and self.plan_source:
            return self.plan_source
        return self.rs.priority_source

    def weakest(self, pool: str | None) -> dict[str, Any] | None:
        """The lowest-priority candidate of a pool who is selected or shares an escalated
        seat (the one ``decided_by`` compares against)."""
        if pool is None:
            return None
        if pool not in self._weakest:
            self._weakest[pool] = _weakest_winner(
                self.result.candidates.filter(pl.col(POOL) == pool), self.rs)
        return self._weakest[pool]

    # -- small pieces -----------------------------------------------------------------------
    def index_sheet_rows(self) -> None:
        """Look every candidate's ``__row`` up once (for documents that list everyone)."""
        if self._rows_of is None:
            self._rows_of = dict(self.result.scenario.candidates.select(
                "candidate_id", "__row").iter_rows())

    def sheet_row(self, candidate_id: str) -> int | None:
        """The candidate's ``__row`` (where it was read): from the index where documents
        listing everyone built it, else by one filter (explaining one candidate touches
        only that row)."""
        if self._rows_of is not None:
            return self._rows_of.get(candidate_id)
        found = self.result.scenario.candidates.filter(
            pl.col("candidate_id") == candidate_id)["__row"]
        return int(found[0]) if found.len() else None

    def unit_cells(self, candidate_id: str) -> dict[str, str]:
        """What the unit's list gave beyond the contract (its header → text)."""
        row = self.sheet_row(candidate_id)
        return self.result.scenario.extra_cells.get(row, {}) if row is not None else {}

    def read_from(self, candidate_id: str, lang: str = "vi") -> str:
        """Where the candidate was read: list (file › sheet) and spreadsheet row."""
        row = self.sheet_row(candidate_id)
        if row is None:
            return ""
        label, line = self.result.scenario.origin(row)
        return f"{label}, {'dòng' if lang == 'vi' else 'row'} {line}"

    def ruling(self, candidate_id: str, lang: str = "vi") -> str:
        """The managing agency's ruling on the candidate, with its document number and date
        where the rulings give them; empty when there is none."""
        decisions = self.result.scenario.decisions
        found = decisions.filter(pl.col("candidate_id") == candidate_id)
        if found.height == 0:
            return ""
        r = found.row(0, named=True)
        words = vocabulary.VOCABULARIES["decision"].label(r["decision"], lang, cell=True)
        number, day = r.get("document_no"), r.get("document_date")
        doc = ""
        if number or day:
            if lang == "vi":
                doc = " (văn bản" + (f" số {number}" if number else "") + (
                    f" ngày {fmt_date(day)}" if day else "") + ")"
            else:
                doc = " (document" + (f" no. {number}" if number else "") + (
                    f" of {fmt_date(day)}" if day else "") + ")"
        return words + doc

    def unit(self, unit_id: str | None) -> str:
        if unit_id is None:
            return ""
        return self.unit_names.get(unit_id, unit_id)

    def title(self, code: str | None, lang: str = "vi") -> str:
        if code is None:
            return ""
        try:
            t = self.rs.title(code)
        except KeyError:
            return code
        return f"{t.name_vi if lang == 'vi' else t.name_en} ({code})"

    def pool(self, agency: str | None, title: str | None, lang: str = "vi") -> str:
        """A pool in words; ``title`` is a title code or 'position|level'."""
        if agency is None:
            return ""
        at = "tại" if lang == "vi" else "at"
        if title is not None and "@" in title and "|" not in title:
            title = title.replace("@", "|", 1)  # the engine's own name of a level pool
        if title is not None and "|" in title:
            position, level = title.split("|", 1)
            what = regime.position_text(position, level, lang, rs=self.rs)
            return f"{what} {at} {self.unit(agency)}"
        return f"{self.title(title, lang)} {at} {self.unit(agency)}"

    def pool_of(self, row: dict[str, Any], lang: str = "vi") -> str:
        """The pool of a candidate's row in words."""
        if self.levels:
            return self.pool(row.get("agency_id"),
                             f"{row.get('job_position')}|{row.get('target_level')}", lang)
        return self.pool(row.get("agency_id"), row.get("target_title"), lang)

    def target(self, row: dict[str, Any], lang: str = "vi") -> str:
        """What a candidate is reviewed for: the target title, or position and level."""
        if self.levels:
            return regime.position_text(row.get("job_position"), row.get("target_level"), lang,
                                        rs=self.rs)
        return self.title(row.get("target_title"), lang)

    def achievement(self, code: str | None, count: int | None = None,
                    lang: str = "vi") -> str:
        if code is None:
            return "không có" if lang == "vi" else "none"
        level = next((a for a in self.rs.achievement_levels if a.code == code), None)
        name = (level.name_vi if lang == "vi" else level.name_en) if level else code
        text = f"{code} — {name}"
        if self.rs.achievement_compare == "level_then_count" and count:
            text += f" (× {count})"
        return text

    def criterion_value(self, row: dict[str, Any], criterion: str, lang: str = "vi") -> str:
        """How a candidate stands on one priority criterion, in words."""
        if criterion == Criterion.achievement:
            return self.achievement(row["achievement"], row.get("achievement_count"), lang)
        if criterion == Criterion.female:
            return vocabulary.SEX.label(row["sex"], cell=True) if lang == "vi" else row["sex"]
        if criterion == Criterion.ethnic_minority:
            name = ethnic.normalise(row["ethnicity"] or "") or row["ethnicity"]
            if lang == "vi":
                return f"{name} ({'dân tộc thiểu số' if row['ethnic_minority'] else 'Kinh'})"
            return f"{name} ({'ethnic minority' if row['ethnic_minority'] else 'majority'})"
        if criterion == Criterion.older:
            return fmt_birth(row, lang)
        if criterion == Criterion.longer_service:
            start = row["service_start"]
            deadline = self.result.scenario.settings.deadline
            months = (deadline.year - start.year) * 12 + deadline.month - start.month - (
                1 if start.day > deadline.day else 0)
            word = "từ" if lang == "vi" else "since"
            return f"{word} {fmt_date(start)} ({months_text(months, lang)})"
        return ""

    def criteria(self, row: dict[str, Any], lang: str = "vi") -> dict[str, str]:
        """The five priority criteria of a candidate, in the rule set's order."""
        return {c.value: self.criterion_value(row, c.value, lang) for c in self.rs.priority}

    def transition_of(self, row: dict[str, Any]) -> Transition | None:
        current, target = row.get("current_title"), row.get("target_title")
        if current is None or target is None:
            return None
        return self.transitions.get((current, target))

    def source(self, rule: str, row: dict[str, Any]) -> str:
        """The legal source of a condition: the general one and the transition's own; in a
        level round, the plan's source for the plan's conditions and Decree 232 for its own."""
        if self.levels and rule in regime.LEVEL_RULES:
            return regime.LEVEL_RULES[rule][2]
        if self.levels and rule in regime.PLAN_RULES and self.plan_source:
            return f"{self.plan_source} (đề án của kỳ xét)"
        if rule not in self.rs.conditions:
            return regime.LEVEL_RULES[rule][2] if rule in regime.LEVEL_RULES else ""
        parts = [self.rs.conditions[rule].source]
        tr = self.transition_of(row)
        if tr is not None and rule in tr.sources and tr.sources[rule] not in parts:
            parts.append(tr.sources[rule])
        return "; ".join(parts)

    # -- failed conditions ------------------------------------------------------------------
    def failed(self, row: dict[str, Any], lang: str = "vi") -> list[tuple[str, str, str, str]]:
        """(rule id, condition in words, the candidate's facts, legal source) per failure."""
        out = []
        for rule in (*RULE_IDS, *(r for r in regime.LEVEL_RULES if r not in RULE_IDS)):
            if row.get(f"ok_{rule}") is False:
                cond = self.rs.conditions.get(rule)
                if cond is not None:
                    label = cond.label_vi if lang == "vi" else cond.label_en
                else:
                    label_vi, label_en, _src = regime.LEVEL_RULES.get(rule, (rule, rule, ""))
                    label = label_vi if lang == "vi" else label_en
                out.append((rule, label, self.detail(rule, row, lang), self.source(rule, row)))
        return out

    def detail(self, rule: str, row: dict[str, Any], lang: str = "vi") -> str:
        """The candidate's own facts behind a failed condition."""
        vi = lang == "vi"
        tr = self.transition_of(row)
        settings = self.result.scenario.settings
        if rule == "rating":
            rating = RATING[lang].get(row["rating_prev_year"], row["rating_prev_year"])
            need = RATING[lang][self.rs.min_rating.value]
            year = settings.review_year - 1
            return (f"Năm {year} xếp loại {rating}; yêu cầu từ {need} trở lên" if vi else
                    f"Rated '{rating}' in {year}; '{need}' or better required")
        if rule == "discipline":
            return ("Đang trong thời hạn xử lý kỷ luật" if vi else
                    "Within a disciplinary period")
        if rule == "competence":
            return ("Chưa được thủ trưởng đơn vị xác nhận đáp ứng" if vi else
                    "Not certified by the unit head")
        if rule == "degree":
            have = EDUCATION[lang].get(row["degree"], row["degree"])
            need = EDUCATION[lang][tr.min_degree.value] if tr else self._plan_degree(row, lang)
            field = "" if row["degree_field_ok"] else (
                ", không đúng chuyên ngành" if vi else ", not in the required field")
            return (f"Trình độ {have}{field}; yêu cầu {need} trở lên, đúng chuyên ngành" if vi
                    else f"Degree: {have}{field}; {need} or higher in the field required")
        if rule == "certificate" and self.levels:
            return ("Chưa có chứng chỉ bồi dưỡng theo đề án" if vi else
                    "No training certificate as the plan requires")
        if rule == "certificate":
            return ("Chưa có chứng chỉ bồi dưỡng của chức danh dự xét" if vi else
                    "No training certificate for the target title")
        if rule == "language_it":
            return ("Chưa đáp ứng (và không được miễn) yêu cầu ngoại ngữ, tin học" if vi else
                    "Neither meets nor is exempt from the language/IT requirements")
        if rule in ("tenure", "tenure_12_months"):
            return self._tenure(row, rule, lang)
        if rule in ("points", "points_st"):
            minimum = (tr.min_points if rule == "points" else tr.min_points_st) if tr else 0
            points = row[rule]
            return (f"Có {fmt_number(points)} điểm; yêu cầu ít nhất {fmt_number(minimum)}"
                    if vi else f"{fmt_number(points, 'en')} points; at least "
                    f"{fmt_number(minimum, 'en')} required")
        if rule in regime.LEVEL_RULES:
            return self._level_detail(rule, row, lang)
        if rule == "excellent_achievement" and row.get("target_title") is not None:
            have = self.achievement(row["achievement"], None, lang)
            target_rank = self.rs.title(row["target_title"]).rank
            need = self.rs.excellent_achievement.get(target_rank, "?")
            return (f"Thành tích: {have}; yêu cầu mức {need} trở lên" if vi else
                    f"Achievement: {have}; level {need} or higher required")
        if rule == "no_quota":
            return (f"Không cơ quan nào quản lý {self.unit(row['unit_id'])} có chỉ tiêu "
                    f"{self.target(row, lang)}" if vi else
                    f"No agency above {self.unit(row['unit_id'])} holds a quota for "
                    f"{self.target(row, lang)}")
        return ""

    def _plan_degree(self, row: dict[str, Any], lang: str) -> str:
        """The degree the plan asks for the candidate's target level ('?' when unknown)."""
        plan = regime.plan_of(self.result)
        table = getattr(plan, "degree_min", None) if not isinstance(plan, dict) else plan.get(
            "degree_min")
        level = row.get("target_level")
        code = next((v for k, v in (table or {}).items() if str(k) == str(level)), None)
        code = getattr(code, "value", code)
        return EDUCATION[lang].get(str(code), str(code)) if code else "?"

    def _level_detail(self, rule: str, row: dict[str, Any], lang: str) -> str:
        vi = lang == "vi"
        unit = self.unit(row.get("unit_id"))
        position = regime.position_name(row.get("job_position"), self.rs)
        if rule == "no_position":
            return (f"{unit} không có vị trí việc làm {position} được phê duyệt" if vi else
                    f"{unit} has no approved job position {position}")
        current, target = row.get("current_level"), row.get("target_level")
        return (f"Bậc hiện giữ {current}, bậc dự xét {target} (vị trí việc làm {position})"
                if vi else f"Current level {current}, target level {target} ({position})")

    def _tenure(self, row: dict[str, Any], rule: str, lang: str) -> str:
        vi = lang == "vi"
        months = row["months_in_rank"]
        eq = row["equivalent_months"]
        prob = row["probation_months"]
        need = row["required_months"]
        deadline = fmt_date(self.result.scenario.settings.deadline)
        since = fmt_date(row.get("level_since") or row.get("rank_since"))
        if self.levels:
            return self._tenure_at_level(months, eq, prob, need, since, deadline, rule, lang)
        if months is None or need is None:
            return ""
        if rule == "tenure_12_months":
            return (f"Giữ hạng hiện tại {months} tháng (từ {since}), dưới 12 tháng, trong khi "
                    f"phải tính thêm {eq} tháng tương đương" if vi else
                    f"{months} months in the rank itself (since {since}), under 12, while "
                    f"{eq} equivalent months are needed")
        prob_vi = f", đã trừ {prob} tháng tập sự" if prob else ""
        prob_en = f", {prob} probation months excluded" if prob else ""
        eq_vi = f" + {eq} tháng tương đương" if eq else ""
        eq_en = f" + {eq} equivalent months" if eq else ""
        total_vi = f" = {months + eq} tháng" if eq else ""
        total_en = f" = {months + eq} months" if eq else ""
        return (f"Giữ hạng từ {since}: {months} tháng{prob_vi}{eq_vi}{total_vi} tính đến "
                f"{deadline}; yêu cầu {need} tháng ({months_text(need, lang)})" if vi else
                f"In the rank since {since}: {months} months{prob_en}{eq_en}{total_en} at "
                f"{deadline}; {need} months required")

    @staticmethod
    def _tenure_at_level(months: int, eq: int, prob: int, need: int, since: str, deadline: str,
                         rule: str, lang: str) -> str:
        vi = lang == "vi"
        if rule == "tenure_12_months":
            return (f"Giữ bậc hiện tại {months} tháng (từ {since}), dưới 12 tháng, trong khi "
                    f"phải tính thêm {eq} tháng tương đương" if vi else
                    f"{months} months at the level itself (since {since}), under 12, while "
                    f"{eq} equivalent months are needed")
        extra_vi = (f", đã trừ {prob} tháng tập sự" if prob else "") + (
            f" + {eq} tháng tương đương = {months + eq} tháng" if eq else "")
        extra_en = (f", {prob} probation months excluded" if prob else "") + (
            f" + {eq} equivalent months = {months + eq} months" if eq else "")
        return (f"Giữ bậc từ {since}: {months} tháng{extra_vi} tính đến {deadline}; yêu cầu "
                f"{need} tháng ({months_text(need, lang)})" if vi else
                f"At the level since {since}: {months} months{extra_en} at {deadline}; "
                f"{need} months required")

    # -- why not selected -------------------------------------------------------------------
    def deciding(self, row: dict[str, Any], lang: str = "vi") -> str:
        """The deciding criterion of a not-selected candidate, in words (one line)."""
        vi = lang == "vi"
        by = row.get("decided_by")
        if by is None:
            return ""
        if by in CRITERION[lang]:
            w = self.weakest(row[POOL])
            against = f" so với {w['full_name']} ({w['candidate_id']})" if (w and vi) else (
                f" against {w['full_name']} ({w['candidate_id']})" if w else "")
            return (f"Kém hơn về {CRITERION[lang][by]}{against}" if vi else
                    f"Lower on {CRITERION[lang][by]}{against}")
        if by.startswith("limit:"):
            return self.limit_text(by.removeprefix("limit:"), lang)
        if by == "budget":
            return ("Vượt ngân sách tăng hệ số lương của kỳ xét" if vi else
                    "Beyond the round's salary-increase budget")
        if by == "authority":
            return ("Cơ quan quản lý đã quyết định không chọn" if vi else
                    "The managing agency decided not to select")
        if row.get("quota") == 0:
            return "Chỉ tiêu bằng 0" if vi else "The quota is zero"
        return ("Hết chỉ tiêu (những người trúng tuyển được ưu tiên hơn)" if vi else
                "No seat left (the winners come first)")

    def deciding_detail(self, row: dict[str, Any], lang: str = "vi") -> str:
        """For a loss on a priority criterion: both candidates' values on it."""
        by = row.get("decided_by")
        w = self.weakest(row.get(POOL))
        if by not in CRITERION[lang] or w is None:
            return ""
        mine, theirs = self.criterion_value(row, by, lang), self.criterion_value(w, by, lang)
        first = self.rs.priority[0].value == by
        if lang == "vi":
            return (f"{mine} so với {theirs} của {w['full_name']} ({w['candidate_id']})"
                    + ("" if first else "; bằng nhau ở các tiêu chí trước"))
        return (f"{mine} against {theirs} for {w['full_name']} ({w['candidate_id']})"
                + ("" if first else "; equal on the earlier criteria"))

    def limit_text(self, limit_id: str, lang: str = "vi") -> str:
        vi = lang == "vi"
        if limit_id.startswith("ratio:"):
            unit = limit_id.split(":")[1] if limit_id.count(":") >= 1 else ""
            text = regime.ratio_cap_text(limit_id, self.unit(unit), lang, self.rs)
            if text is not None:
                return text
        lim = self.limits.get(limit_id)
        if lim is None:
            return f"Giới hạn chung {limit_id}" if vi else f"Shared limit {limit_id}"
        what = []
        if lim.get("target_title"):
            what.append(self.title(lim["target_title"], lang))
        if lim.get("target_rank"):
            what.append(("hạng " if vi else "rank ") + lim["target_rank"])
        if lim.get("job_position"):
            what.append(("vị trí việc làm " if vi else "job position ")
                        + regime.position_name(lim["job_position"], self.rs))
        if lim.get("target_level") is not None:
            what.append(("bậc " if vi else "level ") + str(lim["target_level"]))
        cap = (f"tối đa {lim['max']} người" if vi else f"at most {lim['max']}") \
            if lim.get("max") is not None else (
            f"tỷ lệ tối đa {fmt_number(lim['max_share'])}" if vi else
            f"share at most {fmt_number(lim['max_share'], 'en')}")
        scope = self.unit(lim["scope_unit_id"])
        everyone = ("mọi vị trí việc làm" if self.levels else "mọi chức danh") if vi else (
            "all positions" if self.levels else "all titles")
        return (f"Vượt giới hạn chung {limit_id} ({', '.join(what) or everyone} tại "
                f"{scope}: {cap}); các chỗ trong giới hạn dành cho người được ưu tiên hơn"
                if vi else
                f"Beyond the shared limit {limit_id} ({', '.join(what) or everyone} in "
                f"{scope}: {cap}); its places go to candidates with higher priority")


def _weakest_winner(pool: pl.DataFrame, rs: RuleSet) -> dict[str, Any] | None:
    """The last of a pool's winners (selected or escalated) in priority order."""
    keys = [k for k in key_columns(rs) if k != "_k_birth_hi"]
    winners = pool.filter(pl.col("status").is_in([Status.selected.value,
                                                  Status.escalated.value]))
    if winners.height == 0:
        return None
    return winners.sort([*keys, "candidate_id"], maintain_order=True).row(-1, named=True)


# ---------------------------------------------------------------------------------------------


def explain(result: RunResult, candidate_id: str, lang: str = "vi",
            context: Context | None = None) -> str:
    """A plain-language account of one candidate's outcome."""
    lang = _check_lang(lang)
    ctx = context or Context.of(result)
    row = ctx.rows.get(candidate_id)
    if row is None:
        raise KeyError(candidate_id)
    vi = lang == "vi"
    status = row["status"]
    lines = [_heading(ctx, row, lang), *regime.warning_lines(result, lang),
             f"{'Kết quả' if vi else 'Outcome'}: {STATUS[lang][status]}."]
    if status == Status.ineligible:
        lines += _ineligible(ctx, row, lang)
    elif status == Status.selected:
        lines += _selected(ctx, row, lang)
    elif status == Status.not_selected:
        lines += _not_selected(ctx, row, lang)
    else:
        lines += _escalated(ctx, row, lang)
    if ruled := ctx.ruling(candidate_id, lang):
        by_whom = "Quyết định của cơ quan quản lý" if vi else "Ruling of the managing agency"
        lines.append(f"{by_whom}: {ruled}.")
    if where := ctx.read_from(candidate_id, lang):
        lines.append(f"{'Nguồn dữ liệu' if vi else 'Read from'}: {where}.")
    return "\n".join(lines)


def _heading(ctx: Context, row: dict[str, Any], lang: str) -> str:
    vi = lang == "vi"
    if ctx.levels:
        position = regime.position_text(row.get("job_position"), row.get("current_level"), lang,
                                        rs=ctx.rs)
        if vi:
            return (f"Ứng viên {row['candidate_id']} — {row['full_name']}, "
                    f"{ctx.unit(row['unit_id'])}; dự xét thay đổi từ {position} lên bậc "
                    f"{row.get('target_level')}.")
        return (f"Candidate {row['candidate_id']} — {row['full_name']}, "
                f"{ctx.unit(row['unit_id'])}; move from {position} to level "
                f"{row.get('target_level')}.")
    target = ctx.title(row["target_title"], lang)
    current = ctx.title(row["current_title"], lang)
    if vi:
        return (f"Ứng viên {row['candidate_id']} — {row['full_name']}, "
                f"{ctx.unit(row['unit_id'])}; dự xét thăng hạng từ {current} lên {target}.")
    return (f"Candidate {row['candidate_id']} — {row['full_name']}, {ctx.unit(row['unit_id'])}; "
            f"promotion from {current} to {target}.")


def _ineligible(ctx: Context, row: dict[str, Any], lang: str) -> list[str]:
    vi = lang == "vi"
    failed = ctx.failed(row, lang)
    lines = [f"Không đáp ứng {len(failed)} điều kiện:" if vi else
             f"{len(failed)} condition(s) not met:"]
    for i, (rule, label, detail, source) in enumerate(failed, start=1):
        lines.append(f"  {i}. {label} [{rule}]")
        if detail:
            lines.append(f"     {detail}.")
        lines.append(f"     {'Căn cứ' if vi else 'Source'}: {source}.")
    return lines


def _standing(ctx: Context, row: dict[str, Any], lang: str) -> str:
    vi = lang == "vi"
    n = ctx.pool_eligible.get(row[POOL], 0)
    quota = row["quota"]
    where = ctx.pool_of(row, lang)
    if vi:
        return (f"Chỉ tiêu {where}: {quota}; số người đủ điều kiện: {n}; thứ tự ưu tiên của "
                f"ứng viên: {row['priority_rank']}.")
    return (f"Quota for {where}: {quota}; eligible candidates: {n}; this candidate's priority "
            f"rank: {row['priority_rank']}.")


def _selected(ctx: Context, row: dict[str, Any], lang: str) -> list[str]:
    vi = lang == "vi"
    lines = [_standing(ctx, row, lang)]
    if ctx.pool_eligible.get(row[POOL], 0) <= (row["quota"] or 0):
        lines.append("Đáp ứng mọi điều kiện và số người đủ điều kiện không vượt chỉ tiêu nên "
                     "không cần xét thứ tự ưu tiên." if vi else
                     "Meets every condition, and the eligible do not outnumber the quota, so "
                     "no priority comparison was needed.")
    else:
        src = ctx.priority_source
        lines.append("Đáp ứng mọi điều kiện và nằm trong số chỉ tiêu theo thứ tự ưu tiên "
                      f"({src})." if vi else
                      f"Meets every condition and is within the quota by the priority order "
                      f"({src}).")
    lines.append(_criteria_line(ctx, row, lang))
    return lines


def _criteria_line(ctx: Context, row: dict[str, Any], lang: str) -> str:
    vi = lang == "vi"
    parts = [f"{CRITERION[lang][c].split(' (')[0]}: {v}"
             for c, v in ctx.criteria(row, lang).items()]
    return ("Các tiêu chí ưu tiên: " if vi else "Priority criteria: ") + "; ".join(parts) + "."


def _not_selected(ctx: Context, row: dict[str, Any], lang: str) -> list[str]:
    vi = lang == "vi"
    lines = [_standing(ctx, row, lang)]
    by = row["decided_by"]
    if by in CRITERION[lang]:
        w = ctx.weakest(row[POOL])
        lines.append(
            f"Đủ điều kiện nhưng chỉ tiêu đã dành cho những người được ưu tiên hơn theo "
            f"{ctx.priority_source}." if vi else
            f"Eligible, but the seats went to candidates with higher priority under "
            f"{ctx.priority_source}.")
        if w is not None:
            who = f"{w['full_name']} ({w['candidate_id']})"
            if w["status"] == Status.escalated:
                who += (" — đang chờ cơ quan quản lý quyết định" if vi else
                        " — awaiting the managing agency's decision")
            lines.append(f"So với người có thứ tự ưu tiên thấp nhất trong số được chọn, {who}:"
                         if vi else f"Compared with the lowest-priority winner, {who}:")
            mine, theirs = ctx.criteria(row, lang), ctx.criteria(w, lang)
            for c in mine:
                name = CRITERION[lang][c]
                if c == by:
                    lines.append(f"  - {name}: {mine[c]} so với {theirs[c]} — tiêu chí quyết "
                                 "định." if vi else
                                 f"  - {name}: {mine[c]} against {theirs[c]} — the deciding "
                                 "criterion.")
                    break
                lines.append(f"  - {name}: bằng nhau ({mine[c]} / {theirs[c]})." if vi else
                             f"  - {name}: equal ({mine[c]} / {theirs[c]}).")
    else:
        lines.append(ctx.deciding(row, lang) + ".")
        lines.append(_criteria_line(ctx, row, lang))
    return lines


def _escalated(ctx: Context, row: dict[str, Any], lang: str) -> list[str]:
    vi = lang == "vi"
    g = ctx.groups.get(row["tie_group"])
    lines = [_standing(ctx, row, lang)]
    if g is None:
        return lines
    names = ctx.rows.many(g.members)
    members = ", ".join(f"{names[c]['full_name']} ({c})" for c in g.members)
    agency = f"{ctx.unit(g.managing_agency_id)} ({g.managing_agency_id})"
    reason = TIE_REASON[lang].get(g.reason, g.reason)
    if vi:
        lines += [
            f"Thuộc nhóm {g.tie_group}: {len(g.members)} người tranh {g.seats} chỉ tiêu cuối, "
            f"{reason}: {members}.",
            "Phần mềm không tự chọn trong trường hợp này. Theo "
            f"{ctx.priority_source}, người đứng đầu cơ quan tổ chức xét báo cáo bằng văn bản "
            f"để người đứng đầu cơ quan quản lý viên chức xem xét, quyết định: {agency}.",
        ]
    else:
        lines += [
            f"In tie group {g.tie_group}: {len(g.members)} candidates for the last "
            f"{g.seats} seat(s), {reason}: {members}.",
            "The software does not choose here: the organising agency reports in writing and "
            f"the head of the managing agency decides: {agency}.",
        ]
    lines.append(_criteria_line(ctx, row, lang))
    return lines
