"""The answer chain, a sequence of LangChain Runnables over one ``State``:

    condense → retrieve → select → generate → verify → format

- condense: a short follow-up ("那国有企业呢？") is rewritten with its history (rules; the LLM
  when one is configured);
- retrieve: hybrid search; select: the verbatim sentences to rest on (``evidence.py``);
- generate: ``extractive`` (default; no model) frames the selected quotes, or ``llm`` asks an
  OpenAI-compatible model to answer from numbered passages only;
- verify: every sentence checked against what it cites (``verify.py``), lazily, so streaming
  only ever shows verified sentences;
- format: citations numbered by first use, validity notices, escalation to the 12351 hotline.

Each stage is timed into ``timings_ms``. Questions are redacted (``privacy.redact``) first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from langchain_core.runnables import RunnableLambda

from ..errors import UnionQAError
from ..index.embeddings import UNCALIBRATED
from ..index.store import Index
from ..privacy import without_placeholders
from ..search.issue_map import Match
from ..search.refs import References
from ..search.retriever import Retriever
from ..settings import Settings
from ..text.questions import load_tagger
from ..types import Answer, Citation, cite
from . import evidence as ev
from . import gate, guidance, trust
from .compose import calculation_piece, compose, partial_units, prepare_calculation, urgent_line
from .llm import llm_configured, make_chat_model
from .question import make_question
from .state import State
from .texts import CONDENSE_SYSTEM, PROMPT_SYSTEM, REFUSAL_PHRASES
from .verify import Unit, Verified, complete_prefix, is_instruction, parse_units, verify_unit

logger = logging.getLogger(__name__)


def _timed(name: str, fn: Callable[[State], State]) -> RunnableLambda:
    def run(state: State) -> State:
        t = time.perf_counter()
        out = fn(state)
        state.timings[name] = state.timings.get(name, 0.0) + round(
            (time.perf_counter() - t) * 1000, 2
        )
        return out

    return RunnableLambda(run, name=name)


def _timed_iter(state: State, name: str, it: Iterator[Any]) -> Iterator[Any]:
    """Time a lazy stage by the time spent producing its items."""
    while True:
        t = time.perf_counter()
        try:
            item = next(it)
        except StopIteration:
            return
        finally:
            state.timings[name] = state.timings.get(name, 0.0) + round(
                (time.perf_counter() - t) * 1000, 2
            )
        yield item


class AnswerChain:
    def __init__(
        self, retriever: Retriever, index: Index, settings: Settings, references: References
    ) -> None:
        self.retriever = retriever
        self.references = references
        self.index = index
        self.settings = settings
        self.cfg = settings.answer
        self._llm: Any = None
        self._docs: dict[str, tuple[str, str]] = {}  # doc_id → (generation, text)
        self.prepare = (
            _timed("condense", self._condense)
            | _timed("retrieve", self._retrieve)
            | _timed("select", self._select)
            | _timed("generate", self._generate)
            | _timed("verify", self._verify)
        )

    @property
    def llm(self) -> Any:
        if self._llm is None and llm_configured(self.settings.llm):
            self._llm = make_chat_model(self.settings.llm)
        return self._llm

    # --- public -----------------------------------------------------------------------

    def warm_up(self) -> None:
        load_tagger()  # jieba's part-of-speech and idf tables: 0.45 s on a first question

    def ask(
        self, question: str, history: list[str] | None = None, as_of: date | None = None
    ) -> Answer:
        result = None
        for item in self.stream(question, history, as_of):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def stream(
        self, question: str, history: list[str] | None = None, as_of: date | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces as verified sentences are produced, then the final ``Answer``."""
        t0 = time.perf_counter()
        q = make_question(question, history)
        state = State(q=q, as_of=as_of or date.today())
        state.urgent = guidance.urgent(q.text)
        state.person = guidance.wants_person(q.text)
        state = self.prepare.invoke(state)
        pieces: list[str] = []
        citations: dict[tuple[str, int, int], Citation] = {}
        assert state.verified is not None
        for piece in self._render(state, state.verified, citations):
            pieces.append(piece)
            yield piece
        t = time.perf_counter()
        answer = compose(state, "".join(pieces).strip(), list(citations.values()), self.settings)
        state.timings["format"] = round((time.perf_counter() - t) * 1000, 2)
        streamed = "".join(pieces)
        full = answer.answer
        rest = full[len(streamed) :] if full.startswith(streamed) else "\n" + full
        if rest:
            yield rest  # the refusal, or the next steps and validity after the quotes
        state.timings["total"] = round((time.perf_counter() - t0) * 1000, 2)
        logger.info(
            "answered mode=%s outcome=%s situation=%s citations=%d rejected=%d coverage=%.2f",
            state.mode,
            answer.coverage,
            state.situation.id if state.situation else "-",
            len(answer.citations),
            len(state.rejected),
            state.coverage,
        )
        yield answer.model_copy(update={"timings_ms": state.timings})

    # --- stages -----------------------------------------------------------------------

    def _condense(self, s: State) -> State:
        s.query = s.q.query  # a follow-up with the turns before it (the rule)
        if not s.q.followup:
            return s
        if self.llm is not None:
            try:
                turns = "\n".join(f"用户：{h}" for h in s.history[-3:])
                msg = self.llm.invoke(
                    [("system", CONDENSE_SYSTEM), ("user", f"{turns}\n追问：{s.question}")]
                )
                text = str(msg.content).strip()
                if 0 < len(text) <= 200:
                    s.query = text
            except Exception as e:  # any endpoint failure: fall back to the rule
                logger.warning("condense by LLM failed (%s); using rules", e.__class__.__name__)
        return s

    def _retrieve(self, s: State) -> State:
        r = self.retriever.retrieve(
            s.query, k=self.settings.retrieval.k, lang=s.lang, point=s.question
        )
        s.hits, s.matches = r.hits, r.situations
        gen = self.index.generation() if s.hits else ""  # read once per question
        for h in s.hits:
            if h.doc_id not in s.doc_texts:
                s.doc_texts[h.doc_id] = self._doc_text(h.doc_id, gen)
        # a chunk from another version of its document than the registry holds is never quoted
        s.hits = [h for h in s.hits if s.doc_texts[h.doc_id][h.start : h.end] == h.text]
        return s

    def _select(self, s: State) -> State:
        kw = self.retriever.keywords.get()
        terms = ev.question_terms(s.q.bare, s.q.context, kw)
        hits = sorted(s.hits, key=lambda h: is_instruction(h.text))  # stable: instructions last
        phrases = ev.passage_phrases(s.matches, s.question)
        asked = ev.asked_phrases(s.matches, s.question)
        chosen, _ = ev.select(hits, s.doc_texts, s.question, terms, phrases, asked)
        sources = self.cfg.trusted_sources
        s.untrusted = {h.doc_id for h in s.hits if not trust.is_trusted(h.metadata, sources)}
        # a contact detail from a document nobody vouched for is never the point (sort is stable)
        s.evidence = sorted(
            (e for e in chosen if not is_instruction(e.quote)),
            key=lambda e: trust.unvouched(e, s.untrusted),
        )
        floors = getattr(self.retriever.embeddings, "similarity_floor", UNCALIBRATED)
        g = gate.judge(
            s.question,
            s.lang,
            s.hits,
            s.evidence,
            terms,
            self.cfg,
            floors,
            self._situated(s),
            self.cfg.unmatched_min_similarity
            if self.cfg.unmatched_min_similarity is not None
            else getattr(self.retriever.embeddings, "unmatched_floor", None),
        )
        s.coverage, s.missing, s.top_similarity = g.coverage, g.missing, g.top_similarity
        s.supported, s.unstated, s.outcome = g.supported, g.unstated, g.outcome
        if guidance.only_person(s.q.text):  # nothing to answer: a person takes over
            s.outcome, s.supported, s.evidence = "none", False, []
        if s.outcome != "none":
            prepare_calculation(s, self.references)
        if s.calculation is not None:  # the worker's own figure, computed from the article
            s.supported, s.outcome, s.unstated = True, "answered", None
        s.passages = [
            ev._evidence(h, h.start, h.end, h.text, i, h.score)
            for i, h in enumerate(s.hits[: self.cfg.llm_passages])
        ]
        return s

    def _situated(self, s: State) -> list[Match] | None:
        """The situations the question matched (None when the issue map is off or empty)."""
        search = self.retriever.situations
        if search is None or not search.cfg.enabled or not search.map.situations:
            return None
        return s.matches

    def _generate(self, s: State) -> State:
        if s.outcome == "partial" and s.evidence:
            s.units = partial_units(s)
        elif not s.supported:
            s.units = iter(())
        elif self.llm is not None:
            s.mode, s.narrow = "llm", True
            s.units = self._llm_units(s)
        else:
            s.units = self._extractive_units(s)
        return s

    def _verify(self, s: State) -> State:
        assert s.units is not None
        s.verified = self._verify_iter(s, s.units)
        return s

    # --- generators -------------------------------------------------------------------

    def _extractive_units(self, s: State) -> Iterator[Unit]:
        en = s.lang == "en"
        if not s.evidence:
            return
        if s.calculation is not None:  # the computed figure is the point; these support it
            yield Unit("\n\nEvidence:\n" if en else "\n\n依据：\n", frame=True)
            for i, e in enumerate(s.evidence[:3]):
                yield Unit(e.quote, [i + 1])
                yield Unit("\n", frame=True)
            return
        first, rest = s.evidence[0], s.evidence[1:]
        where = f"《{first.title}》" + (
            first.locator
            if first.kind == "law"
            else (f"“{first.section}”部分" if first.section else "")
        )
        if trust.unvouched(first, s.untrusted):  # every quote is one: no point, only what they say
            yield Unit(f"From {where}: " if en else f"{where}中写道：", frame=True)
        else:
            yield Unit(f"Key point (from {where}): " if en else f"要点：根据{where}，", frame=True)
        yield Unit(first.quote, [1])
        if rest:
            yield Unit("\n\nEvidence:\n" if en else "\n\n依据：\n", frame=True)
            ordered = sorted(range(len(rest)), key=lambda i: (rest[i].rank, rest[i].start))
            for i in ordered:
                yield Unit(rest[i].quote, [i + 2])
                yield Unit("\n", frame=True)

    def _llm_units(self, s: State) -> Iterator[Unit]:
        passages = "\n".join(
            f"[{i}] 《{p.title}》{p.locator}\n<<<\n{p.quote}\n>>>"
            for i, p in enumerate(s.passages, 1)
        )
        history = "".join(f"（之前的问题：{h}）\n" for h in s.history[-3:])
        # the redacted question as asked (placeholders tell the model what was removed)
        asked = s.question if s.query == without_placeholders(s.question) else s.query
        messages = [
            ("system", PROMPT_SYSTEM),
            ("user", f"<passages>\n{passages}\n</passages>\n{history}问题：{asked}"),
        ]
        buffer, produced, any_cited, raw = "", 0, False, []
        try:
            for chunk in self.llm.stream(messages):
                buffer += str(chunk.content or "")
                raw.append(str(chunk.content or ""))
                # emit every complete sentence; keep the tail (and a trailing marker) buffered
                complete = complete_prefix(buffer)
                if complete:
                    for u in parse_units(buffer[:complete]):
                        any_cited |= bool(u.cites)
                        produced += 1
                        yield u
                    buffer = buffer[complete:]
            for u in parse_units(buffer):
                any_cited |= bool(u.cites)
                produced += 1
                yield u
        except Exception as e:  # timeouts, HTTP errors, malformed responses of any endpoint
            logger.warning("LLM failed (%s); falling back to extractive", e.__class__.__name__)
            if produced == 0:
                yield from self._fallback(
                    s,
                    "大模型服务暂时不可用，以下为资料原文摘录。"
                    if s.lang != "en"
                    else "The language model is unavailable; these are quotes from the documents.",
                )
            else:
                s.notices.append(
                    "大模型回答未完整生成。"
                    if s.lang != "en"
                    else "The model's answer was cut short."
                )
            return
        text = "".join(raw)
        if produced == 0 or not any_cited and not REFUSAL_PHRASES.search(text):
            yield from self._fallback(
                s,
                "大模型的输出不符合引用要求，以下为资料原文摘录。"
                if s.lang != "en"
                else "The model's output had no citations; these are quotes from the documents.",
            )

    def _fallback(self, s: State, notice: str) -> Iterator[Unit]:
        s.notices.append(notice)
        s.mode, s.narrow = "extractive-fallback", False
        yield from self._extractive_units(s)

    # --- verification and formatting ---------------------------------------------------

    def _verify_iter(self, s: State, units: Iterator[Unit]) -> Iterator[Verified]:
        for u in _timed_iter(s, "generate", units):
            t = time.perf_counter()
            # LLM units cite the numbered passages; extractive ones (and a fallback) the evidence
            passages = s.passages if s.narrow else s.evidence
            result = verify_unit(u, passages, s.doc_texts, narrow=s.narrow)
            s.timings["verify"] = s.timings.get("verify", 0.0) + round(
                (time.perf_counter() - t) * 1000, 2
            )
            if isinstance(result, Verified):
                yield result
            else:
                s.rejected.append(result.reason)
                logger.info("removed an answer sentence: %s", result.reason)

    def _render(
        self,
        s: State,
        verified: Iterator[Verified],
        citations: dict[tuple[str, int, int], Citation],
    ) -> Iterator[str]:
        pending_frame = ""
        if s.urgent:  # where to call at once comes before anything else
            yield urgent_line(s) + "\n\n"
        if s.calculation is not None:
            yield calculation_piece(s, citations)
        for v in verified:
            if v.frame:
                pending_frame += v.text
                continue
            marks = ""
            for e in v.evidence:
                key = (e.doc_id, e.start, e.end)
                if key not in citations:
                    vouched = e.doc_id not in s.untrusted
                    citations[key] = cite(len(citations) + 1, e, e.quote, e.valid_until, vouched)
                marks += f"[{citations[key].n}]"
            text = trust.shown(
                v.text, [e.quote for e in v.evidence if e.doc_id not in s.untrusted], s.lang
            )
            masked = trust.notice(s.lang, self.settings.hotline)
            if text != v.text and masked not in s.notices:
                s.notices.append(masked)
            yield pending_frame + text + marks
            pending_frame = ""
        s.supported = bool(citations)

    def _doc_text(self, doc_id: str, gen: str) -> str:
        cached = self._docs.get(doc_id)
        if cached and cached[0] == gen:
            return cached[1]
        doc = self.index.get_document(doc_id)
        if doc is None:
            raise UnionQAError("索引中的文档刚被删除或更新，请重试。")
        if len(self._docs) > 256:
            self._docs.clear()
        self._docs[doc_id] = (gen, doc.text)
        return doc.text
