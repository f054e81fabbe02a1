"""The installed `newsdesk` console script, run as a user runs it: tests that must see exactly what
reaches a terminal (exit codes, one-line errors, no traceback) go through here.

`invoke_newsdesk` runs the same command in this process (Typer's CliRunner) and answers in the same shape:
for tests about what a command does rather than how a process ends, without paying a Python start and
the heavy imports on every call. Both stay honest about failures: an exception that escapes the app in
process is written to stderr as the interpreter would write it, with exit code 1."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

NEWSDESK = Path(sys.executable).parent / "newsdesk"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
needs_console_script = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")


def _settings(columns: int) -> dict[str, str | None]:
    """UTF-8 output, no colour, a fixed width, and never the debug traceback (None: unset)."""
    return {"PYTHONIOENCODING": "utf-8", "COLUMNS": str(columns), "NO_COLOR": "1", "NEWSDESK_DEBUG": None}


def environment(columns: int = 200) -> dict[str, str]:
    """This environment with the tests' settings (`_settings`)."""
    env = dict(os.environ)
    for key, value in _settings(columns).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_newsdesk(*args: str | Path, columns: int = 200, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300, env=environment(columns),
        cwd=cwd, check=False,
    )


def invoke_newsdesk(*args: str | Path, columns: int = 200, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`run_newsdesk`, in this process: the same arguments, environment (as far as the command sees it),
    exit code, stdout and stderr."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    argv = [str(a) for a in args]
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = CliRunner().invoke(app, argv, env=_settings(columns), prog_name="newsdesk")
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # What the interpreter prints for an exception nothing caught: the tests' "no traceback" checks see it.
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["newsdesk", *argv], result.exit_code, result.stdout, stderr)
