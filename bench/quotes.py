"""Who said what: precision and recall of `analysis/quotes.py` against hand-labelled quotes.

    python bench/quotes.py [--part dev|heldout|fresh|fresh2|fresh3|fresh4|corpus2|all] [--show] [--rules]

`--rules` scores the cue rules alone (`find_quotes_by_rules`), without the acceptance model of round 5
(analysis/quote_model.py; bench/quote_model.py trains it and measures it leave-one-part-out).

The labels (bench/data/quotes/, see its README) are quotes in the gold bodies of real captures: the dev
part (tests/data/dev: the developing story of examples/ and its kin) is what the rules were tuned on;
the held-out part (the corpus's held-out split, other sites and both scripts) was labelled before
the extractor was run on it and not used for tuning until round 3 promoted it to a tuning part (its misses may
be listed with --show since); the fresh held-out part (other sites again, any split of
the corpus, no article of the other parts) was labelled when the held-out part's scores had been read too often
to be a clean measure; it was scored 3 times and promoted to a tuning part in round 4. Quotes are read from the gold body (so
extraction errors do not count here), after the article has taught the gazetteer its names
(`extract_mentions`, as `ingest` does). fresh2, a second fresh held-out part (sites no other part uses, labelled
the same way), was added when the fresh part was to become a tuning part; it was scored twice and promoted to
a tuning part in round 5. fresh3, a third (sites no other part uses, articles of the corpus or of
bench/data/corpus-fresh), was added when fresh2 was to become a tuning part and promoted to a tuning part in
round 6: 33 of its articles are corpus-fresh batch 1-2 captures, which extraction tunes on, so its articles had been
read while tuning (one quote rule came from them). fresh4, a fourth (corpus-fresh batch 5 only, 49 sites no other part
uses), is a measure taken once at the end of a
session: `--part all` leaves it out, so it is scored only when named. corpus2 is a tuning part from the start: more
articles of the corpus's train split from sites no other part uses, labelled to give the acceptance model more sites.

Matching rule: a found quote and a labelled one match when they are in the same article and block,
their spans share at least 0.8 of the longer span's characters, and their speakers are the same: the
same gazetteer entity when the labelled speaker is one, otherwise the folded names (script, width,
case, dots; without the words that only point at an unnamed speaker: 一位, 这名, 该, 的, 不具名) equal or
one containing the other (`白宫高级官员` and `一位不具名的白宫高级官员`; `财政部高级官员` and
`财政部的一位高级官员`). Each
label matches at most one found quote. Precision = matched / found, recall = matched / labelled, over
the labelled articles; `span only` drops the speaker condition.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newsdesk.analysis.entities import Gazetteer, bundled_gazetteer, extract_mentions, fold_name  # noqa: E402
from newsdesk.analysis.quotes import Quote, find_quotes, find_quotes_by_rules  # noqa: E402

LABELS = ROOT / "bench" / "data" / "quotes"
DEV_GOLD = ROOT / "tests" / "data" / "dev" / "gold"
CORPUS_GOLD = ROOT / "bench" / "data" / "corpus" / "gold"
# The extraction held-out set: its gold bodies are read for quote labels only (never changed, never scored here).
CORPUS_FRESH_GOLD = ROOT / "bench" / "data" / "corpus-fresh" / "gold"
STORIES_DEV = ROOT / "tests" / "data" / "stories-dev" / "captures"
# The span separator of a label: `PREFIX⋯SUFFIX` is the text from PREFIX to the end of SUFFIX.
ELLIPSIS = "⋯"
MIN_OVERLAP = 0.8


@dataclass(frozen=True)
class Label:
    file: str
    block: int
    speaker: str
    start: int
    end: int


def resolve_span(block: str, quote: str) -> tuple[int, int]:
    if ELLIPSIS in quote:
        prefix, suffix = quote.split(ELLIPSIS)
        start = block.index(prefix)
        return start, block.index(suffix, start + len(prefix)) + len(suffix)
    start = block.index(quote)
    return start, start + len(quote)


def _gold(part: str, file: str) -> dict:
    """The record a label names: dev labels come from tests/data/dev, the corpus's train split, or a
    stories-dev capture (`stories-dev/NAME`, read by newsdesk's own extraction); held-out labels from the
    corpus's held-out split only (so no file is in both parts)."""
    if part == "dev" and file.startswith("stories-dev/"):
        from newsdesk.extract import extract_capture

        path = STORIES_DEV / file.split("/", 1)[1]
        return extract_capture(path.read_bytes(), path.name).to_record()
    if part == "dev" and (DEV_GOLD / f"{file}.gold.json").exists():
        return json.loads((DEV_GOLD / f"{file}.gold.json").read_text(encoding="utf-8"))
    # fresh3 and fresh4 may also name articles of bench/data/corpus-fresh (split "fresh"): the corpus had too few
    # unused sites.
    if part in CORPUS_FRESH_PARTS and not (CORPUS_GOLD / f"{file}.gold.json").exists():
        gold = json.loads((CORPUS_FRESH_GOLD / f"{file}.gold.json").read_text(encoding="utf-8"))
        if gold.get("split") != "fresh":
            raise SystemExit(f"{part}.tsv names {file}, which is in corpus-fresh's {gold.get('split')} split, not fresh")
        return gold
    if not (CORPUS_GOLD / f"{file}.gold.json").exists():
        raise SystemExit(f"{part}.tsv names {file}, which is not an article of bench/data/corpus/gold")
    gold = json.loads((CORPUS_GOLD / f"{file}.gold.json").read_text(encoding="utf-8"))
    # The fresh parts take either split: what keeps them held out is that no other part uses their sites.
    if part in ("fresh", "fresh2", "fresh3", "fresh4"):
        return gold
    # corpus2 is a tuning part: its articles come from the corpus's train split only, as dev's do (the held-out split
    # is the extraction measure, never read for tuning).
    wanted = "train" if part in ("dev", "corpus2") else "heldout"
    if gold.get("split") != wanted:
        raise SystemExit(f"{part}.tsv names {file}, which is in the corpus's {gold.get('split')} split, not {wanted}")
    return gold


PARTS = ("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4", "corpus2")
# Parts that may name articles of bench/data/corpus-fresh as well as of the corpus.
CORPUS_FRESH_PARTS = ("fresh3", "fresh4")
# Held out of `--part all`: a part measured once, at the end of a session, so no routine run prints its scores.
NAMED_ONLY_PARTS = ("fresh4",)
# Parts whose misses may be read: dev, the old held-out part (promoted to tuning in "Quotes, round 3", after its
# scores had been read many times), the fresh part (promoted in round 4 after being scored 3 times) and fresh2
# (promoted in round 5 after being scored twice), and corpus2 (labelled as training data from the start: more sites
# for the acceptance model to learn from), and fresh3 (promoted in round 6: most of its articles are extraction tuning
# captures, read while tuning). The lead's held-out parts are not among the parts here.
TUNING_PARTS = ("dev", "heldout", "fresh", "fresh2", "fresh3", "corpus2")


def _files(part: str) -> set[str]:
    lines = (LABELS / f"{part}.tsv").read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")}


def load_labels(part: str) -> tuple[list[Label], dict[str, dict]]:
    # No article is in two parts: a label of one part on another's article would leak what was tuned on.
    for other in PARTS:
        if other != part and (shared := _files(part) & _files(other)):
            raise SystemExit(f"{part}.tsv and {other}.tsv both label {sorted(shared)[0]}")
    labels, articles = [], {}
    for number, line in enumerate((LABELS / f"{part}.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        file, block, speaker, quote = line.split("\t")
        if file not in articles:
            articles[file] = _gold(part, file)
        body = articles[file]["body"]
        # `-`: the block is wherever the quote is (extracted bodies may be cut into blocks differently).
        blocks = range(len(body)) if block == "-" else [int(block)]
        for index in blocks:
            try:
                start, end = resolve_span(body[index], quote)
            except ValueError:
                continue
            labels.append(Label(file, index, speaker, start, end))
            break
        else:
            raise SystemExit(f"{part}.tsv line {number}: {quote!r} is not in block {block} of {file}")
    return labels, articles


def same_speaker(gazetteer: Gazetteer, found: Quote, label: Label) -> bool:
    entity = gazetteer.lookup(label.speaker)
    if entity is not None and found.entity_id is not None:
        return entity.id == found.entity_id
    mine, theirs = description(found.speaker), description(label.speaker)
    names = {mine}
    if found.entity_id and found.entity_id in gazetteer.entities:
        names |= {description(n) for n in gazetteer.entities[found.entity_id].names()}
    return any(len(n) >= 2 and (n in theirs or theirs in n) for n in names)


# Words that only point at an unnamed speaker (`财政部的一位高级官员` is `财政部高级官员`).
DETERMINERS = re.compile("不具名的|不具名|一位|一名|这位|这名|那位|该|的")


def description(name: str) -> str:
    """A speaker's name or description, folded, without the words that only point at it."""
    return DETERMINERS.sub("", fold_name(name))


def overlaps(found: Quote, label: Label) -> bool:
    shared = min(found.end, label.end) - max(found.start, label.start)
    return shared >= MIN_OVERLAP * max(found.end - found.start, label.end - label.start)


def score(part: str, show: bool, finder: Callable[[Gazetteer, list[str]], list[Quote]] = find_quotes) -> dict[str, float]:
    labels, articles = load_labels(part)
    found_total = matched = span_matched = 0
    for file, gold in articles.items():
        gazetteer = bundled_gazetteer()
        extract_mentions(gazetteer, gold.get("title"), gold["body"])
        found = finder(gazetteer, gold["body"])
        found_total += len(found)
        mine = [lab for lab in labels if lab.file == file]
        free, span_free = list(mine), list(mine)
        for quote in found:
            hit = next((lab for lab in free if lab.block == quote.block and overlaps(quote, lab)
                        and same_speaker(gazetteer, quote, lab)), None)
            span_hit = next((lab for lab in span_free if lab.block == quote.block and overlaps(quote, lab)), None)
            if span_hit:
                span_free.remove(span_hit)
                span_matched += 1
            if hit:
                free.remove(hit)
                matched += 1
            elif show:
                print(f"  FP {file} [{quote.block}] {quote.speaker} ({quote.entity_id}): {quote.text[:60]}")
        if show:
            for lab in free:
                text = gold["body"][lab.block][lab.start : lab.end]
                print(f"  FN {file} [{lab.block}] {lab.speaker}: {text[:60]}")
    return {
        "articles": len(articles), "labelled": len(labels), "found": found_total,
        "precision": matched / found_total if found_total else 0.0, "recall": matched / len(labels) if labels else 0.0,
        "span_precision": span_matched / found_total if found_total else 0.0,
        "span_recall": span_matched / len(labels) if labels else 0.0,
    }


def selected_parts(name: str) -> tuple[str, ...]:
    """The parts `--part NAME` scores: `all` is every part but those measured only when named."""
    return tuple(part for part in PARTS if part not in NAMED_ONLY_PARTS) if name == "all" else (name,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--show", action="store_true", help="list misses and false finds (tuning parts only: dev, the old held-out part,"
                             " promoted to tuning in round 3, the fresh part, promoted in round 4, fresh2,"
                             " promoted in round 5, and corpus2)")
    parser.add_argument("--rules", action="store_true", help="the cue rules alone, without the acceptance model (round 5)")
    args = parser.parse_args()
    parts = selected_parts(args.part)
    finder = find_quotes_by_rules if args.rules else find_quotes
    print(f"{'part':8} {'articles':>8} {'labelled':>8} {'found':>6} {'P':>6} {'R':>6}   span only P / R")
    for part in parts:
        result = score(part, args.show and part in TUNING_PARTS, finder)
        print(f"{part:8} {result['articles']:8} {result['labelled']:8} {result['found']:6} {result['precision']:6.3f} "
              f"{result['recall']:6.3f}   {result['span_precision']:.3f} / {result['span_recall']:.3f}")


if __name__ == "__main__":
    main()
