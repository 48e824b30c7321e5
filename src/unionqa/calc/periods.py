"""Rules of the kinds counted in hours, months and dates: overtime pay, the probation limit and
the arbitration time limit (``Run`` is in ``run``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .run import (
    ARB,
    HOURS,
    LCL,
    LL,
    Outcome,
    Run,
    cn_date,
    fmt,
    num,
    one_year_on,
)

_DAYS_PER_MONTH = Decimal("21.75")
_RATES = {"workday": Decimal("1.5"), "rest_day": Decimal(2), "holiday": Decimal(3)}


def overtime_pay(run: Run) -> Outcome:
    v = run.v
    day_type: str | None = v.get("day_type")
    off: bool | None = v.get("time_off_in_lieu")
    if "hours" not in v:
        run.missing.append("hours")
    if day_type is None:
        run.missing.append("day_type")
    if not any(k in v for k in ("hourly_wage", "daily_wage", "monthly_wage")):
        run.missing.append("hourly_wage")
    if run.missing:
        run.step(
            LL,
            "第四十四条",
            "工作日延长工作时间支付不低于工资150%的报酬；休息日工作又不能安排补休的支付不低于200%；"
            "法定休假日工作的支付不低于300%",
            "extended hours on a working day are paid at least 150% of the wage; work on a "
            "rest day without time off in lieu at least 200%; work on a statutory holiday "
            "at least 300%",
        )
        return None
    hours: Decimal = v["hours"]
    if "hourly_wage" in v:
        hourly: Decimal = v["hourly_wage"]
        basis_zh, basis_en = f"时薪{fmt(hourly)}元", f"hourly wage {fmt(hourly)} yuan"
    elif "daily_wage" in v:
        hourly = v["daily_wage"] / 8
        run.step(
            HOURS,
            "第三条",
            f"每日工作8小时：时薪＝日工资{fmt(v['daily_wage'])}元÷8＝{fmt(hourly)}元",
            f"a working day is 8 hours: hourly wage = {fmt(v['daily_wage'])} / 8 = "
            f"{fmt(hourly)} yuan",
        )
        basis_zh, basis_en = f"时薪{fmt(hourly)}元", f"hourly wage {fmt(hourly)} yuan"
    else:
        monthly: Decimal = v["monthly_wage"]
        hourly = monthly / _DAYS_PER_MONTH / 8
        run.step(
            HOURS,
            "第三条",
            f"每日工作8小时；月工资按每月21.75个计薪日折算：时薪＝{fmt(monthly)}元÷21.75÷8≈{fmt(hourly)}元",
            f"a working day is 8 hours and a month has 21.75 paid days: hourly wage = "
            f"{fmt(monthly)} / 21.75 / 8 = {fmt(hourly)} yuan",
        )
        run.note(
            "月计薪天数21.75天出自原劳动和社会保障部《关于职工全年月平均工作时间和工资折算问题的通知》"
            "（劳社部发〔2008〕3号），这份文件不在本系统的文档中；当地对加班工资基数另有规定的，以当地为准。",
            "The 21.75 paid days a month come from the Ministry notice 劳社部发〔2008〕3号, which is "
            "not among the indexed documents; where local rules set another overtime base, they apply.",
        )
        basis_zh, basis_en = f"时薪约{fmt(hourly)}元", f"hourly wage about {fmt(hourly)} yuan"
    assert day_type is not None
    rate = _RATES[day_type]
    item = {"workday": "（一）", "rest_day": "（二）", "holiday": "（三）"}[day_type]
    if day_type == "rest_day" and off:
        run.step(
            LL,
            "第四十四条",
            f"第{item}项：休息日工作、已安排补休的，不支付200%的加班工资（补休应与加班时长相当）",
            "item (2): rest-day work compensated by time off in lieu is not paid at 200% "
            "(the time off should match the hours worked)",
        )
        return (
            0,
            run.t("元", "yuan"),
            run.t(
                f"已安排补休，不另付休息日加班费（{fmt(hours)}小时应补休相同时长）",
                f"time off in lieu was given, so no rest-day overtime pay is owed ({fmt(hours)} hours of time off)",
            ),
        )
    total = hours * hourly * rate
    pct = int(rate * 100)
    what_zh = {
        "workday": "工作日延长工作时间",
        "rest_day": "休息日工作又不能安排补休",
        "holiday": "法定休假日工作",
    }[day_type]
    what_en = {
        "workday": "extended hours on a working day",
        "rest_day": "rest-day work without time off in lieu",
        "holiday": "work on a statutory holiday",
    }[day_type]
    run.step(
        LL,
        "第四十四条",
        f"第{item}项：{what_zh}，支付不低于工资{pct}%的报酬："
        f"{fmt(hours)}小时×{fmt(hourly)}元×{pct}%＝{fmt(total)}元",
        f"item ({'一二三'.index(item[1]) + 1}): "
        f"{what_en} is paid at least {pct}% of the wage: {fmt(hours)} h x {fmt(hourly)} "
        f"yuan x {pct}% = {fmt(total)} yuan",
    )
    if day_type == "holiday" and off:
        run.note(
            "法定休假日加班，安排补休不能代替300%的加班工资。",
            "Time off in lieu does not replace the 300% pay for work on a statutory holiday.",
        )
    if day_type == "workday" and off:
        run.note(
            "工作日延长工作时间应支付150%的加班工资，法律没有规定可以用补休代替。",
            "Extended hours on a working day are paid at 150%; the law does not let time off replace that pay.",
        )
    if day_type == "rest_day" and off is None:
        run.note(
            "如果公司为这次休息日加班安排了同等时长的补休，就不再支付200%的加班工资。",
            "If the employer gives equal time off in lieu for the rest-day work, the 200% pay is not owed.",
        )
    return (
        num(total),
        run.t("元", "yuan"),
        run.t(
            f"加班费至少{fmt(total)}元（{fmt(hours)}小时×{basis_zh}×{pct}%）",
            f"overtime pay of at least {fmt(total)} yuan ({fmt(hours)} h x {basis_en} x {pct}%)",
        ),
    )


def probation_limit(run: Run) -> Outcome:
    v = run.v
    run.step(
        LCL,
        "第十九条",
        "第二款：同一用人单位与同一劳动者只能约定一次试用期",
        "second paragraph: the same employer may set only one probation for the same worker",
    )
    if v.get("task_based"):
        limit = Decimal(0)
        run.step(
            LCL,
            "第十九条",
            "第三款：以完成一定工作任务为期限的劳动合同，不得约定试用期",
            "third paragraph: a contract that ends when a task is done may have no probation",
        )
    elif v.get("open_ended"):
        limit = Decimal(6)
        run.step(
            LCL,
            "第十九条",
            "第一款：无固定期限的劳动合同，试用期不得超过六个月",
            "first paragraph: an open-ended contract may have at most six months' probation",
        )
    elif "contract_months" in v or "contract_years" in v:
        term = v["contract_months"] if "contract_months" in v else v["contract_years"] * 12
        term_zh = f"{fmt(term)}个月" if "contract_months" in v else f"{fmt(v['contract_years'])}年"
        term_en = (
            f"{fmt(term)} months" if "contract_months" in v else f"{fmt(v['contract_years'])} years"
        )
        if term < 3:
            limit = Decimal(0)
            rule_zh, rule_en = (
                "第三款：劳动合同期限不满三个月的，不得约定试用期",
                "third paragraph: under three months, no probation",
            )
        elif term < 12:
            limit = Decimal(1)
            rule_zh, rule_en = (
                "三个月以上不满一年的，试用期不得超过一个月",
                "three months to under a year: at most one month",
            )
        elif term < 36:
            limit = Decimal(2)
            rule_zh, rule_en = (
                "一年以上不满三年的，试用期不得超过二个月",
                "one to under three years: at most two months",
            )
        else:
            limit = Decimal(6)
            rule_zh, rule_en = (
                "三年以上固定期限的，试用期不得超过六个月",
                "three years or more: at most six months",
            )
        run.step(
            LCL, "第十九条", f"合同期限{term_zh}：{rule_zh}", f"a term of {term_en}; {rule_en}"
        )
    else:
        run.missing.append("contract_months")
        run.step(
            LCL,
            "第十九条",
            "合同三个月以上不满一年的试用期不超过一个月，一年以上不满三年的不超过二个月，"
            "三年以上固定期限和无固定期限的不超过六个月；不满三个月或以完成一定工作任务为期限的不得约定试用期",
            "three months to under a year: at most one month's probation; one to under "
            "three years: two months; three years or more, or open-ended: six months; "
            "under three months or task-based: none",
        )
        _probation_pay(run)
        return None
    if limit:
        _probation_pay(run)
    run.note(
        "试用期包含在劳动合同期限内；劳动合同仅约定试用期的，试用期不成立，该期限为劳动合同期限（劳动合同法第十九条第四款）。"
        "超过法定上限的试用期，用人单位应按转正工资向您支付赔偿金（劳动合同法第八十三条）。",
        "Probation is part of the contract term; a contract that sets only a probation has no "
        "probation, and that period is the contract term (Article 19, fourth paragraph). For "
        "probation beyond the limit the employer owes compensation at the full wage (Article 83).",
    )
    if limit == 0:
        return 0, run.t("个月", "months"), run.t("不得约定试用期", "no probation may be set")
    return (
        num(limit),
        run.t("个月", "months"),
        run.t(
            f"试用期最长{fmt(limit)}个月",
            f"probation of at most {fmt(limit)} month{'s' * (limit != 1)}",
        ),
    )


def _probation_pay(run: Run) -> None:
    wage: Decimal | None = run.v.get("monthly_wage")
    low: Decimal | None = run.v.get("local_min_wage")
    if wage is None:
        run.step(
            LCL,
            "第二十条",
            "试用期工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之八十，并不得低于当地最低工资标准",
            "probation pay may not be below the lowest grade for the same post or 80% of "
            "the contract wage, nor below the local minimum wage",
        )
        return
    floor = wage * Decimal("0.8")
    zh = f"试用期工资不得低于约定工资{fmt(wage)}元的80%，即{fmt(floor)}元（或本单位相同岗位最低档工资）"
    en = (
        f"probation pay may not be below 80% of the contract wage of {fmt(wage)} yuan, i.e. "
        f"{fmt(floor)} yuan (or the lowest grade for the same post)"
    )
    if low is not None:
        zh += f"，并不得低于当地最低工资标准{fmt(low)}元：至少{fmt(max(floor, low))}元"
        en += f", nor below the local minimum wage of {fmt(low)} yuan: at least {fmt(max(floor, low))} yuan"
    else:
        zh += "，并不得低于当地最低工资标准"
        en += ", nor below the local minimum wage"
    run.step(LCL, "第二十条", zh, en)


def arbitration_deadline(run: Run) -> Outcome:
    v = run.v
    known: date | None = v.get("known_date")
    end: date | None = v.get("end_date")
    employed: bool | None = v.get("still_employed")
    arrears = bool(v.get("wage_arrears"))
    start: date | None = None
    if arrears:
        if employed:
            run.step(
                ARB,
                "第二十七条",
                "第四款：劳动关系存续期间因拖欠劳动报酬发生争议的，申请仲裁不受一年仲裁时效期间的限制；"
                "但劳动关系终止的，应当自终止之日起一年内提出",
                "fourth paragraph: a dispute over unpaid wages while the employment lasts is "
                "not bound by the one-year limit; once it ends, apply within one year of the end",
            )
            run.note(
                "您仍在职，追讨欠薪目前不受一年时效限制；离职后要在劳动关系终止之日起一年内申请仲裁。",
                "While you are still employed, a claim for unpaid wages has no one-year limit; "
                "after the job ends, apply within one year of the end.",
            )
            return None
        if end is None:
            run.missing.append("end_date" if employed is False else "still_employed")
        else:
            start = end
            run.step(
                ARB,
                "第二十七条",
                f"第四款：拖欠劳动报酬的争议，劳动关系终止的，应当自终止之日（{cn_date(end)}）起一年内提出",
                f"fourth paragraph: for unpaid wages after the employment ended, apply within "
                f"one year of the end ({end.isoformat()})",
            )
    elif known is not None or end is not None:
        start = known if known is not None else end
        assert start is not None
        if known is None:
            run.step(
                ARB,
                "第二十七条",
                f"第一款：时效期间一年，从知道或应当知道权利被侵害之日起计算；没有给出这一日期，"
                f"按劳动关系终止之日（{cn_date(start)}）计",
                f"first paragraph: one year from the day you knew or should have known of "
                f"the infringement; that day was not given, so the end of the employment "
                f"({start.isoformat()}) is used",
            )
        else:
            run.step(
                ARB,
                "第二十七条",
                f"第一款：时效期间一年，从知道或应当知道权利被侵害之日（{cn_date(start)}）起计算",
                f"first paragraph: one year from the day you knew or should have known of "
                f"the infringement ({start.isoformat()})",
            )
    else:
        run.missing.append("known_date")
    if start is None:
        run.step(
            ARB,
            "第二十七条",
            "劳动争议申请仲裁的时效期间为一年，从知道或者应当知道其权利被侵害之日起计算；拖欠劳动报酬的，"
            "在职期间不受此限，劳动关系终止的自终止之日起一年内提出",
            "the time limit is one year from the day you knew or should have known of the "
            "infringement; unpaid wages have no limit while employed and one year from "
            "the end of the employment",
        )
        return None
    last = one_year_on(start)
    today = run.today or date.today()
    left = (last - today).days
    run.step(
        ARB,
        "第二十七条",
        f"一年期间的最后一天是{cn_date(last)}（{last.isoformat()}）",
        f"the last day of the one-year period is {last.isoformat()}",
    )
    run.note(
        "期间按民法典第二百零一条、第二百零二条计算：起算当日不计入，一年后的对应日为最后一天（没有对应日的为月末）；"
        "最后一天是法定休假日的，顺延到休假日结束的次日。民法典不在本系统的文档中。",
        "The period is counted as the Civil Code (Articles 201-203) does: the first day is not "
        "counted, the same date a year later is the last day (the month's last day if there is "
        "none), moved past a public holiday. The Civil Code is not among the indexed documents.",
    )
    run.note(
        "时效会因向对方主张权利、向有关部门请求救济或对方同意履行而中断，从中断时起重新计算；"
        "因不可抗力等正当理由不能申请的，时效中止（劳动争议调解仲裁法第二十七条第二款、第三款）。",
        "The limit restarts when you claim your right from the employer, seek help from an "
        "authority, or the employer agrees to pay, and is suspended by force majeure "
        "(Article 27, second and third paragraphs).",
    )
    when_zh = f"距今天还有{left}天" if left >= 0 else f"按今天计已过{-left}天"
    when_en = f"{left} days from today" if left >= 0 else f"{-left} days ago"
    return (
        left,
        run.t("天", "days"),
        run.t(
            f"最迟在{cn_date(last)}（{last.isoformat()}）前申请仲裁，{when_zh}",
            f"apply for arbitration by {last.isoformat()} at the latest ({when_en})",
        ),
    )
