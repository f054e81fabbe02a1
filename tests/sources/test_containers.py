"""Captures inside containers: zip, tar(.gz), JSONL capture logs, WARC(.gz) written with warcio.

Every container is built from real captures. Each capture keeps a path a user can trace
(`archive.zip!member.md`, `log.jsonl#L3`, `crawl.warc.gz#<offset>`), and a damaged container
yields an error capture plus everything it held before the damage.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newsdesk.sources.containers as containers
from newsdesk.archive import Archive, ingest
from newsdesk.sources.containers import container_kind, iter_all_captures
from newsdesk.sources.files import GZIP_MAGIC, MAX_CAPTURE_BYTES, RawCapture
from tests.archive.helpers import CAPTURES, dump
from tests.fuzz.zips import overlapping_zip, repeated_entry_zip

MEMBERS = {
    "people.html": CAPTURES / "people__1.html",
    "brief.md": CAPTURES / "prog202__a102622636.md",
    "soh.md": CAPTURES / "soh_zgxw__n3169083.md",
}


def captures(path: Path) -> list[RawCapture]:
    return list(iter_all_captures([path]))


def ingested(db: Path, *paths: Path) -> dict[str, dict[str, object]]:
    """Capture path → its row, after ingesting `paths` into `db`."""
    with Archive(db) as archive:
        ingest(list(paths), archive)
        rows = archive.conn.execute("SELECT path, capture_url, captured_at, article_id FROM captures").fetchall()
    return {path: {"capture_url": url, "captured_at": at, "article_id": aid} for path, url, at, aid in rows}


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.zip", "zip"), ("a.tar.gz", "tar"), ("a.tgz", "tar"), ("A.TAR", "tar"), ("log.jsonl", "jsonl"),
     ("log.jsonl.gz", "jsonl"), ("crawl.warc", "warc"), ("crawl.warc.gz", "warc"), ("page.html.gz", None),
     ("page.md", None)],
)
def test_container_kind_goes_by_name(name: str, kind: str | None) -> None:
    assert container_kind(Path(name)) == kind


# --- zip ---------------------------------------------------------------------------------


def make_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in MEMBERS.items():
            archive.writestr(f"news/{name}", source.read_bytes())
        archive.writestr("news/gzipped.md.gz", gzip.compress(MEMBERS["brief.md"].read_bytes().replace(b"7", b"8"), mtime=0))
        archive.writestr("news/", b"")  # a folder entry
        archive.writestr("news/.DS_Store", b"\x00\x01")
    return path


def test_zip_members_are_captures_named_container_bang_member(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "archive.zip")
    found = captures(archive)
    assert [c.path for c in found] == [f"{archive}!news/{n}" for n in ("brief.md", "gzipped.md.gz", "people.html", "soh.md")]
    assert all(c.error is None for c in found)
    assert found[0].data == MEMBERS["brief.md"].read_bytes()
    assert found[1].data == MEMBERS["brief.md"].read_bytes().replace(b"7", b"8"), "gzip members are unpacked"


def test_zip_paths_are_stored_as_ingested(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "archive.zip")
    rows = ingested(tmp_path / "a.db", archive)
    assert f"{archive}!news/people.html" in rows
    with Archive(tmp_path / "a.db") as opened:
        listed = {p for row in opened.list() for p in row.captures}
    assert f"{archive}!news/soh.md" in listed


def test_corrupt_zip_is_one_error_capture(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04" + random.Random(5).randbytes(2000))
    [only] = captures(bad)
    assert only.data is None and only.path == str(bad)
    assert "unreadable zip archive" in (only.error or "")


def test_zip_with_a_damaged_member_keeps_the_others(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "archive.zip")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("news/people.html")
    # Flip bytes inside people.html's compressed data: its CRC check fails, the rest stands.
    start = info.header_offset + 30 + len(info.filename) + 200
    data[start : start + 50] = bytes(b ^ 0xFF for b in data[start : start + 50])
    path.write_bytes(bytes(data))
    found = {c.path.split("!")[1]: c for c in captures(path)}
    assert found["news/people.html"].data is None and "unreadable member" in (found["news/people.html"].error or "")
    assert found["news/soh.md"].data == MEMBERS["soh.md"].read_bytes()
    assert found["news/brief.md"].data == MEMBERS["brief.md"].read_bytes()


@pytest.mark.parametrize("build", [overlapping_zip, repeated_entry_zip])
def test_a_zip_whose_members_overlap_is_refused_before_anything_is_unpacked(tmp_path: Path, build: object) -> None:
    """5,000 entries unpacking one compressed kernel (the "better zip bomb") cost ~25 minutes of CPU:
    every member was unpacked and extracted. It is refused whole, as one error naming the cause."""
    path = tmp_path / "bomb.zip"
    path.write_bytes(build(5_000))  # type: ignore[operator]
    found = captures(path)
    assert len(found) == 1
    assert found[0].path == str(path) and found[0].data is None
    assert "4,999 of its 5,000 members overlap" in str(found[0].error)
    with Archive(tmp_path / "a.db") as archive:
        summary = ingest([path, MEMBERS["brief.md"]], archive)
        assert (summary.failed, summary.new) == (1, 1), "the refusal is one failure; the next path is read"
        assert [f["error"] for f in archive.failures()] == [found[0].error]


def test_zips_as_writers_make_them_are_not_taken_for_overlapping(tmp_path: Path) -> None:
    """Members laid end to end, with data descriptors (a zip written to a stream), stored or
    deflated, with names that are not ASCII: none overlaps, every member is read."""
    path = tmp_path / "many.zip"
    sources = list(MEMBERS.values())
    with path.open("wb") as raw, zipfile.ZipFile(_Unseekable(raw), "w") as archive:
        for number in range(3_000):
            method = zipfile.ZIP_STORED if number % 3 == 0 else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(f"新闻/{number:04d}-ü.md")
            info.compress_type = method
            with archive.open(info, "w") as member:
                member.write(sources[number % 3].read_bytes() + str(number).encode())
    with zipfile.ZipFile(path) as archive:
        assert all(info.flag_bits & 0x08 for info in archive.infolist()), "written with data descriptors"
    found = captures(path)
    assert len(found) == 3_000 and all(c.error is None for c in found)


class _Unseekable(io.RawIOBase):
    """A file that can only be written forward, as a pipe is: zipfile then writes data descriptors."""

    def __init__(self, out: io.BufferedWriter) -> None:
        self.out = out

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _many_members_zip(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(count):
            archive.writestr(f"{number:03d}.md", MEMBERS["brief.md"].read_bytes() + str(number).encode())
    return path


def _many_members_tar(path: Path, count: int) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for number in range(count):
            add_member(tar, f"{number:03d}.md", MEMBERS["brief.md"].read_bytes() + str(number).encode())
    return path


def _many_lines_log(path: Path, count: int) -> Path:
    brief = MEMBERS["brief.md"].read_text(encoding="utf-8")
    path.write_text("".join(_log_line(brief + str(n), f"https://m.example/{n}") + "\n" for n in range(count)), "utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "build", "limit", "unit"),
    [("a.zip", _many_members_zip, "MAX_MEMBERS", "members"), ("a.tar.gz", _many_members_tar, "MAX_MEMBERS", "members"),
     ("a.jsonl", _many_lines_log, "MAX_RECORDS", "lines")],
)
def test_a_container_stops_at_its_member_limit_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, build: object, limit: str, unit: str
) -> None:
    monkeypatch.setattr(containers, limit, 10)
    path = build(tmp_path / name, 14)  # type: ignore[operator]
    found = captures(path)
    assert len(found) == 11 and all(c.error is None for c in found[:10])
    assert found[-1].path == f"{path}#end" and found[-1].data is None
    assert f"over 10 {unit}: the rest were not read" in str(found[-1].error)


@pytest.mark.parametrize(("name", "build"), [("a.zip", _many_members_zip), ("a.tar.gz", _many_members_tar),
                                             ("a.jsonl", _many_lines_log)])
def test_a_container_stops_when_it_has_unpacked_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, build: object
) -> None:
    """What a container may unpack is bounded by its own size: a small file of highly compressed
    members stops with an error capture instead of unpacking without end."""
    monkeypatch.setattr(containers, "MIN_UNPACK_BYTES", 0)
    monkeypatch.setattr(containers, "UNPACK_RATIO", 0)  # the budget is then 0: the first member spends it
    path = build(tmp_path / name, 5)  # type: ignore[operator]
    found = captures(path)
    assert [c.error for c in found[:1]] == [None] and len(found) == 2
    assert "the members after the first 1 were not read" in str(found[-1].error).replace("lines", "members")


# --- tar ---------------------------------------------------------------------------------


def add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_tar(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, source in MEMBERS.items():
            add_member(tar, f"sub/{name}", source.read_bytes())
    return path


def test_tar_gz_members_are_captures(tmp_path: Path) -> None:
    path = make_tar(tmp_path / "archive.tar.gz")
    found = captures(path)
    assert [c.path for c in found] == [f"{path}!sub/{n}" for n in MEMBERS]
    assert [c.data for c in found] == [p.read_bytes() for p in MEMBERS.values()]
    rows = ingested(tmp_path / "a.db", path)
    assert set(rows) == {f"{path}!sub/{n}" for n in MEMBERS}


def test_tar_member_with_broken_gzip_does_not_end_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.tar"
    good = MEMBERS["brief.md"].read_bytes()
    with tarfile.open(path, "w") as tar:
        add_member(tar, "a.md", good)
        add_member(tar, "b.md.gz", gzip.compress(good, mtime=0)[:200])
        add_member(tar, "c.md", MEMBERS["soh.md"].read_bytes())
    found = {c.path.split("!")[1]: c for c in captures(path)}
    assert found["a.md"].data == good
    assert found["b.md.gz"].data is None and "truncated gzip" in (found["b.md.gz"].error or "")
    assert found["c.md"].data == MEMBERS["soh.md"].read_bytes(), "the member after the broken one is read"


def test_truncated_tar_gz_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "archive.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in ("brief.md", "soh.md", "people.html"):  # the big page last, where the cut falls
            add_member(tar, name, MEMBERS[name].read_bytes())
    data = path.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 4 // 5])
    found = captures(cut)
    assert [c.path for c in found[:-1]] == [f"{cut}!brief.md", f"{cut}!soh.md"]
    assert [c.data for c in found[:-1]] == [MEMBERS["brief.md"].read_bytes(), MEMBERS["soh.md"].read_bytes()]
    assert found[-1].data is None and "ends early" in (found[-1].error or "")


# --- JSONL capture logs ------------------------------------------------------------------


def make_log(path: Path) -> Path:
    lines = [
        json.dumps({"url": "https://mirror.example/a", "fetched_at": "2024-03-01T08:00:00Z",
                    "content": MEMBERS["brief.md"].read_text(encoding="utf-8")}, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"url": "https://mirror.example/b", "fetched_at": "2024-03-02T08:00:00Z", "content": 42}),
        json.dumps({"url": "https://mirror.example/c", "content": MEMBERS["soh.md"].read_text(encoding="utf-8")}),
    ]
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["log.jsonl", "log.jsonl.gz"])
def test_jsonl_log_lines_are_captures_with_url_and_fetch_time(tmp_path: Path, name: str) -> None:
    path = make_log(tmp_path / name)
    found = {c.path: c for c in captures(path)}
    assert sorted(found) == sorted(f"{path}#L{n}" for n in (1, 3, 4, 5)), "the blank line is no capture"
    first = found[f"{path}#L1"]
    assert first.data == MEMBERS["brief.md"].read_bytes()
    assert (first.capture_url, first.captured_at) == ("https://mirror.example/a", "2024-03-01T08:00:00Z")
    assert "not a JSON line" in (found[f"{path}#L3"].error or "")
    assert "content" in (found[f"{path}#L4"].error or "")
    assert found[f"{path}#L5"].captured_at is None

    db = tmp_path / "a.db"
    rows = ingested(db, path)
    assert rows[f"{path}#L1"]["capture_url"] == "https://mirror.example/a"
    assert rows[f"{path}#L1"]["captured_at"] == "2024-03-01T08:00:00Z"
    with Archive(db) as archive:
        failed = {f["path"] for f in archive.failures()}
        # The crawl time is not the publication date.
        article = archive.article(str(rows[f"{path}#L1"]["article_id"]))
    assert failed == {f"{path}#L3", f"{path}#L4"}
    assert article.published == "2019-07-15"


def _log_line(content: str, url: str, **extra: object) -> str:
    return json.dumps({"url": url, "fetched_at": "2024-03-01T08:00:00Z", "content": content, **extra}, ensure_ascii=False)


def test_a_hostile_line_fails_alone_and_later_lines_and_paths_are_read(tmp_path: Path) -> None:
    """100,000 nested brackets made json.loads raise RecursionError, which ended the whole ingest
    (and every re-run) before the lines and paths after it were read."""
    brief, soh = MEMBERS["brief.md"].read_text(encoding="utf-8"), MEMBERS["soh.md"].read_text(encoding="utf-8")
    log = tmp_path / "a_log.jsonl"
    log.write_text("\n".join([
        _log_line(brief, "https://mirror.example/brief"),
        "[" * 100_000,
        '{"url": "https://mirror.example/x", "content": "<p>x</p>", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "{not json",
        '{"content": "' + "\\udc80" * 3 + '"}',
        "1" * 5_000,  # a number too long for int()
        _log_line(soh, "https://mirror.example/soh"),
    ]) + "\n", encoding="utf-8")
    later = tmp_path / "b_later.html"
    later.write_bytes(MEMBERS["people.html"].read_bytes())

    found = {Path(c.path).name: c for c in iter_all_captures([tmp_path])}
    assert sorted(found) == [f"a_log.jsonl#L{n}" for n in range(1, 8)] + ["b_later.html"]
    errors = {name: c.error for name, c in found.items() if c.error}
    assert sorted(errors) == [f"a_log.jsonl#L{n}" for n in (2, 3, 4, 6)]
    assert "nested too deeply" in str(errors["a_log.jsonl#L2"]) and "nested too deeply" in str(errors["a_log.jsonl#L3"])
    assert found["a_log.jsonl#L7"].data == soh.encode("utf-8")

    db = tmp_path / "a.db"
    rows = ingested(db, tmp_path)
    assert {Path(p).name for p in rows} >= {"a_log.jsonl#L1", "a_log.jsonl#L7", "b_later.html"}
    with Archive(db) as archive:
        failed = {Path(f["path"]).name: f["error"] for f in archive.failures()}
    assert {f"a_log.jsonl#L{n}" for n in (2, 3, 4, 6)} <= set(failed)
    assert all(failed[f"a_log.jsonl#L{n}"] for n in (2, 3, 4, 6)), "every failure has its reason"


@pytest.mark.parametrize("name", ["big.jsonl", "big.jsonl.gz"])
def test_a_log_over_the_capture_limit_is_read_line_by_line(tmp_path: Path, name: str) -> None:
    """The size limit is one capture's: a 72 MiB log of 8 MiB records is nine captures."""
    brief = MEMBERS["brief.md"].read_text(encoding="utf-8")
    padding = "x" * (8 << 20)
    lines = [_log_line(brief.replace("7", str(n)), f"https://mirror.example/{n}", crawl_log=padding) for n in range(9)]
    text = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(text) > MAX_CAPTURE_BYTES
    path = tmp_path / name
    path.write_bytes(gzip.compress(text, compresslevel=1) if name.endswith(".gz") else text)
    found = captures(path)
    assert [c.path for c in found] == [f"{path}#L{n}" for n in range(1, 10)]
    assert all(c.error is None for c in found), [c.error for c in found if c.error]
    assert found[3].data == brief.replace("7", "3").encode("utf-8")


def test_an_overlong_line_fails_alone(tmp_path: Path) -> None:
    brief = MEMBERS["brief.md"].read_text(encoding="utf-8")
    path = tmp_path / "log.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(_log_line(brief, "https://mirror.example/1") + "\n")
        out.write(_log_line("x" * (MAX_CAPTURE_BYTES + 1), "https://mirror.example/2") + "\n")
        out.write(_log_line(brief, "https://mirror.example/3"))  # no newline at the end
    found = captures(path)
    assert [c.path for c in found] == [f"{path}#L{n}" for n in (1, 2, 3)]
    assert found[0].error is None and found[2].error is None
    assert found[2].capture_url == "https://mirror.example/3"
    assert found[1].data is None and "over the" in str(found[1].error)


def test_a_cut_gzip_log_keeps_the_lines_before_the_cut(tmp_path: Path) -> None:
    log = make_log(tmp_path / "log.jsonl")
    packed = gzip.compress(log.read_bytes(), mtime=0)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: int(len(packed) * 0.8)])
    found = captures(cut)
    assert found[0].path == f"{cut}#L1" and found[0].error is None
    assert found[-1].path == f"{cut}#end" and "truncated gzip" in str(found[-1].error)


# --- WARC --------------------------------------------------------------------------------

PAGES = [
    ("https://www.ntdtv.com/gb/2019/07/15/a102622636.html", MEMBERS["brief.md"], "2024-01-01T00:00:00Z"),
    ("http://www.people.com.cn/1.html", MEMBERS["people.html"], "2024-01-02T00:00:00Z"),
    ("http://www.soundofhope.org/gb/2019/09/09/n3169083.html", MEMBERS["soh.md"], "2024-01-03T00:00:00Z"),
]


def write_warc(path: Path, gzipped: bool, chunked_last: bool = False) -> Path:
    """Per page a request record and a 200 response record; then a 404 and an image response,
    none of which is a capture."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        for number, (url, source, date) in enumerate(PAGES):
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            body = source.read_bytes()
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if chunked_last and number == len(PAGES) - 1:
                headers.append(("Transfer-Encoding", "chunked"))
                body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:1000], body[1000:])) + b"0\r\n\r\n"
            response = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=response, warc_headers_dict={"WARC-Date": date}
            ))
        missing = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://example.com/missing", "response", payload=io.BytesIO(b"<html><p>not found</p></html>"), http_headers=missing
        ))
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://example.com/a.jpg", "response", payload=io.BytesIO(b"\xff\xd8\xff" + bytes(500)), http_headers=image
        ))
    return path


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_responses_are_captures_and_other_records_are_skipped(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, gzipped=name.endswith(".gz"))
    found = captures(path)
    assert [c.capture_url for c in found] == [url for url, _, _ in PAGES]
    assert [c.data for c in found] == [source.read_bytes() for _, source, _ in PAGES], "payload without HTTP headers"
    assert [c.captured_at for c in found] == [date for _, _, date in PAGES]
    assert all(c.error is None for c in found)
    offsets = [int(c.path.rsplit("#", 1)[1]) for c in found]
    assert all(c.path.startswith(f"{path}#") for c in found) and offsets == sorted(set(offsets))
    with path.open("rb") as stream:  # each offset is where its record starts
        for offset in offsets:
            stream.seek(offset)
            head = stream.read(4) if not name.endswith(".gz") else gzip.GzipFile(fileobj=stream).read(4)
            assert head == b"WARC"


def test_chunked_response_is_read_whole(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", gzipped=True, chunked_last=True)
    found = captures(path)
    assert found[-1].error is None
    assert found[-1].data == PAGES[-1][1].read_bytes(), "dechunked"


def test_warc_captures_ingest_with_their_crawl_facts(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", gzipped=True)
    db = tmp_path / "a.db"
    rows = ingested(db, path)
    assert len(rows) == len(PAGES)
    assert {r["capture_url"] for r in rows.values()} == {url for url, _, _ in PAGES}
    with Archive(db) as archive:
        assert archive.failures() == []
        published = {archive.article(str(r["article_id"])).published for r in rows.values()}
    assert "2024-01-01" not in {p[:10] for p in published if p}, "WARC-Date is the crawl time, never the publication date"


def test_truncated_warc_gz_is_an_error_capture_and_loses_nothing(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "crawl.warc.gz", gzipped=True)
    data = whole.read_bytes()
    found = captures(whole)
    second_offset = int(found[1].path.rsplit("#", 1)[1])
    third_offset = int(found[2].path.rsplit("#", 1)[1])
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: (second_offset + third_offset) // 2])  # inside the second page's record

    partial = captures(cut)
    assert [c.data for c in partial[:-1]] == [PAGES[0][1].read_bytes()]
    assert partial[-1].data is None and "ends early" in (partial[-1].error or "")

    db = tmp_path / "a.db"
    ingested(db, CAPTURES / "p1__1019917.md")
    before = dump(db)
    ingested(db, cut)
    after = dump(db)
    assert after["captures"][: len(before["captures"])] == before["captures"], "what was stored stays"
    assert len(after["captures"]) == len(before["captures"]) + 1
    with Archive(db) as archive:
        [failure] = archive.failures()
    assert failure["path"].startswith(f"{cut}#") and "ends early" in failure["error"]
    # The whole file later brings in the rest.
    rows = ingested(db, whole)
    assert sum(1 for p in rows if p.startswith(f"{whole}#")) == 2, "the first page is already known by its bytes"


def test_warc_cut_inside_a_skipped_record_is_noticed(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "crawl.warc", gzipped=False)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:-40])  # inside the image record, which is not a capture
    found = captures(cut)
    assert [c.data is not None for c in found] == [True, True, True, False]
    assert "ends early" in (found[-1].error or "")


def test_garbage_named_warc_is_an_error_capture(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(random.Random(2).randbytes(3000))
    found = captures(path)
    assert found and all(c.data is None for c in found)
    assert "WARC" in (found[-1].error or "")


def test_a_warc_record_with_a_short_content_length_keeps_its_bytes_and_says_so(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Found by bench/fuzz.py: warcio noticed the bytes a short Content-Length left outside the
    record only by writing a three-line WARNING to the terminal (through `newsdesk ingest`); the
    record was stored as if whole. Now the capture carries the complaint as a warning, into the
    archive, and nothing is written to the terminal."""
    data = write_warc(tmp_path / "whole.warc", gzipped=False).read_bytes()
    # The first response's Content-Length, 40 bytes short.
    response = data.index(b"WARC-Type: response")
    start = data.index(b"Content-Length: ", response) + len(b"Content-Length: ")
    end = data.index(b"\r\n", start)
    path = tmp_path / "short.warc"
    path.write_bytes(data[:start] + str(int(data[start:end]) - 40).encode() + data[end:])
    found = captures(path)
    assert [c.error for c in found] == [None, None, None]
    assert found[0].warning is not None and "Content-Length" in found[0].warning
    assert found[1].warning is None and found[2].warning is None
    db = tmp_path / "a.db"
    ingested(db, path)
    out, err = capfd.readouterr()
    assert "WARNING" not in out + err and "Remainder" not in out + err
    with Archive(db) as archive:
        records = [json.loads(r) for (r,) in archive.conn.execute("SELECT record FROM captures ORDER BY seq")]
    assert any("Content-Length" in w for w in records[0]["warnings"])


@pytest.mark.parametrize("gzipped", [True, False])
def test_damage_inside_a_warc_costs_only_the_damaged_record(tmp_path: Path, gzipped: bool) -> None:
    """Found by bench/fuzz.py: one flipped byte in a `.warc.gz` (or a garbled record header in a
    `.warc`) ended the file there, losing every record after it. Reading goes on from the next
    intact record; the damaged one is an error capture that says where reading resumed."""
    whole = write_warc(tmp_path / ("whole.warc.gz" if gzipped else "whole.warc"), gzipped=gzipped)
    good = captures(whole)
    offsets = [int(c.path.rsplit("#", 1)[1]) for c in good]
    assert len(good) == 3
    data = bytearray(whole.read_bytes())
    # Damage the second page's response record: its compressed data, or its WARC header's first line.
    if gzipped:
        assert data[offsets[1] : offsets[1] + 2] == GZIP_MAGIC, "one gzip member per record"
        at = offsets[1] + 200
        data[at : at + 40] = bytes(b ^ 0x5A for b in data[at : at + 40])
    else:
        data[offsets[1] : offsets[1] + 8] = b"GARBAGE!"
    damaged = tmp_path / whole.name.replace("whole", "damaged")
    damaged.write_bytes(bytes(data))
    found = captures(damaged)
    # The damaged record is an error, or (its gzip check failing only at its end) its bytes with a warning.
    clean = [c for c in found if c.error is None and c.warning is None]
    assert [c.data for c in clean] == [good[0].data, good[2].data]
    assert [c.capture_url for c in clean] == [PAGES[0][0], PAGES[2][0]]
    flagged = [c.error or c.warning for c in found if c.error or c.warning]
    assert flagged and all("damaged" in str(e) or "truncated" in str(e) for e in flagged), flagged
    with Archive(tmp_path / "a.db") as archive:
        summary = ingest([damaged], archive)
    assert summary.new + summary.folded >= 2 and summary.read == len(found)


def test_only_warcios_own_writes_are_taken_from_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    """While warcio reads, what this thread writes to stderr is its complaint; another thread (the
    ingest progress bar redrawing itself) still reaches the terminal, and is no capture's warning."""
    import sys
    import threading

    notes: list[str] = []
    with containers._stderr_into(notes):
        other = threading.Thread(target=lambda: sys.stderr.write("progress bar frame\n"))
        other.start()
        other.join()
        sys.stderr.write("WARNING: Record not followed by newline\n")
    assert notes == ["WARNING: Record not followed by newline"]
    assert "progress bar frame" in capfd.readouterr().err
