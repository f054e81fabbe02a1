"""Walk the paths a user gives and yield each capture's bytes, decompressed."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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
    # What the container noticed about readable bytes that may not be whole (the article keeps it).
    warning: str | None = None
    # The charset the transport declared (a WARC record's HTTP Content-Type): decoding weighs it.
    charset: str | None = None


@dataclass
class Skipped:
    """What a walk left out: symbolic links (unless followed) and special files (FIFOs, devices,
    sockets), which are no captures and can be endless (/dev/zero) or block forever (a FIFO)."""

    paths: list[str] = field(default_factory=list)

    def add(self, path: str | Path, why: str) -> None:
        self.paths.append(f"{path} ({why})")

    def __len__(self) -> int:
        return len(self.paths)


def _walk(folder: Path, follow_symlinks: bool, skipped: Skipped, seen: set[tuple[int, int]]) -> Iterator[Path]:
    """Files under `folder` in name order (depth first, as sorted paths are), hidden ones left out."""
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return  # a followed link back up the tree
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return  # a folder that cannot be listed holds nothing we can read
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_symlink() and not follow_symlinks:
                skipped.add(path, "symbolic link")
            elif entry.is_dir(follow_symlinks=follow_symlinks):
                yield from _walk(path, follow_symlinks, skipped, seen)
            elif entry.is_file(follow_symlinks=follow_symlinks):
                yield path
            else:
                skipped.add(path, "broken symbolic link" if entry.is_symlink() else "special file")
        except OSError:
            skipped.add(path, "cannot be examined")


def iter_paths(
    paths: Iterable[str | Path], follow_symlinks: bool = False, skipped: Skipped | None = None
) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped).

    Symbolic links, named or found, are left out unless `follow_symlinks`: a link in a folder of
    captures can point anywhere (`/etc/passwd`). Special files found in folders are always left
    out; one named on its own (`/dev/stdin`, `/dev/zero`) is read, within the capture size
    limit. What was left out is added to `skipped`."""
    skipped = skipped if skipped is not None else Skipped()
    seen: set[tuple[int, int]] = set()
    for given in paths:
        path = Path(given)
        if path.is_symlink() and not follow_symlinks:
            skipped.add(path, "symbolic link")
        elif path.is_dir():
            yield from _walk(path, follow_symlinks, skipped, seen)
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


def read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of `stream`, read in chunks: what a file claims its size is does
    not matter (a device reports 0 and never ends), only what is read."""
    out = bytearray()
    while len(out) <= limit and (chunk := stream.read(min(CHUNK_BYTES, limit + 1 - len(out)))):
        out += chunk
    return bytes(out)


def read_capture(path: Path, display: str | None = None, limit: int = MAX_CAPTURE_BYTES) -> RawCapture:
    name = display if display is not None else str(path)
    try:
        with path.open("rb") as stream:
            data = read_bounded(stream, limit)
        if len(data) > limit:
            return RawCapture(name, None, f"capture is over the {limit}-byte limit")
        # The magic number decides, not the name: a `.gz` that is not gzip is read as it is, and
        # decoding judges it like any other capture.
        if data[:2] == GZIP_MAGIC:
            data = gunzip(data, limit)
    except (OSError, ValueError, zlib.error, gzip.BadGzipFile) as exc:
        # One unreadable capture is an error on its record; the batch carries on.
        return RawCapture(name, None, f"unreadable: {exc}")
    return RawCapture(name, data)


def iter_captures(
    paths: Iterable[str | Path], follow_symlinks: bool = False, skipped: Skipped | None = None
) -> Iterator[RawCapture]:
    for path in iter_paths(paths, follow_symlinks, skipped):
        yield read_capture(path)
