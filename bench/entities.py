#!/usr/bin/env python3
"""Entity resolution on labelled name pairs from real captures.

    .venv/bin/python bench/entities.py [--pairs bench/data/entity-pairs.tsv] [--code CHECKOUT] [CAPTURE_DIR ...]

The captures (by default examples/, tests/data/dev, tests/data/stories-dev and bench/data/corpus) are
ingested into a fresh archive, which places them in stories and so teaches the gazetteer what they print
(`谢尔盖‧拉夫罗夫（Sergey Lavrov）`, names after titles, names the tagger finds). Then each pair of
bench/data/entity-pairs.tsv is resolved with the archive's gazetteer (`archive_gazetteer`, what
`newsdesk entity NAME` uses): a pair is one entity when both names resolve to the same entity, two
otherwise (a name that resolves to nothing is no one's). The same pairs are also resolved with the bundled
gazetteer alone, which shows what reading the captures adds. Every name must occur in the captures' text
(folded as entities are): the bench says how many do.

Printed: accuracy, and precision / recall / F1 of "same", per kind of pair and overall, and every pair
resolved wrongly.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `--code DIR`: measure another checkout's src/ (an earlier commit, exported) on the same pairs and captures.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else ROOT
sys.path.insert(0, str(CODE / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import Report, console  # noqa: E402
from newsdesk.analysis.entities import Gazetteer, archive_gazetteer, bundled_gazetteer, fold_name  # noqa: E402
from newsdesk.analysis.stories import Analysis  # noqa: E402
from newsdesk.archive import Archive, ingest  # noqa: E402

PAIRS = ROOT / "bench" / "data" / "entity-pairs.tsv"
CAPTURES = [ROOT / "examples", ROOT / "tests/data/dev/captures", ROOT / "tests/data/stories-dev/captures",
            ROOT / "bench/data/corpus/captures"]


def read_pairs(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def same_entity(gazetteer: Gazetteer, a: str, b: str) -> bool:
    first, second = gazetteer.lookup(a), gazetteer.lookup(b)
    return first is not None and second is not None and first.id == second.id


def score(pairs: list[dict[str, str]], predicted: list[bool]) -> dict[str, float]:
    expected = [p["expect"] == "same" for p in pairs]
    tp = sum(e and p for e, p in zip(expected, predicted, strict=True))
    fp = sum(p and not e for e, p in zip(expected, predicted, strict=True))
    fn = sum(e and not p for e, p in zip(expected, predicted, strict=True))
    correct = sum(e == p for e, p in zip(expected, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(pairs), "accuracy": correct / len(pairs), "precision": precision, "recall": recall, "f1": f1}


def build(captures: list[Path], db: Path) -> tuple[Archive, float]:
    started = time.perf_counter()
    archive = Archive(db)
    ingest(captures, archive)
    archive.begin()
    Analysis(archive).update()
    archive.commit()
    return archive, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captures", nargs="*", type=Path, default=CAPTURES)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--code", type=Path, default=ROOT, help="a checkout whose src/ is measured (default: this one)")
    args = parser.parse_args()
    pairs = read_pairs(args.pairs)
    with tempfile.TemporaryDirectory() as scratch:
        archive, seconds = build(args.captures, Path(scratch) / "bench.db")
        texts = [fold_name("\n".join([title or "", *json.loads(body)]))
                 for title, body in archive.conn.execute("SELECT title, body FROM articles")]
        learned = archive_gazetteer(archive.conn)
        articles = archive.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        archive.close()
    bundled = bundled_gazetteer()
    names = {name for p in pairs for name in (p["a"], p["b"])}
    missing = sorted(n for n in names if not any(fold_name(n) in t for t in texts))
    console.print(f"code: {args.code}")
    console.print(f"{len(pairs)} pairs ({sum(p['expect'] == 'same' for p in pairs)} same), {len(names)} names;"
                  f" {len(names) - len(missing)} of them printed in the {articles} articles read"
                  f" ({', '.join(str(c.relative_to(ROOT)) if c.is_relative_to(ROOT) else str(c) for c in args.captures)};"
                  f" ingest and placement {seconds:.0f} s)")
    if missing:
        console.print(f"not in the captures: {', '.join(missing)}", markup=False)

    rows = []
    wrong = []
    for label, gazetteer in (("archive", learned), ("bundled only", bundled)):
        predicted = [same_entity(gazetteer, p["a"], p["b"]) for p in pairs]
        by_kind: dict[str, list[int]] = defaultdict(list)
        for i, pair in enumerate(pairs):
            by_kind[pair["kind"]].append(i)
        for kind, indexes in [("all", list(range(len(pairs)))), *sorted(by_kind.items())]:
            s = score([pairs[i] for i in indexes], [predicted[i] for i in indexes])
            rows.append([label, kind, str(s["pairs"]), f"{s['accuracy']:.3f}", f"{s['precision']:.3f}",
                         f"{s['recall']:.3f}", f"{s['f1']:.3f}"])
        if label == "archive":
            for pair, guess in zip(pairs, predicted, strict=True):
                if guess != (pair["expect"] == "same"):
                    a, b = learned.lookup(pair["a"]), learned.lookup(pair["b"])
                    wrong.append([pair["expect"], pair["kind"], pair["a"], a.id if a else "-", pair["b"], b.id if b else "-"])
    Report("Entity resolution on labelled pairs (same = one entity)",
           ["gazetteer", "kind", "pairs", "accuracy", "precision", "recall", "F1"], rows).show()
    Report("Pairs resolved wrongly (archive)", ["expected", "kind", "a", "resolves to", "b", "resolves to"], wrong).show()


if __name__ == "__main__":
    main()
