"""Synthetic provinces and countries in the scenario format, for planning drills and benchmarks.

Deterministic by seed: the same (size, seed, options) gives the same bytes. Everything is
drawn with numpy in whole columns — generating a million candidates takes seconds.

The shape follows what the users see: a province (or, past ``NATIONAL_FROM`` candidates, a
country of provinces) with departments and their public service units; the six built-in
transitions in realistic proportions; Vietnamese names; the 54 ethnic groups in census
shares; most candidates without an award; a share failing each condition; department quotas
that leave most pools contested; some exact ties; and, on request, department limits per
rank, unit rank-structure limits and a salary budget that couple the pools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

NATIONAL_FROM = 300_000

# (current, target, share, salary increase) — the six transitions of the built-in rule set.
TRANSITIONS = (
    ("V.11.06.15", "V.11.06.14", 0.30, "0.33"),
    ("V.11.05.12", "V.11.05.11", 0.10, "0.33"),
    ("V.05.01.04", "V.05.01.03", 0.15, "0.34"),
    ("V.05.01.03", "V.05.01.02", 0.12, "0.67"),
    ("V.05.02.08", "V.05.02.07", 0.20, "0.34"),
    ("V.05.02.07", "V.05.02.06", 0.13, "0.67"),
)
TENURE = {"V.11.06.14": 24, "V.11.05.11": 24, "V.05.01.03": 36, "V.05.01.02": 108,
          "V.05.02.07": 36, "V.05.02.06": 108}
RANK = {"V.11.06.14": "III", "V.11.05.11": "III", "V.05.01.03": "III", "V.05.01.02": "II",
        "V.05.02.07": "III", "V.05.02.06": "II"}

FAMILY = (("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.1),
          ("Huỳnh", 4.0), ("Phan", 4.5), ("Vũ", 3.9), ("Võ", 2.4), ("Đặng", 2.1), ("Bùi", 2.0),
          ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.6),
          ("Lò", 0.3), ("Hà", 0.4), ("Tô", 0.2), ("Lường", 0.1), ("Quàng", 0.1), ("Mai", 0.3))
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Xuân")
MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam",
           "Phong", "Quang", "Sơn", "Thắng", "Tuấn", "Việt", "Đạt", "Hiếu", "Trung", "Vinh")
GIVEN_F = ("Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan",
           "Linh", "Mai", "Ngân", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Uyên", "Yến")
# Census shares (%), the 2019 census rounded; the 30 smallest groups share the remainder.
ETHNIC = (("Kinh", 85.3), ("Tày", 1.92), ("Thái", 1.86), ("Mường", 1.51), ("Khmer", 1.36),
          ("Mông", 1.49), ("Nùng", 1.13), ("Dao", 0.92), ("Hoa", 0.78), ("Gia Rai", 0.54),
          ("Ê Đê", 0.41), ("Ba Na", 0.29), ("Xơ Đăng", 0.22), ("Sán Chay", 0.21),
          ("Cơ Ho", 0.21), ("Sán Dìu", 0.19), ("Chăm", 0.18), ("Hrê", 0.15), ("Ra Glai", 0.15),
          ("Mnông", 0.13), ("Xtiêng", 0.10), ("Thổ", 0.09), ("Khơ Mú", 0.09),
          ("Bru - Vân Kiều", 0.09), ("Cơ Tu", 0.08), ("Giáy", 0.07), ("Giẻ Triêng", 0.07),
          ("Tà Ôi", 0.05), ("Mạ", 0.05), ("Co", 0.04), ("Chơ Ro", 0.03), ("Xinh Mun", 0.03),
          ("Hà Nhì", 0.03), ("Chu Ru", 0.02), ("Lào", 0.02), ("La Chí", 0.02), ("Kháng", 0.01),
          ("Phù Lá", 0.01), ("La Hủ", 0.01), ("La Ha", 0.01), ("Pà Thẻn", 0.01), ("Lự", 0.01),
          ("Ngái", 0.01), ("Chứt", 0.01), ("Lô Lô", 0.01), ("Mảng", 0.01), ("Cơ Lao", 0.01),
          ("Bố Y", 0.01), ("Cống", 0.01), ("Si La", 0.01), ("Pu Péo", 0.01), ("Rơ Măm", 0.01),
          ("Brâu", 0.01), ("Ơ Đu", 0.01))
DEPARTMENTS = ("Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Sở Y tế",
               "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Phát triển nông thôn",
               "Sở Tài nguyên và Môi trường", "Sở Công Thương", "Sở Xây dựng",
               "Sở Giao thông vận tải", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tài chính",
               "Sở Kế hoạch và Đầu tư", "Sở Lao động - Thương binh và Xã hội", "Sở Tư pháp")
UNIT_KINDS = ("Trung tâm", "Viện", "Ban quản lý", "Trạm", "Phòng thí nghiệm")


@dataclass(frozen=True)
class Options:
    """What to generate. ``coupled`` adds department limits per rank and unit rank-structure
    limits; ``budget`` adds a binding salary budget (a share of the quota seats' cost)."""

    size: int
    seed: int = 0
    coupled: bool = False
    budget: bool = False
    deadline: dt.date = dt.date(2024, 10, 29)
    unit_size: int = 40  # candidates per public service unit, on average
    budget_share: float = 0.85


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([t[0] for t in table], dtype=object)
    weights = np.array([t[1] for t in table], dtype=float)
    return names[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _days(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[D]")


def units(opts: Options, rng: np.random.Generator) -> pl.DataFrame:
    """The organisation tree: root → (provinces →) departments → units."""
    n_units = max(2, opts.size // opts.unit_size)
    national = opts.size >= NATIONAL_FROM
    n_prov = max(1, n_units // 400) if national else 1
    n_dept = max(2, min(len(DEPARTMENTS) * n_prov, n_units // 8 + 1))
    rows_id: list[str] = []
    rows_name: list[str] = []
    rows_parent: list[str | None] = []
    root = "VN" if national else "T"
    rows_id.append(root)
    rows_name.append("Cả nước" if national else "Ủy ban nhân dân tỉnh")
    rows_parent.append(None)
    provinces = [root]
    if national:
        provinces = [f"P{p:02d}" for p in range(1, n_prov + 1)]
        for p in provinces:
            rows_id.append(p)
            rows_name.append(f"Ủy ban nhân dân tỉnh {p}")
            rows_parent.append(root)
    depts = [f"{provinces[d % len(provinces)]}-D{d // len(provinces) + 1:02d}"
             if national else f"D{d + 1:02d}" for d in range(n_dept)]
    for d, dept in enumerate(depts):
        rows_id.append(dept)
        rows_name.append(DEPARTMENTS[(d // len(provinces)) % len(DEPARTMENTS)])
        rows_parent.append(provinces[d % len(provinces)])
    dept_of_unit = rng.integers(0, n_dept, size=n_units)
    kinds = rng.integers(0, len(UNIT_KINDS), size=n_units)
    for u in range(n_units):
        rows_id.append(f"U{u + 1:06d}")
        rows_name.append(f"{UNIT_KINDS[kinds[u]]} số {u + 1}")
        rows_parent.append(depts[dept_of_unit[u]])
    return pl.DataFrame({"unit_id": rows_id, "name": rows_name, "parent_id": rows_parent},
                        schema={"unit_id": pl.Utf8, "name": pl.Utf8, "parent_id": pl.Utf8})


def candidates(opts: Options, rng: np.random.Generator, unit_ids: np.ndarray) -> pl.DataFrame:
    n = opts.size
    deadline = np.datetime64(opts.deadline.isoformat())
    shares = np.array([t[2] for t in TRANSITIONS])
    tr = rng.choice(len(TRANSITIONS), size=n, p=shares / shares.sum())
    current = np.array([t[0] for t in TRANSITIONS], dtype=object)[tr]
    target = np.array([t[1] for t in TRANSITIONS], dtype=object)[tr]
    salary = np.array([t[3] for t in TRANSITIONS], dtype=object)[tr]
    senior = np.isin(target, ["V.05.01.02", "V.05.02.06"])
    tenure = np.vectorize(TENURE.get, otypes=[int])(target)

    female = rng.random(n) < 0.5
    family = _pick(rng, FAMILY, n)
    middle = np.where(female, np.array(MIDDLE_F, dtype=object)[rng.integers(0, 8, n)],
                      np.array(MIDDLE_M, dtype=object)[rng.integers(0, 8, n)])
    given = np.where(female, np.array(GIVEN_F, dtype=object)[rng.integers(0, 20, n)],
                     np.array(GIVEN_M, dtype=object)[rng.integers(0, 20, n)])
    ethnicity = _pick(rng, ETHNIC, n)

    age_years = np.where(senior, rng.uniform(38, 58, n), rng.uniform(28, 52, n))
    birth = deadline - (age_years * 365.25).astype("timedelta64[D]")
    service = birth + (rng.uniform(22, 25, n) * 365.25).astype("timedelta64[D]")
    service = np.minimum(service, deadline - np.timedelta64(400, "D"))
    # Months in rank: mostly above the minimum, some just under it (ineligible on tenure).
    held = tenure + rng.gamma(2.0, 14.0, n)
    short = rng.random(n) < 0.04
    held = np.where(short, tenure - rng.uniform(1, 8, n), held)
    rank_since = deadline - (held * 30.44).astype("timedelta64[D]")
    rank_since = np.maximum(rank_since, service)
    # Round the dates to whole days, then make some exact ties: copy keys inside a unit.
    birth, service, rank_since = _days(birth), _days(service), _days(rank_since)
    unit = unit_ids[rng.integers(0, len(unit_ids), n)]
    tie = rng.random(n) < 0.01
    src = np.where(tie, np.maximum(np.arange(n) - 1, 0), np.arange(n))
    birth, service, female = birth[src], service[src], female[src]
    unit, current, target = unit[src], current[src], target[src]
    salary, senior = salary[src], senior[src]

    recruitment = np.where(rng.random(n) < 0.08, "trung_cap",
                           np.where(rng.random(n) < 0.15, "cao_dang", "dai_hoc"))
    degree = np.where(senior & (rng.random(n) < 0.93), "thac_si", "dai_hoc")
    degree = np.where(rng.random(n) < 0.02, "cao_dang", degree)
    achievement = _pick(rng, (("", 70.0), ("D", 15.0), ("C", 10.0), ("B", 4.0), ("A", 1.0)), n)
    achievement = achievement[src]
    ethnicity = ethnicity[src]

    def flag(p_false: float) -> np.ndarray:
        return np.where(rng.random(n) < p_false, "false", "true")

    rating = _pick(rng, (("xuat_sac", 20.0), ("tot", 76.0), ("hoan_thanh", 3.5),
                         ("khong_hoan_thanh", 0.5)), n)
    points = np.where(senior, np.round(rng.uniform(2.6, 8.0, n), 1), 0.0)
    points_st = np.where(senior, np.round(np.minimum(points, rng.uniform(0.8, 3.5, n)), 1), 0.0)
    equivalent = np.where(rng.random(n) < 0.05, rng.integers(1, 30, n), 0)
    probation = np.where(rng.random(n) < 0.05, rng.integers(1, 7, n), 0)
    return pl.DataFrame({
        "candidate_id": [f"C{i:07d}" for i in range(n)],
        "full_name": family + " " + middle + " " + given,
        "birth_date": np.datetime_as_string(birth),
        "sex": np.where(female, "female", "male"),
        "ethnicity": ethnicity,
        "unit_id": unit,
        "current_title": current,
        "target_title": target,
        "rank_since": np.datetime_as_string(rank_since),
        "equivalent_months": equivalent,
        "probation_months": probation,
        "recruitment_level": recruitment,
        "degree": degree,
        "degree_field_ok": flag(0.01),
        "certificate": flag(0.03),
        "rating_prev_year": rating,
        "under_discipline": np.where(rng.random(n) < 0.01, "true", "false"),
        "competence_ok": flag(0.01),
        "language_it_ok": flag(0.01),
        "achievement": achievement,
        "service_start": np.datetime_as_string(service),
        "points": points,
        "points_st": points_st,
        "salary_increase": salary,
    }).with_columns(pl.col(c).cast(pl.Utf8) for c in ("full_name", "ethnicity", "unit_id",
                                                        "current_title", "target_title",
                                                        "achievement", "salary_increase"))


def generate(opts: Options, out: Path) -> Path:
    """Write a scenario folder for ``opts`` into ``out``; returns ``out``."""
    rng = np.random.default_rng(opts.seed)
    tree = units(opts, rng)
    unit_rows = tree.filter(pl.col("unit_id").str.starts_with("U"))
    cands = candidates(opts, rng, unit_rows["unit_id"].to_numpy())
    dept_of = dict(tree.select("unit_id", "parent_id").iter_rows())
    cands = cands.with_columns(
        pl.col("unit_id").replace_strict(dept_of, return_dtype=pl.Utf8).alias("_dept"))
    # Quotas: per department and target title, a fraction of the candidates (most contested).
    demand = cands.group_by("_dept", "target_title").len().sort("_dept", "target_title")
    frac = rng.uniform(0.15, 0.6, demand.height)
    quotas = demand.select(
        pl.col("_dept").alias("agency_id"), "target_title",
        pl.Series("quota", np.maximum(0, np.floor(demand["len"].to_numpy() * frac))
                  .astype(np.int64)),
    )
    out.mkdir(parents=True, exist_ok=True)
    settings = [
        f'name = "Tỉnh mô phỏng — {opts.size} ứng viên, hạt giống {opts.seed}"',
        f"deadline = {opts.deadline.isoformat()}",
        f"review_year = {opts.deadline.year}",
        'objective = "priority"',
    ]
    if opts.coupled:
        _limits(opts, rng, cands, quotas).write_csv(out / "limits.csv")
    if opts.budget:
        cost = {t[1]: float(t[3]) for t in TRANSITIONS}
        seats_cost = quotas.select(
            (pl.col("quota") * pl.col("target_title").replace_strict(cost, return_dtype=pl.Float64))
            .sum()).item()
        settings.append(f"budget = {round(seats_cost * opts.budget_share, 2)}")
    (out / "scenario.toml").write_text("\n".join(settings) + "\n", encoding="utf-8")
    tree.write_csv(out / "units.csv")
    cands.drop("_dept").write_csv(out / "candidates.csv")
    quotas.write_csv(out / "quotas.csv")
    return out


def _limits(opts: Options, rng: np.random.Generator, cands: pl.DataFrame,
            quotas: pl.DataFrame) -> pl.DataFrame:
    """Department limits per rank (below the sum of that rank's quotas, so they bind) and a
    rank-III structure limit on about one unit in five."""
    rank_quota = quotas.with_columns(
        pl.col("target_title").replace_strict(RANK, return_dtype=pl.Utf8).alias("rank")
    ).group_by("agency_id", "rank").agg(pl.col("quota").sum()).sort("agency_id", "rank")
    dept = rank_quota.filter(pl.col("quota") >= 2).with_columns(
        pl.Series("max", np.floor(rank_quota.filter(pl.col("quota") >= 2)["quota"].to_numpy()
                                  * rng.uniform(0.7, 0.9, rank_quota.filter(
                                      pl.col("quota") >= 2).height)).astype(np.int64)))
    dept_limits = dept.select(
        (pl.lit("DL-") + pl.col("agency_id") + "-" + pl.col("rank")).alias("limit_id"),
        pl.col("agency_id").alias("scope_unit_id"),
        pl.lit(None, pl.Utf8).alias("target_title"),
        pl.col("rank").alias("target_rank"),
        pl.col("max"),
    )
    per_unit = cands.filter(pl.col("target_title").replace_strict(RANK, return_dtype=pl.Utf8)
                            == "III").group_by("unit_id").len().sort("unit_id")
    chosen = per_unit.filter(pl.Series(rng.random(per_unit.height) < 0.2)
                             & (pl.col("len") >= 4))
    unit_limits = chosen.select(
        (pl.lit("UL-") + pl.col("unit_id")).alias("limit_id"),
        pl.col("unit_id").alias("scope_unit_id"),
        pl.lit(None, pl.Utf8).alias("target_title"),
        pl.lit("III").alias("target_rank"),
        pl.Series("max", np.maximum(1, (chosen["len"].to_numpy() * 0.15).astype(np.int64))),
    )
    return pl.concat([dept_limits, unit_limits])
