"""The archive commands as a user runs them: ingest, failures, search, list, show, export, stats.

Runs the Typer app in-process (typer's CliRunner), with stdout and stderr apart and a wide
terminal so Rich does not wrap the lines under test.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from newsdesk.archive import Archive
from newsdesk.archive.export import read_export
from newsdesk.cli import app
from tests.archive.helpers import BASE, CAPTURES, read, revised, traditional, write

RUNNER = CliRunner()
WIDE = {"COLUMNS": "250", "NO_COLOR": "1"}
SEARCH_KEYS = {"id", "title", "outlet", "published", "day", "day_inferred", "captures", "publications", "snippet", "expanded"}
LIST_KEYS = SEARCH_KEYS - {"snippet", "expanded"}


def newsdesk(*args: str | Path) -> Result:
    return RUNNER.invoke(app, [str(a) for a in args], env=WIDE)


def jsonl(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    base = read(BASE)
    extra = write(root / "extra", {
        "base_tw.md": traditional(base),
        "base_revised.md": revised(base),
        "junk.bin": random.Random(11).randbytes(8192),
        "cut.html.gz": gzip.compress((CAPTURES / "people__1.html").read_bytes(), mtime=0)[:500],
    })
    with zipfile.ZipFile(extra / "bundle.zip", "w") as bundle:
        bundle.writestr("hk/wealth.html", (CAPTURES / "wealth__58979cfd.html").read_bytes().replace(b"10", b"11"))
    return root


@pytest.fixture(scope="module")
def db(archive_dir: Path) -> Path:
    path = archive_dir / "news.db"
    result = newsdesk("ingest", CAPTURES, archive_dir / "extra", "--db", path)
    assert result.exit_code == 0, result.stderr
    archive_dir.joinpath("first-ingest.txt").write_text(result.stderr, encoding="utf-8")
    return path


def _count(text: str, label: str) -> int:
    match = re.search(rf"{label}: (\d+)", text)
    assert match, (label, text)
    return int(match.group(1))


def test_ingest_prints_a_summary_with_counts(db: Path, archive_dir: Path) -> None:
    summary = archive_dir.joinpath("first-ingest.txt").read_text(encoding="utf-8")
    dev = len(list(CAPTURES.iterdir()))
    # The extras: a traditional copy and the zipped page fold, the revision is a revision, two fail.
    assert _count(summary, "captures read") == dev + 5
    assert (_count(summary, "new articles"), _count(summary, "folded"), _count(summary, "revisions")) == (dev, 2, 1)
    assert _count(summary, "failed") == 2
    assert "binary content" in summary and "unreadable" in summary, "failure reasons are counted"
    assert f"{dev} articles from {dev + 3} captures, 2 failures" in summary


def test_reingest_reports_everything_unchanged(db: Path, archive_dir: Path) -> None:
    result = newsdesk("ingest", CAPTURES, archive_dir / "extra", "--db", db)
    assert result.exit_code == 0, result.stderr
    read_count = _count(result.stderr, "captures read")
    assert _count(result.stderr, "unchanged") == read_count
    for label in ("new articles", "folded", "revisions", "failed"):
        assert _count(result.stderr, label) == 0, label


def test_ingest_reports_a_missing_path_and_ingests_the_rest(tmp_path: Path) -> None:
    result = newsdesk("ingest", tmp_path / "nowhere", BASE, "--db", tmp_path / "a.db")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    assert _count(result.stderr, "new articles") == 1


def test_failures_lists_quarantined_captures(db: Path) -> None:
    result = newsdesk("failures", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert "junk.bin" in result.stdout and "cut.html.gz" in result.stdout
    rows = jsonl(newsdesk("failures", "--db", db, "--format", "jsonl"))
    errors = {Path(str(r["path"])).name: str(r["error"]) for r in rows}
    assert set(errors) == {"junk.bin", "cut.html.gz"}
    assert "binary" in errors["junk.bin"] and "truncated gzip" in errors["cut.html.gz"]


def test_search_jsonl_lines_have_exactly_the_documented_keys(db: Path) -> None:
    rows = jsonl(newsdesk("search", "拉夫羅夫", "--db", db, "--format", "jsonl"))
    assert rows
    for row in rows:
        assert set(row) == SEARCH_KEYS
        assert "<b>" in str(row["snippet"]) and "</b>" in str(row["snippet"])
        assert all(Path(p).exists() for p in row["captures"]), "paths as ingested"


def test_search_and_list_show_container_paths_as_ingested(db: Path, archive_dir: Path) -> None:
    member = f"{archive_dir / 'extra' / 'bundle.zip'}!hk/wealth.html"
    listed = [r for r in jsonl(newsdesk("list", "--db", db, "--format", "jsonl")) if member in r["captures"]]
    # The zipped copy names the same original as the loose one: one article, both paths.
    assert len(listed) == 1
    assert listed[0]["captures"] == [str(CAPTURES / "wealth__58979cfd.html"), member]
    found = jsonl(newsdesk("search", "低軌衛星", "--db", db, "--format", "jsonl"))
    assert any(member in r["captures"] for r in found)


def test_list_jsonl_lines_have_the_keys_less_the_snippet(db: Path) -> None:
    rows = jsonl(newsdesk("list", "--db", db, "--format", "jsonl"))
    with Archive(db) as archive:
        assert len(rows) == archive.counts()["articles"]
    assert all(set(r) == LIST_KEYS for r in rows)
    base = [r for r in rows if any(Path(str(p)).name == BASE.name for p in r["captures"])]
    assert len(base) == 1 and len(base[0]["captures"]) == 3


def test_list_and_search_filters(db: Path) -> None:
    rows = jsonl(newsdesk("list", "--db", db, "--format", "jsonl", "--outlet", "大纪元", "--since", "2022-01-01",
                          "--until", "2022-02-02"))
    assert [(r["outlet"], r["published"]) for r in rows] == [("大纪元", "2022-02-02")]
    found = jsonl(newsdesk("search", "拉夫罗夫", "--db", db, "--format", "jsonl", "--until", "2022-02-02", "--since",
                           "2022-02-02"))
    assert sorted(str(r["published"]) for r in found) == ["2022-02-02", "2022-02-02T02:38:07+00:00"]


def test_search_table_marks_matches(db: Path) -> None:
    result = newsdesk("search", "拉夫罗夫", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert "results for 拉夫罗夫" in result.stdout
    assert "拉夫罗夫" in result.stdout and "<b>" not in result.stdout, "marks become highlighting"


def test_bad_query_is_explained_not_a_traceback(db: Path) -> None:
    result = newsdesk("search", "(布林肯 OR", "--db", db)
    assert result.exit_code == 2
    assert "parentheses" in result.stderr or "each side" in result.stderr
    assert "Traceback" not in result.stderr and "fts5" not in result.stderr


def _base_id(db: Path) -> str:
    rows = jsonl(newsdesk("list", "--db", db, "--format", "jsonl"))
    return next(str(r["id"]) for r in rows if any(Path(str(p)).name == BASE.name for p in r["captures"]))


def test_show_with_captures_explains_the_choice(db: Path) -> None:
    article_id = _base_id(db)
    result = newsdesk("show", article_id[:8], "--db", db, "--captures")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("# 北极会议登场 美俄外长首次面对面会谈")
    assert "3 captures, 2 revision(s)" in out
    assert "best capture:" in out and "body characters" in out
    assert out.count("★") == 1
    for name in (BASE.name, "base_tw.md", "base_revised.md"):
        assert name in out, name


def test_show_json_lists_every_capture(db: Path) -> None:
    info = json.loads(newsdesk("show", _base_id(db), "--db", db, "--format", "json").stdout)
    # A folder is walked in name order: the revision comes before the traditional copy of the first text.
    assert [Path(c["path"]).name for c in info["captures"]] == [BASE.name, "base_revised.md", "base_tw.md"]
    assert [c["revision"] for c in info["captures"]] == [1, 2, 1]
    assert [c["best"] for c in info["captures"]] == [False, True, False], "the best of the latest revision"
    assert all(c["score_reason"] and c["fold_reason"] for c in info["captures"])


def test_show_unknown_id_says_where_ids_are(db: Path) -> None:
    result = newsdesk("show", "zzzz", "--db", db)
    assert result.exit_code == 2
    assert "newsdesk list" in result.stderr


def test_stats_counts_articles_per_outlet_and_month(db: Path) -> None:
    table = newsdesk("stats", "--db", db)
    assert table.exit_code == 0 and "大纪元" in table.stdout and "2022-02" in table.stdout
    rows = jsonl(newsdesk("stats", "--db", db, "--format", "jsonl"))
    assert all(set(r) == {"outlet", "month", "articles", "inferred"} for r in rows)
    with Archive(db) as archive:
        assert sum(int(r["articles"]) for r in rows) == archive.counts()["articles"]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_writes_every_article(db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"articles.{fmt}"
    result = newsdesk("export", out, "--db", db, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    with Archive(db) as archive:
        expected = list(archive.iter_articles())
    assert f"wrote {len(expected)} articles" in result.stderr
    assert read_export(out, fmt) == expected


@pytest.mark.parametrize(
    "command",
    [["search", "普京"], ["list"], ["show", "abc"], ["export", "out.jsonl"], ["stats"], ["failures"]],
)
def test_commands_on_a_missing_archive_say_how_to_make_one(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "missing.db"
    result = newsdesk(*command, "--db", missing)
    assert result.exit_code == 2
    assert f"no archive at {missing}" in result.stderr
    assert "newsdesk ingest" in result.stderr
    assert not missing.exists(), "a read command does not create an empty archive"


def test_outlet_filters_take_any_name_the_outlet_goes_by(db: Path) -> None:
    """Articles keep the outlet name their capture prints; a filter given in the other script, in
    English or another case (issue 9: 大紀元, "The Epoch Times" gave 0 rows) finds the same articles."""
    canonical = jsonl(newsdesk("list", "--db", db, "--format", "jsonl", "--outlet", "大纪元"))
    assert canonical and all(r["outlet"] == "大纪元" for r in canonical)
    for other in ("大紀元", "The Epoch Times", "the epoch times", "大纪元时报"):
        assert jsonl(newsdesk("list", "--db", db, "--format", "jsonl", "--outlet", other)) == canonical, other
        found = jsonl(newsdesk("search", "拉夫罗夫", "--db", db, "--format", "jsonl", "--outlet", other))
        assert found and {r["outlet"] for r in found} == {"大纪元"}, other
    assert jsonl(newsdesk("list", "--db", db, "--format", "jsonl", "--outlet", "没有这家媒体")) == []
    assert jsonl(newsdesk("search", "拉夫罗夫", "--db", db, "--format", "jsonl", "--outlet", "没有这家媒体")) == []
