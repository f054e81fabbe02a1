#!/usr/bin/env python3
"""What Python's garbage collector costs a shard worker, with and without freezing what extraction loaded.

    nice -n 10 .venv/bin/python bench/worker_gc.py INPUTS_FOLDER [--files 3] [--pairs 2]

Each variant runs in a fresh interpreter, as a Ray worker does: extraction loaded (`shards.warm_up`, frozen or
not), then the shards of the first `--files` WARC/JSONL files of INPUTS_FOLDER (e.g. bench/scale.py's
`WORK/inputs`) written to a temporary folder. Reported per capture: processor time in all, and in the collector
by generation (timed with `gc.callbacks`), and how many collections of each generation ran. The variants
alternate (`--pairs` times), so load on a shared machine weighs on both alike; the collector's own time is the
load-independent figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import gc, json, shutil, sys, tempfile, time
from pathlib import Path
from newsdesk.archive.shards import plan, warm_up, write_shard
from newsdesk.extract import ExtractOptions

freeze, folder, count = sys.argv[1] == "frozen", Path(sys.argv[2]), int(sys.argv[3])
files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))[:count]
options = ExtractOptions()
units = plan(files, options)
warm_up(options, freeze=freeze)
spent, runs, started = [0.0, 0.0, 0.0], [0, 0, 0], [0.0]

def timed(phase, info):
    if phase == "start":
        started[0] = time.process_time()
    else:
        spent[info["generation"]] += time.process_time() - started[0]
        runs[info["generation"]] += 1

gc.callbacks.append(timed)
out = tempfile.mkdtemp()
cpu, captures = time.process_time(), 0
for unit in units:
    captures += write_shard(unit, out, options).captures
cpu = time.process_time() - cpu
shutil.rmtree(out)
print(json.dumps({"variant": sys.argv[1], "captures": captures, "ms": 1000 * cpu / captures,
                  "gc_ms": [1000 * s / captures for s in spent], "collections": runs, "frozen": gc.get_freeze_count()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", type=Path)
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    print("| variant | captures | ms per capture | in the collector, gen 0/1/2 (ms per capture) | collections 0/1/2 | objects frozen |")
    print("|---|---:|---:|---|---|---:|")
    for _ in range(args.pairs):
        for variant in ("as loaded", "frozen"):
            done = subprocess.run([sys.executable, "-c", _PROBE, variant, str(args.inputs), str(args.files)],
                                  capture_output=True, text=True, check=True, cwd=ROOT,
                                  env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
            row = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {variant} | {row['captures']} | {row['ms']:.2f} | {' / '.join(f'{g:.3f}' for g in row['gc_ms'])} "
                  f"| {' / '.join(map(str, row['collections']))} | {row['frozen']:,} |")


if __name__ == "__main__":
    main()
