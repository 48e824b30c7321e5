"""The answer around its verified quotes: the calculation's point, the partial answer's frame,
what to do next for the situation, validity, urgency first, and the escalation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..calc import KINDS, calculate, parse_inputs
from ..search.refs import References
from ..settings import Settings
from ..types import Answer, Calculation, Citation, SituationRef
from . import guidance, texts
from .state import State
from .verify import Unit

# how many facts the "下一步" names when the situation needs more than the question gives
ASK_FOR = 3
# "N+1" asked with a severance: the "+1" is pay in lieu of notice, due on a condition only
PLUS_ONE = re.compile(r"[nN]\s*[+＋]\s*[1１一]|加一个月|多给?一个月")
PLUS_ONE_STEP = (
    "您问到的“+1”是代通知金：按《劳动合同法》第四十条，只有公司以该条的理由（医疗期满不能工作、"
    "不能胜任工作、客观情况重大变化）解除、又没有提前三十日书面通知时，才另付一个月工资",
    'the "+1" you ask about is pay in lieu of notice: under Article 40 of the Labour Contract Law it'
    " is due only when the employer dismisses on that article's grounds (unfit after medical leave,"
    " incompetent, a material change of circumstances) without 30 days' written notice",
)


def prepare_calculation(s: State, references: References) -> None:
    """Run the best situation's calculator on the question's own numbers (干了4年8个月, 月薪八千):
    a result becomes the answer's point; missing inputs become the facts to ask for."""
    situation = s.situation
    if situation is None:
        return
    kind = next((m.situation.calculator for m in s.matches if m.situation.calculator), None)
    spec = KINDS.get(kind or "")
    text = " ".join([*s.q.history[-2:], s.q.text])
    if spec is not None:
        inputs = parse_inputs(text, spec.name, today=s.as_of)
        labels = {i.name: i.label_en if s.lang == "en" else i.label_zh for i in spec.inputs}
        s.known = {labels.get(k, k): v for k, v in inputs.items()}
        if inputs:
            try:
                calc = calculate(spec.name, inputs, references.citation, lang=s.lang, today=s.as_of)
            except Exception:  # a parse the rules reject (an end before a start): ask instead
                calc = None
            if calc is not None and calc.result is not None and calc.citations:
                if calc.kind == "severance" and PLUS_ONE.search(text):  # fetched only then
                    calc = _with_plus_one(
                        calc, references.citation("劳动合同法", "第四十条"), s.lang
                    )
                s.calculation = calc
                return
            if calc is not None:
                s.ask_for = [labels.get(m, m) for m in calc.missing][:ASK_FOR]
                return
        s.ask_for = [
            i.label_en if s.lang == "en" else i.label_zh
            for i in spec.inputs
            if i.required or i.name in ("monthly_wage", "start_date")
        ][:ASK_FOR]
        return
    s.ask_for = [f for f in situation.facts if f not in s.known][:ASK_FOR]


def _with_plus_one(calc: Calculation, notice: Citation | None, lang: str) -> Calculation:
    """A severance asked as N+1, with the step saying what the +1 is (when 第四十条 is indexed)."""
    if notice is None:
        return calc
    step = PLUS_ONE_STEP[1 if lang == "en" else 0]
    update = {"steps": [*calc.steps, step], "citations": [*calc.citations, notice]}
    return calc.model_copy(update=update)


def calculation_piece(s: State, citations: dict[tuple[str, int, int], Citation]) -> str:
    """The point of an answer that computed the worker's own figure, cited to its article."""
    calc = s.calculation
    assert calc is not None and calc.result is not None
    marks = ""
    for c in calc.citations[:1]:
        key = (c.doc_id, c.start, c.end)
        if key not in citations:
            citations[key] = c.model_copy(update={"n": len(citations) + 1})
        marks += f"[{citations[key].n}]"
    en = s.lang == "en"
    steps = "\n".join(f"- {step}" for step in calc.steps)
    spec = KINDS[calc.kind]  # a figure that holds only on a condition says so first
    cond = spec.condition_en if en else spec.condition_zh
    if en:
        return f"Key point: from what you describe, {cond}{calc.result.text}.{marks}\n\nHow it is worked out:\n{steps}"
    return f"要点：按您说的情况，{cond}{calc.result.text}。{marks}\n\n计算过程：\n{steps}"


def partial_units(s: State) -> Iterator[Unit]:
    """The documents speak to the situation but not to the point asked: say so, then quote the
    governing rule (at most two sentences)."""
    en = s.lang == "en"
    gap = texts.UNSTATED_EN if en else texts.UNSTATED_ZH
    what = gap.get(s.unstated or "", "this point" if en else "这一点")
    if en:
        yield Unit(
            f"The documents I have do not state {what} you are asking about. The rule they give: ",
            frame=True,
        )
    else:
        yield Unit(f"现有资料没有写明您问的{what}。相关规定是：", frame=True)
    for i, e in enumerate(s.evidence[:2]):
        if i:
            yield Unit("\n", frame=True)
        yield Unit(e.quote, [i + 1])


def urgent_line(s: State) -> str:
    assert s.urgent is not None
    return ("Urgent: " if s.lang == "en" else "紧急：") + guidance.urgent_notice(s.urgent, s.lang)


def compose(s: State, body: str, citations: list[Citation], settings: Settings) -> Answer:
    en = s.lang == "en"
    h = settings.hotline
    situation = s.situation
    outcome = s.outcome if citations else "none"
    if outcome == "partial" and not citations:
        outcome = "none"
    parts: list[str] = [body]  # the streamed part: the urgent notice, then the quotes
    notices = list(s.notices)
    if outcome == "none":
        parts = [urgent_line(s)] if s.urgent else []
        if guidance.only_person(s.q.text):
            parts.append(guidance.handoff_text(s.lang, h))
        else:
            parts.append(texts.refusal(s.unstated, en, h))
        if situation is not None and situation.offices:  # where to go; no uncited figures
            where = guidance.offices_text(situation, s.lang)
            parts.append(("What to do next: " if en else "下一步：") + where)
    else:
        cited = {c.doc_id for c in citations}
        kinds = {e.kind for e in [*s.evidence, *s.passages] if e.doc_id in cited}
        calc_name = None
        if situation is not None and situation.calculator in KINDS and not s.calculation:
            spec = KINDS[situation.calculator]
            calc_name = spec.name_en if en else spec.name_zh
        unstated = s.unstated if outcome == "partial" else None
        steps = guidance.next_steps(situation, s.lang, h, kinds, s.ask_for, calc_name, unstated)
        parts.append(("What to do next: " if en else "下一步：") + steps)
        validity, expired = texts.validity(citations, s.as_of, en, h)
        notices += expired
        if outcome == "answered":
            parts.append(("Validity: " if en else "有效期：") + validity)
    if s.calculation is not None:
        notices += [n for n in s.calculation.notices if n not in notices]
    answer_text = "\n\n".join(p for p in parts if p)
    return Answer(
        answer=answer_text,
        refused=outcome != "answered",
        citations=citations if outcome != "none" else [],
        notices=notices,
        escalation=guidance.escalation(
            hotline=h,
            coverage=outcome,
            matches=s.matches,
            urgent_kind=s.urgent,
            person=s.person,
            known=s.known,
            lang=s.lang,
        ),
        coverage=outcome,  # type: ignore[arg-type]
        situations=[
            SituationRef(id=m.situation.id, name=m.situation.label(s.lang), score=m.score)
            for m in s.matches
        ],
        calculation=s.calculation if outcome == "answered" else None,
        unstated=s.unstated if outcome != "answered" else None,
    )
