"""The terminal view of `newsdesk story ID --compare` (the JSON is complete; this shows what differs)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from newsdesk.cli import cell, terminal

# How many differing facts, quotes and aligned rows the terminal shows (`--format json` has them all).
SHOWN_FACTS = 30
SHOWN_QUOTES = 20
SHOWN_ROWS = 15
CARRIED, OMITTED = "●", "·"


def print_comparison(console: Console, comparison: dict[str, Any]) -> None:
    story, reports = comparison["story"], comparison["reports"]
    labels = {r["id"]: f"R{n + 1}" for n, r in enumerate(reports)}
    console.print(f"[bold]{terminal(story['label'] or '')}[/bold]  ({terminal(story['start'] or '?')} – "
                  f"{terminal(story['end'] or '?')})  {len(reports)} reports")
    table = Table("", "outlet", "published", "headline", "sentences", "quotes", title="reports, earliest first")
    first = comparison["first"]
    for report in reports:
        mark = labels[report["id"]] + (" ★" if first and report["id"] == first["id"] else "")
        table.add_row(cell(mark), cell(report["outlet"] or "?"), cell((report["time"] or report["published"] or "?")[:16]),
                      cell(report["title"] or ""), str(report["sentences"]), str(report["quotes"]))
    console.print(table)
    if first:
        tied = [r for r in reports[1:] if r["time"] and r["time"] == first["time"]]
        note = f" (tied with {', '.join(labels[r['id']] + ' ' + (r['outlet'] or '?') for r in tied)})" if tied else ""
        console.print(f"first reported by [bold]{terminal(first['outlet'] or '?')}[/bold] {labels[first['id']]}, "
                      f"{terminal(first['time'] or '')} (timed by {terminal(first['timed_by'] or '?')}){terminal(note)}")
    if len(reports) < 2:
        console.print("one report only: nothing to compare")
        return
    _facts(console, comparison, labels)
    _quotes(console, comparison, labels)
    _rows(console, comparison, labels, {r["id"]: r["outlet"] for r in reports})


def _facts(console: Console, comparison: dict[str, Any], labels: dict[str, str]) -> None:
    differing = [f for f in comparison["facts"] if f["omitted_by"]]
    shared = len(comparison["facts"]) - len(differing)
    table = Table("kind", "fact", *labels.values(),
                  title=f"facts some reports carry and others omit ({len(differing)}; {shared} carried by all)",
                  caption=_more(len(differing), SHOWN_FACTS, "facts"))
    for fact in differing[:SHOWN_FACTS]:
        carried = set(fact["carried_by"])
        table.add_row(cell(fact["kind"]), cell(fact["value"]),
                      *(CARRIED if report in carried else OMITTED for report in labels))
    console.print(table)


def _quotes(console: Console, comparison: dict[str, Any], labels: dict[str, str]) -> None:
    quotes = comparison["quotes"]
    if not quotes:
        return
    quotes = sorted(quotes, key=lambda q: -len(q["carried_by"]))
    table = Table("speaker", "said", "carried by", "omitted by", title=f"quoted statements ({len(quotes)})",
                  caption=_more(len(quotes), SHOWN_QUOTES, "quotes"))
    for quote in quotes[:SHOWN_QUOTES]:
        table.add_row(cell(quote["speaker"]), cell(quote["text"]), cell(" ".join(labels[r] for r in quote["carried_by"])),
                      cell(" ".join(labels[r] for r in quote["omitted_by"])))
    console.print(table)


def _rows(console: Console, comparison: dict[str, Any], labels: dict[str, str], outlets: dict[str, str | None]) -> None:
    shared = [r for r in comparison["rows"] if len(r["carried_by"]) > 1]
    shared.sort(key=lambda r: (-len(r["carried_by"]), r["row"]))
    console.print(f"\n[bold]sentences told by more than one report[/bold] ({len(shared)} of {len(comparison['rows'])})")
    for row in shared[:SHOWN_ROWS]:
        omitted = " · omitted by " + " ".join(labels[r] for r in row["omitted_by"]) if row["omitted_by"] else ""
        console.print(f"[dim]first told by {labels[row['first']]}{omitted}[/dim]")
        # A grid, so a long sentence of Chinese (one "word" to the wrapper) folds beside its label.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for sentence in row["sentences"]:
            grid.add_row(cell(f"  {labels[sentence['report']]} {outlets[sentence['report']] or '?'}"), cell(sentence["text"]))
        console.print(grid)
    if len(shared) > SHOWN_ROWS:
        console.print(f"[dim]{len(shared) - SHOWN_ROWS} more rows: --format json[/dim]")
    alone: dict[str, int] = {}
    for row in comparison["rows"]:
        if len(row["carried_by"]) == 1:
            alone[row["first"]] = alone.get(row["first"], 0) + 1
    if alone:
        console.print("only in one report: " + ", ".join(
            f"{labels[r]} {terminal(outlets[r] or '?')} {n} sentences" for r, n in alone.items()))


def _more(total: int, shown: int, what: str) -> str | None:
    return f"{total - shown} more {what}: --format json" if total > shown else None
