"""The columns of rounds under the 2026 law (career levels of a job position), SCENARIO.md
"Rounds under the 2026 law": the ``positions`` table, the level columns of ``staff``,
``candidates``, ``quotas`` and ``limits``, and the keys of the round's plan (``[plan]``).

Kept beside :mod:`models.schema` (same :class:`~models.schema.Column` rows: name, kind,
meaning, Vietnamese headers) until the level regime is folded into it. The workbook reader
matches these headers in addition to the schema's, and the template writes them for a round
of this regime.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.schema import POSITIONS as schema_positions
from models.schema import Column, Kind, table

#: The career levels of Decree 232/2026/NĐ-CP Art. 7.1 (1 lowest, 5 highest).
LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)

_UNIT = Column("unit_id", Kind.unit, "a unit", "Mã đơn vị", ("Mã đơn vị", "Đơn vị"))
_POSITION = Column("job_position", Kind.text,
                   "job position: catalogue code or name (Decree 232/2026 Annexes I–III)",
                   "Vị trí việc làm: mã hoặc tên trong danh mục (Phụ lục Nghị định 232/2026)",
                   ("Vị trí việc làm", "Mã vị trí việc làm", "Tên vị trí việc làm"))


#: The positions table: one definition, in the column contract (models/schema.py).
POSITIONS = schema_positions

_LEVEL_CANDIDATES = (
    _POSITION,
    Column("current_level", Kind.whole_number, "current career level (1–5)",
           "Bậc nghề nghiệp hiện giữ (1–5)",
           ("Bậc hiện giữ", "Bậc nghề nghiệp hiện giữ")),
    Column("target_level", Kind.whole_number,
           "optional: target level (default current_level + 1)",
           "Bậc dự xét (để trống: bậc hiện giữ + 1)",
           ("Bậc dự xét", "Bậc nghề nghiệp dự xét", "Bậc đề nghị"), required=False),
    Column("level_since", Kind.date, "date from which time at the current level is counted",
           "Ngày xếp bậc hiện giữ (tính thời gian giữ bậc), dd/mm/yyyy",
           ("Ngày xếp bậc hiện giữ", "Giữ bậc từ ngày", "Ngày giữ bậc hiện tại")),
)
_TARGET_LEVEL = Column("target_level", Kind.whole_number, "target career level (1–5)",
                       "Bậc dự xét (1–5)", ("Bậc dự xét", "Bậc nghề nghiệp dự xét"))

#: table → the columns it has in this regime instead of its title columns.
LEVEL_COLUMNS: dict[str, tuple[Column, ...]] = {
    "candidates": _LEVEL_CANDIDATES,
    "staff": (
        _POSITION,
        Column("level", Kind.whole_number, "a career level (1–5)", "Bậc nghề nghiệp (1–5)",
               ("Bậc", "Bậc nghề nghiệp")),
        Column("holders", Kind.whole_number,
               "employees of the unit at that level of that position now, managers included "
               "(Decree 232/2026 Art. 10.1)",
               "Số viên chức của đơn vị đang giữ bậc đó của vị trí việc làm, kể cả người "
               "quản lý (khoản 1 Điều 10 Nghị định 232/2026)",
               ("Số người giữ bậc", "Số người đang giữ", "Hiện có")),
    ),
    "quotas": (_POSITION, _TARGET_LEVEL),
    "limits": (
        Column("job_position", Kind.text, "optional: only candidates of this job position",
               "Chỉ tính ứng viên của vị trí việc làm này (tuỳ chọn)",
               ("Vị trí việc làm",), required=False),
        Column("target_level", Kind.whole_number, "optional: only candidates for this level",
               "Chỉ tính ứng viên dự xét bậc này (tuỳ chọn)", ("Bậc dự xét", "Bậc"),
               required=False),
    ),
}
#: table → the title-regime columns the level columns stand in for.
REPLACED: dict[str, tuple[str, ...]] = {
    "candidates": ("current_title", "target_title", "rank_since"),
    "staff": ("title", "holders", "positions"),
    "quotas": ("target_title",),
    "limits": ("target_title", "target_rank"),
}


def level_columns(name: str) -> tuple[Column, ...]:
    """The columns of table ``name`` in a level round, in order: the title columns replaced
    by the level columns where the first of them stood (``positions``: its own columns)."""
    if name == POSITIONS.name:
        return POSITIONS.columns
    base = table(name).columns_in()
    extra = LEVEL_COLUMNS.get(name, ())
    replaced = REPLACED.get(name, ())
    out: list[Column] = []
    for column in base:
        if column.name in replaced:
            if column.name == replaced[0]:
                out.extend(extra)
            continue
        out.append(column)
    return tuple(out)


@dataclass(frozen=True)
class PlanKey:
    """One key of the round's plan (``[plan]`` in scenario.toml; ``plan.<key>`` in the
    workbook's scenario sheet)."""

    name: str
    required: bool
    meaning_vi: str
    meaning_en: str
    example: str

    @property
    def setting(self) -> str:
        """The key as a row of the workbook's scenario sheet."""
        return f"plan.{self.name}"


PLAN_KEYS: tuple[PlanKey, ...] = (
    PlanKey("source", True,
            "Bắt buộc: văn bản phê duyệt đề án (số, ngày), được trích dẫn là nguồn của mọi "
            "điều kiện và thứ tự ưu tiên của kỳ xét",
            "required: the approved plan (number, date), cited as the source of every plan "
            "rule", "Đề án số 15/ĐA-SNV ngày 01/10/2026"),
    PlanKey("min_months_at_level", True,
            "Bắt buộc: số tháng giữ bậc tối thiểu; một số, hoặc theo bậc dự xét: 4: 36; 5: 72",
            "required: minimum months at the current level; a number, or per target level "
            "4: 36; 5: 72", "36"),
    PlanKey("min_rating", True,
            "Bắt buộc: xếp loại chất lượng thấp nhất của năm liền trước được xét (xuat_sac, "
            "tot, hoan_thanh)",
            "required: the lowest rating of review_year − 1 that passes", "tot"),
    PlanKey("priority", True,
            "Bắt buộc: thứ tự ưu tiên, cách nhau bởi dấu phẩy (achievement, female, "
            "ethnic_minority, older, longer_service)",
            "required: the priority order, comma-separated",
            "achievement, female, ethnic_minority, older, longer_service"),
    PlanKey("degree_min", False,
            "Tuỳ chọn: trình độ tối thiểu theo bậc dự xét, ví dụ 5: thac_si (mặc định: không "
            "yêu cầu)", "optional: minimum degree per target level (default: none)",
            "5: thac_si"),
    PlanKey("certificate_required", False,
            "Tuỳ chọn: có yêu cầu chứng chỉ bồi dưỡng (mặc định: không)",
            "optional: a training certificate is required (default false)", "Không"),
    PlanKey("competence_required", False,
            "Tuỳ chọn: thủ trưởng đơn vị phải xác nhận năng lực (mặc định: có)",
            "optional: competence_ok must be true (default true)", "Có"),
    PlanKey("discipline_bars", False,
            "Tuỳ chọn: đang bị kỷ luật thì không đủ điều kiện (mặc định: có)",
            "optional: under_discipline fails (default true)", "Có"),
    PlanKey("language_it_required", False,
            "Tuỳ chọn: yêu cầu ngoại ngữ, tin học (mặc định: không)",
            "optional: language/IT requirement applies (default false)", "Không"),
)
#: Vietnamese keys of the ``transitional_basis`` setting on the scenario sheet.
TRANSITIONAL_BASIS_VI = ("Căn cứ chuyển tiếp", "Văn bản cho phép áp dụng quy định cũ")
