"""The archive: one article per story as published, every capture kept, Chinese full-text search."""

from newsdesk.archive.ingest import IngestSummary, ingest
from newsdesk.archive.store import DEFAULT_DB, Archive

__all__ = ["DEFAULT_DB", "Archive", "IngestSummary", "ingest"]
