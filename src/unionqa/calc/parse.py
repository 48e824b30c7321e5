"""The figures a worker's question states, as calculator inputs.

``parse_inputs("我干了4年8个月，月薪八千，被裁员了", "severance")`` gives
``{"years": 4, "months": 8, "monthly_wage": 8000}``. Only what the question says is
returned (a phrase like 三年多 is too vague to give months and gives nothing); the result
goes to ``calculators.calculate``, which lists whatever is still missing. Dates come back as
ISO strings; a month without a day (入职2023年3月) is read as the first of that month.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from ..errors import UsageError
from ..text.numerals import cn_to_int
from .kinds import KINDS

_CN = "零〇一二两三四五六七八九十百千万"
_N = r"(?:\d{1,3}(?:\.\d+)?|[零〇一二两三四五六七八九十]{1,3})"  # a count: 4, 12, 十二, 两
_AMT = (
    r"(\d+(?:\.\d+)?(?:[万千kK](?:\d+|[一二两三四五六七八九])?千?)?"
    r"|[零〇一二两三四五六七八九十百千万]{1,8})"
)  # an amount: 8000, 1万2, 1.2万, 8k, 八千, 一万二
_FILL = r"(?:是|为|有|大概|大约|约|才|只有|税前|税后|每个?月|一个月|[:：\s])*"
_MONEY_END = r"(?:块钱|块|元|多)?"

_SERVICE_RE = re.compile(
    rf"(?<![\d.])(?P<y>{_N})年(?P<half>半)?(?:(?:零|又)?(?P<m>{_N})个月)?(?P<more>多)?"
)
_MONTHS_RE = re.compile(rf"(?<![\d年.])(?P<m>{_N})个(?P<more>多)?月")
_HALF_YEAR_RE = re.compile(r"(?<![一二两三四五六七八九十\d])半年")
_WORK_CTX = re.compile(
    r"(干|做|工作|上班|在职|入职|待|呆|服务|工龄|司龄|在这|在公司|在单位|来了|进来|来这|进厂)"
)
_DATE_RE = re.compile(
    r"(?<!\d)(\d{4})(?:年|-|/|\.)(\d{1,2})(?:(?:月|-|/|\.)(?:(\d{1,2})[日号]?)?)?"
)
_START_CTX = re.compile(
    r"入职|进(?:的)?公司|进(?:的)?厂|到岗|开始上班|开始工作|用工|进(?:的)?单位|上班|来的公司|来公司|跳槽|换到"
)
# the month a stretch ends in, without a year: 一直到10月底, 到十月份
_UNTIL_MONTH = re.compile(
    r"(?:到|至|直到)(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末|份|中)?"
)
_END_CTX = re.compile(r"离职|辞职|辞退|开除|解除|终止|裁员|被裁|劝退|走人|离开|合同到期|到期")
_KNOWN_CTX = re.compile(r"知道|发现|得知|告知|通知")
_NO_CONTRACT = re.compile(
    r"(?:没有?|未|不)(?:跟我|和我|与我)?签(?:订)?(?:书面)?(?:的)?(?:劳动)?合同"
)

_LOCAL_AVG_RE = re.compile(
    rf"(?:社平工资|社会平均工资|社平|(?:当地|本地|本市|全市|上年度|上一年度|上年)(?:职工)?月?平均工资"
    rf"|职工月平均工资){_FILL}{_AMT}{_MONEY_END}"
)
# the worker's own average (劳动合同法第四十七条: the 12 months before leaving): 前12个月平均工资
_OWN_AVG_RE = re.compile(
    rf"(?:(?:离职|解除|走)?前(?:十二|12|一年)个?月?的?|我的|我|月)?(?:月)?(?:平均|月均)工资{_FILL}{_AMT}{_MONEY_END}"
)
_LOCAL_MIN_RE = re.compile(rf"最低工资(?:标准)?{_FILL}{_AMT}{_MONEY_END}")
_HOURLY_RE = re.compile(rf"(?:时薪|每小时|一小时|小时工资){_FILL}{_AMT}{_MONEY_END}")
_DAILY_RE = re.compile(
    rf"(?:日薪|日工资){_FILL}{_AMT}{_MONEY_END}|(?:每天|一天)(?:工资)?{_FILL}{_AMT}(?:块钱|块|元)"
)
_MONTHLY_RE = re.compile(
    rf"(?:月薪|月工资|月收入|月入|底薪|工资|薪水|薪资|收入|每个?月|一个月){_FILL}{_AMT}{_MONEY_END}"
)
_OTHER_MONEY_RE = re.compile(
    rf"(?:加班工资|加班费|试用期工资|补偿金?|赔偿金?|奖金|罚款|押金|年终奖)"
    rf"(?:是|为|有|给了?|只有|才|[:：\s])*{_AMT}{_MONEY_END}"
)
_BARE_MONEY_RE = re.compile(rf"{_AMT}(?:块钱|块|元)")
_NOT_WAGE = re.compile(r"补偿|赔偿|加班费|奖金|罚|扣|押金|报销|补贴")

_HOURS_RE = re.compile(
    rf"(?<!每天)(?<!每周)(?<!一天)加班(?:了)?(?:共|一共|总共)?(?P<h>{_N})个?(?:多)?小时"
    rf"|加了(?P<h2>{_N})个?小时(?:的)?班|(?P<h3>{_N})个?小时(?:的)?加班"
    rf"|加班.{{0,8}}?(?:共|一共|总共|合计|加起来|累计|算下来)(?P<h4>{_N})个?(?:多)?小时"
)
# a whole day's shift on a rest day or holiday is 8 hours (国务院关于职工工作时间的规定第三条)
_WHOLE_DAYS = re.compile(
    rf"(?:上了|干了|加了|值了|上|干|加)(?P<d>{_N}|一整)(?:整)?天(?:的)?(?:班|活)|(?P<e>{_N})天(?:都在)?加班"
)
_HOLIDAY = re.compile(
    r"国庆|春节|元旦|清明|劳动节|五一|端午|中秋|除夕|法定节假日|法定假日|法定休假日|过年|大年"
)
_REST_DAY = re.compile(r"周六|周日|周末|星期六|星期天|星期日|礼拜六|礼拜天|礼拜日|休息日|双休")
_WORKDAY = re.compile(r"下班后|晚上加班|工作日|平时加班|延长工作时间|延时|每天加班")
_NO_OFF = re.compile(r"(?:没有?|未|不|没给|没让)(?:安排)?(?:调休|补休)")
_OFF = re.compile(r"调休|补休")

_BABIES = {"双胞胎": 2, "龙凤胎": 2, "三胞胎": 3, "四胞胎": 4}
_DIFFICULT = re.compile(r"难产|剖腹产|剖宫产")
_MISCARRIAGE = re.compile(r"流产|小产|胎停")
_PREGNANT_MONTHS = re.compile(rf"(?:怀孕|怀了|孕)(?:了|到)?(?P<m>{_N})个(?:多)?月")

_ARREARS = re.compile(
    r"拖欠工资|欠薪|欠工资|欠我工资|欠了?.{0,6}工资|工资没发|不发工资|没发工资|拖欠劳动报酬|克扣"
)
_EMPLOYED = re.compile(
    r"还在职|仍在职|目前在职|现在在职|还在上班|还在公司|还在那|没离职|还没离职|还没有离职"
)
_LEFT = re.compile(r"已经离职|离职了|已离职|被辞退|被开除|被裁|辞职了|已经走了")

_CONTRACT_YEARS = re.compile(
    rf"(?:签了?|签订了?|订了?)(?:一份)?(?P<a>{_N})年(?:期)?的?(?:劳动)?合同"
    rf"|合同(?:期限|期)?(?:是|为|签了?)?(?P<b>{_N})年|(?P<c>{_N})年(?:期)?的(?:劳动)?合同"
)
_CONTRACT_MONTHS = re.compile(
    rf"(?:签了?|签订了?|订了?)(?:一份)?(?P<a>{_N})个月的?(?:劳动)?合同"
    rf"|合同(?:期限|期)?(?:是|为|签了?)?(?P<b>{_N})个月|(?P<c>{_N})个月的(?:劳动)?合同"
)
_HALF_YEAR_CONTRACT = re.compile(r"半年的?(?:劳动)?合同|合同(?:期限|期)?(?:是|为)?半年")
_OPEN_ENDED = re.compile(r"无固定期限")
_TASK = re.compile(
    r"以完成一定工作任务为期限|完成一定工作任务|项目合同|项目结束(?:就)?(?:终止|结束)"
)
_UNTAKEN = re.compile(
    rf"(?P<a>{_N})天(?:的)?年(?:休)?假(?:没|未|还没)休|年(?:休)?假(?:还有)?(?P<b>{_N})天(?:没|未|还没)休"
)
_TOTAL_CTX = re.compile(r"工龄|累计|参加工作|总共工作|一共工作|工作了|干了")


_EN_SERVICE = re.compile(
    r"(?P<y>\d{1,2}) years?(?:,? and (?P<m>\d{1,2}) months?)?|(?P<only>\d{1,3}) months?", re.I
)
_EN_WAGE = re.compile(
    r"(?:salary|wage|pay|earn(?:ed|ing)?|paid)\D{0,24}?(?P<v>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b)?",
    re.I,
)
_EN_SERVICE_CTX = re.compile(r"work|after|for|employ|job|been|serv", re.I)


def _english(q: str) -> dict[str, Any]:
    """The service length and monthly wage of an English question (1 year and 9 months, a salary
    of 10000 yuan a month)."""
    out: dict[str, Any] = {}
    for m in _EN_SERVICE.finditer(q):
        if _EN_SERVICE_CTX.search(q[max(0, m.start() - 24) : m.start()]):
            months = int(m["only"]) if m["only"] else int(m["y"]) * 12 + int(m["m"] or 0)
            out["years"], out["months"] = divmod(months, 12)
            break
    if w := _EN_WAGE.search(q):
        value = Decimal(w["v"].replace(",", "")) * (1000 if w["k"] else 1)
        if 500 <= value <= 1_000_000:
            out["monthly_wage"] = _out(value)
    return out


def _count(s: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    v = cn_to_int(s)
    return None if v is None else Decimal(v)


def _amount(s: str) -> Decimal | None:
    """8000, 1万2 (12000), 1.2万, 1万2000, 8k, 八千, 一万二 (12000), 五千五 (5500)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万千kK])?(\d+|[一二两三四五六七八九])?(千)?", s)
    if m:
        value = Decimal(m[1])
        unit = {"万": 10000, "千": 1000, "k": 1000, "K": 1000}.get(m[2] or "", 1)
        value *= unit
        if m[3]:
            tail = _count(m[3]) or Decimal(0)
            if m[4]:
                tail *= 1000
            elif len(m[3]) == 1 and unit > 1:
                tail *= unit // 10  # 1万2 is 12000, 8千5 is 8500
            value += tail
        return value
    colloquial = re.fullmatch(r"(.*[万千百])([一二两三四五六七八九])", s)
    if colloquial:  # 一万二 is 12000 (cn_to_int reads 10002)
        head = cn_to_int(colloquial[1])
        unit = {"万": 10000, "千": 1000, "百": 100}[colloquial[1][-1]]
        digit = cn_to_int(colloquial[2])
        if head is not None and digit is not None:
            return Decimal(head + digit * unit // 10)
    v = cn_to_int(s)
    return None if v is None or v == 0 else Decimal(v)


def _out(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(round(d, 2))


def _blank(q: str, m: re.Match[str]) -> str:
    return q[: m.start()] + "□" * (m.end() - m.start()) + q[m.end() :]


def _wages(q: str) -> tuple[dict[str, Any], str]:
    """Wage figures; each match is blanked so a later, looser pattern cannot take it again."""
    out: dict[str, Any] = {}
    for m in _OTHER_MONEY_RE.finditer(q):  # 加班工资300, 试用期工资6000, 补偿2万: not the wage
        q = _blank(q, m)
    for name, rx in (
        ("local_avg_wage", _LOCAL_AVG_RE),
        ("monthly_wage", _OWN_AVG_RE),
        ("local_min_wage", _LOCAL_MIN_RE),
        ("hourly_wage", _HOURLY_RE),
        ("daily_wage", _DAILY_RE),
        ("monthly_wage", _MONTHLY_RE),
    ):
        for m in rx.finditer(q):
            raw = next((g for g in m.groups() if g), None)
            v = _amount(raw) if raw else None
            if v is not None and name not in out:
                out[name] = _out(v)
                q = _blank(q, m)
                break
    if "monthly_wage" not in out:
        for m in _BARE_MONEY_RE.finditer(q):
            v = _amount(m[1])
            near = q[max(0, m.start() - 6) : m.start()] + q[m.end() : m.end() + 4]
            if v is not None and 500 <= v <= 1_000_000 and not _NOT_WAGE.search(near):
                out["monthly_wage"] = _out(v)
                q = _blank(q, m)
                break
    return out, q


_RELATIVE_YEAR = re.compile(r"(今年|去年|前年)(\d{1,2})月(?:(\d{1,2})[日号])?")


def _dates(q: str, today: date) -> tuple[dict[str, str], str]:
    out: dict[str, str] = {}
    back = {"今年": 0, "去年": 1, "前年": 2}
    q = _RELATIVE_YEAR.sub(  # 今年7月1号 → 2026年7月1日 (nothing needs q's offsets)
        lambda m: f"{today.year - back[m[1]]}年{m[2]}月" + (f"{m[3]}日" if m[3] else ""), q
    )
    for m in _DATE_RE.finditer(q):
        y, mo, d = int(m[1]), int(m[2]), int(m[3] or 1)
        try:
            when = date(y, mo, d).isoformat()
        except ValueError:
            continue
        after = re.split(r"[,，。；;!?！？]", q[m.end() : m.end() + 8])[0]
        before = re.split(r"[,，。；;!?！？]", q[max(0, m.start() - 8) : m.start()])[-1]
        hits = []  # (distance from the date, input name); a keyword after the date wins a tie
        for name, rx in (
            ("start_date", _START_CTX),
            ("end_date", _END_CTX),
            ("known_date", _KNOWN_CTX),
        ):
            hits += [(k.start(), 0, name) for k in rx.finditer(after)]
            hits += [(len(before) - k.end(), 1, name) for k in rx.finditer(before)]
        if hits:
            out.setdefault(min(hits)[2], when)
        q = _blank(q, m)
    return out, q


# a duration that is not time served: a bound (十年以上), time ago, still to go (还有两年退休),
# a contract term (签订两年或三年合同) or a rate per year of service (按五千块钱一年工龄补偿)
_NOT_SERVICE_TAIL = re.compile(
    rf"以上|以下|以内|之内|之上|之前|以前|前(?!台)|(?:以?后)?就?(?:要|可以|能)?退休|的?(?:劳动)?合同"
    rf"|(?:或|到|至|、){_N}年"
)
_NOT_SERVICE_HEAD = re.compile(
    r"(?:还有|还差|差|距离?|离|再过|再干|快要?|(?:签|订|续签|续订)(?:订)?了?(?:一份)?)$"
    r"|(?:按|每)[^，,。；;！？!?]{0,6}$|孕.{0,3}$"
)


def _not_service(q: str, m: re.Match[str]) -> bool:
    """A duration ``m`` that is not time served (``_NOT_SERVICE_*``), or a contract term (合同期)."""
    head = q[max(0, m.start() - 8) : m.start()]
    return bool(
        _NOT_SERVICE_TAIL.match(q, m.end())
        or _NOT_SERVICE_HEAD.search(head)
        or re.search(r"合同(?:期限|期)?(?:是|为|签了?|签的是)?$", head)
        and not _NO_CONTRACT.search(head)
    )


def _service(q: str) -> tuple[int, int] | None:
    """(years, months) of service stated as 4年8个月, 三年零两个月, 一年半, 8个月, 半年."""
    for m in _SERVICE_RE.finditer(q):
        if m["more"] or re.match(r"期", q[m.end() :]) or _not_service(q, m):
            continue
        y = _count(m["y"])
        if y is None or y != y.to_integral_value():
            continue
        months = 6 if m["half"] else int(_count(m["m"]) or 0) if m["m"] else 0
        return int(y), months
    for m in _MONTHS_RE.finditer(q):
        if m["more"] or _not_service(q, m):
            continue
        if _WORK_CTX.search(q[max(0, m.start() - 6) : m.start()]) or _NO_CONTRACT.search(q):
            n = _count(m["m"])
            if n is not None and n == n.to_integral_value():
                return int(n) // 12, int(n) % 12
    for m in _HALF_YEAR_RE.finditer(q):
        if not _not_service(q, m) and _WORK_CTX.search(q[max(0, m.start() - 6) : m.start()]):
            return 0, 6
    return None


def _months_until(start: str | None, q: str) -> int | None:
    """Months from a start date to the end of a month named without a year (2025年3月1号进的公司，
    一直到10月底): counted as whole calendar months, the start's included."""
    m = _UNTIL_MONTH.search(q)
    if start is None or m is None:
        return None
    end = _count(m["m"])
    begin = date.fromisoformat(start)
    if end is None or not 1 <= end <= 12:
        return None
    months = int(end) - begin.month + (12 if int(end) < begin.month else 0)
    return months + (1 if begin.day <= 15 else 0) or None


def _first(rx: re.Pattern[str], q: str) -> Decimal | None:
    m = rx.search(q)
    if not m:
        return None
    g = next((x for x in m.groups() if x), None)
    return _count(g) if g else None


def parse_inputs(question: str, kind: str, today: date | None = None) -> dict[str, Any]:
    """The inputs of ``kind`` that ``question`` states (names as in ``KINDS[kind].inputs``);
    ``today`` dates 今年/去年 (default: the real today)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise UsageError(f"未知的计算类型：{kind}（可用：{'、'.join(KINDS)}）")
    q = question.replace("，", ",").replace("　", " ")
    facts: dict[str, Any] = {}
    if not re.search(r"[\u4e00-\u9fff]", q):  # an English question
        allowed = {i.name for i in spec.inputs}
        return {k: v for k, v in _english(q).items() if k in allowed}
    wages, q = _wages(q)
    facts.update(wages)
    dates, q = _dates(q, today or date.today())
    facts.update(dates)
    service = _service(q)

    if kind in ("severance", "unlawful_termination") and service:
        facts["years"], facts["months"] = service
    if kind == "no_contract_double_wage" and _NO_CONTRACT.search(q):
        if service:
            facts["months_without_contract"] = service[0] * 12 + service[1]
        elif (months := _months_until(dates.get("start_date"), q)) is not None:
            facts["months_without_contract"] = months
    if kind == "annual_leave":
        if "start_date" in dates:
            facts["join_date"] = dates["start_date"]
        if service and _TOTAL_CTX.search(q):
            y, mo = service
            facts["total_work_years"] = _out(Decimal(y) + Decimal(mo) / 12)
        if (n := _first(_UNTAKEN, q)) is not None:
            facts["untaken_days"] = _out(n)
    if kind == "overtime_pay":
        if (h := _first(_HOURS_RE, q)) is not None:
            facts["hours"] = _out(h)
        elif m := _WHOLE_DAYS.search(q):
            days = _count(m["d"] or m["e"]) if (m["d"] or m["e"]) != "一整" else Decimal(1)
            if days:
                facts["hours"] = _out(days * 8)
        for name, rx in (("holiday", _HOLIDAY), ("rest_day", _REST_DAY), ("workday", _WORKDAY)):
            if rx.search(q):
                facts["day_type"] = name
                break
        if _NO_OFF.search(q):
            facts["time_off_in_lieu"] = False
        elif _OFF.search(q):
            facts["time_off_in_lieu"] = True
    if kind == "probation_limit":
        if _TASK.search(q):
            facts["task_based"] = True
        elif _OPEN_ENDED.search(q):
            facts["open_ended"] = True
        elif (n := _first(_CONTRACT_MONTHS, q)) is not None:
            facts["contract_months"] = _out(n)
        elif _HALF_YEAR_CONTRACT.search(q):
            facts["contract_months"] = 6
        elif (n := _first(_CONTRACT_YEARS, q)) is not None:
            facts["contract_years"] = _out(n)
    if kind == "maternity_leave":
        for word, babies in _BABIES.items():
            if word in q:
                facts["babies"] = babies
        if _DIFFICULT.search(q):
            facts["difficult_birth"] = True
        elif "顺产" in q:
            facts["difficult_birth"] = False
        if _MISCARRIAGE.search(q) and (n := _first(_PREGNANT_MONTHS, q)) is not None:
            facts["miscarriage_months"] = _out(n)
    if kind == "arbitration_deadline":
        if _ARREARS.search(q):
            facts["wage_arrears"] = True
        if _EMPLOYED.search(q):
            facts["still_employed"] = True
        elif _LEFT.search(q) or "end_date" in facts:
            facts["still_employed"] = False

    allowed = {i.name for i in spec.inputs}
    return {k: v for k, v in facts.items() if k in allowed}
