"""`newsdesk ingest --engine ray` and `newsdesk merge`, through the console script, against a local ingest.

The inputs are real captures (tests/data) packed as a crawl would hold them: WARC files, JSONL capture logs
and a folder of saved pages, with re-captures in the other script and mirrors without their original-URL
line (so folding has work to do), and bad inputs (a cut WARC, a file that is no WARC, unparseable log
lines, a broken gzip, an empty page). "The same archive" is `tests.archive.helpers.dump`: every row of every
table in insertion (rowid) order, the full-text index's content and the schema version. The archive records
no ingest time, so nothing is left out of the comparison.

One Ray is started for the module (2 CPUs, no dashboard); each command joins it with `--address`, as on a
cluster.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ray")
import pyarrow.parquet as pq
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.archive.shards import SUFFIX, merge_shards, shard_files
from newsdesk.archive.store import Archive
from tests.archive.helpers import CAPTURES, dump, fts_is_sound, traditional, without_original_url
from tests.archive.test_crash_recovery import assert_same_archive
from tests.conftest import DATA
from tests.console import NEWSDESK, environment, needs_console_script

pytestmark = needs_console_script
STORY_CAPTURES = DATA / "stories-dev" / "captures"


def _warc(path: Path, pages: list[tuple[str, bytes, str]]) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body, date in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
            ))
    return path


def _log(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_inputs(root: Path) -> list[Path]:
    """Four WARCs and four logs of real captures (a fifth of them again, in traditional script or without
    their original-URL line), a cut WARC, a file named .warc.gz that is none, and a folder of pages."""
    sources = sorted(CAPTURES.iterdir()) + sorted(STORY_CAPTURES.iterdir())
    root.mkdir()
    inputs: list[Path] = []
    for number in range(4):
        pages = []
        for index, path in enumerate(sources[number::8]):
            pages.append((f"https://mirror.example/{path.stem}", path.read_bytes(), f"2024-0{number + 1}-01T08:00:00Z"))
            if index % 5 == 0:
                pages.append((f"https://tw.mirror.example/{path.stem}", traditional(path.read_text(encoding="utf-8")).encode(),
                              f"2024-0{number + 1}-02T08:00:00Z"))
        inputs.append(_warc(root / f"crawl-{number}.warc.gz", pages))
    for number in range(4):
        lines = []
        for index, path in enumerate(sources[4 + number :: 8]):
            text = path.read_text(encoding="utf-8")
            lines.append(json.dumps({"url": f"https://log.example/{path.stem}", "fetched_at": "2024-05-01T00:00:00Z",
                                     "content": text}, ensure_ascii=False))
            if index % 5 == 1 and "原文地址" in text:
                lines.append(json.dumps({"url": f"https://copy.example/{path.stem}", "content": without_original_url(text)},
                                        ensure_ascii=False))
        lines += ["{not json", json.dumps({"url": "https://log.example/number", "content": 42})]
        inputs.append(_log(root / f"log-{number}.jsonl", lines))
    whole = _warc(root / "whole.warc.gz", [(f"https://cut.example/{p.stem}", p.read_bytes(), "2024-06-01T00:00:00Z")
                                           for p in sources[:3]])
    cut = root / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    whole.unlink()
    junk = root / "junk.warc.gz"
    junk.write_bytes(bytes(range(256)) * 8)
    pages = root / "pages"
    pages.mkdir()
    for path in sources[:6]:
        (pages / path.name).write_bytes(path.read_bytes())
    (pages / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10)
    (pages / "empty.html").write_bytes(b"")
    return [*inputs, cut, junk, pages]


def newsdesk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300,
                          env=environment(), check=False)


@pytest.fixture(scope="module")
def ray_address() -> Any:
    import ray

    # A Ray of our own for this module: stopped at the end whatever the tests did.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_inputs(tmp_path_factory.mktemp("ray") / "inputs")


@pytest.fixture(scope="module")
def local_archive(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("local") / "local.db"
    result = newsdesk("ingest", *inputs, "--db", db)
    assert result.returncode == 0, result.stderr
    return dump(db)


@pytest.fixture(scope="module")
def ray_run(inputs: list[Path], ray_address: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """`ingest --engine ray` of the inputs on 2 workers: the archive, the shards, what the command said."""
    work = tmp_path_factory.mktemp("ray-run")
    db, shards = work / "ray.db", work / "shards"
    result = newsdesk("ingest", "--engine", "ray", *inputs, "--db", db, "--shards", shards,
                      "--address", ray_address, "--workers", "2")
    assert result.returncode == 0, result.stderr
    return db, shards, result.stderr


def test_ray_ingest_and_merge_give_the_same_archive_as_a_local_ingest(
    inputs: list[Path], local_archive: dict[str, Any], ray_run: tuple[Path, Path, str], tmp_path: Path
) -> None:
    db, shards, said = ray_run
    assert "Traceback" not in said
    written = sorted(p.name for p in shards.iterdir())
    assert len(written) == len(inputs), "one shard per input file (the folder's few pages make one)"
    assert all(name.endswith(SUFFIX) for name in written), "no temporary file is left behind"
    assert_same_archive(dump(db), local_archive)
    assert fts_is_sound(db)

    # The archive is a real one: folding happened and bad inputs failed one capture at a time.
    assert len(local_archive["captures"]) > len(local_archive["articles"]) > 90
    errors = [row[3] for row in local_archive["failures"]]
    assert any("not a JSON line" in e for e in errors) and any("ends early" in e for e in errors)
    assert any("gzip" in e or "unreadable" in e for e in errors) and any("no article text" in e for e in errors)

    # A shard holds articles, their provenance and the failures, readable by any Parquet reader.
    table = pq.read_table(shards / written[0])
    assert {"path", "sha256", "capture_url", "captured_at", "title", "record", "error", "signature"} <= set(table.column_names)
    assert all(p.startswith(str(inputs[0])) for p in table.column("path").to_pylist())

    # The same shards merged alone into a fresh archive: the same archive again.
    merged = tmp_path / "merged.db"
    result = newsdesk("merge", shards, "--db", merged)
    assert result.returncode == 0, result.stderr
    assert_same_archive(dump(merged), local_archive)
    # Merging again changes nothing: every capture is known.
    result = newsdesk("merge", *sorted(shards.iterdir()), "--db", merged)
    assert result.returncode == 0 and "new articles: 0 " in result.stderr, result.stderr
    assert_same_archive(dump(merged), local_archive)


def test_ray_data_pipeline_writes_the_same_shards_and_archive_as_plain_tasks(
    inputs: list[Path], local_archive: dict[str, Any], ray_run: tuple[Path, Path, str], ray_address: str,
    tmp_path: Path,
) -> None:
    """`--ray-api data` (a Ray Data pipeline) against the default plain tasks: shard for shard, row for row."""
    _, tasks_shards, _ = ray_run
    db, shards = tmp_path / "data.db", tmp_path / "shards"
    result = newsdesk("ingest", "--engine", "ray", "--ray-api", "data", *inputs, "--db", db, "--shards", shards,
                      "--address", ray_address, "--workers", "2")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tasks_shards.iterdir())
    assert sorted(p.name for p in shards.iterdir()) == names
    for name in names:
        assert pq.read_table(shards / name).equals(pq.read_table(tasks_shards / name)), name
    assert_same_archive(dump(db), local_archive)


def test_files_split_into_record_ranges_give_the_same_archive_with_tasks_and_ray_data(
    inputs: list[Path], local_archive: dict[str, Any], ray_address: str, tmp_path: Path
) -> None:
    """`--records-per-shard 5`: every WARC and log (the cut WARC too) in ranges of 5 captures, each its own shard;
    plain tasks and Ray Data write the same ranged shards, and each archive is the local ingest's."""
    runs = {}
    for api in ("tasks", "data"):
        db, shards = tmp_path / f"{api}.db", tmp_path / f"shards-{api}"
        result = newsdesk("ingest", "--engine", "ray", "--ray-api", api, "--records-per-shard", "5", *inputs,
                          "--db", db, "--shards", shards, "--address", ray_address, "--workers", "2")
        assert result.returncode == 0, result.stderr
        assert_same_archive(dump(db), local_archive)
        runs[api] = sorted(p.name for p in shards.iterdir())
    names = runs["tasks"]
    assert runs["data"] == names and len(names) > 2 * len(inputs), "files are split into several shards"
    for name in names:
        assert pq.read_table(tmp_path / "shards-data" / name).equals(pq.read_table(tmp_path / "shards-tasks" / name)), name
    # A rerun plans the same ranges and finds every shard complete.
    result = newsdesk("ingest", "--engine", "ray", "--records-per-shard", "5", *inputs, "--db", tmp_path / "again.db",
                      "--shards", tmp_path / "shards-tasks", "--address", ray_address, "--workers", "2")
    assert result.returncode == 0 and f"0 written, {len(names)} already complete" in result.stderr, result.stderr


def test_ray_api_goes_with_engine_ray_only(tmp_path: Path) -> None:
    result = newsdesk("ingest", "--ray-api", "data", tmp_path, "--db", tmp_path / "a.db")
    assert result.returncode == 2 and "--ray-api" in result.stderr and "Traceback" not in result.stderr


def test_a_killed_ray_ingest_resumes_from_its_complete_shards_and_gives_the_same_archive(
    inputs: list[Path], local_archive: dict[str, Any], ray_address: str, tmp_path: Path
) -> None:
    db, shards = tmp_path / "ray.db", tmp_path / "shards"
    command = [str(NEWSDESK), "ingest", "--engine", "ray", *map(str, inputs), "--db", str(db), "--shards", str(shards),
               "--address", ray_address, "--workers", "1"]
    process = subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            if shards.is_dir() and any(p.name.endswith(SUFFIX) for p in shards.iterdir()):
                break
            time.sleep(0.01)
        # kill -9 of the command (and anything it started), with a shard written and the others to come.
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    complete = {p.name: p.stat().st_mtime_ns for p in shards.iterdir() if p.name.endswith(SUFFIX)}
    assert 0 < len(complete) < len(inputs), f"the kill came too late to test a resume ({len(complete)} shards)"

    # What a kill leaves of a shard in progress is a temporary file; make sure one is there, full of nonsense.
    (shards / f".00099-partial{SUFFIX}.1234.tmp").write_bytes(b"PAR1 half a shard")

    result = newsdesk("ingest", "--engine", "ray", *inputs, "--db", db, "--shards", shards,
                      "--address", ray_address, "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert f"{len(complete)} already complete" in result.stderr
    # Complete shards were used as they were, not written again.
    assert all((shards / name).stat().st_mtime_ns == mtime for name, mtime in complete.items())
    assert_same_archive(dump(db), local_archive)


def test_an_interrupted_merge_is_completed_by_the_rerun(
    inputs: list[Path], local_archive: dict[str, Any], ray_run: tuple[Path, Path, str], ray_address: str,
    tmp_path: Path,
) -> None:
    """Ctrl-C in the middle of merging (after 70 captures, inside a shard), then the same command again."""
    _, written, _ = ray_run
    shards = tmp_path / "shards"
    shutil.copytree(written, shards)
    db = tmp_path / "ray.db"
    merged = [0]

    def interrupt(raw: object, outcome: object) -> None:
        merged[0] += 1
        if merged[0] == 70:
            raise KeyboardInterrupt

    with Archive(db) as archive, pytest.raises(KeyboardInterrupt):
        merge_shards(shard_files([shards]), archive, on_capture=interrupt)
    assert 0 < len(dump(db)["captures"]) < len(local_archive["captures"])

    result = newsdesk("ingest", "--engine", "ray", *inputs, "--db", db, "--shards", shards, "--address", ray_address)
    assert result.returncode == 0, result.stderr
    assert f"0 written, {len(inputs)} already complete" in result.stderr
    assert_same_archive(dump(db), local_archive)


def test_merge_refuses_what_is_not_a_shard_before_writing_anything(tmp_path: Path) -> None:
    import pyarrow as pa

    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), foreign)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    for bad in (foreign, broken):
        result = newsdesk("merge", bad, "--db", tmp_path / "a.db")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and str(bad) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "a.db").exists()


def test_records_per_shard_goes_with_engine_ray_only(tmp_path: Path) -> None:
    result = newsdesk("ingest", "--records-per-shard", "100", tmp_path, "--db", tmp_path / "a.db")
    assert result.returncode == 2 and "--records-per-shard" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "a.db").exists()
