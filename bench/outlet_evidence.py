#!/usr/bin/env python3
"""Census of the outlet evidence each tuning capture carries, read as a site never seen (issue 8).

    PYTHONPATH=src .venv/bin/python bench/outlet_evidence.py [--corpus-train] [--tuning DIR ...] [--registry] [--list]

Every capture is read with the registry blind to its own site (as `bench/meta_failures.py --blind-registry`
does; `--registry` keeps it) while `outlet_model.recording` collects the candidate names and the signals
naming each (og:site_name, publisher, title suffix, copyright, logo, credits, dateline, ...). Printed: per
signal kind, how many candidates it gave and how many the gold's strict outlet comparison accepts, per
part; with `--list`, each capture's verdict and candidates (`+` right, `-` wrong). The corpus is read on
its train split only; `--tuning` takes a folder with gold/ and captures/ (the dev set, corpus-fresh
batches 1-2 copied by `bench/fresh_tuning.py`). Held-out data must never be passed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bench.meta_failures as mf  # noqa: E402
from tests.scoring import field_ok  # noqa: E402

from newsdesk.extract import extract_capture, outlet_model  # noqa: E402


def parts(args: argparse.Namespace) -> list[tuple[str, Path, bool]]:
    found = [(str(folder), folder, False) for folder in args.tuning or []]
    if args.corpus_train:
        found.append(("corpus-train", mf.CORPUS, True))
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus-train", action="store_true", help="the labelled corpus's train split")
    parser.add_argument("--tuning", type=Path, action="append", metavar="DIR", help="a tuning folder (gold/, captures/)")
    parser.add_argument("--registry", action="store_true", help="keep the registry (default: blind to each site)")
    parser.add_argument("--list", action="store_true", help="print every capture's candidates")
    args = parser.parse_args()
    for label, folder, train_only in parts(args):
        right: Counter[str] = Counter()
        given: Counter[str] = Counter()
        ok_count = total = 0
        for gold_path in sorted((folder / "gold").glob("*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            if train_only and gold.get("split") != "train":
                continue
            path = folder / "captures" / gold["file"]
            registry = None if args.registry else mf.blind_registry(mf.gold_site(gold))
            with mf.registry_as(registry), outlet_model.recording() as seen:
                article = extract_capture(path.read_bytes(), str(path)).to_record()
            ok = field_ok("outlet", gold.get("outlet"), article.get("outlet"))
            ok_count += ok
            total += 1
            lines = []
            for recorded in seen[-1:]:
                for name, row in zip(recorded.names, recorded.rows, strict=True):
                    kinds = [kind for kind, bit in zip(outlet_model.KINDS, row, strict=False) if bit]
                    good = field_ok("outlet", gold.get("outlet"), name)
                    for kind in kinds:
                        given[kind] += 1
                        right[kind] += good
                    lines.append(f"      {'+' if good else '-'} {name!r} {','.join(kinds)}")
            if args.list:
                print(f"{'OK ' if ok else 'BAD'} {gold['file']} gold={gold.get('outlet')!r} pred={article.get('outlet')!r}")
                print("\n".join(lines))
        print(f"\n{label}: outlet {ok_count}/{total}; candidates by signal kind (right/given)")
        for kind in outlet_model.KINDS:
            if given[kind]:
                print(f"  {kind:20} {right[kind]:4}/{given[kind]:4} = {right[kind] / given[kind]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
