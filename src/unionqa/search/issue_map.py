"""The labour issue map: workers' words → the labour situations a question describes → the
articles that govern them.

A situation (``situations/*.yaml`` beside this module, one entry each, reviewed like code) has
exemplar questions in workers' own words, optional trigger and exclusion terms, the governing
articles as references (``{law: 劳动合同法, article: 第三十条}`` or, for a non-statute,
``{title: 招聘高校毕业生, contains: 每招聘1人}``), where to go, a deadline, the facts a hotline
needs and the calculator that applies. A hotline adds or overrides situations with YAML files in
``<data_dir>/situations/``.

Matching is nearest exemplars by the embedding model (the exemplars are embedded once and the
matrix cached under the data dir, keyed by the map's and the model's fingerprint), plus a small
bonus for a trigger term and a veto for an exclusion term. References are resolved against the
keyword index at run time, so a situation whose documents are not indexed contributes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..errors import UsageError
from ..settings import SituationSettings
from ..text.tokens import tokenize

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).with_name("situations")
MIN_EXEMPLARS = 8
OFFICES = (
    "劳动保障监察",
    "劳动争议调解组织",
    "劳动争议仲裁委员会",
    "人民法院",
    "社会保险经办机构",
    "社会保险行政部门",
    "工会",
    "人社部门",
    "公共就业服务机构",
    "妇联",
    "网信部门",
    "公安机关",
)
CALCULATORS = (
    "severance",
    "unlawful_termination",
    "notice_pay",
    "no_contract_double_wage",
    "overtime_pay",
    "probation_limit",
    "maternity_leave",
    "arbitration_deadline",
    "annual_leave",
)
_ARTICLE_LABEL = re.compile(r"^第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?$")
_FIELDS = {
    "id",
    "name",
    "name_en",
    "exemplars",
    "triggers",
    "excludes",
    "articles",
    "offices",
    "deadline",
    "deadline_en",
    "facts",
    "calculator",
    "advice",
    "advice_en",
}


class MapError(UsageError):
    """A situation file is invalid; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class ArticleRef:
    law: str | None = None  # the end of a document title: 劳动合同法
    article: str | None = None  # 第三十条
    title: str | None = None  # a title substring, for documents without articles
    contains: str | None = None  # a verbatim phrase of the passage

    def __str__(self) -> str:
        if self.law:
            return f"{self.law}{self.article}"
        return f"《{self.title}》“{self.contains}”"


@dataclass(frozen=True)
class Situation:
    id: str
    name: str
    name_en: str
    exemplars: tuple[str, ...]
    articles: tuple[ArticleRef, ...] = ()
    triggers: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    deadline: str | None = None
    deadline_en: str | None = None
    facts: tuple[str, ...] = ()
    calculator: str | None = None
    advice: str | None = None
    advice_en: str | None = None
    file: str = ""

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name


@dataclass(frozen=True)
class Match:
    situation: Situation
    score: float
    trigger: bool = False


def _strings(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise MapError(f"{where}：字段 {name} 应为非空字符串列表。")
    return tuple(v.strip() for v in value)


def _ref(value: Any, where: str) -> ArticleRef:
    if not isinstance(value, dict):
        raise MapError(f"{where}：articles 的每一项应为 {{law, article}} 或 {{title, contains}}。")
    unknown = set(value) - {"law", "article", "title", "contains"}
    if unknown:
        raise MapError(f"{where}：articles 中有未知字段 {', '.join(sorted(unknown))}。")
    if value.get("law"):
        label = str(value.get("article") or "")
        if not _ARTICLE_LABEL.match(label):
            raise MapError(
                f"{where}：articles 中 {value['law']} 的条文编号无效：{label or '（空）'}。"
            )
        return ArticleRef(law=str(value["law"]), article=label)
    if value.get("title") and value.get("contains"):
        return ArticleRef(title=str(value["title"]), contains=str(value["contains"]))
    raise MapError(f"{where}：articles 的每一项应为 {{law, article}} 或 {{title, contains}}。")


def parse_entry(raw: Any, file: str, index: int) -> Situation:
    where = f"{file} 第 {index + 1} 项"
    if not isinstance(raw, dict):
        raise MapError(f"{where}：应为一个 YAML 映射。")
    sid = raw.get("id")
    if not isinstance(sid, str) or not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*", sid):
        raise MapError(f"{where}：字段 id 缺失或无效（小写字母、数字、点）。")
    where = f"{file} 的 {sid}"
    unknown = set(raw) - _FIELDS
    if unknown:
        raise MapError(f"{where}：未知字段 {', '.join(sorted(unknown))}。")
    for name in ("name", "name_en"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise MapError(f"{where}：缺少字段 {name}。")
    exemplars = _strings(raw.get("exemplars"), where, "exemplars")
    if len(exemplars) < MIN_EXEMPLARS:
        raise MapError(f"{where}：exemplars 至少要 {MIN_EXEMPLARS} 条，现在 {len(exemplars)} 条。")
    offices = _strings(raw.get("offices"), where, "offices")
    for o in offices:
        if o not in OFFICES:
            raise MapError(f"{where}：未知的 offices 取值 {o}（可用：{'、'.join(OFFICES)}）。")
    calculator = raw.get("calculator")
    if calculator is not None and calculator not in CALCULATORS:
        raise MapError(f"{where}：未知的 calculator {calculator}。")
    articles = raw.get("articles") or []
    if not isinstance(articles, list):
        raise MapError(f"{where}：字段 articles 应为列表。")
    text = {k: raw.get(k) for k in ("deadline", "deadline_en", "advice", "advice_en")}
    for k, v in text.items():
        if v is not None and not isinstance(v, str):
            raise MapError(f"{where}：字段 {k} 应为字符串。")
    return Situation(
        id=sid,
        name=raw["name"].strip(),
        name_en=raw["name_en"].strip(),
        exemplars=exemplars,
        articles=tuple(_ref(a, where) for a in articles),
        triggers=_strings(raw.get("triggers"), where, "triggers"),
        excludes=_strings(raw.get("excludes"), where, "excludes"),
        offices=offices,
        facts=_strings(raw.get("facts"), where, "facts"),
        calculator=calculator,
        file=file,
        **text,
    )


def _parse_yaml(text: str) -> Any:
    """A situation file is small reviewed data: anchors and aliases are refused. libyaml's C
    loader when present (0.07 s for the shipped map, against 0.55 s in Python)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=loader)):
        raise MapError("不允许使用 YAML 别名（*alias）。")
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)


def load_file(path: Path) -> list[Situation]:
    try:
        raw = _parse_yaml(path.read_text(encoding="utf-8"))
    except MapError as e:
        raise MapError(f"{path.name}：{e}") from e
    except yaml.YAMLError as e:
        raise MapError(f"{path.name}：不是有效的 YAML（{e.__class__.__name__}）。") from e
    except UnicodeDecodeError as e:
        raise MapError(f"{path.name}：不是 UTF-8 编码。") from e
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise MapError(f"{path.name}：应为情形的列表。")
    return [parse_entry(entry, path.name, i) for i, entry in enumerate(raw)]


@dataclass
class IssueMap:
    situations: list[Situation]
    overrides: list[str] = field(default_factory=list)  # ids a data-dir file replaced

    @classmethod
    def load(cls, extra_dir: Path | None = None, package: bool = True) -> IssueMap:
        """The package's situations, then ``extra_dir/*.yaml`` (add or override by id); parsed
        once per process while the files are unchanged."""
        files = [*(sorted(PACKAGE_DIR.glob("*.yaml")) if package else [])]
        if extra_dir is not None and extra_dir.is_dir():
            files += sorted(extra_dir.glob("*.yaml"))
        key = (str(extra_dir), str(package), *(f"{f}:{f.stat().st_mtime_ns}" for f in files))
        if key not in _LOADED:
            _LOADED[key] = cls._load(extra_dir, package)
        return _LOADED[key]

    @classmethod
    def _load(cls, extra_dir: Path | None, package: bool) -> IssueMap:
        by_id: dict[str, Situation] = {}
        for path in sorted(PACKAGE_DIR.glob("*.yaml")) if package else []:
            for s in load_file(path):
                if s.id in by_id:
                    raise MapError(f"{path.name} 的 {s.id}：id 与 {by_id[s.id].file} 重复。")
                by_id[s.id] = s
        overrides = []
        if extra_dir is not None and extra_dir.is_dir():
            seen: dict[str, str] = {}
            for path in sorted(extra_dir.glob("*.yaml")):
                for s in load_file(path):
                    if s.id in seen:
                        raise MapError(f"{path.name} 的 {s.id}：id 与 {seen[s.id]} 重复。")
                    seen[s.id] = path.name
                    if s.id in by_id:
                        overrides.append(s.id)
                    by_id[s.id] = s
        return cls(list(by_id.values()), overrides)

    def get(self, sid: str) -> Situation | None:
        return next((s for s in self.situations if s.id == sid), None)

    def fingerprint(self) -> str:
        text = json.dumps(
            [(s.id, s.exemplars) for s in self.situations], ensure_ascii=False
        ).encode("utf-8")
        return hashlib.blake2b(text, digest_size=12).hexdigest()


# exemplar matrices by (model, map fingerprint): every service of a process shares one
_MEMO: dict[tuple[str, str], np.ndarray] = {}
_BM25: dict[str, Any] = {}
_LOADED: dict[tuple[str, ...], IssueMap] = {}


class Matcher:
    """Question → ranked situations. The exemplar matrix is built once per process (loaded
    from the cache under the data dir when the map and the model are unchanged)."""

    def __init__(self, issue_map: IssueMap, embeddings: Any, cache_dir: Path | None) -> None:
        self.map = issue_map
        self.embeddings = embeddings
        self.cache_dir = cache_dir
        self._matrix: np.ndarray | None = None
        self._owner: np.ndarray | None = None
        self._bm25: Any = None
        self._lock = threading.Lock()

    def _model_name(self) -> str:
        return str(getattr(self.embeddings, "name", type(self.embeddings).__name__))

    def _cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"situations-{self._model_name()}-{self.map.fingerprint()}.npy"

    def warm_up(self) -> None:
        with self._lock:
            if self._matrix is not None:
                return
            texts: list[str] = []
            owner: list[int] = []
            for i, s in enumerate(self.map.situations):
                texts.extend(s.exemplars)
                owner.extend([i] * len(s.exemplars))
            self._owner = np.asarray(owner, dtype=np.int32)
            fingerprint = self.map.fingerprint()
            if fingerprint not in _BM25:  # jieba over every exemplar: once per process
                _BM25[fingerprint] = _situation_bm25(self.map.situations)
            self._bm25 = _BM25[fingerprint]
            key = (self._model_name(), self.map.fingerprint())
            if key in _MEMO:
                self._matrix = _MEMO[key]
                return
            path = self._cache_path()
            if path is not None and path.exists():
                m = np.load(path)
                if m.shape[0] == len(texts):
                    self._matrix = _MEMO[key] = m
                    return
            logger.info("embedding %d situation exemplars", len(texts))
            m = np.asarray(self.embeddings.encode(texts, query=True), dtype=np.float32)
            _MEMO[key] = m
            if path is not None and path.parent.is_dir():
                for old in path.parent.glob("situations-*.npy"):
                    old.unlink(missing_ok=True)
                tmp = path.with_name(path.stem + ".tmp.npy")
                np.save(tmp, m)
                tmp.replace(path)
            self._matrix = m

    def match(
        self, text: str, vector: Sequence[float], lang: str, cfg: SituationSettings
    ) -> list[Match]:
        """The situations ``text`` (with its vector) describes, best first; [] for none."""
        if not self.map.situations:
            return []
        self.warm_up()
        assert self._matrix is not None and self._owner is not None
        sims = self._matrix @ np.asarray(vector, dtype=np.float32)
        if float(sims.max()) < cfg.min_similarity:
            return []
        # English questions have few exemplars of their language: their nearest one decides
        k = 1 if lang == "en" else cfg.top_exemplars
        dense = np.array(
            [np.sort(sims[self._owner == i])[-k:].mean() for i in range(len(self.map.situations))]
        )
        lexical = _bm25_scores(self._bm25, text, len(dense))
        if lexical.max() > 0:
            dense = dense + cfg.lexical_weight * lexical / lexical.max()
        folded = text.lower()
        scored: list[Match] = []
        for i, s in enumerate(self.map.situations):
            if any(x.lower() in folded for x in s.excludes):
                continue
            trig = any(t.lower() in folded for t in s.triggers)
            scored.append(
                Match(s, round(float(dense[i]) + (cfg.trigger_bonus if trig else 0.0), 4), trig)
            )
        scored.sort(key=lambda m: -m.score)
        if not scored:
            return []
        top = scored[0].score
        return [m for m in scored if m.score >= top - cfg.second_margin][: cfg.max_matches]


def _situation_bm25(situations: Sequence[Situation]) -> Any:
    from .keyword import import_bm25s

    bm25s = import_bm25s()

    docs = [tokenize(" ".join([*s.exemplars, s.name, *s.triggers])) for s in situations]
    model = bm25s.BM25()
    model.index(docs, show_progress=False)
    return model


def _bm25_scores(model: Any, text: str, n: int) -> np.ndarray:
    vocab = getattr(model, "vocab_dict", {})
    tokens = [t for t in tokenize(text) if t in vocab]
    if not tokens:
        return np.zeros(n, dtype=np.float32)
    return np.asarray(model.get_scores(tokens), dtype=np.float32)
