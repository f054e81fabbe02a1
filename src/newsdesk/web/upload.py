"""`newsdesk serve --allow-ingest`: captures uploaded through a form go through the same ingest as
`newsdesk ingest` (one write transaction per batch, then placed in stories). The upload is capped
(`max_upload_bytes`, all files together) while it arrives, before anything is parsed or stored."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import Message


@dataclass
class UploadSummary:
    read: int = 0
    new: int = 0
    folded: int = 0
    revisions: int = 0
    unchanged: int = 0
    failed: int = 0
    placed: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)


def _safe_name(name: str | None, number: int) -> str:
    # Only the last part of what the browser sends, never a path: an upload cannot write outside its folder.
    base = PurePath((name or "").replace("\\", "/")).name.strip().lstrip(".")
    return f"{number:04d}-{base[:120] or 'capture'}"


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload is larger than this server takes ({limit // (1024 * 1024)} MB)")


async def receive_and_ingest(request: Request) -> UploadSummary:
    """Read the multipart form (refusing more than the limit), store its files in a temporary folder
    and ingest them into the archive."""
    import anyio

    limit: int = request.app.state.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = 0

    async def counted() -> Message:
        # The body is counted as it arrives, whatever Content-Length said (or if it said nothing: chunked).
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    folder = Path(tempfile.mkdtemp(prefix="newsdesk-upload-"))
    try:
        form = await Request(request.scope, counted).form(max_files=1000, max_fields=50, max_part_size=limit)
        total = 0
        written = 0
        for _, value in form.multi_items():
            if isinstance(value, str) or not hasattr(value, "read"):
                continue
            target = folder / _safe_name(value.filename, written)
            with target.open("wb") as out:
                while chunk := await value.read(1024 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise _too_large(limit)
                    out.write(chunk)
            written += 1
        await form.close()
        if not written:
            raise HTTPException(400, "no file was uploaded: choose one or more capture files")
        return await anyio.to_thread.run_sync(_ingest, request.app.state.access.path, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ingest(db: Path, folder: Path) -> UploadSummary:
    from newsdesk.analysis import analyse_new_articles
    from newsdesk.archive.ingest import ingest
    from newsdesk.archive.store import Archive
    from newsdesk.extract import ExtractOptions

    with Archive(db) as archive:
        summary: Any = ingest([folder], archive, ExtractOptions())
        with archive.writing():
            _, placed = analyse_new_articles(archive)
    return UploadSummary(summary.read, summary.new, summary.folded, summary.revisions, summary.unchanged, summary.failed,
                         placed, summary.reasons.most_common(10))
