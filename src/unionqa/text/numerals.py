"""Chinese numerals both ways: 24 → 二十四 (to match 第24条 against 第二十四条) and 二十四 → 24
(to check a figure an answer states against its quote)."""

from __future__ import annotations

_CN_DIGITS = "零一二三四五六七八九"
_CN_VAL = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_number(n: int) -> str:
    """24 → 二十四; used to match 第24条 against 第二十四条."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = ""
        if rest:
            tail = (
                ("零" + _CN_DIGITS[rest])
                if rest < 10
                else (cn_number(rest) if rest >= 20 else "一" + cn_number(rest))
            )
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def cn_to_int(s: str) -> int | None:
    """二十四 → 24, 一万二千 → 12000; None when ``s`` is not a Chinese numeral."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_VAL:
            digit = _CN_VAL[ch]
        elif ch in _CN_UNIT:
            unit = _CN_UNIT[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return total + section + (digit or 0)
