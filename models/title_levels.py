"""From professional titles to career levels: the data of Decree 232/2026/NĐ-CP Art. 18.2.

Once a unit's job positions are approved, an employee holding a professional title moves to
the career level of the job position that matches the title's salary class (Art. 18.2):
B → 1, A0 → 2, A1 → 3, A2 (A2.1 and A2.2) → 4, A3 (A3.1 and A3.2) → 5. The salary class of
each built-in title, its source and how sure the reading is are data
(``models/rulesets/nd115-2020-title-classes.csv``), as is the job position a title is
suggested to go to (the unit decides, Art. 18.1.b).

Art. 18.2.a, second paragraph: where a Circular raised a title's training standard from
trung cấp to cao đẳng (class A0) and the employee has not yet met it and is being
standardised, the employee goes to level 1 (still paid as class B), and to level 2 once the
standard is met.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

CONVERSION_SOURCE = "Khoản 2 Điều 18 Nghị định 232/2026/NĐ-CP"
STANDARDISING_SOURCE = "Đoạn 2 điểm a khoản 2 Điều 18 Nghị định 232/2026/NĐ-CP"
#: Art. 18.2.a–đ: the salary class a title holder is paid in → the level they move to.
LEVEL_OF_CLASS: dict[str, int] = {"B": 1, "A0": 2, "A1": 3, "A2.1": 4, "A2.2": 4,
                                  "A3.1": 5, "A3.2": 5}
#: The point of Art. 18.2 that covers each class.
POINT_OF_CLASS: dict[str, str] = {"B": "a", "A0": "b", "A1": "c", "A2.1": "d", "A2.2": "d",
                                  "A3.1": "đ", "A3.2": "đ"}


@dataclass(frozen=True)
class TitleClass:
    """The salary class of one built-in professional title, and where it comes from."""

    code: str
    salary_class: str
    source: str
    standard_raised_from_b: bool  # Art. 18.2.a, second paragraph, may apply
    job_position: str  # the catalogue position suggested for its holders
    note: str

    @property
    def level(self) -> int:
        """The career level its holders move to (Art. 18.2)."""
        return LEVEL_OF_CLASS[self.salary_class]

    @property
    def assumed(self) -> bool:
        """The class is read from the rank, not checked against the Circular's text."""
        return "assumed" in self.note


@cache
def title_classes() -> dict[str, TitleClass]:
    """Title code → its salary class, from the rule-set data."""
    text = (resources.files("models.rulesets") / "nd115-2020-title-classes.csv").read_text(
        encoding="utf-8")
    out: dict[str, TitleClass] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["salary_class"] not in LEVEL_OF_CLASS:
            raise ValueError(f"{row['code']}: unknown salary class {row['salary_class']!r}")
        out[row["code"]] = TitleClass(
            code=row["code"], salary_class=row["salary_class"], source=row["source"],
            standard_raised_from_b=row["standard_raised_from_b"] == "true",
            job_position=row["job_position"], note=row["note"])
    return out


@dataclass(frozen=True)
class CataloguePosition:
    """A job position of the Decree 232 catalogue, as far as conversion needs it."""

    code: str
    name: str
    lowest_level: int | None
    highest_level: int | None


@cache
def catalogue() -> dict[str, CataloguePosition]:
    """Position code → name and level range (``models/rulesets/nd232-2026-positions.csv``)."""
    text = (resources.files("models.rulesets") / "nd232-2026-positions.csv").read_text(
        encoding="utf-8")
    out: dict[str, CataloguePosition] = {}
    for row in csv.DictReader(io.StringIO(text)):
        lo, hi = row["lowest_level"], row["highest_level"]
        out[row["code"]] = CataloguePosition(row["code"], row["name"],
                                             int(lo) if lo else None, int(hi) if hi else None)
    return out
