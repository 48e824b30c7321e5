"""The labour issue map: workers' words → the labour situations a question describes → the
articles that govern them.

A situation (``situations/*.yaml`` beside this module, one entry each, reviewed like code) has
exemplar questions in workers' own words, optional trigger and exclusion terms, the governing
articles as references (``{law: 劳动合同法, article: 第三十条}`` or, for a non-statute,
``{title: 招聘高校毕业生, contains: 每招聘1人}``; ``asks`` lists the words of the point an
article answers, which put it first for a question that holds one), where to go, a deadline,
the facts a hotline needs and the calculator that applies. A hotline adds or overrides
situations with YAML files in ``<data_dir>/situations/``.

Matching (``situation_search.py``) is nearest exemplars by the embedding model (the exemplars
are embedded once and the matrix cached under the data dir, keyed by the map's and the model's
fingerprint), plus a small bonus for a trigger term and a veto for an exclusion term. References are resolved against the
keyword index at run time, so a situation whose documents are not indexed contributes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import UsageError

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
    # words of the asked point this article answers (垫付, 一起, 多久): a question holding one
    # puts it first among its situation's articles
    asks: tuple[str, ...] = ()

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

    def asked(self, text: str) -> list[ArticleRef]:
        """The governing articles whose asked-point words (``asks``) ``text`` holds: they go
        first among the situation's articles. The question asks at its end ("监察让他限期发，他还是
        不给，我能多要吗"), so the article whose word comes last goes first."""
        folded = text.lower()
        last = {r: max(folded.rfind(a.lower()) for a in r.asks) for r in self.articles if r.asks}
        return sorted((r for r, at in last.items() if at >= 0), key=lambda r: -last[r])


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
    unknown = set(value) - {"law", "article", "title", "contains", "asks"}
    if unknown:
        raise MapError(f"{where}：articles 中有未知字段 {', '.join(sorted(unknown))}。")
    asks = _strings(value.get("asks"), where, "asks")
    if value.get("law"):
        label = str(value.get("article") or "")
        if not _ARTICLE_LABEL.match(label):
            raise MapError(
                f"{where}：articles 中 {value['law']} 的条文编号无效：{label or '（空）'}。"
            )
        return ArticleRef(law=str(value["law"]), article=label, asks=asks)
    if value.get("title") and value.get("contains"):
        return ArticleRef(title=str(value["title"]), contains=str(value["contains"]), asks=asks)
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


_LOADED: dict[tuple[str, ...], IssueMap] = {}
