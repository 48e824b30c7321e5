"""What the worker should do next, and when a person must take over.

- ``next_steps``: for the best matched situation, its advice, the offices to go to, the deadline
  and the facts that would make the answer specific; the generic paragraph only when no
  situation matched.
- ``urgent``: threats of self-harm or violence, a serious injury just now, collective wage
  arrears, being detained or locked in. Such a question is answered with where to call at once
  before anything else.
- ``wants_person``: 转人工, 我要投诉, talk to a human.
- ``escalation``: the ``Escalation`` of an answer: set for partial and none answers, urgent
  cases and requests for a person, with a fact summary that holds no raw question text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..search.issue_map import Match, Situation
from ..text import answer_type
from ..types import Escalation
from . import texts

URGENT: dict[str, re.Pattern[str]] = {
    "self_harm": re.compile(
        r"不想活|活不下去|想死|去死|自杀|轻生|跳楼|跳河|喝农药|了结自己|结束自己|"
        r"kill myself|suicid|end my life|don'?t want to live",
        re.I,
    ),
    "violence": re.compile(
        r"(打|揍|殴打|砍|捅)了?我|打死|弄死|砍死|拿刀|动手打|被打(?!卡|分|折|电话|招呼|针)|威胁.{0,6}(打|杀|弄死|人身)|"
        # 被车间主任打了, 被老板揍伤 (not 被系统打了低分, 被打卡)
        r"被[^，。？?,]{0,8}(打|揍|殴打)(了|伤|得)(?![^，。？?,]{0,3}(分|卡|折|电话|招呼|款|针))|"
        r"beat me|hit me|attacked me|threaten(ed)? to (kill|hurt|beat)",
        re.I,
    ),
    "injury": re.compile(
        r"(刚|刚刚|刚才|今天|昨天|现在).{0,12}(受伤|摔|砸|压|切|绞|烫|烧伤|触电|断了|骨折|昏迷|流血|出血|送医)|"
        r"(昏迷|大出血|流了很多血|手指断|断了手|截肢|不省人事)|"
        r"(just|badly|seriously) (got )?(hurt|injured)|bleeding|unconscious",
        re.I,
    ),
    "collective_arrears": re.compile(
        r"(几十|上百|一百多|几百|[二三四五六七八九]十多?|\d{2,})(个|名|号|位)?(工友|工人|农民工|老乡|兄弟|同事|员工|人).{0,16}(工资|工钱|欠薪|讨薪|没发|不发|拖欠)|"
        r"集体讨薪|集体欠薪|一起讨薪|围堵|堵门|拉横幅|"
        r"(dozens|hundreds) of (us|workers).{0,30}(unpaid|wages|pay)",
        re.I,
    ),
    "detained": re.compile(
        r"被关|关起来|关在|锁在|锁起来|不让(我们?)?(走|离开|出门|回家)|限制人身自由|扣着人|囚禁|"
        r"locked (me |us )?in|not allowed to leave|won'?t let (me|us) (go|leave)|detained",
        re.I,
    ),
}
CALL_NOW: dict[str, tuple[str, ...]] = {
    "self_harm": ("110", "120"),
    "violence": ("110",),
    "injury": ("120",),
    "collective_arrears": ("12351",),
    "detained": ("110",),
}
URGENT_ZH = {
    "self_harm": "如果您现在有轻生的念头或处在危险中，请马上拨打110或120，或告诉身边的人陪着您。您的处境可以有办法解决，工会愿意帮您。",
    "violence": "如果有人正在或扬言对您动手，请先离开危险地方并马上拨打110报警，保留伤情和威胁的证据。",
    "injury": "有人受了重伤，请先拨打120急救，保护好现场，记下时间和经过；工伤认定的事随后再办。",
    "collective_arrears": "多名工友一起被拖欠工资，请马上拨打12351职工服务热线或向当地劳动保障监察机构反映，推选代表依法维权，不要采取过激行为。",
    "detained": "如果您被关着或不让离开，这是违法的，请马上拨打110报警。",
}
URGENT_EN = {
    "self_harm": "If you are thinking of ending your life or are in danger, call 110 or 120 now, or tell someone near you. There is help, and the trade union will help you.",
    "violence": "If someone is attacking or threatening you, get away and call the police at 110 now; keep evidence of injuries and threats.",
    "injury": "Someone is seriously hurt: call 120 for an ambulance first and keep a note of what happened; the work-injury claim can follow.",
    "collective_arrears": "Many workers are owed wages: call the 12351 hotline or the local labour inspection office now, choose representatives and act lawfully.",
    "detained": "Being locked in or kept from leaving is illegal: call the police at 110 now.",
}
PERSON = re.compile(
    r"转人工|找人工|人工客服|人工服务|真人|接线员|我要投诉|我要举报|要投诉|"
    r"talk to (a )?(human|person|someone)|real person|human agent|speak to (a )?(human|person)",
    re.I,
)
OFFICE_EN = {
    "劳动保障监察": "the labour inspection office",
    "劳动争议调解组织": "a labour dispute mediation committee",
    "劳动争议仲裁委员会": "the labour dispute arbitration commission",
    "人民法院": "the people's court",
    "社会保险经办机构": "the social insurance agency",
    "社会保险行政部门": "the social insurance administration (for work-injury recognition)",
    "工会": "the trade union",
    "人社部门": "the human resources and social security bureau",
    "公共就业服务机构": "the public employment service",
    "妇联": "the Women's Federation",
    "网信部门": "the cyberspace administration",
    "公安机关": "the police",
}


def handoff_text(lang: str, hotline: str) -> str:
    """The answer to a request for a person that asks nothing else."""
    if lang == "en":
        return (
            f"A person will help you: call the {hotline} workers' service hotline (职工服务热线). "
            "This conversation has been passed on for a person to follow up."
        )
    return f"好的，这个问题由人工来帮您：请拨打{hotline}职工服务热线，工会工作人员会跟进处理。"


def only_person(text: str) -> bool:
    """A request for a person with no question besides it (转人工, 我要找人工)."""
    rest = re.sub(r"[\s\W_]+|我|要|想|请|帮|给|找|一下|吧|啊|呢", "", PERSON.sub("", text))
    return wants_person(text) and len(rest) < 4


def urgent(text: str) -> str | None:
    """The urgent class a question describes, or None."""
    return next((name for name, rx in URGENT.items() if rx.search(text)), None)


def wants_person(text: str) -> bool:
    return bool(PERSON.search(text))


def urgent_notice(kind: str, lang: str) -> str:
    return (URGENT_EN if lang == "en" else URGENT_ZH)[kind]


def offices_text(situation: Situation, lang: str) -> str:
    if lang == "en":
        return "you can go to " + ", ".join(OFFICE_EN.get(o, o) for o in situation.offices) + "."
    return "可以找：" + "、".join(situation.offices) + "。"


def next_steps(
    situation: Situation | None,
    lang: str,
    hotline: str,
    kinds: set[str],
    missing_facts: Sequence[str] = (),
    calculator_name: str | None = None,
    unstated: str | None = None,
) -> str:
    """The answer's "下一步" paragraph. ``unstated``: the kind of figure asked for that no cited
    quote states; the advice's own clauses stating one are left out (the map's advice is not a
    document, and a partial answer gives no figure of the asked kind)."""
    en = lang == "en"
    if situation is None:
        return texts.next_steps(kinds, en, hotline)
    parts: list[str] = []
    advice = _without(situation.advice_en if en else situation.advice, unstated, en)
    if advice:
        parts.append(advice.rstrip("。. ") + ("." if en else "。"))
    if situation.offices:
        if en:
            parts.append(
                "Where to go: " + ", ".join(OFFICE_EN.get(o, o) for o in situation.offices) + "."
            )
        else:
            parts.append("可以找：" + "、".join(situation.offices) + "。")
    deadline = _without(situation.deadline_en if en else situation.deadline, unstated, en)
    if deadline:
        parts.append(
            ("Time limit: " if en else "时限：") + deadline.rstrip("。. ") + ("." if en else "。")
        )
    if missing_facts:
        if en:
            what = (
                f"I can work out the {calculator_name}"
                if calculator_name
                else "the answer can be more specific"
            )
            parts.append(f"Tell me {', '.join(missing_facts)} and {what}.")
        else:
            what = f"可以帮您算出{calculator_name}" if calculator_name else "可以给出更具体的答复"
            parts.append(f"告诉我{'、'.join(missing_facts)}，{what}。")
    parts.append(
        f"You can also call the {hotline} workers' service hotline (职工服务热线)."
        if en
        else f"也可拨打{hotline}职工服务热线，向工会求助。"
    )
    return " ".join(parts) if en else "".join(parts)


def _without(text: str | None, kind: str | None, en: bool) -> str | None:
    """``text`` without its clauses that state a figure of ``kind``."""
    if not kind or not text:
        return text
    clauses = re.split(r"(?<=[;.])\s+" if en else r"(?<=[；。])", text)
    return (
        (" " if en else "")
        .join(c for c in clauses if c.strip() and not answer_type.states(kind, c))
        .strip()
    )


def fact_summary(situation: Situation | None, known: Mapping[str, Any], lang: str) -> str:
    """A short summary for a person taking over: the situation, the facts the question gives
    (as parsed numbers and dates, never its words) and the facts still needed."""
    en = lang == "en"
    parts = []
    if situation is not None:
        parts.append(("situation: " if en else "情形：") + situation.label(lang))
    for name, value in known.items():
        parts.append(f"{name}: {value}" if en else f"{name}：{value}")
    if situation is not None:
        need = [f for f in situation.facts if f not in known]
        if need:
            parts.append(
                ("still needed: " if en else "待了解：")
                + ("、".join(need) if not en else ", ".join(need))
            )
    return "; ".join(parts) if en else "；".join(parts)


def escalation(
    *,
    hotline: str,
    coverage: str,
    matches: Sequence[Match],
    urgent_kind: str | None,
    person: bool,
    known: Mapping[str, Any],
    lang: str,
) -> Escalation | None:
    """The answer's escalation, or None when the answer stands on its own."""
    if coverage == "answered" and not urgent_kind and not person:
        return None
    en = lang == "en"
    if urgent_kind:
        reason = f"urgent: {urgent_kind}"
    elif person:
        reason = "asked for a person" if en else "用户要求转人工"
    elif coverage == "partial":
        reason = "documents do not state the point asked" if en else "现有资料未写明所问的具体内容"
    else:
        reason = "documents do not cover the question" if en else "现有资料未覆盖该问题"
    situation = matches[0].situation if matches else None
    return Escalation(
        hotline=f"{hotline} 职工服务热线",
        reason=reason,
        situation=situation.id if situation else None,
        office=situation.offices[0] if situation and situation.offices else None,
        urgency="urgent" if urgent_kind else "normal",
        urgent_class=urgent_kind,
        call_now=list(CALL_NOW.get(urgent_kind, ())) if urgent_kind else [],
        summary=fact_summary(situation, known, lang),
    )
