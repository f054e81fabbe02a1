"""Exports: JSONL, CSV and Parquet read back to exactly `Archive.iter_articles()`."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsdesk.archive import Archive
from newsdesk.archive.export import FIELDS, FORMATS, ExportError, format_for, read_export, write_export
from tests.archive.helpers import BASE, CAPTURES, ingest_into, read, revised, traditional, write


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Every dev capture (images, authors, editors, nulls, both scripts) plus a folded copy and
    a revision, so some articles have several captures."""
    folder = tmp_path_factory.mktemp("export")
    extra = write(folder / "extra", {"tw.md": traditional(read(BASE)), "rev.md": revised(read(BASE))})
    db = folder / "export.db"
    ingest_into(db, CAPTURES, extra)
    opened = Archive(db)
    yield opened
    opened.close()


def test_the_archive_covers_the_awkward_cases(archive: Archive) -> None:
    records = list(archive.iter_articles())
    assert any(len(r["captures"]) == 3 for r in records), "one article with three captures"
    images = [i for r in records for i in r["images"]]
    assert any(i["caption"] is None for i in images) and any(i["caption"] for i in images)
    assert any(r["published"] is None for r in records) and any(r["editor"] for r in records)
    assert any(any("\n" in b or "," in b or '"' in b for b in r["body"]) for r in records), "CSV must quote"


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_round_trips(archive: Archive, tmp_path: Path, fmt: str) -> None:
    records = list(archive.iter_articles())
    path = tmp_path / f"articles.{fmt}"
    assert write_export(archive.iter_articles(), path, fmt) == len(records)
    assert read_export(path, fmt) == records


def test_records_have_exactly_the_documented_fields(archive: Archive) -> None:
    for record in archive.iter_articles():
        assert tuple(record) == FIELDS


def test_parquet_has_typed_columns(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    write_export(archive.iter_articles(), path, "parquet")
    schema = pq.read_schema(path)
    assert schema.names == list(FIELDS)
    for name in ("authors", "body", "tags", "captures"):
        assert schema.field(name).type.equals(pa.list_(pa.string())), name
    assert schema.field("images").type.value_type.equals(pa.struct([("src", pa.string()), ("caption", pa.string())]))
    assert schema.field("title").type.equals(pa.string())


def test_empty_archive_exports_empty_files(tmp_path: Path) -> None:
    with Archive(tmp_path / "empty.db") as empty:
        for fmt in FORMATS:
            path = tmp_path / f"empty.{fmt}"
            assert write_export(empty.iter_articles(), path, fmt) == 0
            assert read_export(path, fmt) == []


def test_unknown_format_says_which_exist(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="jsonl, csv, parquet"):
        write_export([], tmp_path / "x.xml", "xml")
    with pytest.raises(ValueError, match="jsonl, csv, parquet"):
        read_export(tmp_path / "x.xml", "xml")


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"點我\")", "+1+2", "-3-4", "@SUM(A1)", "\t=1", "\r=1", "'quoted", "''=2"]


def test_csv_cells_a_spreadsheet_would_run_are_text_and_round_trip(archive: Archive, tmp_path: Path) -> None:
    records = list(archive.iter_articles())[: len(FORMULAS)]
    for record, formula in zip(records, FORMULAS, strict=True):
        record["title"] = formula
        record["outlet"] = formula
        record["authors"] = [formula]
    path = tmp_path / "articles.csv"
    write_export(records, path, "csv")
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8), "spreadsheets need the BOM to read UTF-8"
    with path.open(encoding="utf-8-sig", newline="") as src:
        rows = list(csv.DictReader(src))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert [row["title"] for row in rows] == ["'" + f for f in FORMULAS]
    assert read_export(path, "csv") == records


def test_an_export_interrupted_part_way_leaves_the_old_file_and_no_scraps(archive: Archive, tmp_path: Path) -> None:
    def failing() -> Iterator[dict]:
        records = archive.iter_articles()
        yield next(records)
        raise OSError(28, "No space left on device")

    for fmt in FORMATS:
        path = tmp_path / f"articles.{fmt}"
        write_export(archive.iter_articles(), path, fmt)
        before = path.read_bytes()
        with pytest.raises(ExportError, match="No space left"):
            write_export(failing(), path, fmt)
        assert path.read_bytes() == before, fmt
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"articles.{fmt}" for fmt in FORMATS)


def test_format_comes_from_the_extension_and_must_agree(tmp_path: Path) -> None:
    assert [format_for(tmp_path / f"a.{fmt.upper()}") for fmt in FORMATS] == list(FORMATS)
    assert format_for(tmp_path / "articles") == "jsonl"
    assert format_for(tmp_path / "articles.txt", "csv") == "csv"
    with pytest.raises(ExportError, match="does not match"):
        format_for(tmp_path / "a.parquet", "csv")
