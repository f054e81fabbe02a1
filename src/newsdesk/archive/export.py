"""Exports of the archive: JSONL, CSV and Parquet, one record per article.

Schema (all formats; CSV writes list fields as JSON text):

| field        | type                              | meaning                                        |
|--------------|-----------------------------------|------------------------------------------------|
| id           | string                            | article id (`newsdesk show ID`)                |
| title        | string or null                    | headline                                       |
| published    | string or null                    | ISO 8601 date or date-time with offset         |
| outlet       | string or null                    | the news organisation that wrote it            |
| authors      | list of string                    | reporters and writers                          |
| editor       | string or null                    | editor credit                                  |
| original_url | string or null                    | the outlet's own address                       |
| body         | list of string                    | text blocks in reading order                   |
| images       | list of {src: string, caption: string or null} | the article's pictures            |
| tags         | list of string                    | tags and keywords                              |
| language     | string or null                    | zh-Hans, zh-Hant, en, …                        |
| format       | string or null                    | capture format of the best capture             |
| file         | string                            | the article id again (the `Article.file` slot) |
| captures     | list of string                    | every capture's path as ingested               |
| warnings     | list of string                    | what was lost reading the best capture (a cut) |
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FIELDS = (
    "id", "title", "published", "outlet", "authors", "editor", "original_url", "body", "images", "tags",
    "language", "format", "file", "captures", "warnings",
)
_LIST_FIELDS = {"authors", "body", "images", "tags", "captures", "warnings"}
FORMATS = ("jsonl", "csv", "parquet")


def _row(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in FIELDS}


def _arrow_schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    return pa.schema([
        ("id", text), ("title", text), ("published", text), ("outlet", text), ("authors", pa.list_(text)),
        ("editor", text), ("original_url", text), ("body", pa.list_(text)),
        ("images", pa.list_(pa.struct([("src", text), ("caption", text)]))), ("tags", pa.list_(text)),
        ("language", text), ("format", text), ("file", text), ("captures", pa.list_(text)),
        ("warnings", pa.list_(text)),
    ])


def write_export(records: Iterable[dict[str, Any]], path: str | Path, fmt: str) -> int:
    """Write `records` to `path` in `fmt`; returns how many were written."""
    rows = [_row(r) for r in records]
    path = Path(path)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=FIELDS)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: json.dumps(v, ensure_ascii=False) if k in _LIST_FIELDS else v for k, v in row.items()})
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows, schema=_arrow_schema()), path)
    else:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return len(rows)


def read_export(path: str | Path, fmt: str) -> list[dict[str, Any]]:
    """Load an export back into records (the inverse of `write_export`)."""
    path = Path(path)
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as src:
            return [
                {k: (json.loads(v) if k in _LIST_FIELDS else (v if v != "" else None)) for k, v in row.items()}
                for row in csv.DictReader(src)
            ]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
