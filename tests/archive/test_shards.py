"""Planning and writing shards for `--engine ray`: the order tasks are handed out, and what a worker loads once.
(The archive `--engine ray` + merge gives is compared with a local ingest's in tests/test_cli_ray.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from newsdesk.archive.shards import estimated_work, plan, write_shard
from newsdesk.extract import ExtractOptions
from tests.archive.helpers import CAPTURES


def test_compressed_containers_count_for_more_than_their_size(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    log.write_bytes(b"x" * 1000)
    warc = tmp_path / "b.warc.gz"
    warc.write_bytes(b"x" * 500)
    first, second = plan([log, warc], ExtractOptions())
    assert first.files == (str(log),) and second.files == (str(warc),)
    # A shard is handed out by its captures' bytes, as far as its files' sizes tell: 500 compressed bytes hold
    # more than 1,000 plain ones.
    assert estimated_work(second) > estimated_work(first) == 1000


def test_a_missing_file_counts_as_no_work(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    (unit,) = plan([page], ExtractOptions())
    page.unlink()
    assert estimated_work(unit) == 0


_WORKER = """
import json, sys
from pathlib import Path
from newsdesk.archive.shards import plan, write_shard
from newsdesk.extract import ExtractOptions
options = ExtractOptions()
units = plan([Path(p) for p in sys.argv[2:]], options)
print(json.dumps([write_shard(unit, sys.argv[1], options).to_record() for unit in units]))
"""


def test_a_worker_loads_extraction_once_and_counts_it_apart(tmp_path: Path) -> None:
    """The first shard a process writes loads the modules and dictionaries (its `warm_seconds`); the next
    ones find them loaded, so every shard's processor time is the cost of its own captures."""
    sources = sorted(CAPTURES.iterdir())[:4]
    logs = []
    for number in range(2):
        log = tmp_path / f"part{number}.jsonl"
        log.write_text("".join(json.dumps({"url": f"https://example.com/{p.stem}", "content": p.read_text(encoding="utf-8")},
                                          ensure_ascii=False) + "\n" for p in sources[number::2]), encoding="utf-8")
        logs.append(log)
    # A fresh interpreter: the test process may have loaded everything already.
    done = subprocess.run([sys.executable, "-c", _WORKER, str(tmp_path / "shards"), *map(str, logs)],
                          capture_output=True, text=True, check=True, timeout=300)
    first, second = json.loads(done.stdout.strip().splitlines()[-1])
    assert first["captures"] == second["captures"] == 2
    assert first["warm_seconds"] > 0 and second["warm_seconds"] == 0
    assert first["worker"] == second["worker"] != ""


def test_a_shard_written_already_is_skipped(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(sorted(CAPTURES.iterdir())[0].read_bytes())
    (unit,) = plan([page], ExtractOptions())
    assert not write_shard(unit, tmp_path / "shards", ExtractOptions()).skipped
    assert write_shard(unit, tmp_path / "shards", ExtractOptions()).skipped
