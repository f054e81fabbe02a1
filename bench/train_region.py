#!/usr/bin/env python3
"""Train the region and block models of `newsdesk.extract.learned`, or measure them leave-one-site-out.

    python bench/train_region.py            # train on every training page, write src/newsdesk/data/region_model.json
    python bench/train_region.py --loso     # leave-one-site-out body F1: model, rule, trafilatura, readability
    python bench/train_region.py --check    # the inputs listed in the shipped model are still the training pages

Training pages: the HTML captures (site-html, mirror-html) with gold in tests/data/dev and, from
the corpus, those whose gold says "split": "train" (bench/data/corpus/gold). Held-out gold is never
read. A page's site is its gold's "site", else the file-name prefix before "__".

Labels come from the gold body (GOLD-SPEC.md tokens, 4-token shingles): a candidate region is
labelled with the body F1 its text alone would reach; a block with whether most of its shingles
are the gold body's. Training is deterministic (sorted inputs, fixed seed, one thread), so
`make train` rewrites the JSON byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# One thread before numpy/sklearn load: the result must not depend on the machine's cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))


from tests.scoring import body_prf, shingles, tokens  # noqa: E402

from newsdesk.extract import extract_capture, html_page, learned, region  # noqa: E402
from newsdesk.extract.blocks import extract_sourced_blocks  # noqa: E402
from newsdesk.extract.html_meta import best_title, read_page_meta  # noqa: E402
from newsdesk.extract.html_page import _heading_title, _is_english  # noqa: E402
from newsdesk.extract.html_tree import parse_html  # noqa: E402
from newsdesk.sources.decode import decode  # noqa: E402

MODEL_PATH = REPO / "src" / "newsdesk" / "data" / learned.MODEL_FILE
SOURCES = (REPO / "tests" / "data" / "dev", REPO / "bench" / "data" / "corpus")
HTML_FORMATS = {"site-html", "mirror-html"}
SEED = 0
# A block belongs to the article when at least this share of its shingles is the gold body's.
BLOCK_POSITIVE = 0.5
REGION_PARAMS: dict[str, Any] = {
    "loss": "squared_error", "learning_rate": 0.1, "max_iter": 120, "max_leaf_nodes": 12, "min_samples_leaf": 20,
    "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED,
}
BLOCK_PARAMS: dict[str, Any] = {
    "loss": "log_loss", "learning_rate": 0.1, "max_iter": 100, "max_leaf_nodes": 12, "min_samples_leaf": 20,
    "l2_regularization": 1.0, "early_stopping": False, "random_state": SEED,
}
BLOCK_THRESHOLD = 0.2
MIN_CONFIDENCE = 0.25
RULE_FIRST = False


@dataclass
class Page:
    name: str  # path relative to the repository
    site: str
    gold: dict[str, Any]
    capture: Path
    gold_path: Path
    region_rows: list[list[float]] = field(default_factory=list)
    region_labels: list[float] = field(default_factory=list)
    block_rows: list[list[float]] = field(default_factory=list)
    block_labels: list[int] = field(default_factory=list)


def site_of(gold: dict[str, Any], capture: Path) -> str:
    return gold.get("site") or capture.name.split("__")[0]


def training_pages(extra: tuple[Path, ...] = ()) -> list[Page]:
    pages = []
    seen: set[str] = set()
    for source in (*SOURCES, *extra):
        for gold_path in sorted((source / "gold").glob("*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            if gold.get("format") not in HTML_FORMATS:
                continue
            # Dev gold has no split: it is the tuning set by definition.
            if gold.get("split", "train") != "train":
                continue
            capture = source / "captures" / gold["file"]
            if not capture.is_file():
                continue
            digest = sha256(capture)
            if digest in seen:
                # The same capture in two folders (a corpus copy and this checkout) counts once.
                continue
            seen.add(digest)
            name = str(capture.relative_to(REPO)) if capture.is_relative_to(REPO) else str(capture)
            pages.append(Page(name, site_of(gold, capture), gold, capture, gold_path))
    return pages


def page_view(page: Page) -> learned.PageView | None:
    """The tree and title exactly as `read_html` builds them before choosing the region."""
    text = decode(page.capture.read_bytes()).text
    han = len(html_page._CJK.findall(text[:200_000]))
    if han < html_page._MIN_CJK or len(html_page._KANA.findall(text[:200_000])) >= han * html_page._MAX_KANA_SHARE:
        return None
    root = parse_html(text)
    meta = read_page_meta(root)
    if _is_english(root):
        return None
    mirror = page.gold["format"] == "mirror-html"
    title = _heading_title(root) if mirror else best_title(meta)
    region.clean_page(root, for_model=True)
    return learned.PageView(root, title)


def _share_in(part: Counter, whole: Counter) -> float:
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 0.0


def block_label(block: str, gold_shingles: Counter, gold_blocks: list[str]) -> int:
    if len(tokens(block)) < 4:
        # Too short for shingles, and a two-character menu item is inside any long article:
        # a short block is the article's when it is (most of) one of the gold blocks.
        key = learned.fold(block)
        return int(bool(key) and any(key in g and 2 * len(key) >= len(g) for g in gold_blocks))
    return int(_share_in(shingles([block]), gold_shingles) >= BLOCK_POSITIVE)


def label_page(page: Page) -> None:
    view = page_view(page)
    if view is None:
        return
    gold_body = page.gold["body"] or []
    gold_shingles = shingles(gold_body)
    gold_blocks = [learned.fold(b) for b in gold_body]
    scored = []
    for i in view.candidates():
        f1 = body_prf(gold_body, [view.els[i].text_content()])[2]
        page.region_rows.append(learned.region_features(view, i))
        page.region_labels.append(f1)
        scored.append((f1, -i, i))
    if not scored:
        return
    # Blocks are learned where the region model will send them: the best region and the two
    # containers above it (whose extra blocks are the related lists and notices to prune).
    best = max(scored)[2]
    seen_blocks: set[tuple[int, int]] = set()
    at = best
    for _ in range(3):
        if at < 0:
            break
        blocks, sources, _ = extract_sourced_blocks(view.els[at])
        rows = learned.block_features(view, at, blocks, sources)
        for block, source, row in zip(blocks, sources, rows, strict=True):
            key = (view.index.get(source, at), hash(block))
            if key in seen_blocks or region._CREDIT_LINE.match(block):
                continue
            seen_blocks.add(key)
            page.block_rows.append(row)
            page.block_labels.append(block_label(block, gold_shingles, gold_blocks))
        at = view.parent[at]


def fit(pages: list[Page]) -> dict[str, Any]:
    import numpy as np
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    rx, ry, rw, bx, by, bw = [], [], [], [], [], []
    for page in pages:
        n = len(page.region_rows)
        rx.extend(page.region_rows)
        ry.extend(page.region_labels)
        # Every page weighs the same, however many containers it has.
        rw.extend([1.0 / n] * n)
        m = len(page.block_rows)
        bx.extend(page.block_rows)
        by.extend(page.block_labels)
        bw.extend([1.0 / m ** 0.5] * m)
    regressor = HistGradientBoostingRegressor(**REGION_PARAMS)
    regressor.fit(np.array(rx), np.array(ry), sample_weight=np.array(rw) * len(pages))
    classifier = HistGradientBoostingClassifier(**BLOCK_PARAMS)
    classifier.fit(np.array(bx), np.array(by), sample_weight=np.array(bw))
    region_spec = export(regressor, learned.region_feature_names(), logistic=False)
    block_spec = export(classifier, learned.block_feature_names(), logistic=True)
    # Rows whose sklearn predictions ship with the model, so a test can hold the evaluator to them.
    checks = {
        "region": {"rows": rx[:: max(1, len(rx) // 25)][:25]},
        "block": {"rows": bx[:: max(1, len(bx) // 25)][:25]},
    }
    checks["region"]["predictions"] = [float(v) for v in regressor.predict(np.array(checks["region"]["rows"]))]
    checks["block"]["predictions"] = [float(v) for v in classifier.predict_proba(np.array(checks["block"]["rows"]))[:, 1]]
    return {
        "region": region_spec, "block": block_spec, "checks": checks,
        "sklearn": sklearn.__version__, "numpy": np.__version__,
        "params": {"region": REGION_PARAMS, "block": BLOCK_PARAMS},
    }


def export(model: Any, names: list[str], logistic: bool) -> dict[str, Any]:
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
    return {"features": names, "link": "logistic" if logistic else "identity", "baseline": baseline, "trees": trees}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_list(pages: list[Page]) -> list[dict[str, str]]:
    return [
        {"capture": p.name, "capture_sha256": sha256(p.capture), "gold_sha256": sha256(p.gold_path)} for p in pages
    ]


def code_hash() -> str:
    """The feature code, page cleaning, block reader and vocabulary the model was trained with."""
    digest = hashlib.sha256()
    code = REPO / "src" / "newsdesk"
    # html_tree.py cleans the pages the features are read from: a change there changes the training data.
    for path in (code / "extract" / "learned.py", code / "extract" / "html_tree.py", code / "extract" / "blocks.py",
                 code / "data" / learned.VOCAB_FILE):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check_model(shipped: dict[str, Any], pages: list[Page]) -> list[str]:
    """Why the shipped model is not what `make train` would write now (notes alone do not fail)."""
    problems = []
    if shipped["features_sha256"] != code_hash():
        problems.append("the feature code or vocabulary changed since training: run `make train`")
    current = {row["capture"]: row for row in input_list(pages)}
    for row in shipped["inputs"]:
        if row["capture"] not in current:
            problems.append(f"{row['capture']}: trained on but no longer a training page: run `make train`")
        elif current[row["capture"]] != row:
            problems.append(f"{row['capture']}: capture or gold changed since training: run `make train`")
    listed = {row["capture"] for row in shipped["inputs"]}
    new = sorted(set(current) - listed)
    if new:
        problems.append(f"note: {len(new)} training pages added since the model was trained (make train uses them)")
    return problems


def build_model(pages: list[Page]) -> dict[str, Any]:
    trained = fit([p for p in pages if p.region_rows and p.block_rows])
    return {
        "about": "Region and block models of newsdesk.extract.learned; written by bench/train_region.py (make train).",
        "block_threshold": BLOCK_THRESHOLD,
        "min_confidence": MIN_CONFIDENCE,
        "rule_first": RULE_FIRST,
        **trained,
        "inputs": input_list(pages),
        "features_sha256": code_hash(),
    }


def write_model(data: dict[str, Any]) -> None:
    MODEL_PATH.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Leave-one-site-out.


def _peers() -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "bench"))
    from extractors import BY_NAME

    found = {}
    for name in ("trafilatura", "readability"):
        try:
            found[name] = BY_NAME[name].build()
        except ImportError as exc:
            print(f"({name} not installed: {exc})", file=sys.stderr)
    return found


PEER_CACHE = REPO / "bench" / "out" / "peer-bodies"


def peer_body(name: str, page: Page, peer_fns: dict[str, Any]) -> list[str]:
    """A peer's body for a page, cached by the capture's hash (peers do not change between runs)."""
    path = PEER_CACHE / name / f"{sha256(page.capture)}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    body = peer_fns[name](decode(page.capture.read_bytes()).text, page.name).body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return body


def _mean_f1(rows: list[tuple[float, float, float]]) -> float:
    p = sum(r[0] for r in rows) / len(rows)
    r = sum(r[1] for r in rows) / len(rows)
    return 2 * p * r / (p + r) if p + r else 0.0


def fold_of(site: str, folds: int) -> int:
    return int(hashlib.sha1(site.encode()).hexdigest(), 16) % folds


def loso(pages: list[Page], variants: dict[str, dict[str, float]], peers: bool, folds: int = 0) -> dict[str, Any]:
    """Body P/R/F1 per site of pages extracted by models that never saw the page's site.

    folds=0: one model per site (leave-one-site-out); else sites are grouped into that many folds
    by hash, each fold's sites scored by a model trained on the other folds (faster, stricter).
    """
    by_site: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        by_site[page.site].append(page)
    groups: dict[Any, list[str]] = defaultdict(list)
    for site in sorted(by_site):
        groups[fold_of(site, folds) if folds else site].append(site)
    peer_fns = _peers() if peers else {}
    scores: dict[str, dict[str, list[tuple[float, float, float]]]] = defaultdict(lambda: defaultdict(list))
    for group in sorted(groups, key=str):
        held = set(groups[group])
        train = [p for p in pages if p.site not in held]
        model = learned.model_from_json(build_model(train))
        for page in (p for site in groups[group] for p in by_site[site]):
            site = page.site
            data = page.capture.read_bytes()
            gold = page.gold["body"]
            for name, override in variants.items():
                with region.using_model(replace(model, **override)):
                    article = extract_capture(data, page.name)
                scores[name][site].append(body_prf(gold, article.body))
            with region.using_model(None):
                scores["rule"][site].append(body_prf(gold, extract_capture(data, page.name).body))
            for name in peer_fns:
                scores[name][site].append(body_prf(gold, peer_body(name, page, peer_fns)))
    return scores


def report(scores: dict[str, dict[str, list[tuple[float, float, float]]]]) -> str:
    names = list(scores)
    sites = sorted(next(iter(scores.values())))
    lines = ["| site | pages | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for site in sites:
        cells = [f"{_mean_f1(scores[n][site]):.3f}" for n in names]
        lines.append(f"| {site} | {len(scores[names[0]][site])} | " + " | ".join(cells) + " |")
    overall = [_mean_f1([row for rows in scores[n].values() for row in rows]) for n in names]
    total = sum(len(v) for v in scores[names[0]].values())
    lines.append(f"| **all** | {total} | " + " | ".join(f"**{v:.3f}**" for v in overall) + " |")
    return "\n".join(lines)


def speed(pages: list[Page], passes: int = 3) -> str:
    """docs/s of newsdesk (cascade, model, rule) and trafilatura bare_extraction(with_metadata=True) on the same pages.

    Every page is read into memory first; each pass times every page once; the best pass counts
    (the machine is shared, and the best pass is the least disturbed one). One process, one thread.
    """
    import time

    import trafilatura

    datas = [p.capture.read_bytes() for p in pages]
    texts = [decode(d).text for d in datas]

    def newsdesk_all() -> None:
        for page, data in zip(pages, datas, strict=True):
            extract_capture(data, page.name)

    def newsdesk_model() -> None:
        with region.using_model(learned.load_model()):
            newsdesk_all()

    def newsdesk_rule() -> None:
        with region.using_model(None):
            newsdesk_all()

    def newsdesk_cascade() -> None:
        with region.using_cascade(learned.load_model()):
            newsdesk_all()

    def trafilatura_bare() -> None:
        for text in texts:
            trafilatura.bare_extraction(text, with_metadata=True)

    runs = {
        "newsdesk (cascade)": newsdesk_cascade, "newsdesk (model)": newsdesk_model, "newsdesk (rule)": newsdesk_rule,
        "trafilatura": trafilatura_bare,
    }
    best: dict[str, float] = {}
    for _ in range(passes):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    lines = ["| extractor | docs/s | × trafilatura |", "|---|---:|---:|"]
    for name, seconds in best.items():
        lines.append(f"| {name} | {len(pages) / seconds:.1f} | {best['trafilatura'] / seconds:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loso", action="store_true", help="leave-one-site-out body F1 instead of training")
    parser.add_argument("--no-peers", action="store_true", help="with --loso: skip trafilatura and readability")
    parser.add_argument("--folds", type=int, default=0, help="with --loso: group sites into N folds (default: one per site)")
    parser.add_argument("--speed", action="store_true", help="docs/s against trafilatura on the training pages")
    parser.add_argument("--check", action="store_true", help="the shipped model lists the current training pages")
    parser.add_argument(
        "--extra", type=Path, action="append", default=[],
        help="with --loso: another folder with captures/ and gold/ (a corpus not yet in this checkout)",
    )
    args = parser.parse_args(argv)
    if args.extra and not (args.loso or args.speed):
        parser.error("--extra is for --loso only: the shipped model is trained on this checkout's pages")
    pages = training_pages(tuple(args.extra))
    if args.check:
        problems = check_model(json.loads(MODEL_PATH.read_text(encoding="utf-8")), pages)
        print("\n".join(problems) or "model is up to date")
        return 1 if any(not p.startswith("note:") for p in problems) else 0
    if args.speed:
        print(speed(pages))
        return 0
    for page in pages:
        label_page(page)
    print(f"{len(pages)} pages from {len({p.site for p in pages})} sites", file=sys.stderr)
    if args.loso:
        variants = {
            "model": {},
            "rule-first": {"rule_first": True},
            "model-only": {"min_confidence": -1.0},
            "no-prune": {"block_threshold": -1.0},
        }
        print(report(loso(pages, variants, peers=not args.no_peers, folds=args.folds)))
        return 0
    write_model(build_model(pages))
    print(f"wrote {MODEL_PATH.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
