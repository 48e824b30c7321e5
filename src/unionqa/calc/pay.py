"""Rules of the kinds paid in months of wages: severance, damages for unlawful termination,
pay in lieu of notice and double wages without a written contract (``Run`` is in
``run``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..errors import UsageError
from .run import LCL, LCL_REG, Outcome, Run, cn_date, fmt, num, service_span


def _amount_result(
    run: Run,
    months: Decimal,
    wage: Decimal | None,
    wage_zh: str,
    wage_en: str,
    extra_zh: str = "",
    extra_en: str = "",
) -> Outcome:
    """ "5个月工资，按月薪8000元计为40000元", or the months alone when no wage is given."""
    if wage is None:
        return (
            num(months),
            run.t("个月工资", "months' wages"),
            run.wages(months) + run.t(extra_zh, extra_en),
        )
    total = months * wage
    text = run.t(
        f"{run.wages(months)}，按{wage_zh}{fmt(wage)}元计为{fmt(total)}元{extra_zh}",
        f"{run.wages(months)}; at a {wage_en} of {fmt(wage)} yuan that is {fmt(total)} yuan{extra_en}",
    )
    return num(total), run.t("元", "yuan"), text


# ---------------------------------------------------------------- severance and damages


def _service(run: Run) -> tuple[int, int, int] | None:
    """(full years, further months, further days) of service, or None with ``missing`` set."""
    v = run.v
    if "start_date" in v:
        start: date = v["start_date"]
        end: date | None = v.get("end_date")
        if end is None:
            if run.today is None:
                run.missing.append("end_date")
                return None
            end = run.today
            if end < start:
                raise UsageError(f"入职日期（start_date）{cn_date(start)}晚于今天{cn_date(end)}")
        if "years" in v or "months" in v:
            run.note(
                "同时给出了入职、离职日期和年数月数，按日期计算。",
                "Both dates and years/months were given; the dates are used.",
            )
        months, days = service_span(start, end)
        until = run.t(f"到{cn_date(end)}（含当天）", f"through {end.isoformat()} (inclusive)")
        if "end_date" not in v:
            until = run.t(f"到今天{cn_date(end)}（未给离职日期）", f"to today, {end.isoformat()}")
        run.step(
            LCL,
            "第四十七条",
            f"工作年限从{cn_date(start)}算{until}，共{_span_zh(months // 12, months % 12, days)}",
            f"service runs from {start.isoformat()} {until}: "
            f"{_span_en(months // 12, months % 12, days)}",
        )
        if start < date(2008, 1, 1):
            run.note(
                "您在2008年1月1日劳动合同法施行前就已入职：按劳动合同法第九十七条，施行前的年限按当时的规定计算，"
                "这里统一按第四十七条计算，仅供参考。",
                "You started before the Labour Contract Law took effect on 1 January 2008; under "
                "its Article 97 the years before then follow the rules of that time, so this "
                "figure, which applies Article 47 throughout, is only a guide.",
            )
        return months // 12, months % 12, days
    if "years" in v or "months" in v:
        if "end_date" in v:
            run.note(
                "只有离职日期（end_date）没有入职日期（start_date），按给出的年数和月数计算。",
                "Only an end date was given without a start date, so the years and months are used.",
            )
        total = v.get("years", 0) * 12 + v.get("months", 0)
        return total // 12, total % 12, 0
    run.missing.append("start_date" if "end_date" in v else "years")
    return None


def _span_zh(y: int, m: int, d: int) -> str:
    parts = [f"{y}年" if y else "", f"{m}个月" if m else "", f"{d}天" if d else ""]
    return "".join(parts) or "0天"


def _span_en(y: int, m: int, d: int) -> str:
    parts = [
        f"{y} year{'s' * (y != 1)}" if y else "",
        f"{m} month{'s' * (m != 1)}" if m else "",
        f"{d} day{'s' * (d != 1)}" if d else "",
    ]
    return " ".join(p for p in parts if p) or "0 days"


def _severance_standard(run: Run) -> tuple[Decimal, Decimal | None] | None:
    """Months of wages under 第四十七条 and the monthly wage they are paid at (None: not given)."""
    service = _service(run)
    if service is None:
        run.step(
            LCL,
            "第四十七条",
            "经济补偿按在本单位工作的年限，每满一年支付一个月工资；六个月以上不满一年的按一年计算；"
            "不满六个月的支付半个月工资",
            "severance is one month's wage for each full year of service; six months or "
            "more but less than a year count as a year; less than six months gives half a "
            "month's wage",
        )
        run.step(
            LCL_REG,
            "第二十七条",
            "月工资按解除或者终止前12个月的平均应得工资计算，包括计时或计件工资以及奖金、津贴和补贴",
            "the monthly wage is the average wage due over the 12 months before the contract "
            "ended, including bonuses, allowances and subsidies",
        )
        return None
    y, m, d = service
    if m >= 6:
        months = Decimal(y + 1)
        zh = (
            f"工作满{y}年，另有{_span_zh(0, m, d)}" if y else f"工作不满一年，有{_span_zh(0, m, d)}"
        )
        zh += f"（满六个月按一年计），计{fmt(months)}个月工资"
        en = (
            f"{_span_en(y, 0, 0)} of full service plus {_span_en(0, m, d)}"
            if y
            else f"less than a year: {_span_en(0, m, d)}"
        )
        en += f" (six months or more count as a year): {fmt(months)} months' wages"
    elif m or d:
        months = Decimal(y) + Decimal("0.5")
        zh = f"工作满{y}年，另有{_span_zh(0, m, d)}" if y else f"工作{_span_zh(0, m, d)}"
        zh += f"（不满六个月，支付半个月工资），计{fmt(months)}个月工资"
        en = (
            f"{_span_en(y, 0, 0)} of full service plus {_span_en(0, m, d)}"
            if y
            else f"{_span_en(0, m, d)} of service"
        )
        en += f" (less than six months gives half a month): {fmt(months)} months' wages"
    else:
        months = Decimal(y)
        zh = f"工作满{y}年，每满一年支付一个月工资，计{y}个月工资"
        en = f"{_span_en(y, 0, 0)} of full service, one month's wage each: {y} months' wages"
    run.step(LCL, "第四十七条", zh, en)

    wage: Decimal | None = run.v.get("monthly_wage")
    short = y == 0
    run.step(
        LCL_REG,
        "第二十七条",
        "月工资按解除或者终止前12个月的平均应得工资计算，包括计时或计件工资以及奖金、津贴和补贴"
        + ("（工作不满12个月的，按实际工作月数平均）" if short else "")
        + (
            f"；这里按您给出的月工资{fmt(wage)}元计"
            if wage is not None
            else "；没有给出月工资，结果按月数表示"
        ),
        "the monthly wage is the average wage due over the 12 months before the contract "
        "ended, including bonuses, allowances and subsidies"
        + (" (over the months actually worked, if fewer than 12)" if short else "")
        + (
            f"; the {fmt(wage)} yuan you gave is used"
            if wage is not None
            else "; no wage was given, so the result is in months"
        ),
    )
    low: Decimal | None = run.v.get("local_min_wage")
    if wage is not None and low is not None and wage < low:
        run.step(
            LCL_REG,
            "第二十七条",
            f"平均工资{fmt(wage)}元低于当地最低工资标准{fmt(low)}元，按最低工资标准{fmt(low)}元计算",
            f"the average wage of {fmt(wage)} yuan is below the local minimum wage of "
            f"{fmt(low)} yuan, so the minimum wage is used",
        )
        wage = low

    avg: Decimal | None = run.v.get("local_avg_wage")
    if wage is not None and avg is not None:
        cap = avg * 3
        if wage > cap:
            capped = min(months, Decimal(12))
            run.step(
                LCL,
                "第四十七条",
                f"第二款：月工资{fmt(wage)}元高于当地上年度职工月平均工资{fmt(avg)}元的三倍"
                f"（{fmt(cap)}元），按{fmt(cap)}元计，年限最多计十二年：计{fmt(capped)}个月工资",
                f"second paragraph: the wage of {fmt(wage)} yuan exceeds three times the "
                f"local average monthly wage of {fmt(avg)} yuan ({fmt(cap)} yuan), so "
                f"{fmt(cap)} yuan is used and at most twelve years count: "
                f"{fmt(capped)} months' wages",
            )
            wage, months = cap, capped
        else:
            run.step(
                LCL,
                "第四十七条",
                f"第二款：月工资{fmt(wage)}元不高于当地上年度职工月平均工资的三倍（{fmt(cap)}元），"
                "不封顶，年限也不限于十二年",
                f"second paragraph: the wage of {fmt(wage)} yuan does not exceed three times "
                f"the local average monthly wage ({fmt(cap)} yuan), so there is no cap "
                "and no twelve-year limit",
            )
    else:
        run.note(
            "如果月工资高于用人单位所在直辖市、设区的市上年度职工月平均工资的三倍，按三倍封顶，"
            "且年限最多计十二年（劳动合同法第四十七条第二款）；没有给出当地月平均工资（local_avg_wage），"
            "这里没有封顶。",
            "If the wage exceeds three times the local average monthly wage of the previous "
            "year, it is capped at three times that average and at most twelve years count "
            "(Labour Contract Law Article 47, second paragraph); no local average "
            "(local_avg_wage) was given, so no cap was applied.",
        )
    return months, wage


def severance(run: Run) -> Outcome:
    run.step(
        LCL,
        "第四十六条",
        "只有这些情形才有经济补偿：您因公司过错依第三十八条解除合同；公司提出并协商一致解除；"
        "公司依第四十条或第四十一条第一款解除；合同期满公司不续签（公司维持或提高条件而您不续签的除外）；"
        "公司破产、被吊销营业执照或提前解散等",
        "severance is owed only in these cases: you ended the contract for the employer's "
        "fault under Article 38; the employer proposed an agreed ending; the employer "
        "dismissed under Article 40 or Article 41(1); a fixed-term contract expired and "
        "was not renewed (unless you refused renewal on equal or better terms); the "
        "employer went bankrupt, lost its licence or dissolved early",
    )
    run.note(
        "请确认您的离职属于劳动合同法第四十六条的情形之一；您自己提出辞职、或因严重违纪被依第三十九条解除的，"
        "一般没有经济补偿。公司违法解除的，可以改要赔偿金（计算类型 unlawful_termination）。",
        "Please check that the ending is one of the cases in Article 46 of the Labour Contract "
        "Law; a plain resignation, or a dismissal for serious misconduct under Article 39, "
        "usually gives no severance. If the dismissal was unlawful, damages apply instead "
        "(kind unlawful_termination).",
    )
    std = _severance_standard(run)
    if std is None:
        return None
    months, wage = std
    if wage is not None:
        run.step(
            LCL,
            "第四十七条",
            f"经济补偿＝{fmt(months)}个月×{fmt(wage)}元＝{fmt(months * wage)}元",
            f"severance = {fmt(months)} months x {fmt(wage)} yuan = {fmt(months * wage)} yuan",
        )
    return _amount_result(run, months, wage, "月薪", "monthly wage")


def unlawful_termination(run: Run) -> Outcome:
    run.note(
        "赔偿金适用于用人单位违法解除或者终止劳动合同（如没有法定理由、程序违法）；是否违法要看解除的理由和程序。"
        "您也可以要求继续履行劳动合同（劳动合同法第四十八条）。",
        "Damages apply when the employer ended the contract unlawfully (no lawful ground, or "
        "an unlawful procedure); whether it did depends on the ground and the procedure. You "
        "may instead ask for the contract to continue (Labour Contract Law Article 48).",
    )
    std = _severance_standard(run)
    if std is None:
        run.step(
            LCL,
            "第八十七条",
            "违法解除或者终止劳动合同的，按第四十七条经济补偿标准的二倍支付赔偿金",
            "unlawful dismissal or termination gives damages of twice the Article 47 "
            "severance standard",
        )
        return None
    months, wage = std
    double = months * 2
    run.step(
        LCL,
        "第八十七条",
        f"赔偿金是经济补偿标准的二倍：{fmt(months)}个月×2＝{fmt(double)}个月工资",
        f"damages are twice the severance standard: {fmt(months)} x 2 = {fmt(double)} "
        "months' wages",
    )
    run.step(
        LCL_REG,
        "第二十五条",
        "支付了赔偿金的，不再另付经济补偿；赔偿金的年限自用工之日起计算",
        "once damages are paid no severance is added; the years count from the first day of work",
    )
    return _amount_result(
        run,
        double,
        wage,
        "月薪",
        "monthly wage",
        f"（经济补偿标准{fmt(months)}个月的二倍）",
        f" (twice the severance standard of {fmt(months)} months)",
    )


def notice_pay(run: Run) -> Outcome:
    run.step(
        LCL,
        "第四十条",
        "公司因您患病或非因工负伤医疗期满后不能工作、不能胜任工作经培训或调岗仍不能胜任、"
        "或客观情况重大变化未能协商变更合同而解除，没有提前三十日书面通知的，应额外支付一个月工资",
        "when the employer dismisses because you cannot work after the medical period, "
        "remain unfit after training or a new post, or the circumstances changed "
        "materially and no new terms were agreed, it must give 30 days' written notice or "
        "pay one extra month's wage",
    )
    wage: Decimal | None = run.v.get("monthly_wage")
    run.step(
        LCL_REG,
        "第二十条",
        "这一个月工资按您上一个月的工资标准确定"
        + (f"：{fmt(wage)}元" if wage is not None else "（没有给出上月工资，结果按月数表示）"),
        "that month's wage is the wage of the previous month"
        + (
            f": {fmt(wage)} yuan"
            if wage is not None
            else " (not given, so the result is in months)"
        ),
    )
    run.note(
        "这种解除同时还应支付经济补偿（劳动合同法第四十六条第三项，计算类型 severance）。",
        "Such a dismissal also gives severance (Labour Contract Law Article 46(3); kind severance).",
    )
    return _amount_result(run, Decimal(1), wage, "上月工资", "last month's wage")
