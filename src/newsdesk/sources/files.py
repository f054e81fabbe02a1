"""Walk the paths a user gives and yield each capture's bytes, decompressed."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# A capture larger than this (after decompression) is refused rather than read into memory.
MAX_CAPTURE_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


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


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member of `data`, refusing output beyond `limit` bytes."""
    # A streaming decompressor bounds memory against gzip bombs (output is capped at `limit` + 1
    # bytes, whatever the input claims) and reports truncation, which `gzip.decompress` hides
    # behind a generic EOFError.
    out = bytearray()
    rest = data
    while True:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out += decompressor.decompress(rest, limit + 1 - len(out))
        if len(out) > limit:
            raise ValueError(f"decompressed capture exceeds the {limit}-byte limit")
        if not decompressor.eof:
            raise ValueError("truncated gzip stream (the file ends before the compressed data does)")
        # Writers may concatenate members (WARC files are one member per record). Anything after
        # the last member that is not another member is ignored, as `gunzip` does.
        rest = decompressor.unused_data
        if rest[:2] != _GZIP_MAGIC:
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
        if data[:2] == _GZIP_MAGIC:
            data = _gunzip(data, limit)
    except (OSError, ValueError, zlib.error, gzip.BadGzipFile) as exc:
        # One unreadable capture is an error on its record; the batch carries on.
        return RawCapture(name, None, f"unreadable: {exc}")
    return RawCapture(name, data)


def iter_captures(paths: Iterable[str | Path]) -> Iterator[RawCapture]:
    for path in iter_paths(paths):
        yield read_capture(path)
