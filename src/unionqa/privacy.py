"""Redaction of personal data in workers' questions (after China's PIPL), applied before anything
is logged or sent to an external model: mobile phone numbers, resident ID-card numbers
(checksum-aware), bank-card numbers (Luhn) and e-mail addresses."""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
ID_RE = re.compile(
    r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])"
)
PHONE_RE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
CARD_RE = re.compile(r"(?<![0-9])(?:\d[ -]?){12,18}\d(?![0-9])")
PLACEHOLDER_RE = re.compile(r"\[(?:电话|身份证号|银行卡号|邮箱)\]")
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。）)]+", re.I)


def id_checksum_ok(number: str) -> bool:
    """GB 11643 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def redact(text: str) -> str:
    """Replace personal numbers and addresses with placeholders; other text is untouched."""
    text = EMAIL_RE.sub("[邮箱]", text)
    text = ID_RE.sub(lambda m: "[身份证号]" if id_checksum_ok(m.group(0)) else m.group(0), text)
    text = PHONE_RE.sub("[电话]", text)

    def card(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return "[银行卡号]" if 13 <= len(digits) <= 19 and luhn_ok(digits) else m.group(0)

    return CARD_RE.sub(card, text)


def without_placeholders(text: str) -> str:
    """A redacted question as search input: the placeholders carry no meaning to match."""
    return PLACEHOLDER_RE.sub(" ", text)


def contains_personal_data(text: str) -> bool:
    return redact(text) != text
