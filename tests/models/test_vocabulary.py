"""The vocabularies: codes, the spellings files and workbooks accept, and the labels that
documents show."""

from __future__ import annotations

import pytest

from allocator.documents import explain
from models.enums import EducationLevel, Objective, Rank, Rating
from models.vocabulary import (
    DECISION,
    EDUCATION,
    OBJECTIVE,
    RANK,
    RATING,
    SEX,
    VOCABULARIES,
    YES_NO,
    Term,
    Vocabulary,
    form,
)


def test_codes_are_the_enums_of_the_domain() -> None:
    assert EDUCATION.codes == tuple(e.value for e in EducationLevel)
    assert RATING.codes == tuple(r.value for r in Rating)
    assert RANK.codes == tuple(r.value for r in Rank)
    assert OBJECTIVE.codes == tuple(o.value for o in Objective)
    assert SEX.codes == ("male", "female") and YES_NO.codes == ("true", "false")
    assert DECISION.codes == ("select", "reject")


@pytest.mark.parametrize("vocabulary", VOCABULARIES.values(), ids=lambda v: v.name)
def test_every_spelling_means_its_own_term(vocabulary: Vocabulary) -> None:
    """A code, each of its spellings (in any case, with or without diacritics) and, in a
    workbook, each of its words mean that term and no other."""
    for term in vocabulary.terms:
        for spelling in (term.code, *term.spellings):
            for written in (spelling, spelling.upper(), spelling.replace(" ", "_")):
                assert vocabulary.code_of(written) == term.code, written
                assert vocabulary.sheet_code_of(written) == term.code, written
        for word in (*term.words, *term.prefixes):
            assert vocabulary.sheet_code_of(word) == term.code, word


@pytest.mark.parametrize(("vocabulary", "file_value", "code"), [
    (RATING, "Hoàn thành tốt nhiệm vụ", "tot"),
    (RATING, "hoan_thanh_xuat_sac", "xuat_sac"),
    (EDUCATION, "Kỹ sư", "dai_hoc"),
    (SEX, "Nữ", "female"),
    (YES_NO, "x", "true"),
    (YES_NO, "Không", "false"),
    (DECISION, "không chọn", "reject"),
    (RANK, "iii", "III"),
])
def test_files_accept_the_contract_spellings(vocabulary: Vocabulary, file_value: str,
                                             code: str) -> None:
    assert vocabulary.code_of(file_value) == code


@pytest.mark.parametrize(("vocabulary", "cell"), [
    (RATING, "HTXSNV"), (EDUCATION, "Thạc sĩ Quản trị kinh doanh"), (YES_NO, "Đạt"),
    (YES_NO, "✓"), (DECISION, "Đồng ý"), (EDUCATION, "ThS."),
])
def test_workbook_words_are_not_file_spellings(vocabulary: Vocabulary, cell: str) -> None:
    """A workbook cell may hold the words people type; a CSV file keeps to the contract."""
    assert vocabulary.sheet_code_of(cell) is not None
    assert vocabulary.code_of(cell) is None


def test_unknown_words_mean_nothing() -> None:
    assert RATING.sheet_code_of("giỏi") is None
    assert EDUCATION.sheet_code_of("Tiểu học") is None
    assert SEX.code_of("không rõ") is None
    assert YES_NO.code_of("maybe") is None


def test_labels_are_the_documents_wording() -> None:
    """Running text uses lower-case labels; a cell or a list capitalises the first letter."""
    assert explain.RATING["vi"]["tot"] == "hoàn thành tốt nhiệm vụ"
    assert explain.EDUCATION["en"]["dai_hoc"] == "bachelor's"
    assert RATING.label("xuat_sac", cell=True) == "Hoàn thành xuất sắc nhiệm vụ"
    assert EDUCATION.labels("vi", cell=True)["dai_hoc"] == "Đại học"
    assert list(SEX.labels("vi", cell=True).values()) == ["Nam", "Nữ"]
    assert DECISION.label("reject", cell=True) == "Không chọn"


def test_a_spelling_may_name_only_one_term() -> None:
    with pytest.raises(ValueError, match="names both"):
        Vocabulary("v", (Term("a", "a", "a", spellings=("x",)),
                         Term("b", "b", "b", spellings=("X",))), "", "", "", "")


def test_comparison_form_ignores_case_diacritics_and_separators() -> None:
    assert form("Hoàn_thành  Tốt") == form("hoan thanh tot") == "hoan thanh tot"
