#!/usr/bin/env python3
"""Which regex alternatives in extract/ does each gold capture depend on?

    PYTHONPATH=src .venv/bin/python bench/ablate.py [GOLD_DIR CAPTURES_DIR] [--only MODULE,...] [--json OUT]
                                                    [--split train] [--entries | --words]

Every alternative of every alternation in the extract/ modules' regexes (module-level patterns,
`Cue` patterns in chrome.py, and the string patterns passed inline to `re.search` and friends) is
removed in turn, and the captures are extracted again. An alternative that changes the output of
exactly one capture is a rule written for one file; one that changes none is dead on this set
(which says nothing about other sites). Captures are grouped by site (the file name up to `__`), so
three pages of one site count as one. Word lists loaded from data files (credits.toml) are
ablated entry by entry the same way, since they compile to alternations.

Re-extracting every capture for each of ~2,000 alternatives would take an hour, so the baseline
run records every call made on each pattern, per capture; an ablated pattern is replayed over
those calls, and only the captures where some call answers differently are extracted again.
Extraction is deterministic, so this is exact.

Default set: tests/data/dev. Results: one line per alternative that changes the output of one site
only (`module.NAME  alternative  files  summed score change`), then a count of dead and shared ones.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import types
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.scoring import FIELDS, body_prf, field_ok  # noqa: E402

MODULES = (
    "credits", "dates", "chrome", "html_page", "html_meta", "pipeline", "blocks", "region", "frontmatter",
    "mirror_markdown", "plain", "outlets", "language", "html_tree", "markdown", "vocab",
)
_METHODS = ("match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer")
_CURRENT: list[str] = [""]
_RECORDING: list[bool] = [True]


def _norm(value: Any) -> Any:
    if isinstance(value, re.Match):
        return (value.span(), value.groups())
    if isinstance(value, Iterator):
        return [_norm(v) for v in value]
    if isinstance(value, tuple | list):
        return [_norm(v) for v in value]
    return value


class Recorder:
    """Stands in for a compiled pattern and remembers what it was asked, per capture."""

    def __init__(self, pattern: re.Pattern[str], name: str) -> None:
        self.pattern = pattern
        self.name = name
        self.calls: dict[str, list[tuple[str, tuple, dict]]] = defaultdict(list)
        self.active = pattern

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self.active, attr)
        if attr not in _METHODS:
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            if _RECORDING[0]:
                self.calls[_CURRENT[0]].append((attr, args, kwargs))
            return value(*args, **kwargs)

        return call


class ReShim(types.ModuleType):
    """The `re` module as a module sees it: string patterns passed inline are recorded too."""

    def __init__(self, owner: str, registry: dict[str, Recorder]) -> None:
        super().__init__("re")
        self.__dict__.update({k: v for k, v in vars(re).items() if not k.startswith("__")})
        for method in _METHODS:
            setattr(self, method, self._wrap(owner, method, registry))

    @staticmethod
    def _wrap(owner: str, method: str, registry: dict[str, Recorder]) -> Callable[..., Any]:
        def call(pattern: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(pattern, str | re.Pattern):
                source = pattern if isinstance(pattern, str) else pattern.pattern
                flags = kwargs.pop("flags", 0) if isinstance(pattern, str) else 0
                if method in {"match", "search", "fullmatch", "findall", "finditer"} and len(args) > 1:
                    flags, args = args[1], args[:1]
                key = f"{owner}:inline:{source}"
                rec = registry.get(key)
                if rec is None:
                    rec = registry[key] = Recorder(re.compile(source, flags), key)
                return getattr(rec, method)(*args, **kwargs)
            return getattr(pattern, method)(*args, **kwargs)

        return call


def _group_content_start(src: str, i: int) -> int:
    j = i + 1
    if not src.startswith("?", j):
        return j
    if src.startswith("?P<", j):
        return src.index(">", j) + 1
    if src.startswith(("?<=", "?<!"), j):
        return j + 3
    if src[j + 1] in ":=!>":
        return j + 2
    # Inline flags `(?i:` or `(?i)`.
    k = j + 1
    while k < len(src) and src[k] not in ":)":
        k += 1
    return k + 1


def alternatives(src: str) -> list[tuple[int, int, str]]:
    """Spans to delete to drop one alternative of an alternation, with the alternative's text."""
    stack: list[tuple[int, list[int]]] = [(0, [])]
    groups: list[tuple[int, int, list[int]]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if src.startswith("^", j):
                j += 1
            if src.startswith("]", j):
                j += 1
            while j < n and src[j] != "]":
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            continue
        if c == "(":
            j = _group_content_start(src, i)
            stack.append((j, []))
            i = j
            continue
        if c == ")" and len(stack) > 1:
            start, bars = stack.pop()
            groups.append((start, i, bars))
        elif c == "|":
            stack[-1][1].append(i)
        i += 1
    groups.append((0, n, stack[0][1]))
    spans = []
    for start, end, bars in groups:
        if not bars:
            continue
        edges = [start - 1, *bars, end]
        for k in range(len(edges) - 1):
            alt = src[edges[k] + 1 : edges[k + 1]]
            if k == 0:
                spans.append((start, edges[1] + 1, alt))
            else:
                spans.append((edges[k], edges[k + 1], alt))
    return spans


def _patterns(modules: dict[str, types.ModuleType]) -> dict[str, tuple[re.Pattern[str], list[tuple[Any, str]]]]:
    """Every module-level pattern once, with every (owner, attribute) that refers to it."""
    found: dict[int, tuple[str, re.Pattern[str], list[tuple[Any, str]]]] = {}
    for mod_name, mod in modules.items():
        for attr, value in list(vars(mod).items()):
            targets: list[tuple[Any, str, re.Pattern[str]]] = []
            if isinstance(value, re.Pattern):
                targets.append((mod, attr, value))
            elif type(value).__name__ == "Cue":
                for inner in ("_start", "_anywhere"):
                    if isinstance(getattr(value, inner, None), re.Pattern):
                        targets.append((value, inner, getattr(value, inner)))
            for owner, name, pattern in targets:
                label = f"{mod_name}.{attr}" + (f".{name}" if owner is not mod else "")
                entry = found.setdefault(id(pattern), (label, pattern, []))
                entry[2].append((owner, name))
    return {label: (pattern, refs) for label, pattern, refs in found.values()}


def site_of(capture: str) -> str:
    """The site a capture comes from: its file name up to `__` (`udn.com__news001.html` → udn.com)."""
    return capture.split("__")[0] if "__" in capture else capture


def _load_set(gold_dir: str, capture_dir: str, split: str | None = None) -> tuple[dict[str, dict], dict[str, bytes]]:
    golds = {}
    for path in sorted(Path(gold_dir).glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if split is None or gold.get("split") == split:
            golds[gold["file"]] = gold
    return golds, {name: (Path(capture_dir) / name).read_bytes() for name in golds}


def ablate_entries(args: argparse.Namespace) -> int:
    """Drop one [[entry]] of data/credits.toml, rebuild the grammar, extract everything again."""
    from newsdesk.extract import credits, vocab
    from newsdesk.extract.pipeline import extract_capture

    golds, data = _load_set(args.gold, args.captures, args.split)
    every = vocab.entries()

    def rebuild(keep: tuple) -> None:
        vocab.entries.cache_clear()
        vocab.words.cache_clear()
        vocab.label_roles.cache_clear()
        vocab.entries = _pinned(keep, vocab.entries)
        importlib.reload(credits)

    def run_all() -> dict[str, dict]:
        return {name: extract_capture(data[name], name).to_record() for name in golds}

    original = vocab.entries
    baseline = run_all()
    findings = []
    for i, entry in enumerate(every):
        rebuild(every[:i] + every[i + 1 :])
        changed = [name for name, record in run_all().items() if record != baseline[name]]
        vocab.entries = original
        sites = sorted({site_of(name) for name in changed})
        findings.append({"section": entry.section, "role": entry.role, "words": list(entry.words[:6]),
                         "sites": sites, "captures": changed})
        print(f"[[{entry.section}]] {entry.role or ''} {' '.join(entry.words[:6])}: {len(sites)} sites {sites[:6]}",
              flush=True)
    rebuild(every)
    if args.json:
        Path(args.json).write_text(json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _decoded(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def ablate_words(args: argparse.Namespace) -> int:
    """Drop one word of data/credits.toml at a time and re-read the captures that print it (in either
    script): which words does exactly one site need? Findings carry per-capture score changes, for a
    leave-one-site-out estimate (bench/meta_failures.py --loso)."""
    from dataclasses import replace

    from newsdesk.extract import credits, vocab
    from newsdesk.extract.pipeline import extract_capture

    golds, data = _load_set(args.gold, args.captures, args.split)
    texts = {name: _decoded(raw) for name, raw in data.items()}
    every = vocab.entries()
    original = vocab.entries

    def rebuild(keep: tuple) -> None:
        vocab.entries.cache_clear()
        vocab.words.cache_clear()
        vocab.label_roles.cache_clear()
        vocab.entries = _pinned(keep, vocab.entries)
        importlib.reload(credits)

    def grade(name: str, record: dict) -> dict[str, float]:
        gold = golds[name]
        marks = {f: float(field_ok(f, gold.get(f), record.get(f))) for f in FIELDS}
        marks["body"] = round(body_prf(gold["body"], record["body"])[2], 4)
        return marks

    baseline = {name: extract_capture(data[name], name).to_record() for name in golds}
    base_marks = {name: grade(name, record) for name, record in baseline.items()}
    findings = []
    for i, entry in enumerate(every):
        for word in entry.words:
            forms = vocab.variants(word)
            readers = [name for name, text in texts.items() if any(form in text for form in forms)]
            if not readers:
                continue
            rebuild((*every[:i], replace(entry, words=tuple(w for w in entry.words if w != word)), *every[i + 1 :]))
            changed = []
            for name in readers:
                record = extract_capture(data[name], name).to_record()
                if record != baseline[name]:
                    marks = grade(name, record)
                    changed.append((name, {k: round(marks[k] - base_marks[name][k], 4) for k in marks if marks[k] != base_marks[name][k]}))
            vocab.entries = original
            sites = sorted({site_of(name) for name, _ in changed})
            if len(sites) == 1:
                findings.append({"pattern": f"[[{entry.section}]] {entry.role or ''}".strip(), "alternative": word,
                                 "site": sites[0], "captures": [n for n, _ in changed], "deltas": dict(changed)})
                print(f"[[{entry.section}]] {entry.role or ''}\t{word}\t{','.join(n for n, _ in changed)}\t"
                      f"{[d for _, d in changed]}", flush=True)
    rebuild(every)
    print(f"\nwords changing the output on exactly one site: {len(findings)}")
    if args.json:
        Path(args.json).write_text(json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _pinned(keep: tuple, original: Callable[[], tuple]) -> Callable[[], tuple]:
    def entries() -> tuple:
        return keep

    entries.cache_clear = original.cache_clear  # type: ignore[attr-defined]
    return entries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("gold", nargs="?", default=str(REPO / "tests/data/dev/gold"))
    parser.add_argument("captures", nargs="?", default=str(REPO / "tests/data/dev/captures"))
    parser.add_argument("--only", default="", help="comma-separated module names (default: all)")
    parser.add_argument("--json", default=None, help="write every finding here")
    parser.add_argument("--split", default=None, help="only gold records of this split (the corpus: train)")
    parser.add_argument(
        "--words", action="store_true",
        help="ablate the words of data/credits.toml one at a time (only captures printing the word are re-read)",
    )
    parser.add_argument(
        "--entries", action="store_true",
        help="ablate the entries of data/credits.toml one at a time instead of regex alternatives",
    )
    args = parser.parse_args(argv)
    if args.words:
        return ablate_words(args)
    if args.entries:
        return ablate_entries(args)

    modules = {}
    for name in MODULES:
        try:
            modules[name] = importlib.import_module(f"newsdesk.extract.{name}")
        except ModuleNotFoundError:
            continue
    from newsdesk.extract.pipeline import extract_capture

    registry: dict[str, Recorder] = {}
    for name, mod in modules.items():
        if "re" in vars(mod):
            mod.re = ReShim(name, registry)
    for label, (pattern, refs) in _patterns(modules).items():
        rec = Recorder(pattern, label)
        registry[label] = rec
        for owner, attr in refs:
            setattr(owner, attr, rec)

    golds = {}
    for path in sorted(Path(args.gold).glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if args.split is None or gold.get("split") == args.split:
            golds[gold["file"]] = gold
    data = {name: (Path(args.captures) / name).read_bytes() for name in golds}

    def run(name: str) -> dict:
        _CURRENT[0] = name
        return extract_capture(data[name], name).to_record()

    def grade(name: str, record: dict) -> dict[str, float]:
        gold = golds[name]
        marks = {f: float(field_ok(f, gold.get(f), record.get(f))) for f in FIELDS}
        marks["body"] = round(body_prf(gold["body"], record["body"])[2], 4)
        return marks

    baseline = {name: run(name) for name in golds}
    base_marks = {name: grade(name, rec) for name, rec in baseline.items()}
    _RECORDING[0] = False
    only = {m for m in args.only.split(",") if m}
    from newsdesk.extract import vocab

    vocab_forms = {form for entry in vocab.entries() for word in entry.words for form in vocab.variants(word)}

    findings = []
    dead = shared = 0
    for label, rec in sorted(registry.items()):
        if only and label.split(".")[0].split(":")[0] not in only:
            continue
        source = rec.pattern.pattern
        for start, end, alt in alternatives(source):
            if re.sub(r"\\(.)", r"\1", alt) in vocab_forms:
                # A word of data/credits.toml: `--entries` ablates those, entry by entry.
                continue
            try:
                ablated = re.compile(source[:start] + source[end:], rec.pattern.flags)
            except re.error:
                continue
            suspects = []
            for capture, calls in rec.calls.items():
                for method, cargs, ckwargs in calls:
                    try:
                        same = _norm(getattr(rec.pattern, method)(*cargs, **ckwargs)) == _norm(
                            getattr(ablated, method)(*cargs, **ckwargs)
                        )
                    except re.error:
                        same = False
                    if not same:
                        suspects.append(capture)
                        break
            changed = []
            rec.active = ablated
            try:
                for capture in suspects:
                    record = run(capture)
                    if record != baseline[capture]:
                        marks = grade(capture, record)
                        delta = {k: round(marks[k] - base_marks[capture][k], 4) for k in marks if marks[k] != base_marks[capture][k]}
                        changed.append((capture, delta))
            finally:
                rec.active = rec.pattern
            sites = {site_of(capture) for capture, _ in changed}
            if not changed:
                dead += 1
            elif len(sites) == 1:
                effect: dict[str, float] = {}
                for _, delta in changed:
                    for key, value in delta.items():
                        effect[key] = round(effect.get(key, 0.0) + value, 4)
                captures = [capture for capture, _ in changed]
                findings.append({"pattern": label, "alternative": alt, "site": sites.pop(), "captures": captures,
                                 "effect": effect, "deltas": dict(changed)})
                print(f"{label}\t{alt[:70]}\t{','.join(captures)}\t{effect or 'output only'}", flush=True)
            else:
                shared += 1
    print(f"\nalternatives changing the output on exactly one site: {len(findings)}; none: {dead}; two or more: {shared}")
    if args.json:
        Path(args.json).write_text(json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
