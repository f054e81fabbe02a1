"""`newsdesk serve` as a user runs it: a real uvicorn server on 127.0.0.1 in a subprocess, read while a CLI
`ingest` writes the same archive; the upload form of `--allow-ingest`, with its size limit."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from newsdesk.web.app import create_app
from tests.console import invoke_newsdesk, needs_console_script, run_newsdesk
from tests.web.conftest import EXAMPLES, NEWSDESK, STORIES, ingest, start_server, stop_server

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "tests" / "data" / "dev" / "captures"
pytestmark = needs_console_script


def test_real_server_serves_pages_and_api_while_the_cli_ingests(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    ingest(db, EXAMPLES)
    process, base = start_server(db)
    errors: list[str] = []
    answered = 0
    stop = threading.Event()

    def read_all_the_time() -> None:
        nonlocal answered
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                for url in ("/search?q=普京", "/api/search?q=拉夫罗夫", "/stories", "/", "/api/list?limit=5", "/outlets"):
                    response = http.get(url)
                    if response.status_code != 200 or "locked" in response.text or "Traceback" in response.text:
                        errors.append(f"{url}: {response.status_code} {response.text[:200]}")
                    answered += 1

    try:
        # Remembered answers (articles per outlet per month) are computed before the ingest…
        before = httpx.get(base + "/data/outlet-months.json", timeout=30).json()
        reader = threading.Thread(target=read_all_the_time)
        reader.start()
        # A CLI ingest in its own process, writing while the server reads.
        writer = subprocess.run([str(NEWSDESK), "ingest", str(STORIES), str(DEV), "--db", str(db)],
                                capture_output=True, text=True, timeout=600, check=False)
        stop.set()
        reader.join(timeout=120)
        assert writer.returncode == 0, writer.stderr
        after = httpx.get(base + "/api/counts", timeout=30).json()
        listed = run_newsdesk("list", "--db", db, "--format", "jsonl").stdout.count("\n")
        assert after["articles"] == listed > 5, "the server sees what the ingest wrote"
        # …and forgotten once it has written.
        monthly = httpx.get(base + "/data/outlet-months.json", timeout=30).json()
        assert sum(row["articles"] for row in before) == 5
        assert sum(row["articles"] for row in monthly) == after["articles"]
        page = httpx.get(base + "/search", params={"q": "拉夫羅夫"}, timeout=30)
        assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    finally:
        stderr = stop_server(process)
    print(f"{answered} requests answered during the ingest")
    assert answered > 6
    assert not errors, errors[:5]
    assert "Traceback" not in stderr


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path: Path) -> None:
    result = run_newsdesk("serve", "--db", tmp_path / "none.db")
    assert result.returncode == 2
    assert "no archive at" in result.stderr and "Traceback" not in result.stderr


def _uploading_client(tmp_path: Path, limit: int = 64 * 1024 * 1024) -> tuple[TestClient, Path]:
    db = tmp_path / "upload.db"
    # The starting archive only: in process (the uploads are what is tested).
    assert invoke_newsdesk("ingest", EXAMPLES / "000_b8f021c9504a85f9.txt", "--db", db).returncode == 0
    return TestClient(create_app(db, allow_ingest=True, max_upload_bytes=limit), raise_server_exceptions=False), db


def test_allow_ingest_takes_uploaded_captures_into_the_archive(tmp_path: Path) -> None:
    client, _ = _uploading_client(tmp_path)
    form = client.get("/ingest")
    assert form.status_code == 200 and 'id="ingest-form"' in form.text
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(EXAMPLES.iterdir())[1:3]]
    files.append(("files", ("../../etc/evil<script>.md", b"\x00\x01 not a capture", "text/plain")))
    response = client.post("/ingest", files=files)
    assert response.status_code == 200, response.text
    assert "new articles: 2" in response.text and "failed: 1" in response.text
    assert client.get("/api/counts").json()["articles"] == 3
    # Uploaded again: nothing changes.
    again = client.post("/ingest", files=files[:2])
    assert "unchanged: 2" in again.text
    assert client.post("/ingest", files={}).status_code in {400, 422}


def test_allow_ingest_refuses_an_upload_over_the_limit(tmp_path: Path) -> None:
    client, _ = _uploading_client(tmp_path, limit=10_000)
    big = (EXAMPLES / "002_583555913b494f65.txt").read_bytes() * 10
    assert len(big) > 10_000
    response = client.post("/ingest", files={"files": ("big.txt", big, "text/plain")})
    assert response.status_code == 413
    # Without a Content-Length (chunked), the body is counted as it arrives.
    boundary = "newsdeskboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n\r\n".encode()
            + big + f"\r\n--{boundary}--\r\n".encode())
    chunked = client.post("/ingest", content=iter([body[i:i + 4096] for i in range(0, len(body), 4096)]),
                          headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert chunked.status_code == 413
    assert client.get("/api/counts").json()["articles"] == 1


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_read_only_server_has_no_writing_routes(client: TestClient, method: str) -> None:
    for url in ("/api/list", "/search", "/ingest"):
        assert getattr(client, method)(url).status_code in {403, 405}
