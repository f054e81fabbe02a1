#!/usr/bin/env python3
"""Train the outlet chooser of `newsdesk.extract.outlet_model`, or measure it leave-one-site-out.

    python bench/train_outlet.py            # train on every training capture, write src/newsdesk/data/outlet_model.json
    python bench/train_outlet.py --loso     # leave-one-site-out outlet accuracy: model variants against the rules
    python bench/train_outlet.py --check    # fast: the shipped model's inputs and feature code are the current ones
    python bench/train_outlet.py --reproduce  # slow: training now writes the shipped file byte for byte (exit 1 if not)

Training captures: every capture with gold in tests/data/dev and, from the corpus, those whose gold
says "split": "train" (bench/data/corpus/gold), all formats. Held-out gold is never read.

Each capture is read twice: with the bundled outlet registry, and with the registry blind to the
capture's own site (its outlet's names and hosts forgotten), as a site never seen is read. Both
readings are training rows; leave-one-site-out scores the left-out site's blind reading only, with
a model trained without that site, beside the rules on the same readings. A candidate is labelled
right when GOLD-SPEC's strict outlet comparison (tests/scoring.py) accepts it. Training is
deterministic (sorted inputs, fixed seed, one thread): `make train` rewrites the JSON byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from bench.meta_failures import blind_registry, registry_as  # noqa: E402
from tests.scoring import field_ok  # noqa: E402

from newsdesk.extract import extract_capture, outlet_model  # noqa: E402
from newsdesk.extract.outlets import OutletRegistry  # noqa: E402

MODEL_PATH = REPO / "src" / "newsdesk" / "data" / outlet_model.MODEL_FILE
SOURCES = (REPO / "tests" / "data" / "dev", REPO / "bench" / "data" / "corpus")
SEED = 0
PARAMS: dict[str, Any] = {
    "loss": "log_loss", "learning_rate": 0.1, "max_iter": 80, "max_leaf_nodes": 8, "min_samples_leaf": 10,
    "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED,
}
THRESHOLD = 0.3
# Chosen leave-one-site-out (bench/RESULTS.md): the signals alone, the rules where no name scores above the threshold.
USE_RULE = False
FALLBACK_TO_RULE = True


@dataclass
class Reading:
    names: list[str]
    rows: list[list[float]]
    labels: list[int]
    rule: str | None
    rule_ok: bool
    language: str | None


@dataclass
class Page:
    name: str
    site: str
    group: str
    gold: dict[str, Any]
    capture: Path
    gold_path: Path
    readings: dict[str, Reading] = field(default_factory=dict)


def capture_site(file: str) -> str:
    """The host a capture's file name was saved under (`nodebe4+bbc.com__x.md` → bbc.com)."""
    return file.split("__")[0].split("+")[-1].lower().removeprefix("www.")


def blind_host(page: Page) -> str:
    if page.group != "dev":
        return capture_site(page.gold["file"])
    # Dev captures are named by number: their site is the host of the original they copy.
    url = page.gold.get("original_url") or ""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def training_pages() -> list[Page]:
    pages = []
    seen: set[str] = set()
    for source in SOURCES:
        for gold_path in sorted((source / "gold").glob("*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            if gold.get("split", "train") != "train":
                continue
            capture = source / "captures" / gold["file"]
            if not capture.is_file():
                continue
            digest = sha256(capture)
            if digest in seen:
                continue
            seen.add(digest)
            dev = "split" not in gold
            site = f"dev:{gold['file']}" if dev else gold.get("site") or capture_site(gold["file"])
            pages.append(Page(str(capture.relative_to(REPO)), site, "dev" if dev else gold.get("group", "?"), gold, capture,
                              gold_path))
    return pages


def read(page: Page, registry: OutletRegistry | None) -> Reading:
    data = page.capture.read_bytes()
    gold = page.gold.get("outlet")
    with registry_as(registry), outlet_model.using_model(None), outlet_model.recording() as seen:
        article = extract_capture(data, page.name)
    if not seen:
        # No outlet was chosen (an error before it): nothing to learn from this reading.
        return Reading([], [], [], article.outlet, field_ok("outlet", gold, article.outlet), article.language)
    rec = seen[-1]
    labels = [int(field_ok("outlet", gold, name)) for name in rec.names]
    return Reading(rec.names, rec.rows, labels, rec.rule, field_ok("outlet", gold, rec.rule), article.language)


def label_all(pages: list[Page]) -> None:
    for page in pages:
        page.readings["full"] = read(page, None)
        page.readings["blind"] = read(page, blind_registry(blind_host(page)))


def _rows(pages: list[Page], use_rule: bool) -> tuple[list[list[float]], list[int], list[float]]:
    x, y, w = [], [], []
    for page in pages:
        for reading in page.readings.values():
            n = len(reading.rows)
            for row, label in zip(reading.rows, reading.labels, strict=True):
                x.append([0.0 if (i == 0 and not use_rule) else v for i, v in enumerate(row)])
                y.append(label)
                # Every reading weighs the same, however many names it gives.
                w.append(1.0 / n)
    return x, y, w


def fit(pages: list[Page], use_rule: bool = USE_RULE) -> dict[str, Any]:
    import numpy as np
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = _rows(pages, use_rule)
    classifier = HistGradientBoostingClassifier(**PARAMS)
    classifier.fit(np.array(x), np.array(y), sample_weight=np.array(w))
    spec = export(classifier, outlet_model.feature_names())
    check_rows = x[:: max(1, len(x) // 25)][:25]
    checks = {"rows": check_rows, "predictions": [float(v) for v in classifier.predict_proba(np.array(check_rows))[:, 1]]}
    return {"model": spec, "checks": checks, "sklearn": sklearn.__version__, "numpy": np.__version__, "params": PARAMS}


def export(model: Any, names: list[str]) -> dict[str, Any]:
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": [int(v) for v in nodes["feature_idx"]],
            "threshold": [float(v) for v in nodes["num_threshold"]],
            "left": [int(v) for v in nodes["left"]],
            "right": [int(v) for v in nodes["right"]],
            "leaf": [int(v) for v in nodes["is_leaf"]],
            "value": [float(v) for v in nodes["value"]],
        })
    baseline = float(model._baseline_prediction.ravel()[0])
    return {"features": names, "link": "logistic", "baseline": baseline, "trees": trees}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Data files the extraction reads while it gathers the chooser's candidates (credit words, places, the registry,
# date meta names, the region model and its words, which decide the body and header lines the features look at).
FEATURE_DATA = ("credits.toml", "gazetteer.toml", "outlets.toml", "dates.toml", "region_vocab.toml", "region_model.json",
                outlet_model.VOCAB_FILE)


def feature_sources() -> list[Path]:
    """Every file whose content feeds the model's candidates or features: not only outlet_model.py and its words, but
    each extract module (html_page, html_meta, credits, outlets, pipeline, region, …: they decide which names a
    capture gives and with which signals) and the data they read. A change in any of them can change the training
    rows, so `--check` asks for `make train` (merges that changed the candidates' inputs went unnoticed before)."""
    code = REPO / "src" / "newsdesk"
    return [*sorted((code / "extract").glob("*.py")), *(code / "data" / name for name in FEATURE_DATA)]


def code_hash() -> str:
    """The candidate and feature code, the extraction feeding it and the vocabulary the model was trained with."""
    digest = hashlib.sha256()
    for path in feature_sources():
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_model(pages: list[Page], use_rule: bool = USE_RULE, threshold: float = THRESHOLD) -> dict[str, Any]:
    return {
        "about": "Outlet chooser of newsdesk.extract.outlet_model; written by bench/train_outlet.py (make train).",
        "threshold": threshold,
        "use_rule": use_rule,
        "fallback_to_rule": FALLBACK_TO_RULE,
        **fit(pages, use_rule),
        "inputs": input_list(pages),
        "features_sha256": code_hash(),
    }


def input_list(pages: list[Page]) -> list[dict[str, str]]:
    return [{"capture": p.name, "capture_sha256": sha256(p.capture), "gold_sha256": sha256(p.gold_path)} for p in pages]


def stale_reasons(shipped: dict[str, Any], pages: list[Page]) -> list[str]:
    """Why the shipped model is not what `make train` would write now, found without retraining."""
    problems = []
    if shipped["features_sha256"] != code_hash():
        problems.append("the candidate or feature code or vocabulary changed since training: run `make train`")
    if shipped["inputs"] != input_list(pages):
        problems.append("the training captures or their gold changed since training: run `make train`")
    return problems


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def choose(model: outlet_model.OutletModel, reading: Reading) -> str | None:
    return outlet_model.best_name(model, reading.names, reading.rows, reading.rule)


# ---------------------------------------------------------------------------------------------
# Leave-one-site-out.

VARIANTS: dict[str, dict[str, Any]] = {
    "signals-only": {"use_rule": False, "fallback_to_rule": False},
    "signals-only, rules where it abstains": {"use_rule": False, "fallback_to_rule": True},
    "with the rules' choice as a feature": {"use_rule": True, "fallback_to_rule": False},
}
MODES = ("blind", "full")


def script_of(language: str | None) -> str:
    return language if language in {"zh-Hans", "zh-Hant"} else "other"


def loso(pages: list[Page]) -> dict[str, dict[str, list[tuple[str, str, bool]]]]:
    """Per variant and reading: (group, script, right) for every train-split capture, by a model without its site."""
    results: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    sites = sorted({p.site for p in pages if p.group != "dev"})
    for site in sites:
        train = [p for p in pages if p.site != site]
        held = [p for p in pages if p.site == site]
        by_rule: dict[bool, dict[str, Any]] = {}
        for name, variant in VARIANTS.items():
            use_rule = variant["use_rule"]
            if use_rule not in by_rule:
                by_rule[use_rule] = fit(train, use_rule)
            model = outlet_model.OutletModel(
                outlet_model.compile_ensemble(by_rule[use_rule]["model"]), THRESHOLD, use_rule, variant["fallback_to_rule"]
            )
            for page in held:
                for mode in MODES:
                    reading = page.readings[mode]
                    right = field_ok("outlet", page.gold.get("outlet"), choose(model, reading))
                    results[f"{name} ({mode})"].append((page.group, script_of(reading.language), right))
        for page in held:
            for mode in MODES:
                reading = page.readings[mode]
                results[f"rules ({mode})"].append((page.group, script_of(reading.language), reading.rule_ok))
    return results


def report(results: dict[str, list[tuple[str, str, bool]]]) -> str:
    # Blind readings first (the left-out site unknown to the registry too), then full ones; rules first in each.
    names = sorted(results, key=lambda n: (n.endswith("(full)"), not n.startswith("rules"), n))
    keys = [*sorted({g for r in results.values() for g, _, _ in r}), "zh-Hans", "zh-Hant", "other"]
    lines = ["| slice | n | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for key in keys:
        cells = []
        n = 0
        for name in names:
            hits = [ok for g, s, ok in results[name] if key in (g, s)]
            n = len(hits)
            cells.append(f"{sum(hits) / n:.3f}" if n else "-")
        if n:
            lines.append(f"| {key} | {n} | " + " | ".join(cells) + " |")
    total = len(results[names[0]])
    lines.append(f"| **all** | {total} | " + " | ".join(f"**{sum(ok for *_, ok in results[n]) / total:.3f}**" for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loso", action="store_true", help="leave-one-site-out outlet accuracy instead of training")
    parser.add_argument("--check", action="store_true", help="exit 1 if the model's inputs or feature code changed")
    parser.add_argument("--reproduce", action="store_true", help="exit 1 unless training writes the shipped file")
    args = parser.parse_args(argv)
    pages = training_pages()
    if args.check:
        problems = stale_reasons(json.loads(MODEL_PATH.read_text(encoding="utf-8")), pages)
        print("\n".join(problems) or "model is up to date")
        return 1 if problems else 0
    label_all(pages)
    print(f"{len(pages)} captures from {len({p.site for p in pages})} sites", file=sys.stderr)
    if args.loso:
        print(report(loso(pages)))
        return 0
    text = dump(build_model(pages))
    if args.reproduce:
        same = MODEL_PATH.is_file() and MODEL_PATH.read_text(encoding="utf-8") == text
        print("model is up to date" if same else f"{MODEL_PATH.name} differs from what training writes: run `make train`")
        return 0 if same else 1
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
