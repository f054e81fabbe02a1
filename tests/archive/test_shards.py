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


def _crawl(path: Path, pages: list[Path]) -> Path:
    """A real WARC (warcio) of the pages, with what a crawl holds besides them: each page's request record, and
    an image response, neither of which is a capture."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for number, page in enumerate(pages):
            url = f"https://crawl.example/{page.stem}"
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            html = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(page.read_bytes()), http_headers=html,
                warc_headers_dict={"WARC-Date": f"2024-03-{number % 28 + 1:02d}T08:00:00Z"},
            ))
            if number % 4 == 1:
                image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(f"{url}.png", "response", payload=io.BytesIO(b"\x89PNG"),
                                                              http_headers=image))
    return path


def test_a_large_crawl_file_split_into_record_ranges_gives_the_archive_of_a_local_ingest(tmp_path: Path) -> None:
    """A WARC, a capture log and a WARC cut short planned as ranges of 4 captures, each range its own shard,
    written out of order and merged: the archive a local ingest of the three files gives, row for row. The
    intact WARC's ranges are read from their first record's offset, the others' from the file's start."""
    from newsdesk.archive.shards import merge_shards
    from newsdesk.archive.store import Archive
    from tests.archive.helpers import dump, ingest_into, traditional

    sources = sorted(CAPTURES.iterdir())[:11]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    crawl = _crawl(inputs / "crawl.warc.gz", sources)
    log = inputs / "log.jsonl"
    lines = [json.dumps({"url": f"https://tw.example/{p.stem}", "content": traditional(p.read_text(encoding="utf-8"))},
                        ensure_ascii=False) for p in sources[:6]]
    log.write_text("\n".join([*lines[:3], "{not json", *lines[3:]]) + "\n", encoding="utf-8")
    cut = inputs / "cut.warc.gz"
    whole = _crawl(tmp_path / "whole.warc.gz", sorted(CAPTURES.iterdir())[11:20])
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    options = ExtractOptions()

    units = plan([crawl, log, cut], options, records_per_unit=4)
    assert units == plan([crawl, log, cut], options, records_per_unit=4), "the plan is the same on every run"
    # 11 pages (requests and the image are no captures), 7 lines (one of them bad: a failed capture), and the
    # pages before the cut with the cut's error.
    spans = [(u.files[0], u.first, u.stop) for u in units]
    assert spans[:5] == [(str(crawl), 0, 4), (str(crawl), 4, 8), (str(crawl), 8, None), (str(log), 0, 4), (str(log), 4, None)]
    assert spans[5:] == [(str(cut), 0, 4), (str(cut), 4, None)]
    assert [u.ordinal for u in units] == list(range(7))
    assert len({u.name for u in units}) == 7 and all("-r" in u.name for u in units)
    assert units[0].seek is None and units[1].seek and units[2].seek and units[1].seek < units[2].seek
    assert all(u.seek is None for u in units[3:]), "a log, and a damaged WARC, are read from the start"
    # Left unsplit, a file keeps the shard name it always had.
    assert plan([crawl], options, records_per_unit=11)[0].name == plan([crawl], options)[0].name

    shards = tmp_path / "shards"
    written = {unit.name: write_shard(unit, shards, options) for unit in reversed(units)}
    assert [written[u.name].captures for u in units][:5] == [4, 4, 3, 4, 3]
    assert all(write_shard(unit, shards, options).skipped for unit in units), "a rerun finds every range complete"

    merged = tmp_path / "merged.db"
    with Archive(merged) as archive:
        summary = merge_shards([shards / u.name for u in units], archive)
    assert summary.read == sum(written[u.name].captures for u in units) > 18 and summary.failed >= 2
    local = tmp_path / "local.db"
    ingest_into(local, crawl, log, cut)
    assert dump(merged) == dump(local)
