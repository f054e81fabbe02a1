"""Walk the paths a user gives and yield each capture's bytes, decompressed."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# A capture larger than this (after decompression) is refused rather than read into memory.
MAX_CAPTURE_BYTES = 64 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Files and streams are read this much at a time.
CHUNK_BYTES = 1 << 20


@dataclass(slots=True)
class RawCapture:
    """One capture as found on disk. `data` is None when it could not be read; `error` says why."""

    path: str
    data: bytes | None
    error: str | None = None
    # Where and when a crawler fetched it, when the container says (WARC, JSONL): never a publication date.
    capture_url: str | None = None
    captured_at: str | None = None


def iter_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def gunzip_stream(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """The decompressed bytes of a gzip stream, in chunks of at most `CHUNK_BYTES`, pulling the
    compressed bytes through `read(n)` as needed: memory stays bounded whatever the stream holds.

    Writers may concatenate members (WARC files are one member per record); every member is
    read. Anything after the last member that is not another member is ignored, as `gunzip`
    does. A stream that ends inside a member raises ValueError (`gzip.decompress` hides this
    behind a generic EOFError); corrupt data raises zlib.error."""
    pending = b""
    while True:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not decompressor.eof:
            if not pending:
                pending = read(CHUNK_BYTES)
            exhausted = not pending
            out = decompressor.decompress(pending, CHUNK_BYTES)
            pending = decompressor.unconsumed_tail
            if out:
                yield out
            elif exhausted and not decompressor.eof:
                raise ValueError("truncated gzip stream (the file ends before the compressed data does)")
        pending = decompressor.unused_data
        while len(pending) < len(GZIP_MAGIC) and (more := read(CHUNK_BYTES)):
            pending += more
        if pending[: len(GZIP_MAGIC)] != GZIP_MAGIC:
            return


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member of `data`, refusing output beyond `limit` bytes (a gzip bomb
    stops there, whatever the input claims)."""
    out = bytearray()
    for chunk in gunzip_stream(io.BytesIO(data).read):
        out += chunk
        if len(out) > limit:
            raise ValueError(f"decompressed capture exceeds the {limit}-byte limit")
    return bytes(out)


def read_capture(path: Path, display: str | None = None, limit: int = MAX_CAPTURE_BYTES) -> RawCapture:
    name = display if display is not None else str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            return RawCapture(name, None, f"capture is {size} bytes, over the {limit}-byte limit")
        data = path.read_bytes()
        # The magic number decides, not the name: a `.gz` that is not gzip is read as it is, and
        # decoding judges it like any other capture.
        if data[:2] == GZIP_MAGIC:
            data = gunzip(data, limit)
    except (OSError, ValueError, zlib.error, gzip.BadGzipFile) as exc:
        # One unreadable capture is an error on its record; the batch carries on.
        return RawCapture(name, None, f"unreadable: {exc}")
    return RawCapture(name, data)


def iter_captures(paths: Iterable[str | Path]) -> Iterator[RawCapture]:
    for path in iter_paths(paths):
        yield read_capture(path)
