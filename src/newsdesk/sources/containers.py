"""Captures inside containers: zip and tar archives, JSONL capture logs, WARC files.

Each yields `RawCapture`s named `container!member` (archives), `file#L<line>` (JSONL) or
`file#<record offset>` (WARC), so every capture keeps a path a user can trace. A container
that breaks part-way (truncated gzip or WARC) yields an error capture and what it read
before the break.

The work one container can cause is bounded whatever it claims about itself: a zip whose
members overlap one another (the construction of the "better zip bomb", thousands of entries
unpacking the same compressed kernel) is refused whole before anything is unpacked; past
`MAX_MEMBERS` members (`MAX_RECORDS` lines or records for logs and WARC files), or past
`UNPACK_RATIO` times its own size unpacked (at least `MIN_UNPACK_BYTES`), reading stops with
an error capture saying what was left unread.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import sys
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newsdesk.sources.files import (
    CHUNK_BYTES,
    GZIP_MAGIC,
    MAX_CAPTURE_BYTES,
    RawCapture,
    Skipped,
    gunzip,
    gunzip_stream,
    iter_paths,
    read_capture,
)

# Zip and tar entries read from one container, at most.
MAX_MEMBERS = 100_000
# Lines of a capture log or records of a WARC file read from one container, at most.
MAX_RECORDS = 1_000_000
# A container unpacks to at most this many times its own size, or MIN_UNPACK_BYTES if that is more:
# text compresses ~5-20 times, so a real container stays far below it; a bomb reaches it at once.
UNPACK_RATIO = 100
MIN_UNPACK_BYTES = 1 << 30


class _Budget:
    """What one container may still cost: members (or lines, records) and unpacked bytes."""

    def __init__(self, path: Path, max_members: int) -> None:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        self.path = path
        self.max_members = max_members
        self.max_bytes = max(MIN_UNPACK_BYTES, UNPACK_RATIO * size)
        self.members = 0
        self.unpacked = 0

    def take(self, count_as: str) -> RawCapture | None:
        """Count one more member; past a limit, the error capture that ends the container."""
        self.members += 1
        if self.members > self.max_members:
            return RawCapture(
                f"{self.path}#end", None,
                f"container has over {self.max_members:,} {count_as}: the rest were not read (split it to read them)",
            )
        if self.unpacked > self.max_bytes:
            return RawCapture(
                f"{self.path}#end", None,
                f"container unpacks to over {self.max_bytes:,} bytes ({UNPACK_RATIO} times its size, at least "
                f"{MIN_UNPACK_BYTES:,}): the {count_as} after the first {self.members - 1:,} were not read",
            )
        return None


def container_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        return "tar"
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return "jsonl"
    if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return "warc"
    return None


def _local_header_bytes(info: zipfile.ZipInfo) -> int:
    """The least a member's local header can take: 30 fixed bytes and the name as stored (the
    local extra field may add more, which only makes the member's span longer)."""
    try:
        stored = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeEncodeError:
        stored = b""
    return 30 + len(stored)


def overlapping_members(archive: zipfile.ZipFile) -> int:
    """How many members' bytes (local header + compressed data) run into the next member's local
    header. Writers lay members end to end; a zip bomb points thousands of entries at one
    compressed kernel, so each unpacks all of it (Fifield's overlapped construction)."""
    infos = sorted(archive.infolist(), key=lambda i: i.header_offset)
    return sum(
        1
        for this, following in itertools.pairwise(infos)
        if this.header_offset + _local_header_bytes(this) + this.compress_size > following.header_offset
    )


def _zip_members(path: Path) -> Iterator[RawCapture]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield RawCapture(str(path), None, f"unreadable zip archive: {exc}")
        return
    with archive:
        if overlaps := overlapping_members(archive):
            yield RawCapture(
                str(path), None,
                f"zip archive refused: {overlaps:,} of its {len(archive.infolist()):,} members overlap another "
                "member's data (a zip bomb's construction); nothing in it was read",
            )
            return
        budget = _Budget(path, MAX_MEMBERS)
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = f"{path}!{info.filename}"
            if info.is_dir() or Path(info.filename).name.startswith("."):
                continue
            if (over := budget.take("members")) is not None:
                yield over
                return
            if info.file_size > MAX_CAPTURE_BYTES:
                yield RawCapture(name, None, f"member is {info.file_size} bytes, over the {MAX_CAPTURE_BYTES}-byte limit")
                continue
            try:
                with archive.open(info) as member:
                    data = member.read(MAX_CAPTURE_BYTES + 1)
                budget.unpacked += len(data)
                # The directory's sizes are claims: what was read decides.
                if len(data) > MAX_CAPTURE_BYTES:
                    yield RawCapture(name, None, f"member is over the {MAX_CAPTURE_BYTES}-byte limit")
                    continue
                if data[:2] == GZIP_MAGIC:
                    data = gunzip(data, MAX_CAPTURE_BYTES)
                    budget.unpacked += len(data)
            except (OSError, zipfile.BadZipFile, ValueError, EOFError, zlib.error) as exc:
                yield RawCapture(name, None, f"unreadable member: {exc}")
                continue
            yield RawCapture(name, data)


def _tar_members(path: Path) -> Iterator[RawCapture]:
    try:
        archive = tarfile.open(path)  # noqa: SIM115 - closed by the `with` below; opening can fail on its own
    except (OSError, tarfile.TarError, EOFError) as exc:
        yield RawCapture(str(path), None, f"unreadable tar archive: {exc}")
        return
    with archive:
        budget = _Budget(path, MAX_MEMBERS)
        try:
            for info in archive:
                name = f"{path}!{info.name}"
                # Every entry counts, files or not: a tar of a million empty folders is work too.
                if (over := budget.take("members")) is not None:
                    yield over
                    return
                if not info.isfile() or Path(info.name).name.startswith("."):
                    continue
                if info.size > MAX_CAPTURE_BYTES:
                    yield RawCapture(name, None, f"member is {info.size} bytes, over the {MAX_CAPTURE_BYTES}-byte limit")
                    continue
                member = archive.extractfile(info)
                data = member.read(MAX_CAPTURE_BYTES + 1) if member else b""
                budget.unpacked += len(data)
                if len(data) > MAX_CAPTURE_BYTES:
                    yield RawCapture(name, None, f"member is over the {MAX_CAPTURE_BYTES}-byte limit")
                    continue
                if data[:2] == GZIP_MAGIC:
                    try:
                        data = gunzip(data, MAX_CAPTURE_BYTES)
                        budget.unpacked += len(data)
                    except (ValueError, zlib.error) as exc:
                        # One bad member is that member's error; the members after it are still read.
                        yield RawCapture(name, None, f"unreadable member: {exc}")
                        continue
                yield RawCapture(name, data)
        except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
            yield RawCapture(f"{path}!", None, f"tar archive ends early: {exc}")


def _lines(chunks: Iterable[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its newline) for each line of a byte stream; None in place of a
    line longer than `limit` bytes, which is skipped without being held in memory."""
    number, line, overlong = 0, bytearray(), False
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            if not overlong:
                line += chunk[start:end]
            yield number, None if overlong or len(line) > limit else bytes(line)
            line.clear()
            overlong = False
            start = end + 1
        if not overlong:
            line += chunk[start:]
            if len(line) > limit:
                overlong = True
                line.clear()
    if line or overlong:
        yield number + 1, None if overlong else bytes(line)


def _log_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """The log's bytes, decompressed when it is gzip (by its magic number, not its name)."""
    head = stream.read(2)
    if head == GZIP_MAGIC:
        first = [head]
        yield from gunzip_stream(lambda size: first.pop() if first else stream.read(size))
        return
    yield head
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def _jsonl_capture(name: str, line: bytes) -> RawCapture | None:
    """One line of a capture log as a capture (None for a blank line); a bad line is its own error."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except RecursionError:
        return RawCapture(name, None, "not a JSON line: nested too deeply to read")
    except (ValueError, MemoryError) as exc:
        # ValueError covers bad JSON, bytes that are no Unicode and numbers too long to convert.
        return RawCapture(name, None, f"not a JSON line: {type(exc).__name__}: {exc}")
    content = record.get("content") if isinstance(record, dict) else None
    if not isinstance(content, str):
        return RawCapture(name, None, 'a capture line needs {"url", "fetched_at", "content"} with content as text')
    return RawCapture(
        name, content.encode("utf-8", "surrogatepass"),
        capture_url=record.get("url") if isinstance(record.get("url"), str) else None,
        captured_at=record.get("fetched_at") if isinstance(record.get("fetched_at"), str) else None,
    )


def _jsonl_lines(path: Path) -> Iterator[RawCapture]:
    """A capture log, streamed line by line: the size limit is one capture's, per line, not the
    log's, and a bad line (invalid or deeply nested JSON, over the limit) fails alone."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield RawCapture(str(path), None, f"unreadable: {exc}")
        return
    with stream:
        budget = _Budget(path, MAX_RECORDS)
        try:
            for number, line in _lines(_log_chunks(stream), MAX_CAPTURE_BYTES):
                name = f"{path}#L{number}"
                if (over := budget.take("lines")) is not None:
                    yield over
                    return
                budget.unpacked += len(line) if line is not None else MAX_CAPTURE_BYTES
                if line is None:
                    yield RawCapture(name, None, f"line is over the {MAX_CAPTURE_BYTES}-byte limit for one capture")
                elif (capture := _jsonl_capture(name, line)) is not None:
                    yield capture
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            # The lines before the damage were yielded; the break is one error capture.
            yield RawCapture(f"{path}#end", None, f"capture log ends early or is damaged: {exc}")


def _is_page(record: Any) -> bool:
    """A successful response with a textual payload (requests, metadata, redirects, images are not captures)."""
    if record.rec_type != "response":
        return False
    http = record.http_headers
    if http is not None and not str(http.get_statuscode() or "200").startswith("2"):
        return False
    content_type = (http.get_header("Content-Type") if http is not None else "") or ""
    return not content_type or any(t in content_type.lower() for t in ("html", "text", "xml", "markdown", "json"))


def _truncated(record: Any) -> bool:
    """Whether the file ended inside this record. warcio hands out a record cut short by the end
    of the file as if it were whole; the block's Content-Length says how many bytes never came."""
    raw = record.raw_stream
    # Bytes the payload reader left (a chunked body's trailer, say) are drained, not counted as missing.
    while getattr(raw, "limit", 0) > 0:
        if not raw.read(min(raw.limit, 1 << 16)):
            return True
    return False


class _ThisThreadsWrites:
    """sys.stderr as seen while warcio reads: what this thread writes is kept; other threads (a
    progress bar redrawing itself) still write to the real stream."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.thread = threading.get_ident()
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        if threading.get_ident() == self.thread:
            return self.kept.write(text)
        return int(self.real.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@contextlib.contextmanager
def _stderr_into(notes: list[str]) -> Iterator[None]:
    """warcio reports damage by writing to sys.stderr (a record whose Content-Length is wrong,
    gzip data that stops decompressing), where it would reach the user's terminal as stray lines
    and be lost to the archive. Collected here instead, each as one line, to be reported on the
    capture they concern. Only ever around warcio calls, never across a `yield`."""
    saved = sys.stderr
    collector = _ThisThreadsWrites(saved)
    sys.stderr = collector  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stderr = saved
        if written := " ".join(collector.kept.getvalue().split()):
            notes.append(written[:300])


def _warc_record(records: Any, record: Any, path: Path) -> tuple[RawCapture | None, bool]:
    """The capture one WARC record holds (None for a record that is no capture), and whether the
    file ends inside it."""
    if not _is_page(record):
        # Skipped records are read through too, so a file cut inside one is noticed.
        if _truncated(record):
            return RawCapture(f"{path}#{records.get_record_offset()}", None, "WARC file ends early: this record is truncated"), True
        return None, False
    # Read the payload before asking for the offset: `get_record_offset` reads the
    # record to its end, after which the payload reads as empty.
    data = record.content_stream().read(MAX_CAPTURE_BYTES + 1)
    name = f"{path}#{records.get_record_offset()}"
    if len(data) > MAX_CAPTURE_BYTES:
        return RawCapture(name, None, f"record is over the {MAX_CAPTURE_BYTES}-byte limit"), False
    if _truncated(record):
        return RawCapture(name, None, "WARC file ends early: this record is truncated"), True
    return RawCapture(
        name, data,
        capture_url=record.rec_headers.get_header("WARC-Target-URI"),
        captured_at=record.rec_headers.get_header("WARC-Date"),
        charset=_header_charset(record.http_headers),
    ), False


def _header_charset(http: Any) -> str | None:
    """The charset parameter of a response's Content-Type (`text/html; charset=GBK`), if any."""
    content_type = (http.get_header("Content-Type") if http is not None else "") or ""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _with_note(capture: RawCapture, note: str) -> RawCapture:
    """A capture warcio complained about while reading it or the record after it: a record whose
    Content-Length is short leaves its last bytes outside any record, noticed only when the next
    record is read. A readable capture keeps its bytes and carries the complaint as a warning."""
    if capture.data is None:
        capture.error = f"{capture.error} ({note})"
    else:
        capture.warning = f"WARC record may be damaged or incomplete: {note}"
    return capture


# What `_warc_run` returns when it stopped at a truncated record (whose error capture it yielded).
_CUT_RECORD = "a record is truncated"


def _warc_run(records: Any, path: Path, budget: _Budget) -> Generator[RawCapture, None, str | None]:
    """The captures of one run of intact records. Returns what stopped it: None for the end of the
    file (or of the budget), `_CUT_RECORD`, or the damage warcio could not read past."""
    from warcio.exceptions import ArchiveLoadFailed

    # A capture is held back until the record after it has been read: warcio's complaint about
    # a record's length comes while reading the next one.
    pending: RawCapture | None = None
    stopped: str | None = None
    try:
        iterator = iter(records)
        while True:
            notes: list[str] = []
            capture, ends = None, False
            with _stderr_into(notes):
                record = next(iterator, None)
                if record is not None and (capture := budget.take("records")) is None:
                    capture, ends = _warc_record(records, record, path)
                    budget.unpacked += len(capture.data) if capture is not None and capture.data else 0
            if notes and pending is not None:
                pending = _with_note(pending, notes.pop(0))
            if pending is not None:
                yield pending
            if notes and capture is not None:
                capture = _with_note(capture, " ".join(notes))
            elif notes:
                yield RawCapture(f"{path}#{records.get_record_offset()}", None, f"WARC file damaged: {' '.join(notes)}")
            pending = capture
            if ends:
                stopped = _CUT_RECORD
            if record is None or ends or budget.members > budget.max_members:
                break
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, IndexError, KeyError) as exc:
        # warcio parsing headers cut off mid-line fails with AttributeError / IndexError rather
        # than its own ArchiveLoadFailed; either way the records before the damage were yielded.
        stopped = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    if pending is not None:
        yield pending
    return stopped


def _starts_a_record(stream: BinaryIO, offset: int, gzipped: bool) -> bool:
    stream.seek(offset)
    head = stream.read(1 << 16)
    if gzipped:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith((b"WARC/1.0\r\n", b"WARC/1.1\r\n", b"WARC/0.1"))


def _next_record_start(stream: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Where the next intact record begins at or after `after`: a gzip member that unpacks to a
    WARC header (a `.warc.gz` is one member per record), or a WARC header at the start of a line."""
    marker = GZIP_MAGIC + b"\x08" if gzipped else b"\nWARC/"
    position, carry = after, b""
    while True:
        stream.seek(position)
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            return None
        window, base = carry + chunk, position - len(carry)
        found = window.find(marker)
        while found >= 0:
            offset = base + found + (0 if gzipped else 1)
            if offset >= after and _starts_a_record(stream, offset, gzipped):
                return offset
            found = window.find(marker, found + 1)
        carry = window[-(len(marker) - 1) :]
        position += len(chunk)


def _warc_records(path: Path, start: int = 0) -> Iterator[RawCapture]:
    """The captures of a WARC file (from the record at byte `start`). Damage ends a run of records, not
    the file: reading goes on from the next intact record (a flipped byte in a `.warc.gz` lost every
    record after it)."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        stream = path.open("rb")
    except OSError as exc:
        yield RawCapture(str(path), None, f"unreadable WARC file: {exc}")
        return
    with stream:
        gzipped = stream.read(2) == GZIP_MAGIC
        budget = _Budget(path, MAX_RECORDS)
        while True:
            stream.seek(start)
            records = ArchiveIterator(stream)
            stopped = yield from _warc_run(records, path, budget)
            if stopped is None:
                return
            # Past the record that failed, whatever warcio had read of it: every resumption moves on.
            damaged_at = max(start, records.offset)
            resume = _next_record_start(stream, damaged_at + 1, gzipped)
            if stopped != _CUT_RECORD:
                name, more = (f"{path}#{damaged_at}", f"; read on from the next intact record, at offset {resume}") \
                    if resume is not None else (f"{path}#end", "")
                yield RawCapture(name, None, f"WARC file ends early or is damaged: {stopped}{more}")
            if resume is None:
                return
            start = resume


_READERS = {"zip": _zip_members, "tar": _tar_members, "jsonl": _jsonl_lines, "warc": _warc_records}


def warc_captures_from(path: str | Path, offset: int) -> Iterator[RawCapture]:
    """A WARC file's captures from the record that starts at byte `offset` (a capture's `#<offset>`) on,
    named as reading the whole file names them."""
    return _guarded(Path(path), lambda p: _warc_records(p, offset))


def _guarded(path: Path, reader: Callable[[Path], Iterator[RawCapture]]) -> Iterator[RawCapture]:
    """Whatever goes wrong inside one container ends that container with an error capture; the
    paths after it are still read."""
    try:
        yield from reader(path)
    except Exception as exc:  # the batch must go on, whatever one file does
        yield RawCapture(f"{path}#end", None, f"could not read the rest of this file: {type(exc).__name__}: {exc}")


def iter_all_captures(
    paths: Iterable[str | Path], follow_symlinks: bool = False, skipped: Skipped | None = None
) -> Iterator[RawCapture]:
    """Every capture under the given paths: plain files, and the contents of containers.
    Symbolic links and special files are left out as `iter_paths` says, and added to `skipped`."""
    for path in iter_paths(paths, follow_symlinks, skipped):
        kind = container_kind(path)
        if kind is None:
            yield read_capture(path)
        else:
            yield from _guarded(path, _READERS[kind])
