"""'Did you mean': a mistyped unit or title is answered with the closest known ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.io.loader import load
from models.checks import close_to, unit_choices
from models.errors import InputError
from tests.support.sheets import SCENARIOS

UNITS = pl.Series(["TTCNTT", "VPS", "CDC"])
NAMES = pl.Series(["Trung tâm Công nghệ thông tin và Truyền thông",
                   "Văn phòng Sở Thông tin và Truyền thông",
                   "Trung tâm Kiểm soát bệnh tật tỉnh Điện Biên"])


@pytest.mark.parametrize(("typed", "expected"), [
    ("TTCNT", "Trung tâm Công nghệ thông tin và Truyền thông (TTCNTT)"),
    ("Trung tam Cong nghe thong tin va truyen thong", "Trung tâm Công nghệ thông tin và "
                                                        "Truyền thông (TTCNTT)"),
    ("Trung tâm Kiểm soát bệnh tật", "Trung tâm Kiểm soát bệnh tật tỉnh Điện Biên (CDC)"),
])
def test_a_close_unit_is_suggested(typed: str, expected: str) -> None:
    vi, en = close_to(unit_choices(UNITS, NAMES))(typed)
    assert vi == f"; có phải '{expected}'?" and en == f"; did you mean '{expected}'?"


@given(st.sampled_from(["Sở Y tế", "XYZ", "Bệnh viện Đa khoa", "12345"]))
def test_nothing_is_suggested_for_a_value_close_to_nothing(typed: str) -> None:
    assert close_to(unit_choices(UNITS, NAMES))(typed) == ("", "")


def test_the_error_of_a_mistyped_unit_and_title_says_what_was_meant(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(SCENARIOS / "dien-bien-2024", folder)
    text = (folder / "candidates.csv").read_text(encoding="utf-8").replace(
        "DB01,Nguyễn Văn An,1987-03-10,male,Kinh,TTCNTT,V.11.05.12,",
        "DB01,Nguyễn Văn An,1987-03-10,male,Kinh,TTCNT,V.11.05.2,")
    (folder / "candidates.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load(folder)
    unit, title = exc.value.problems
    assert unit.vi.endswith("'TTCNT'; có phải 'Trung tâm Công nghệ thông tin và Truyền thông "
                            "(TTCNTT)'?")
    assert "có phải 'V.11.05.12 (An toàn thông tin hạng IV)'" in title.vi
