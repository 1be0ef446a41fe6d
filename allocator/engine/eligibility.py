"""Stage 3 — eligibility: every condition of DOMAIN.md §3, vectorised over the candidates.

Each condition is one function returning a polars expression that is true when the
candidate passes; its docstring states the rule and its legal source. Every failed
condition is kept, in the fixed order of :data:`models.ruleset.RULE_IDS`, because the
list answers complaints.
"""

from __future__ import annotations

import calendar
import datetime as dt

import polars as pl

from models.enums import EducationLevel, Rating
from models.ruleset import RULE_IDS, RuleSet
from models.scenario import RoundSettings


def full_months(start: pl.Expr, end: dt.date) -> pl.Expr:
    """Full calendar months from ``start`` to ``end`` (SCENARIO.md, tenure).

    A month is full when the day of the month is reached again: 2022-10-29 → 2024-10-29
    is 24 months, 2022-10-30 → 2024-10-29 is 23. From the 29th–31st, a month that lacks
    that day is full on its last day (Bộ luật Dân sự 2015 Điều 148): 2023-08-31 →
    2024-09-30 is 13 months, 2022-01-31 → 2022-02-28 is 1.
    """
    months = (end.year - start.dt.year().cast(pl.Int64)) * 12 + (
        end.month - start.dt.month().cast(pl.Int64)
    )
    if end.day == calendar.monthrange(end.year, end.month)[1]:
        return months  # the last day of the month completes a month begun on any day
    return months - (start.dt.day().cast(pl.Int64) > end.day).cast(pl.Int64)


def _ladder(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


# ---- one function per condition ---------------------------------------------------------------


def rating(rs: RuleSet) -> pl.Expr:
    """Rated at least 'hoàn thành tốt nhiệm vụ' in the year before the review year.

    Decree 115/2020 Art. 32.1(a); seed 000 §II.2(a). The threshold is ``min_rating``.
    """
    order = _ladder([r.value for r in Rating])
    return pl.col("rating_prev_year").replace_strict(order, return_dtype=pl.Int64) <= order[
        rs.min_rating.value
    ]


def discipline(rs: RuleSet) -> pl.Expr:
    """Not within a disciplinary period nor under discipline-related restrictions.

    Decree 115/2020 Art. 32.1(a); seed 000 §II.2(a). Under the 2026 law, the plan's
    ``discipline_bars`` switch (default on).
    """
    return ~pl.col("under_discipline") if rs.discipline_bars else pl.lit(True)


def competence(rs: RuleSet) -> pl.Expr:
    """Meets the professional competence standard of the target title (unit head certifies).

    Decree 115/2020 Art. 32.1(b); seed 000 §II.2(b). Under the 2026 law, the plan's
    ``competence_required`` switch (default on).
    """
    return pl.col("competence_ok") if rs.competence_required else pl.lit(True)


def degree() -> pl.Expr:
    """Degree of at least the transition's level, in the field the target title requires.

    Decree 115/2020 Art. 32.1(c); the title standard (e.g. Circular 08/2022/TT-BTTTT:
    bachelor's or higher in IT or a close field; master's for principal researcher).
    """
    order = _ladder([e.value for e in EducationLevel])
    level = pl.col("degree").replace_strict(order, return_dtype=pl.Int64)
    field_ok = pl.col("degree_field_ok") | ~pl.col("_degree_field_required")
    return (level >= pl.col("_min_degree_level")) & field_ok


def certificate(waived: bool) -> pl.Expr:
    """Holds the target title's training certificate, unless the requirement is waived.

    Decree 115/2020 Art. 32.1(c): not required while the ministry has not issued the
    training programme (seed 000 §II.2(c)); a rule-set switch, overridable per round.
    """
    if waived:
        return pl.lit(True)
    return pl.col("certificate") | ~pl.col("_certificate_required")


def language_it(rs: RuleSet) -> pl.Expr:
    """Meets, or is exempt from, the job position's foreign-language and IT requirements.

    Decree 115/2020 Art. 32.1(c) and Art. 39 (as amended by Decree 85/2023 Art. 1.19).
    Under the 2026 law, the plan's ``language_it_required`` switch (default off).
    """
    return pl.col("language_it_ok") if rs.language_it_required else pl.lit(True)


def tenure() -> pl.Expr:
    """Months in the lower rank (probation excluded) plus equivalent months reach the minimum.

    Decree 115/2020 Art. 32.1(d); minimum per transition (24, or 36 when recruited at
    trung cấp level, for IT/InfoSec IV→III; 36 and 108 for the S&T titles).
    """
    return pl.col("months_in_rank") + pl.col("equivalent_months") >= pl.col("required_months")


def tenure_12_months() -> pl.Expr:
    """When equivalent time is needed to reach the minimum, 12 full months in the rank itself.

    Decree 115/2020 Art. 32.1(d), last paragraph; seed 000 §II.2(d); 001 Art. 5. The rule
    applies only to candidates who count equivalent time (equivalent_months > 0).
    """
    needs_equivalent = (pl.col("equivalent_months") > 0) & (
        pl.col("months_in_rank") < pl.col("required_months")
    )
    return ~needs_equivalent | (pl.col("months_in_rank") >= 12)


def points() -> pl.Expr:
    """Converted points (điểm quy đổi) earned in the current rank reach the minimum.

    Circular 08/2021/TT-BKHCN: 3 for principal researcher, 2 for principal engineer.
    """
    return pl.col("points") >= pl.col("_min_points")


def points_st() -> pl.Expr:
    """Of those points, enough from qualifying S&T tasks, projects or papers (≥ 1).

    Circular 08/2021/TT-BKHCN; seed 003, procedures 2 and 4.
    """
    return pl.col("points_st") >= pl.col("_min_points_st")


def excellent_achievement(rs: RuleSet, required: bool) -> pl.Expr:
    """Optional: an excellent achievement while in the lower rank (001 Art. 6).

    IV→III: level C or higher; III→II: B or higher; II→I: A (ladder of DOMAIN.md §4).
    Only when the round sets ``require_excellent_achievement``.
    """
    if not required:
        return pl.lit(True)
    ladder_len = len(rs.achievement_levels)
    level = pl.col("achievement").replace_strict(
        {a.code: i for i, a in enumerate(rs.achievement_levels)},
        default=ladder_len, return_dtype=pl.Int64,
    )
    return level <= pl.col("_excellent_level")


def no_position(frame: pl.DataFrame) -> pl.Expr:
    """The unit has an approved row for the candidate's job position (positions.csv).

    Decree 232/2026 Art. 11.5: a unit employs only in its approved job positions. Always
    true in a round of titles.
    """
    if "_position_ok" not in frame.columns:
        return pl.lit(True)
    return pl.col("_position_ok").fill_null(False)


def level_range(frame: pl.DataFrame) -> pl.Expr:
    """The target level is the next one above the current level and within the levels the
    unit uses for the position (Decree 232/2026 Art. 7, 9). Always true in a round of
    titles; a candidate without an approved position fails ``no_position`` only."""
    if "_levels_ok" not in frame.columns:
        return pl.lit(True)
    return pl.col("_levels_ok").fill_null(True)


def no_quota() -> pl.Expr:
    """The candidate has a pool: an agency at or above the unit holds a quota for the title.

    Decree 115/2020 Art. 40.1 (as amended by Decree 85/2023 Art. 1.20): promotion only
    within an approved quota (Đề án).
    """
    return pl.col("agency_id").is_not_null()


# ---- putting it together --------------------------------------------------------------------


def _transition_table(rs: RuleSet) -> pl.DataFrame:
    """One row per (transition, recruitment level) with every per-transition threshold."""
    ladder = {a.code: i for i, a in enumerate(rs.achievement_levels)}
    rows = []
    for tr in rs.transitions:
        target_rank = rs.title(tr.to_title).rank
        excellent = rs.excellent_achievement.get(target_rank)
        for level in EducationLevel:
            rows.append(
                {
                    "current_title": tr.from_title,
                    "target_title": tr.to_title,
                    "recruitment_level": level.value,
                    "required_months": tr.required_months(level),
                    "_min_degree_level": tr.min_degree.level,
                    "_degree_field_required": tr.degree_field_required,
                    "_min_points": float(tr.min_points),
                    "_min_points_st": float(tr.min_points_st),
                    "_certificate_required": tr.certificate_required,
                    "_excellent_level": ladder[excellent] if excellent else -1,
                    "target_rank": target_rank.value,
                }
            )
    return pl.DataFrame(rows)


def conditions(candidates: pl.DataFrame, rs: RuleSet, settings: RoundSettings) -> pl.DataFrame:
    """Add ``months_in_rank``, ``required_months``, ``target_rank`` and one ``ok_<rule>``
    column per rule id except ``no_quota`` (which depends on the quotas, see :func:`finish`)."""
    waived = rs.certificate_waived if settings.certificate_waived is None \
        else settings.certificate_waived
    frame = candidates.join(
        _transition_table(rs), on=["current_title", "target_title", "recruitment_level"],
        how="left", maintain_order="left",
    ).with_columns(
        (full_months(pl.col("rank_since"), settings.deadline) - pl.col("probation_months"))
        .alias("months_in_rank")
    )
    checks: dict[str, pl.Expr] = {
        "rating": rating(rs),
        "discipline": discipline(rs),
        "competence": competence(rs),
        "degree": degree(),
        "certificate": certificate(waived),
        "language_it": language_it(rs),
        "tenure": tenure(),
        "tenure_12_months": tenure_12_months(),
        "points": points(),
        "points_st": points_st(),
        "excellent_achievement": excellent_achievement(rs, settings.require_excellent_achievement),
        "no_position": no_position(frame),
        "level_range": level_range(frame),
    }
    assert (*checks, "no_quota") == RULE_IDS
    frame = frame.with_columns(expr.alias(f"ok_{rule}") for rule, expr in checks.items())
    return frame.drop([c for c in frame.columns if c.startswith("_")])


def finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``ok_no_quota`` (``frame`` carries ``agency_id``), ``reasons`` (failed rule ids
    joined by ';', in the order of RULE_IDS) and ``eligible``."""
    frame = frame.with_columns(no_quota().alias("ok_no_quota"))
    failed = [pl.when(~pl.col(f"ok_{rule}")).then(pl.lit(rule)) for rule in RULE_IDS]
    return frame.with_columns(
        pl.concat_str(failed, separator=";", ignore_nulls=True).alias("reasons")
    ).with_columns(
        pl.col("reasons").replace("", None),
    ).with_columns(pl.col("reasons").is_null().alias("eligible"))
