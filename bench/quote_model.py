"""Train the quote acceptance model (analysis/quote_model.py) and measure it leave-one-part-out.

    python bench/quote_model.py            # leave-one-part-out table, then train on all parts and write the JSON
    python bench/quote_model.py --check    # the same, but fail if the shipped JSON differs from what training gives

Every candidate `find_candidates` proposes in the labelled articles of bench/data/quotes (TUNING_PARTS of
bench/quotes.py: dev, heldout, fresh, fresh2, corpus2; the matching rule of bench/quotes.py) is an example: 1 when it
matches a labelled quote (speaker and span), else 0. The model is a logistic regression over binary features, trained
by full-batch gradient descent in plain Python with fixed settings and examples in a fixed order, weights rounded to 6 decimals: the same labels give the
same JSON bit for bit. Leave-one-part-out: for each part, a model trained on the other parts scores it; that
figure, not the score of the shipped model on its own training parts, estimates how it does on sites never seen.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from newsdesk.analysis.entities import bundled_gazetteer, extract_mentions
from newsdesk.analysis.quote_model import (
    SPEAKER_WEIGHTS,
    candidate_features,
    probability,
    speaker_features,
)
from newsdesk.analysis.quotes import find_candidates, find_quotes_by_rules

# Tuning parts only: the held-out part is never trained or measured on here.
from quotes import ROOT, TUNING_PARTS, load_labels, overlaps, same_speaker

MODEL = ROOT / "src" / "newsdesk" / "data" / "quote_model.json"
EPOCHS = 1500
RATE = 1.0
L2 = 0.002
THRESHOLD = 0.5
SPEAKER_THRESHOLD = 0.2


def speaker_examples(part: str) -> list[dict]:
    """Per quote whose speaker is a 他/她 and whose span matches a label: the options the pronoun had (features, and
    whether each is the labelled speaker) and whether the rules chose right. Read with the rules' resolution."""
    labels, articles = load_labels(part)
    out = []
    token = SPEAKER_WEIGHTS.set({})
    try:
        for file, gold in articles.items():
            gazetteer = bundled_gazetteer()
            extract_mentions(gazetteer, gold.get("title"), gold["body"])
            decisions: list = []
            find_quotes_by_rules(gazetteer, gold["body"], decisions)
            for quote, options in decisions:
                label = next((lab for lab in labels if lab.file == file and lab.block == quote.block
                              and overlaps(quote, lab)), None)
                if label is None:
                    continue
                targets = [1 if same_speaker(gazetteer, replace(quote, speaker=o["surface"], entity_id=o["entity_id"]),
                                             label) else 0 for o in options]
                out.append({"names": [speaker_features(o) for o in options], "targets": targets,
                            "distance": [o["distance"] for o in options],
                            "rules_right": same_speaker(gazetteer, quote, label)})
    finally:
        SPEAKER_WEIGHTS.reset(token)
    return out


def choose(weights: dict[str, float], decision: dict) -> int | None:
    """The option the speaker model picks (as `choose_speaker`: the nearest on a tie; None under the threshold)."""
    scored = [(probability(weights, names), -distance, number)
              for number, (names, distance) in enumerate(zip(decision["names"], decision["distance"], strict=True))]
    best = max(scored)
    return best[2] if best[0] >= SPEAKER_THRESHOLD else None


def speaker_accuracy(decisions: list[dict], weights: dict[str, float]) -> tuple[int, int, int]:
    """(decisions, right by the rules, right with the model; the rules decide where the model does not)."""
    rules = model = 0
    for decision in decisions:
        rules += decision["rules_right"]
        picked = choose(weights, decision)
        model += decision["targets"][picked] if picked is not None else decision["rules_right"]
    return len(decisions), rules, model


def examples(part: str, speaker_weights: dict[str, float] | None = None) -> list[dict]:
    """Per article: its labels, the rules' quotes, and the candidates with their features and whether each matches
    (the speakers of 他/她 chosen by `speaker_weights`, by the rules when None)."""
    token = SPEAKER_WEIGHTS.set(speaker_weights if speaker_weights is not None else {})
    try:
        return _examples(part)
    finally:
        SPEAKER_WEIGHTS.reset(token)


def _examples(part: str) -> list[dict]:
    labels, articles = load_labels(part)
    out = []
    for file, gold in articles.items():
        gazetteer = bundled_gazetteer()
        extract_mentions(gazetteer, gold.get("title"), gold["body"])
        candidates = find_candidates(gazetteer, gold["body"])
        names = candidate_features(gazetteer, gold["body"], candidates)
        mine = [lab for lab in labels if lab.file == file]
        free = list(mine)
        targets = []
        for quote, _ in candidates:
            hit = next((lab for lab in free if lab.block == quote.block and overlaps(quote, lab)
                        and same_speaker(gazetteer, quote, lab)), None)
            if hit:
                free.remove(hit)
            targets.append(1 if hit else 0)
        rules = find_quotes_by_rules(gazetteer, gold["body"]) if SPEAKER_WEIGHTS.get() == {} else []
        rules_hits, free = 0, list(mine)
        for quote in rules:
            hit = next((lab for lab in free if lab.block == quote.block and overlaps(quote, lab)
                        and same_speaker(gazetteer, quote, lab)), None)
            if hit:
                free.remove(hit)
                rules_hits += 1
        out.append({"labels": len(mine), "names": names, "targets": targets, "rules_found": len(rules),
                    "rules_hits": rules_hits})
    return out


def train(data: list[dict]) -> dict[str, float]:
    """A logistic regression over rows (feature names, 0/1) of the examples given."""
    rows = [(names, target) for article in data for names, target in zip(article["names"], article["targets"],
                                                                           strict=True)]
    vocabulary = sorted({name for names, _ in rows for name in names})
    weights = dict.fromkeys(vocabulary, 0.0)
    for _ in range(EPOCHS):
        gradient = dict.fromkeys(vocabulary, 0.0)
        for names, target in rows:
            error = probability(weights, names) - target
            for name in names:
                gradient[name] += error
        for name in vocabulary:
            penalty = 0.0 if name == "bias" else L2 * weights[name]
            weights[name] -= RATE * (gradient[name] / len(rows) + penalty)
    return {name: round(weight, 6) for name, weight in weights.items()}


def evaluate(data: list[dict], weights: dict[str, float] | None) -> tuple[int, int, int]:
    """(found, matched, labelled) for a model (None: the rules alone). A candidate that matches is a labelled quote
    found, since `examples` paired each label with at most one candidate."""
    found = matched = labelled = 0
    for article in data:
        labelled += article["labels"]
        if weights is None:
            found += article["rules_found"]
            matched += article["rules_hits"]
            continue
        for names, target in zip(article["names"], article["targets"], strict=True):
            if probability(weights, names) >= THRESHOLD:
                found += 1
                matched += target
    return found, matched, labelled


def figures(found: int, matched: int, labelled: int) -> str:
    precision = matched / found if found else 0.0
    recall = matched / labelled if labelled else 0.0
    return f"{found:5} {precision:6.3f} {recall:6.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped model is not what training gives")
    args = parser.parse_args()
    speakers = {part: speaker_examples(part) for part in TUNING_PARTS}
    print("Whom 他/她 stands for (quotes whose span matches a label), leave-one-part-out:")
    print(f"{'part':8} {'decisions':>9} {'rules right':>11} {'model right':>11}")
    pooled = [0, 0, 0]
    fold_speakers = {}
    for part in TUNING_PARTS:
        weights = train([d for other in TUNING_PARTS if other != part for d in speakers[other]])
        fold_speakers[part] = weights
        row = speaker_accuracy(speakers[part], weights)
        pooled = [a + b for a, b in zip(pooled, row, strict=True)]
        print(f"{part:8} {row[0]:9} {row[1]:11} {row[2]:11}")
    print(f"{'pooled':8} {pooled[0]:9} {pooled[1]:11} {pooled[2]:11}")
    print()
    print("Quotes (speaker and span), leave-one-part-out (found, P, R): the rules alone; the acceptance model trained on")
    print("the other parts (rules' speakers); both models trained on the other parts; every candidate accepted.")
    print(f"{'part':8} {'labelled':>8}  {'rules':>19}  | {'acceptance model':>19}  | {'both models':>19}  | "
          f"{'all candidates':>19}")
    keys = ("rules", "accept", "both", "all")
    totals = {key: [0, 0, 0] for key in keys}
    plain = {part: examples(part) for part in TUNING_PARTS}
    for part in TUNING_PARTS:
        others = [other for other in TUNING_PARTS if other != part]
        accept = train([article for other in others for article in plain[other]])
        both = train([article for other in others for article in examples(other, fold_speakers[part])])
        rows = {"rules": evaluate(plain[part], None), "accept": evaluate(plain[part], accept),
                "both": evaluate(examples(part, fold_speakers[part]), both), "all": evaluate(plain[part], {"bias": 50.0})}
        for key, row in rows.items():
            totals[key] = [a + b for a, b in zip(totals[key], row, strict=True)]
        print(f"{part:8} {rows['rules'][2]:8}  " + "  | ".join(figures(*rows[key]) for key in keys))
    print(f"{'pooled':8} {totals['rules'][2]:8}  " + "  | ".join(figures(*totals[key]) for key in keys))
    speaker_weights = train([d for part in TUNING_PARTS for d in speakers[part]])
    # The speaker model replaces the rules' choice only if it chose better than they did on the parts it never saw.
    use_speaker_model = pooled[2] > pooled[1]
    weights = train([article for part in TUNING_PARTS for article in examples(part, speaker_weights if use_speaker_model
                                                                        else None)])
    shipped = {"threshold": THRESHOLD, "speaker_threshold": SPEAKER_THRESHOLD, "use_speaker_model": use_speaker_model,
               "trained_on": list(TUNING_PARTS),
               "epochs": EPOCHS, "rate": RATE, "l2": L2, "weights": weights, "speaker_weights": speaker_weights}
    text = json.dumps(shipped, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if args.check:
        if MODEL.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{MODEL} is not what training gives: run python bench/quote_model.py")
        print("shipped model is what training gives")
        return
    MODEL.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL} ({len(weights)} + {len(speaker_weights)} weights; speaker model in use: {use_speaker_model})")


if __name__ == "__main__":
    main()
