#!/usr/bin/env python3
"""Score the held-out corpus-fresh batches, summary figures only: newsdesk beside the peers, batch by batch.

    .venv/bin/python bench/fresh_heldout.py [--batches 3,4,5] [--only newsdesk,trafilatura,readability,resiliparse,gne]

Which batch a capture is in is read from its gold's `batch` key alone; each batch's captures are copied (never
linked) into a scratch folder, every extractor named runs over them (newsdesk on raw bytes, the peers on text
decoded the way bench/extractors.py feeds them), and `../shared/eval/score.py` prints one summary line per batch and
extractor. Per-capture results are never printed: a held-out batch is a measure, and reading its failures would
make it a tuning set (bench/data/corpus-fresh/README.md keeps the log of every scoring). Batches 1-2 are tuning
data (bench/fresh_tuning.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "src"))

from extractors import BY_NAME  # noqa: E402
from fresh_tuning import FRESH, golds_by_batch  # noqa: E402
from newsdesk.sources.decode import decode  # noqa: E402

SCORER = BENCH.parent.parent / "shared" / "eval" / "score.py"
SHOWN = ("body_p", "body_r", "body_f1", "title", "published", "outlet", "authors", "editor", "original_url")


def predict(name: str, captures: list[Path]) -> list[dict[str, object]]:
    run = BY_NAME[name].build()
    wants_bytes = BY_NAME[name].wants == "bytes"
    rows = []
    for path in captures:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            row: dict[str, object] = asdict(run(data if wants_bytes else decode(data).text, path.name))
        except Exception as error:  # a peer crashing on a page scores as an empty answer, as in bench/extraction.py
            row = {"body": [], "error": f"{type(error).__name__}"}
        row["file"] = path.name
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", default="3,4,5")
    parser.add_argument("--only", default="newsdesk,trafilatura,readability,resiliparse,gne")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n]
    print(f"{'batch':>5} {'n':>3} {'extractor':<12} " + " ".join(f"{f:>12}" for f in SHOWN))
    for batch, golds in sorted(golds_by_batch({int(b) for b in args.batches.split(",")}).items()):
        with tempfile.TemporaryDirectory() as scratch:
            gold_dir, capture_dir = Path(scratch) / "gold", Path(scratch) / "captures"
            gold_dir.mkdir()
            capture_dir.mkdir()
            for gold in golds:
                shutil.copy2(gold, gold_dir / gold.name)
                shutil.copy2(FRESH / "captures" / gold.name.removesuffix(".gold.json"), capture_dir)
            captures = sorted(capture_dir.iterdir())
            for name in names:
                predictions = Path(scratch) / f"{name}.jsonl"
                predictions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in predict(name, captures)),
                                       encoding="utf-8")
                scored = subprocess.run([sys.executable, str(SCORER), str(gold_dir), str(predictions), "--json"],
                                        capture_output=True, text=True, check=True)
                summary = json.loads(scored.stdout)
                summary = summary.get("summary", summary)
                cells = " ".join(f"{summary.get(f, float('nan')):>12.4f}" for f in SHOWN)
                print(f"{batch:>5} {len(captures):>3} {name:<12} {cells}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
