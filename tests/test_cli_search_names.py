"""`search` finds an entity under its other names (普丁 → 普京, Putin), `--exact` turns that off, and
`search`/`list` page through what they find ("showing 1–2 of 5", `--limit`, `--offset`). The commands run
in process, on an archive of the bundled examples."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from newsdesk.archive.text import expand_query
from tests.console import EXAMPLES, invoke_newsdesk, needs_console_script

pytestmark = needs_console_script


def newsdesk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return invoke_newsdesk(*args)


def records(*args: str | Path) -> list[dict[str, Any]]:
    run = newsdesk(*args, "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "examples.db"
    run = newsdesk("ingest", EXAMPLES, "--db", path)
    assert run.returncode == 0, run.stderr
    return path


def test_a_name_finds_the_articles_that_use_another_name_of_the_entity(db: Path) -> None:
    # The examples write 普京 only; 普丁 is the Taiwanese spelling.
    assert "普丁" not in "".join(p.read_text(encoding="utf-8") for p in EXAMPLES.iterdir())
    found = records("search", "普丁", "--db", db)
    assert len(found) == 5
    assert all(r["expanded"]["普丁"][:2] == ["普京", "Putin"] for r in found)
    assert all("<b>普京" in r["snippet"] for r in found), [r["snippet"] for r in found]
    # An English name finds the Chinese articles too, and the names the index would match anyway are left out.
    english = records("search", "Putin", "--db", db)
    assert {r["id"] for r in english} == {r["id"] for r in found}
    assert "Vladimir Putin" not in english[0]["expanded"]["Putin"]

    table = newsdesk("search", "普丁", "--db", db)
    assert "普丁 → also searched: 普京, Putin" in table.stdout, table.stdout


def test_exact_searches_only_the_words_given(db: Path) -> None:
    assert records("search", "普丁", "--exact", "--db", db) == []
    exact = records("search", "普京", "--exact", "--db", db)
    assert exact and all(r["expanded"] == {} for r in exact)
    table = newsdesk("search", "普丁", "--exact", "--db", db)
    assert "also searched" not in table.stdout and "showing 0 of 0" in table.stdout


def test_names_come_from_the_gazetteer_before_stories_and_from_the_users_aliases(db: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.db"
    shutil.copyfile(db, bare)
    conn = sqlite3.connect(bare)
    # As if no article had been placed in a story: no learned entities, no mentions.
    conn.executescript("PRAGMA journal_mode=DELETE; DELETE FROM entities; DELETE FROM mentions; DELETE FROM story_articles;")
    conn.close()
    assert len(records("search", "普丁", "--db", bare)) == 5

    assert records("search", "沙皇", "--db", bare) == []
    added = newsdesk("alias", "add", "普京", "沙皇", "--db", bare)
    assert added.returncode == 0, added.stderr
    taught = records("search", "沙皇", "--db", bare)
    assert len(taught) == 5 and "普京" in taught[0]["expanded"]["沙皇"]


def test_expansion_keeps_the_query_syntax() -> None:
    names = {"普丁": ["普京", "Vladimir Putin", "Putin", "弗拉基米尔·普京", "普丁"], "王毅": ["王毅", "Wang Yi"]}
    query, expanded = expand_query('普丁 AND NOT (王毅 OR "北约")', names.get)
    assert expanded == {"普丁": ["普京", "Putin"], "王毅": ["Wang Yi"]}
    assert query == '("普丁" OR "普京" OR "Putin") AND NOT ( ("王毅" OR "Wang Yi") OR "北约" )'


def test_search_pages_through_every_match_once(db: Path) -> None:
    everything = [r["id"] for r in records("search", "普京", "--db", db)]
    assert len(everything) == 5
    pages = [records("search", "普京", "--db", db, "--limit", "2", "--offset", str(at)) for at in (0, 2, 4, 6)]
    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert [r["id"] for page in pages for r in page] == everything
    first = newsdesk("search", "普京", "--db", db, "--limit", "2")
    assert "showing 1–2 of 5 results for 普京" in first.stdout and "next: --offset 2" in first.stdout, first.stdout
    last = newsdesk("search", "普京", "--db", db, "--limit", "2", "--offset", "4")
    assert "showing 5–5 of 5" in last.stdout and "next:" not in last.stdout, last.stdout


def test_list_pages_and_counts(db: Path) -> None:
    everything = [r["id"] for r in records("list", "--db", db)]
    assert len(everything) == 5
    assert [r["id"] for r in records("list", "--db", db, "--limit", "2", "--offset", "1")] == everything[1:3]
    table = newsdesk("list", "--db", db, "--limit", "2", "--offset", "1")
    assert "showing 2–3 of 5 articles" in table.stdout, table.stdout
    assert "showing 1–5 of 5 articles" in newsdesk("list", "--db", db).stdout
    filtered = newsdesk("list", "--db", db, "--outlet", "大纪元", "--limit", "1")
    assert "showing 1–1 of 2 articles" in filtered.stdout, filtered.stdout


@pytest.mark.parametrize(
    "args", [["--offset", "-1"], ["--offset", "two"], ["--limit", "0"], ["--limit", "100001"], ["--offset", "1e3"]]
)
def test_a_bad_page_is_a_one_line_error(db: Path, args: list[str]) -> None:
    for command in (["search", "普京"], ["list"]):
        run = newsdesk(*command, *args, "--db", db)
        lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert run.returncode == 2 and len(lines) == 1 and args[0] in lines[0], (command, args, run.stderr)
