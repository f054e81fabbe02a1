#!/usr/bin/env python3
"""How long `newsdesk` takes to start, next to the interpreter's own start.

    PYTHONPATH=src .venv/bin/python bench/startup.py [--runs 10] [--src DIR]

Runs each command --runs times (after one warm-up run, so the file cache is warm) through the
installed console script and prints a markdown table of medians and ranges: `python -c pass` (the floor),
`newsdesk --help` (target: median < 0.25 s), `newsdesk --version`, and `newsdesk list` over a
one-article archive (a reading command: it opens SQLite and imports the archive store, not extraction).
--src times another copy of newsdesk's source (e.g. `git archive OLD src | tar -x -C /tmp/old`, then
--src /tmp/old/src) for a before/after. Wall time includes waiting for a core when the machine is busy; the load average is printed with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEWSDESK = Path(sys.executable).parent / "newsdesk"
CAPTURE = ROOT / "tests" / "data" / "dev" / "captures" / "people__1.html"
TARGET_SECONDS = 0.25


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float] | None:
    """Wall times of `runs` runs, or None if the command fails (an older newsdesk without the option)."""
    if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
        return None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the newsdesk source to time")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "NO_COLOR": "1", "COLUMNS": "100"}
    env.pop("NEWSDESK_DB", None)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "one.db"
        subprocess.run([NEWSDESK, "ingest", CAPTURE, "--db", db], env=env, capture_output=True, check=True)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "newsdesk --help": [str(NEWSDESK), "--help"],
            "newsdesk --version": [str(NEWSDESK), "--version"],
            "newsdesk list (1 article)": [str(NEWSDESK), "list", "--db", str(db)],
        }
        load = os.getloadavg()
        results = {name: timed(command, env, args.runs) for name, command in commands.items()}
    print(f"source {args.src}; {args.runs} runs each; load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores\n")
    print("| command | median s | min s | max s |")
    print("|---|---:|---:|---:|")
    for name, times in results.items():
        if times is None:
            print(f"| `{name}` | failed | | |")
            continue
        print(f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} |")
    help_median = statistics.median(results["newsdesk --help"] or [float("inf")])
    verdict = "meets" if help_median < TARGET_SECONDS else "misses"
    print(f"\n`newsdesk --help` median {help_median:.3f} s {verdict} the {TARGET_SECONDS} s target.")


if __name__ == "__main__":
    main()
