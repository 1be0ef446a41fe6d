"""Award names in words → the achievement ladder of a rule set (DOMAIN.md §4 and §7).

People write commendations out in full ("Bằng khen của Chủ tịch UBND tỉnh", "Chiến sĩ thi
đua cơ sở", "HCLĐ hạng Ba"). The engine compares levels of a ladder, so each name is
mapped to a level code:

* the **coarse ladder** of the shipped rule set (seed 001 Art. 6; codes A–D);
* the **fine ladder** of Decree 98/2023/NĐ-CP, ordered by the legal reward multiplier
  (:data:`FINE`; codes such as ``LAO_DONG_3`` or ``BK_TINH``), for rule sets that adopt it;
* any other ladder through the award names each level lists in its rule set
  (``awards = [...]``), matched as prefixes.

A user's own table (a sheet ``award_levels`` of the workbook: award, level) is consulted
first and can add or override any name. A name that no table recognises is an input error:
the engine never guesses a level.

For rule sets that compare the highest level and then the number of awards at that level
(``achievement_compare = "level_then_count"``), :func:`aggregate` turns one row per award
into ``achievement`` and ``achievement_count`` per candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from models.ruleset import RuleSet
from models.text import fold

NONE_WORDS = frozenset({"khong", "khong co", "chua co", "none", "no", "-", "0", "k"})


@dataclass(frozen=True)
class Level:
    """A rung of a built-in ladder."""

    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Ladder:
    """A built-in ladder: its levels high to low and the patterns that recognise awards."""

    name: str
    levels: tuple[Level, ...]
    patterns: tuple[tuple[re.Pattern[str], str | None], ...] = field(repr=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def match(self, text: str) -> tuple[bool, str | None]:
        """(found, code) for an expanded, folded award name; code None = recognised but
        not placeable on this ladder (e.g. an order without its class on the fine ladder)."""
        for pattern, code in self.patterns:
            if pattern.search(text):
                return True, code
        return False, None

    def rule_set_levels(self) -> list[dict[str, str]]:
        """The ladder as ``achievement_levels`` entries of a rule-set TOML file."""
        return [{"code": lv.code, "name_vi": lv.name_vi, "name_en": lv.name_en}
                for lv in self.levels]


# ---- recognising award names -------------------------------------------------------------------

_ABBREVIATIONS = {
    "cstd": "chien si thi dua",
    "cstdcs": "chien si thi dua co so",
    "cstdtq": "chien si thi dua toan quoc",
    "bk": "bang khen",
    "gk": "giay khen",
    "hc": "huan chuong",
    "hcld": "huan chuong lao dong",
    "hcdl": "huan chuong doc lap",
    "ubnd": "uy ban nhan dan",
    "ttg": "thu tuong chinh phu",
    "ttcp": "thu tuong chinh phu",
    "ldtt": "lao dong tien tien",
    "cs": "co so",
}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def expand(text: str) -> str:
    """Folded form of an award name with common abbreviations written out.

    'HCLĐ hạng Ba' → 'huan chuong lao dong hang ba'; 'BK của Chủ tịch UBND tỉnh' →
    'bang khen cua chu tich uy ban nhan dan tinh'.
    """
    words = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def _p(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


_CLASS = {1: r"(nhat|1|i)", 2: r"(nhi|2|ii)", 3: r"(ba|3|iii)"}
_HIGH_ORDER = r"huan chuong (doc lap|quan cong)"
_ORDER = r"huan chuong (lao dong|chien cong|bao ve to quoc)"

# (pattern, fine code or None, coarse code); the first match wins, most specific first.
_RULES: tuple[tuple[str, str | None, str], ...] = (
    (r"huan chuong sao vang", "SAO_VANG", "A"),
    (r"huan chuong ho chi minh", "HO_CHI_MINH", "A"),
    *((rf"{_HIGH_ORDER} hang {_CLASS[k]}\b", f"DOC_LAP_{k}", "A") for k in (1, 2, 3)),
    (rf"{_HIGH_ORDER}\b", None, "A"),
    *((rf"{_ORDER} hang {_CLASS[k]}\b", f"LAO_DONG_{k}", "A") for k in (1, 2, 3)),
    (rf"{_ORDER}\b", None, "A"),
    (r"huan chuong dai doan ket", "LAO_DONG_2", "A"),
    (r"huan chuong dung cam", "LAO_DONG_3", "A"),
    (r"chien si thi dua toan quoc", "LAO_DONG_3", "A"),
    (r"bang khen (cua )?(thu tuong|chinh phu)", "BK_THU_TUONG", "B"),
    (r"chien si thi dua (cap )?co so", "BK_TINH", "C"),
    (r"chien si thi dua (cap )?(bo|ban|nganh|tinh|thanh pho|doan the|trung uong|"
     r"quan khu|quan chung|binh chung)", "CSTD_TINH", "B"),
    (r"bang khen", "BK_TINH", "C"),
    (r"giay khen", "GIAY_KHEN", "D"),
    (r"(lao dong|chien si) tien tien", "GIAY_KHEN", "D"),
)

COARSE = Ladder(
    "coarse",
    (
        Level("A", "Huân chương Lao động hạng Ba trở lên; Chiến sĩ thi đua toàn quốc",
              "Third-class Labour Order or higher; national emulation fighter"),
        Level("B", "Bằng khen của Thủ tướng Chính phủ; Chiến sĩ thi đua cấp bộ, ban, ngành, "
                   "tỉnh, đoàn thể trung ương",
              "Prime Minister's certificate of merit; ministry/province emulation fighter"),
        Level("C", "Bằng khen cấp bộ, ban, ngành, tỉnh, đoàn thể trung ương; Chiến sĩ thi đua "
                   "cơ sở", "Ministry/province certificate of merit; base emulation fighter"),
        Level("D", "Giấy khen và các hình thức thấp hơn",
              "Certificate of commendation and lower recognitions"),
    ),
    tuple((_p(rx), coarse) for rx, _fine, coarse in _RULES),
)

FINE = Ladder(
    "nd98-2023",
    (
        Level("SAO_VANG", "Huân chương Sao vàng", "Gold Star Order"),
        Level("HO_CHI_MINH", "Huân chương Hồ Chí Minh", "Ho Chi Minh Order"),
        Level("DOC_LAP_1", "Huân chương Độc lập, Quân công hạng Nhất",
              "Independence / Military Exploit Order, first class"),
        Level("DOC_LAP_2", "Huân chương Độc lập, Quân công hạng Nhì",
              "Independence / Military Exploit Order, second class"),
        Level("DOC_LAP_3", "Huân chương Độc lập, Quân công hạng Ba",
              "Independence / Military Exploit Order, third class"),
        Level("LAO_DONG_1", "Huân chương Lao động, Chiến công, Bảo vệ Tổ quốc hạng Nhất",
              "Labour / Feat of Arms / Fatherland Defence Order, first class"),
        Level("LAO_DONG_2", "Huân chương Lao động, Chiến công, Bảo vệ Tổ quốc hạng Nhì; "
                            "Huân chương Đại đoàn kết dân tộc",
              "Labour / Feat of Arms / Fatherland Defence Order, second class; "
              "Great National Unity Order"),
        Level("LAO_DONG_3", "Huân chương Lao động, Chiến công, Bảo vệ Tổ quốc hạng Ba; "
                            "Huân chương Dũng cảm; Chiến sĩ thi đua toàn quốc",
              "… third class; Bravery Order; national emulation fighter"),
        Level("BK_THU_TUONG", "Bằng khen của Thủ tướng Chính phủ",
              "Prime Minister's certificate of merit"),
        Level("CSTD_TINH", "Chiến sĩ thi đua cấp bộ, ban, ngành, tỉnh",
              "Ministry/province-level emulation fighter"),
        Level("BK_TINH", "Bằng khen cấp bộ, ban, ngành, tỉnh; Chiến sĩ thi đua cơ sở",
              "Ministry/province certificate of merit; base-level emulation fighter"),
        Level("GIAY_KHEN", "Giấy khen; Lao động tiên tiến",
              "Certificate of commendation; advanced worker"),
    ),
    tuple((_p(rx), fine) for rx, fine, _coarse in _RULES),
)

BUILT_IN_LADDERS = (COARSE, FINE)


class UnknownAward(KeyError):
    """An award name that no table recognises."""

    reason_vi = "không nhận ra hình thức khen thưởng"
    reason_en = "unrecognised award"


class NotProvinceLevel(UnknownAward):
    """A "Bằng khen" whose issuer is below the province (a district, a commune, a
    department's director: they award Giấy khen), so not the province-level rung."""

    reason_vi = ("Bằng khen do cấp dưới tỉnh trao (cấp huyện, xã, giám đốc sở … chỉ trao Giấy "
                 "khen) — không phải khen thưởng cấp bộ, ngành, tỉnh")
    reason_en = ("a 'Bằng khen' issued below the province (districts, communes, department "
                 "directors award Giấy khen) — not a ministry/province-level award")


class AmbiguousAward(UnknownAward):
    """A "Bằng khen" whose issuer the text does not say."""

    reason_vi = "Bằng khen không ghi cơ quan trao (Thủ tướng, bộ, tỉnh …): không rõ cấp"
    reason_en = "a 'Bằng khen' without its issuer (Prime Minister, ministry, province …)"


_CENTRAL_CITIES = r"(ha noi|ho chi minh|hai phong|da nang|can tho|hue)"
_BELOW_PROVINCE = re.compile(
    r"\b(uy ban nhan dan|chu tich)( uy ban nhan dan)? (huyen|quan|thi xa|thi tran|xa|phuong)\b"
    r"|\bcap (huyen|xa|co so)\b|\b(huyen|quan|thi xa|phuong|thi tran) uy\b"
    r"|\bgiam doc (so|benh vien|trung tam|cong ty)\b|\b(hieu truong|truong phong)\b"
    rf"|\bthanh pho (?!{_CENTRAL_CITIES}\b|truc thuoc)\w+")
_PROVINCE_OR_ABOVE = re.compile(
    r"\b(tinh|bo|ban|nganh|trung uong|doan the|tinh uy|tong lien doan|cap tinh|cap bo|"
    rf"bo truong|quan khu|thanh pho {_CENTRAL_CITIES}|truc thuoc trung uong)\b")


def bang_khen_issuer(words: str) -> str | None:
    """For an expanded award text holding "bang khen" (not the Prime Minister's): 'below'
    when its issuer is below the province, 'province' when it is a ministry, a province or
    above, 'unknown' when the text does not say; None for other texts."""
    m = re.search(r"\bbang khen\b(.*)$", words)
    if m is None or re.search(r"\b(thu tuong|chinh phu)\b", words):
        return None
    issuer = m.group(1)
    if _BELOW_PROVINCE.search(issuer):
        return "below"
    if _PROVINCE_OR_ABOVE.search(issuer):
        return "province"
    return "unknown"


class AwardMatcher:
    """Maps award names (or level codes) to the level codes of one rule set's ladder."""

    def __init__(self, rs: RuleSet, extra: Iterable[tuple[str, str]] = ()) -> None:
        self.codes = tuple(a.code for a in rs.achievement_levels)
        self._code_of = {fold(c): c for c in self.codes}
        self.ladder = next((lad for lad in BUILT_IN_LADDERS if lad.codes == self.codes), None)
        self.extra = tuple(extra)  # the user's table (award name, level code)
        self._user = sorted(((expand(name), code) for name, code in self.extra),
                            key=lambda e: -len(e[0]))
        listed = [(expand(award), a.code) for a in rs.achievement_levels for award in a.awards]
        self._listed = sorted(listed, key=lambda e: -len(e[0]))

    def level_of(self, text: str) -> str | None:
        """The level code of ``text``; None for no achievement; UnknownAward otherwise."""
        folded = fold(text).strip(" -.")
        if not folded or folded in NONE_WORDS:
            return None
        if folded in self._code_of:
            return self._code_of[folded]
        words = expand(text)
        for name, code in self._user:
            if _prefix(name, words):
                return code
        if self.ladder is not None:
            issuer = bang_khen_issuer(words)
            if issuer == "below":
                raise NotProvinceLevel(text)
            if issuer == "unknown":
                raise AmbiguousAward(text)
            found, placed = self.ladder.match(words)
            if found and placed is not None:
                return placed
            if found:
                raise UnknownAward(text)
        for name, code in self._listed:
            if _prefix(name, words):
                return code
        raise UnknownAward(text)

    def describe(self) -> str:
        """The codes, for messages."""
        return "/".join(self.codes)


def _prefix(name: str, words: str) -> bool:
    return words == name or words.startswith(name + " ")


def aggregate(awards: pl.DataFrame, codes: tuple[str, ...]) -> pl.DataFrame:
    """Highest level and the number of awards at that level, per candidate.

    ``awards`` has columns ``candidate_id`` and ``level`` (a code of ``codes``, listed high
    to low). Returns candidate_id, achievement, achievement_count.
    """
    rank = {c: i for i, c in enumerate(codes)}
    ranked = awards.with_columns(
        pl.col("level").replace_strict(rank, return_dtype=pl.Int64).alias("_rank")
    )
    return (
        ranked.with_columns(pl.col("_rank").min().over("candidate_id").alias("_best"))
        .filter(pl.col("_rank") == pl.col("_best"))
        .group_by("candidate_id", maintain_order=True)
        .agg(pl.col("level").first().alias("achievement"),
             pl.len().cast(pl.Int64).alias("achievement_count"))
        .sort("candidate_id", maintain_order=True)
    )
