"""The 54 ethnic groups of Vietnam, recognised as people write them in spreadsheets.

Canonical names follow the official list of ethnic groups (Decision 121-TCTK/PPCĐ of
2 March 1979, still used by the General Statistics Office and the Committee for Ethnic
Minority Affairs). A name is recognised with or without diacritics, in any case, with
spaces, hyphens or apostrophes anywhere ("H'Mông", "Hmong", "ê-đê", "KHO MU"), and under
the common other names of a group ("Mèo" for Mông, "Việt" for Kinh, "Bahnar" for Ba Na).

An other name that two groups share (for example "Xá Khao", used for both Kháng and La Ha,
or "Lao", the skeleton of both "Lào" and an other name of La Hủ) is left out on purpose:
an ambiguous word is refused rather than guessed.
"""

from __future__ import annotations

import re
from functools import cache

from models.text import fold

MAJORITY = "Kinh"

# Canonical name, then other names in use (GSO list of other names, common romanisations).
# Order is the official order of the list.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kinh", ("Việt", "Việt Kinh", "Người Kinh")),
    ("Tày", ("Thổ Tày", "Ngạn", "Phén", "Thù Lao", "Pa Dí")),
    ("Thái", ("Tày Khao", "Tày Đăm", "Thái Đen", "Thái Trắng", "Tày Mười", "Tày Thanh",
              "Tai", "Tày Mường", "Hàng Tổng", "Pu Thay", "Thổ Đà Bắc")),
    ("Mường", ("Mol", "Mual", "Mọi Bi", "Ao Tá")),
    ("Khmer", ("Khơ Me", "Khơ-me", "Khơme", "Cur", "Cul", "Cu", "Thổ Khmer", "Việt gốc Miên",
               "Khmer Krôm", "Khmer Krom")),
    ("Hoa", ("Hán", "Triều Châu", "Phúc Kiến", "Quảng Đông", "Hải Nam", "Hạ", "Xạ Phạng")),
    ("Nùng", ("Xuồng", "Giang", "Nùng An", "Phàn Sinh", "Nùng Cháo", "Nùng Lòi", "Quý Rim",
              "Khèn Lài")),
    ("Mông", ("H'Mông", "Hmông", "Hmong", "H'mong", "Mèo", "Mẹo", "Mông Đơ", "Mông Lềnh",
              "Mông Đen", "Mông Xanh", "Mông Hoa", "Mông Trắng", "Mán Trắng", "Na Miẻo")),
    ("Dao", ("Mán", "Động", "Dìu Miền", "Kiềm Miền", "Quần Trắng", "Dao Đỏ", "Quần Chẹt",
             "Lô Gang", "Dao Tiền", "Thanh Y", "Lan Tẻn", "Đại Bản", "Tiểu Bản", "Cóc Ngáng",
             "Cóc Mùn", "Sơn Đầu", "Yao", "Dzao")),
    ("Gia Rai", ("Giơ Rai", "Jarai", "Jrai", "Tơ Buăn", "Chơ Rai", "Hơ Bau", "Hđrung")),
    ("Ê Đê", ("Ede", "Êđê", "Rhadé", "Rađê", "Ra Đê", "Đê", "Kpạ", "A Đham", "Krung", "Ktul",
              "Đliê Ruê", "Blô", "Epan", "Mđhur", "Bih")),
    ("Ba Na", ("Bahnar", "Ba-na", "Gơ Lar", "Tơ Lô", "Giơ Lâng", "Y Lăng", "Rơ Ngao", "Krem",
               "Roh", "Con Kđe", "A La Công", "Kpăng Công", "Bơ Nâm")),
    ("Sán Chay", ("Cao Lan", "Sán Chỉ", "Cao Lan - Sán Chỉ", "Mán Cao Lan", "Hờn Bạn")),
    ("Chăm", ("Chàm", "Chiêm Thành", "Hroi", "Cham")),
    ("Cơ Ho", ("K'Ho", "Koho", "Kơ Ho", "Xrê", "Nốp", "Tu Lốp", "Cơ Don", "Lạch", "Trinh")),
    ("Xơ Đăng", ("Sedang", "Xơ Teng", "Hđang", "Tơ Đra", "Mơ Nâm", "Hà Lăng", "Ca Dong",
                 "Kmrâng", "Con Lan", "Bri La")),
    ("Sán Dìu", ("Sán Dẻo", "Trại Đất", "Mán Quần Cộc")),
    ("Hrê", ("H're", "Chăm Rê", "Chom", "Krẹ Lũy")),
    ("Ra Glai", ("Raglay", "Ra Clây", "Rai", "Noang", "La Oang")),
    ("Mnông", ("M'Nông", "Mơ Nông", "Pnông", "Nông", "Pré", "Bu Đâng", "Đi Pri", "Biat",
               "Gar", "Rơ Lam")),
    ("Thổ", ("Kẹo", "Mọn", "Cuối", "Họ", "Đan Lai", "Ly Hà", "Tày Pọng")),
    ("Xtiêng", ("X'tiêng", "Stiêng", "Stieng", "Xa Điêng")),
    ("Khơ Mú", ("Khmu", "Kmhmu", "Xá Cẩu", "Mứn Xen", "Pu Thênh", "Tềnh", "Tày Hay")),
    ("Bru - Vân Kiều", ("Bru", "Vân Kiều", "Bru Vân Kiều", "Măng Coong", "Khùa")),
    ("Cơ Tu", ("Katu", "Ca Tu", "Kà Tu", "Phương", "Kan Tua")),
    ("Giáy", ("Nhắng", "Dẩng", "Pầu Thìn", "Nu Nà", "Cùi Chu")),
    ("Tà Ôi", ("Tôi Ôi", "Pa Co", "Pa Hi", "Ba Hi", "Ta Oi")),
    ("Mạ", ("Châu Mạ", "Mạ Ngăn", "Mạ Xóp", "Mạ Tô", "Mạ Krung")),
    ("Giẻ Triêng", ("Giẻ", "Triêng", "Đgiéh", "Tareb", "Giang Rẫy Pin", "Treng", "Ta Riêng",
                    "Veh", "La Ve")),
    ("Co", ("Cor", "Col", "Cùa", "Trầu")),
    ("Chơ Ro", ("Dơ Ro", "Châu Ro", "Chro")),
    ("Xinh Mun", ("Puộc", "Pụa")),
    ("Hà Nhì", ("U Ni", "Xá U Ni", "Hà Nhì Già", "Hani")),
    ("Chu Ru", ("Chơ Ru", "Churu")),
    ("Lào", ("Lào Bốc", "Lào Nọi")),
    ("La Chí", ("Cù Tê", "La Quả")),
    ("Kháng", ("Xá Xúa", "Xá Dón", "Xá Dẩng", "Xá Hốc", "Xá Ái", "Xá Bung", "Quảng Lâm")),
    ("Phù Lá", ("Bồ Khô Pạ", "Mu Di", "Pạ Xá", "Phó", "Phổ", "Va Xơ")),
    ("La Hủ", ("Pu Đang", "Khù Xung", "Cò Xung", "Khả Quy")),
    ("La Ha", ("Khlá Phlạo",)),
    ("Pà Thẻn", ("Pà Hưng", "Tống", "Pa Then")),
    ("Lự", ("Lừ", "Nhuồn Duôn")),
    ("Ngái", ("Xín", "Đản", "Khách Gia")),
    ("Chứt", ("Sách", "May", "Rục", "Mã Liêng", "A Rem", "Tu Vang", "Pa Leng", "Xơ Lang",
              "Tơ Hung", "Chà Củi", "Tắc Củi", "U Mo")),
    ("Lô Lô", ("Lolo", "Mun Di Lô Lô")),
    ("Mảng", ("Mảng Ư",)),
    ("Cơ Lao", ("Kơ Lao", "Gelao")),
    ("Bố Y", ("Chủng Chá", "Trọng Gia", "Tu Dí", "Tu Din")),
    ("Cống", ("Xắm Khống", "Mấng Nhé", "Xá Xeng")),
    ("Si La", ("Cù Dề Xừ", "Khả Pẻ")),
    ("Pu Péo", ("Ka Pèo", "Pen Ti Lô Lô")),
    ("Rơ Măm", ("Romam",)),
    ("Brâu", ("Brao",)),
    ("Ơ Đu", ("Tày Hạt", "Odu")),
)

CANONICAL: tuple[str, ...] = tuple(name for name, _ in GROUPS)

_GLUE = re.compile(r"[\s\-'’‘`.,_]+")
_PREFIXES = ("dan toc ", "nguoi ")


def skeleton(text: str) -> str:
    """Comparison form of a name: folded to ASCII lower case, without spaces or punctuation.

    'H'Mông' → 'hmong'; 'Ê-đê' → 'ede'; 'Bru - Vân Kiều' → 'bruvankieu'.
    """
    folded = fold(text)
    for prefix in _PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            folded = folded[len(prefix):]
    return _GLUE.sub("", folded)


@cache
def _index() -> dict[str, str]:
    """Skeleton → canonical name; other names shared by two groups are left out."""
    owners: dict[str, set[str]] = {}
    for name, others in GROUPS:
        for word in (name, *others):
            owners.setdefault(skeleton(word), set()).add(name)
    index = {sk: next(iter(names)) for sk, names in owners.items() if len(names) == 1}
    # A canonical name always means its own group, even where an other name of another
    # group folds to the same skeleton.
    for name in CANONICAL:
        index[skeleton(name)] = name
    return index


def normalise(name: str) -> str | None:
    """The canonical name of the ethnic group written as ``name``, or None if unknown."""
    if not name or not name.strip():
        return None
    return _index().get(skeleton(name))


def is_minority(canonical: str) -> bool:
    """True for the 53 ethnic minorities, False for Kinh. ``canonical`` must be canonical."""
    if canonical not in CANONICAL:
        raise KeyError(canonical)
    return canonical != MAJORITY


def minority_of(name: str) -> bool:
    """Minority flag of a name as written; KeyError when the name is not recognised."""
    canonical = normalise(name)
    if canonical is None:
        raise KeyError(name)
    return is_minority(canonical)
