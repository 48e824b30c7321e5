"""Each calculator kind: its names, inputs and the articles it rests on."""

from __future__ import annotations

from typing import Any

from .models import InputSpec, InputType, KindSpec
from .run import ARB, FEMALE, HOURS, LCL, LCL_REG, LEAVE, LEAVE_MEAS, LL


def _in(name: str, type_: InputType, zh: str, en: str, unit: str = "", **kw: Any) -> InputSpec:
    return InputSpec(name=name, type=type_, label_zh=zh, label_en=en, unit=unit, **kw)


_SERVICE = (
    _in("start_date", "date", "入职日期", "start date"),
    _in("end_date", "date", "离职日期（最后工作日）", "end date (last day of work)"),
    _in("years", "integer", "工作年数", "years of service", "年", maximum=80),
    _in("months", "integer", "另有的月数", "further months", "个月", maximum=960),
)
_WAGE = _in("monthly_wage", "number", "月工资", "monthly wage", "元", positive=True)
_AVG = _in(
    "local_avg_wage",
    "number",
    "当地上年度职工月平均工资",
    "local average monthly wage",
    "元",
    positive=True,
)
_MIN = _in(
    "local_min_wage", "number", "当地最低工资标准", "local minimum wage", "元", positive=True
)
_DAILY = _in("daily_wage", "number", "日工资", "daily wage", "元", positive=True)
_SERVICE_ONE_OF = (("start_date", "end_date"), ("years", "months"))

KINDS: dict[str, KindSpec] = {
    k.name: k
    for k in (
        KindSpec(
            name="severance",
            name_zh="经济补偿",
            name_en="severance pay",
            inputs=(*_SERVICE, _WAGE, _AVG, _MIN),
            articles=((LCL, "第四十六条"), (LCL, "第四十七条"), (LCL_REG, "第二十七条")),
            needs=((LCL, "第四十六条"), (LCL, "第四十七条"), (LCL_REG, "第二十七条")),
            one_of=_SERVICE_ONE_OF,
        ),
        KindSpec(
            name="unlawful_termination",
            name_zh="违法解除赔偿金",
            name_en="damages for unlawful termination",
            # owed only if the dismissal is found unlawful; a lawful one gives severance
            condition_zh="如果属于违法解除，赔偿金为",
            condition_en="if the dismissal is found unlawful, the damages are ",
            inputs=(*_SERVICE, _WAGE, _AVG, _MIN),
            articles=(
                (LCL, "第八十七条"),
                (LCL, "第四十七条"),
                (LCL_REG, "第二十七条"),
                (LCL_REG, "第二十五条"),
            ),
            needs=(
                (LCL, "第八十七条"),
                (LCL, "第四十七条"),
                (LCL_REG, "第二十七条"),
                (LCL_REG, "第二十五条"),
            ),
            one_of=_SERVICE_ONE_OF,
        ),
        KindSpec(
            name="notice_pay",
            name_zh="代通知金",
            name_en="pay in lieu of notice",
            inputs=(
                _in(
                    "monthly_wage",
                    "number",
                    "上一个月的工资",
                    "last month's wage",
                    "元",
                    positive=True,
                ),
            ),
            articles=((LCL, "第四十条"), (LCL_REG, "第二十条")),
            needs=((LCL, "第四十条"), (LCL_REG, "第二十条")),
        ),
        KindSpec(
            name="no_contract_double_wage",
            name_zh="未签书面劳动合同二倍工资",
            name_en="double wages without a written contract",
            inputs=(
                _in(
                    "months_without_contract",
                    "number",
                    "未签书面合同的月数（从用工之日起）",
                    "months worked without a written contract",
                    "个月",
                    required=True,
                    maximum=1200,
                ),
                _WAGE,
            ),
            articles=(
                (LCL, "第八十二条"),
                (LCL_REG, "第六条"),
                (LCL_REG, "第七条"),
                (LCL, "第十四条"),
            ),
            needs=((LCL, "第八十二条"), (LCL_REG, "第六条")),
        ),
        KindSpec(
            name="overtime_pay",
            name_zh="加班费",
            name_en="overtime pay",
            inputs=(
                _in(
                    "hours",
                    "number",
                    "加班小时数",
                    "overtime hours",
                    "小时",
                    required=True,
                    positive=True,
                ),
                _in(
                    "day_type",
                    "choice",
                    "加班日类型",
                    "kind of day",
                    required=True,
                    choices=("workday", "rest_day", "holiday"),
                    choices_zh=("工作日延长工作时间", "休息日", "法定休假日"),
                ),
                _in("time_off_in_lieu", "boolean", "是否安排了补休", "time off in lieu given"),
                _in("hourly_wage", "number", "小时工资", "hourly wage", "元", positive=True),
                _DAILY,
                _WAGE,
            ),
            articles=((LL, "第四十四条"), (HOURS, "第三条")),
            needs=((LL, "第四十四条"),),
            one_of=(("hourly_wage",), ("daily_wage",), ("monthly_wage",)),
        ),
        KindSpec(
            name="probation_limit",
            name_zh="试用期上限",
            name_en="maximum probation",
            inputs=(
                _in(
                    "contract_months",
                    "number",
                    "劳动合同期限（月）",
                    "contract term in months",
                    "个月",
                    positive=True,
                    maximum=1200,
                ),
                _in(
                    "contract_years",
                    "number",
                    "劳动合同期限（年）",
                    "contract term in years",
                    "年",
                    positive=True,
                    maximum=100,
                ),
                _in("open_ended", "boolean", "是否无固定期限合同", "open-ended contract"),
                _in("task_based", "boolean", "是否以完成一定工作任务为期限", "task-based contract"),
                _WAGE,
                _MIN,
            ),
            articles=((LCL, "第十九条"), (LCL, "第二十条")),
            needs=((LCL, "第十九条"), (LCL, "第二十条")),
            one_of=(("contract_months",), ("contract_years",), ("open_ended",), ("task_based",)),
        ),
        KindSpec(
            name="maternity_leave",
            name_zh="产假天数",
            name_en="maternity leave",
            inputs=(
                _in("babies", "integer", "婴儿数", "number of babies", "个", minimum=1, maximum=10),
                _in("difficult_birth", "boolean", "是否难产", "difficult birth"),
                _in(
                    "miscarriage_months",
                    "number",
                    "流产时怀孕月数",
                    "months pregnant at miscarriage",
                    "个月",
                    positive=True,
                    maximum=10,
                ),
            ),
            articles=((FEMALE, "第七条"),),
            needs=((FEMALE, "第七条"),),
        ),
        KindSpec(
            name="arbitration_deadline",
            name_zh="仲裁时效",
            name_en="arbitration time limit",
            inputs=(
                _in(
                    "known_date",
                    "date",
                    "知道或应当知道权利被侵害的日期",
                    "date you knew (or should have known) of the infringement",
                ),
                _in("end_date", "date", "劳动关系终止日期", "date the employment ended"),
                _in("still_employed", "boolean", "是否仍在职", "still employed"),
                _in("wage_arrears", "boolean", "是否为拖欠工资争议", "dispute over unpaid wages"),
            ),
            articles=((ARB, "第二十七条"),),
            needs=((ARB, "第二十七条"),),
        ),
        KindSpec(
            name="annual_leave",
            name_zh="带薪年休假",
            name_en="paid annual leave",
            inputs=(
                _in(
                    "total_work_years",
                    "number",
                    "累计工作年限",
                    "total years of work",
                    "年",
                    required=True,
                    maximum=80,
                ),
                _in("untaken_days", "number", "应休未休天数", "untaken leave days", "天"),
                _in("join_date", "date", "当年新进本单位的日期", "date you joined this employer"),
                _DAILY,
                _WAGE,
            ),
            articles=(
                (LEAVE, "第三条"),
                (LEAVE, "第五条"),
                (LEAVE_MEAS, "第五条"),
                (LEAVE_MEAS, "第十条"),
                (LEAVE_MEAS, "第十一条"),
            ),
            needs=((LEAVE, "第三条"),),
        ),
    )
}


# ---------------------------------------------------------------- input coercion
