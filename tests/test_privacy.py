"""Redaction of personal data with generated values (checksum-valid IDs, Luhn-valid cards)."""

from __future__ import annotations

import random

import pytest

from unionqa.privacy import id_checksum_ok, luhn_ok, redact

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(rng: random.Random) -> str:
    body = f"{rng.randint(110000, 659000)}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _W, strict=True)) % 11]


def make_card(rng: random.Random, length: int) -> str:
    digits = [rng.randint(0, 9) for _ in range(length - 1)]
    for check in range(10):
        if luhn_ok("".join(map(str, digits + [check]))):
            return "".join(map(str, digits + [check]))
    raise AssertionError


@pytest.mark.parametrize("seed", range(20))
def test_generated_personal_numbers_are_redacted(seed):
    rng = random.Random(seed)
    ident, card = make_id(rng), make_card(rng, rng.choice([16, 19]))
    phone = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
    email = f"user{seed}@mail{seed}.cn"
    text = f"身份证{ident}，卡号{card}，手机{phone}，邮箱{email}，月薪3000元，2025年12月31日"
    out = redact(text)
    for secret in (ident, card, phone, email):
        assert secret not in out
    assert "3000元" in out and "2025年12月31日" in out
    assert id_checksum_ok(ident)


def test_numbers_that_are_not_personal_data_stay():
    assert (
        redact("第三十九条规定，每招聘1人不超过1500元，16-24岁")
        == "第三十九条规定，每招聘1人不超过1500元，16-24岁"
    )


def test_an_id_with_a_wrong_check_digit_is_not_an_id():
    rng = random.Random(1)
    good = make_id(rng)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert not id_checksum_ok(bad)


def test_phone_with_country_code_and_separators_is_redacted():
    assert "[电话]" in redact("打我电话 +86 139-1234-5678 谢谢")
