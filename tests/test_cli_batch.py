"""`newsdesk extract` over a folder of good and bad captures: one JSON line each, and it goes on.

Runs the installed console script (the `newsdesk` next to the interpreter), as a user would.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEV

NEWSDESK = Path(sys.executable).parent / "newsdesk"
GOOD = DEV / "captures" / "people__1.html"
GOOD_GZ = DEV / "captures" / "hkcnews__48897.md"


def run_extract(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(NEWSDESK), "extract", *map(str, args)], capture_output=True, text=True, timeout=300, env=env, check=False
    )


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a_good.html")
    (folder / "b_junk.bin").write_bytes(random.Random(7).randbytes(64 * 1024))
    packed = gzip.compress(GOOD.read_bytes(), mtime=0)
    (folder / "c_truncated.html.gz").write_bytes(packed[: len(packed) // 3])
    (folder / "d_valid.md.gz").write_bytes(gzip.compress(GOOD_GZ.read_bytes(), mtime=0))
    (folder / "e_empty.txt").write_bytes(b"")
    (folder / "f_gb18030.html").write_bytes(GOOD.read_text(encoding="utf-8").replace("utf-8", "gb2312").encode("gb18030"))
    return folder


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed next to the interpreter")
def test_batch_reports_every_capture_and_goes_on(batch: Path) -> None:
    run = run_extract(batch, "--format", "jsonl")
    # Per-capture errors are data, not a failed run.
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    by_name = {Path(r["file"]).name: r for r in records}
    assert sorted(by_name) == sorted(p.name for p in batch.iterdir())
    assert len(records) == len(by_name), "one line per capture"

    for name in ("a_good.html", "d_valid.md.gz", "f_gb18030.html"):
        record = by_name[name]
        assert record["error"] is None, (name, record["error"])
        assert record["body"] and record["title"], name
    assert by_name["a_good.html"]["body"] == by_name["f_gb18030.html"]["body"]
    assert by_name["f_gb18030.html"]["encoding"] == "gb18030"

    assert "binary" in by_name["b_junk.bin"]["error"]
    assert "truncated gzip" in by_name["c_truncated.html.gz"]["error"]
    assert by_name["e_empty.txt"]["error"] == "no article text found in capture"
    for name in ("b_junk.bin", "c_truncated.html.gz", "e_empty.txt"):
        assert by_name[name]["body"] == []
    assert "3 capture(s) had errors" in run.stderr


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed next to the interpreter")
def test_missing_path_is_reported_and_the_rest_still_runs(batch: Path) -> None:
    run = run_extract(batch / "a_good.html", batch / "no_such_file.html", "--format", "jsonl")
    assert run.returncode == 2
    assert "no such file or folder" in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert [Path(r["file"]).name for r in records] == ["a_good.html"]
    assert records[0]["body"]


@pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed next to the interpreter")
def test_a_batch_where_every_capture_failed_exits_non_zero(batch: Path) -> None:
    failing = [batch / "b_junk.bin", batch / "e_empty.txt"]
    run = run_extract(*failing)
    assert run.returncode == 1, run.stderr
    assert "no capture could be read" in run.stderr and "Traceback" not in run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(records) == 2 and all(r["error"] for r in records)
    # One readable capture among them is a partial success, as before.
    assert run_extract(*failing, batch / "a_good.html").returncode == 0
