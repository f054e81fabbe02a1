"""How the outlets' reports of one story differ: `newsdesk story ID --compare`.

Each report (an article of the story) is cut into sentences. A sentence carries facts: figures
(`400吨`, `30 分钟`, `10万名`), dates (`2月21日`), the people, places and organisations the gazetteer
finds in it, and the quoted statements `analysis/quotes.py` found there (speaker and words).

Sentences are aligned across reports: reports are read in the order they were published, and each
sentence joins the row of the most similar sentence already seen in another report (character
bigrams of the folded text, Dice ≥ ALIGN_THRESHOLD, with shared facts counting towards it), or opens
a row of its own. A row is one thing reported: which reports carry it, in what words, and who
carried it first. Facts are compared over whole reports: each fact, the reports that carry it and
those that omit it. Which outlet reported first comes from the publications (archive/copies.py:
the date-time a capture prints, else its date, else its first crawl time).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsdesk.analysis.entities import Gazetteer, _scan_form, fold_name
from newsdesk.analysis.quotes import Quote, find_quotes, stored_quotes

if TYPE_CHECKING:
    from newsdesk.analysis.stories import StoryRow
    from newsdesk.archive.store import Archive

# Two sentences say the same thing when their bigram Dice coefficient (facts counting too) reaches this.
ALIGN_THRESHOLD = 0.3
# Sentences shorter than this (after folding) are headings and bylines, not statements of fact.
MIN_SENTENCE_CHARS = 8
# Two quotes of one speaker are the same statement when their bigram Dice coefficient reaches this.
SAME_QUOTE = 0.45

_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+[”」』]?|$)")
_PUNCT = re.compile(r"[\W_]+")
_UNIT = (r"(?:万|亿|千|百)?\s*(?:名|人|吨|公里|千米|米|架|辆|枚|艘|%|％|美元|欧元|英镑|卢布|人民币|元|岁|分钟|小时|天|周|个|次|"
         r"座|家|国|倍|亿|万|公斤|平方公里|lbs|km|million|billion)")
_FIGURE = re.compile(rf"(?<![0-9A-Za-z.])\d[\d,，.]*\s*{_UNIT}|(?:[一二两三四五六七八九十百千]+[万亿]){_UNIT}?")
_DATE = re.compile(r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}-\d{2}-\d{2}|(?:周|星期)[一二三四五六日天]")


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str  # figure | date | person | place | org | quote
    key: str  # what makes two mentions one fact (folded figure, entity id, speaker + words)
    label: str  # as shown


@dataclass
class Sentence:
    report: int
    block: int
    start: int
    text: str
    bigrams: frozenset[str]
    facts: list[Fact]


@dataclass
class Report:
    article_id: str
    outlet: str | None
    title: str | None
    published: str | None
    moment: dt.datetime | None
    timed_by: str | None
    publications: list[dict[str, Any]]
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {"id": self.article_id, "outlet": self.outlet, "title": self.title, "published": self.published,
                "time": self.moment.isoformat() if self.moment else None, "timed_by": self.timed_by,
                "publications": self.publications, "sentences": len(self.sentences), "quotes": len(self.quotes)}


def _fold(text: str) -> str:
    return _PUNCT.sub("", _scan_form(text))


def _bigrams(folded: str) -> frozenset[str]:
    return frozenset(folded[i : i + 2] for i in range(len(folded) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _figure_key(surface: str) -> str:
    return re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", surface))


def sentence_facts(gazetteer: Gazetteer, text: str) -> list[Fact]:
    """The figures, dates and named entities one sentence states."""
    facts: list[Fact] = []
    dates = [m for m in _DATE.finditer(text)]
    for match in dates:
        facts.append(Fact("date", _figure_key(match.group()), match.group().strip()))
    for match in _FIGURE.finditer(text):
        # A day of a date (`21日`) is not a figure.
        if any(d.start() <= match.start() < d.end() for d in dates):
            continue
        facts.append(Fact("figure", _figure_key(match.group()), match.group().strip()))
    for _, _, entity_id in gazetteer.scan(_scan_form(text)):
        entity = gazetteer.entities.get(entity_id)
        if entity is not None:
            facts.append(Fact(entity.kind, entity_id, entity.name))
    return list(dict.fromkeys(facts))


def _sentences(body: list[str]) -> Iterable[tuple[int, int, str]]:
    for index, block in enumerate(body):
        for match in _SENTENCE.finditer(block):
            text = match.group().strip()
            if len(_fold(text)) >= MIN_SENTENCE_CHARS:
                yield index, match.start() + (len(match.group()) - len(match.group().lstrip())), text


def _quote_fact(quote: Quote) -> Fact:
    speaker = quote.entity_id or fold_name(quote.speaker)
    words = quote.text if len(quote.text) <= 40 else quote.text[:39] + "…"
    return Fact("quote", f"{speaker}\0{_fold(quote.text)}", f"{quote.speaker}: {words}")


def _reports(archive: Archive, gazetteer: Gazetteer, story: StoryRow) -> list[Report]:
    from newsdesk.archive.copies import article_copies

    reports = []
    for item in story.articles:
        article = archive.article(item["id"])
        copies = article_copies(archive, item["id"])
        placed = [p for p in (copies.first, *copies.later) if p.moment is not None]
        first = min(placed, key=lambda p: p.moment) if placed else copies.first  # type: ignore[arg-type, return-value]
        report = Report(item["id"], article.outlet, article.title, article.published, first.moment, first.basis,
                        [p.to_record() for p in (copies.first, *copies.later)])
        stored = stored_quotes(archive.conn, item["id"])
        report.quotes = stored if stored is not None else find_quotes(gazetteer, article.body)
        for block, start, text in _sentences(article.body):
            facts = sentence_facts(gazetteer, text)
            end = start + len(text)
            facts += [_quote_fact(q) for q in report.quotes if q.block == block and q.start < end and start < q.end]
            report.sentences.append(Sentence(len(reports), block, start, text, _bigrams(_fold(text)), facts))
        reports.append(report)
    # Earliest first; reports that cannot be placed in time last, in the story's order.
    order = sorted(range(len(reports)), key=lambda i: (reports[i].moment is None, _utc(reports[i].moment), i))
    reports = [reports[i] for i in order]
    for number, report in enumerate(reports):
        for sentence in report.sentences:
            sentence.report = number
    return reports


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _similarity(a: Sentence, b: Sentence) -> float:
    """Bigram Dice, plus a little for each figure, date, person or quote both state (places and
    organisations are shared by most sentences of a story, so they say little)."""
    specific = {f.key for f in a.facts if f.kind in _SPECIFIC} & {f.key for f in b.facts if f.kind in _SPECIFIC}
    return _dice(a.bigrams, b.bigrams) + FACT_BONUS * len(specific)


_SPECIFIC = frozenset({"figure", "date", "person", "quote"})
# What each shared figure, date, person or quote adds to two sentences' similarity.
FACT_BONUS = 0.05


def align(reports: list[Report]) -> list[list[Sentence]]:
    """Rows of sentences saying one thing, at most one sentence per report in a row, in order of first telling."""
    rows: list[list[Sentence]] = []
    for report in reports:
        taken: set[int] = set()
        for sentence in report.sentences:
            best, best_score = None, ALIGN_THRESHOLD
            for number, row in enumerate(rows):
                if number in taken or any(s.report == sentence.report for s in row):
                    continue
                score = max(_similarity(sentence, other) for other in row)
                if score >= best_score:
                    best, best_score = number, score
            if best is None:
                rows.append([sentence])
                taken.add(len(rows) - 1)
            else:
                rows[best].append(sentence)
                taken.add(best)
    return rows


def _quote_groups(reports: list[Report]) -> list[dict[str, Any]]:
    """Quoted statements across reports: one speaker's words, and which reports carry them."""
    groups: list[dict[str, Any]] = []
    for number, report in enumerate(reports):
        for quote in report.quotes:
            speaker = quote.entity_id or fold_name(quote.speaker)
            words = _bigrams(_fold(quote.text))
            for group in groups:
                if group["_speaker"] == speaker and _dice(group["_words"], words) >= SAME_QUOTE:
                    if number not in group["_reports"]:
                        group["_reports"].append(number)
                        group["versions"].append({"report": report.article_id, "text": quote.text})
                    break
            else:
                groups.append({"_speaker": speaker, "_words": words, "_reports": [number], "speaker": quote.speaker,
                               "entity_id": quote.entity_id, "text": quote.text,
                               "versions": [{"report": report.article_id, "text": quote.text}]})
    return groups


def compare_story(archive: Archive, gazetteer: Gazetteer, story: StoryRow) -> dict[str, Any]:
    """The comparison of a story's reports, complete (the JSON of `story --compare`)."""
    reports = _reports(archive, gazetteer, story)
    ids = [r.article_id for r in reports]
    rows = align(reports)
    facts: dict[str, dict[str, Any]] = {}
    for number, report in enumerate(reports):
        for sentence in report.sentences:
            for fact in sentence.facts:
                entry = facts.setdefault(fact.key, {"kind": fact.kind, "value": fact.label, "_reports": []})
                if number not in entry["_reports"]:
                    entry["_reports"].append(number)
    first = reports[0] if reports and reports[0].moment is not None else None
    fact_records = [
        {"kind": f["kind"], "value": f["value"], "carried_by": [ids[n] for n in f["_reports"]],
         "omitted_by": [ids[n] for n in range(len(ids)) if n not in f["_reports"]], "first": ids[min(f["_reports"])]}
        for f in sorted(facts.values(), key=lambda f: (-len(f["_reports"]), min(f["_reports"]), f["kind"]))
    ]
    row_records = []
    for number, row in enumerate(rows):
        carried = sorted({s.report for s in row})
        row_records.append({
            "row": number,
            "first": ids[carried[0]],
            "carried_by": [ids[n] for n in carried],
            "omitted_by": [ids[n] for n in range(len(ids)) if n not in carried],
            "facts": [{"kind": f.kind, "value": f.label} for f in dict.fromkeys(f for s in row for f in s.facts)],
            "sentences": [{"report": ids[s.report], "block": s.block, "start": s.start, "text": s.text} for s in row],
        })
    quotes = [
        {"speaker": g["speaker"], "entity_id": g["entity_id"], "text": g["text"],
         "carried_by": [ids[n] for n in g["_reports"]],
         "omitted_by": [ids[n] for n in range(len(ids)) if n not in g["_reports"]], "versions": g["versions"]}
        for g in _quote_groups(reports)
    ]
    return {
        "story": {"id": story.id, "label": story.label, "start": story.start, "end": story.end},
        "reports": [r.to_record() for r in reports],
        "first": first.to_record() if first else None,
        "facts": fact_records,
        "quotes": quotes,
        "rows": row_records,
    }
