#!/usr/bin/env python3
"""Metadata failures on the labelled corpus's TRAIN split, grouped by field, for designing rules.

    PYTHONPATH=src .venv/bin/python bench/meta_failures.py [--field authors] [--context 80] [--summary] [--train-only]
        [--blind-registry] [--tuning DIR]
        [--loso ABLATION_JSON...]

For each train capture whose field disagrees with the gold, prints the prediction, the gold and the
capture's text around the first place the gold value appears (so the convention that prints it can
be read). Held-out captures are only counted (`--summary`), never listed: rules are designed on
train failures alone.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.scoring import FIELDS, field_ok  # noqa: E402

from newsdesk.extract import credits, extract_capture, html_page, pipeline  # noqa: E402
from newsdesk.extract.outlets import Outlet, OutletRegistry, load_registry  # noqa: E402

CORPUS = REPO / "bench" / "data" / "corpus"


def decoded(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def near(text: str, needle: str, context: int) -> list[str]:
    out = []
    for match in list(re.finditer(re.escape(needle), text))[:3]:
        snippet = text[max(0, match.start() - context) : match.end() + context]
        out.append(re.sub(r"\s+", " ", snippet))
    return out


def loso_line(ablations: list[Path], marks: dict[tuple[str, str], bool]) -> str:
    """Train accuracy per field when every rule (regex alternative or credits.toml word) that changes the
    output of one site only is taken away from that site's captures: rules are written, not fitted, so
    a held-out site loses exactly the rules no other training site needs. A capture-field that any such
    rule turns wrong counts wrong; else one that any turns right counts right."""
    held = loso_marks(ablations, marks)
    captures = {capture for capture, _ in marks}
    cells = [f"{name} {sum(held[(c, name)] for c in captures) / len(captures):.3f}" for name in FIELDS]
    return f"loso     n={len(captures):3} " + " ".join(cells)


def loso_marks(ablations: list[Path], marks: dict[tuple[str, str], bool]) -> dict[tuple[str, str], bool]:
    """Each train capture-field's verdict with the rules only its own site changes taken away (see loso_line)."""
    loses: set[tuple[str, str]] = set()
    gains: set[tuple[str, str]] = set()
    for path in ablations:
        for finding in json.loads(path.read_text(encoding="utf-8")):
            for capture, delta in (finding.get("deltas") or {}).items():
                for name, change in delta.items():
                    if name in FIELDS:
                        (loses if change < 0 else gains).add((capture, name))
    return {key: key not in loses and (ok or key in gains) for key, ok in marks.items()}


def loso_group_lines(ablations: list[Path], marks: dict[tuple[str, str], bool], groups: dict[str, str]) -> list[str]:
    """The leave-one-site-out verdicts of loso_line, per site group (mainland-paper, hk-tw-overseas, ...)."""
    held = loso_marks(ablations, marks)
    lines = []
    for group in sorted(set(groups.values())):
        captures = [c for c, g in groups.items() if g == group]
        cells = " ".join(f"{name} {sum(held[(c, name)] for c in captures) / len(captures):.3f}" for name in FIELDS)
        lines.append(f"  loso {group:18} n={len(captures):3} {cells}")
    return lines


def capture_site(file: str) -> str:
    """The host a capture's file name was saved under (`nodebe4+bbc.com__x.md` → bbc.com)."""
    return file.split("__")[0].split("+")[-1].lower().removeprefix("www.")


def gold_site(gold: dict) -> str:
    """The capture's site: the host in its file name, else (dev's `ithome__1.md`, a short name with no host) the
    host of the gold's original URL, so a blind reading forgets the right outlet there too."""
    site = capture_site(gold["file"])
    if "." not in site and gold.get("original_url"):
        host = urlsplit(str(gold["original_url"])).hostname or ""
        site = host.lower().removeprefix("www.") or site
    if "." not in site:
        # No URL either: the one registry outlet with a host labelled by the short name (`ithome` → ithome.com;
        # `news`, which several hosts carry, names none).
        outlets = {id(o): o for o in load_registry()._by_name.values() if any(site in d.split(".") for d in o.domains)}
        if len(outlets) == 1:
            outlet = next(iter(outlets.values()))
            site = next(d for d in outlet.domains if site in d.split("."))
    return site


def blind_registry(site: str) -> OutletRegistry:
    """The bundled registry without the outlet(s) whose hosts include `site`: the capture is read as if its
    site were one newsdesk has never heard of (names, aliases and hosts all forgotten)."""
    full = load_registry()
    kept: list[Outlet] = []
    seen: set[int] = set()
    for outlet in full._by_name.values():
        if id(outlet) in seen:
            continue
        seen.add(id(outlet))
        if site and any(site == d or site.endswith("." + d) or d.endswith("." + site) for d in outlet.domains):
            continue
        kept.append(Outlet(outlet.name, list(outlet.aliases), list(outlet.domains)))
    return OutletRegistry(kept)


@contextmanager
def registry_as(registry: OutletRegistry | None) -> Iterator[None]:
    """Every module that asks for the registry (html_page too: it matches the page's host to its names) gets this
    one inside the block; None leaves the bundled one."""
    if registry is None:
        yield
        return
    modules = (pipeline, credits, html_page)
    saved = [m.load_registry for m in modules]
    for m in modules:
        m.load_registry = lambda extra=(), _r=registry: _r  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m, f in zip(modules, saved, strict=True):
            m.load_registry = f  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--field", action="append", help="field(s) to list (default all)")
    parser.add_argument("--context", type=int, default=80)
    parser.add_argument("--summary", action="store_true", help="only the per-split accuracy table")
    parser.add_argument(
        "--loso", type=Path, nargs="+", metavar="ABLATION_JSON",
        help="leave-one-site-out estimate: findings of bench/ablate.py --json (regex alternatives, --words) on the "
        "train split; a capture loses (or gains) what a rule only its own site changes gives it",
    )
    parser.add_argument("--train-only", action="store_true", help="skip the held-out split entirely (not even counted)")
    parser.add_argument(
        "--blind-registry", action="store_true",
        help="read each capture with the registry forgetting its own site's outlet (as on a site never seen)",
    )
    parser.add_argument(
        "--tuning", type=Path, metavar="DIR",
        help="read DIR/gold and DIR/captures instead (a tuning part, e.g. corpus-fresh batches 1-2 copied by "
        "bench/fresh_tuning.py): every record is listed like a train one",
    )
    parser.add_argument("--verdicts", type=Path, help="write each train capture's per-field right/wrong here (to diff two runs)")
    args = parser.parse_args()
    fields = args.field or list(FIELDS)
    right: dict[tuple[str, str], int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    failures: dict[str, list[tuple[dict, dict, str]]] = defaultdict(list)
    verdicts: list[str] = []
    marks: dict[tuple[str, str], bool] = {}
    groups: dict[str, str] = {}
    folder = args.tuning or CORPUS
    for gold_path in sorted((folder / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if args.tuning:
            # A tuning part is read like the train split: its failures may be listed.
            gold["split"] = "train"
        if args.train_only and gold["split"] != "train":
            continue
        path = folder / "captures" / gold["file"]
        raw = path.read_bytes()
        with registry_as(blind_registry(gold_site(gold)) if args.blind_registry else None):
            article = extract_capture(raw, str(path)).to_record()
        split = gold["split"]
        count[split] += 1
        for name in FIELDS:
            ok = field_ok(name, gold.get(name), article.get(name))
            if split == "train":
                marks[(gold["file"], name)] = bool(ok)
                groups[gold["file"]] = gold.get("group") or "?"
            right[(split, name)] += ok
            if split == "train":
                verdicts.append(f"{gold['file']}\t{name}\t{'ok' if ok else 'WRONG'}\t{article.get(name)!r}")
            if not ok and split == "train" and name in fields:
                failures[name].append((gold, article, decoded(raw)))
    if args.loso:
        print(loso_line(args.loso, marks))
        print("\n".join(loso_group_lines(args.loso, marks, groups)))
    for split in ("train",) if args.train_only or args.tuning else ("train", "heldout"):
        print(f"{split:8} n={count[split]:3} " + " ".join(f"{n} {right[(split, n)] / count[split]:.3f}" for n in FIELDS))
    if args.verdicts:
        args.verdicts.write_text("\n".join(verdicts) + "\n", encoding="utf-8")
    if args.summary:
        return 0
    for name in fields:
        print(f"\n===== {name}: {len(failures[name])} train failures")
        for gold, article, text in failures[name]:
            print(f"\n--- {gold['file']} [{gold['group']}]\n  pred: {article.get(name)!r}\n  gold: {gold.get(name)!r}")
            values = gold.get(name)
            values = values if isinstance(values, list) else [values]
            for value in values[:2]:
                if not value:
                    continue
                needle = str(value)
                if name == "published":
                    y, m, d = needle.split("-")
                    needle = next((n for n in (needle, f"{y}年{int(m)}月{int(d)}日", f"{y}/{m}/{d}", f"{m}月{d}日", f"{int(m)}月{int(d)}日") if n in text), needle)
                for snippet in near(text, needle, args.context):
                    print(f"    …{snippet}…")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
