"""The archive: one article per story as published, every capture kept, Chinese full-text search.

`Archive`, `IngestSummary` and `ingest` are imported on first use: `newsdesk.archive.store` (what reading
commands need) then does not bring in the whole extraction stack that `ingest` depends on.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

# The archive file commands use when given none (relative: in the folder newsdesk is run from).
DEFAULT_DB = "newsdesk.db"

if TYPE_CHECKING:
    from newsdesk.archive.ingest import IngestSummary, ingest
    from newsdesk.archive.store import Archive

__all__ = ["DEFAULT_DB", "Archive", "IngestSummary", "ingest"]


def _ingest_function() -> Any:
    from newsdesk.archive.ingest import ingest as ingest_captures

    return ingest_captures


class _Package(types.ModuleType):
    # `ingest` names both a submodule and the function this package exports. Importing the submodule sets
    # the package's attribute to the module; this property keeps `from newsdesk.archive import ingest`
    # the function, whichever is imported first.
    @property
    def ingest(self) -> Any:
        return _ingest_function()

    @ingest.setter
    def ingest(self, value: object) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        if name == "Archive":
            from newsdesk.archive.store import Archive

            return Archive
        if name == "IngestSummary":
            from newsdesk.archive.ingest import IngestSummary

            return IngestSummary
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")


sys.modules[__name__].__class__ = _Package
