"""What `newsdesk --help` and reading commands pay for at start: importing the CLI loads none of the heavy
libraries (the speed itself is measured in bench/startup.py, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("scipy", "datasketch", "trafilatura", "lxml", "pyarrow", "numpy")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(result.stdout))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import newsdesk.cli")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}
    assert "newsdesk.extract" not in loaded and "newsdesk.analysis.stories" not in loaded


def test_the_archive_store_loads_no_extraction_or_scipy() -> None:
    # What reading commands (search, list, show, export, stats) import.
    loaded = _loaded_after("import newsdesk.archive.store")
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


def test_archive_package_exports_the_ingest_function_whichever_is_imported_first() -> None:
    loaded = _loaded_after(
        "import newsdesk.archive.ingest\nfrom newsdesk.archive import ingest, Archive, IngestSummary\n"
        "assert callable(ingest) and not isinstance(ingest, type(sys)), ingest\n"
        "assert Archive.__name__ == 'Archive' and IngestSummary.__name__ == 'IngestSummary'"
    )
    assert "newsdesk.archive.ingest" in loaded
