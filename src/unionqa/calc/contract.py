"""The rule of 未签书面劳动合同的二倍工资 (劳动合同法第八十二条, 实施条例第六条、第七条)."""

from __future__ import annotations

from decimal import Decimal

from .pay import _amount_result
from .run import LCL, LCL_REG, Outcome, Run, fmt


def no_contract_double_wage(run: Run) -> Outcome:
    n: Decimal | None = run.v.get("months_without_contract")
    run.step(
        LCL,
        "第八十二条",
        "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当每月支付二倍的工资",
        "an employer that has not signed a written contract more than one month and less "
        "than a year after work began pays double wages for each month",
    )
    if n is None:
        run.missing.append("months_without_contract")
        run.step(
            LCL_REG,
            "第六条",
            "二倍工资从用工满一个月的次日起算，到补订书面合同的前一日为止",
            "double wages run from the day after the first month of work until the day "
            "before a written contract is signed",
        )
        return None
    extra = min(max(n - 1, Decimal(0)), Decimal(11))
    if n <= 1:
        run.step(
            LCL_REG,
            "第六条",
            f"二倍工资从用工满一个月的次日起算；您未签合同{fmt(n)}个月，还没有超过一个月，没有二倍工资",
            f"double wages start the day after the first month; {fmt(n)} month(s) without a "
            "contract is not more than one month, so none are owed",
        )
    else:
        run.step(
            LCL_REG,
            "第六条",
            f"二倍工资从用工满一个月的次日起算，第一个月不计；未签合同{fmt(n)}个月，"
            f"另付{fmt(extra)}个月工资",
            f"double wages start the day after the first month, which does not count; "
            f"{fmt(n)} months without a contract give {fmt(extra)} extra months' wages",
        )
    if n >= 12:
        run.step(
            LCL_REG,
            "第七条",
            "满一年仍未订立书面合同的，二倍工资只算到满一年的前一日，即最多11个月；"
            "并视为自满一年的当日起已订立无固定期限劳动合同",
            "after a full year without a written contract, double wages run only to the "
            "day before the year is complete (at most 11 months), and an open-ended "
            "contract is deemed concluded on the anniversary",
        )
        run.step(
            LCL,
            "第十四条",
            "第三款：自用工之日起满一年不与劳动者订立书面劳动合同的，视为已订立无固定期限劳动合同",
            "third paragraph: a year without a written contract means an open-ended "
            "contract is deemed concluded",
        )
        run.note(
            "用工已满一年：视为已订立无固定期限劳动合同，公司应当立即补订书面合同；此后不能以未签合同为由无故终止。",
            "A full year has passed: an open-ended contract is deemed concluded and the employer "
            "must sign it in writing now; it cannot end the job just because nothing was signed.",
        )
    run.note(
        "二倍工资差额的仲裁时效各地掌握不一，建议尽早申请劳动仲裁（劳动争议调解仲裁法第二十七条）。",
        "Local practice on the time limit for the double-wage difference varies; apply for "
        "arbitration early (Labour Dispute Mediation and Arbitration Law Article 27).",
    )
    wage: Decimal | None = run.v.get("monthly_wage")
    if extra == 0:
        return (
            0,
            run.t("个月工资", "months' wages"),
            run.t("没有二倍工资差额", "no double wages are owed"),
        )
    return _amount_result(
        run,
        extra,
        wage,
        "月薪",
        "monthly wage",
        "（二倍工资中多出的一倍）",
        " (the extra half of the double wage)",
    )
