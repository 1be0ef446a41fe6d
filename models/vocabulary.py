"""The value vocabularies: the contract's codes, the spellings accepted for them, their labels.

One :class:`Vocabulary` per enumerated value of the file contract (sex, yes/no, education
level, rating, authority decision, rank, objective). Each :class:`Term` carries

* ``code`` — the spelling written in the contract's files (``dai_hoc``, ``true``, ``select``);
* ``vi`` / ``en`` — its label in running text ("hoàn thành tốt nhiệm vụ", "good"); a cell or a
  drop-down list shows the Vietnamese label with a capital first letter (:meth:`Vocabulary.label`
  with ``cell=True``);
* ``spellings`` — other spellings accepted in every source (CSV files, variants, workbooks);
* ``words`` — spellings accepted in workbooks only: the words and abbreviations people type
  into spreadsheets ("HTXSNV", "Đạt", "✓"); the CSV contract stays narrow;
* ``prefixes`` — in workbooks, a cell whose words begin with one of these means the term too
  ("Đại học Công nghệ thông tin" is ``dai_hoc``, "Miễn (có chứng chỉ)" is yes).

Spellings are compared in folded form (:func:`form`): case, diacritics, spacing, hyphens and
underscores do not matter, so ``Hoàn thành tốt`` and ``hoan_thanh_tot`` are one spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.enums import EducationLevel, Objective, Rank, Rating
from models.text import fold

#: Marks that mean "this one" in a column of ticks (the Nam / Nữ columns of Mẫu 06).
MARKS = frozenset({"x", "v", "✓", "✔", "1", "co"})


def form(text: str) -> str:
    """Comparison form of a spelling: folded, '_' as a space ('Hoàn_thành  Tốt' → 'hoan thanh
    tot')."""
    return " ".join(fold(text).replace("_", " ").split())


def sheet_forms(text: str) -> tuple[str, ...]:
    """Comparison forms of a workbook cell: also with dots dropped ('H.T.N.V.' → 'htnv') and
    read as spaces ('ThS.Kinh tế' → 'ths kinh te')."""
    base = fold(text)
    forms = [form(base), form(base.replace(".", "")), form(base.replace(".", " "))]
    return tuple(dict.fromkeys(forms))


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: its code, labels and the spellings accepted for it."""

    code: str
    vi: str
    en: str
    spellings: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """An enumerated value of the contract. ``expected_*`` say what a file may hold, for
    messages about a value that is none of the terms; ``sheet_expected_*`` the same for a
    workbook cell."""

    name: str
    terms: tuple[Term, ...]
    expected_vi: str
    expected_en: str
    sheet_expected_vi: str
    sheet_expected_en: str
    _by_code: dict[str, Term] = field(init=False, repr=False, compare=False)
    _file_index: dict[str, str] = field(init=False, repr=False, compare=False)
    _sheet_index: dict[str, str] = field(init=False, repr=False, compare=False)
    _prefix_index: dict[str, str] = field(init=False, repr=False, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes, in the vocabulary's order."""
        return tuple(t.code for t in self.terms)

    def __post_init__(self) -> None:
        """Index the spellings (a spelling that names two terms is refused here, at import)."""
        object.__setattr__(self, "_by_code", {t.code: t for t in self.terms})
        object.__setattr__(self, "_file_index",
                           _index((t.code, (t.code, *t.spellings)) for t in self.terms))
        object.__setattr__(self, "_sheet_index",
                           _index((t.code, (t.code, *t.spellings, *t.words)) for t in self.terms))
        object.__setattr__(self, "_prefix_index", _index((t.code, t.prefixes) for t in self.terms))

    def code_of(self, value: str) -> str | None:
        """The code a file's value spells (a CSV cell, a variant's value), or None."""
        return self._file_index.get(form(value))

    def sheet_code_of(self, value: str) -> str | None:
        """The code a workbook cell spells (words, abbreviations and prefixes too), or None."""
        forms = sheet_forms(value)
        for f in forms:
            if f in self._sheet_index:
                return self._sheet_index[f]
        for f in forms:
            words = f.split()
            for n in range(len(words), 0, -1):  # the longest prefix wins
                code = self._prefix_index.get(" ".join(words[:n]))
                if code is not None:
                    return code
        return None

    def label(self, code: str, lang: str = "vi", *, cell: bool = False) -> str:
        """The label of a code in running text, or as a cell shows it (capital first letter)."""
        term = self._by_code[code]
        text = term.vi if lang == "vi" else term.en
        return capitalised(text) if cell else text

    def labels(self, lang: str = "vi", *, cell: bool = False) -> dict[str, str]:
        """Code → label, in the vocabulary's order."""
        return {t.code: self.label(t.code, lang, cell=cell) for t in self.terms}


def capitalised(text: str) -> str:
    """First letter upper case, the rest as written ('đại học' → 'Đại học')."""
    return text[:1].upper() + text[1:]


def _index(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Folded spelling → code; a spelling may name only one code."""
    index: dict[str, str] = {}
    for code, spellings in entries:
        for spelling in spellings:
            key = form(spelling)
            if index.setdefault(key, code) != code:
                raise ValueError(f"spelling {spelling!r} names both {index[key]} and {code}")
    return index


SEX = Vocabulary(
    "sex",
    (Term("male", "nam", "male", spellings=("nam", "m")),
     Term("female", "nữ", "female", spellings=("nu", "f"))),
    "female/male (Nữ/Nam)", "female/male (Nữ/Nam)", "Nam/Nữ", "Nam/Nữ (male/female)",
)

YES_NO = Vocabulary(
    "yes_no",
    (Term("true", "có", "yes", spellings=("1", "x", "yes", "co", "y", "t"),
          words=("dat", "v", "dung", "✓", "✔")),
     Term("false", "không", "no", spellings=("0", "no", "khong", "n", "f"),
          words=("khong dat", "chua", "chua dat", "sai"))),
    "true/false (1/0, x/trống)", "true/false (1/0, x/empty)",
    "có/không (x hoặc để trống)", "yes/no (x or empty)",
)
#: In a workbook, a cell of a column that allows exemption ("Miễn", "Miễn ngoại ngữ") is yes.
EXEMPT_PREFIX = "mien"
EXEMPT_EXPECTED_VI = "có/không/miễn (x hoặc để trống)"
EXEMPT_EXPECTED_EN = "yes/no/exempt (x or empty)"

EDUCATION = Vocabulary(
    "education",
    (Term(EducationLevel.trung_cap.value, "trung cấp", "intermediate",
          prefixes=("trung cap", "tc")),
     Term(EducationLevel.cao_dang.value, "cao đẳng", "college", prefixes=("cao dang", "cd")),
     Term(EducationLevel.dai_hoc.value, "đại học", "bachelor's", spellings=("cu nhan", "ky su"),
          prefixes=("dai hoc", "cu nhan", "ky su", "dh")),
     Term(EducationLevel.thac_si.value, "thạc sĩ", "master's",
          prefixes=("thac si", "thac sy", "ths")),
     Term(EducationLevel.tien_si.value, "tiến sĩ", "doctorate",
          prefixes=("tien si", "tien sy", "ts"))),
    "trung_cap/cao_dang/dai_hoc/thac_si/tien_si", "trung_cap/cao_dang/dai_hoc/thac_si/tien_si",
    "trung cấp/cao đẳng/đại học/thạc sĩ/tiến sĩ", "trung_cap/cao_dang/dai_hoc/thac_si/tien_si",
)

RATING = Vocabulary(
    "rating",
    (Term(Rating.xuat_sac.value, "hoàn thành xuất sắc nhiệm vụ", "excellent",
          spellings=("hoan thanh xuat sac nhiem vu", "hoan thanh xuat sac"), words=("htxsnv",)),
     Term(Rating.tot.value, "hoàn thành tốt nhiệm vụ", "good",
          spellings=("hoan thanh tot nhiem vu", "hoan thanh tot"), words=("httnv",)),
     Term(Rating.hoan_thanh.value, "hoàn thành nhiệm vụ", "completed",
          spellings=("hoan thanh nhiem vu",), words=("htnv",)),
     Term(Rating.khong_hoan_thanh.value, "không hoàn thành nhiệm vụ", "not completed",
          spellings=("khong hoan thanh nhiem vu",), words=("khtnv",))),
    "xuat_sac/tot/hoan_thanh/khong_hoan_thanh", "xuat_sac/tot/hoan_thanh/khong_hoan_thanh",
    "hoàn thành xuất sắc/tốt/hoàn thành/không hoàn thành nhiệm vụ",
    "xuat_sac/tot/hoan_thanh/khong_hoan_thanh",
)

DECISION = Vocabulary(
    "decision",
    (Term("select", "chọn", "select", spellings=("chon",), words=("dong y", "trung tuyen")),
     Term("reject", "không chọn", "reject", spellings=("khong chon", "loai"),
          words=("khong trung tuyen",))),
    "select/reject", "select/reject", "chọn/không chọn (select/reject)", "select/reject",
)

RANK = Vocabulary(
    "rank",
    tuple(Term(r.value, r.value, r.value) for r in Rank),
    "I/II/III/IV/V", "I/II/III/IV/V", "I/II/III/IV/V", "I/II/III/IV/V",
)

OBJECTIVE = Vocabulary(
    "objective",
    (Term(Objective.priority.value, "thứ tự ưu tiên quyết định mọi chỉ tiêu",
          "the legal priority order decides every seat", words=("uu tien", "thu tu uu tien")),
     Term(Objective.fill.value, "lấp đầy tối đa chỉ tiêu rồi mới xét ưu tiên",
          "fill as many seats as possible, then priority",
          words=("lap day", "lap day chi tieu"))),
    "priority/fill", "priority/fill", "ưu tiên/lấp đầy (priority/fill)", "priority/fill",
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.name: v for v in (SEX, YES_NO, EDUCATION, RATING, DECISION, RANK, OBJECTIVE)
}
