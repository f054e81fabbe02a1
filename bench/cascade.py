#!/usr/bin/env python3
"""Fit and measure the region cascade (`newsdesk.extract.region`) leave-one-site-out.

    python bench/cascade.py                 # table of the training pages (cached), LOSO fit, report
    python bench/cascade.py --folds 10      # models for the table trained per fold of sites (faster)
    python bench/cascade.py --heldout       # also the corpus's held-out HTML pages, scored once

Pages: the HTML captures `bench/train_region.py` trains on (tests/data/dev and the corpus's
"split": "train" gold). For every page, the region model is one trained without the page's site
(or its fold of sites), and the page is extracted once per candidate the cascade can take (rule,
model, trafilatura, its fast mode, the readability port), forced, through the whole pipeline: the
body F1 of each is what that choice would score. The cascade's measures of the page (rule score,
model score, the candidates' blocks) are kept beside them. Everything goes to
bench/out/cascade-table.json, so fitting the thresholds needs no extraction.

Fitting is leave-one-site-out too: for each site, the thresholds that score best on the other
sites decide that site's pages; the reported cascade F1 is over those decisions, next to the
thresholds fitted on all training sites (what `CascadeParams` ships). Held-out pages (`--heldout`)
are decided by the shipped thresholds with the shipped model, never used to choose anything.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from tests.scoring import body_prf  # noqa: E402

import train_region  # noqa: E402
from newsdesk.extract import extract_capture, learned, region  # noqa: E402

CHOICES = ("rule", "model", "trafilatura", "trafilatura-fast", "readability")
TABLE = REPO / "bench" / "out" / "cascade-table.json"
CORPUS = REPO / "bench" / "data" / "corpus"


def page_row(page: train_region.Page, model: learned.RegionModel) -> dict[str, Any]:
    data = page.capture.read_bytes()
    gold = page.gold["body"]
    row: dict[str, Any] = {"name": page.name, "site": page.site, "group": page.gold.get("group", "dev"), "prf": {}}
    for choice in CHOICES:
        with region.observing() as seen, region.using_cascade(model, force=choice):
            article = extract_capture(data, page.name)
        row["prf"][choice] = body_prf(gold, article.body)
        if seen and "obs" not in row:
            obs = seen[0]
            row["obs"] = {
                "rule_score": obs.rule_score, "rule": obs.rule, "model_score": obs.model_score, "model": obs.model,
                "generic": obs.generic, "seconds": obs.seconds,
            }
    return row


def build_table(pages: list[train_region.Page], folds: int, fixed_model: learned.RegionModel | None = None) -> list[dict]:
    rows = []
    if fixed_model is not None:
        return [page_row(p, fixed_model) for p in pages]
    for page in pages:
        train_region.label_page(page)
    by_group: dict[Any, list[train_region.Page]] = defaultdict(list)
    for page in pages:
        by_group[train_region.fold_of(page.site, folds) if folds else page.site].append(page)
    for n, key in enumerate(sorted(by_group, key=str)):
        held = {p.site for p in by_group[key]}
        train = [p for p in pages if p.site not in held]
        model = learned.model_from_json(train_region.build_model(train))
        for page in by_group[key]:
            rows.append(page_row(page, model))
        print(f"  {n + 1}/{len(by_group)} groups", file=sys.stderr, end="\r")
    return rows


def heldout_pages() -> list[train_region.Page]:
    pages = []
    for gold_path in sorted((CORPUS / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("split") != "heldout" or gold.get("format") not in train_region.HTML_FORMATS:
            continue
        capture = CORPUS / "captures" / gold["file"]
        pages.append(train_region.Page(str(capture.relative_to(REPO)), gold["site"], gold, capture, gold_path))
    return pages


# ---------------------------------------------------------------------------------------------
# Deciding from the table.


_MEASURES: dict[tuple[int, str], region.Measures] = {}


def decide(row: dict[str, Any], params: region.CascadeParams) -> tuple[str, set[str]]:
    """The cascade's choice on a tabled page, by the function the extractor runs; and the candidates
    it had to read to make it. A page the cascade never saw (an English or Japanese page: the
    generic path or the rule alone) scores the same under every forced choice."""
    if "obs" not in row:
        return "rule", set()
    obs = row["obs"]
    key = (id(row), params.generic)
    m = _MEASURES.get(key)
    if m is None:
        m = _MEASURES[key] = region.Measures(obs["rule_score"], {
            "rule": lambda: obs["rule"], "model": lambda: obs["model"], "generic": lambda: obs["generic"][params.generic],
            "fallback": lambda: obs["generic"]["trafilatura"],
        }, lambda: obs["model_score"])
    m.used = set()
    choice, _ = region.cascade_choice(m, params)
    return {"generic": params.generic, "fallback": "trafilatura"}.get(choice, choice), m.used


def _mean(prfs: list[Any]) -> tuple[float, float, float]:
    if not prfs:
        return 0.0, 0.0, 0.0
    p = sum(x[0] for x in prfs) / len(prfs)
    r = sum(x[1] for x in prfs) / len(prfs)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


GRID = {
    "sure": (0.8, 0.9, 0.95, 1.01),
    "generic": ("trafilatura", "readability"),
    "prefer_model": (-0.2, -0.1, 0.0),
    "extend": (2.0, 3.0, 99.0),
    "alone": (0.0, 0.3),
    "rule_sure": (30.0, 40.0, 60.0, 80.0),
    "rule_loose": (0.2, 0.3, 0.5),
    "rule_tail": (1.01, 0.5, 0.3),  # off first: a tie (no other site needs the gate) leaves it off
    "model_trust": (0.5, 0.7, 0.9, 2.0),
    "generic_loose": (0.5, 1.01),
}


def grid(fixed: dict[str, Any] | None = None) -> list[region.CascadeParams]:
    """Every combination of the GRID's thresholds; `fixed` pins some to one value (ablations)."""
    axes = {**GRID, **{k: (v,) for k, v in (fixed or {}).items()}}
    keys = list(axes)
    return [region.CascadeParams(**dict(zip(keys, values, strict=True))) for values in itertools.product(*axes.values())]


def _pin(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    if key not in GRID:
        raise argparse.ArgumentTypeError(f"{key!r} is not a threshold of the grid ({', '.join(GRID)})")
    return key, value if isinstance(GRID[key][0], str) else float(value)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def cost(row: dict[str, Any], used: set[str], params: region.CascadeParams) -> float:
    """Seconds the cascade spent beyond the rule on this page: the model and the generic reading, if read."""
    if "obs" not in row:
        return 0.0
    seconds = row["obs"]["seconds"]
    return (
        (seconds["model"] if "model" in used else 0.0) + (seconds[params.generic] if "generic" in used else 0.0)
        + (seconds["trafilatura"] if "fallback" in used else 0.0)
    )


def loso_fit(
    rows: list[dict], candidates: list[region.CascadeParams], budget: float
) -> tuple[list[dict], Counter, region.CascadeParams]:
    """Per left-out site, the thresholds best on the other sites among those within the time budget
    (mean seconds per page beyond the rule); and the thresholds best on all sites."""
    sites = sorted({r["site"] for r in rows})
    count = Counter(r["site"] for r in rows)
    # Precision, recall and cost sums per candidate and site: a left-out site's fit is then a subtraction.
    sums = []
    for params in candidates:
        per_site: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for row in rows:
            choice, used = decide(row, params)
            prf = row["prf"][choice]
            acc = per_site[row["site"]]
            acc[0] += prf[0]
            acc[1] += prf[1]
            acc[2] += cost(row, used, params)
        total = [sum(v[i] for v in per_site.values()) for i in range(3)]
        sums.append((params, per_site, total))
    n = len(rows)

    def best_without(site: str | None) -> region.CascadeParams:
        rest = n - (count[site] if site else 0)

        def part(s: tuple, i: int) -> float:
            return (s[2][i] - (s[1][site][i] if site in s[1] else 0.0)) / rest

        affordable = [s for s in sums if part(s, 2) <= budget] or sums
        # Equal F1 (to float noise) goes to the thresholds that read least: a threshold no page of the
        # other sites needs is not chosen for the left-out site by the order of the grid.
        return max(affordable, key=lambda s: (round(_f1(part(s, 0), part(s, 1)), 9), -round(part(s, 2), 9)))[0]

    best_all = best_without(None)
    decided, chosen = [], Counter()
    for site in sites:
        params = best_without(site)
        chosen[params] += 1
        for row in (r for r in rows if r["site"] == site):
            choice, used = decide(row, params)
            decided.append({**row, "choice": choice, "used": used, "cost": cost(row, used, params), "pick": row["prf"][choice]})
    return decided, chosen, best_all


def report(title: str, rows: list[dict], decided: list[dict]) -> str:
    groups = sorted({r["group"] for r in rows})
    lines = [f"#### {title}", "", "| group | pages | " + " | ".join(CHOICES) + " | cascade | oracle | model runs | generic runs | +ms/page |",
             "|---|---:|" + "---:|" * (len(CHOICES) + 5)]
    for group in [*groups, None]:
        sel = [d for d in decided if group is None or d["group"] == group]
        cells = [f"{_mean([d['prf'][c] for d in sel])[2]:.3f}" for c in CHOICES]
        oracle = _mean([max((d["prf"][c] for c in CHOICES), key=lambda x: x[2]) for d in sel])[2]
        runs = sum("generic" in d["used"] for d in sel)
        modelled = sum("model" in d["used"] for d in sel)
        extra = 1000 * sum(d.get("cost", 0.0) for d in sel) / max(len(sel), 1)
        name = group if group is not None else "**all**"
        lines.append(f"| {name} | {len(sel)} | " + " | ".join(cells) + f" | {_mean([d['pick'] for d in sel])[2]:.3f}"
                     f" | {oracle:.3f} | {modelled} ({modelled / max(len(sel), 1):.0%}) | {runs} ({runs / max(len(sel), 1):.0%})"
                     f" | {extra:.1f} |")
    return "\n".join(lines)


def census() -> str:
    """Every capture of the corpus and the dev set through the default extractor, counting the cascade's reads."""
    region.READS.clear()
    captures = [p for d in (CORPUS / "captures", REPO / "tests" / "data" / "dev" / "captures") for p in sorted(d.iterdir())]
    for path in captures:
        extract_capture(path.read_bytes(), path.name)
    reads = region.READS
    pages = reads["pages"] or 1
    lines = [f"{len(captures)} captures; {reads['pages']} site pages decided by the cascade:"]
    for name in ("model", "generic", "fallback", "chose rule", "chose model", "chose generic", "chose fallback"):
        lines.append(f"- {name}: {reads[name]} ({reads[name] / pages:.0%})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=0, help="group sites into N folds for the table's models (default: one per site)")
    parser.add_argument("--rebuild", action="store_true", help="re-extract the table even when it is cached")
    parser.add_argument("--budget", type=float, default=4.0, help="ms per page the cascade may add to the rule (mean)")
    parser.add_argument("--census", action="store_true", help="how often the default cascade reads the model and the generic extractor, over every capture of the corpus and dev set")
    parser.add_argument("--heldout", action="store_true", help="also score the held-out HTML pages, with the shipped model")
    parser.add_argument("--fix", type=_pin, action="append", default=[], metavar="NAME=VALUE",
                        help="pin one threshold of the grid (e.g. rule_tail=1.01: the cascade without that gate)")
    args = parser.parse_args(argv)
    if args.census:
        print(census())
        return 0
    if args.rebuild or not TABLE.is_file():
        rows = build_table(train_region.training_pages(), args.folds)
        TABLE.parent.mkdir(parents=True, exist_ok=True)
        TABLE.write_text(json.dumps({"folds": args.folds, "rows": rows}, ensure_ascii=False), encoding="utf-8")
    rows = json.loads(TABLE.read_text(encoding="utf-8"))["rows"]
    candidates = grid(dict(args.fix))
    decided, chosen, best = loso_fit(rows, candidates, args.budget / 1000)
    print(report(f"training pages, leave-one-site-out ({len(rows)} pages, {len({r['site'] for r in rows})} sites)", rows, decided))
    print()
    print(f"fitted on all training sites: {best}")
    gated = [r["prf"]["rule"][2] for r in rows if decide(r, best)[1] == {"rule"}]
    if gated:
        print(f"rule regions taken alone: {len(gated)} pages, mean body F1 {sum(gated) / len(gated):.3f} (rule_sure_confidence)")
    print("thresholds chosen per left-out site: " + "; ".join(f"{n}× {p}" for p, n in chosen.most_common(3)))
    if best != region.CascadeParams():
        shipped = region.CascadeParams()
        picks = [decide(r, shipped) for r in rows]
        f1 = _mean([r["prf"][choice] for r, (choice, _) in zip(rows, picks, strict=True)])[2]
        extra = 1000 * sum(cost(r, used, shipped) for r, (_, used) in zip(rows, picks, strict=True)) / len(rows)
        print(f"NOTE: the shipped CascadeParams() differ: {shipped}")
        print(f"shipped thresholds on these pages (fitted, not left out): body F1 {f1:.3f}, +{extra:.1f} ms/page")
    if args.heldout:
        model = learned.load_model()
        held = build_table(heldout_pages(), 0, fixed_model=model)
        shipped = region.CascadeParams()
        done = []
        for row in held:
            choice, used = decide(row, shipped)
            done.append({**row, "choice": choice, "used": used, "cost": cost(row, used, shipped), "pick": row["prf"][choice]})
        print()
        print(report(f"held-out HTML pages, shipped model and thresholds ({len(held)} pages)", held, done))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
