"""Reading captures from disk: gzip truncated at any point, gzip bombs, mislabelled files.

`read_capture` must never raise: an unreadable file is a `RawCapture` with `data=None` and an
`error` that says why, so a batch can report it and go on.
"""

from __future__ import annotations

import gzip
import os
import tracemalloc
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.sources.files import MAX_CAPTURE_BYTES, Skipped, iter_captures, iter_paths, read_capture
from tests.conftest import DEV

CAPTURE = DEV / "captures" / "people__1.html"


def gz_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zeros_gzip(total: int, chunk: int = 1 << 20) -> bytes:
    """A gzip of `total` zero bytes, built without holding `total` bytes in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(chunk)
    parts = [compressor.compress(block) for _ in range(total // chunk)]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_valid_gzip_round_trips(tmp_path: Path) -> None:
    data = CAPTURE.read_bytes()
    path = tmp_path / "page.html.gz"
    path.write_bytes(gz_bytes(data))
    raw = read_capture(path)
    assert raw.error is None
    assert raw.data == data


def test_truncated_gzip_is_an_error(tmp_path: Path) -> None:
    packed = gz_bytes(CAPTURE.read_bytes())
    path = tmp_path / "cut.html.gz"
    path.write_bytes(packed[: len(packed) // 2])
    raw = read_capture(path)
    assert raw.data is None
    assert raw.error is not None and "truncated" in raw.error


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_gzip_cut_anywhere_never_raises(tmp_path: Path, cut: int) -> None:
    packed = gz_bytes(CAPTURE.read_bytes()[:20_000])
    cut = min(cut, len(packed) - 1)
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[:cut])
    raw = read_capture(path)
    if cut >= 2:
        # Past the magic number it is gzip, and gzip that ends early is an error, never a partial read.
        assert raw.data is None and raw.error
    else:
        # Zero or one byte is not recognisably gzip: it is read as it is and judged by decoding.
        assert raw.error is None and raw.data == packed[:cut]


def test_gzip_bomb_is_refused_within_the_limit(tmp_path: Path) -> None:
    # ~250 KB on disk, 256 MiB once inflated: the limit stops the inflation, memory stays near it.
    bomb = zeros_gzip(256 << 20)
    assert len(bomb) < 1024 * 1024
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        raw = read_capture(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raw.data is None
    assert raw.error is not None and "limit" in raw.error
    assert peak < 3 * MAX_CAPTURE_BYTES


def test_gzip_bomb_with_a_small_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gz"
    path.write_bytes(zeros_gzip(10 << 20))
    raw = read_capture(path, limit=1 << 20)
    assert raw.data is None and raw.error and "limit" in raw.error
    path.write_bytes(zeros_gzip(1 << 20))
    assert read_capture(path, limit=1 << 20).data == bytes(1 << 20)


def test_multi_member_gzip_reads_every_member(tmp_path: Path) -> None:
    # WARC files and `cat a.gz b.gz` are several members; all of them are the capture.
    path = tmp_path / "two.gz"
    path.write_bytes(gz_bytes(b"<p>first</p>") + gz_bytes(b"<p>second</p>"))
    assert read_capture(path).data == b"<p>first</p><p>second</p>"


def test_truncated_second_member_is_an_error(tmp_path: Path) -> None:
    records = [f"WARC/1.0\r\nWARC-Type: response\r\n\r\n<p>record {i}</p>\r\n\r\n".encode() for i in range(3)]
    packed = b"".join(gz_bytes(r) for r in records)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(packed[: len(packed) - 10])
    raw = read_capture(path)
    assert raw.data is None and raw.error and "truncated" in raw.error


def test_trailing_garbage_after_gzip_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "padded.gz"
    path.write_bytes(gz_bytes(b"<p>body</p>") + b"\x00" * 512 + b"junk")
    assert read_capture(path).data == b"<p>body</p>"


def test_gz_name_without_gzip_content_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "mislabelled.html.gz"
    path.write_bytes(b"<p>not compressed</p>")
    raw = read_capture(path)
    assert raw.error is None and raw.data == b"<p>not compressed</p>"


def test_gzip_magic_without_gz_name_is_still_inflated(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(gz_bytes(b"<p>compressed</p>"))
    assert read_capture(path).data == b"<p>compressed</p>"


def test_corrupt_gzip_is_an_error(tmp_path: Path) -> None:
    packed = bytearray(gz_bytes(CAPTURE.read_bytes()))
    packed[40:60] = b"\xff" * 20
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(packed))
    raw = read_capture(path)
    assert raw.data is None and raw.error and raw.error.startswith("unreadable:")


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(b"x" * 2048)
    raw = read_capture(path, limit=1024)
    assert raw.data is None and raw.error and "limit" in raw.error


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_paths_are_errors(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nothing.html"
    if kind == "directory":
        path.mkdir()
    raw = read_capture(path)
    assert raw.data is None and raw.error and raw.error.startswith("unreadable:")


def test_iter_captures_goes_on_past_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    (tmp_path / "b.gz").write_bytes(gz_bytes(b"<p>b</p>")[:8])
    (tmp_path / "c.gz").write_bytes(gz_bytes(b"<p>c</p>"))
    (tmp_path / ".hidden").write_bytes(b"skip me")
    raws = list(iter_captures([tmp_path]))
    assert [Path(r.path).name for r in raws] == ["a.html", "b.gz", "c.gz"]
    assert [r.error is None for r in raws] == [True, False, True]
    assert [p.name for p in iter_paths([tmp_path])] == ["a.html", "b.gz", "c.gz"]


def test_a_device_that_never_ends_is_read_only_to_the_limit() -> None:
    raw = read_capture(Path("/dev/zero"), limit=1 << 20)
    assert raw.data is None and raw.error == f"capture is over the {1 << 20}-byte limit"


def test_the_walk_skips_links_and_special_files_and_says_which(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    (tmp_path / "b.html").symlink_to(CAPTURE)
    (tmp_path / "c").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(tmp_path / "d.fifo")
    skipped = Skipped()
    assert [p.name for p in iter_paths([tmp_path], skipped=skipped)] == ["a.html"]
    assert sorted(Path(p.split(" (")[0]).name for p in skipped.paths) == ["b.html", "c", "d.fifo"]
    followed = Skipped()
    assert [p.name for p in iter_paths([tmp_path], follow_symlinks=True, skipped=followed)] == ["a.html", "b.html"]
    assert len(followed) == 1, "the FIFO; the link back to the folder is walked once"
