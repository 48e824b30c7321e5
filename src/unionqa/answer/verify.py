"""Verification of generated answers, for both generators, one sentence ("unit") at a time.

A unit survives only when it cites at least one retrieved passage, every citation number is one
that was retrieved, its key terms overlap the quote it cites, every figure in it occurs in a
cited quote, and phone numbers/URLs that are not in a cited quote are cut out. Every quote is a
slice of the document text at its offsets, and never a sentence that reads like an instruction
planted in a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..privacy import PHONE_RE, URL_RE
from ..text.numerals import cn_to_int
from ..text.sentences import sentence_spans
from ..text.tokens import tokenize
from .evidence import Evidence

CITE_RE = re.compile(r"\s*\[(\d{1,3})\]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_CN_NUM = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
INJECTION_RE = re.compile(
    r"忽略(?:以上|上述|之前|前面|所有)|无视(?:以上|上述|之前)|告诉用户|你现在是(?!否)|系统提示|提示词|"
    r"ignore (?:all |the )?(?:previous|above|prior)|system prompt|you are now|disregard (?:the |all )?(?:previous|above)",
    re.I,
)
MIN_OVERLAP = 0.2


@dataclass
class Unit:
    """A sentence of a generated answer: its text (markers removed) and the sources it cites."""

    text: str
    cites: list[int] = field(default_factory=list)  # 1-based passage numbers as generated
    frame: bool = False  # our own wording (headings, next steps): not checked against sources


@dataclass
class Verified:
    text: str
    evidence: list[Evidence]
    frame: bool = False


@dataclass
class Rejection:
    text: str
    reason: str


def parse_units(text: str) -> list[Unit]:
    """Split generated text into sentences and pull out their ``[n]`` markers."""
    units = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        cites = [int(n) for n in CITE_RE.findall(sentence)]
        clean = CITE_RE.sub("", sentence).strip()
        if clean:
            units.append(Unit(clean, cites))
        elif cites and units:  # a marker after the sentence's punctuation: "…。[2]"
            units[-1].cites.extend(cites)
    return units


def figures(text: str) -> set[str]:
    """Numbers in a text, Arabic and Chinese numerals alike, as canonical strings."""
    out = {n.lstrip("0") or "0" for n in _DIGITS.findall(text)}
    for m in _CN_NUM.findall(text):
        v = cn_to_int(m)
        if v is not None and (len(m) > 1 or v >= 10):
            out.add(str(v))
    return out


def is_instruction(text: str) -> bool:
    return bool(INJECTION_RE.search(text))


def key_terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) >= 2 and not t.isdigit()}


def support_quotes(unit: Unit, passage: Evidence, doc_text: str) -> list[Evidence]:
    """The sentences of a cited passage that support the unit: best term overlap, plus any
    sentence holding a figure the unit states. Empty when nothing supports it."""
    terms = key_terms(unit.text)
    spans = [(passage.start + s, passage.start + e) for s, e in sentence_spans(passage.quote)]
    scored = []
    for s, e in spans:
        q = doc_text[s:e]
        if is_instruction(q):
            continue
        flat = re.sub(r"\s+", "", q)
        hit = {t for t in terms if t in flat}
        scored.append((len(hit), s, e, q))
    if not scored or not terms:
        return []
    scored.sort(key=lambda x: -x[0])
    best = scored[0]
    if best[0] == 0 or best[0] / len(terms) < MIN_OVERLAP:
        return []
    chosen = [best]
    needed = figures(unit.text) - figures(best[3])
    for item in scored[1:]:
        if needed & figures(item[3]):
            chosen.append(item)
            needed -= figures(item[3])
    return [
        replace(passage, start=s, end=e, quote=q)
        for _, s, e, q in sorted(chosen, key=lambda x: x[1])
    ]


def verify_unit(
    unit: Unit, passages: list[Evidence], doc_texts: dict[str, str], narrow: bool
) -> Verified | Rejection:
    """Check one unit. ``narrow``: cite the supporting sentences of a passage (LLM answers)
    rather than the passage itself (extractive answers, whose passages are already quotes)."""
    if unit.frame:
        return Verified(unit.text, [], frame=True)
    if not unit.cites:
        return Rejection(unit.text, "uncited")
    if is_instruction(unit.text):  # the model repeating a planted instruction, or its prompt
        return Rejection(unit.text, "repeats an instruction")
    bad = [n for n in unit.cites if not 1 <= n <= len(passages)]
    if bad:
        return Rejection(unit.text, f"cites passage {bad[0]} that was not retrieved")
    evidence: list[Evidence] = []
    for n in dict.fromkeys(unit.cites):
        p = passages[n - 1]
        text = doc_texts.get(p.doc_id)
        if text is None or text[p.start : p.end] != p.quote:
            return Rejection(unit.text, "quote not verbatim at its offsets")
        evidence.extend(support_quotes(unit, p, text) if narrow else [p])
    if not evidence:
        return Rejection(unit.text, "cited passage does not support it")
    if any(is_instruction(e.quote) for e in evidence):
        return Rejection(unit.text, "rests on an instruction planted in a document")
    quoted = "".join(e.quote for e in evidence)
    text = unit.text
    for pattern in (PHONE_RE, URL_RE):
        text = pattern.sub(lambda m: m.group(0) if m.group(0) in quoted else "", text)
    missing = figures(text) - figures(quoted)
    if missing:
        return Rejection(unit.text, f"figure {sorted(missing)[0]} is in no cited quote")
    if not text.strip(" ，,。"):
        return Rejection(unit.text, "nothing left after removing contact details")
    return Verified(text, evidence)


_MARKER_START = re.compile(r"\s*(?:\[\d{0,3})?")


def complete_prefix(buffer: str) -> int:
    """Length of the prefix of ``buffer`` that holds complete sentences (and their markers)."""
    last = -1
    for m in re.finditer(r"[。！？!?\n]+", buffer):
        end = m.end()
        tail = re.match(r"(\s*\[\d{1,3}\])+", buffer[end:])
        if tail:
            end += tail.end()
        if _MARKER_START.fullmatch(buffer, end):
            continue  # a marker may still follow, or be arriving in pieces ("[", "1", "]")
        last = end
    return max(last, 0)
