"""The file schema: every table of a scenario (SCENARIO.md), column by column.

This is the one column contract. The folder reader and the validation
(:mod:`allocator.io`), the workbook reader, the template, the what-if variants, the
synthetic generator and the run history all read it; none keeps a list of its own.

A :class:`Table` is one file of a scenario folder (``units.csv`` …) and one sheet of a
scenario workbook; ``scenario`` is the key/value table of ``scenario.toml``. Two tables
exist only as workbook sheets (``awards``, ``award_levels``). A :class:`Column` gives the
contract's name, its :class:`Kind` (how a cell is read), whether the file must have the
column and whether a cell may be empty (and what an empty cell means), the Vietnamese
headers a workbook may use (the first is the one the template writes) and its meaning.

Regimes: a column (or a table) belongs to the rounds of one or more :class:`Regime`. Today
every round is a title round; the rounds of the 2026 law (career levels of a job position)
will add a regime, the ``positions`` table and the level columns of ``candidates`` and
``quotas`` as rows of data here — :meth:`Table.columns_in` gives the columns of one regime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from models.vocabulary import VOCABULARIES

Default = bool | int | float | None


class Regime(StrEnum):
    """The legal regime of a round, which decides the columns of some tables."""

    titles = "titles"  # promotion to a higher-ranked professional title (Decree 115/2020)
    levels = "levels"  # a higher career level of the job position held (Decree 232/2026)


ALL_REGIMES = frozenset(Regime)
TITLES_ONLY = frozenset({Regime.titles})
LEVELS_ONLY = frozenset({Regime.levels})


class Kind(StrEnum):
    """How a cell is read."""

    text = "text"  # free text
    id = "id"  # the row's own identifier
    unit = "unit"  # a unit_id of units.csv (a workbook may name the unit instead)
    candidate = "candidate"  # a candidate_id of candidates.csv
    title_code = "title_code"  # a title of the rule set (a workbook may name it instead)
    date = "date"  # a date: YYYY-MM-DD in files; an Excel date or dd/mm/yyyy in a workbook
    birth_date = "birth_date"  # a date, or only YYYY-MM / YYYY when that is all that is known
    year = "year"  # a calendar year
    bool = "bool"  # yes/no (vocabulary ``yes_no``)
    whole_number = "whole_number"  # a whole number ≥ 0
    number = "number"  # a number ≥ 0 (exact decimal where it is money: budget, salary)
    share = "share"  # a fraction 0–1, kept as exact decimal text
    term = "term"  # a code of one vocabulary (models.vocabulary)
    ethnic_group = "ethnic_group"  # one of Vietnam's 54 ethnic groups, any accepted spelling
    achievement = "achievement"  # a level of the rule set's achievement ladder
    award = "award"  # an award as written ("Bằng khen của Chủ tịch UBND tỉnh")


# Plausibility: values no real round can hold are refused as bad input (exit 2, the place
# named), never decided on. A birth year 0001 or an Excel serial 0 (31/12/1899) would win on
# "older"; a quota of 1e400 or a salary increase of 10^20 overflows.
EARLIEST_DATE = dt.date(1940, 1, 1)  # no rank, service or award date is earlier
LATEST_DATE = dt.date(2200, 12, 31)
EARLIEST_BIRTH_YEAR = 1900
WORKING_AGE = (16, 80)  # the age at the deadline that a candidate's birth date must give
#: The largest value of a whole-number or number column, unless MOST_OF_COLUMN says less.
MOST_OF_KIND: dict[Kind, int] = {Kind.whole_number: 1_000_000, Kind.number: 1_000_000_000}
MOST_OF_COLUMN: dict[str, int] = {
    "equivalent_months": 1_200, "probation_months": 1_200,  # a working life is < 100 years
    "points": 1_000_000, "points_st": 1_000_000,
    "salary_increase": 100,  # a salary-coefficient increase (grades span about 1–10)
    "budget": 1_000_000_000,  # a cap on the sum of salary increases
}


def most_of(name: str, kind: Kind) -> int | None:
    """The largest plausible value of a column (None: the kind has no numeric bound)."""
    return MOST_OF_COLUMN.get(name, MOST_OF_KIND.get(kind))


@dataclass(frozen=True)
class Column:
    """One column of a table (or one key of the settings).

    ``required``: the file must have the column. A cell may be empty when the column is
    optional, has a ``default`` (what an empty cell means) or is marked ``empty_ok``; an
    empty cell without a default is read as null.
    """

    name: str
    kind: Kind
    meaning_en: str
    meaning_vi: str
    headers_vi: tuple[str, ...] = ()
    required: bool = True
    empty_ok: bool = False
    default: Default = None
    vocabulary: str | None = None
    exempt: bool = False  # a workbook may write "Miễn …" (exempt), read as yes
    regimes: frozenset[Regime] = ALL_REGIMES

    def __post_init__(self) -> None:
        if (self.kind is Kind.term) != (self.vocabulary is not None):
            raise ValueError(f"{self.name}: a term column names its vocabulary, no other does")
        if self.vocabulary is not None and self.vocabulary not in VOCABULARIES:
            raise ValueError(f"{self.name}: unknown vocabulary {self.vocabulary!r}")
        if self.exempt and self.kind is not Kind.bool:
            raise ValueError(f"{self.name}: only a yes/no column may accept 'exempt'")

    @property
    def blank_ok(self) -> bool:
        """Whether an empty cell is accepted."""
        return not self.required or self.empty_ok or self.default is not None

    @property
    def meaning(self) -> str:
        """Vietnamese, then English: what a user sees in the template's notes."""
        return f"{self.meaning_vi} / {self.meaning_en}"


@dataclass(frozen=True)
class Table:
    """One table: a file of a scenario folder and a sheet of a scenario workbook."""

    name: str
    columns: tuple[Column, ...]
    meaning_en: str
    purpose_vi: str
    sheet_names_vi: tuple[str, ...]
    required: bool = False  # the file (sheet) must exist
    in_folder: bool = True  # a file of a scenario folder; False: a workbook sheet only
    key_value: bool = False  # one row per key (scenario.toml and the ``scenario`` sheet)
    row_key: str | None = None  # in a sheet, a filled cell here marks a row of data
    one_of: tuple[tuple[str, ...], ...] = ()  # the file has at least one column of each group
    sheet_columns: tuple[Column, ...] = ()  # columns a sheet may carry besides the contract's
    regimes: frozenset[Regime] = ALL_REGIMES

    @property
    def file(self) -> str:
        """The file's name in a scenario folder."""
        return "scenario.toml" if self.key_value else f"{self.name}.csv"

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """The sheet names a workbook may use: the file stem, then Vietnamese names."""
        return (self.name, *self.sheet_names_vi)

    def columns_in(self, regime: Regime = Regime.titles) -> tuple[Column, ...]:
        """The columns of this table in rounds of ``regime``, in the contract's order."""
        return tuple(c for c in self.columns if regime in c.regimes)

    def names(self, regime: Regime = Regime.titles) -> tuple[str, ...]:
        """The column names of this table in rounds of ``regime``."""
        return tuple(c.name for c in self.columns_in(regime))

    def required_names(self, regime: Regime = Regime.titles) -> tuple[str, ...]:
        """The columns the file must have."""
        return tuple(c.name for c in self.columns_in(regime) if c.required)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in (*self.columns, *self.sheet_columns)}

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError when the table has none)."""
        return self._by_name[name]

    def has(self, name: str) -> bool:
        return name in self._by_name


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------

SETTINGS = Table(
    "scenario",
    key_value=True,
    required=True,
    meaning_en="the round's settings",
    purpose_vi="Thông tin kỳ xét: tên, hạn nộp hồ sơ, năm xét, các lựa chọn (cột key/value)",
    sheet_names_vi=("Kỳ xét", "Thông tin kỳ xét", "Thiết lập", "Cài đặt", "Thông tin chung"),
    columns=(
        Column("name", Kind.text, "round name", "Tên kỳ xét", ("Tên kỳ xét", "Tên")),
        Column("deadline", Kind.date, "dossier deadline: every tenure is counted up to it",
               "Ngày hết hạn nộp hồ sơ (dd/mm/yyyy): thời gian giữ hạng tính đến ngày này",
               ("Hạn nộp hồ sơ", "Ngày hết hạn nộp hồ sơ", "Hạn nộp")),
        Column("review_year", Kind.year, "the rating of review_year - 1 is the one checked",
               "Năm xét; xếp loại của năm liền trước được dùng",
               ("Năm xét", "Năm xét thăng hạng")),
        Column("certificate_waived", Kind.bool,
               "true when the ministry has no training programme yet",
               "Có = chưa có chương trình bồi dưỡng, không yêu cầu chứng chỉ",
               ("Miễn chứng chỉ bồi dưỡng", "Không yêu cầu chứng chỉ bồi dưỡng"),
               required=False),
        Column("require_excellent_achievement", Kind.bool,
               "apply the excellent-achievement condition (001 Art. 6)",
               "Có = áp dụng điều kiện thành tích xuất sắc (Điều 6 thông tư của Bộ TT&TT)",
               ("Yêu cầu thành tích xuất sắc",), required=False),
        Column("objective", Kind.term,
               "priority: the legal order decides every seat; fill: fill the most seats, "
               "then priority",
               "priority = thứ tự ưu tiên quyết định mọi chỉ tiêu; fill = lấp đầy tối đa "
               "rồi mới xét ưu tiên", ("Mục tiêu phân bổ", "Mục tiêu"), required=False,
               vocabulary="objective"),
        Column("budget", Kind.number, "cap on the sum of salary_increase; 0 = none",
               "Tổng mức tăng hệ số lương tối đa (0 = không giới hạn)",
               ("Ngân sách tăng hệ số lương", "Ngân sách"), required=False),
        Column("rule_set", Kind.text, "id of a built-in rule set (default: in force at the "
               "deadline)",
               "Mã bộ quy tắc (để trống: bộ quy tắc có hiệu lực tại hạn nộp hồ sơ)",
               ("Bộ quy tắc",), required=False),
        Column("rule_set_file", Kind.text, "a user's rule-set TOML file, relative to the "
               "scenario", "Tệp bộ quy tắc riêng (TOML), đường dẫn tính từ thư mục chứa tệp "
               "này", ("Tệp bộ quy tắc",), required=False),
        Column("transitional_basis", Kind.text, "the document that lets a round from "
               "2026-07-01 finish under the old rules (needed to name an expired rule set)",
               "Văn bản cho phép kỳ xét hoàn thành theo quy định cũ (bắt buộc khi dùng bộ quy "
               "tắc đã hết hiệu lực)", ("Căn cứ chuyển tiếp",), required=False),
    ),
)
#: Headers of the two columns of the ``scenario`` sheet (besides ``key`` and ``value``).
SETTINGS_KEY_HEADERS_VI = ("Thiết lập", "Khoá", "Khóa", "Mục")
SETTINGS_VALUE_HEADERS_VI = ("Giá trị",)

UNITS = Table(
    "units",
    required=True,
    row_key="unit_id",
    meaning_en="the organisation tree: one root, no cycles, every parent present",
    purpose_vi="Cây tổ chức: mỗi đơn vị một dòng, kèm mã cơ quan quản lý trực tiếp",
    sheet_names_vi=("Đơn vị", "Cơ quan, đơn vị", "Danh sách đơn vị", "Cây đơn vị"),
    columns=(
        Column("unit_id", Kind.id, "unique unit id", "Mã duy nhất của đơn vị",
               ("Mã đơn vị", "Mã cơ quan, đơn vị", "Mã cơ quan")),
        Column("name", Kind.text, "display name", "Tên đơn vị",
               ("Tên đơn vị", "Tên cơ quan, tổ chức, đơn vị", "Tên cơ quan, đơn vị",
                "Tên cơ quan")),
        Column("parent_id", Kind.unit, "managing agency's unit_id, empty for the root",
               "Mã cơ quan quản lý trực tiếp (để trống ở gốc: UBND tỉnh)",
               ("Mã cơ quan quản lý", "Mã đơn vị cấp trên", "Cơ quan quản lý",
                "Đơn vị cấp trên", "Cấp trên"), empty_ok=True),
    ),
)

CANDIDATES = Table(
    "candidates",
    required=True,
    row_key="candidate_id",
    meaning_en="one row per candidate",
    purpose_vi="Danh sách viên chức dự xét (theo Mẫu số 06 và các thông tin để xét điều "
               "kiện, thứ tự ưu tiên)",
    sheet_names_vi=("Ứng viên", "Danh sách ứng viên", "Viên chức dự xét",
                    "Danh sách viên chức", "Mẫu 06", "Mẫu số 06"),
    columns=(
        Column("candidate_id", Kind.id, "unique candidate id", "Mã ứng viên, không trùng",
               ("Mã ứng viên", "Mã viên chức", "Mã số viên chức", "Mã hồ sơ", "Số báo danh",
                "Mã")),
        Column("full_name", Kind.text, "full name", "Họ và tên", ("Họ và tên", "Họ tên")),
        Column("birth_date", Kind.birth_date,
               "a full date; a bare year (or year and month) is accepted as incomplete and "
               "escalated when it decides",
               "dd/mm/yyyy; chỉ ghi năm (yyyy) nếu hồ sơ chỉ có năm sinh — khi đó nếu cần so "
               "ngày sinh thì báo cáo cơ quan quản lý",
               ("Ngày tháng năm sinh", "Ngày sinh", "Năm sinh", "Ngày, tháng, năm sinh")),
        Column("sex", Kind.term, "female or male", "Nam / Nữ", ("Giới tính",),
               vocabulary="sex"),
        Column("ethnicity", Kind.ethnic_group, "one of the 54 ethnic groups (Kinh is the "
               "majority)", "Một trong 54 dân tộc (có hoặc không dấu)", ("Dân tộc",)),
        Column("unit_id", Kind.unit, "employing unit", "Mã đơn vị đang làm việc (trang tính "
               "units)", ("Mã đơn vị công tác", "Mã đơn vị", "Cơ quan đơn vị đang làm việc",
                          "Cơ quan, đơn vị đang làm việc", "Đơn vị công tác", "Đơn vị")),
        Column("current_title", Kind.title_code, "current title code",
               "Mã số chức danh nghề nghiệp hiện giữ, ví dụ V.11.05.12",
               ("Mã số chức danh nghề nghiệp hiện giữ", "Mã số CDNN hiện giữ",
                "Chức danh nghề nghiệp hiện giữ", "Chức danh hiện giữ",
                "Mã chức danh hiện giữ"), regimes=TITLES_ONLY),
        Column("target_title", Kind.title_code, "target title code; (current, target) must be a "
               "transition of the rule set", "Mã số chức danh dự xét, ví dụ V.11.05.11",
               ("Mã số chức danh nghề nghiệp dự xét", "Mã số CDNN dự xét",
                "Chức danh nghề nghiệp dự xét", "Chức danh dự xét",
                "Chức danh đăng ký dự xét", "Mã chức danh dự xét"), regimes=TITLES_ONLY),
        Column("rank_since", Kind.date, "appointed to the current title's rank",
               "Ngày bổ nhiệm vào hạng hiện giữ, dd/mm/yyyy",
               ("Ngày bổ nhiệm hạng hiện giữ", "Ngày bổ nhiệm chức danh hiện giữ",
                "Giữ hạng từ ngày", "Ngày giữ hạng hiện tại"), regimes=TITLES_ONLY),
        Column("job_position", Kind.text, "job position held: catalogue code or name",
               "Vị trí việc làm đang giữ (mã hoặc tên trong danh mục)",
               ("Vị trí việc làm",), regimes=LEVELS_ONLY),
        Column("current_level", Kind.whole_number, "career level held now (1–5)",
               "Bậc nghề nghiệp hiện giữ (1–5)", ("Bậc hiện giữ",), regimes=LEVELS_ONLY),
        Column("target_level", Kind.whole_number, "target level (default current_level + 1)",
               "Bậc dự xét (để trống: bậc hiện giữ + 1)", ("Bậc dự xét",), required=False,
               regimes=LEVELS_ONLY),
        Column("level_since", Kind.date, "date from which time at the current level counts",
               "Ngày xếp bậc hiện giữ, dd/mm/yyyy", ("Ngày xếp bậc hiện giữ",),
               regimes=LEVELS_ONLY),
        Column("equivalent_months", Kind.whole_number, "equivalent service months counted",
               "Số tháng tương đương được tính (điểm d khoản 1 Điều 32 NĐ 115)",
               ("Thời gian tương đương (tháng)", "Số tháng tương đương",
                "Thời gian tương đương"), required=False, default=0),
        Column("probation_months", Kind.whole_number, "probation months inside the rank, not "
               "counted", "Số tháng tập sự, thử việc trong thời gian giữ hạng (không được "
               "tính)", ("Thời gian tập sự, thử việc (tháng)", "Số tháng tập sự",
                         "Thời gian tập sự (tháng)", "Thời gian tập sự"),
               required=False, default=0),
        Column("recruitment_level", Kind.term, "education level when recruited",
               "Trình độ khi tuyển dụng",
               ("Trình độ đào tạo khi tuyển dụng", "Trình độ khi tuyển dụng"),
               vocabulary="education"),
        Column("degree", Kind.term, "highest degree now", "Trình độ cao nhất hiện nay",
               ("Trình độ chuyên môn", "Trình độ đào tạo", "Văn bằng cao nhất",
                "Trình độ đào tạo cao nhất"), vocabulary="education"),
        Column("degree_field_ok", Kind.bool, "the degree is in the field the target title "
               "requires", "Văn bằng đúng chuyên ngành chức danh dự xét yêu cầu",
               ("Văn bằng đúng chuyên ngành", "Chuyên ngành phù hợp", "Đúng chuyên ngành"),
               default=False),
        Column("certificate", Kind.bool, "holds the target title's training certificate",
               "Có chứng chỉ bồi dưỡng theo tiêu chuẩn chức danh dự xét",
               ("Chứng chỉ bồi dưỡng chức danh dự xét", "Chứng chỉ bồi dưỡng",
                "Có chứng chỉ bồi dưỡng"), default=False),
        Column("rating_prev_year", Kind.term, "rating of the year before the review",
               "Xếp loại chất lượng năm liền trước năm xét",
               ("Xếp loại chất lượng năm trước", "Xếp loại năm trước",
                "Xếp loại chất lượng năm liền kề", "Xếp loại chất lượng", "Xếp loại"),
               vocabulary="rating"),
        Column("under_discipline", Kind.bool, "within a disciplinary period",
               "Đang trong thời hạn xử lý kỷ luật",
               ("Đang trong thời hạn xử lý kỷ luật", "Đang bị kỷ luật", "Kỷ luật"),
               default=False),
        Column("competence_ok", Kind.bool, "the unit head certifies the competence standard",
               "Thủ trưởng đơn vị xác nhận đáp ứng năng lực chuyên môn",
               ("Đáp ứng năng lực chuyên môn", "Đạt năng lực chuyên môn",
                "Năng lực chuyên môn"), default=False),
        Column("language_it_ok", Kind.bool, "meets or is exempt from the language and IT "
               "requirements", "Đáp ứng hoặc được miễn yêu cầu ngoại ngữ, tin học",
               ("Đáp ứng ngoại ngữ, tin học", "Đạt ngoại ngữ, tin học", "Ngoại ngữ, tin học"),
               default=False, exempt=True),
        Column("achievement", Kind.achievement, "highest recognised achievement level (A, B, "
               "C, D) or an award's name; empty = none",
               "Mức thành tích cao nhất (A, B, C, D) hoặc tên hình thức khen thưởng, ví dụ "
               "'Bằng khen của Chủ tịch UBND tỉnh'",
               ("Thành tích khen thưởng cao nhất", "Thành tích khen thưởng", "Thành tích",
                "Khen thưởng", "Mức thành tích"), required=False),
        Column("achievement_count", Kind.whole_number, "number of awards at the highest level "
               "(ladders that compare level, then count)",
               "Số khen thưởng ở mức cao nhất (khi bộ quy tắc so số lượng)",
               ("Số khen thưởng ở mức cao nhất", "Số khen thưởng cùng mức",
                "Số lượng khen thưởng"), required=False, default=0),
        Column("service_start", Kind.date, "start of working time; earlier = longer service",
               "Ngày bắt đầu công tác, dd/mm/yyyy",
               ("Ngày bắt đầu công tác", "Thời gian bắt đầu công tác", "Ngày vào ngành",
                "Ngày tuyển dụng")),
        Column("points", Kind.number, "converted points earned in the current rank",
               "Điểm quy đổi kết quả hoạt động chuyên môn trong thời gian giữ hạng",
               ("Điểm quy đổi",), required=False, default=0.0),
        Column("points_st", Kind.number, "of those, points from qualifying S&T tasks, "
               "projects, papers", "Trong đó: điểm từ nhiệm vụ KH&CN, dự án, bài báo",
               ("Điểm quy đổi từ nhiệm vụ KH&CN", "Điểm quy đổi từ nhiệm vụ khoa học",
                "Điểm nhiệm vụ KH&CN"), required=False, default=0.0),
        Column("salary_increase", Kind.number, "salary-coefficient increase if promoted (for "
               "the budget; exact decimal)",
               "Mức tăng hệ số lương nếu được thăng hạng (cho ngân sách)",
               ("Hệ số lương tăng thêm", "Chênh lệch hệ số lương", "Mức tăng hệ số lương"),
               required=False, default=0.0),
    ),
    sheet_columns=(
        Column("__male", Kind.text, "Mẫu 06: the birth date (or a mark) of a man",
               "Mẫu 06: ngày sinh (hoặc dấu x) của viên chức nam", ("Nam",), required=False),
        Column("__female", Kind.text, "Mẫu 06: the birth date (or a mark) of a woman",
               "Mẫu 06: ngày sinh (hoặc dấu x) của viên chức nữ", ("Nữ",), required=False),
        Column("__tt", Kind.text, "the row number; the candidate id when there is no id "
               "column", "Số thứ tự (dùng làm mã ứng viên khi không có cột mã)",
               ("TT", "STT", "Số TT"), required=False),
    ),
)

QUOTAS = Table(
    "quotas",
    required=True,
    row_key="agency_id",
    meaning_en="approved quotas; a candidate's pool is (agency, target_title) for the "
               "nearest agency at or above the unit with a quota for that title",
    purpose_vi="Chỉ tiêu thăng hạng được duyệt theo cơ quan tổ chức xét và chức danh",
    sheet_names_vi=("Chỉ tiêu", "Chỉ tiêu thăng hạng"),
    columns=(
        Column("agency_id", Kind.unit, "the organising agency that holds the quota",
               "Mã cơ quan tổ chức xét, giữ chỉ tiêu",
               ("Mã cơ quan tổ chức xét", "Cơ quan tổ chức xét", "Mã cơ quan", "Cơ quan")),
        Column("target_title", Kind.title_code, "title of the quota",
               "Mã số chức danh được giao chỉ tiêu",
               ("Mã số chức danh nghề nghiệp dự xét", "Chức danh dự xét", "Mã chức danh",
                "Chức danh"), regimes=TITLES_ONLY),
        Column("job_position", Kind.text, "job position of the quota (code or name)",
               "Vị trí việc làm được giao chỉ tiêu", ("Vị trí việc làm",),
               regimes=LEVELS_ONLY),
        Column("target_level", Kind.whole_number, "target level of the quota",
               "Bậc dự xét", ("Bậc dự xét",), regimes=LEVELS_ONLY),
        Column("quota", Kind.whole_number, "approved quota",
               "Số chỉ tiêu được duyệt (số nguyên ≥ 0)",
               ("Chỉ tiêu", "Số chỉ tiêu", "Chỉ tiêu thăng hạng")),
    ),
)

LIMITS = Table(
    "limits",
    row_key="limit_id",
    one_of=(("max", "max_share"),),
    meaning_en="shared limits that couple pools",
    purpose_vi="Tuỳ chọn: giới hạn chung ràng buộc nhiều chỉ tiêu (cơ cấu hạng, tổng số)",
    sheet_names_vi=("Giới hạn", "Giới hạn chung"),
    columns=(
        Column("limit_id", Kind.id, "unique limit id", "Mã giới hạn", ("Mã giới hạn", "Giới hạn")),
        Column("scope_unit_id", Kind.unit, "covers the candidates of this unit and below it",
               "Giới hạn áp dụng cho ứng viên thuộc đơn vị này và cấp dưới",
               ("Mã đơn vị phạm vi", "Phạm vi", "Đơn vị phạm vi")),
        Column("target_title", Kind.title_code, "optional: only candidates for this title",
               "Chỉ tính ứng viên dự xét chức danh này (tuỳ chọn)",
               ("Mã số chức danh", "Chức danh", "Mã chức danh"), required=False,
               regimes=TITLES_ONLY),
        Column("job_position", Kind.text, "optional: only candidates for this job position",
               "Chỉ tính ứng viên của vị trí việc làm này (tuỳ chọn)", ("Vị trí việc làm",),
               required=False, regimes=LEVELS_ONLY),
        Column("target_level", Kind.whole_number, "optional: only candidates for this level",
               "Chỉ tính ứng viên dự xét bậc này (tuỳ chọn)", ("Bậc dự xét",),
               required=False, regimes=LEVELS_ONLY),
        Column("target_rank", Kind.term, "optional: only candidates for titles of this rank",
               "Chỉ tính ứng viên dự xét hạng này: I..V (tuỳ chọn)", ("Hạng",),
               required=False, vocabulary="rank", regimes=TITLES_ONLY),
        Column("max", Kind.whole_number, "at most this many winners among the covered candidates",
               "Tối đa bao nhiêu người trúng tuyển", ("Số tối đa", "Tối đa"), required=False),
        Column("max_share", Kind.share, "instead of max: after promotion, holders at most "
               "this share of the approved headcount (needs staff.csv)",
               "Thay cho cột tối đa: tỷ lệ 0–1 trên số lượng người làm việc được duyệt",
               ("Tỷ lệ tối đa", "Tỉ lệ tối đa"), required=False),
    ),
)

STAFF = Table(
    "staff",
    row_key="unit_id",
    meaning_en="current holders and approved headcount per unit and title (Mẫu 05)",
    purpose_vi="Tuỳ chọn: số viên chức hiện có theo đơn vị và chức danh (báo cáo Mẫu số 05, "
               "giới hạn theo tỷ lệ)",
    sheet_names_vi=("Cơ cấu hiện có", "Cơ cấu", "Số lượng hiện có", "Biên chế"),
    columns=(
        Column("unit_id", Kind.unit, "a unit", "Mã đơn vị", ("Mã đơn vị", "Đơn vị")),
        Column("title", Kind.title_code, "a title code", "Mã số chức danh",
               ("Mã số chức danh", "Chức danh", "Mã chức danh"), regimes=TITLES_ONLY),
        Column("job_position", Kind.text, "a job position (code or name)", "Vị trí việc làm",
               ("Vị trí việc làm",), regimes=LEVELS_ONLY),
        Column("level", Kind.whole_number, "a career level (1–5)", "Bậc nghề nghiệp",
               ("Bậc", "Bậc nghề nghiệp"), regimes=LEVELS_ONLY),
        Column("holders", Kind.whole_number, "employees of the unit holding that title now",
               "Số viên chức đang giữ chức danh",
               ("Số người đang giữ", "Số lượng hiện có", "Hiện có", "Số người giữ")),
        Column("positions", Kind.whole_number, "optional: approved headcount for that title",
               "Số lượng người làm việc được duyệt cho chức danh (tuỳ chọn)",
               ("Số lượng người làm việc được duyệt", "Biên chế được duyệt",
                "Số vị trí được duyệt", "Biên chế"), required=False, regimes=TITLES_ONLY),
    ),
)

def _ratio(level: int) -> Column:
    return Column(f"ratio_{level}", Kind.share,
                  f"optional: approved share (0–1) of the headcount at level {level}",
                  f"Tỷ lệ (0–1) viên chức ở bậc {level} trên biên chế được giao (tuỳ chọn)",
                  (f"Tỷ lệ bậc {level}", f"Tỉ lệ bậc {level}"), required=False,
                  regimes=LEVELS_ONLY)


POSITIONS = Table(
    "positions",
    row_key="unit_id",
    regimes=LEVELS_ONLY,
    meaning_en="the unit's approved job positions (Decree 232/2026 Art. 11.5): one row per "
               "(unit, position), its headcount, the levels used and their ratios; required in "
               "rounds under the 2026 law",
    purpose_vi="Vị trí việc làm được phê duyệt của đơn vị (khoản 5 Điều 11 Nghị định "
               "232/2026): biên chế, các bậc áp dụng và tỷ lệ từng bậc",
    sheet_names_vi=("Vị trí việc làm", "Danh mục vị trí việc làm", "Vị trí"),
    columns=(
        Column("unit_id", Kind.unit, "a unit", "Mã đơn vị", ("Mã đơn vị", "Đơn vị"),
               regimes=LEVELS_ONLY),
        Column("job_position", Kind.text,
               "job position: catalogue code or name (Decree 232/2026 Annexes I–III)",
               "Vị trí việc làm: mã hoặc tên trong danh mục (Phụ lục Nghị định 232/2026)",
               ("Vị trí việc làm", "Mã vị trí việc làm", "Tên vị trí việc làm"),
               regimes=LEVELS_ONLY),
        Column("headcount", Kind.whole_number,
               "approved headcount (biên chế được giao) of that position in the unit",
               "Biên chế được giao cho vị trí việc làm tại đơn vị (số nguyên ≥ 0)",
               ("Biên chế được giao", "Số lượng người làm việc được giao", "Biên chế"),
               regimes=LEVELS_ONLY),
        Column("lowest_level", Kind.whole_number,
               "the lowest level the unit uses for it (within the catalogue's range)",
               "Bậc thấp nhất đơn vị áp dụng (trong phạm vi của danh mục)",
               ("Bậc thấp nhất", "Bậc thấp nhất áp dụng"), regimes=LEVELS_ONLY),
        Column("highest_level", Kind.whole_number,
               "the highest level the unit uses for it (within the catalogue's range)",
               "Bậc cao nhất đơn vị áp dụng (trong phạm vi của danh mục)",
               ("Bậc cao nhất", "Bậc cao nhất áp dụng"), regimes=LEVELS_ONLY),
        *(_ratio(level) for level in range(1, 6)),
        Column("self_determined_ratios", Kind.bool,
               "optional: the unit may set its own ratios (Decree 232/2026 Art. 10.3)",
               "Có = đơn vị được tự xác định tỷ lệ (khoản 3 Điều 10 Nghị định 232/2026)",
               ("Tự xác định tỷ lệ", "Tự xác định tỉ lệ"), required=False, default=False,
               regimes=LEVELS_ONLY),
    ),
)

AUTHORITY_DECISIONS = Table(
    "authority_decisions",
    row_key="candidate_id",
    meaning_en="the managing agency's rulings on escalated ties",
    purpose_vi="Tuỳ chọn: quyết định của cơ quan quản lý về các trường hợp bằng nhau đã báo "
               "cáo",
    sheet_names_vi=("Quyết định cấp trên", "Quyết định của cơ quan quản lý", "Quyết định"),
    columns=(
        Column("candidate_id", Kind.candidate, "an escalated candidate",
               "Mã ứng viên trong nhóm chờ quyết định", ("Mã ứng viên", "Mã viên chức")),
        Column("decision", Kind.term, "select or reject", "Chọn / Không chọn",
               ("Quyết định", "Ý kiến quyết định"), vocabulary="decision"),
        # Optional columns beyond the contract's two (SCENARIO.md allows extra columns): they
        # bind the ruling to the person and to the document that made it.
        Column("full_name", Kind.text, "optional: the candidate's name, checked against the "
               "candidate of that id (required when the ids are row numbers)",
               "Họ và tên của ứng viên được quyết định (đối chiếu với mã)",
               ("Họ và tên", "Họ tên"), required=False),
        Column("birth_date", Kind.birth_date, "optional: the candidate's birth date, checked",
               "Ngày sinh của ứng viên (đối chiếu với mã)",
               ("Ngày tháng năm sinh", "Ngày sinh"), required=False),
        Column("document_no", Kind.text, "optional: number of the ruling's document",
               "Số văn bản quyết định", ("Số văn bản", "Số quyết định", "Số công văn"),
               required=False),
        Column("document_date", Kind.date, "optional: date of the ruling's document",
               "Ngày ban hành văn bản quyết định",
               ("Ngày văn bản", "Ngày quyết định", "Ngày ban hành"), required=False),
    ),
)

AWARDS = Table(
    "awards",
    in_folder=False,
    row_key="candidate_id",
    meaning_en="one row per award a candidate holds (the highest level and its count are "
               "derived)",
    purpose_vi="Tuỳ chọn: mỗi khen thưởng của ứng viên một dòng (mức cao nhất và số lượng ở "
               "mức đó được tính tự động)",
    sheet_names_vi=("Khen thưởng", "Danh sách khen thưởng", "Thành tích"),
    columns=(
        Column("candidate_id", Kind.candidate, "candidate", "Mã ứng viên",
               ("Mã ứng viên", "Mã viên chức")),
        Column("award", Kind.award, "the award in words", "Hình thức khen thưởng, ghi bằng chữ",
               ("Hình thức khen thưởng", "Khen thưởng", "Danh hiệu", "Tên khen thưởng",
                "Thành tích")),
    ),
)

AWARD_LEVELS = Table(
    "award_levels",
    in_folder=False,
    row_key="award",
    meaning_en="more award names and the level each counts as",
    purpose_vi="Tuỳ chọn: bổ sung tên hình thức khen thưởng và mức tương ứng",
    sheet_names_vi=("Quy đổi khen thưởng", "Bảng quy đổi khen thưởng", "Mức khen thưởng"),
    columns=(
        Column("award", Kind.award, "the award in words", "Hình thức khen thưởng, ghi bằng chữ",
               ("Hình thức khen thưởng", "Khen thưởng", "Danh hiệu", "Tên khen thưởng")),
        Column("level", Kind.achievement, "a level code of the rule set",
               "Mức của bộ quy tắc (A, B, C, D …)", ("Mức", "Bậc", "Mức thành tích")),
    ),
)

#: Every table, in the order of SCENARIO.md (the workbook's sheet order).
TABLES: tuple[Table, ...] = (SETTINGS, UNITS, CANDIDATES, QUOTAS, LIMITS, STAFF,
                             AUTHORITY_DECISIONS, AWARDS, AWARD_LEVELS)
#: Tables of one regime only (read from a folder when present; not yet workbook sheets).
REGIME_TABLES: tuple[Table, ...] = (POSITIONS,)
#: The CSV files of a scenario folder, in order.
FOLDER_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.in_folder and not t.key_value)
_BY_NAME = {t.name: t for t in (*TABLES, *REGIME_TABLES)}


def table(name: str) -> Table:
    """The table called ``name`` (KeyError when there is none)."""
    return _BY_NAME[name]
