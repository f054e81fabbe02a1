#!/usr/bin/env python3
"""Copy the corpus-fresh batches promoted to tuning (1 and 2) into a work folder, never touching batches 3-4.

    python3 bench/fresh_tuning.py /tmp/o2      # -> /tmp/o2/gold, /tmp/o2/captures

A gold record with no "batch" key is batch 1; `"batch": 2` is batch 2. Only the "batch" key of each gold
is read to decide; the capture and the full gold of a batch-3/4 record are never opened or copied, so the
folder can be listed, grepped and scored freely while batches 3-4 stay a clean held-out measure.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

FRESH = Path(__file__).resolve().parent / "data" / "corpus-fresh"
TUNING_BATCHES = {1, 2}


def golds_by_batch(wanted: set[int]) -> dict[int, list[Path]]:
    """The gold files of the batches wanted, by batch, read by their `batch` key alone (none: batch 1)."""
    batches: dict[int, list[Path]] = {}
    for gold_path in sorted((FRESH / "gold").glob("*.gold.json")):
        batch = json.loads(gold_path.read_text(encoding="utf-8")).get("batch", 1)
        if batch in wanted:
            batches.setdefault(batch, []).append(gold_path)
    return batches


def tuning_golds() -> list[Path]:
    return sorted(path for golds in golds_by_batch(TUNING_BATCHES).values() for path in golds)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fresh-tuning")
    (out / "gold").mkdir(parents=True, exist_ok=True)
    (out / "captures").mkdir(parents=True, exist_ok=True)
    golds = tuning_golds()
    for gold_path in golds:
        capture = gold_path.name.removesuffix(".gold.json")
        shutil.copy2(gold_path, out / "gold" / gold_path.name)
        shutil.copy2(FRESH / "captures" / capture, out / "captures" / capture)
    print(f"{len(golds)} captures of batches {sorted(TUNING_BATCHES)} copied to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
