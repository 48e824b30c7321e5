"""Rules of the leave kinds: maternity leave and paid annual leave (``Run`` is in ``run``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import UsageError
from .run import FEMALE, LEAVE, LEAVE_MEAS, Outcome, Run, fmt, num


def maternity_leave(run: Run) -> Outcome:
    v = run.v
    unit = run.t("天", "days")
    mis: Decimal | None = v.get("miscarriage_months")
    if mis is not None:
        days = 15 if mis < 4 else 42
        cond_zh = "未满4个月" if mis < 4 else "满4个月"
        cond_en = "less than four months" if mis < 4 else "four months or more"
        run.step(
            FEMALE,
            "第七条",
            f"第二款：怀孕{cond_zh}流产的，享受{days}天产假（您怀孕{fmt(mis)}个月）",
            f"second paragraph: a miscarriage at {cond_en} of pregnancy gives {days} days "
            f"({fmt(mis)} months here)",
        )
        if "babies" in v or "difficult_birth" in v:
            run.note(
                "流产时按第七条第二款计算，婴儿数和难产不适用。",
                "For a miscarriage the second paragraph applies; babies and difficult birth do not.",
            )
        text = run.t(f"流产产假{days}天", f"{days} days of leave after the miscarriage")
    else:
        babies: int = v.get("babies", 1)
        hard = bool(v.get("difficult_birth"))
        days = 98
        run.step(
            FEMALE,
            "第七条",
            "女职工生育享受98天产假，其中产前可以休假15天",
            "a birth gives 98 days of maternity leave, of which 15 may be taken before the birth",
        )
        parts_zh, parts_en = ["98天"], ["98"]
        if hard:
            days += 15
            parts_zh.append("难产15天")
            parts_en.append("15 for a difficult birth")
            run.step(FEMALE, "第七条", "难产的，增加产假15天", "a difficult birth adds 15 days")
            run.note(
                "剖宫产等是否按难产计，以医院诊断和当地规定为准。",
                "Whether a caesarean counts as a difficult birth depends on the hospital's "
                "diagnosis and local rules.",
            )
        if babies > 1:
            extra = 15 * (babies - 1)
            days += extra
            parts_zh.append(f"多生育{babies - 1}个婴儿{extra}天")
            parts_en.append(f"{extra} for {babies - 1} more bab{'ies' if babies > 2 else 'y'}")
            run.step(
                FEMALE,
                "第七条",
                f"生育多胞胎的，每多生育1个婴儿增加产假15天：{babies - 1}×15＝{extra}天",
                f"each additional baby adds 15 days: {babies - 1} x 15 = {extra} days",
            )
        detail_zh = f"（{'＋'.join(parts_zh)}）" if len(parts_zh) > 1 else ""
        detail_en = f" ({' + '.join(parts_en)})" if len(parts_en) > 1 else ""
        text = run.t(
            f"产假{days}天{detail_zh}，其中产前可休15天",
            f"{days} days of maternity leave{detail_en}, up to 15 of them before the birth",
        )
    run.note(
        "这是国家规定的天数；各省的人口与计划生育条例通常另外增加产假（如延长产假、奖励假），请查当地规定。",
        "This is the national minimum; provincial family-planning regulations usually add more "
        "leave, so check the local rules.",
    )
    return days, unit, text


def annual_leave(run: Run) -> Outcome:
    v = run.v
    if "total_work_years" not in v:
        run.missing.append("total_work_years")
        run.step(
            LEAVE,
            "第三条",
            "累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，10天；已满20年的，15天",
            "1 to under 10 years of total work: 5 days; 10 to under 20: 10 days; 20 or more: 15 days",
        )
        return None
    yrs: Decimal = v["total_work_years"]
    entitled = 0 if yrs < 1 else 5 if yrs < 10 else 10 if yrs < 20 else 15
    tier_zh = {
        0: "累计工作不满1年，还没有年休假",
        5: "累计工作已满1年不满10年的，年休假5天",
        10: "已满10年不满20年的，年休假10天",
        15: "已满20年的，年休假15天",
    }[entitled]
    tier_en = {
        0: "under one year of total work gives no annual leave yet",
        5: "1 to under 10 years of total work: 5 days",
        10: "10 to under 20 years: 10 days",
        15: "20 years or more: 15 days",
    }[entitled]
    run.step(
        LEAVE,
        "第三条",
        f"累计工作{fmt(yrs)}年：{tier_zh}",
        f"{fmt(yrs)} years of total work; {tier_en}",
    )
    run.note(
        "累计工作时间包括在不同用人单位工作的时间；新进单位的当年按剩余日历天数折算，"
        "请长病假、事假等可能不享受当年年休假（带薪年休假实施办法第四条、第五条，年休假条例第四条）。",
        "Total work counts all employers; in the first year with a new employer the days are "
        "pro-rated, and long sick or personal leave may forfeit the year's leave (Measures "
        "Articles 4-5, Regulations Article 4).",
    )
    days_txt = run.t(f"每年带薪年休假{entitled}天", f"{entitled} days of paid annual leave a year")
    joined: date | None = v.get("join_date")
    this_year = run.today.year if run.today else joined.year if joined else 0
    if joined is not None and entitled and joined.year >= this_year:  # a new employer's first year
        left = (date(joined.year, 12, 31) - joined).days + 1
        share = Decimal(left) / Decimal(365) * entitled
        run.step(
            LEAVE_MEAS,
            "第五条",
            f"{joined.year}年{joined.month}月{joined.day}日新进本单位，当年剩余日历天数{left}天："
            f"{left}÷365×{entitled}天≈{fmt(share)}天，不足1整天的部分不享受，当年{int(share)}天",
            f"joined on {joined.isoformat()}, {left} calendar days left in the year: {left} / 365 x "
            f"{entitled} = {fmt(share)} days; a part day does not count, so {int(share)} days",
        )
        days_txt = run.t(
            f"新进本单位的{joined.year}年带薪年休假{int(share)}天（之后每年{entitled}天）",
            f"{int(share)} days of paid annual leave in {joined.year}, the year you joined "
            f"({entitled} a year after that)",
        )
        entitled = int(share)
        if entitled == 0:
            return 0, run.t("天", "days"), days_txt
    daily: Decimal | None = v.get("daily_wage")
    if entitled == 0 or (daily is None and "monthly_wage" not in v):
        if "untaken_days" in v and entitled == 0:
            raise UsageError("累计工作不满1年，没有年休假，应休未休天数（untaken_days）无从计算")
        return (
            entitled,
            run.t("天", "days"),
            days_txt
            if entitled
            else run.t(
                "累计工作不满1年，还没有带薪年休假",
                "no paid annual leave yet (under one year of work)",
            ),
        )
    if daily is None:
        monthly: Decimal = v["monthly_wage"]
        daily = monthly / Decimal("21.75")
        run.step(
            LEAVE_MEAS,
            "第十一条",
            f"日工资＝月工资{fmt(monthly)}元÷21.75天≈{fmt(daily)}元",
            f"the daily wage is the monthly wage / 21.75 days: {fmt(monthly)} / 21.75 = {fmt(daily)} yuan",
        )
    untaken: Decimal | None = v.get("untaken_days")
    if untaken is None:
        untaken = Decimal(entitled)
        assume_zh, assume_en = (
            f"（按{entitled}天全部未休计）",
            f" (all {entitled} days assumed untaken)",
        )
    else:
        if untaken > entitled:
            raise UsageError(f"应休未休天数（untaken_days）{fmt(untaken)}天多于应休的{entitled}天")
        assume_zh = assume_en = ""
    run.step(
        LEAVE,
        "第五条",
        f"应休未休的年休假天数，按日工资收入的300%支付年休假工资报酬{assume_zh}",
        f"untaken days are paid at 300% of the daily wage{assume_en}",
    )
    extra = untaken * daily * 2
    run.step(
        LEAVE_MEAS,
        "第十条",
        f"300%中包含正常工作期间照发的工资，所以另付200%：{fmt(untaken)}天×{fmt(daily)}元×200%＝{fmt(extra)}元",
        f"the 300% includes the normal wage already paid, so 200% is added: {fmt(untaken)} "
        f"days x {fmt(daily)} yuan x 200% = {fmt(extra)} yuan",
    )
    return (
        num(extra),
        run.t("元", "yuan"),
        run.t(
            f"{days_txt}；未休的{fmt(untaken)}天应另付{fmt(extra)}元（日工资{fmt(daily)}元×200%×{fmt(untaken)}天，300%中已含照发的正常工资）",
            f"{days_txt}; the {fmt(untaken)} untaken days add {fmt(extra)} yuan ({fmt(daily)} yuan x "
            f"200% x {fmt(untaken)}; the 300% includes the normal wage)",
        ),
    )
