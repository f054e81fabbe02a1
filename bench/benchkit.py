"""What the benchmarks share: one console, tables printed with rich and kept as markdown for
bench/RESULTS.md, and pinning the timed work to one core."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console(width=160)


@dataclass
class Report:
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""

    def show(self) -> None:
        table = Table(title=self.title, title_justify="left", show_lines=False)
        for i, name in enumerate(self.columns):
            table.add_column(name, justify="left" if i == 0 else "right")
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in row))  # cells hold queries, names, titles: never rich markup
        console.print(table)
        if self.note:
            console.print(self.note, style="dim", markup=False)

    def markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join(["---"] + ["---:"] * (len(self.columns) - 1)) + "|"
        body = ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
        parts = [f"#### {self.title}", "", head, rule, *body]
        if self.note:
            parts += ["", self.note]
        return "\n".join(parts)


@dataclass
class Section:
    name: str
    reports: list[Report] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def add(self, report: Report) -> None:
        report.show()
        self.reports.append(report)

    def say(self, text: str) -> None:
        console.print(text, markup=False)
        self.findings.append(text)


def pin(core: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {core})


def timed_core() -> int:
    """The last core: every bench pins its timed work there, so their figures compare."""
    try:
        return max(os.sched_getaffinity(0))
    except AttributeError:
        return 0


def replace_section(path: Path, heading: str, block: str) -> None:
    """`block` (which starts with `heading`) in place of that section of the markdown file at `path`, up to the
    next `## ` heading, one blank line before it; appended after a blank line when the file has no such section."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = block.rstrip("\n") + "\n"
    start = text.find(heading)
    if start == -1:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + block
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + block + (text[end:] if end != -1 else "")
    path.write_text(text, encoding="utf-8")
