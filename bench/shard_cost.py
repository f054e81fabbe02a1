#!/usr/bin/env python3
"""Processor time per capture of writing shards (what a Ray worker does), before and after fold.signature's bulk
hashing, measured paired in one process so that other jobs on the machine weigh on both alike.

    nice -n 10 .venv/bin/python bench/shard_cost.py [--inputs bench/out/scale/inputs] [--units 3] [--repeats 2]

"Before" is the signature as datasketch's MinHash computes it shingle by shingle (the code before issue 13's
change), "after" is `fold.signature`; both write the same shards (checked here, row for row). Each unit (one
generated WARC/JSONL file of bench/scale.py) is written with both, alternating which goes first; a warm-up shard is
written first so that imports and dictionaries are not counted. Prints the processor ms per capture of each and
their ratio, and the same for the signature alone (body text + MinHash) over every body of those shards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.archive import fold  # noqa: E402
from newsdesk.archive.shards import plan, warm_up, write_shard  # noqa: E402
from newsdesk.extract import ExtractOptions  # noqa: E402


def datasketch_signature(text: str) -> Any:
    """The signature as computed before: a fresh MinHash (its permutations drawn again), SHA-1 per shingle."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=fold.NUM_PERM)
    grams = list(fold.shingles(text))
    for start in range(0, len(grams), fold.SIGNATURE_SLICE):
        minhash.update_batch(grams[start : start + fold.SIGNATURE_SLICE])
    return minhash


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=Path, default=ROOT / "bench" / "out" / "scale" / "inputs",
                        help="bench/scale.py's generated inputs (run it once first)")
    parser.add_argument("--units", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    import pyarrow.parquet as pq

    from newsdesk.model import Article

    options = ExtractOptions()
    units = plan(sorted(p for p in args.inputs.iterdir() if not p.name.startswith(".")), options)
    if len(units) < 2:
        parser.error(f"{args.inputs} holds fewer than two input files: run bench/scale.py first")
    fast = fold.signature
    work = Path(tempfile.mkdtemp(prefix="shard-cost-"))
    try:
        warm_up(options)
        write_shard(units[-1], work / "warm", options)
        cpu = {"before": 0.0, "after": 0.0}
        captures = {"before": 0, "after": 0}
        same = True
        for repeat in range(args.repeats):
            for unit in units[: args.units]:
                order = [("before", datasketch_signature), ("after", fast)]
                written = {}
                for name, signature in order if repeat % 2 == 0 else order[::-1]:
                    fold.signature = signature
                    stats = write_shard(unit, work / name, options)
                    cpu[name] += stats.cpu_seconds
                    captures[name] += stats.captures
                    written[name] = pq.read_table(work / name / unit.name)
                same = same and written["before"].equals(written["after"])
                if repeat + 1 < args.repeats:
                    for name in written:
                        (work / name / unit.name).unlink()
        fold.signature = fast
        before, after = (cpu[k] * 1000 / captures[k] for k in ("before", "after"))
        print(f"write_shard, {captures['after']:,} captures each: before {before:.2f} ms of processor per capture,"
              f" after {after:.2f}: after/before {after / before:.3f}; shards identical: {same}")

        bodies = []
        for path in sorted((work / "after").glob("*.parquet")):
            for record in pq.read_table(path, columns=["record"]).column("record").to_pylist():
                if record:
                    bodies.append(Article.from_record(json.loads(record)))
        spent = {"before": 0.0, "after": 0.0}
        for start in range(0, len(bodies), 25):
            batch = bodies[start : start + 25]
            for name, signature in (("before", datasketch_signature), ("after", fast)):
                began = time.process_time()
                for article in batch:
                    fold.signature_bytes(signature(fold.body_text(article)))
                spent[name] += time.process_time() - began
        b, a = (spent[k] * 1000 / len(bodies) for k in ("before", "after"))
        print(f"body text + MinHash, {len(bodies):,} bodies: before {b:.2f} ms, after {a:.2f}: after/before {a / b:.2f}")
    finally:
        fold.signature = fast
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
