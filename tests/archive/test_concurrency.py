"""Two `newsdesk ingest` processes writing one archive while `search`, `stories` and `list` read
it: both ingests complete, the archive holds what a sequential ingest of the same captures holds,
and it is sound. (Before extraction moved out of the write transaction, the second writer died
with "database is locked" and ingested nothing, and two writers creating an archive at once
migrated it twice.) The full-size run, 1,500 captures per writer, is bench/archive.py's
"concurrency" section."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.archive.concurrent import NEWSDESK, counts, ingest_concurrently, ingest_sequentially, make_folders

CAPTURES_PER_WRITER = 300


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")
def test_two_ingests_and_readers_at_once_give_the_sequential_archive(tmp_path: Path) -> None:
    first, second = make_folders(tmp_path, CAPTURES_PER_WRITER, shared=20)
    ingest_sequentially(first, second, tmp_path / "sequential.db")
    run = ingest_concurrently(first, second, tmp_path / "concurrent.db", tmp_path)

    for code, output in run.writers:
        assert code == 0, output
        assert "Traceback" not in output and "locked" not in output, output
    assert run.reads, "the readers ran while the ingests wrote"
    assert not run.failed_reads, run.failed_reads
    assert {command for command, *_ in run.reads} >= {"search", "stories"}

    want, got = counts(tmp_path / "sequential.db"), counts(tmp_path / "concurrent.db")
    assert got.integrity == "ok" and got.fts_sound
    assert (got.articles, got.captures, got.failures) == (want.articles, want.captures, want.failures)
    assert got.capture_hashes == want.capture_hashes
    assert got.failure_paths == want.failure_paths
    assert want.captures > 2 * CAPTURES_PER_WRITER * 0.9 and want.failures >= 4
