"""unionqa: cited, verifiable answers to Chinese workers' policy and rights questions.

The public names: ``QAService`` (the one entry point: ingest, search, ask), ``Settings``, the
values it returns (``Answer``, ``Citation``, ``Hit``, ``Document``) and ``UnionQAError``, the base of
every error it raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import UnionQAError
from .settings import Settings
from .types import Answer, Citation, Document, Hit

if TYPE_CHECKING:
    from .service import QAService

__version__ = "0.1.0"

__all__ = ["QAService", "Settings", "Answer", "Citation", "Hit", "Document", "UnionQAError"]


def __getattr__(name: str) -> Any:
    # QAService on first use: it imports the model and store libraries (0.8 s), which
    # `unionqa --help` and the floor modules do without
    if name == "QAService":
        from .service import QAService

        return QAService
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
