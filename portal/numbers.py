"""Whole numbers typed by people or put in URLs: ASCII digits only.

`str.isdigit()` says yes to "²", "①" and "²⁰²⁴", which `int()` then refuses (a 500), and
`int()` itself says yes to "٣" (Arabic-Indic three), " 7", "1_000" and 4,000-digit numbers
that overflow a database integer. Every number from input goes through here instead.
"""

from __future__ import annotations

import re

MAX_ROW_ID = 2**31 - 1  # the largest id a 32-bit integer column holds
_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


def to_int(raw: object, *, minimum: int = 0, maximum: int = MAX_ROW_ID) -> int:
    """The number written in ASCII digits, within [minimum, maximum], or ValueError.

    Usable as `type=` of `request.args.get` and as a WTForms `coerce`.
    """
    text = str(raw).strip() if raw is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        raise ValueError(f"not a whole number written with the digits 0-9: {text[:20]!r}")
    number = int(text)
    if not minimum <= number <= maximum:
        raise ValueError(f"{number} is outside {minimum}..{maximum}")
    return number


def parse_int(raw: object, *, minimum: int = 0, maximum: int = MAX_ROW_ID) -> int | None:
    """Like to_int, but None for anything that is not such a number (a filter to ignore)."""
    try:
        return to_int(raw, minimum=minimum, maximum=maximum)
    except ValueError:
        return None
