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
| publications | list of publication (below)       | the article as each outlet put it out          |

A publication is one outlet's address of the article (re-captures and editions of the address
are one publication; see `archive/publications.py`), earliest first: `{id: string, outlet: string
or null, url: string or null, published: string or null, first_captured: string or null,
captures: list of string}`. `first_captured` is the earliest crawl time of its captures (ISO 8601,
UTC), `captures` their paths (each capture path appears under exactly one publication). The
publications table thus travels inside the articles table, in every format: Parquet as a list of
structs, JSONL as a list of objects, CSV as JSON text in the `publications` column.

The format follows the file's extension (`.jsonl`, `.csv`, `.parquet`); a format given
explicitly must agree with it, and a name without one of these extensions is JSONL unless a
format is given.

CSV is written for spreadsheets as much as for programs:

- it starts with a UTF-8 byte order mark, without which Excel reads UTF-8 as the local code page
  and shows Chinese as mojibake;
- a cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
  carriage return) is written with a leading `'`, which spreadsheets show as text. So that
  `read_export` can undo this exactly, a cell that itself starts with `'` gets one more `'`:
  reading strips one leading `'` from every text cell. Empty text reads back as null.

Writing never damages what is there: the export goes to a temporary file in the target's folder
and replaces the target only once complete, and a target that is a SQLite database (the
archive above all, or its `-wal`/`-shm` files) is refused.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

FIELDS = (
    "id", "title", "published", "outlet", "authors", "editor", "original_url", "body", "images", "tags",
    "language", "format", "file", "captures", "warnings", "publications",
)
_LIST_FIELDS = {"authors", "body", "images", "tags", "captures", "warnings", "publications"}
FORMATS = ("jsonl", "csv", "parquet")
_EXTENSIONS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
DEFAULT_FORMAT = "jsonl"

# First characters that make a spreadsheet evaluate a cell (OWASP's list), and the quote that marks
# a cell as text (escaped too, so reading back is exact).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_MARK = "'"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# The first four bytes of a WAL file (big-endian magic, either checksum byte order).
_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILES = ("-wal", "-shm", "-journal")


class ExportError(ValueError):
    """The export cannot be written where or how it was asked for; the message says why."""


def format_for(path: str | Path, requested: str | None = None) -> str:
    """The export format for `path`: its extension's, which an explicit `requested` must agree with."""
    if requested is not None and requested not in FORMATS:
        raise ExportError(f"unknown export format {requested!r}: choose one of {', '.join(FORMATS)}")
    implied = _EXTENSIONS.get(Path(path).suffix.lower())
    if requested and implied and requested != implied:
        raise ExportError(
            f"--format {requested} does not match the file name {str(path)!r}, which says {implied}:"
            f" rename the file or drop --format"
        )
    return requested or implied or DEFAULT_FORMAT


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as src:
            head = src.read(len(_SQLITE_MAGIC))
    except OSError:
        return False
    return head == _SQLITE_MAGIC or head[:4] in _WAL_MAGICS


def _same_file(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass  # one of them does not exist (yet): compare where they would be
    return os.path.realpath(a) == os.path.realpath(b)


def check_target(path: str | Path, protected: Sequence[str | Path] = ()) -> None:
    """Refuse a target that would destroy data or cannot be written: a database (any SQLite file,
    and above all the `protected` archives and their -wal/-shm/-journal files), a folder, a
    missing folder. Raises ExportError with a one-line reason."""
    path = Path(path)
    for archive in map(Path, protected):
        for candidate in (archive, *(Path(f"{archive}{side}") for side in _SIDE_FILES)):
            if _same_file(path, candidate):
                raise ExportError(f"refusing to export over {path}: it is the archive being exported ({candidate})")
    if path.is_dir():
        raise ExportError(f"{path} is a folder: give a file name to export to, e.g. {path / 'articles.jsonl'}")
    if _is_sqlite(path):
        raise ExportError(f"refusing to export over {path}: it is a SQLite database")
    for side in _SIDE_FILES:
        if path.name.endswith(side) and _is_sqlite(path.with_name(path.name[: -len(side)])):
            raise ExportError(f"refusing to export over {path}: it belongs to the SQLite database beside it")
    if path.is_file() and not os.access(path, os.W_OK):
        raise ExportError(f"cannot export to {path}: the file is read-only")
    parent = path.parent
    if not parent.exists():
        raise ExportError(f"cannot export to {path}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise ExportError(f"cannot export to {path}: {parent} is not a folder")


def _row(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record.get(name) for name in FIELDS}


def _csv_cell(value: str) -> str:
    return _TEXT_MARK + value if value.startswith((*_FORMULA_STARTS, _TEXT_MARK)) else value


def spreadsheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (see the CSV notes above)."""
    return _csv_cell(value)


def _csv_value(cell: str) -> str:
    return cell[1:] if cell.startswith(_TEXT_MARK) else cell


def _arrow_schema() -> Any:
    import pyarrow as pa

    text = pa.string()
    return pa.schema([
        ("id", text), ("title", text), ("published", text), ("outlet", text), ("authors", pa.list_(text)),
        ("editor", text), ("original_url", text), ("body", pa.list_(text)),
        ("images", pa.list_(pa.struct([("src", text), ("caption", text)]))), ("tags", pa.list_(text)),
        ("language", text), ("format", text), ("file", text), ("captures", pa.list_(text)),
        ("warnings", pa.list_(text)),
        ("publications", pa.list_(pa.struct([
            ("id", text), ("outlet", text), ("url", text), ("published", text), ("first_captured", text),
            ("captures", pa.list_(text)),
        ]))),
    ])


def _write_jsonl(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for row in rows:
        out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        count += 1
    return count


def _write_csv(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for row in rows:
        cells = {}
        for key, value in row.items():
            if key in _LIST_FIELDS:
                value = json.dumps(value, ensure_ascii=False)
            cells[key] = _csv_cell(value) if isinstance(value, str) else value
        writer.writerow(cells)
        count += 1
    text.flush()
    text.detach()  # the caller closes the file
    return count


def _write_parquet(rows: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(list(rows), schema=_arrow_schema())
    pq.write_table(table, out)
    return table.num_rows


_WRITERS = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}


def write_stream(records: Iterable[dict[str, Any]], out: IO[bytes], fmt: str) -> int:
    """Write `records` in `fmt` to an open binary stream (a download being sent, a pipe), as they come;
    returns how many were written. Parquet is written in row groups, so no more than one group is held."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    rows = (_row(r) for r in records)
    if fmt != "parquet":
        return _WRITERS[fmt](rows, out)
    import itertools

    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _arrow_schema()
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        while group := list(itertools.islice(rows, _PARQUET_GROUP)):
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            count += len(group)
    return count


# Articles per Parquet row group when streaming: a few MB of text each.
_PARQUET_GROUP = 1000


def _new_file_mode() -> int:
    """The mode `open(path, "w")` would give a new file (0666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_export(
    records: Iterable[dict[str, Any]], path: str | Path, fmt: str | None = None, protected: Sequence[str | Path] = ()
) -> int:
    """Write `records` to `path` (format from `fmt` or the extension); returns how many were written.

    The file appears whole or not at all: rows go to a temporary file beside the target, which
    replaces it at the end. Refuses (ExportError) any target `check_target` refuses."""
    path = Path(path)
    fmt = format_for(path, fmt)
    check_target(path, protected)
    rows = (_row(r) for r in records)
    if path.exists() and not path.is_file():
        # A FIFO or a device such as /dev/stdout is written to, never replaced.
        try:
            with path.open("wb") as out:
                return _WRITERS[fmt](rows, out)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"cannot write in {path.parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            count = _WRITERS[fmt](rows, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else _new_file_mode())
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    return count


def read_export(path: str | Path, fmt: str | None = None) -> list[dict[str, Any]]:
    """Load an export back into records (the inverse of `write_export`)."""
    path = Path(path)
    fmt = format_for(path, fmt)
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if fmt == "csv":
        # utf-8-sig: the byte order mark written for spreadsheets is not part of the first column's name.
        with path.open(encoding="utf-8-sig", newline="") as src:
            return [
                {k: (json.loads(v) if k in _LIST_FIELDS else (_csv_value(v) if v != "" else None)) for k, v in row.items()}
                for row in csv.DictReader(src)
            ]
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()
