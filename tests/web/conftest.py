"""An archive built from real captures by the installed console script, as a user builds one: the seeds
(examples/), the stories-dev reports (GNews re-posts under new addresses) and the stories-own variants
(a mirror's copies, Taiwanese re-reports), so that search, stories, entities and the republication
network all have something to show. Served through FastAPI's TestClient."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsdesk.web.app import create_app
from tests.console import run_newsdesk

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
STORIES = REPO / "tests" / "data" / "stories-dev" / "captures"
VARIANTS = REPO / "bench" / "data" / "stories-own" / "variants"
XSS = REPO / "tests" / "data" / "xss"
NEWSDESK = Path(sys.executable).parent / "newsdesk"


def ingest(db: Path, *paths: Path) -> None:
    result = run_newsdesk("ingest", *paths, "--db", db)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    captures = folder / "in"
    shutil.copytree(EXAMPLES, captures / "examples")
    shutil.copytree(STORIES, captures / "stories")
    shutil.copytree(VARIANTS, captures / "variants")
    db = folder / "web.db"
    ingest(db, captures)
    return db


@pytest.fixture(scope="session")
def client(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db), raise_server_exceptions=False) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """`newsdesk serve` in a subprocess on a free port of 127.0.0.1; returns it and its base URL once it answers."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [str(NEWSDESK), "serve", "--db", str(db), "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"newsdesk serve exited: {process.communicate()}")
        try:
            if httpx.get(base + "/api/counts", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise AssertionError("newsdesk serve did not answer within 60 s")


def stop_server(process: subprocess.Popen[str]) -> str:
    process.terminate()
    try:
        _, stderr = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr
