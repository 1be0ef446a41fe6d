"""Reading one cell's text: dates, birth dates, yes/no, decimals and counts.

Every function takes the stripped text of a non-empty cell and returns the value or raises
``ValueError`` (``KeyError`` for a word no vocabulary knows). :func:`map_distinct` applies
such a function to a whole column, once per distinct value.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from models.vocabulary import YES_NO


def parse_iso_date(value: str) -> dt.date:
    """A date written YYYY-MM-DD (nothing else: 2024-1-5 and 05/01/2024 are refused)."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def parse_birth(value: str) -> tuple[dt.date, dt.date]:
    """Birth date as an interval: 'YYYY-MM-DD' exact; 'YYYY-MM' or 'YYYY' incomplete."""
    if len(value) == 10:
        d = parse_iso_date(value)
        return d, d
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        y, m = int(value[:4]), int(value[5:])
        return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
    if len(value) == 4 and value.isdigit():
        y = int(value)
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    raise ValueError(value)


def parse_bool(value: str) -> bool:
    """Yes/no as files write it (vocabulary ``yes_no``: true/false, 1/0, x, có/không …)."""
    code = YES_NO.code_of(value)
    if code is None:
        raise ValueError(value)
    return code == "true"


def parse_decimal(value: str) -> Decimal:
    """A finite number ≥ 0; a decimal comma and spaces between digit groups are accepted."""
    text = value.replace(",", ".").replace(" ", "")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not d.is_finite() or d < 0:
        raise ValueError(value)
    return d


def parse_count(value: str) -> int:
    """A whole number ≥ 0 ('3', '3.0'; not '3.5')."""
    d = parse_decimal(value)
    if d != d.to_integral_value():
        raise ValueError(value)
    return int(d)


def map_distinct(column: pl.Series, fn: Callable[[str], Any], dtype: pl.DataType) -> pl.Series:
    """``fn`` of each cell, computed once per distinct value; null where the cell is null or
    ``fn`` rejects it (returns None or raises ValueError, KeyError or ArithmeticError)."""
    table: dict[str, Any] = {}
    for value in column.drop_nulls().unique().to_list():
        converted = safely(fn, value)
        if converted is not None:
            table[value] = converted
    return column.replace_strict(table, default=None, return_dtype=dtype)


def safely(fn: Callable[[str], Any], value: str) -> Any:
    """``fn(value)``, or None when it rejects the value."""
    try:
        return fn(value)
    except (ValueError, KeyError, ArithmeticError):
        return None
