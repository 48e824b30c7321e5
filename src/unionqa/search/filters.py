"""Metadata filters (kind, region, in force on a date, source, document) of a search, as a Chroma
``where`` for the dense side and a row mask for the keyword side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..errors import UsageError
from .keyword import KeywordIndex

FILTER_KEYS = ("kind", "region", "in_force", "source", "doc_id")


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    region: str | None = None
    in_force: date | None = None  # valid_until on or after this date, or no expiry stated
    source: str | None = None
    doc_id: str | None = None

    @classmethod
    def parse(cls, pairs: list[str] | dict[str, str] | None) -> Filters:
        items = (
            pairs.items()
            if isinstance(pairs, dict)
            else (p.partition("=")[::2] for p in pairs or [])
        )
        values: dict[str, Any] = {}
        for key, value in items:
            key, value = key.strip(), str(value).strip()
            if key not in FILTER_KEYS or not value:
                raise UsageError(
                    f"无效的过滤条件：{key}={value}（可用：{', '.join(k + '=…' for k in FILTER_KEYS)}）"
                )
            if key == "in_force":
                try:
                    values[key] = date.fromisoformat(value)
                except ValueError as e:
                    raise UsageError(f"日期格式应为 YYYY-MM-DD：{value}") from e
            else:
                values[key] = value
        return cls(**values)

    def where(self) -> dict[str, Any] | None:
        parts: list[dict[str, Any]] = [{k: v} for k, v in self._equals().items()]
        if self.in_force:
            day = int(self.in_force.strftime("%Y%m%d"))
            parts.append({"$or": [{"valid_until": {"$gte": day}}, {"valid_until": 0}]})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def mask(self, kw: KeywordIndex) -> np.ndarray | None:
        if not self._equals() and not self.in_force:
            return None
        ok = np.ones(len(kw), dtype=bool)
        for key, value in self._equals().items():
            ok &= np.asarray(kw.columns[key], dtype=object) == value
        if self.in_force:
            day = int(self.in_force.strftime("%Y%m%d"))
            v = np.asarray(kw.columns["valid_until"], dtype=np.int64)
            ok &= (v == 0) | (v >= day)
        return ok

    def _equals(self) -> dict[str, str]:
        return {
            k: getattr(self, k) for k in ("kind", "region", "source", "doc_id") if getattr(self, k)
        }
