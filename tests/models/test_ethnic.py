"""The 54 ethnic groups: every spelling people use maps back to the canonical name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.io.loader import load
from models import ethnic
from models.errors import InputError
from tests.support.builders import candidate, write_folder


def test_there_are_54_groups_with_distinct_skeletons() -> None:
    assert len(ethnic.CANONICAL) == 54
    assert len({ethnic.skeleton(n) for n in ethnic.CANONICAL}) == 54
    assert [n for n in ethnic.CANONICAL if not ethnic.is_minority(n)] == ["Kinh"]


def test_no_other_name_is_claimed_by_two_groups() -> None:
    owners: dict[str, set[str]] = {}
    for name, others in ethnic.GROUPS:
        for word in (name, *others):
            owners.setdefault(ethnic.skeleton(word), set()).add(name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A canonical name as a person might type it: diacritics or not, any case, spaces,
    hyphens or apostrophes between syllables, stray spaces around."""
    name = draw(st.sampled_from(ethnic.CANONICAL))
    text = name.replace("đ", "d").replace("Đ", "D") if draw(st.booleans()) else name
    if draw(st.booleans()):
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    sep = draw(st.sampled_from([" ", "-", "", "'", " - "]))
    text = sep.join(text.replace(" - ", " ").split(" "))
    text = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)
    pad = draw(st.sampled_from(["", " ", "  "]))
    prefix = draw(st.sampled_from(["", "Dân tộc ", "dan toc "]))
    return name, pad + prefix + text + pad


@settings(deadline=None)  # timing varies on a loaded CI machine
@given(spellings())
def test_every_spelling_of_a_canonical_name_maps_back(case: tuple[str, str]) -> None:
    name, text = case
    assert ethnic.normalise(text) == name


@pytest.mark.parametrize(("written", "canonical"), [
    ("Mèo", "Mông"), ("H'Mông", "Mông"), ("Hmong", "Mông"), ("HMONG", "Mông"),
    ("Việt", "Kinh"), ("viet", "Kinh"), ("Thái đen", "Thái"), ("Thai", "Thái"),
    ("Khmu", "Khơ Mú"), ("Kho mu", "Khơ Mú"), ("khơ-mú", "Khơ Mú"), ("Ede", "Ê Đê"),
    ("Ê-đê", "Ê Đê"), ("Bahnar", "Ba Na"), ("Xo Dang", "Xơ Đăng"), ("Sedang", "Xơ Đăng"),
    ("K'Ho", "Cơ Ho"), ("M'Nông", "Mnông"), ("Bru-Vân Kiều", "Bru - Vân Kiều"),
    ("Vân Kiều", "Bru - Vân Kiều"), ("Jrai", "Gia Rai"), ("Raglay", "Ra Glai"),
    ("Cao Lan", "Sán Chay"), ("Chàm", "Chăm"), ("Khơ-me", "Khmer"), ("Dân tộc Tày", "Tày"),
])
def test_common_variant_spellings(written: str, canonical: str) -> None:
    assert ethnic.normalise(written) == canonical


@pytest.mark.parametrize("written", [
    "", "   ", "Klingon", "Nước ngoài",
    "Xá Khao",  # other name of both Kháng and La Ha: refused, not guessed
])
def test_unknown_or_ambiguous_names_are_not_recognised(written: str) -> None:
    assert ethnic.normalise(written) is None


def test_is_minority_needs_a_canonical_name() -> None:
    with pytest.raises(KeyError):
        ethnic.is_minority("thai")
    assert ethnic.minority_of("thai") is True
    assert ethnic.minority_of("viet") is False


def test_loading_an_unknown_ethnicity_names_file_row_and_column(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", candidates=[
        candidate("C1", ethnicity="Kinh"), candidate("C2", ethnicity="Klingon")],
        quotas=[{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"}])
    with pytest.raises(InputError) as info:
        load(folder)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == ("candidates.csv", 3, "ethnicity")
    assert "Klingon" in problem.vi and "54" in problem.en


def test_minority_flag_comes_from_the_table(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "s", candidates=[
        candidate("C1", ethnicity="viet"), candidate("C2", ethnicity="hmong"),
        candidate("C3", ethnicity="KINH")],
        quotas=[{"agency_id": "D", "target_title": "V.11.06.14", "quota": "1"}])
    sc = load(folder)
    flags = dict(sc.candidates.select("candidate_id", "ethnic_minority").iter_rows())
    assert flags == {"C1": False, "C2": True, "C3": False}
    assert sc.candidates["ethnicity"].to_list() == ["viet", "hmong", "KINH"]
