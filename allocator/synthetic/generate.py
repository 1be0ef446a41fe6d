"""Synthetic provinces and countries for benchmarks and tests (``allocator generate``).

:func:`generate` writes one scenario folder in the exact SCENARIO.md format, fully
determined by ``(size, seed, coupling)``: the same arguments give the same bytes.

What it models (DOMAIN.md):

* a unit tree — province (Ủy ban nhân dân tỉnh) → departments (Sở, Đài …) → public
  service units; for national sizes several provinces under one root;
* the six built-in transitions in proportions that depend on the department (ICT
  departments hold IT and information-security titles, science departments research and
  engineering titles);
* Vietnamese names (family names by their real frequency, middle and given names by sex,
  the family names of several minority groups), the 54 ethnic groups in their census
  shares (Kinh ≈ 85 %), birth dates, service start and rank dates as personnel files show
  them (many on the first of a month), a few birth dates known only to the year;
* achievements (most candidates have none), and a share of ineligible candidates in which
  every rule fails sometimes (rating, discipline, competence, degree, certificate,
  language/IT, tenure, the 12-month rule, points, points from S&T tasks, no quota);
* quotas that leave most pools contested, some of them held by large units themselves,
  and exact ties (equal on every priority criterion) inside pools;
* optional couplings: department limits per rank, unit rank-structure limits (cơ cấu
  hạng, as ``max_share`` of the approved headcount in staff.csv) and a budget on the
  salary-coefficient increase.

Everything per candidate is vectorised (numpy draws, polars strings and dates): a million
candidates take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
import polars as pl

from allocator.io.staging import write_staged
from models import schema, vocabulary

# ---------------------------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------------------------

#: The six built-in transitions: (current, target, target rank, base tenure months).
TRANSITIONS: tuple[tuple[str, str, str, int], ...] = (
    ("V.11.05.12", "V.11.05.11", "III", 24),  # information security IV → III
    ("V.11.06.15", "V.11.06.14", "III", 24),  # information technology IV → III
    ("V.05.01.04", "V.05.01.03", "III", 36),  # research assistant → researcher
    ("V.05.01.03", "V.05.01.02", "II", 108),  # researcher → principal researcher
    ("V.05.02.08", "V.05.02.07", "III", 36),  # technician → engineer
    ("V.05.02.07", "V.05.02.06", "II", 108),  # engineer → principal engineer
)
#: Every title of the four professions, with its rank (staff.csv rows).
TITLES: tuple[tuple[str, str, int], ...] = tuple(
    (f"{prefix}.{n:02d}", rank, prof)
    for prof, (prefix, first) in enumerate((("V.11.05", 9), ("V.11.06", 12),
                                            ("V.05.01", 1), ("V.05.02", 5)))
    for n, rank in zip(range(first, first + 4), ("I", "II", "III", "IV"), strict=True)
)
_PROFESSION_OF_TRANSITION = (0, 1, 2, 2, 3, 3)
_MIN_POINTS = (0.0, 0.0, 0.0, 3.0, 0.0, 2.0)
_IS_SENIOR = np.array([False, False, False, True, False, True])  # III → II transitions

#: Department kinds: (name, relative size, transition mix in TRANSITIONS order).
DEPARTMENTS: tuple[tuple[str, float, tuple[float, ...]], ...] = (
    ("Sở Thông tin và Truyền thông", 1.0, (0.25, 0.60, 0.02, 0.01, 0.08, 0.04)),
    ("Sở Khoa học và Công nghệ", 1.0, (0.03, 0.10, 0.30, 0.15, 0.27, 0.15)),
    ("Sở Nông nghiệp và Phát triển nông thôn", 1.5, (0.02, 0.18, 0.15, 0.05, 0.45, 0.15)),
    ("Sở Tài nguyên và Môi trường", 1.0, (0.03, 0.25, 0.12, 0.05, 0.40, 0.15)),
    ("Sở Y tế", 1.2, (0.04, 0.36, 0.20, 0.08, 0.24, 0.08)),
    ("Sở Giáo dục và Đào tạo", 1.0, (0.05, 0.55, 0.15, 0.05, 0.15, 0.05)),
    ("Sở Xây dựng", 0.8, (0.02, 0.20, 0.05, 0.03, 0.52, 0.18)),
    ("Sở Giao thông vận tải", 0.8, (0.03, 0.22, 0.03, 0.02, 0.52, 0.18)),
    ("Sở Công Thương", 0.7, (0.03, 0.27, 0.10, 0.05, 0.40, 0.15)),
    ("Sở Văn hóa, Thể thao và Du lịch", 0.6, (0.03, 0.47, 0.15, 0.05, 0.22, 0.08)),
    ("Sở Lao động - Thương binh và Xã hội", 0.5, (0.04, 0.56, 0.05, 0.03, 0.24, 0.08)),
    ("Đài Phát thanh và Truyền hình", 0.5, (0.06, 0.54, 0.00, 0.00, 0.30, 0.10)),
    ("Văn phòng Ủy ban nhân dân tỉnh", 0.4, (0.15, 0.70, 0.02, 0.01, 0.08, 0.04)),
    ("Ban Quản lý các khu công nghiệp", 0.3, (0.03, 0.27, 0.05, 0.02, 0.48, 0.15)),
    ("Sở Tư pháp", 0.3, (0.10, 0.70, 0.05, 0.02, 0.10, 0.03)),
    ("Sở Tài chính", 0.3, (0.12, 0.70, 0.04, 0.02, 0.09, 0.03)),
    ("Sở Kế hoạch và Đầu tư", 0.3, (0.10, 0.66, 0.08, 0.04, 0.09, 0.03)),
    ("Sở Nội vụ", 0.2, (0.10, 0.74, 0.04, 0.02, 0.07, 0.03)),
)
_UNIT_KINDS = (
    "Trung tâm Công nghệ thông tin", "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ",
    "Trung tâm Kỹ thuật", "Trung tâm Dịch vụ công", "Viện Nghiên cứu phát triển",
    "Trung tâm Quan trắc", "Trung tâm Kiểm định", "Ban Quản lý dự án",
    "Trung tâm Chuyển đổi số", "Trung tâm Giám sát điều hành", "Trạm Kỹ thuật",
    "Trung tâm Thông tin và Thống kê",
)
PROVINCES = (
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hà Giang", "Cao Bằng",
    "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La", "Yên Bái",
    "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ",
    "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Hà Nam", "Nam Định",
    "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị",
    "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa",
    "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng",
    "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "Long An",
    "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang",
    "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
)

#: The 54 ethnic groups with their 2019 census population (thousands).
ETHNIC_GROUPS: tuple[tuple[str, float], ...] = (
    ("Kinh", 82085.8), ("Tày", 1845.5), ("Thái", 1820.9), ("Mường", 1452.1),
    ("H'Mông", 1393.5), ("Khmer", 1319.7), ("Nùng", 1083.3), ("Dao", 891.2), ("Hoa", 749.5),
    ("Gia Rai", 513.9), ("Ê Đê", 398.7), ("Ba Na", 286.9), ("Xơ Đăng", 212.3),
    ("Sán Chay", 201.4), ("Cơ Ho", 200.8), ("Sán Dìu", 183.0), ("Chăm", 178.9),
    ("Hrê", 149.5), ("Ra Glai", 146.6), ("Mnông", 127.3), ("Xtiêng", 100.8),
    ("Bru-Vân Kiều", 94.6), ("Thổ", 91.4), ("Khơ Mú", 90.6), ("Cơ Tu", 74.2),
    ("Giáy", 67.9), ("Giẻ Triêng", 63.3), ("Tà Ôi", 52.4), ("Mạ", 50.3), ("Co", 40.4),
    ("Chơ Ro", 29.5), ("Xinh Mun", 29.5), ("Hà Nhì", 25.5), ("Chu Ru", 23.2),
    ("Lào", 17.5), ("Kháng", 16.2), ("La Chí", 15.1), ("Phù Lá", 12.5), ("La Hủ", 12.1),
    ("La Ha", 10.2), ("Pà Thẻn", 8.2), ("Chứt", 7.5), ("Lự", 6.8), ("Lô Lô", 4.8),
    ("Mảng", 4.6), ("Cơ Lao", 4.0), ("Bố Y", 3.2), ("Cống", 2.7), ("Ngái", 1.6),
    ("Si La", 0.9), ("Pu Péo", 0.9), ("Rơ Măm", 0.6), ("Brâu", 0.5), ("Ơ Đu", 0.4),
)

#: Kinh family names with their approximate share (%).
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 4.0),
    ("Phan", 4.5), ("Vũ", 2.5), ("Võ", 1.4), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4),
    ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Huỳnh", 1.1), ("Đinh", 0.8),
    ("Trịnh", 0.7), ("Đào", 0.6), ("Trương", 0.6), ("Lý", 0.5), ("Lương", 0.5),
    ("Mai", 0.5), ("Cao", 0.5), ("Hà", 0.5), ("Tạ", 0.3), ("Tô", 0.3), ("Lâm", 0.3),
    ("Lưu", 0.3), ("Vương", 0.2), ("Chu", 0.2), ("Thái", 0.2), ("Châu", 0.2),
    ("Phùng", 0.2), ("Triệu", 0.2), ("Quách", 0.1), ("Kiều", 0.1), ("La", 0.1),
    ("Nghiêm", 0.1), ("Doãn", 0.1), ("Lại", 0.1), ("Khổng", 0.05), ("Mạc", 0.05),
)
#: Family names typical of some minority groups (others take the Kinh distribution).
MINORITY_FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "H'Mông": ("Giàng", "Sùng", "Vàng", "Thào", "Lầu", "Mùa", "Hờ", "Lý"),
    "Thái": ("Lò", "Lường", "Quàng", "Cầm", "Tòng", "Lù", "Vi"),
    "Tày": ("Hoàng", "Nông", "Lục", "Ma", "Hà", "Triệu", "Lăng"),
    "Nùng": ("Nông", "Hoàng", "Lương", "Vi", "Chu", "Mã"),
    "Mường": ("Bùi", "Đinh", "Quách", "Hà", "Xa"),
    "Khmer": ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Châu"),
    "Dao": ("Triệu", "Bàn", "Đặng", "Lý", "Phùng"),
    "Hoa": ("Lâm", "Trương", "Lý", "Quách", "Hứa", "Mã"),
}
MIDDLE_MALE = (("Văn", 35), ("Đức", 8), ("Minh", 8), ("Quang", 6), ("Hữu", 6), ("Công", 5),
               ("Thanh", 5), ("Quốc", 4), ("Xuân", 4), ("Ngọc", 4), ("Duy", 4), ("Tiến", 3),
               ("Mạnh", 3), ("Trọng", 3), ("Hoàng", 3), ("Anh", 2), ("Thành", 2), ("Gia", 2))
MIDDLE_FEMALE = (("Thị", 50), ("Thu", 6), ("Ngọc", 6), ("Thanh", 5), ("Minh", 4), ("Hồng", 4),
                 ("Phương", 3), ("Thùy", 3), ("Kim", 3), ("Bích", 2), ("Mai", 2), ("Diệu", 2),
                 ("Khánh", 2), ("Như", 2), ("Bảo", 2), ("Quỳnh", 2))
GIVEN_MALE = ("Anh", "Dũng", "Hùng", "Tuấn", "Minh", "Nam", "Long", "Hải", "Sơn", "Thắng",
              "Cường", "Hiếu", "Huy", "Khoa", "Phong", "Quân", "Trung", "Tùng", "Việt", "Bình",
              "Đạt", "Đức", "Hoàng", "Khánh", "Lâm", "Lợi", "Nghĩa", "Phúc", "Quang", "Tài",
              "Thành", "Thịnh", "Toàn", "Trí", "Vinh", "Vũ", "Hưng", "Kiên", "Hiển", "Tâm",
              "Thái", "Tiến", "Bảo", "Công", "Duy", "Hào", "Hậu", "Hòa", "Khải", "Lộc")
GIVEN_FEMALE = ("Anh", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Nhung", "Phương", "Thảo",
                "Trang", "Yến", "Hà", "Hằng", "Hạnh", "Hoa", "Huyền", "Hiền", "Loan", "Ly",
                "My", "Nga", "Ngân", "Nhi", "Oanh", "Quỳnh", "Tâm", "Thanh", "Thủy", "Thư",
                "Trâm", "Uyên", "Vân", "Vy", "Xuân", "Dung", "Giang", "Hồng", "Hậu", "Khánh",
                "Liên", "Nguyệt", "Nhàn", "Phượng", "Sen", "Thu", "Tuyết", "Hòa", "Diệp",
                "Châu", "Duyên")

#: Salary-coefficient increases on promotion (two decimals, as the pay scales give them).
RAISE_JUNIOR = (0.15, 0.21, 0.28, 0.34, 0.40, 0.48)
RAISE_SENIOR = (0.07, 0.21, 0.33, 0.40, 0.52, 0.66)

#: The columns written: the schema's, but for award counts (the generator draws none, so the
#: column's default holds for everyone).
CANDIDATE_COLUMNS = tuple(c for c in schema.CANDIDATES.names() if c != "achievement_count")
EDUCATION = vocabulary.EDUCATION.codes
RATINGS = vocabulary.RATING.codes
ACHIEVEMENTS = ("A", "B", "C", "D", "")

NATIONAL_FROM = 300_000  # from this size on, a country of provinces under one root
PROVINCE_SIZE = 60_000  # candidates per province in a national study
UNIT_SIZE = 40  # mean candidates per public service unit


# ---------------------------------------------------------------------------------------------
# Options and result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    """What was written, with the counts a benchmark or a test checks against."""

    out: Path
    size: int
    seed: int
    provinces: int
    units: int
    pools: int
    limits: int
    budget: str
    expected_eligible: int
    counts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Coupling:
    """Which shared limits couple the pools, and how tight they are.

    ``tightness`` scales a department limit against what its pools would take without it
    (its pools' expected winners); ``budget_share`` the budget against their expected salary
    increase; below 1 they bind.
    """

    department_limits: bool = False
    unit_limits: bool = False
    budget: bool = False
    tightness: float = 0.85
    budget_share: float = 0.85
    unit_share: float = 0.30  # cơ cấu hạng: at most this share of a unit's headcount at rank II

    @classmethod
    def full(cls) -> Coupling:
        """Department limits, unit structure limits and a budget."""
        return cls(department_limits=True, unit_limits=True, budget=True)


@dataclass(frozen=True)
class Options:
    """What to generate, as one value (the form the planning benchmarks use).

    ``coupled`` adds department limits per rank and unit rank-structure limits (either can
    be chosen alone with ``department_limits`` / ``unit_limits``); ``budget`` a binding
    budget on the salary increase (``budget_share`` of what the plain cut would spend).
    ``provinces`` defaults to one below :data:`NATIONAL_FROM` candidates and to one per
    :data:`PROVINCE_SIZE` candidates from there on.
    """

    size: int
    seed: int = 0
    coupled: bool = False
    budget: bool = False
    department_limits: bool | None = None  # None: as ``coupled``
    unit_limits: bool | None = None  # None: as ``coupled``
    deadline: dt.date = dt.date(2024, 10, 29)
    budget_share: float = 0.85
    tightness: float = 0.85
    provinces: int | None = None
    tie_share: float = 0.03
    incomplete_birth_share: float = 0.0

    @property
    def coupling(self) -> Coupling:
        dept = self.coupled if self.department_limits is None else self.department_limits
        unit = self.coupled if self.unit_limits is None else self.unit_limits
        return Coupling(department_limits=dept, unit_limits=unit,
                        budget=self.budget, tightness=self.tightness,
                        budget_share=self.budget_share)


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------


@overload
def generate(spec: Options, out: Path, /) -> Path: ...


@overload
def generate(spec: int, seed: int = 0, /, *, out: Path, coupling: Coupling | None = None,
             provinces: int | None = None, deadline: dt.date = ..., tie_share: float = ...,
             incomplete_birth_share: float = ...) -> Path: ...


def generate(spec: Options | int, second: Path | int = 0, /, *, out: Path | None = None,
             coupling: Coupling | None = None, provinces: int | None = None,
             deadline: dt.date = dt.date(2024, 10, 29), tie_share: float = 0.03,
             incomplete_birth_share: float = 0.0) -> Path:
    """Write a synthetic round into a folder; returns the folder.

    Either ``generate(Options(size=…, seed=…, …), out)`` or
    ``generate(size, seed, coupling=Coupling(…), out=…)``. The files are written
    as one set (allocator.io.staging): a failed call leaves the folder as it was, and files
    a person put there are kept.
    """
    if isinstance(spec, Options):
        if not isinstance(second, Path):
            raise TypeError("generate(Options, out): out must be a Path")
        return make(spec.size, spec.seed, coupling=spec.coupling, out=second,
                    provinces=spec.provinces, deadline=spec.deadline, tie_share=spec.tie_share,
                    incomplete_birth_share=spec.incomplete_birth_share).out
    if out is None or isinstance(second, Path):
        raise TypeError("generate(size, seed, *, out=…): out is required")
    return make(spec, second, coupling=coupling, out=out, provinces=provinces,
                deadline=deadline, tie_share=tie_share,
                incomplete_birth_share=incomplete_birth_share).out


def make(size: int, seed: int, *, coupling: Coupling | None = None, out: Path,
         provinces: int | None = None, deadline: dt.date = dt.date(2024, 10, 29),
         tie_share: float = 0.03, incomplete_birth_share: float = 0.0) -> Generated:
    """:func:`generate`, returning what was written with its counts."""
    if size < 1:
        raise ValueError("size must be at least 1")
    if not 0 <= tie_share <= 0.5 or not 0 <= incomplete_birth_share <= 0.5:
        raise ValueError("tie_share and incomplete_birth_share must be in [0, 0.5]")
    coupling = coupling or Coupling()
    rng = np.random.default_rng(seed)
    n_prov = provinces or (1 if size < NATIONAL_FROM else round(size / PROVINCE_SIZE))
    n_prov = max(1, min(n_prov, len(PROVINCES), size))
    tree = _tree(size, n_prov, rng)
    cands, info = _candidates(size, tree, deadline, rng, tie_share, incomplete_birth_share)
    quotas, pool_of = _quotas(cands, info, tree, rng)
    info["pool"] = pool_of
    staff = _staff(tree, info, coupling, rng)
    limits = _limits(info, quotas, tree, coupling)
    budget = _budget(info, quotas, coupling)
    name = (f"Tỉnh {PROVINCES[0]} — xét thăng hạng tổng hợp (dữ liệu mô phỏng, seed {seed})"
            if n_prov == 1 else
            f"Toàn quốc, {n_prov} tỉnh — xét thăng hạng (dữ liệu mô phỏng, seed {seed})")
    toml = _scenario_toml(name, deadline, budget, size, seed, coupling)
    _write(out, {
        schema.SETTINGS.file: toml,
        schema.UNITS.file: tree["units"].select(schema.UNITS.names()),
        schema.CANDIDATES.file: cands,
        schema.QUOTAS.file: quotas.select(schema.QUOTAS.names()),
        schema.STAFF.file: staff.select(schema.STAFF.names()),
        **({schema.LIMITS.file: limits} if limits.height else {}),
    })
    counts = {
        "departments": int(tree["n_depts"]),
        "expected_ineligible": int(size - info["eligible"].sum()),
        "tie_pairs": int(info["tie_pairs"]),
        "incomplete_births": int(info["incomplete"].sum()),
    }
    return Generated(out=out, size=size, seed=seed, provinces=n_prov,
                     units=tree["units"].height, pools=quotas.height, limits=limits.height,
                     budget=budget, expected_eligible=int(info["eligible"].sum()),
                     counts=counts)


# -- the unit tree ----------------------------------------------------------------------------


def _tree(size: int, n_prov: int, rng: np.random.Generator) -> dict[str, Any]:
    """Units: root, provinces, departments, units; with the weights candidates follow."""
    ids: list[str] = []
    names: list[str] = []
    parents: list[str | None] = []
    national = n_prov > 1
    if national:
        ids.append("VN")
        names.append("Bộ Nội vụ — tổng hợp toàn quốc")
        parents.append(None)
    per_prov = size / n_prov
    n_kinds = len(DEPARTMENTS)
    n_depts_per = int(min(n_kinds, max(2, round(per_prov / 400))))
    dept_rows: list[tuple[str, int, int, float]] = []  # id, province, kind, weight
    for p in range(n_prov):
        pid = f"T{p + 1:02d}"
        ids.append(pid)
        names.append(f"Ủy ban nhân dân tỉnh {PROVINCES[p]}"
                     if PROVINCES[p] not in PROVINCES[:5]
                     else f"Ủy ban nhân dân thành phố {PROVINCES[p]}")
        parents.append("VN" if national else None)
        for d in range(n_depts_per):
            did = f"{pid}.S{d + 1:02d}"
            ids.append(did)
            names.append(f"{DEPARTMENTS[d][0]} {PROVINCES[p]}")
            parents.append(pid)
            dept_rows.append((did, p, d, DEPARTMENTS[d][1] * rng.uniform(0.7, 1.3)))
    dept_weight = np.array([r[3] for r in dept_rows])
    dept_weight = dept_weight / dept_weight.sum()
    expected = dept_weight * size
    unit_count = np.maximum(1, np.round(expected / UNIT_SIZE)).astype(np.int64)
    unit_start = np.concatenate([[0], np.cumsum(unit_count)[:-1]])
    unit_ids: list[str] = []
    unit_dept: list[int] = []
    for d, (did, _, kind, _) in enumerate(dept_rows):
        for u in range(int(unit_count[d])):
            uid = f"{did}.U{u + 1:03d}"
            base = _UNIT_KINDS[(kind + u) % len(_UNIT_KINDS)]
            cycle = u // len(_UNIT_KINDS)
            unit_ids.append(uid)
            unit_dept.append(d)
            ids.append(uid)
            names.append(base if cycle == 0 else f"{base} khu vực {cycle + 1}")
            parents.append(did)
    units = pl.DataFrame({"unit_id": ids, "name": names, "parent_id": parents},
                         schema={"unit_id": pl.Utf8, "name": pl.Utf8, "parent_id": pl.Utf8})
    return {
        "units": units,
        "dept_ids": [r[0] for r in dept_rows],
        "dept_kind": np.array([r[2] for r in dept_rows], dtype=np.int64),
        "dept_prov": np.array([r[1] for r in dept_rows], dtype=np.int64),
        "dept_weight": dept_weight,
        "unit_count": unit_count,
        "unit_start": unit_start,
        "unit_ids": unit_ids,
        "unit_dept": np.array(unit_dept, dtype=np.int64),
        "n_depts": len(dept_rows),
    }


# -- candidates -------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, weights: np.ndarray | list[float], n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int64)


def _strings(values: tuple[str, ...] | list[str], idx: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.Utf8).gather(idx)


def _month_shift(year: np.ndarray, month: np.ndarray, months: np.ndarray,
                 ) -> tuple[np.ndarray, np.ndarray]:
    total = year * 12 + (month - 1) - months
    return total // 12, total % 12 + 1


def _ids(prefix: str, n: int) -> pl.Series:
    digits = pl.Series(np.arange(1, n + 1)).cast(pl.Utf8).str.zfill(max(6, len(str(n))))
    return pl.select(pl.lit(prefix) + digits).to_series()


def _dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({"y": year, "m": month, "d": day})
    return frame.select(pl.date("y", "m", "d").alias("d"))["d"]


def _candidates(size: int, tree: dict[str, Any], deadline: dt.date,
                rng: np.random.Generator, tie_share: float,
                incomplete_share: float) -> tuple[pl.DataFrame, dict[str, Any]]:
    n = size
    # Where they work and what they apply for.
    dept = _pick(rng, tree["dept_weight"], n)
    skew = rng.random(n) ** 1.6  # some units are much larger than others
    unit = tree["unit_start"][dept] + (skew * tree["unit_count"][dept]).astype(np.int64)
    kind = tree["dept_kind"][dept]
    mix = np.array([DEPARTMENTS[k][2] for k in range(len(DEPARTMENTS))])
    cdf = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    tr = (rng.random(n)[:, None] >= cdf[kind]).sum(axis=1).clip(0, 5).astype(np.int64)
    senior = _IS_SENIOR[tr]

    # Who they are.
    female = rng.random(n) < np.where(senior, 0.42, 0.48)
    eth_w = np.array([w for _, w in ETHNIC_GROUPS])
    eth = _pick(rng, eth_w, n)
    # Family names: the Kinh distribution, or the names typical of the candidate's group.
    names = [f for f, _ in FAMILY_NAMES]
    fam = _pick(rng, [w for _, w in FAMILY_NAMES], n)
    eth_names = [e for e, _ in ETHNIC_GROUPS]
    for group, fams in MINORITY_FAMILY_NAMES.items():
        mask = eth == eth_names.index(group)
        fam[mask] = len(names) + rng.integers(0, len(fams), int(mask.sum()))
        names += fams
    mid_m = _pick(rng, [w for _, w in MIDDLE_MALE], n)
    mid_f = _pick(rng, [w for _, w in MIDDLE_FEMALE], n)
    middle = pl.select(pl.when(pl.Series(female)).then(
        _strings([m for m, _ in MIDDLE_FEMALE], mid_f)).otherwise(
        _strings([m for m, _ in MIDDLE_MALE], mid_m))).to_series()
    hmong_male = (eth == eth_names.index("H'Mông")) & ~female
    middle = middle.scatter(np.flatnonzero(hmong_male), "A") if hmong_male.any() else middle
    zipf_m = 1.0 / np.arange(1, len(GIVEN_MALE) + 1) ** 0.6
    zipf_f = 1.0 / np.arange(1, len(GIVEN_FEMALE) + 1) ** 0.6
    given = pl.select(pl.when(pl.Series(female)).then(
        _strings(GIVEN_FEMALE, _pick(rng, zipf_f, n))).otherwise(
        _strings(GIVEN_MALE, _pick(rng, zipf_m, n)))).to_series()
    full_name = pl.select(pl.concat_str(
        [_strings(names, fam), middle, given], separator=" ")).to_series()

    # Education.
    rec_junior = _pick(rng, [0.12, 0.18, 0.62, 0.08, 0.0], n)
    rec_senior = _pick(rng, [0.0, 0.0, 0.70, 0.25, 0.05], n)
    rec = np.where(senior, rec_senior, rec_junior)
    need = np.where(tr == 3, 3, 2)  # thạc sĩ for principal researcher, đại học otherwise
    # Most study further while working until they hold what the next title requires.
    upgrade = rng.random(n) < np.where(rec < need, 0.96, 0.2)
    degree = np.where(upgrade, np.minimum(4, np.maximum(rec + 1, need)), rec)
    field_ok = rng.random(n) < 0.985

    # Tenure in the lower rank, counted in full months up to the deadline.
    required = np.array([t[3] for t in TRANSITIONS])[tr]
    required = np.where((tr <= 1) & (rec == 0), 36, required)
    short = rng.random(n) < 0.04
    extra = np.floor(rng.exponential(np.where(senior, 30.0, 24.0), n)).astype(np.int64)
    months = np.where(short, np.maximum(1, required - 1 - rng.integers(0, 23, n)),
                      required + extra)
    equivalent = np.where(rng.random(n) < 0.08, rng.integers(6, 37, n), 0)
    # A few count equivalent time with less than 12 months in the rank itself.
    early = rng.random(n) < 0.005
    months = np.where(early, rng.integers(4, 12, n), months)
    equivalent = np.where(early, required, equivalent)
    probation = np.where((rng.random(n) < 0.1) & ~senior, rng.choice([6, 12], n), 0)
    rank_months = months + probation  # calendar months since rank_since
    dl_y, dl_m, dl_d = deadline.year, deadline.month, deadline.day
    ry, rm = _month_shift(np.full(n, dl_y), np.full(n, dl_m), rank_months)
    rd = np.where(rng.random(n) < 0.6, 1, rng.integers(1, min(dl_d, 28) + 1, n))
    rank_since = _dates(ry, rm, rd)
    in_rank = months  # full months: rank day never passes the deadline's day
    tenure_ok = in_rank + equivalent >= required
    twelve_ok = ~((equivalent > 0) & (in_rank < required)) | (in_rank >= 12)

    # Service start: at or before the rank date; birth: 20 to 30 years before service.
    before = np.floor(rng.exponential(np.where(senior, 36.0, 18.0), n)).astype(np.int64)
    sy, sm = _month_shift(ry, rm, before + equivalent)
    sd = np.where(rng.random(n) < 0.6, 1, rng.integers(1, 29, n))
    service_start = _dates(sy, sm, sd)
    age_at_start = rng.normal(24.5, 2.5, n).clip(20, 34)
    by = (sy - np.floor(age_at_start)).astype(np.int64)
    bm = rng.integers(1, 13, n)
    bd = rng.integers(1, 29, n)
    birth = _dates(by, bm, bd).cast(pl.Utf8)
    incomplete = rng.random(n) < incomplete_share
    year_only = incomplete & (rng.random(n) < 0.8)
    month_only = incomplete & ~year_only
    birth = pl.select(pl.when(pl.Series(year_only)).then(birth.str.slice(0, 4))
                      .when(pl.Series(month_only)).then(birth.str.slice(0, 7))
                      .otherwise(birth)).to_series()

    # Conditions that are flags.
    rating = _pick(rng, [0.16, 0.805, 0.03, 0.005], n)
    discipline = rng.random(n) < 0.005
    competence = rng.random(n) < 0.99
    certificate = rng.random(n) < 0.97
    language = rng.random(n) < 0.985
    achievement = _pick(rng, [0.005, 0.025, 0.08, 0.17, 0.72], n)
    min_points = np.array(_MIN_POINTS)[tr]
    points = np.where(senior, np.round(rng.gamma(4.0, 1.1, n) * 2) / 2, 0.0)
    points_st = np.where(senior, np.minimum(points, np.round(rng.gamma(3.0, 0.7, n) * 2) / 2),
                         0.0)
    raise_j = rng.integers(0, len(RAISE_JUNIOR), n)
    raise_s = rng.integers(0, len(RAISE_SENIOR), n)
    salary = np.where(senior, np.array(RAISE_SENIOR)[raise_s], np.array(RAISE_JUNIOR)[raise_j])

    eligible = ((rating <= 1) & ~discipline & competence & (degree >= need) & field_ok
                & certificate & language & tenure_ok & twelve_ok & (points >= min_points)
                & (~senior | (points_st >= 1)))

    frame = pl.DataFrame({
        "candidate_id": _ids("UV", n),
        "full_name": full_name,
        "birth_date": birth,
        "sex": _strings(("male", "female"), female.astype(np.int64)),
        "ethnicity": _strings(eth_names, eth),
        "unit_id": _strings(tree["unit_ids"], unit),
        "current_title": _strings([t[0] for t in TRANSITIONS], tr),
        "target_title": _strings([t[1] for t in TRANSITIONS], tr),
        "rank_since": rank_since.cast(pl.Utf8),
        "equivalent_months": equivalent,
        "probation_months": probation,
        "recruitment_level": _strings(EDUCATION, rec),
        "degree": _strings(EDUCATION, degree),
        "degree_field_ok": field_ok,
        "certificate": certificate,
        "rating_prev_year": _strings(RATINGS, rating),
        "under_discipline": discipline,
        "competence_ok": competence,
        "language_it_ok": language,
        "achievement": _strings(ACHIEVEMENTS, achievement),
        "service_start": service_start.cast(pl.Utf8),
        "points": points,
        "points_st": points_st,
        "salary_increase": salary,
    })
    frame, tie_pairs = _exact_ties(frame, unit, tr, tree, female, rng, tie_share)
    info = {"dept": dept, "unit": unit, "tr": tr, "senior": senior, "eligible": eligible,
            "salary": salary, "incomplete": incomplete, "tie_pairs": tie_pairs,
            "female": female, "minority": eth > 0, "achievement": achievement}
    return _format(frame), info


def _exact_ties(frame: pl.DataFrame, unit: np.ndarray, tr: np.ndarray, tree: dict[str, Any],
                female: np.ndarray, rng: np.random.Generator,
                share: float) -> tuple[pl.DataFrame, int]:
    """Make some neighbours in a department and title equal on every priority criterion
    (and on the rank date): exact ties the engine must escalate, never break."""
    n = frame.height
    if n < 2 or share <= 0:
        return frame, 0
    dept = tree["unit_dept"][unit]
    order = np.lexsort((np.arange(n), female, tr, dept))
    a, b = order[:-1], order[1:]
    same = (dept[a] == dept[b]) & (tr[a] == tr[b]) & (female[a] == female[b])
    chosen = np.flatnonzero(same & (rng.random(n - 1) < share))
    chosen = chosen[np.concatenate([[True], np.diff(chosen) > 1])] if chosen.size else chosen
    src, dst = a[chosen], b[chosen]
    if not src.size:
        return frame, 0
    cols = ["birth_date", "ethnicity", "achievement", "service_start", "rank_since"]
    copied = frame.select(cols)[src.tolist()]
    idx = pl.Series(dst)
    frame = frame.with_columns(
        frame[c].scatter(idx, copied[c]) for c in cols
    )
    return frame, int(src.size)


def _format(frame: pl.DataFrame) -> pl.DataFrame:
    """Text columns exactly as a person would type them."""
    return frame.with_columns(
        *[pl.col(c).cast(pl.Utf8).str.to_lowercase() for c in (
            "degree_field_ok", "certificate", "under_discipline", "competence_ok",
            "language_it_ok")],
        pl.col("points").map_batches(_decimal_text),
        pl.col("points_st").map_batches(_decimal_text),
        pl.col("salary_increase").round(2).cast(pl.Utf8),
        pl.col("achievement").replace("", None),
    ).select(CANDIDATE_COLUMNS)


def _decimal_text(s: pl.Series) -> pl.Series:
    """0 → "0", 2.5 → "2.5", 3.0 → "3"."""
    whole = s.round(0) == s
    return pl.select(pl.when(whole).then(s.cast(pl.Int64).cast(pl.Utf8))
                     .otherwise(s.round(1).cast(pl.Utf8))).to_series()


# -- quotas -----------------------------------------------------------------------------------


def _quotas(cands: pl.DataFrame, info: dict[str, Any], tree: dict[str, Any],
            rng: np.random.Generator) -> tuple[pl.DataFrame, np.ndarray]:
    """Quotas per department and target title; large units hold some of their own.

    Returns the quotas and, per candidate, the index of its pool (-1 when none)."""
    n = cands.height
    unit, tr, dept = info["unit"], info["tr"], info["dept"]
    n_units = len(tree["unit_ids"])
    # A large unit may organise its own review for its main title.
    unit_tr = unit * 6 + tr
    sizes = np.bincount(unit_tr, minlength=n_units * 6)
    own = (sizes >= 60) & (rng.random(n_units * 6) < 0.3)
    cand_own = own[unit_tr]
    dept_tr = dept * 6 + tr
    # A small department pool sometimes has no approved quota (the "no_quota" rule).
    dsizes = np.bincount(dept_tr, minlength=tree["n_depts"] * 6)
    dept_quota = (dsizes > 0) & ((dsizes >= 5) | (rng.random(tree["n_depts"] * 6) < 0.6))
    pool_key = np.where(cand_own, n + unit_tr, np.where(dept_quota[dept_tr], dept_tr, -1))
    keys, pool = np.unique(pool_key, return_inverse=True)
    has = keys >= 0
    pool = np.where(keys[pool] >= 0, pool - int((~has).sum()), -1)
    keys = keys[has]
    elig_count = np.bincount(pool[pool >= 0], weights=info["eligible"][pool >= 0],
                             minlength=keys.size)
    ratio = np.where(rng.random(keys.size) < 0.08, 1.3, rng.uniform(0.35, 0.8, keys.size))
    quota = np.maximum(1, np.round(elig_count * ratio)).astype(np.int64)
    is_unit = keys >= n
    agency = np.where(is_unit, (keys - n) // 6, keys // 6)
    title_idx = np.where(is_unit, (keys - n) % 6, keys % 6)
    agency_id = [tree["unit_ids"][a] if u else tree["dept_ids"][a]
                 for a, u in zip(agency.tolist(), is_unit.tolist(), strict=True)]
    frame = pl.DataFrame({
        "agency_id": agency_id,
        "target_title": _strings([t[1] for t in TRANSITIONS], title_idx),
        "quota": quota,
    }).sort("agency_id", "target_title")
    # Re-index pools in the sorted order.
    codes = np.array([t[1] for t in TRANSITIONS])[title_idx]
    order = np.lexsort((codes, np.array(agency_id)))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    pool = np.where(pool >= 0, rank[np.maximum(pool, 0)], -1)
    return frame, pool


# -- staff and limits -------------------------------------------------------------------------


def _staff(tree: dict[str, Any], info: dict[str, Any],
           coupling: Coupling, rng: np.random.Generator) -> pl.DataFrame:
    """Current holders and approved headcount (Mẫu 05) per unit and title of the unit's
    professions. With unit limits, rank-II holders are set so that the structure share
    leaves fewer rank-II seats than the unit has rank-II candidates."""
    unit, tr = info["unit"], info["tr"]
    n_units = len(tree["unit_ids"])
    prof = np.array(_PROFESSION_OF_TRANSITION)[tr]
    present = np.zeros((n_units, 4), dtype=bool)
    present[unit, prof] = True
    cur_rank = np.where(info["senior"], 2, 3)  # index in I..IV of the current title
    holding = np.zeros((n_units, 4, 4), dtype=np.int64)
    np.add.at(holding, (unit, prof, cur_rank), 1)
    extra = rng.poisson(np.array([0.3, 1.5, 3.0, 2.0]), (n_units, 4, 4))
    holders = holding + extra
    positions = holders + rng.integers(0, 3, (n_units, 4, 4))
    if coupling.unit_limits:
        seniors = np.bincount(unit[info["senior"]], minlength=n_units)
        want = np.floor(seniors * rng.uniform(0.3, 0.9, n_units)).astype(np.int64)
        other = positions.sum(axis=(1, 2)) - positions[:, :, 1].sum(axis=1)
        share = coupling.unit_share
        h2 = np.floor((share * other - want) / (1 - share)).clip(0).astype(np.int64)
        profs = np.maximum(1, present.sum(axis=1))
        per = h2 // profs
        holders[:, :, 1] = np.where(present, per[:, None], holders[:, :, 1])
        positions[:, :, 1] = np.where(present, per[:, None], positions[:, :, 1])
    u_idx, p_idx, r_idx = np.nonzero(np.broadcast_to(present[:, :, None], holders.shape))
    title_codes = [TITLES[p * 4 + r][0] for p in range(4) for r in range(4)]
    return pl.DataFrame({
        "unit_id": _strings(tree["unit_ids"], u_idx),
        "title": _strings(title_codes, p_idx * 4 + r_idx),
        "holders": holders[u_idx, p_idx, r_idx],
        "positions": positions[u_idx, p_idx, r_idx],
    })


def _expected_winners(info: dict[str, Any], quotas: pl.DataFrame) -> np.ndarray:
    """Per candidate: would win by a plain sort and cut of its pool (ties by input order)."""
    pool, elig = info["pool"], info["eligible"]
    n = pool.size
    order = np.lexsort((np.arange(n), ~info["minority"], ~info["female"], info["achievement"],
                        pool))
    quota = quotas["quota"].to_numpy()
    p_sorted = pool[order]
    e_sorted = elig[order] & (p_sorted >= 0)
    # Rank of each eligible candidate among the eligible of its pool.
    csum = np.cumsum(e_sorted)
    first = np.searchsorted(p_sorted, p_sorted, side="left")
    before = csum - e_sorted - np.where(first > 0, csum[first - 1], 0)
    win_sorted = e_sorted & (before < quota[np.maximum(p_sorted, 0)])
    win = np.zeros(n, dtype=bool)
    win[order] = win_sorted
    return win


def _limits(info: dict[str, Any], quotas: pl.DataFrame, tree: dict[str, Any],
            coupling: Coupling) -> pl.DataFrame:
    columns = dict.fromkeys(schema.LIMITS.names(), pl.Utf8)
    rows: list[dict[str, str | None]] = []
    if coupling.department_limits:
        win = _expected_winners(info, quotas)
        senior = info["senior"]
        for rank, mask in (("III", ~senior), ("II", senior)):
            per = np.bincount(info["dept"][win & mask], minlength=tree["n_depts"])
            pools = np.zeros(tree["n_depts"], dtype=np.int64)
            dp = np.unique(np.stack([info["dept"], info["pool"]])[:, mask & (info["pool"] >= 0)],
                           axis=1)
            np.add.at(pools, dp[0], 1)
            for d in np.flatnonzero((per >= 2) & (pools >= 2)).tolist():
                cap = int(np.floor(per[d] * coupling.tightness))
                rows.append({"limit_id": f"{tree['dept_ids'][d]}-HANG-{rank}",
                             "scope_unit_id": tree["dept_ids"][d], "target_title": None,
                             "target_rank": rank, "max": str(cap), "max_share": None})
    if coupling.unit_limits:
        seniors = np.bincount(info["unit"][info["senior"] & info["eligible"]],
                              minlength=len(tree["unit_ids"]))
        for u in np.flatnonzero(seniors >= 2).tolist():
            rows.append({"limit_id": f"{tree['unit_ids'][u]}-COCAU-II",
                         "scope_unit_id": tree["unit_ids"][u], "target_title": None,
                         "target_rank": "II", "max": None,
                         "max_share": f"{coupling.unit_share:.2f}"})
    return pl.DataFrame(rows, schema=columns).sort("limit_id")


def _budget(info: dict[str, Any], quotas: pl.DataFrame, coupling: Coupling) -> str:
    if not coupling.budget:
        return "0"
    win = _expected_winners(info, quotas)
    spend = float(info["salary"][win].sum())
    return f"{np.floor(spend * coupling.budget_share * 100) / 100:.2f}"


# -- writing ----------------------------------------------------------------------------------


def _scenario_toml(name: str, deadline: dt.date, budget: str, size: int, seed: int,
                   coupling: Coupling) -> str:
    parts = [c for c, on in (("department limits", coupling.department_limits),
                             ("unit structure limits", coupling.unit_limits),
                             ("budget", coupling.budget)) if on]
    return (
        f"# Synthetic round written by `allocator generate` (size {size}, seed {seed}"
        f"{', coupled: ' + ', '.join(parts) if parts else ''}).\n"
        "# Every unit, person and number here is fictional.\n"
        f'name = "{name}"\n'
        f"deadline = {deadline.isoformat()}\n"
        f"review_year = {deadline.year}\n"
        "certificate_waived = false\n"
        "require_excellent_achievement = false\n"
        'objective = "priority"\n'
        f"budget = {budget}\n"
    )


def _write(out: Path, files: dict[str, str | pl.DataFrame]) -> None:
    """Write every file as one set (allocator.io.staging: all or nothing, a user's other
    files in ``out`` kept)."""
    def fill(stage: Path) -> None:
        for name, content in files.items():
            path = stage / name
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                content.write_csv(path)

    write_staged(out, fill)
